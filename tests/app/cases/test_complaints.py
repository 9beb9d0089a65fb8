"""差评 work items on SQLite and PostgreSQL: a 差评 opens one in the rating's transaction, due in
working days by the official calendar; each step records who and when, needs the right role and
follows the rules; a follow-up rating is the item's re-rating; an upheld appeal takes the rating
out of the evaluation report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.calendar.workdays import WorkCalendar
from app.cases.audit import Actor
from app.cases.audit_verify import verify
from app.cases.complaints import Complaint, Complaints
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database
from app.db.models import AuditEntry, ComplaintStepRow
from app.errors import CaseNotFound, InvalidInput, InvalidTransition
from app.reports.evaluations import evaluation_report
from app.reports.figures import Period
from app.roles import NotAllowed
from app.settings import EvaluationSettings
from tests.helpers.cases import CLERK, MANAGER, accepted, make_service
from tests.helpers.clock import WallClock

KIOSK = Actor("一楼自助机", "kiosk-01")
DEPUTY = Actor("manager-zhao", "back-01", "manager")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def complaints(db: Database, clock: WallClock) -> Complaints:
    return Complaints(db, WorkCalendar(), EvaluationSettings(), clock=clock)


@pytest.fixture
def service(
    db: Database, catalog: Catalog, tmp_path: Path, clock: WallClock, complaints: Complaints
) -> CaseService:
    return make_service(db, catalog, tmp_path, clock, after_evaluate=complaints.rated)


def poor(service: CaseService, catalog: Catalog, level: int = 1) -> str:
    receipt = accepted(service, catalog).receipt_no
    service.evaluate(
        KIOSK,
        receipt,
        stage="accept",
        level=level,
        channel="kiosk",
        text="材料清单前后说法不一，跑了两次",
    )
    return receipt


def only(complaints: Complaints, receipt: str) -> Complaint:
    (item,) = complaints.of_case(receipt)
    return item


def steps_in_db(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(ComplaintStepRow)) or 0


def test_levels_one_and_two_open_a_work_item_three_to_five_do_not(
    service: CaseService, catalog: Catalog, complaints: Complaints, clock: WallClock
) -> None:
    receipts = {
        level: poor(service, catalog, level) if level < 3 else accepted(service, catalog).receipt_no
        for level in (1, 2, 3, 4, 5)
    }
    for level in (3, 4, 5):
        service.evaluate(KIOSK, receipts[level], stage="accept", level=level, channel="kiosk")
    opened = complaints.open_items()
    assert [(c.receipt_no, c.level, c.level_label) for c in opened] == [
        (receipts[1], 1, "非常不满意"),
        (receipts[2], 2, "不满意"),
    ]
    first = opened[0]
    # Monday 23 November + 10 working days (the default) = Monday 7 December.
    assert (first.state, first.stage, first.due_date, first.opened_at) == (
        "open",
        "accept",
        date(2026, 12, 7),
        clock.now,
    )
    assert first.rating_text == "材料清单前后说法不一，跑了两次"
    assert (first.applicant_name, first.applicant_phone, first.channel) == (
        "李芳",
        "13800138000",
        "kiosk",
    )
    assert first.steps == () and first.next_steps == ("call_back", "verify")
    assert all(complaints.of_case(receipts[level]) == [] for level in (3, 4, 5))
    opening = service.timeline(receipts[1])[-1]
    assert opening.action == "complaint_open" and opening.actor == "一楼自助机"
    assert opening.after is not None and opening.after["due_date"] == "2026-12-07"
    with pytest.raises(CaseNotFound, match="没有受理编号"):
        complaints.of_case("430100001-20261123-99999")


def test_the_deadline_skips_the_national_day_holidays(
    db: Database, catalog: Catalog, tmp_path: Path, clock: WallClock
) -> None:
    complaints = Complaints(
        db, WorkCalendar(), EvaluationSettings(complaint_deadline_days=5), clock=clock
    )
    service = make_service(db, catalog, tmp_path, clock, after_evaluate=complaints.rated)
    clock.now = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tuesday before 国庆, 10:00 in Changsha
    receipt = poor(service, catalog)
    item = only(complaints, receipt)
    # 30 Sep, 8 Oct, 9 Oct, Saturday 10 Oct (a make-up working day), 12 Oct: not 6 October.
    assert item.due_date == date(2026, 10, 12) and item.due_warning == ""
    assert not item.overdue(date(2026, 10, 12))
    assert item.overdue(date(2026, 10, 13))
    assert complaints.overdue(date(2026, 10, 12)) == []
    assert [c.id for c in complaints.overdue(date(2026, 10, 13))] == [item.id]


def test_overdue_items_are_flagged_oldest_deadline_first(
    service: CaseService, catalog: Catalog, complaints: Complaints, clock: WallClock
) -> None:
    early = poor(service, catalog)
    clock.advance(days=2)  # Wednesday: due 9 December
    late = poor(service, catalog, 2)
    assert [c.receipt_no for c in complaints.open_items()] == [early, late]
    assert complaints.overdue(date(2026, 12, 7)) == []
    assert [c.receipt_no for c in complaints.overdue(date(2026, 12, 8))] == [early]
    assert [c.receipt_no for c in complaints.overdue(date(2026, 12, 10))] == [early, late]


def test_call_back_verify_rectify_close_with_who_and_when(
    service: CaseService, catalog: Catalog, complaints: Complaints, clock: WallClock
) -> None:
    item = only(complaints, poor(service, catalog))
    times = []
    for actor, kind, note, data in (
        (MANAGER, "call_back", "群众反映窗口说法前后不一", {"reached": True}),
        (DEPUTY, "verify", "调取录像，确有两次告知不一致", {"finding": "justified"}),
        (MANAGER, "rectify", "修订一次性告知单并培训窗口人员", {}),
        (DEPUTY, "close", "已电话告知群众整改情况，群众表示认可", {}),
    ):
        clock.advance(hours=3)
        times.append(clock.now)
        item = complaints.step(actor, item.id, kind, note, **data)
    assert [(s.kind, s.label, s.actor, s.terminal, s.at, s.summary) for s in item.steps] == [
        ("call_back", "回访", "manager-wang", "counter-01", times[0], "已联系上"),
        ("verify", "核实", "manager-zhao", "back-01", times[1], "属实"),
        ("rectify", "整改", "manager-wang", "counter-01", times[2], ""),
        ("close", "办结", "manager-zhao", "back-01", times[3], ""),
    ]
    assert item.steps[-1].note == "已电话告知群众整改情况，群众表示认可"
    assert (item.state, item.outcome, item.closed_by, item.closed_at) == (
        "closed",
        "rectified",
        "manager-zhao",
        times[3],
    )
    assert item.outcome_label == "已整改" and not item.closed_late and item.next_steps == ()
    assert complaints.open_items() == [] and complaints.get(item.id) == item
    trail = [e for e in service.timeline(item.receipt_no) if e.action == "complaint_step"]
    assert [(e.actor, (e.after or {})["kind"]) for e in trail] == [
        ("manager-wang", "call_back"),
        ("manager-zhao", "verify"),
        ("manager-wang", "rectify"),
        ("manager-zhao", "close"),
    ]
    assert trail[-1].before == {"state": "open", "outcome": ""}
    with pytest.raises(InvalidTransition, match=f"差评工单 {item.id} 已经办结，不能再登记回访"):
        complaints.step(MANAGER, item.id, "call_back", "再打一次", reached=False)
    with service.db.read() as session:
        assert verify(session).ok


def test_an_upheld_appeal_takes_the_rating_out_of_the_report(
    db: Database, service: CaseService, catalog: Catalog, complaints: Complaints
) -> None:
    item = only(complaints, poor(service, catalog))
    poor(service, catalog, 2)  # another 差评 that stays in the figures
    before = evaluation_report(db, NOVEMBER, by="channel").total
    assert (before.total, before.poor, before.count(1)) == (2, 2, 1)
    complaints.step(
        MANAGER, item.id, "verify", "录像显示办理规范，群众当日已办成", finding="not_justified"
    )
    item = complaints.step(MANAGER, item.id, "appeal", "评价内容与事实不符", grounds="mistaken")
    assert item.appeal == "waiting" and item.next_steps == ("call_back", "appeal_decided")
    assert evaluation_report(db, NOVEMBER, by="channel").total.total == 2  # not decided yet
    item = complaints.step(
        DEPUTY, item.id, "appeal_decided", "市政务服务中心认定为误评", upheld=True
    )
    assert (item.state, item.outcome, item.steps[-1].summary) == (
        "open",
        "appeal_upheld",
        "申诉成立",
    )
    after = evaluation_report(db, NOVEMBER, by="channel")
    assert (after.total.total, after.total.poor, after.total.count(1)) == (1, 1, 0)
    assert "经申诉认定为误评或恶意差评的评价不计入。" in after.table().notes
    with pytest.raises(InvalidTransition, match="申诉已成立.*无需整改"):
        complaints.step(MANAGER, item.id, "rectify", "整改")
    complaints.step(MANAGER, item.id, "call_back", "未接听，已发短信", reached=False)
    item = complaints.step(MANAGER, item.id, "close", "已告知群众申诉结果")
    assert (item.state, item.outcome) == ("closed", "appeal_upheld")


def test_a_rejected_appeal_is_rectified(
    service: CaseService, catalog: Catalog, complaints: Complaints
) -> None:
    item = only(complaints, poor(service, catalog))
    complaints.step(MANAGER, item.id, "verify", "群众所述与记录不符", finding="not_justified")
    complaints.step(MANAGER, item.id, "appeal", "疑为恶意差评", grounds="malicious")
    item = complaints.step(DEPUTY, item.id, "appeal_decided", "证据不足，不予支持", upheld=False)
    assert item.appeal == "rejected" and "rectify" in item.next_steps
    complaints.step(MANAGER, item.id, "rectify", "补充窗口告知话术")
    complaints.step(MANAGER, item.id, "call_back", "群众认可", reached=True)
    assert complaints.step(MANAGER, item.id, "close", "已反馈").outcome == "rectified"


@pytest.mark.parametrize(
    ("done", "kind", "note", "data", "message"),
    [
        ((), "rectify", "整改", {}, "还没有核实，不能登记整改"),
        ((), "appeal", "申诉", {"grounds": "mistaken"}, "只有核实为不属实的差评才能申诉"),
        ((), "appeal_decided", "裁定", {"upheld": True}, "没有待裁定的申诉"),
        ((), "close", "反馈", {}, "办结前必须回访群众"),
        ((("call_back", {"reached": True}),), "close", "反馈", {}, "还没有整改，不能办结"),
        ((("verify", {"finding": "justified"}),), "appeal", "申诉", {"grounds": "malicious"},
         "只有核实为不属实的差评才能申诉。核实属实的差评请登记整改"),
        ((("verify", {"finding": "not_justified"}),), "rectify", "整改", {},
         "差评不属实，无需整改"),
        ((("verify", {"finding": "not_justified"}), ("appeal", {"grounds": "mistaken"})),
         "verify", "再核实", {"finding": "justified"}, "已经提出申诉，核实结论不能再改"),
        ((("verify", {"finding": "not_justified"}), ("appeal", {"grounds": "mistaken"})),
         "close", "反馈", {}, "办结前必须回访群众"),
        ((("call_back", {"reached": True}), ("verify", {"finding": "not_justified"}),
          ("appeal", {"grounds": "mistaken"})), "close", "反馈", {}, "申诉还没有裁定，不能办结"),
    ],
)  # fmt: skip
def test_steps_out_of_order_are_refused_with_what_to_do(
    service: CaseService,
    catalog: Catalog,
    complaints: Complaints,
    done: tuple[tuple[str, dict[str, object]], ...],
    kind: str,
    note: str,
    data: dict[str, object],
    message: str,
) -> None:
    item = only(complaints, poor(service, catalog))
    for step, values in done:
        complaints.step(MANAGER, item.id, step, "已办", **values)
    count = steps_in_db(service.db)
    with pytest.raises(InvalidTransition, match=message) as refused:
        complaints.step(MANAGER, item.id, kind, note, **data)
    assert refused.value.hint  # says what to do instead
    assert steps_in_db(service.db) == count
    assert complaints.get(item.id).state == "open"


@pytest.mark.parametrize(
    ("kind", "note", "data", "message"),
    [
        ("re_rating", "改评", {}, "重新评价由群众本人追评时自动记录"),
        ("phone", "打电话", {}, "没有“phone”这种处理步骤。可选：call_back（回访）"),
        ("call_back", "  ", {"reached": True}, "登记回访时必须填写说明。请写明群众的意见"),
        ("call_back", "打过了", {}, "登记回访时请说明是否联系上群众。请选择已联系上或未联系上"),
        ("verify", "查了", {"finding": "maybe"}, "请说明核实结论。请选择属实或不属实"),
        ("rectify", "改了", {"finding": "justified"}, "登记整改时不需要填写 finding"),
        ("rectify", "改" * 501, {}, "说明最多 500 字"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(
    service: CaseService,
    catalog: Catalog,
    complaints: Complaints,
    kind: str,
    note: str,
    data: dict[str, object],
    message: str,
) -> None:
    item = only(complaints, poor(service, catalog))
    with pytest.raises(InvalidInput, match=message):
        complaints.step(MANAGER, item.id, kind, note, **data)
    assert complaints.get(item.id).steps == ()
    with pytest.raises(InvalidInput, match="没有编号为 999 的差评工单"):
        complaints.step(MANAGER, 999, "call_back", "打过了", reached=True)


def test_a_clerk_may_not_handle_a_complaint(
    service: CaseService, catalog: Catalog, complaints: Complaints
) -> None:
    receipt = poor(service, catalog)
    item = only(complaints, receipt)
    with pytest.raises(NotAllowed, match="窗口人员（clerk-zhang）没有“处理差评") as refused:
        complaints.step(CLERK, item.id, "call_back", "群众说等了很久", reached=True)
    assert refused.value.hint == "请由管理员登录后办理。"
    assert complaints.get(item.id) == item  # nothing changed
    with service.db.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.action, last.actor, last.receipt_no) == ("refused", "clerk-zhang", receipt)
    assert last.after == {"permission": "complaint.handle", "role": "clerk"}


def test_a_follow_up_rating_is_the_items_re_rating(
    service: CaseService, catalog: Catalog, complaints: Complaints, clock: WallClock
) -> None:
    receipt = poor(service, catalog)
    clock.advance(days=1)
    service.evaluate(
        KIOSK, receipt, stage="accept", level=4, channel="qr", text="已经改进", follow_up=True
    )
    (item,) = complaints.of_case(receipt)
    (step,) = item.steps
    assert (step.kind, step.actor, step.at, step.note, step.summary) == (
        "re_rating",
        "一楼自助机",
        clock.now,
        "已经改进",
        "满意（原为非常不满意）",
    )
    assert step.data["level"] == 4 and item.state == "open"  # handling goes on
    with pytest.raises(InvalidInput, match="不能手工登记"):
        complaints.step(MANAGER, item.id, "re_rating", "改评")


def test_a_poor_follow_up_after_the_close_opens_a_new_item(
    service: CaseService, catalog: Catalog, complaints: Complaints
) -> None:
    receipt = poor(service, catalog)
    first = only(complaints, receipt)
    complaints.step(MANAGER, first.id, "call_back", "已联系", reached=True)
    complaints.step(MANAGER, first.id, "verify", "属实", finding="justified")
    complaints.step(MANAGER, first.id, "rectify", "已整改")
    complaints.step(MANAGER, first.id, "close", "已反馈")
    service.evaluate(
        KIOSK, receipt, stage="accept", level=2, channel="sms", text="还是不满意", follow_up=True
    )
    closed, new = complaints.of_case(receipt)
    assert closed.id == first.id and closed.state == "closed"
    assert closed.steps[-1].kind == "re_rating" and closed.steps[-1].data["level"] == 2
    assert (new.state, new.level, new.channel, new.steps) == ("open", 2, "sms", ())
    assert [c.id for c in complaints.open_items()] == [new.id]


def test_a_poor_follow_up_of_a_good_rating_opens_an_item(
    service: CaseService, catalog: Catalog, complaints: Complaints
) -> None:
    receipt = accepted(service, catalog).receipt_no
    service.evaluate(KIOSK, receipt, stage="accept", level=5, channel="kiosk")
    assert complaints.of_case(receipt) == []
    service.evaluate(
        KIOSK, receipt, stage="accept", level=1, channel="kiosk", text="后来被退件", follow_up=True
    )
    item = only(complaints, receipt)
    assert (item.level, item.rating_text, item.steps) == (1, "后来被退件", ())


def test_a_rating_that_cannot_open_its_item_is_not_stored(
    db: Database,
    service: CaseService,
    catalog: Catalog,
    complaints: Complaints,
    tmp_path: Path,
    clock: WallClock,
) -> None:
    """The item opens in the rating's transaction: both are stored, or neither."""
    receipt = accepted(service, catalog).receipt_no

    def broken(*_: object) -> None:
        raise InvalidTransition("测试：工单无法建立")

    service = make_service(db, catalog, tmp_path, clock, after_evaluate=broken)
    with pytest.raises(InvalidTransition, match="工单无法建立"):
        service.evaluate(KIOSK, receipt, stage="accept", level=1, channel="kiosk", text="差")
    assert service.get(receipt).evaluations == () and complaints.of_case(receipt) == []
