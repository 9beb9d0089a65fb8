"""Checks on what a person gives the case service, each failing with a Chinese message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.cases.snapshots import MaterialView, Party
from app.cases.states import SATISFIED
from app.errors import InvalidInput
from app.identity.resident_id import checked_number, is_foreign_permanent_2017
from app.identity.uscc import parse_credit_code

ACTIVE_PLAN_STATUSES = ("submit", "tolerable", "commitment")  # handed in by the applicant
CHANNELS = {"counter": "综合窗口", "kiosk": "自助终端", "online": "网上预申请"}
EVALUATION_CHANNELS = {
    "hall_pad": "大厅平板",
    "kiosk": "大厅其他终端",
    "pc": "电脑端",
    "mobile": "移动端",
    "qr": "二维码",
    "phone": "电话",
    "sms": "短信",
}
# 《行政许可法》第三十二条第一款: the grounds a window may not accept on.
NOT_ACCEPTED_GROUNDS = {
    "1": "申请事项依法不需要取得行政许可（第三十二条第一款第（一）项）",
    "2": "申请事项依法不属于本行政机关职权范围（第三十二条第一款第（二）项）",
    "4": "申请材料不齐全或者不符合法定形式，需补正（第三十二条第一款第（四）项）",
}
DELIVERY_METHODS = {"pickup": "窗口领取", "mail": "邮寄", "electronic": "电子送达"}


def checked_id(party: Party, today: date) -> tuple[str, str]:
    """The party's id type and its number in normal form; a wrong number is refused."""
    if not party.name.strip():
        raise InvalidInput("申请人姓名（名称）不能为空。", hint="请读取身份证或输入姓名后再试。")
    if party.kind == "enterprise":
        return "uscc", parse_credit_code(party.id_number).code
    if party.kind != "person":
        raise InvalidInput(f"申请人类型“{party.kind}”不对，应为个人或企业。")
    number = checked_number(party.id_number, today)
    # a 2017 foreigner's card: its number encodes no birth date and no published check digit
    return ("foreign_2017" if is_foreign_permanent_2017(number) else "resident_id"), number


def check_not_accepted(
    ground: str, reasons: Sequence[str], supplement: Sequence[str], office: str
) -> None:
    if ground not in NOT_ACCEPTED_GROUNDS:
        raise InvalidInput(
            f"不予受理的依据“{ground}”不对。",
            hint="请选择第三十二条第一款第（一）、（二）或（四）项。",
        )
    if not any(r.strip() for r in reasons):
        raise InvalidInput("不予受理必须写明理由。", hint="请至少填写一条理由，它会印在通知书上。")
    if ground == "2" and not office.strip():
        raise InvalidInput(
            "依第（二）项不予受理时，必须告知申请人向哪个机关申请。",
            hint="请填写有权受理的机关或渠道。",
        )
    if ground == "4" and not supplement:
        raise InvalidInput(
            "材料不齐全需补正时，必须一次列出所有要补正的材料。",
            hint="请在材料清单中勾选需补正的材料。",
        )


def check_delivery(
    method: str,
    *,
    recipient: str,
    phone: str,
    address: str,
    tracking_no: str,
    signature: str | None,
    note: str,
) -> None:
    if method not in DELIVERY_METHODS:
        raise InvalidInput(f"送达方式“{method}”不对。", hint="请选择窗口领取、邮寄或电子送达。")
    if method == "pickup" and not recipient.strip():
        raise InvalidInput("窗口领取必须登记领取人姓名。")
    if method == "pickup" and not signature and not note.strip():
        raise InvalidInput(
            "窗口领取必须有领取人签名。", hint="请让领取人在签名板上签名，或在纸上签字后扫描。"
        )
    if method == "mail":
        given = (
            ("收件人", recipient),
            ("收件人电话", phone),
            ("邮寄地址", address),
            ("快递单号", tracking_no),
        )
        missing = [name for name, value in given if not value.strip()]
        if missing:
            raise InvalidInput(f"邮寄送达缺少：{'、'.join(missing)}。", hint="请补全后再登记。")
    if method == "electronic" and not note.strip():
        raise InvalidInput("电子送达必须写明送达到哪里（如“湘易办 电子证照库”）。")


def commitment_refusal(materials: Sequence[MaterialView]) -> str:
    """Why 容缺受理 cannot be chosen for these materials ("" when it can): nothing is missing,
    or something missing may not follow on a promise. The decision checks the same again."""
    missing = [
        m for m in materials if m.plan_status in ACTIVE_PLAN_STATUSES and m.status not in SATISFIED
    ]
    if not missing:
        return "材料已齐全，不需要容缺：请直接受理。"
    fixed = [m.name for m in missing if m.plan_status not in ("tolerable", "commitment")]
    if fixed:
        return (
            f"{'、'.join(fixed)}不能容缺：请先收取；申请人无法提供时，请选择“不予受理”"
            "并一次性告知需补正的材料。"
        )
    return ""


def check_level(level: int, channel: str) -> None:
    if not 1 <= level <= 5:
        raise InvalidInput(f"评价等级 {level} 不对，应为 1（非常不满意）到 5（非常满意）。")
    if channel not in EVALUATION_CHANNELS:
        raise InvalidInput(
            f"评价渠道“{channel}”不对。", hint=f"可选：{'、'.join(EVALUATION_CHANNELS.values())}。"
        )
