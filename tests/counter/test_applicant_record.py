"""One applicant record feeds the form and every document: the phone typed at step 1 is in the
form, a phone typed only in the form is printed on the 受理通知书, and a name read from the card
is typed over only when the clerk confirms — then the notice, the form and the audit agree."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.snapshots import Party
from app.identity.card import IdCardData
from counter.session import Session
from counter.ui.form import FormScreen
from counter.ui.identify import IdentifyScreen
from counter.ui.station import Station

Settle = Callable[[], None]


def identify(qtbot: QtBot, station: Station) -> IdentifyScreen:
    screen = IdentifyScreen(station)
    qtbot.addWidget(screen)
    screen.enter()
    return screen


def form(qtbot: QtBot, station: Station) -> FormScreen:
    screen = FormScreen(station)
    qtbot.addWidget(screen)
    screen.show()
    screen.enter()
    return screen


def card(session: Session) -> IdCardData:
    reader = session.devices.id_reader
    assert reader is not None
    read = reader.read()
    assert read is not None
    return read


def answered(session: Session) -> None:
    in_hand = session.in_hand
    in_hand.choose(NEWBORN)
    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in in_hand.questions().questions):
            in_hand.answer(question, value)


def fill_rest(session: Session, screen: FormScreen) -> None:
    in_hand = session.in_hand
    assert in_hand.applicant is not None
    person = Party(in_hand.applicant.party.name, in_hand.applicant.party.id_number)
    for spec in in_hand.plan().fields:
        editor = screen.editors[spec.key]
        if not editor.text():
            editor.set_text(value_for(spec, person))
            in_hand.set_field(spec.key, editor.text())


def printed_text(session: Session, receipt_no: str, tmp_path: Path) -> str:
    pdf = tmp_path / "acceptance.pdf"
    pdf.write_bytes(session.papers.preview(receipt_no, "acceptance"))
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def question(qtbot: QtBot, parent: object) -> QMessageBox:
    qtbot.waitUntil(lambda: getattr(parent, "question", None) is not None, timeout=5000)
    box = parent.question  # type: ignore[attr-defined]
    assert isinstance(box, QMessageBox) and box.isVisible()
    return box


def test_the_phone_typed_at_step_one_is_in_the_form_and_on_the_notice(
    qtbot: QtBot, station: Station, session: Session, settle: Settle, tmp_path: Path
) -> None:
    step1 = identify(qtbot, station)
    step1.read_card()  # F2
    settle()
    qtbot.keyClicks(step1.phone, "13800138000")
    with qtbot.waitSignal(step1.identified, timeout=5000):
        step1.next.click()
    answered(session)
    screen = form(qtbot, station)
    assert screen.editors["applicant.phone"].text() == "13800138000"
    fill_rest(session, screen)
    with qtbot.waitSignal(screen.done, timeout=5000):
        screen.next.click()
    case = session.in_hand.case
    assert case is not None and case.applicant.phone == "13800138000"
    assert case.form_data["applicant.phone"] == "13800138000"


def test_a_phone_typed_only_in_the_form_is_printed(
    qtbot: QtBot, station: Station, session: Session, settle: Settle, tmp_path: Path
) -> None:
    session.in_hand.read_card(card(session))
    answered(session)
    screen = form(qtbot, station)
    phone = screen.editors["applicant.phone"]
    assert phone.text() == ""
    phone.editor.setFocus()
    qtbot.keyClicks(phone.editor, "13912345678")
    fill_rest(session, screen)
    with qtbot.waitSignal(screen.done, timeout=5000):
        screen.next.click()
    in_hand = session.in_hand
    in_hand.receive_all()
    case = in_hand.accept()
    assert case.applicant.phone == "13912345678"
    text = printed_text(session, case.receipt_no, tmp_path)
    assert "13912345678" in text.replace(" ", "")


def test_a_name_read_from_the_card_changes_only_when_confirmed(
    qtbot: QtBot, station: Station, session: Session, settle: Settle, tmp_path: Path
) -> None:
    in_hand = session.in_hand
    in_hand.read_card(card(session))
    answered(session)
    screen = form(qtbot, station)
    name = screen.editors["applicant.name"]
    assert name.text() == "李芳"
    name.set_text("李芳芳")  # typed through the input method (QTest types only Latin keys)
    screen.changed(name, name.text(), final=True)  # the clerk leaves the field
    box = question(qtbot, screen)
    assert "李芳" in box.text() and "李芳芳" in box.text()
    keep = box.findChild(QPushButton, "keep_card")
    assert keep is not None
    keep.click()
    qtbot.waitUntil(lambda: name.text() == "李芳", timeout=5000)
    assert in_hand.applicant is not None and in_hand.applicant.party.name == "李芳"

    name.set_text("李芳芳")
    screen.changed(name, name.text(), final=False)
    fill_rest(session, screen)
    screen.next.click()  # saving asks first
    box = question(qtbot, screen)
    confirm = box.findChild(QPushButton, "confirm_change")
    assert confirm is not None
    with qtbot.waitSignal(screen.done, timeout=5000):
        confirm.click()
    case = session.core.cases.get(in_hand.case.receipt_no)  # type: ignore[union-attr]
    assert case.applicant.name == "李芳芳" and case.form_data["applicant.name"] == "李芳芳"
    corrected = [
        e for e in session.core.cases.timeline(case.receipt_no) if e.action == "correct_applicant"
    ]
    assert len(corrected) == 1
    (correction,) = (corrected[0].after or {})["corrections"]
    assert (correction["field"], correction["from"], correction["to"]) == ("姓名", "李芳", "李芳芳")
    in_hand.receive_all()
    accepted = in_hand.accept()
    assert "李芳芳" in printed_text(session, accepted.receipt_no, tmp_path)


def test_the_number_typed_over_at_step_one_is_asked_about(
    qtbot: QtBot, station: Station, session: Session, settle: Settle
) -> None:
    step1 = identify(qtbot, station)
    step1.read_card()  # F2
    settle()
    step1.name.setText("王芳")
    step1.next.click()
    box = question(qtbot, step1)
    keep = box.findChild(QPushButton, "keep_card")
    assert keep is not None
    with qtbot.waitSignal(step1.identified, timeout=5000):
        keep.click()
    assert step1.name.text() == "李芳"
    applicant = session.in_hand.applicant
    assert applicant is not None and applicant.party.name == "李芳" and applicant.card
