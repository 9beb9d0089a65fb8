from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn.ric import calc_check_digit

from app.errors import InvalidIdNumber
from app.identity.resident_id import parse_resident_id

TODAY = date(2026, 11, 23)


def make(body17: str) -> str:
    return body17 + calc_check_digit(body17 + "0")


def refuse(number: str) -> str:
    with pytest.raises(InvalidIdNumber) as info:
        parse_resident_id(number, today=TODAY)
    return info.value.message


def test_reference_example_is_valid() -> None:
    rid = parse_resident_id("11010519491231002X", today=TODAY)
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "女"  # sequence 002 is even
    assert rid.region_name == "北京市朝阳区"
    assert rid.age_on(TODAY) == 76
    assert rid.kind == "resident"


def test_lower_case_x_spaces_and_full_width_digits_are_accepted() -> None:
    assert parse_resident_id(" 110105 19491231 002x").number == "11010519491231002X"
    assert parse_resident_id("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


def test_age_turns_on_the_birthday() -> None:
    rid = parse_resident_id(make("43010419920315204"), today=TODAY)
    assert rid.age_on(date(2026, 3, 14)) == 33
    assert rid.age_on(date(2026, 3, 15)) == 34


def test_historical_region_names_follow_the_birth_year() -> None:
    # 430102 was 长沙市东区 until 1995 and has been 芙蓉区 since 1996.
    old = parse_resident_id(make("43010219900607301"), today=TODAY)
    assert old.region_name == "湖南省长沙市东区"
    assert old.to_dict(TODAY)["region_current"] == "湖南省长沙市芙蓉区"


def test_a_county_created_after_the_birth_is_still_accepted() -> None:
    # 110112 通州区 exists since 1997; a person born in 1960 who moved there got such a number.
    rid = parse_resident_id(make("11011219600101001"), today=TODAY)
    assert rid.region is not None and rid.region.county() == "通州区"


def test_residence_permits_of_hong_kong_macao_and_taiwan() -> None:
    for code, label in (("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")):
        rid = parse_resident_id(make(code + "19800101001"), today=TODAY)
        assert rid.kind != "resident"
        assert label in rid.region_name


def test_fifteen_digit_numbers_are_converted() -> None:
    rid = parse_resident_id("110105491231002", today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.converted_from == "110105491231002"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("", "没有输入"),
        ("1101051949123100", "应为18位"),
        ("11010519491231002XX", "现在是19位"),
        ("1101051949123100A2", "第17位应为数字"),
        ("11010519491231002Y", "第18位校验码只能是数字或X"),
        ("999999194912310021", "前6位地址码“999999”"),
        ("110105194913310021", "出生日期“19491331”不是有效日期"),
        ("110105199902300021", "出生日期“19990230”"),
        ("11010519491231002A", "第18位校验码只能是数字或X"),
        ("110105491231A02", "第13位是“A”"),
    ],
)
def test_refusals_say_which_part_is_wrong(number: str, expected: str) -> None:
    assert expected in refuse(number)


def test_wrong_check_digit_names_the_right_one() -> None:
    message = refuse("110105194912310021")
    assert "第18位校验码应为“X”" in message and "现在是“1”" in message


def test_birth_date_in_the_future_is_refused() -> None:
    assert "晚于今天" in refuse(make("11010520270101001"))


def test_error_has_a_hint_what_to_do() -> None:
    with pytest.raises(InvalidIdNumber) as info:
        parse_resident_id("123")
    assert "请" in info.value.hint


bodies = st.builds(
    lambda region, d, seq: region + d.strftime("%Y%m%d") + f"{seq:03d}",
    st.sampled_from(["110105", "430104", "440106", "310115", "810000"]),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@given(bodies)
def test_any_number_with_its_check_digit_is_valid(body: str) -> None:
    rid = parse_resident_id(make(body), today=TODAY)
    assert rid.sex == ("男" if int(body[16]) % 2 else "女")


@given(bodies, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=9))
def test_every_single_digit_error_is_caught(body: str, position: int, delta: int) -> None:
    number = make(body)
    chars = list(number)
    if chars[position] == "X":
        chars[position] = str(delta)
    else:
        chars[position] = str((int(chars[position]) + delta) % 10)
    with pytest.raises(InvalidIdNumber):
        parse_resident_id("".join(chars), today=TODAY)
