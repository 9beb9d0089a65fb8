"""Resident ID numbers (GB 11643-1999): check digit, birth date, sex, age and region.

Every refusal says which digits are wrong and what to do, in Chinese. 15-digit numbers of the first
generation are converted to 18 digits (the century "19" inserted and the check digit computed).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pycountry
from stdnum.cn.ric import calc_check_digit

from app.errors import InvalidIdNumber
from app.identity.masking import mask_number
from app.identity.regions import Region, lookup, province_names

Kind = Literal["resident", "hk_permit", "macao_permit", "taiwan_permit", "foreign_permanent"]

# Residence permits for Hong Kong, Macao and Taiwan residents (国办发〔2018〕81号) use these address
# codes; 830000 is not a GB/T 2260 division.
PERMITS: dict[str, tuple[Kind, str]] = {
    "810000": ("hk_permit", "港澳台居民居住证（香港）"),
    "820000": ("macao_permit", "港澳台居民居住证（澳门）"),
    "830000": ("taiwan_permit", "港澳台居民居住证（台湾）"),
}
# The 2023 外国人永久居留身份证 (公安部公告, 2023-12-01) numbers like a resident ID: "9", the
# accepting province (2 digits), the nationality (ISO 3166-1 numeric, 3 digits), the birth date,
# a sequence whose last digit is odd for men, and the same MOD 11-2 check digit.
FOREIGN_PERMANENT = "9"
KIND_LABELS: dict[Kind, str] = {
    "resident": "居民身份证",
    **{kind: label for kind, label in PERMITS.values()},
    "foreign_permanent": "外国人永久居留身份证",
}
EARLIEST_BIRTH_YEAR = 1890


@dataclass(frozen=True)
class ResidentId:
    number: str
    kind: Kind
    region_code: str
    region: Region | None
    birth_date: date
    sex: Literal["男", "女"]
    converted_from: str = ""

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def region_name(self) -> str:
        if self.kind != "resident":
            return KIND_LABELS[self.kind]
        assert self.region is not None
        return self.region.full_name(self.birth_date.year)

    def masked(self) -> str:
        """For screens where the person in front is not entitled to the whole number."""
        return mask_number(self.number)

    def to_dict(self, today: date) -> dict[str, Any]:
        current = self.region.full_name() if self.region else self.region_name
        return {
            "valid": True,
            "number": self.number,
            "kind": self.kind,
            "kind_label": KIND_LABELS[self.kind],
            "converted_from": self.converted_from or None,
            "region_code": self.region_code,
            "region": self.region_name,
            "region_current": current,
            "province_code": self.region_code[:2] + "0000",
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "age": self.age_on(today),
        }


def normalise(text: str) -> str:
    """Full-width digits and letters, spaces and a lower-case x are what people type."""
    if text.isascii():
        cleaned = text.replace(" ", "").replace("-", "")
    else:
        cleaned = "".join(unicodedata.normalize("NFKC", text).split()).replace("-", "")
    return cleaned.upper()


ASCII_DIGITS = frozenset("0123456789")


def foreign_digit(text: str) -> tuple[int, str] | None:
    """The first digit of another script (Arabic-Indic ٣, Devanagari ३, Thai ๓ …) left after NFKC:
    Python's ``isdigit`` and ``int`` take them, but a number stored with them is never found again
    by a search for the real number."""
    for position, char in enumerate(text, start=1):
        if char.isdigit() and char not in ASCII_DIGITS:
            return position, char
    return None


def _refuse(message: str, hint: str = "请核对证件上的号码后重新输入。") -> InvalidIdNumber:
    return InvalidIdNumber(message, hint=hint)


def parse_resident_id(text: str, *, today: date | None = None) -> ResidentId:
    """Parse and check an ID number; raise :class:`InvalidIdNumber` saying what is wrong."""
    number = normalise(text)
    converted_from = ""
    if not number:
        raise _refuse("没有输入身份证号码。", "请输入18位公民身份号码，或刷身份证。")
    if foreign := foreign_digit(number):
        raise _refuse(
            f"第{foreign[0]}位“{foreign[1]}”不是阿拉伯数字 0—9（是其他文字的数字）。",
            "请用 0—9 输入号码（全角数字也可以），或刷身份证。",
        )
    if len(number) == 15:
        if not set(number) <= ASCII_DIGITS:
            position = next(i for i, c in enumerate(number) if c not in ASCII_DIGITS) + 1
            raise _refuse(f"15位旧身份证号码只能是数字，第{position}位是“{number[position - 1]}”。")
        converted_from = number
        body = number[:6] + "19" + number[6:]
        number = body + calc_check_digit(body + "0")
    if len(number) != 18:
        raise _refuse(f"公民身份号码应为18位（旧号码为15位），现在是{len(number)}位。")
    for position, char in enumerate(number[:17], start=1):
        if char not in ASCII_DIGITS:
            raise _refuse(f"第{position}位应为数字，现在是“{char}”。")
    check = number[17]
    if not (check in ASCII_DIGITS or check == "X"):
        raise _refuse(f"第18位校验码只能是数字或X，现在是“{check}”。")

    code = number[:6]
    kind: Kind = "resident"
    region = None
    if code in PERMITS:
        kind = PERMITS[code][0]
    elif is_foreign_permanent_code(code):
        kind = "foreign_permanent"
    else:
        region = lookup(code)
        if region is None:
            raise _refuse(
                f"前6位地址码“{code}”不是有效的行政区划代码（GB/T 2260）。",
                "请核对号码开头的6位数字。",
            )

    digits = number[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _refuse(f"第7—14位出生日期“{digits}”不是有效日期。") from None
    today = today or date.today()
    if born > today:
        raise _refuse(f"第7—14位出生日期 {born.isoformat()} 晚于今天。")
    if born.year < EARLIEST_BIRTH_YEAR:
        raise _refuse(f"第7—14位出生日期 {born.isoformat()} 早于{EARLIEST_BIRTH_YEAR}年。")

    expected = calc_check_digit(number)
    if check != expected:
        raise _refuse(
            f"第18位校验码应为“{expected}”，现在是“{check}”：号码中可能有抄错或顺序颠倒的数字。"
        )
    sex: Literal["男", "女"] = "男" if int(number[16]) % 2 else "女"
    return ResidentId(number, kind, code, region, born, sex, converted_from)


def is_foreign_permanent_code(code: str) -> bool:
    """The first six digits of a 2023 外国人永久居留身份证: 9, a province, a nationality."""
    return (
        code.startswith(FOREIGN_PERMANENT)
        and code[1:3] + "0000" in province_names()
        and pycountry.countries.get(numeric=code[3:6]) is not None
    )


def is_foreign_permanent_2017(text: str) -> bool:
    """A 2017 外国人永久居留身份证 number: the holder's nationality (ISO 3166-1 alpha-3) and 12
    digits. It carries no check digit anyone publishes; the card's own chip is the proof."""
    number = normalise(text)
    if len(number) != 15 or not number[3:].isascii() or not number[3:].isdigit():
        return False
    return pycountry.countries.get(alpha_3=number[:3]) is not None


def is_valid_resident_id(text: str) -> bool:
    try:
        parse_resident_id(text)
    except InvalidIdNumber:
        return False
    return True


def checked_number(text: str, today: date | None = None) -> str:
    """A person's ID number in normal form: a resident ID number (or a residence permit's, or a
    2023 foreigner's card) checked digit by digit, or a 2017 foreigner's card number checked for
    its form; anything else is refused saying what is wrong."""
    if is_foreign_permanent_2017(text):
        return normalise(text)
    return parse_resident_id(text, today=today).number
