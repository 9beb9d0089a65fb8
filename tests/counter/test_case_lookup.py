"""The after-decision presenter without Qt: what the search box's text means, what a case says
in words, which actions a state allows, and what the dialogs must hold."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from app.bootstrap import Core
from app.cases.checks import EVALUATION_CHANNELS
from app.cases.evaluation import EvaluationTurn, evaluation_stage, next_turn
from app.cases.files import FileStore
from app.cases.snapshots import CaseView
from app.cases.states import CASE_STATE_LABELS
from app.errors import InvalidInput
from counter.case_lookup import (
    EVALUATION_CHANNEL,
    SIGNED_ON_PAPER,
    DeliveryForm,
    actions_for,
    case_facts,
    decision_text,
    describe,
    evaluation_problem,
    kind_of,
    query_of,
    reprint_problem,
    reprintable,
    search_query,
    store_signature,
    summary_of,
    trail_cells,
)
from counter.session import Session
from tests.helpers.cases import accepted_at_window

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("430100001-20261123-00001", "receipt"),
        (" 4301000012026112300001 ", "receipt"),  # a scanner without hyphens
        ("43010419920315204x", "id_number"),
        ("４３０１０４１９９２０３１５２０４Ｘ", "id_number"),  # full-width, as some IMEs type
        ("430104920315204", "id_number"),  # the old 15 digits
        ("91350100M000100Y43", "id_number"),  # an enterprise's credit code
        ("13800138000", "phone"),
        ("0731-88886666", "phone"),
        ("李芳", "name"),
        ("  ", ""),
    ],
)
def test_what_the_search_text_is(text: str, kind: str) -> None:
    assert kind_of(text) == kind


def test_queries_of_the_search_row() -> None:
    start, end = date(2026, 10, 24), date(2026, 11, 23)
    receipt = search_query("430100001-20261123-00001", "accepted", start, end)
    assert receipt.receipt_no == "430100001-20261123-00001"
    assert receipt.date_from is None and receipt.date_to is None  # a receipt names one case
    by_id = search_query("43010419920315204x", "", start, end)
    assert (by_id.id_number, by_id.states, by_id.date_from) == ("43010419920315204X", (), start)
    assert search_query("13800138000", "", start, end).phone == "13800138000"
    assert search_query(" 李芳 ", "withdrawn", start, end).name == "李芳"
    assert search_query(" 李芳 ", "withdrawn", start, end).states == ("withdrawn",)
    everything = search_query("", "completed", start, end)
    assert (everything.receipt_no, everything.name, everything.states) == ("", "", ("completed",))
    assert query_of("43010419920315204x").id_number == "43010419920315204X"
    with pytest.raises(InvalidInput, match="开始日期晚于结束日期"):
        search_query("李芳", "", end, start)


def test_a_case_in_words(session: Session, core: Core, draft: CaseView) -> None:
    case = accepted_at_window(session)
    facts = dict(case_facts(case))
    assert facts["申请人"].startswith("李芳　43010419920315204X")
    assert "帮办代办" not in facts and "容缺" not in facts
    assert facts["状态"] == "已受理" and facts["承诺办结"] == str(case.promised_date)
    assert summary_of(case).state_label == "已受理"
    trail = core.cases.timeline(case.receipt_no)
    rows = [trail_cells(e) for e in trail]
    assert rows[0][1:4] == ("张敏", core.settings.terminal.name, "建立办件")
    assert any(r[3] == "受理" and r[4] == "已受理" for r in rows)
    assert "张敏　受理　已受理" in describe(trail[-1])
    dispatched = next(i for i in case.items if i.state == "dispatched")
    assert decision_text(dispatched) == "部门办理中"
    decided = core.cases.record_item_decision(
        session.actor,
        case.receipt_no,
        dispatched.item_id,
        approved=True,
        result_name="出生医学证明",
        result_no="N430001",
        opinion="符合条件",
    )
    assert decision_text(decided.item(dispatched.item_id)) == (
        "准予；结果：出生医学证明（N430001）；意见：符合条件"
    )
    names = {i.item_id: i.name for i in case.items}
    last = trail_cells(core.cases.timeline(case.receipt_no)[-1], names)
    assert last[3] == "部门办理结果" and last[4] == f"{dispatched.name}：准予，出生医学证明"

    helped = core.cases.assist(
        session.actor, case.receipt_no, mode="bangban", helper="刘洋", minutes=12
    )
    assert dict(case_facts(helped))["帮办代办"] == "帮办（刘洋，12 分钟）"
    assert describe(core.cases.timeline(case.receipt_no)[-1]).endswith("登记帮办代办")


def test_where_a_promise_stands(session: Session, draft: CaseView) -> None:
    """查询办件 tells the next clerk what a 容缺 promise still waits for, or how it ended."""
    case = accepted_at_window(session)
    promise: dict[str, object] = {"due_date": "2026-12-10", "materials": ["m"]}

    def words(commitment: dict[str, object]) -> str:
        return dict(case_facts(dataclasses.replace(case, commitment=commitment)))["容缺"]

    assert words(promise).endswith("（2026-12-10 前）") and words(promise).startswith("待补交：")
    kept = {**promise, "fulfilled_at": "2026-12-11T02:00:00+00:00", "fulfilled_late": True}
    assert words(kept) == "已补齐（2026-12-11 10:00，逾期补齐）"
    lapsed = {**promise, "lapsed_at": "2026-12-12T01:30:00+00:00"}
    assert words(lapsed) == "承诺 2026-12-10 前补交，逾期未补交，相关事项已终止（2026-12-12 09:30）"


def test_what_a_state_allows(session: Session, draft: CaseView) -> None:
    assert actions_for(None) == dict.fromkeys(("deliver", "withdraw", "reprint", "evaluate"), False)
    assert actions_for(draft) == {
        "deliver": False,
        "withdraw": True,
        "reprint": True,
        "evaluate": False,
    }
    case = accepted_at_window(session)
    assert actions_for(case) == {
        "deliver": False,
        "withdraw": True,
        "reprint": True,
        "evaluate": True,
    }
    assert [name for name, _ in reprintable(case)] == ["acceptance"]  # no commitment letter
    committed = dataclasses.replace(case, commitment={"materials": []})
    assert [name for name, _ in reprintable(committed)] == ["acceptance", "commitment"]
    completed = case.moved("completed")
    assert actions_for(completed)["deliver"] and not actions_for(completed)["withdraw"]
    assert evaluation_stage("accepted") == "accept"
    assert evaluation_stage("completed") == evaluation_stage("delivered") == "complete"
    assert evaluation_stage("draft") is None
    assert {s for s in CASE_STATE_LABELS if evaluation_stage(s)} == {
        "accepted",
        "accepted_on_commitment",
        "not_accepted",
        "completed",
        "delivered",
        "withdrawn",
    }
    assert EVALUATION_CHANNEL in EVALUATION_CHANNELS


def test_one_rating_and_one_follow_up_per_stage(
    session: Session, core: Core, draft: CaseView
) -> None:
    case = accepted_at_window(session)
    assert next_turn(case) == EvaluationTurn(
        case.receipt_no, case.scenario_name, "accept", follow_up=False
    )
    rated = core.cases.evaluate(
        session.actor, case.receipt_no, stage="accept", level=4, channel=EVALUATION_CHANNEL
    )
    assert next_turn(rated) == EvaluationTurn(
        case.receipt_no, case.scenario_name, "accept", follow_up=True
    )
    assert next_turn(rated).label == "受理环节追评"  # type: ignore[union-attr]
    again = core.cases.evaluate(
        session.actor,
        case.receipt_no,
        stage="accept",
        level=5,
        channel=EVALUATION_CHANNEL,
        follow_up=True,
    )
    assert next_turn(again) is None and not actions_for(again)["evaluate"]
    # the completion stage starts afresh once there is a result
    assert next_turn(dataclasses.replace(again, state="completed")) == EvaluationTurn(
        case.receipt_no, case.scenario_name, "complete", follow_up=False
    )


def test_delivery_form_gives_only_the_method_s_fields() -> None:
    pickup = DeliveryForm(
        "pickup",
        recipient="李芳",
        recipient_id_number="43010419920315204X",
        phone="13800138000",
        address="不该带上",
        signed_on_paper=True,
    )
    given = pickup.arguments()
    assert given["note"] == SIGNED_ON_PAPER and "address" not in given
    assert DeliveryForm("pickup", recipient="李芳").arguments("ab" * 32)["note"] == ""
    mail = DeliveryForm(
        "mail",
        recipient="李芳",
        phone="13800138000",
        address="长沙市",
        tracking_no="SF1",
        signed_on_paper=True,
    ).arguments()
    assert mail["tracking_no"] == "SF1" and mail["note"] == "" and "signature_sha256" not in mail
    assert DeliveryForm("electronic", note="湘易办").arguments() == {
        "method": "electronic",
        "note": "湘易办",
    }
    assert pickup.method_label == "窗口领取"


def test_signature_file(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    signed = tmp_path / "signature.png"
    signed.write_bytes(PNG)
    sha = store_signature(files, str(signed))
    assert files.read(sha) == PNG
    text = tmp_path / "notes.txt"
    text.write_text("签名", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是图片或 PDF"):
        store_signature(files, str(text))
    with pytest.raises(InvalidInput, match="无法读取"):
        store_signature(files, str(tmp_path / "missing.png"))


def test_what_the_dialogs_need() -> None:
    assert "必须写明原因" in reprint_problem("  ")
    assert reprint_problem("申请人遗失") == ""
    assert evaluation_problem(0, "") == "请先点选一个评价等级。"
    assert "不满意的原因" in evaluation_problem(2, " ")
    assert "非常不满意" in evaluation_problem(1, "")
    assert evaluation_problem(1, "等了两个小时") == evaluation_problem(3, "") == ""
