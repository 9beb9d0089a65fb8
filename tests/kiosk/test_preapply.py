"""Pre-application at the kiosk (一表申请, one trip): the ID card, the questionnaire, the list,
the form prefilled and completed, two pages captured (one retaken), the review, the submission,
the ticket — and then the counter, on the hall's shared database, opens it by the ticket's QR
code with nothing missing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core, build_core
from app.cases.demo import NEWBORN, value_for
from app.cases.snapshots import CaseView, Party
from app.devices.drivers import Devices
from app.devices.simulated import TEST_PERSONS, SimulatedCapture, SimulatedIdReader
from app.guide.form import check_form
from counter.session import Session
from counter.ui.window import MATERIALS, MainWindow
from kiosk.ui.window import KioskWindow
from printing.tickets import Ticket
from sync.client import Platform
from tests.counter.conftest import activate
from tests.kiosk.screens import Roll, idle, press, shown_text, to_plan, type_into

PERSON = TEST_PERSONS[0]


def qr_of(ticket: Ticket) -> str:
    return next(line.text for line in ticket.lines if line.style == "qr")


def fill_the_form(window: KioskWindow) -> None:
    """What the citizen types: every required field the card did not fill."""
    journey = window.station.journey
    party = Party(PERSON.name, PERSON.id_number, phone="13800138000")
    for spec in journey.fields():
        if journey.value_of(spec) or not spec.required:
            continue
        value = value_for(spec, party)
        if spec.type == "enum":
            press(window, f"field_{spec.key}_{spec.options.index(value)}")
        else:
            type_into(window, f"field_{spec.key}", value)


def opened_at_the_counter(
    qtbot: QtBot, counter_core: Core, platform: Platform | None, signed: str, case: CaseView
) -> CaseView:
    """The clerk scans the ticket's ``signed`` code at the counter's real window: ``case`` opens
    on the materials step with the applicant, the form complete and every page; the case as the
    counter's database now has it."""
    session = Session(
        counter_core,
        Operator("zhangmin", "张敏", "clerk"),
        Devices(SimulatedIdReader(), SimulatedCapture()),
        platform,
    )
    counter = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(counter)
    activate(qtbot, counter)
    counter.scanned(signed)
    qtbot.waitUntil(lambda: not counter.station.work.busy, timeout=20_000)
    QApplication.processEvents()
    assert counter.pages.currentIndex() == MATERIALS, counter.statusBar().currentMessage()
    opened = session.in_hand.case
    assert opened is not None and opened.receipt_no == case.receipt_no
    assert opened.channel == "kiosk" and opened.state == "pre_application"
    assert session.in_hand.applicant is not None
    assert session.in_hand.applicant.party.id_number == PERSON.id_number
    # Nothing missing: the form as the citizen left it, complete; the pages with it.
    assert session.in_hand.form_values() == case.form_data
    _, problems = check_form(session.in_hand.plan().fields, session.in_hand.form_values())
    assert problems == {}
    here = counter_core.cases.get(case.receipt_no)
    sent = {m.material_id: [s.sha256 for s in m.scans] for m in case.materials if m.scans}
    got = {m.material_id: [s.sha256 for s in m.scans] for m in here.materials if m.scans}
    assert got == sent and sent  # every page, byte for byte
    assert all(counter_core.files.read(sha) for hashes in got.values() for sha in hashes)
    counter.close()
    return here


