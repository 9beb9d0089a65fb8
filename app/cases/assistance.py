"""帮办代办 (GB/T 45836 §7.4.3) and special groups (§7.4.4): how a case was helped, by whom and
for how long, and which special group its applicant belongs to with what the hall offered.

- 帮办 ``bangban``: staff fill in the form and hand in for the applicant, at the window;
- 代办 ``daiban``: an agent applies with the applicant's authorisation — the agent's card is read
  at the window and the case asks for a 授权委托书 (:data:`AUTHORISATION`) besides the scenario's
  materials;
- 陪同办 ``peitong``: staff walk the applicant through (the kiosk, the windows).

A special group is recognised from the card (an applicant 60 or older: 《老年人权益保障法》第二条)
or marked by the clerk (残疾人, 孕妇, 军人军属 — no card says so); the hall offers it 优先办,
陪同办 or 代理办. The record is the case's ``assistance`` (one per case, changed by recording it
again), written to the audit trail and sent to the platform; the reports count it
(:mod:`app.reports.assistance`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from app.cases.audit import Actor, append
from app.cases.outbox import enqueue
from app.cases.payloads import assistance_message
from app.cases.receipts import hall_day
from app.cases.repository import CaseRepository
from app.cases.snapshots import CaseView, Party
from app.errors import InvalidIdNumber, InvalidInput
from app.identity.resident_id import parse_resident_id

MODES = {"bangban": "帮办", "daiban": "代办", "peitong": "陪同办"}
MODE_WORDS = {
    "bangban": "工作人员代为填表、提交",
    "daiban": "代办人持授权委托书代为办理",
    "peitong": "工作人员陪同申请人办理",
}
GROUPS = {"elderly": "老年人", "disabled": "残疾人", "pregnant": "孕妇", "military": "军人军属"}
OFFERS = {"priority": "优先办", "accompany": "陪同办", "proxy": "代理办"}
ELDERLY_AGE = 60  # 《老年人权益保障法》第二条：六十周岁以上的公民
MAX_MINUTES = 600
MAX_NOTE = 200
# The material an agent's case asks for, besides the scenario's own (the agent's card is read).
AUTHORISATION = "agent_authorisation"
AUTHORISATION_NAME = "授权委托书（代办人办理）"


def age_of(party: Party, today: date) -> int | None:
    """A person's age from a resident ID number; None for an enterprise or another document."""
    if party.kind != "person":
        return None
    try:
        return parse_resident_id(party.id_number, today=today).age_on(today)
    except (InvalidInput, InvalidIdNumber):  # a foreigner's permit, a passport: no birth date here
        return None


def recognised(party: Party, today: date) -> tuple[str, ...]:
    """The special groups the card shows: 老年人 from the birth date; only a clerk knows others."""
    age = age_of(party, today)
    return ("elderly",) if age is not None and age >= ELDERLY_AGE else ()


def group_words(party: Party, today: date, groups: Sequence[str] = ()) -> str:
    """For the applicant panel: "老年人（72 岁）：可优先办、陪同办、代理办"; "" for none."""
    shown = list(dict.fromkeys((*recognised(party, today), *groups)))
    if not shown:
        return ""
    age = age_of(party, today)
    names = "、".join(
        f"{GROUPS[g]}（{age} 岁）" if g == "elderly" and age is not None else GROUPS[g]
        for g in shown
    )
    return f"{names}：可{'、'.join(OFFERS.values())}"


def describe(assistance: dict[str, Any] | None) -> str:
    """One line for the case's timeline and the documents; "" when the case was not helped."""
    if not assistance:
        return ""
    parts = []
    mode = assistance.get("mode")
    if mode:
        helper = assistance.get("helper") or ""
        minutes = assistance.get("minutes")
        parts.append(
            f"{MODES[mode]}"
            + (f"（{helper}" if helper else "（")
            + (f"，{minutes} 分钟）" if minutes else "）")
        )
    groups = assistance.get("groups") or []
    if groups:
        parts.append("特殊群体：" + "、".join(GROUPS[g] for g in groups))
    offered = assistance.get("offered") or []
    if offered:
        parts.append("提供：" + "、".join(OFFERS[o] for o in offered))
    return "；".join(parts).replace("（）", "")


def receipt_words(assistance: dict[str, Any] | None) -> str:
    """The line the applicant's receipt carries: how the hall helped and what it offered —
    without the minutes (the hall's figure) or the groups (not for paper that travels)."""
    if not assistance:
        return ""
    parts = []
    mode = assistance.get("mode")
    if mode in MODES:
        helper = assistance.get("helper") or ""
        parts.append(
            f"{MODES[mode]}（{MODE_WORDS[mode]}" + (f"，{helper}" if helper else "") + "）"
        )
    offered = [OFFERS[o] for o in assistance.get("offered") or () if o in OFFERS]
    if offered:
        parts.append("本中心提供" + "、".join(offered))
    return "；".join(parts)


