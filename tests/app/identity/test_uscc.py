from __future__ import annotations

import pytest

from app.errors import InvalidCreditCode
from app.identity.uscc import parse_credit_code

# Real codes published online (python-stdnum's test data).
REAL = [
    "121200004013590816",
    "911522010783762860",
    "91152201078377449P",
    "91310112087994932F",
    "91310115MA1K3BTP2B",
    "913101203509708598",
    "91340600MA2PBM9HXD",
    "91340621MA2PEMUHX8",
]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code: str) -> None:
    result = parse_credit_code(code)
    assert result.code == code
    assert result.region


def test_details() -> None:
    result = parse_credit_code("91310115MA1K3BTP2B")
    assert result.authority == "工商"
    assert result.region_code == "310115"
    assert "浦东新区" in result.region


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("9131011", "应为18位"),
        ("91310115MA1K3BTP2I", "第18位“I”不是允许的字符"),
        ("91310115MA1K3BTP2C", "第18位校验码应为“B”"),
        ("Z1310115MA1K3BTP2B", "第1位“Z”不是允许的字符"),
        ("C1310115MA1K3BTP2B", "第1位登记管理部门代码“C”不存在"),
        ("91999999MA1K3BTP2B", "行政区划码“999999”无效"),
    ],
)
def test_refusals(code: str, expected: str) -> None:
    with pytest.raises(InvalidCreditCode) as info:
        parse_credit_code(code)
    assert expected in info.value.message
