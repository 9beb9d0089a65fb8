"""After the visit at the kiosk, without a screen: a case's progress found by its QR code, its
receipt number or the applicant's card, in plain words with the person masked; and 好差评 for
the stage the case is in, first and follow-up, with the reasons the level offers."""

from __future__ import annotations

from typing import get_args

import pytest

from app.bootstrap import Core
from app.calendar import workdays
from app.cases.evaluation import EvaluationTurn
from app.cases.receipts import hall_day
from app.cases.snapshots import CaseView, Party
from app.cases.states import CASE_STATE_LABELS, ItemState
from app.errors import CaseNotFound, InvalidIdNumber, InvalidInput, InvalidTransition
from kiosk.evaluation import Evaluating
from kiosk.journey import Journey
from kiosk.progress import CASE_WORDS, ESTIMATED, ITEM_WORDS, Progress
from printing import qr
from tests.helpers.cases import CLERK, MOTHER, accepted, open_newborn, receive_all
from tests.helpers.keys import ring

OTHER = Party("王建国", "430104196411152016")


@pytest.fixture
def progress(core: Core, journey: Journey) -> Progress:
    return Progress(
        core.cases,
        core.queries,
        journey.in_hand.check_qr,
        hall_place=journey.hall_place,
        hall_phone=journey.hall_phone,
    )


@pytest.fixture
def evaluating(core: Core, journey: Journey) -> Evaluating:
    return Evaluating(core.cases, journey.in_hand.actor, journey.in_hand.check_qr)


def qr_of(core: Core, case: CaseView) -> str:
    return qr.sign(case.receipt_no, core.receipt_keys)


def completed(core: Core) -> CaseView:
    case = accepted(core.cases, core.catalog)
    while open_items := [i for i in case.items if i.state == "dispatched"]:
        for item in open_items:
            case = core.cases.record_item_decision(
                CLERK, case.receipt_no, item.item_id, approved=True
            )
    assert case.state == "completed"
    return case


def test_progress_by_qr_code_in_plain_words(core: Core, progress: Progress) -> None:
    case = accepted(core.cases, core.catalog)
    view = progress.by_qr(qr_of(core, case))
    assert (view.receipt_no, view.scenario_name) == (case.receipt_no, case.scenario_name)
    assert (view.state, view.words) == ("accepted", "已受理，部门审批中")
    assert view.promised_date == case.promised_date and not view.ready and view.pickup == ""
    assert progress.found == (view,)
    by_item = {i.name: i for i in view.items}
    for item in case.items:
        shown = by_item[item.name]
        assert shown.department == item.department
        if item.state == "dispatched":
            assert item.dispatched_at is not None
            due = core.calendar.add_working_days(hall_day(item.dispatched_at), item.promised_days)
            assert (shown.words, shown.promised_date) == ("审批中", due.day)
        else:
            assert (shown.words, shown.promised_date) == ("等待前置事项办结", None)
    assert {i.words for i in view.items} == {"审批中", "等待前置事项办结"}
    assert view.summary.startswith(f"您的{case.scenario_name}已受理")
    assert f"共 {len(case.items)} 个事项，已办结 0 个" in view.summary


def test_a_forged_or_foreign_qr_code_is_refused(core: Core, progress: Progress) -> None:
    case = accepted(core.cases, core.catalog)
    forged = qr.sign(case.receipt_no, ring(b"another hall's key", core.receipt_keys.current))
    with pytest.raises(InvalidInput, match="不是本大厅的办件凭条") as refused:
        progress.by_qr(forged)
    assert "伪造" in str(refused.value) and "刷身份证" in refused.value.hint
    with pytest.raises(InvalidInput, match="不是本大厅的办件凭条"):
        progress.by_qr("https://example.com/ticket/123")
    assert progress.found == ()


def test_a_receipt_number_as_typed(core: Core, progress: Progress) -> None:
    case = accepted(core.cases, core.catalog)
    assert progress.by_receipt(f" {case.receipt_no.replace('-', '')} ").receipt_no == (
        case.receipt_no
    )
    unknown = case.receipt_no[:-5] + "99999"
    with pytest.raises(CaseNotFound, match=f"没有找到受理编号为 {unknown} 的办件"):
        progress.by_receipt(unknown)
    with pytest.raises(InvalidInput, match="受理编号不对"):
        progress.by_receipt("我的办件")
    genuine_elsewhere = qr.sign(unknown, core.receipt_keys)
    with pytest.raises(CaseNotFound, match="本机没有查到"):
        progress.by_qr(genuine_elsewhere)


def test_by_id_card_newest_first_without_drafts(core: Core, progress: Progress) -> None:
    first = accepted(core.cases, core.catalog)
    second = open_newborn(core.cases, core.catalog, channel="kiosk")  # a pre-application
    open_newborn(core.cases, core.catalog)  # a draft at a window: not shown
    core.cases.open_case(
        CLERK,
        channel="kiosk",
        scenario=first.scenario_code,
        applicant=OTHER,
        answers=dict(first.answers),
        form=dict(first.form_data),
    )
    found = progress.by_id_number(MOTHER.id_number.lower())
    assert [v.receipt_no for v in found] == [second.receipt_no, first.receipt_no]
    assert found[0].words == "已预申请，请带齐材料到窗口办理"
    assert {i.words for i in found[0].items} == {"待窗口受理"}
    assert progress.found == found
    assert progress.by_id_number("11010519491231002X") == ()
    with pytest.raises(InvalidIdNumber):
        progress.by_id_number("43010419920315204")


