"""Digits of other scripts are refused, full-width ones normalised: what is stored is always the
plain ASCII number a later search uses. Fuzzed: only typed Chinese errors come out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidCreditCode, InvalidIdNumber, InvalidInput
from app.guide.form import _bank_account
from app.identity.resident_id import parse_resident_id
from app.identity.uscc import parse_credit_code
from app.validation_zh import has_chinese

OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९๐๑๒๓๔๕๖๗๘๙০১২৩৪৫৬৭৮৯"
typed = st.text(alphabet="0123456789XxYMN -１２３４５６７８９０Ｘｘ" + OTHER_DIGITS, max_size=22)


@given(typed | st.text(max_size=24))
def test_resident_ids_are_ascii_or_refused_in_chinese(text: str) -> None:
    try:
        parsed = parse_resident_id(text)
    except InvalidIdNumber as exc:
        assert has_chinese(str(exc))
    else:
        assert parsed.number.isascii() and len(parsed.number) == 18


@given(typed | st.text(max_size=24))
def test_credit_codes_are_ascii_or_refused_in_chinese(text: str) -> None:
    try:
        parsed = parse_credit_code(text)
    except InvalidCreditCode as exc:
        assert has_chinese(str(exc))
    else:
        assert parsed.code.isascii()


@pytest.mark.parametrize("digit", ["١", "१", "๑"])
def test_a_birth_date_in_another_script_is_refused(digit: str) -> None:
    with pytest.raises(InvalidIdNumber, match="第10位.*不是阿拉伯数字"):
        parse_resident_id("110105194" + digit + "1231002X")


def test_a_bank_account_in_another_script_is_refused() -> None:
    with pytest.raises(InvalidInput, match="只能包含数字"):
        _bank_account("银行账号", "٦٢٢٢٠٢١٢٣٤٥٦٧٨٩٠١٢٨")
    assert (
        _bank_account("银行账号", "６２２２０２１２３４５６７８９０１２８") == "6222021234567890128"
    )
