"""After the decision, through the real widgets: finding cases, the trail, delivery by pick-up
and by mail, withdrawal, a reprint that needs a reason, a printer that is off, and the
applicant's evaluation screen; and the materials checklist with capture and files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.views import CaseView
from app.devices.simulated import SimulatedCapture
from app.guide.engine import Guide
from counter.aftercare import query_of
from counter.session import Papers, Session
from counter.ui.case_actions import DeliveryDialog, EvaluationWindow, ReprintDialog, WithdrawDialog
from counter.ui.checklist import MaterialsScreen
from counter.ui.desk import Desk
from counter.ui.search import CasesScreen
from printing.a4_printer import A4PrinterUnavailable
from printing.jobs import Printed

Settle = Callable[[], None]


class Tray(Papers):
    """The printer's far side: rendered for real, kept here; ``off`` refuses like CUPS does."""

    def __init__(self, papers: Papers) -> None:
        super().__init__(papers.core, papers.actor)
        self.printed: list[tuple[str, str, str]] = []
        self.off = False

    def print(self, receipt_no: str, document: str, *, reason: str = "") -> Printed:
        if self.off:
            raise A4PrinterUnavailable("打印机没有开机或缺纸。", hint="请检查打印机后补打。")
        pdf = self.preview(receipt_no, document)
        self.printed.append((receipt_no, document, reason))
        return Printed("tray", len(self.printed), pdf)


@pytest.fixture
def tray(session: Session) -> Tray:
    tray = Tray(session.papers)
    session.papers = tray
    return tray


@pytest.fixture
def screen(qtbot: QtBot, desk: Desk, tray: Tray) -> CasesScreen:
    screen = CasesScreen(desk)
    screen.printouts.preview = False
    qtbot.addWidget(screen)
    return screen


def accepted(session: Session, draft: CaseView) -> CaseView:
    session.flow.receive_all()
    return session.flow.accept()


def completed(session: Session, core: Core, draft: CaseView) -> CaseView:
    case = accepted(session, draft)
    for _ in range(10):
        case = core.cases.get(case.receipt_no)
        waiting = [i for i in case.items if i.state == "dispatched"]
        if not waiting:
            break
        for item in waiting:
            core.cases.record_item_decision(session.actor, case.receipt_no, item.item_id,
                                            approved=True, result_name="结果")  # fmt: skip
    case = core.cases.get(case.receipt_no)
    assert case.state == "completed", case.state
    return case


def test_search_text_means_what_it_looks_like() -> None:
    assert query_of("430100001-20261123-00001").receipt_no == "430100001-20261123-00001"
    assert query_of("43010419920315204x").id_number == "43010419920315204X"
    assert query_of("13800138000").phone == "13800138000"
    assert query_of("李芳").name == "李芳"


def test_find_and_trail(qtbot: QtBot, screen: CasesScreen, session: Session, draft: CaseView,
                        settle: Settle) -> None:  # fmt: skip
    case = accepted(session, draft)
    for text in (case.receipt_no, case.applicant.id_number, case.applicant.name):
        screen.search.setText(text)
        screen.run_search()
        settle()
        assert [r.receipt_no for r in screen.model.rows] == [case.receipt_no]
    shown = screen.detail.toPlainText()
    assert "已受理" in shown and "建立办件" in shown and "受理" in shown
    assert "新生儿出生医学记录：已收原件" in shown
    assert screen.buttons["withdraw"].isEnabled() and not screen.buttons["deliver"].isEnabled()
    screen.state.setCurrentIndex(screen.state.findData("not_accepted"))
    screen.search.setText(case.applicant.name)
    screen.run_search()
    settle()
    assert screen.model.rows == [] and "没有找到" in screen.detail.toPlainText()


def test_summary_model(qtmodeltester, screen: CasesScreen, session: Session,  # type: ignore[no-untyped-def]
                       draft: CaseView, settle: Settle) -> None:  # fmt: skip
    screen.show_case(draft.receipt_no)
    settle()
    qtmodeltester.check(screen.model)


