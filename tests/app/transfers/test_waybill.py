"""Waybill numbers: UPU S10 numbers are checked digit and country; couriers' own numbers, which
have no published rule, are checked for form and warned about, never refused."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.transfers.waybill import check_waybill, s10_check_digit


@pytest.mark.parametrize(
    "number", ["EA123456785CN", "RB123456785GB", "ea 1234 5678 5cn", "EE-000000005-CN"]
)
def test_s10_numbers_that_pass(number: str) -> None:
    waybill = check_waybill(number)
    assert waybill.kind == "s10" and waybill.warning == ""
    assert waybill.number == number.upper().replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("number", "said"),
    [
        ("RB123456786US", "校验位不对：按万国邮联 S10 规则第 11 位应为 5，现为 6"),
        ("RB123456785XX", "国家代码“XX”不存在"),
        ("", "请填写快递单号"),
        ("EA1234#56785CN", "不能出现在单号中的字符"),
    ],
)
def test_wrong_numbers_are_refused_with_the_reason(number: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said) as refused:
        check_waybill(number)
    assert refused.value.hint  # and what to do


@pytest.mark.parametrize(
    ("serial", "digit"),
    [
        ("12345678", 5),  # 204 mod 11 = 6 → 11 − 6
        ("00000002", 8),  # 14 mod 11 = 3 → 8
        ("00000008", 0),  # 56 mod 11 = 1 → 0, not 10
        ("00000000", 5),  # 0 mod 11 = 0 → 5, not 11
    ],
)
def test_the_check_digit_and_its_two_special_cases(serial: str, digit: int) -> None:
    assert s10_check_digit(serial) == digit


@pytest.mark.parametrize(
    ("number", "kind", "warned"),
    [
        ("1234567890123", "domestic_ems", False),
        ("9876543210987", "domestic_ems", False),
        ("SF1234567890123", "other", True),
        ("5234567890123", "other", True),  # 13 digits but not an EMS start
        ("EA123456785", "other", True),  # an S10 number missing its country
    ],
)
def test_domestic_numbers_are_checked_for_form_and_warned_not_refused(
    number: str, kind: str, warned: bool
) -> None:
    waybill = check_waybill(number)
    assert waybill.kind == kind and bool(waybill.warning) is warned
