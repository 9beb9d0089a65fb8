"""The back office of a demo hall, after :func:`app.cases.demo.seed_cases`: papers sent in
batches to their departments (by courier with valid S10 waybills, or picked up by a named person
who signed), most batches signed for, departments' decisions, results and returned originals
checked in at the window, most of them handed over — and the applicants' ratings, a few of them
差评 whose work items are called back, verified and rectified. Everything goes through the real
services (so the audit trail and the custody events are as a hall's would be); deterministic for a
given ``seed``. Some papers are left waiting and some results at the window, for the screens.
With the :class:`~app.cases.demo.SeedClock` the services stamp with, batches go out four working
days before the seeding, departments decide one or two days before it. It runs again on a
database that already holds a demo hall: what was rated or handled before is left as it is."""

from __future__ import annotations

import random
import struct
import zlib
from collections import Counter

from sqlalchemy import select

from app.cases.audit import Actor
from app.cases.complaints import Complaints
from app.cases.demo import SeedClock
from app.cases.evaluation import builtin_reasons
from app.cases.service import CaseService
from app.db.models import CaseRow, EvaluationRow
from app.transfers.ledger import Ledger
from app.transfers.snapshots import Pickup
from app.transfers.waybill import s10_check_digit

BACK = Actor("刘洋", "back-01", "backoffice")
MANAGER = Actor("王静", "back-01", "manager")
WINDOW = Actor("张敏", "counter-01", "clerk")
MESSENGERS = (("赵强", "430104196411152016"), ("周丽", "430104198506123022"))
# How a demo hall's departments take paper (the rest: the daily courier).
DEMO_ROUTES = {
    "公安部门（落户地派出所）": "pickup",
    "卫生健康部门（分娩机构）": "desk",
    "民政部门（殡仪馆）": "pickup",
    "人力资源和社会保障部门": "platform",
}
COMPLAINTS = ("材料要求和窗口说的不一样，多跑了一次。", "等了一个多小时才轮到。")


def tiny_png(shade: int = 250) -> bytes:
    """A small valid grey PNG: stands in for a tablet signature or a photographed receipt."""
    width, height = 64, 24
    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def s10(serial: int) -> str:
    digits = f"{serial % 10**8:08d}"
    return f"EA{digits}{s10_check_digit(digits)}CN"


def seed_back_office(
    service: CaseService,
    ledger: Ledger,
    complaints: Complaints,
    *,
    seed: int = 20261123,
    clock: SeedClock | None = None,
) -> dict[str, int]:
    """The paper trail, results and ratings of the seeded cases; returns what was made."""
    rng = random.Random(seed)
    made: Counter[str] = Counter()
    waiting = {d: n for d, n, _, _ in ledger.waiting_by_department()}
    for number, department in enumerate(sorted(waiting)):
        if clock is not None:
            clock.set(clock.days_ago(4), 3600 + 600 * number)
        receipts = list(dict.fromkeys(i.receipt_no for i in ledger.waiting(department)))
        keep = len(receipts) // 5  # the newest fifth still waits (none of fewer than five)
        batch = ledger.open_batch(BACK, department)
        for receipt_no in receipts[: len(receipts) - keep]:
            batch = ledger.add_case(BACK, batch.batch_no, receipt_no)
        if not batch.items:
            continue
        made["batches"] += 1
        if batch.route == "courier":
            ledger.send_by_courier(
                BACK, batch.batch_no, courier="中国邮政 EMS", waybill=s10(rng.randrange(10**8))
            )
        else:
            name, id_number = MESSENGERS[number % len(MESSENGERS)]
            ledger.hand_over(
                BACK, batch.batch_no, Pickup(name, id_number, "13800138000", tiny_png(30))
            )
        if number % 3 != 2:  # a third still waits for the department's receipt
            if clock is not None:
                clock.set(clock.days_ago(3), 3600 + 600 * number)
            ledger.confirm(BACK, batch.batch_no, tiny_png())
            made["confirmed"] += 1
    _decide_and_deliver(service, ledger, rng, made, clock)
    _rate(service, complaints, rng, made, clock)
    if clock is not None:
        clock.moment = clock.now
    return dict(made)


