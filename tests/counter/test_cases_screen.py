"""The case search and after-decision screen through the real widgets on a real database:
finding cases by receipt, ID, name, phone and state; the detail and the trail; delivery by
pick-up and by mail; withdrawal; reprint with a reason; a printer that is off; the applicant's
evaluation window; and the keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.demo import seed_cases
from app.cases.queries import CaseQuery
from app.cases.snapshots import CaseView
from app.widgets.rows import CellsModel
from counter.session import Papers, Session
from counter.ui.case_dialogs import DeliveryDialog, EvaluationWindow, ReprintDialog, WithdrawDialog
from counter.ui.cases import CasesScreen
from counter.ui.station import Station
from printing.a4_printer import A4PrinterUnavailable
from printing.jobs import Printed
from tests.counter.conftest import activate
from tests.helpers.cases import accepted_at_window

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

Settle = Callable[[], None]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


class Printer(Papers):
    """The far side of the A4 printer: records what it was sent; ``off`` refuses as CUPS does."""

    def __init__(self, papers: Papers) -> None:
        super().__init__(papers.core, papers.actor)
        self.sent: list[tuple[str, str, str]] = []
        self.off = False

    def print(self, receipt_no: str, document: str, *, reason: str = "") -> Printed:
        if self.off:
            raise A4PrinterUnavailable(
                "打印机“A4”暂停接收打印任务。", hint="文书没有打印，可以稍后重新打印。"
            )
        self.sent.append((receipt_no, document, reason))
        return Printed(
            f"A4-{len(self.sent)}",
            1 + sum(s[:2] == (receipt_no, document) for s in self.sent[:-1]),
            b"%PDF",
        )


@pytest.fixture
def printer(session: Session) -> Printer:
    printer = Printer(session.papers)
    session.papers = printer
    return printer


@pytest.fixture
def screen(qtbot: QtBot, station: Station, printer: Printer) -> CasesScreen:
    screen = CasesScreen(station)
    qtbot.addWidget(screen)
    screen.resize(1100, 600)
    return screen


def completed(session: Session, core: Core) -> CaseView:
    """Accepted, then every item decided by its department (serial items one after another)."""
    case = accepted_at_window(session)
    while dispatched := [i for i in case.items if i.state == "dispatched"]:
        for item in dispatched:
            case = core.cases.record_item_decision(
                session.actor,
                case.receipt_no,
                item.item_id,
                approved=True,
                result_name=f"{item.name}结果",
                result_no=f"R-{item.item_id}",
            )
    assert case.state == "completed", case.state
    return case


def shown(screen: CasesScreen, case: CaseView, settle: Settle) -> None:
    screen.show_case(case.receipt_no)
    settle()
    assert screen.case is not None and screen.case.receipt_no == case.receipt_no


def column(model: CellsModel[Any], number: int) -> list[str]:
    return [str(model.index(row, number).data()) for row in range(model.rowCount())]


def texts(widget: QWidget) -> str:
    parts = [w.text() for w in widget.findChildren(QLabel)]
    parts += [w.text() for w in widget.findChildren(QAbstractButton)]
    return " ".join([widget.windowTitle(), *parts])


# -- finding ----------------------------------------------------------------------------------------
def test_search_by_receipt_id_name_phone_and_state(
    qtbot: QtBot,
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    settle: Settle,
) -> None:
    # a seed whose twelve cases over the built-in scenarios end in every state, one withdrawn
    # (the draws depend on the catalog: a new scenario may need another seed)
    made = seed_cases(core.cases, core.catalog, 12, seed=8)
    assert made["withdrawn"] == 1 and made["not_accepted"] and made["pre_application"]
    case = accepted_at_window(session)
    every = core.queries.find(CaseQuery())
    other = next(c for c in every if c.applicant_phone and c.receipt_no != case.receipt_no)

    def search(text: str, state: str = "") -> list[str]:
        screen.search_box.setText(text)
        screen.state.setCurrentIndex(screen.state.findData(state))
        with qtbot.waitSignal(screen.found, timeout=5000):
            qtbot.keyClick(screen.search_box, Qt.Key.Key_Return)
        settle()
        return column(screen.model, 0)

    assert search(case.receipt_no) == [case.receipt_no]
    assert search(case.receipt_no.replace("-", "")) == [case.receipt_no]
    assert search(case.applicant.id_number.lower()) == [case.receipt_no]
    assert search("李芳") == [c.receipt_no for c in every if "李芳" in c.applicant_name]
    assert search(other.applicant_phone) == [
        c.receipt_no for c in every if c.applicant_phone == other.applicant_phone
    ]
    assert search(other.applicant_name[:1], "withdrawn") == [
        c.receipt_no
        for c in every
        if c.state == "withdrawn" and other.applicant_name[:1] in c.applicant_name
    ]
    withdrawn = search("", "withdrawn")
    assert withdrawn and set(column(screen.model, 4)) == {"已撤回"}
    assert len(withdrawn) == sum(c.state == "withdrawn" for c in every)
    assert search("张无忌") == [] and "没有找到" in screen.count.text()
    assert screen.case is None and not any(b.isEnabled() for b in screen.buttons.values())
    row = [screen.model.index(0, n).data() for n in range(7)] if search(case.receipt_no) else []
    assert row[:5] == [case.receipt_no, "李芳", "43010419920315204X", case.scenario_name, "已受理"]
    assert row[5] == str(case.promised_date)


def test_today_and_dates(
    qtbot: QtBot,
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    settle: Settle,
) -> None:
    seed_cases(core.cases, core.catalog, 6)  # half of them on another window (counter-02)
    today = screen.findChild(QAbstractButton, "today_cases")
    assert today is not None
    with qtbot.waitSignal(screen.found, timeout=5000):
        today.click()
    settle()
    terminal = core.settings.terminal.name
    mine = [c.receipt_no for c in core.queries.find(CaseQuery(terminal=terminal))]
    assert column(screen.model, 0) == mine and draft.receipt_no in mine
    assert len(mine) < len(core.queries.find(CaseQuery()))
    screen.date_from.setDate(screen.date_to.date().addDays(1))
    screen.search()
    assert (
        "开始日期晚于结束日期" in screen.station.bar.text() and screen.station.bar.kind == "error"
    )
    screen.date_from.setDate(screen.date_to.date().addDays(-30))
    screen.date_to.setDate(screen.date_to.date().addDays(-1))
    screen.search()
    settle()
    assert screen.model.rowCount() == 0  # every case was made today


def test_detail_and_trail_after_acceptance(
    screen: CasesScreen, session: Session, core: Core, draft: CaseView, settle: Settle
) -> None:
    case = accepted_at_window(session)
    shown(screen, case, settle)
    facts = screen.detail.facts.text()
    assert "李芳" in facts and "43010419920315204X" in facts and "已受理" in facts
    assert str(case.promised_date) in facts and case.scenario_name in facts
    assert column(screen.detail.items, 0) == [i.name for i in case.items]
    assert "部门办理中" in column(screen.detail.items, 3)
    assert "新生儿出生医学记录" in column(screen.detail.materials, 0)
    assert set(column(screen.detail.materials, 1)) <= {"已收原件", "免提交"} | {
        m.status_label + (f"（{m.exempt_reason}）" if m.exempt_reason else "")
        for m in case.materials
    }
    trail = [
        [str(screen.detail.trail.index(r, c).data()) for c in range(5)]
        for r in range(screen.detail.trail.rowCount())
    ]
    assert trail[0][1:4] == ["张敏", core.settings.terminal.name, "建立办件"]
    assert [trail[-1][1], trail[-1][3], trail[-1][4]] == ["张敏", "受理", "已受理"]
    assert any(r[3] == "登记材料" and r[4] == "新生儿出生医学记录：已收原件" for r in trail)
    assert screen.buttons["withdraw"].isEnabled() and screen.buttons["reprint"].isEnabled()
    assert screen.buttons["evaluate"].isEnabled() and not screen.buttons["deliver"].isEnabled()


def test_models(
    qtmodeltester: ModelTester,
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    settle: Settle,
) -> None:
    seed_cases(core.cases, core.catalog, 5)
    case = completed(session, core)
    screen.search()
    settle()
    assert screen.model.rowCount() == 6
    screen.show_case(case.receipt_no)
    settle()
    for model in (screen.model, screen.detail.items, screen.detail.materials, screen.detail.trail):
        qtmodeltester.check(model)


def test_show_case_selects_it_among_others(
    screen: CasesScreen, session: Session, core: Core, draft: CaseView, settle: Settle
) -> None:
    seed_cases(core.cases, core.catalog, 5)
    screen.search()
    settle()
    assert screen.model.rowCount() == 6
    screen.show_case(draft.receipt_no.replace("-", " "))  # as a person might type it
    settle()
    assert screen.case is not None and screen.case.receipt_no == draft.receipt_no
    assert screen.table.currentIndex().row() == 0 and column(screen.model, 0) == [draft.receipt_no]
    screen.show_case("430100001-20000101-99999")
    settle()
    assert "没有找到受理编号" in screen.station.bar.text() and screen.case is None


# -- delivery ---------------------------------------------------------------------------------------
def delivery_dialog(screen: CasesScreen, method: str) -> DeliveryDialog:
    assert screen.buttons["deliver"].isEnabled()
    screen.buttons["deliver"].click()
    dialog = screen.dialog
    assert isinstance(dialog, DeliveryDialog) and dialog.isVisible()
    dialog.choose_method(method)
    return dialog


def test_delivery_by_pick_up(
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    printer: Printer,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    decisions = column(screen.detail.items, 3)
    assert all(d.startswith("准予；结果：") for d in decisions), decisions
    dialog = delivery_dialog(screen, "pickup")
    assert dialog.pickup_name.text() == "李芳"
    dialog.ok.click()
    settle()
    assert "签名" in screen.station.bar.text() and screen.station.bar.kind == "error"
    assert dialog.isVisible() and "签名" in dialog.problem.text() and dialog.ok.isEnabled()
    assert core.cases.get(case.receipt_no).state == "completed" and printer.sent == []
    dialog.pickup_phone.setText("13800138000")
    dialog.signed.setChecked(True)
    dialog.ok.click()
    settle()
    assert not dialog.isVisible()
    saved = core.cases.get(case.receipt_no)
    assert saved.state == "delivered" and saved.delivery is not None
    assert (saved.delivery["method"], saved.delivery["recipient"], saved.delivery["phone"]) == (
        "pickup",
        "李芳",
        "13800138000",
    )
    assert saved.delivery["recipient_id_number"] == "43010419920315204X"
    assert printer.sent == [(case.receipt_no, "delivery", "")]
    assert (
        screen.station.bar.kind == "info"
        and "办理结果送达回执已送打印机" in screen.station.bar.text()
    )
    assert screen.case is not None and screen.case.state == "delivered"
    assert column(screen.model, 4) == ["已送达"]
    assert "结果送达" in column(screen.detail.trail, 3)
    assert not screen.buttons["deliver"].isEnabled() and not screen.buttons["withdraw"].isEnabled()


def test_pick_up_with_a_signature_file(
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    tmp_path: Path,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    dialog = delivery_dialog(screen, "pickup")
    dialog.signature_file.setText(str(tmp_path / "gone.png"))
    dialog.ok.click()
    settle()
    assert "无法读取" in dialog.problem.text() and dialog.isVisible()
    signature = tmp_path / "signature.png"
    signature.write_bytes(PNG)
    dialog.signature_file.setText(str(signature))
    dialog.ok.click()
    settle()
    delivery = core.cases.get(case.receipt_no).delivery
    assert delivery is not None and delivery["signature_sha256"]
    assert core.files.read(delivery["signature_sha256"]) == PNG


def test_delivery_by_mail_needs_a_tracking_number(
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    printer: Printer,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    dialog = delivery_dialog(screen, "mail")
    dialog.mail_phone.setText("13800138000")
    dialog.address.setText("长沙市岳麓区桐梓坡路 88 号")
    dialog.ok.click()
    settle()
    assert screen.station.bar.text() == "邮寄送达缺少：快递单号。请补全后再登记。"
    assert dialog.isVisible() and dialog.problem.text() == screen.station.bar.text()
    unchanged = core.cases.get(case.receipt_no)
    assert unchanged.state == "completed" and unchanged.delivery is None and printer.sent == []
    assert [e.action for e in core.cases.timeline(case.receipt_no)][-1] == "item_decision"
    dialog.tracking.setText("SF1234567890123")
    dialog.ok.click()
    settle()
    saved = core.cases.get(case.receipt_no)
    assert saved.state == "delivered" and saved.delivery is not None
    assert saved.delivery["tracking_no"] == "SF1234567890123"
    assert saved.delivery["address"] == "长沙市岳麓区桐梓坡路 88 号"
    assert printer.sent == [(case.receipt_no, "delivery", "")]
    assert "SF1234567890123" in screen.detail.facts.text()


def test_electronic_delivery_says_where(
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    printer: Printer,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    dialog = delivery_dialog(screen, "electronic")
    dialog.ok.click()
    settle()
    assert "电子送达必须写明送达到哪里" in dialog.problem.text()
    assert core.cases.get(case.receipt_no).state == "completed"
    dialog.note.setText("湘易办 电子证照库")
    dialog.ok.click()
    settle()
    delivery = core.cases.get(case.receipt_no).delivery
    assert delivery is not None and (delivery["method"], delivery["note"]) == (
        "electronic",
        "湘易办 电子证照库",
    )
    assert printer.sent == [(case.receipt_no, "delivery", "")]


# -- withdrawal and reprint -------------------------------------------------------------------------
def test_withdrawal(
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    printer: Printer,
    settle: Settle,
) -> None:
    case = accepted_at_window(session)
    shown(screen, case, settle)
    screen.buttons["withdraw"].click()
    dialog = screen.dialog
    assert isinstance(dialog, WithdrawDialog)
    assert "新生儿出生医学记录" in texts(dialog)
    dialog.returned_to.setText("")
    dialog.ok.click()
    settle()
    assert "退还给谁" in screen.station.bar.text() and dialog.isVisible()
    assert core.cases.get(case.receipt_no).state == "accepted"
    dialog.reason.setCurrentText("申请人需重新准备材料")
    dialog.returned_to.setText("李芳")
    dialog.ok.click()
    settle()
    saved = core.cases.get(case.receipt_no)
    assert saved.state == "withdrawn" and saved.withdrawal is not None
    assert saved.withdrawal["reason"] == "申请人需重新准备材料"
    assert all(m.returned_at for m in saved.materials if m.received_at)
    assert printer.sent == [(case.receipt_no, "withdrawal", "")]
    assert "已撤回" in screen.detail.facts.text() and not screen.buttons["withdraw"].isEnabled()
    assert screen.buttons["evaluate"].isEnabled()  # acceptance can still be rated


def test_reprint_needs_a_reason(
    screen: CasesScreen, session: Session, draft: CaseView, printer: Printer, settle: Settle
) -> None:
    case = accepted_at_window(session)
    shown(screen, case, settle)
    screen.buttons["reprint"].click()
    dialog = screen.dialog
    assert isinstance(dialog, ReprintDialog)
    offered = [dialog.document.itemData(n) for n in range(dialog.document.count())]
    assert offered == ["acceptance"]  # nothing delivered, withdrawn or on commitment
    dialog.ok.click()
    assert "必须写明原因" in screen.station.bar.text() and screen.station.bar.kind == "error"
    assert dialog.isVisible() and printer.sent == []
    dialog.reason.setCurrentText("申请人遗失")
    dialog.ok.click()
    settle()
    assert printer.sent == [(case.receipt_no, "acceptance", "申请人遗失")]
    assert not dialog.isVisible() and "受理通知书已送打印机" in screen.station.bar.text()


def test_printer_failure_loses_nothing(
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    printer: Printer,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    printer.off = True
    dialog = delivery_dialog(screen, "pickup")
    dialog.signed.setChecked(True)
    dialog.ok.click()
    settle()
    bar = screen.station.bar
    assert bar.kind == "error" and "已登记送达" in bar.text() and "暂停接收打印任务" in bar.text()
    assert core.cases.get(case.receipt_no).state == "delivered"  # the delivery is saved
    screen.buttons["reprint"].click()
    reprint = screen.dialog
    assert isinstance(reprint, ReprintDialog)
    reprint.choose("delivery")
    reprint.reason.setCurrentText("打印机故障后补打")
    reprint.ok.click()
    settle()
    assert "暂停接收打印任务" in bar.text() and bar.kind == "error"
    assert reprint.isVisible() and reprint.reason.currentText() == "打印机故障后补打"
    assert "暂停接收打印任务" in reprint.problem.text() and printer.sent == []
    printer.off = False
    reprint.ok.click()
    settle()
    assert printer.sent == [(case.receipt_no, "delivery", "打印机故障后补打")]
    assert bar.kind == "info" and not reprint.isVisible()


# -- evaluation -------------------------------------------------------------------------------------
def evaluation_window(qtbot: QtBot, screen: CasesScreen) -> EvaluationWindow:
    screen.buttons["evaluate"].click()
    window = screen.evaluation
    assert isinstance(window, EvaluationWindow) and window.isWindow() and window.isVisible()
    return window


def test_evaluation_window(
    qtbot: QtBot,
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    window = evaluation_window(qtbot, screen)
    words = texts(window)
    assert case.scenario_name in words and "办结" in words
    assert case.applicant.id_number not in words + window.text.toPlainText()
    assert [b.text() for b in window.levels.values()] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    window.levels[2].click()
    window.submit.click()
    assert "不满意的原因" in window.message.text()
    settle()
    assert core.cases.get(case.receipt_no).evaluations == ()
    window.text.setPlainText("取件排队太久")
    window.submit.click()
    settle()
    assert window.message.text() == "感谢您的评价！"
    saved = core.cases.get(case.receipt_no).evaluations
    assert [(e.stage, e.round, e.level, e.channel, e.text) for e in saved] == [
        ("complete", "first", 2, "hall_pad", "取件排队太久")
    ]
    assert "办结环节评价：不满意" in screen.station.bar.text()
    assert "办结：不满意" in screen.detail.facts.text()
    assert "办结环节：不满意（取件排队太久）" in column(screen.detail.trail, 4)

    # one follow-up (追评) is offered next; once it is given, nothing more
    again = evaluation_window(qtbot, screen)
    assert again is not window and again.turn.follow_up
    assert "追评" in texts(again) and "追评" in screen.station.bar.text()
    again.levels[4].click()
    again.submit.click()
    settle()
    assert again.message.text() == "感谢您的评价！"
    saved = core.cases.get(case.receipt_no).evaluations
    assert [(e.round, e.level) for e in saved] == [("first", 2), ("follow_up", 4)]
    assert not screen.buttons["evaluate"].isEnabled()


def test_a_rating_given_elsewhere_meanwhile_is_refused_on_the_window(
    qtbot: QtBot,
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    settle: Settle,
) -> None:
    case = completed(session, core)
    shown(screen, case, settle)
    window = evaluation_window(qtbot, screen)
    core.cases.evaluate(session.actor, case.receipt_no, stage="complete", level=5, channel="kiosk")
    window.levels[5].click()
    window.submit.click()
    settle()
    assert "已经评价过" in window.message.text() and "已经评价过" in screen.station.bar.text()
    assert window.submit.isEnabled()
    assert len(core.cases.get(case.receipt_no).evaluations) == 1


def test_acceptance_is_rated_before_the_result(
    qtbot: QtBot,
    screen: CasesScreen,
    session: Session,
    core: Core,
    draft: CaseView,
    settle: Settle,
) -> None:
    case = accepted_at_window(session)
    shown(screen, case, settle)
    window = evaluation_window(qtbot, screen)
    assert "受理服务" in texts(window)
    window.levels[5].click()
    window.submit.click()
    settle()
    saved = core.cases.get(case.receipt_no).evaluations
    assert [(e.stage, e.level, e.text) for e in saved] == [("accept", 5, "")]


# -- keys -------------------------------------------------------------------------------------------
def test_keys_ctrl_f_and_enter(
    qtbot: QtBot,
    station: Station,
    printer: Printer,
    session: Session,
    draft: CaseView,
    settle: Settle,
) -> None:
    window = QWidget()  # like the main window, with its own Ctrl+F (which shows this screen)
    qtbot.addWidget(window)
    pressed: list[str] = []
    QShortcut(QKeySequence("Ctrl+F"), window, lambda: pressed.append("window"))
    screen = CasesScreen(station)
    QVBoxLayout(window).addWidget(screen)
    window.resize(1100, 600)
    activate(qtbot, window)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert screen.search_box.hasFocus() and pressed == []
    screen.search_box.setText("李芳")
    screen.date_to.setFocus()
    with qtbot.waitSignal(screen.found, timeout=5000):
        qtbot.keyClick(screen.date_to, Qt.Key.Key_Return)
    settle()
    assert column(screen.model, 0) == [draft.receipt_no]


# -- who looked (个人信息保护法 第五十一条) ------------------------------------------------------------
def test_opening_a_case_is_recorded_once_and_a_refresh_is_not(
    screen: CasesScreen, session: Session, core: Core, draft: CaseView, settle: Settle
) -> None:
    case = accepted_at_window(session)
    shown(screen, case, settle)
    screen.load(case.receipt_no)  # the refresh after the clerk's own action
    settle()
    manager = Actor("王静", "counter-09", "manager")
    looks = core.access.entries(manager, receipt_no=case.receipt_no)
    assert [(e.actor, e.terminal, e.action) for e in looks] == [
        (session.actor.name, session.actor.terminal, "view")
    ]


def test_a_document_preview_is_recorded(session: Session, core: Core, draft: CaseView) -> None:
    case = accepted_at_window(session)
    assert session.papers.preview(case.receipt_no, "acceptance").startswith(b"%PDF")
    (look,) = core.access.entries(Actor("王静", "t", "manager"), receipt_no=case.receipt_no)
    assert (look.action, look.detail, look.actor) == ("preview", "acceptance", session.actor.name)