def test_nothing_unmasked(core: Core, progress: Progress) -> None:
    case = accepted(core.cases, core.catalog)
    shown = [progress.by_qr(qr_of(core, case)), *progress.by_id_number(MOTHER.id_number)]
    for view in shown:
        assert (view.applicant_name, view.applicant_id) == ("李*", "4301**********204X")
        text = repr(view)
        assert MOTHER.name not in text and MOTHER.id_number not in text
        assert MOTHER.phone not in text and MOTHER.address not in text


def test_every_state_has_words(core: Core, progress: Progress) -> None:
    assert set(CASE_WORDS) == set(CASE_STATE_LABELS)
    assert set(ITEM_WORDS) == set(get_args(ItemState))
    done = progress.by_qr(qr_of(core, completed(core)))
    assert done.words == "已办结" and done.ready
    assert all(i.words == "已办结" and i.ready and i.decided_on for i in done.items)
    assert done.pickup == "请到市民之家一楼综合窗口领取，咨询电话 0731-88665266"
    assert done.items[0].pickup == done.pickup
    assert "结果可以领取了，请到市民之家一楼综合窗口领取" in done.summary
    withdrawn = core.cases.withdraw(
        CLERK,
        accepted(core.cases, core.catalog).receipt_no,
        reason="申请人主动撤回",
        returned_to="李芳",
    )
    view = progress.by_receipt(withdrawn.receipt_no)
    assert view.words == "已撤回" and {i.words for i in view.items} == {"已撤回"}
    assert not view.ready and "李芳" not in repr(view)
    refused = receive_all(core.cases, open_newborn(core.cases, core.catalog))
    refused = core.cases.not_accept(
        CLERK,
        refused.receipt_no,
        ground="2",
        reasons=["不属于本中心受理范围"],
        office="区政务服务中心",
    )
    view = progress.by_receipt(refused.receipt_no)
    assert view.words == "不予受理" and {i.words for i in view.items} == {"不予受理"}


def test_a_refused_item_ends_the_items_that_need_it_in_words(
    core: Core, progress: Progress
) -> None:
    case = accepted(core.cases, core.catalog)
    needed = {n for i in case.items for n in i.needs}
    first = next(i for i in case.items if i.item_id in needed and i.state == "dispatched")
    case = core.cases.record_item_decision(
        CLERK, case.receipt_no, first.item_id, approved=False, opinion="材料不实"
    )
    words = {i.name: i.words for i in progress.by_receipt(case.receipt_no).items}
    assert words[first.name] == "不予批准"
    assert "已终止（前置事项未获批准）" in words.values()


def test_rating_first_then_follow_up_then_no_more(
    core: Core, journey: Journey, evaluating: Evaluating
) -> None:
    case = accepted(core.cases, core.catalog)
    code = qr_of(core, case)
    turn = evaluating.scan(code)
    assert turn == EvaluationTurn(case.receipt_no, case.scenario_name, "accept", follow_up=False)
    assert turn.label == "受理环节评价"
    assert evaluating.levels() == (
        (5, "非常满意"),
        (4, "满意"),
        (3, "基本满意"),
        (2, "不满意"),
        (1, "非常不满意"),
    )
    done = evaluating.submit(4, ["一次办成", "等候时间短"])
    assert (done.stage, done.follow_up, done.level_label) == ("accept", False, "满意")
    assert done.reasons == ("一次办成", "等候时间短") and done.message == "感谢您的评价！"
    assert evaluating.turn is None
    with pytest.raises(InvalidInput, match="请先扫描"):
        evaluating.submit(4)

    assert evaluating.scan(code).label == "受理环节追评"
    poor = evaluating.submit(1, ["跑了多次"], "补了三次材料")
    assert poor.follow_up and "核实" in poor.message
    with pytest.raises(InvalidTransition, match="受理环节已经评价并追评过了") as no_more:
        evaluating.scan(code)
    assert "办结后还可以评价办结环节" in no_more.value.hint
    assert evaluating.turn is None

    stored = core.cases.get(case.receipt_no).evaluations
    assert [(e.round, e.level, e.channel, e.reasons) for e in stored] == [
        ("first", 4, "kiosk", ("一次办成", "等候时间短")),
        ("follow_up", 1, "kiosk", ("跑了多次",)),
    ]
    queued = [m for m in core.outbox.messages(receipt_no=case.receipt_no) if m.kind == "evaluation"]
    assert [(m.payload["channel"], m.payload["reasons"], m.state) for m in queued] == [
        ("kiosk", ["一次办成", "等候时间短"], "pending"),
        ("kiosk", ["跑了多次"], "pending"),
    ]
    *_, entry, opened = core.cases.timeline(case.receipt_no)
    assert entry.action == "evaluate" and entry.actor == journey.in_hand.actor.name
    assert opened.action == "complaint_open"  # the 差评's work item, in the same transaction
    assert MOTHER.name not in repr((turn, done, poor, entry.actor))

    # Once there is a result, the completion stage is rated afresh.
    while dispatched := [
        i for i in core.cases.get(case.receipt_no).items if i.state == "dispatched"
    ]:
        for item in dispatched:
            core.cases.record_item_decision(CLERK, case.receipt_no, item.item_id, approved=True)
    assert evaluating.scan(code) == EvaluationTurn(
        case.receipt_no, case.scenario_name, "complete", follow_up=False
    )


