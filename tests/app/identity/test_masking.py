"""Masking on screens and slips others may see."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.identity.masking import mask_name, mask_number, mask_phone


def test_the_forms_the_hall_uses() -> None:
    assert mask_name("张小三") == "张*三"
    assert mask_name("李芳") == "李*"
    assert mask_name("欧阳建华") == "欧**华"
    assert mask_name("一") == "一"
    assert mask_number("11010519491231002X") == "1101**********002X"
    assert mask_number("91430100MA4L0XXXX7") == "9143**********XXX7"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0731-88888888") == "*********8888"


@given(st.text(min_size=3, max_size=30).map(str.strip).filter(lambda t: len(t) >= 3))
def test_a_masked_name_never_shows_its_middle(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name) and masked[1:-1] == "*" * (len(name) - 2)


@given(st.text(alphabet="0123456789X", min_size=1, max_size=20))
def test_a_masked_number_hides_at_least_half(number: str) -> None:
    masked = mask_number(number)
    assert len(masked) == len(number)
    assert masked.count("*") >= len(number) // 2


def test_form_values_by_their_type() -> None:
    from app.identity.masking import mask_value

    assert mask_value("id_number", "11010519491231002X") == "1101**********002X"
    assert mask_value("bank_account", "6222021234567890128") == "6222***********0128"
    assert mask_value("phone", "13800138000") == "138****8000"
    assert mask_value("uscc", "91350100M000100Y43") == "9135**********0Y43"
    assert mask_value("text", "长沙市岳麓区") == "长沙市岳麓区"
    assert mask_value("id_number", "") == ""
    assert mask_value("text", "赵秀英", "申请人姓名") == "赵*英"  # 姓名: a person's name
    assert mask_value("text", "王小明", "另一方（父亲或母亲）姓名") == "王*明"
    assert mask_value("text", "中国工商银行", "开户银行") == "中国工商银行"
