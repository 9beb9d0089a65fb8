"""培训模式 (国办发〔2025〕24号 (十六)) at the real counter: the trainee signs in with a hall
account, practises with a test person's card beside the (absent) real reader, and accepts a case
that stays in the terminal's practice database — numbered apart (PX…), never sent to the
platform, in none of the hall's figures — and whose every printed page says 培训."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.accounts import Accounts
from app.bootstrap import build_core
from app.cases.audit import Actor
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.devices.drivers import devices_of
from app.reports.figures import Period
from app.reports.periods import period_report
from app.settings import Settings, TerminalSettings
from counter.main import CounterApp
from printing.jobs import printers_of
from printing.tickets import Line, Ticket
from tests.counter.conftest import activate
from tests.counter.test_window_flows import idle, print_through, tray, with_tray

TRAINEE = ("xiaowang", "王小丽", "peixun1234")


def practice_settings(tmp_path: Path, url: str = "") -> Settings:
    settings = Settings(
        data_dir=tmp_path / "hall", terminal=TerminalSettings(name="counter-09", training=True)
    )
    if url:
        platform = settings.platform.model_copy(update={"url": url, "token": "t"})
        settings = settings.model_copy(update={"platform": platform})
    return settings


def test_a_trainee_practises_and_nothing_reaches_the_hall(qtbot: QtBot, tmp_path: Path) -> None:
    settings = practice_settings(tmp_path, url="http://127.0.0.1:9/")  # configured, never used
    hall_settings = settings.model_copy(
        update={"terminal": settings.terminal.model_copy(update={"training": False})}
    )
    hall = build_core(hall_settings)
    try:
        username, name, password = TRAINEE
        Accounts(hall.db).add(username, name, password, by=Actor("管理员", "admin-01"))
    finally:
        hall.close()

    counter = CounterApp(settings)
    try:
        operator = counter.sign_in(TRAINEE[0], TRAINEE[2])  # the hall's account
        window = counter.start(operator)
        qtbot.addWidget(window)
        assert counter.sync is None and counter.platform is None  # nothing goes out
        with_tray(window.station.session)
        activate(qtbot, window)
        assert window.training.isVisible() and "培训模式" in window.windowTitle()
        assert "PX" in window.training.text()

        identify = window.identify
        assert window.station.session.devices.id_reader is None  # no real reader here
        assert identify.practice.isVisible()
        identify.practice.click()  # a test person's card instead
        idle(qtbot, window)
        in_hand = window.station.session.in_hand
        assert in_hand.applicant is not None
        in_hand.choose(NEWBORN)
        for question, value in NEWBORN_ANSWERS.items():
            if any(q.id == question for q in in_hand.questions().questions):
                in_hand.answer(question, value)
        applicant = in_hand.applicant.party
        for spec in in_hand.plan().fields:
            if not in_hand.form_values().get(spec.key):
                in_hand.set_field(spec.key, value_for(spec, applicant))
        case = in_hand.open()
        in_hand.receive_all()
        window.go(window.pages.indexOf(window.decision))
        window.decision.accept_button.click()
        print_through(qtbot, window, 1)  # the bar said why not, had it been refused
        assert [d for _, d, _ in tray(window).printed] == ["acceptance"]
        receipt_no = case.receipt_no
        assert re.match(r"^PX430100001-\d{8}-00001$", receipt_no)

        pdf = tmp_path / "acceptance.pdf"
        pdf.write_bytes(window.station.session.papers.preview(receipt_no, "acceptance"))
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "培训" in text and "不作为办事凭证" in text and "（培训）长政务受字" in text
        assert window.status.online.text() == "● 培训模式（不报送平台）"
        assert window.status.outbox.text() == "队列：培训，不发送"
        window.close()
    finally:
        counter.close()

    assert (tmp_path / "hall" / "training" / "onestop.sqlite3").exists()
    hall = build_core(hall_settings)
    try:  # the hall's own database: no case, no number used, nothing in its figures
        today = date.today()
        figures = period_report(hall.db, hall.calendar, Period(today, today)).total
        assert figures.accepted == 0 and hall.cases.verifications.due() == []
        assert hall.outbox.counts().get("pending", 0) == 0
        with hall.db.read() as session:
            from app.db.models import CaseRow, ReceiptCounter

            assert session.query(CaseRow).count() == 0
            assert session.query(ReceiptCounter).count() == 0
    finally:
        hall.close()


def test_practice_tickets_and_devices(tmp_path: Path) -> None:
    settings = practice_settings(tmp_path)
    devices = devices_of(settings)
    assert devices.id_reader is None and devices.practice_reader is not None
    assert devices.practice_reader.read(1.0) is not None  # a test person's card
    real = devices_of(Settings(data_dir=tmp_path / "other"))
    assert real.practice_reader is None  # outside training: nothing simulated is added

    ticket = Ticket("acceptance", (Line("text", "受理编号：PX430100001-20261208-00001"),))
    marked = ticket.for_training()
    assert marked.lines[0] == Line("big", "【培训】") and marked.lines[-1].text.startswith("培训")
    with_ticket = settings.printing.model_copy(
        update={"ticket": settings.printing.ticket.model_copy(update={"kind": "file"})}
    )
    _, _, tickets = printers_of(settings.model_copy(update={"printing": with_ticket}))
    assert tickets is not None and getattr(tickets, "training", False) is True
