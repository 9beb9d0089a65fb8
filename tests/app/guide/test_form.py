from __future__ import annotations

from datetime import date

import pytest

from app.errors import InvalidInput
from app.guide.engine import Planner
from app.guide.form import FieldRule, check_form, check_value

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("phone", "138 0013 8000", "13800138000"),
        ("phone", "+8613800138000", "13800138000"),
        ("phone", "0731-88665266", "0731-88665266"),
        ("id_number", "11010519491231002x", "11010519491231002X"),
        ("uscc", "91310115ma1k3btp2b", "91310115MA1K3BTP2B"),
        ("bank_account", "6222 0212 3456 7890 128", "6222021234567890128"),
        ("bank_account", "43050178360100000123", "43050178360100000123"),
        ("date", "2026年1月5日", "2026-01-05"),
        ("date", "2026/01/05", "2026-01-05"),
        ("date", "20260105", "2026-01-05"),
        ("number", "1,200.50", "1200.50"),
        ("text", "  张　三 ", "张 三"),
        ("enum", "男", "男"),
    ],
)
def test_values_are_normalised(kind: str, raw: str, expected: str) -> None:
    rule = FieldRule("字段", kind, options=("男", "女"))
    assert check_value(rule, raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("phone", "12345", "不是有效的电话号码"),
        ("id_number", "110105194912310021", "第18位校验码应为“X”"),
        ("uscc", "91310115MA1K3BTP2C", "第18位校验码应为“B”"),
        ("bank_account", "6222021234567890123", "校验不通过"),
        ("bank_account", "6222abc", "只能包含数字"),
        ("date", "2026-02-30", "不存在"),
        ("date", "昨天", "应为日期"),
        ("number", "三", "应为数字"),
        ("enum", "未知", "只能选：男、女"),
    ],
)
def test_bad_values_name_the_field_and_the_fix(kind: str, raw: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_value(FieldRule("联系电话", kind, options=("男", "女")), raw, today=TODAY)
    assert "“联系电话”" in info.value.message and message in info.value.message


def test_required_and_length() -> None:
    with pytest.raises(InvalidInput, match="必须填写"):
        check_value(FieldRule("姓名", "text"), "  ")
    assert check_value(FieldRule("备注", "text", required=False), "") == ""
    with pytest.raises(InvalidInput, match="最多3个字"):
        check_value(FieldRule("姓名", "text", max_length=3), "欧阳娜娜娜")


def test_check_form_on_a_plan(planner: Planner) -> None:
    answers = {
        "within_six_months": "yes",
        "province_facility": "yes",
        "hukou": "yes",
        "marriage": "yes",
        "same_ethnicity": "yes",
        "applicant": "mother",
        "reimbursement": "no",
        "photo": "no",
    }
    plan = planner.plan("43PCN0009", answers, {"id_card.name": "李芳"})
    values = {"applicant.phone": "13800138000", "other_parent.id_number": "123", "stray": "kept"}
    cleaned, problems = check_form(plan.fields, values, today=TODAY)
    assert cleaned["applicant.name"] == "李芳"  # prefilled counts as given
    assert cleaned["stray"] == "kept"
    assert "other_parent.id_number" in problems and "applicant.phone" not in problems
    assert "“新生儿姓名”必须填写" in problems["newborn.name"]
    assert "delivery.address" not in problems  # optional


def test_an_option_with_full_width_brackets_can_be_chosen_and_is_saved_as_written() -> None:
    """Typed values are read as NFKC; the options must be matched the same way, or an option
    the catalog writes with （） could never be chosen."""
    rule = FieldRule("合同期限", "enum", options=("固定期限（有终止日期）", "无固定期限"))
    for typed in ("固定期限（有终止日期）", "固定期限(有终止日期)", " 固定期限（有终止日期） "):
        assert check_value(rule, typed) == "固定期限（有终止日期）"
    with pytest.raises(InvalidInput, match="只能选"):
        check_value(rule, "固定期限")