def test_reasons_depend_on_the_level_and_a_poor_rating_needs_words(
    core: Core, evaluating: Evaluating
) -> None:
    assert evaluating.reasons(5) != evaluating.reasons(1)
    assert "跑了多次" in evaluating.reasons(2) and "跑了多次" not in evaluating.reasons(4)
    assert evaluating.problems(None) == ["请先点选一个评价等级。"]
    assert evaluating.problems(5, ["一次办成"]) == []
    assert evaluating.problems(5, ["跑了多次"]) == [
        "“跑了多次”不是“非常满意”可选的原因。请从屏幕列出的原因中选择，其他情况请写在文字评价里。"
    ]
    (words,) = evaluating.problems(2, ["跑了多次"], " ")
    assert words.startswith("请写明不满意的具体原因")
    assert evaluating.problems(2, ["跑了多次"], "等了两个小时") == []

    evaluating.scan(qr_of(core, accepted(core.cases, core.catalog)))
    with pytest.raises(InvalidInput, match="请写明不满意的具体原因"):
        evaluating.submit(2, ["跑了多次"])
    with pytest.raises(InvalidInput, match="请先点选一个评价等级"):
        evaluating.submit(None)
    assert evaluating.turn is not None  # nothing sent: the citizen can correct and submit


def test_no_rating_before_acceptance_nor_from_a_forged_code(
    core: Core, evaluating: Evaluating
) -> None:
    pre = open_newborn(core.cases, core.catalog, channel="kiosk")
    with pytest.raises(InvalidTransition, match="还没有受理"):
        evaluating.scan(qr_of(core, pre))
    with pytest.raises(InvalidInput, match="不是本大厅的办件凭条"):
        forged = ring(b"forged", core.receipt_keys.current)
        evaluating.scan(qr.sign(accepted(core.cases, core.catalog).receipt_no, forged))
    assert evaluating.turn is None


def test_wipe_forgets_everything(core: Core, progress: Progress, evaluating: Evaluating) -> None:
    case = accepted(core.cases, core.catalog)
    progress.by_qr(qr_of(core, case))
    evaluating.scan(qr_of(core, case))
    progress.wipe()
    evaluating.wipe()
    assert progress.found == () and evaluating.turn is None
    with pytest.raises(InvalidInput, match="请先扫描"):
        evaluating.submit(5)
    assert core.cases.get(case.receipt_no).evaluations == ()


def test_dates_past_the_known_holidays_are_explained_to_the_citizen_not_to_staff(
    core: Core,
    progress: Progress,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(workdays, "_package_covers", lambda year: False)
    view = progress.by_qr(qr_of(core, accepted(core.cases, core.catalog)))
    assert view.calendar_warning == ESTIMATED
    assert "设置" not in view.calendar_warning  # the settings are staff's business
    assert "[calendar]" in caplog.text  # …and the log tells them


def test_a_promised_material_is_said_with_its_date_and_a_missed_one_ends_in_words(
    core: Core,
) -> None:
    from dataclasses import replace
    from datetime import date

    from kiosk.progress import ProgressView, progress_of

    case = accepted(core.cases, core.catalog)
    owed = case.materials[-1]
    promised = replace(
        case.moved("accepted_on_commitment"),
        commitment={"materials": [owed.material_id], "due_date": "2026-12-09"},
        materials=tuple(m.moved("on_commitment") if m is owed else m for m in case.materials),
    )

    def view(of: CaseView, today: date) -> ProgressView:
        return progress_of(of, core.calendar, hall_place="综合窗口", hall_phone="", today=today)

    soon = view(promised, date(2026, 12, 7))
    assert soon.supplement == f"还需补交{owed.name}，请在 12 月 9 日前带到综合窗口。"
    assert soon.summary.endswith(soon.supplement)  # said aloud too
    late = view(promised, date(2026, 12, 10))
    assert "已超过 12 月 9 日的期限" in late.supplement
    stopped = promised.items[0]
    lapsed = replace(
        promised.moved("accepted"),
        commitment={
            **(promised.commitment or {}),
            "lapsed_at": "x",
            "lapsed_items": [stopped.item_id],
        },
        items=tuple(
            i.moved("terminated", decision={"approved": False, "opinion": "容缺材料逾期未补交"})
            if i is stopped
            else i
            for i in promised.items
        ),
    )
    gone = view(lapsed, date(2026, 12, 10))
    assert gone.supplement == ""  # nothing to bring any more
    assert gone.items[0].words == "已终止（容缺材料逾期未补交）"
