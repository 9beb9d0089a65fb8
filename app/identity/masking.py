"""Personal data on screens and slips others may see (a kiosk, a ticket left on a counter): names
and numbers masked the same way everywhere — 张*三, 李*, 1101**********002X, 138****8000."""

from __future__ import annotations

import re

STAR = "*"


def mask_name(name: str) -> str:
    """The first and the last character stay (张*三, 欧**华); a two-character name keeps its
    family name (李*); one character stays as it is."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + STAR
    return name[0] + STAR * (len(name) - 2) + name[-1]


def mask_number(number: str, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """An ID number or a credit code: the region or registration office and the last digits
    stay (1101**********002X). A shorter number shows less: at most a quarter at the start and a
    third at the end, so at least half of it is always hidden."""
    number = number.strip()
    size = len(number)
    start = min(keep_start, size // 4)
    end = min(keep_end, max(1, size // 3), (size + 1) // 2 - start) if size > 1 else 0
    return number[:start] + STAR * (size - start - end) + number[size - end :]


def mask_phone(phone: str) -> str:
    """138****8000; a fixed line keeps its last four digits."""
    digits = phone.strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + STAR * 4 + digits[-4:]
    return mask_number(digits, keep_start=0, keep_end=4)


# In free text (log lines, URLs): resident ID numbers (18 digits or 17 and X; 15 old digits) and
# bank cards (16-19 digits), unified social credit codes, mobile numbers.
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15,19})(?![\dXx])")
_CREDIT_CODE = re.compile(
    r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])"
)
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_text(text: str) -> str:
    """Every ID number, credit code, bank card and mobile number in ``text`` masked the same way
    as on screens, so a log line still tells which record it was about without holding it."""
    text = _LONG_NUMBER.sub(lambda m: mask_number(m.group()), text)
    text = _CREDIT_CODE.sub(lambda m: mask_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


NUMBER_KINDS = frozenset({"id_number", "uscc", "bank_account"})


PERSON_LABELS = ("姓名", "收件人")  # 姓名 names a person (an organisation has a 名称)


def mask_value(kind: str, value: str, label: str = "") -> str:
    """A form value as a screen others may see shows it, by its field type: ID numbers, credit
    codes and bank accounts by :func:`mask_number`, phone numbers by :func:`mask_phone`, a
    person's name (its label ends in 姓名) by :func:`mask_name`; other values as they are."""
    if not value:
        return value
    if kind in NUMBER_KINDS:
        return mask_number(value)
    if kind == "phone":
        return mask_phone(value)
    if label.endswith(PERSON_LABELS):
        return mask_name(value)
    return value
