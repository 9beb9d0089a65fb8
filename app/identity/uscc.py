"""Unified social credit codes (统一社会信用代码, GB 32100-2015), with clear refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stdnum.cn.uscc import calc_check_digit

from app.errors import InvalidCreditCode
from app.identity.regions import lookup
from app.identity.resident_id import foreign_digit, normalise

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 登记管理部门代码 (position 1) and 机构类别代码 (position 2), GB 32100-2015 表1.
AUTHORITIES = {
    "1": "机构编制", "5": "民政", "9": "工商", "Y": "其他",
    "2": "外交", "3": "司法行政", "4": "文化", "6": "旅游", "7": "宗教", "8": "工会",
    "A": "中央军委改革和编制办公室", "N": "农业", "G": "中国人民解放军", "L": "律师协会",
}  # fmt: skip
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class CreditCode:
    code: str
    authority: str
    region_code: str
    region: str
    organisation_code: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": True,
            "code": self.code,
            "authority": self.authority,
            "region_code": self.region_code,
            "region": self.region,
            "organisation_code": self.organisation_code,
        }


def _org_check(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def parse_credit_code(text: str) -> CreditCode:
    code = normalise(text)
    hint = "请核对营业执照上的统一社会信用代码后重新输入。"
    if foreign := foreign_digit(code):
        raise InvalidCreditCode(
            f"第{foreign[0]}位“{foreign[1]}”不是阿拉伯数字 0—9（是其他文字的数字）。",
            hint="请用 0—9 和大写字母输入代码（全角字符也可以）。",
        )
    if len(code) != 18:
        raise InvalidCreditCode(f"统一社会信用代码应为18位，现在是{len(code)}位。", hint=hint)
    for position, char in enumerate(code, start=1):
        if char not in ALPHABET:
            raise InvalidCreditCode(
                f"第{position}位“{char}”不是允许的字符（不使用 I、O、Z、S、V）。", hint=hint
            )
    if code[0] not in AUTHORITIES:
        raise InvalidCreditCode(f"第1位登记管理部门代码“{code[0]}”不存在。", hint=hint)
    region_code = code[2:8]
    region = lookup(region_code)
    if not region_code.isdigit() or region is None:
        raise InvalidCreditCode(f"第3—8位登记管理机关行政区划码“{region_code}”无效。", hint=hint)
    expected = calc_check_digit(code)
    if code[17] != expected:
        raise InvalidCreditCode(
            f"第18位校验码应为“{expected}”，现在是“{code[17]}”：代码中可能有抄错的字符。", hint=hint
        )
    organisation = code[8:17]
    if _org_check(organisation[:8]) != organisation[8]:
        raise InvalidCreditCode(
            f"第9—17位组织机构代码“{organisation}”的校验位应为“{_org_check(organisation[:8])}”。",
            hint=hint,
        )
    return CreditCode(code, AUTHORITIES[code[0]], region_code, region.full_name(), organisation)


def is_valid_credit_code(text: str) -> bool:
    try:
        parse_credit_code(text)
    except InvalidCreditCode:
        return False
    return True