def test_delivery_by_mail_needs_a_tracking_number(
    qtbot: QtBot, screen: CasesScreen, session: Session, core: Core, draft: CaseView,
    tray: Tray, settle: Settle,
) -> None:  # fmt: skip
    case = completed(session, core, draft)
    screen.show_case(case.receipt_no)
    settle()
    assert screen.buttons["deliver"].isEnabled()
    screen.deliver()
    dialog = screen.dialog
    assert isinstance(dialog, DeliveryDialog)
    dialog.method.setCurrentIndex(dialog.method.findData("mail"))
    dialog.accept()
    settle()
    assert "快递单号" in screen.desk.bar.text()
    assert core.cases.get(case.receipt_no).state == "completed"
    screen.deliver()
    dialog = screen.dialog
    assert isinstance(dialog, DeliveryDialog)
    dialog.method.setCurrentIndex(dialog.method.findData("mail"))
    dialog.tracking.setText("SF1234567890123")
    dialog.phone.setText("13800138000")
    dialog.accept()
    settle()
    saved = core.cases.get(case.receipt_no)
    assert saved.state == "delivered" and saved.delivery is not None
    assert saved.delivery["tracking_no"] == "SF1234567890123"
    assert tray.printed == [(case.receipt_no, "delivery", "")]


def test_pick_up_and_evaluation(qtbot: QtBot, screen: CasesScreen, session: Session, core: Core,
                                draft: CaseView, settle: Settle) -> None:  # fmt: skip
    case = completed(session, core, draft)
    screen.show_case(case.receipt_no)
    settle()
    screen.deliver()
    dialog = screen.dialog
    assert isinstance(dialog, DeliveryDialog)
    dialog.accept()
    settle()
    assert "签名" in screen.desk.bar.text()  # a pick-up needs the signature
    screen.deliver()
    dialog = screen.dialog
    assert isinstance(dialog, DeliveryDialog)
    dialog.signed.setChecked(True)
    dialog.accept()
    settle()
    assert core.cases.get(case.receipt_no).state == "delivered"

    screen.evaluate()
    window = screen.dialog
    assert isinstance(window, EvaluationWindow)
    qtbot.addWidget(window)
    assert case.applicant.id_number not in " ".join(w.text() for w in window.levels.values())
    window.levels[1].click()
    window.submit.click()
    assert "写明原因" in window.message.text()
    window.text.setPlainText("等待时间太长")
    window.submit.click()
    settle()
    assert window.message.text() == "感谢您的评价！"
    evaluations = core.cases.get(case.receipt_no).evaluations
    assert [(e.stage, e.level, e.text) for e in evaluations] == [("complete", 1, "等待时间太长")]
    screen.evaluate()
    again = screen.dialog
    assert isinstance(again, EvaluationWindow)
    qtbot.addWidget(again)
    again.levels[5].click()
    again.submit.click()
    settle()
    assert "已经评价过" in again.message.text()


def test_withdrawal_returns_the_materials(qtbot: QtBot, screen: CasesScreen, session: Session,
                                         core: Core, draft: CaseView, tray: Tray,
                                         settle: Settle) -> None:  # fmt: skip
    case = accepted(session, draft)
    screen.show_case(case.receipt_no)
    settle()
    screen.withdraw()
    dialog = screen.dialog
    assert isinstance(dialog, WithdrawDialog)
    dialog.accept()
    settle()
    saved = core.cases.get(case.receipt_no)
    assert saved.state == "withdrawn"
    assert all(m.returned_at for m in saved.materials if m.received_at)
    assert tray.printed == [(case.receipt_no, "withdrawal", "")]


def test_reprint_needs_a_reason_and_a_printer(qtbot: QtBot, screen: CasesScreen,
                                              session: Session, draft: CaseView, tray: Tray,
                                              settle: Settle) -> None:  # fmt: skip
    case = accepted(session, draft)
    screen.show_case(case.receipt_no)
    settle()
    screen.reprint()
    dialog = screen.dialog
    assert isinstance(dialog, ReprintDialog)
    assert dialog.document() == "acceptance"
    dialog.accept()
    assert "必须写明原因" in screen.desk.bar.text() and tray.printed == []
    tray.off = True
    screen.reprint()
    dialog = screen.dialog
    assert isinstance(dialog, ReprintDialog)
    dialog.reason.setText("申请人遗失")
    dialog.accept()
    settle()
    assert "打印机没有开机" in screen.desk.bar.text() and screen.desk.bar.kind == "error"
    tray.off = False
    screen.reprint()
    dialog = screen.dialog
    assert isinstance(dialog, ReprintDialog)
    dialog.reason.setText("申请人遗失")
    dialog.accept()
    settle()
    assert tray.printed == [(case.receipt_no, "acceptance", "申请人遗失")]