def to_review(qtbot: QtBot, window: KioskWindow) -> None:
    press(window, "read_card")
    idle(qtbot, window)
    assert window.station.journey.in_hand.applicant is not None
    to_plan(window)
    press(window, "pre_apply")
    assert window.current().name == "form"  # the card was read: no identify step
    name = window.findChild(QLineEdit, "field_applicant.name")  # prefilled, and it says so
    assert (
        name is not None and name.text() == PERSON.name and "已从身份证读取" in shown_text(window)
    )
    assert name.isReadOnly()  # the card's name is the card's: a clerk changes it, not a kiosk
    press(window, "form_next")  # required fields still empty: nothing moves on
    assert window.current().name == "form" and "需要填写" in window.message.text()
    fill_the_form(window)
    press(window, "form_next")
    assert window.current().name == "capture"
    first = window.station.journey.to_capture()[0]
    press(window, "capture_take")
    idle(qtbot, window)
    press(window, "capture_take")
    idle(qtbot, window)
    press(window, "capture_page_0")
    press(window, "capture_retake")  # the first page was blurred
    idle(qtbot, window)
    assert "已拍 2 页" in shown_text(window)
    assert [p.width for p in window.station.journey.pages[first.id]] == [1240, 1240]
    while window.current().name == "capture":
        press(window, "capture_next")
    assert window.current().name == "review"
    assert f"{first.name}：已拍 2 页" in shown_text(window)
    assert "李*（4301**********204X）" in shown_text(window)  # the applicant line is masked
    press(window, "review_submit")
    idle(qtbot, window)


def test_card_to_ticket_to_the_counter(
    qtbot: QtBot, window: KioskWindow, core: Core, roll: Roll, tmp_path: Path
) -> None:
    to_review(qtbot, window)
    assert window.current().name == "ticket"
    idle(qtbot, window)
    case = window.station.journey.in_hand.case
    assert case is not None and case.state == "pre_application" and case.channel == "kiosk"
    assert [t.name for t in roll.printed] == ["pre_application"]
    assert "凭条已打印" in shown_text(window)
    signed = qr_of(roll.printed[0])
    press(window, "ticket_done")  # 完成: wiped at once
    assert window.current().name == "start" and window.station.journey.in_hand.case is None

    # At the window, on the hall's shared database: the clerk scans the ticket.
    counter_core = build_core(core.settings)
    try:
        saved = opened_at_the_counter(qtbot, counter_core, None, signed, case)
        pages = {m.material_id: sum(s.pages for s in m.scans) for m in saved.materials}
        assert 2 in pages.values()
    finally:
        counter_core.close()


def test_no_paper_shows_the_qr_on_screen(qtbot: QtBot, window: KioskWindow, roll: Roll) -> None:
    roll.out = True
    to_review(qtbot, window)
    idle(qtbot, window)
    qr = window.findChild(QLabel, "ticket_qr")
    assert qr is not None and qr.isVisible() and not qr.pixmap().isNull()
    assert "二维码" in shown_text(window) and window.message.property("kind") == "warn"
    assert roll.printed == []
    paper = window.findChild(QLabel, "ticket_paper")
    assert paper is not None and paper.text() == window.message.text() == (
        "凭条没有打印出来（打印机暂时不能用）。请用手机拍下屏幕上的二维码，到综合窗口出示；"
        "也可以只报预申请号，或请工作人员帮忙。"
    )  # what to do; the printer's own words (缺纸，请工作人员更换纸卷) are for staff
    steps = window.findChild(QLabel, "ticket_next")
    window_first = window.station.journey.where().places[0]
    assert steps is not None and "\n".join(window_first.lines()) in steps.text()


def test_typed_id_when_the_reader_fails(qtbot: QtBot, window: KioskWindow) -> None:
    reader = window.station.devices.id_reader
    assert isinstance(reader, SimulatedIdReader)
    reader.fail = True
    to_plan(window)
    press(window, "pre_apply")
    assert window.current().name == "identify"
    press(window, "identify_card")
    idle(qtbot, window)
    assert "输入" in window.message.text()
    type_into(window, "typed_name", PERSON.name)
    type_into(window, "typed_number", PERSON.id_number[:-1] + "1")  # a wrong check digit
    assert "校验" in shown_text(window) or "有误" in shown_text(window)
    press(window, "identify_next")
    assert window.current().name == "identify" and window.message.property("kind") == "warn"
    type_into(window, "typed_number", PERSON.id_number)
    assert "1992-03-15 出生" in shown_text(window)
    press(window, "identify_next")
    assert window.current().name == "form"
    in_hand = window.station.journey.in_hand
    assert in_hand.applicant is not None and in_hand.applicant.party.id_number == PERSON.id_number
    assert in_hand.scenario is not None and in_hand.scenario.code == NEWBORN
