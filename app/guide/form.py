"""Validation of the merged form's values, by field type, with messages a person can act on.

The counter app and the kiosk call :func:`check_value` as a person types and :func:`check_form`
before a case is saved; both return normalised values, so that what is stored is comparable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from stdnum import luhn

from app.errors import InvalidCreditCode, InvalidIdNumber, InvalidInput
from app.guide.plan import PlanField
from app.identity.resident_id import checked_number
from app.identity.uscc import parse_credit_code

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
DEFAULT_TEXT_LIMIT = 200


@dataclass(frozen=True)
class FieldRule:
    """What a value must look like: the parts of a form field that validation needs."""

    label: str
    type: str
    options: tuple[str, ...] = ()
    required: bool = True
    max_length: int | None = None

    @classmethod
    def of(cls, field: PlanField) -> FieldRule:
        return cls(field.label, field.type, field.options, field.required, field.max_length)


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    return re.sub(r"\s+", " ", text)


def check_value(rule: FieldRule, raw: str, *, today: date | None = None) -> str:
    """The normalised value, or :class:`InvalidInput` naming the field and what to fix."""
    value = _clean(raw)
    label = rule.label
    if not value:
        if rule.required:
            raise InvalidInput(f"“{label}”必须填写。")
        return ""
    kind = rule.type
    if kind == "phone":
        digits = value.replace(" ", "").removeprefix("+86").removeprefix("0086")
        if _MOBILE.match(digits) or _LANDLINE.match(digits):
            return digits
        raise InvalidInput(
            f"“{label}”不是有效的电话号码。",
            hint="手机号为1开头的11位数字；固定电话写成 0731-88665266。",
        )
    if kind == "id_number":
        try:
            return checked_number(value, today)
        except InvalidIdNumber as exc:
            raise InvalidInput(f"“{label}”有误：{exc.message}", hint=exc.hint) from None
    if kind == "uscc":
        try:
            return parse_credit_code(value).code
        except InvalidCreditCode as exc:
            raise InvalidInput(f"“{label}”有误：{exc.message}", hint=exc.hint) from None
    if kind == "bank_account":
        return _bank_account(label, value)
    if kind == "date":
        return _date(label, value).isoformat()
    if kind == "number":
        compact = value.replace(",", "").replace(" ", "")
        if not _NUMBER.match(compact):
            raise InvalidInput(f"“{label}”应为数字，现在是“{value}”。")
        return compact
    if kind == "enum":
        # the option as the catalog writes it, matched as typed values are read (NFKC: an option
        # with full-width brackets is chosen by its half-width form, and saved as written)
        chosen = next((o for o in rule.options if _clean(o) == value), None)
        if chosen is None:
            raise InvalidInput(f"“{label}”只能选：{'、'.join(rule.options)}。")
        return chosen
    limit = rule.max_length or DEFAULT_TEXT_LIMIT
    if len(value) > limit:
        raise InvalidInput(f"“{label}”最多{limit}个字，现在是{len(value)}个字。")
    return value


def _bank_account(label: str, value: str) -> str:
    digits = unicodedata.normalize("NFKC", value).replace(" ", "").replace("-", "")
    if not (digits.isascii() and digits.isdigit()):  # ٣ or ३ would pass isdigit() alone
        raise InvalidInput(f"“{label}”只能包含数字。", hint="请照银行卡或存折上的账号填写。")
    if not 10 <= len(digits) <= 30:
        raise InvalidInput(
            f"“{label}”位数不对（{len(digits)}位）。", hint="银行账号一般为10至30位数字。"
        )
    # Bank cards (16–19 digits) carry a Luhn check digit (ISO/IEC 7812); other accounts need not.
    if 16 <= len(digits) <= 19 and not luhn.is_valid(digits):
        raise InvalidInput(
            f"“{label}”校验不通过：卡号中可能有抄错的数字。", hint="请对照银行卡逐位核对。"
        )
    return digits


def _date(label: str, value: str) -> date:
    match = _DATE.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif value.isdigit() and len(value) == 8:
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    else:
        raise InvalidInput(f"“{label}”应为日期，如 2026-01-31。")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(f"“{label}”的日期“{value}”不存在。") from None


def check_form(
    fields: tuple[PlanField, ...], values: Mapping[str, str], *, today: date | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Normalised values and, per field key, the message for each value that is not acceptable.

    Prefilled values count as given. Nothing is dropped: keys the plan does not ask for are kept
    as they were, so an answer change that hides a field loses none of what was typed.
    """
    cleaned: dict[str, str] = dict(values)
    problems: dict[str, str] = {}
    for field in fields:
        raw = values.get(field.key, field.value or "")
        try:
            cleaned[field.key] = check_value(FieldRule.of(field), raw, today=today)
        except InvalidInput as exc:
            problems[field.key] = str(exc)
    return cleaned, problems
