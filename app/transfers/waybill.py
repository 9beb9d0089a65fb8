"""Courier waybill numbers (快递单号) as a back-office clerk types or scans them.

An international postal item number follows the UPU S10 standard: two letters for the service
(E = EMS, R = registered, C = parcel, V = insured …), eight serial digits, a check digit and the
ISO 3166 country code of the post that issued it (EA123456785CN). The check digit is computed
from the serial digits with the weights 8 6 4 2 3 5 9 7: r = sum mod 11, digit = 11 − r, except
r = 1 → 0 and r = 0 → 5. A number of that shape with a wrong digit or an unknown country is
refused, with the reason.

China Post's domestic EMS numbers (13 digits starting with 1, 8 or 9) and other couriers' own
numbers have no published check rule: their form is checked and a doubtful one is accepted with
a warning, never refused — the courier's own system is the judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

from app.errors import InvalidInput

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
DOMESTIC_EMS = re.compile(r"^[189]\d{12}$")
OTHER = re.compile(r"^[A-Z0-9]{8,30}$")  # SF1234567890123, JD…, YT…, plain digits
SERVICES = {"E": "EMS", "R": "挂号", "C": "包裹", "V": "保价", "L": "小包", "U": "非挂号"}


@dataclass(frozen=True)
class Waybill:
    number: str  # normalised: upper case, no spaces or hyphens
    kind: str  # "s10" | "domestic_ems" | "other"
    warning: str = ""  # said to the clerk, not a refusal


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of eight serial digits."""
    if len(serial) != len(WEIGHTS) or not serial.isdigit():
        raise ValueError(f"an S10 serial is eight digits, not {serial!r}")
    remainder = sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True)) % 11
    return {0: 5, 1: 0}.get(remainder, 11 - remainder)


def normalise(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text).upper()


def check_waybill(text: str) -> Waybill:
    """The waybill number, checked: refused (:class:`InvalidInput`) only when it is certainly
    wrong — empty, impossible characters, or an S10 number whose check digit or country is
    wrong; otherwise returned, with a warning when its form is unusual."""
    number = normalise(text)
    if not number:
        raise InvalidInput("请填写快递单号。", hint="单号印在快递面单条码下方，可直接扫码录入。")
    if match := S10.match(number):
        service, serial, digit, country = match.groups()
        expected = s10_check_digit(serial)
        if int(digit) != expected:
            raise InvalidInput(
                f"快递单号 {number} 的校验位不对：按万国邮联 S10 规则第 11 位应为 {expected}，"
                f"现为 {digit}。",
                hint="多半是录入时看错或漏了一位，请对照面单重新录入或扫码。",
            )
        if pycountry.countries.get(alpha_2=country) is None:
            raise InvalidInput(
                f"快递单号 {number} 末尾的国家代码“{country}”不存在。",
                hint="国际邮件单号以两位国家代码结尾，国内邮政为 CN，请核对面单。",
            )
        warning = (
            "" if service[0] in SERVICES else f"单号开头“{service}”不是常见的邮件种类，请核对。"
        )
        return Waybill(number, "s10", warning)
    if DOMESTIC_EMS.match(number):
        return Waybill(number, "domestic_ems")
    if not OTHER.match(number):
        raise InvalidInput(
            f"快递单号“{text.strip()}”含有不能出现在单号中的字符。",
            hint="单号只含字母和数字，请对照面单重新录入或扫码。",
        )
    if number.isdigit() and len(number) == 13:
        warning = "13 位数字的邮政 EMS 单号应以 1、8 或 9 开头，请核对。"
    elif re.match(r"^[A-Z]{2}\d{9}$", number) or re.match(r"^\d{9}[A-Z]{2}$", number):
        warning = "这个单号像国际邮件单号但缺了字母，请核对。"
    else:
        warning = "这家快递的单号没有公开的校验规则，只检查了格式，请再对照面单核对一遍。"
    return Waybill(number, "other", warning)