def record_of(
    actor: Actor,
    now: datetime,
    *,
    mode: str = "",
    helper: str = "",
    minutes: int | None = None,
    groups: Sequence[str] = (),
    by_card: Sequence[str] = (),
    offered: Sequence[str] = (),
    note: str = "",
) -> dict[str, Any]:
    """The stored record (``cases.assistance``), as the platform and the reports read it."""
    return {
        "mode": mode or None,
        "helper": helper.strip() if mode else "",
        "minutes": minutes if mode else None,
        "groups": list(groups),
        "recognised": "card" if by_card else ("clerk" if groups else None),
        "offered": list(dict.fromkeys(offered)),
        "note": note.strip(),
        "at": now.isoformat(),
        "by": actor.name,
    }


def from_card(actor: Actor, applicant: Party, now: datetime) -> dict[str, Any] | None:
    """The record a case starts with when the card shows a special group (an applicant 60 or
    older), so the reports count every such applicant, not only those a clerk marked; None
    for anyone else."""
    by_card = recognised(applicant, hall_day(now))
    return record_of(actor, now, groups=by_card, by_card=by_card) if by_card else None


def checked(
    case: CaseView,
    *,
    mode: str,
    helper: str,
    minutes: int | None,
    groups: Sequence[str],
    offered: Sequence[str],
    note: str,
) -> None:
    """Every refusal in Chinese, saying what to change; nothing is stored when one applies."""
    if mode and mode not in MODES:
        raise InvalidInput(f"服务方式“{mode}”不对。", hint=f"可选：{'、'.join(MODES.values())}。")
    unknown = [g for g in groups if g not in GROUPS] + [o for o in offered if o not in OFFERS]
    if unknown:
        raise InvalidInput(f"不认识的选项：{'、'.join(unknown)}。", hint="请在列表中选择。")
    if mode in ("bangban", "peitong") and not helper.strip():
        raise InvalidInput(f"{MODES[mode]}须写明提供帮助的工作人员。", hint="请填写工作人员姓名。")
    if mode == "daiban" and case.agent is None:
        raise InvalidInput(
            "代办须有代办人：本办件没有登记代办人。",
            hint="请在“申请人”一步勾选代办人并读代办人的身份证，再登记代办。",
        )
    if mode and (minutes is None or not 1 <= minutes <= MAX_MINUTES):
        raise InvalidInput(
            f"请填写帮办代办用时（1—{MAX_MINUTES} 分钟）。",
            hint="从接待申请人到办完窗口环节的时间。",
        )
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            f"说明最多 {MAX_NOTE} 字，现在 {len(note)} 字。", hint="请精简后再保存。"
        )
    if not mode and not groups and not offered:
        raise InvalidInput(
            "没有要登记的内容。", hint="请选择服务方式，或勾选特殊群体及提供的服务。"
        )


class Assisting:
    """Records 帮办代办 and special groups on a case, with its audit entry and platform message."""

    def __init__(self, repository: CaseRepository, *, clock: Callable[[], datetime]) -> None:
        self.repository = repository
        self.clock = clock

    def record(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        mode: str = "",
        helper: str = "",
        minutes: int | None = None,
        groups: Sequence[str] = (),
        offered: Sequence[str] = (),
        note: str = "",
    ) -> CaseView:
        """The case's 帮办代办 and special-group record (replacing an earlier one); groups the
        card shows are always included, and marked as recognised from the card."""
        now = self.clock()
        case = self.repository.get(receipt_no)
        if case.state == "withdrawn" or case.purged_at is not None:
            raise InvalidInput(f"办件 {receipt_no} 已撤回或已清除个人信息，不能再登记帮办代办。")
        by_card = recognised(case.applicant, hall_day(now))
        groups = list(dict.fromkeys((*by_card, *groups)))
        checked(
            case,
            mode=mode,
            helper=helper,
            minutes=minutes,
            groups=groups,
            offered=offered,
            note=note.strip(),
        )
        record = record_of(
            actor,
            now,
            mode=mode,
            helper=helper,
            minutes=minutes,
            groups=groups,
            by_card=by_card,
            offered=offered,
            note=note,
        )
        with self.repository.db.transaction() as session:
            row = self.repository.case(session, receipt_no)
            before = row.assistance
            row.assistance = record
            row.updated_at = now
            append(
                session,
                actor,
                "assist",
                case_id=row.id,
                receipt_no=receipt_no,
                before={"assistance": before},
                after={"assistance": record},
                at=now,
            )
            if row.state != "draft":  # a draft's goes with its decision (payloads.announcement)
                enqueue(session, row, "assistance", assistance_message(receipt_no, record), at=now)
            return CaseView.of(row)