def _accepted(service: CaseService) -> list[str]:
    with service.db.read() as session:
        return list(
            session.scalars(
                select(CaseRow.receipt_no).where(CaseRow.state == "accepted").order_by(CaseRow.id)
            )
        )


def _decide_and_deliver(
    service: CaseService,
    ledger: Ledger,
    rng: random.Random,
    made: Counter[str],
    clock: SeedClock | None,
) -> None:
    """Half the accepted cases are decided; their results come back; most are handed over."""
    when = random.Random(7)  # the days, apart: the outcomes stay those of a seeding without clock
    for receipt_no in _accepted(service):
        if rng.random() < 0.5:
            continue
        case = service.get(receipt_no)
        day = clock.days_ago(when.choice((2, 1))) if clock is not None else None
        for round_ in range(len(case.items) + 1):
            if clock is not None and day is not None:
                clock.set(day, 1800 * round_)
            dispatched = [i for i in case.items if i.state == "dispatched"]
            if not dispatched:
                break
            for item in dispatched:
                case = service.record_item_decision(
                    BACK,
                    receipt_no,
                    item.item_id,
                    approved=True,
                    result_name=item.result or f"{item.name}办理结果",
                    result_no=f"R{rng.randrange(10**6):06d}",
                )
        if case.state != "completed":
            continue
        made["completed"] += 1
        if clock is not None and day is not None:
            clock.set(day, 5 * 3600)
        trace = ledger.trace(receipt_no)
        returned = [i.ref for i in trace.items if i.state == "received" and i.originals]
        results = [(i.result or f"{i.name}办理结果", i.department) for i in case.items]
        if returned or rng.random() < 0.5:
            ledger.check_in(BACK, receipt_no, results=results, returned=returned)
            made["checked_in"] += 1
        if rng.random() < 0.75:
            service.deliver(
                WINDOW,
                receipt_no,
                method="pickup",
                recipient=case.applicant.name,
                recipient_id_number=case.applicant.id_number,
                note="领取人已在回执上签字",
            )
            made["delivered"] += 1


def _rate(
    service: CaseService,
    complaints: Complaints,
    rng: random.Random,
    made: Counter[str],
    clock: SeedClock | None,
) -> None:
    """Ratings of the delivered cases not rated yet: mostly good, some 差评, whose new work
    items are handled."""
    reasons = builtin_reasons().levels
    rated = select(EvaluationRow.case_id).where(EvaluationRow.stage == "complete")
    with service.db.read() as session:
        delivered = list(
            session.scalars(
                select(CaseRow.receipt_no)
                .where(CaseRow.state == "delivered", CaseRow.id.not_in(rated))
                .order_by(CaseRow.id)
            )
        )
    if clock is not None:
        clock.set(clock.days_ago(1), 7 * 3600)
    for n, receipt_no in enumerate(delivered):
        # a demo hall's 差评 are more than a real one's (under 1 %): the work items need some
        level = (2, 1)[n // 3 % 2] if n % 3 == 1 else rng.choice((5, 5, 5, 5, 5, 4, 4, 4, 3))
        text = COMPLAINTS[n % len(COMPLAINTS)] if level <= 2 else ""
        service.evaluate(
            WINDOW,
            receipt_no,
            stage="complete",
            level=level,
            channel=rng.choice(("hall_pad", "sms", "mobile")),
            text=text,
            reasons=reasons[level][:2],
        )
        made[f"rated_{level}"] += 1
    if clock is not None:
        clock.moment = clock.now
    for n, item in enumerate(i for i in complaints.open_items() if not i.steps):
        if n % 3 == 0:
            continue  # still to be called back
        complaints.step(MANAGER, item.id, "call_back", "已电话联系，群众反映属实。", reached=True)
        complaints.step(
            MANAGER, item.id, "verify", "调阅窗口录像和办件记录，情况属实。", finding="justified"
        )
        if n % 3 == 2:
            complaints.step(MANAGER, item.id, "rectify", "已在窗口张贴材料清单，当面致歉。")
            complaints.step(MANAGER, item.id, "close", "已向群众反馈整改情况。")
            made["complaints_closed"] += 1