# -- the materials checklist -----------------------------------------------------------------------
@pytest.fixture
def checklist(qtbot: QtBot, desk: Desk, draft: CaseView) -> MaterialsScreen:
    screen = MaterialsScreen(desk)
    qtbot.addWidget(screen)
    screen.enter()
    return screen


def checklist_points(core: Core, draft: CaseView, material_id: str) -> list[str]:
    """The review points of a material, as the plan lists them (形式 first)."""
    case = core.cases.get(draft.receipt_no)
    plan = Guide(core.catalog).plan(case.scenario_code, case.answers, {}, case.chosen_items)
    material = next(m for m in plan.materials if m.id == material_id)
    return [*material.formal_review, *material.substantive_review]


def test_record_with_review_points(checklist: MaterialsScreen, session: Session, core: Core,
                                   draft: CaseView, settle: Settle) -> None:  # fmt: skip
    material = checklist.selected()
    assert material is not None and material.status == "missing"
    assert checklist.review, "新生儿出生医学记录 has review points"
    checklist.review[0].setChecked(True)
    checklist.original.click()
    settle()
    saved = core.cases.get(draft.receipt_no).material(material.material_id)
    assert saved.status == "received_original"
    ticked = checklist_points(core, draft, material.material_id)[0]
    assert saved.reviewed == (ticked,)
    moved_on = checklist.selected()
    assert moved_on is not None and moved_on.material_id != material.material_id
    checklist.exempt_reason.setText("已核验电子证照：居民户口簿")
    checklist.exempt.click()
    settle()
    actions = [e.action for e in core.cases.timeline(draft.receipt_no)]
    assert actions.count("material") == 2


def test_checklist_model(qtmodeltester, checklist: MaterialsScreen) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(checklist.model)


def test_capture_turn_delete_save(checklist: MaterialsScreen, core: Core, draft: CaseView,
                                  settle: Settle) -> None:  # fmt: skip
    material = checklist.selected()
    assert material is not None
    checklist.capture()
    settle()
    checklist.capture()
    settle()
    assert checklist.thumbs.count() == 2
    checklist.thumbs.setCurrentRow(0)
    checklist.turn(90)
    assert (checklist.pages[0].width, checklist.pages[0].height) == (1754, 1240)
    checklist.thumbs.setCurrentRow(1)
    checklist.delete_page()
    assert len(checklist.pages) == 1
    checklist.save_pages()
    settle()
    scans = core.cases.get(draft.receipt_no).material(material.material_id).scans
    assert len(scans) == 1 and scans[0].pages == 1
    pdf = pypdfium2.PdfDocument(core.files.path(scans[0].sha256).read_bytes())
    try:
        assert len(pdf) == 1
        width, height = pdf[0].get_size()
        assert width > height  # the page was turned
    finally:
        pdf.close()


def test_failing_camera_then_a_file(checklist: MaterialsScreen, session: Session,
                                    tmp_path: Path, settle: Settle) -> None:  # fmt: skip
    camera = session.devices.capture
    assert isinstance(camera, SimulatedCapture)
    camera.fail = True
    checklist.capture()
    settle()
    assert "高拍仪没有响应" in checklist.desk.bar.text() and "选择文件" in checklist.desk.bar.text()
    garbage = tmp_path / "scan.png"
    garbage.write_bytes(b"not an image")
    checklist.add_files([garbage])
    assert "不是能识别的图片" in checklist.desk.bar.text()
    assert checklist.pages == []
    camera.fail = False
    good = tmp_path / "good.png"
    good.write_bytes(camera.capture().png)
    checklist.add_files([good])
    assert len(checklist.pages) == 1
