"""Whole cases through the counter's main window, with the reference platform on the far side:
accept, accept on commitment, not accept, a kiosk pre-application picked up by its QR code,
offline then back online, and a draft resumed after the app was killed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core, build_core
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.intake import MaterialCheck
from app.cases.snapshots import CaseView, Party
from app.catalog.catalog import Catalog
from app.devices.drivers import Devices
from app.devices.simulated import TEST_PERSONS, SimulatedCapture, SimulatedIdReader
from app.settings import Settings
from counter.session import Session
from counter.ui.decision import CommitmentDialog
from counter.ui.window import DECISION, FORM, IDENTIFY, MATERIALS, MainWindow
from printing import qr
from printing.documents import DOCUMENTS
from printing.thermal import TicketPrinter
from sync.server.app import RunningPlatform
from sync.server.faults import Faults
from sync.server.store import PlatformStore
from sync.worker import SyncWorker, platform_of
from tests.counter.conftest import activate
from tests.helpers.catalogs import tolerable_catalog
from tests.helpers.cores import Cores
from tests.helpers.keys import ring

CLERK = Operator("zhangmin", "张敏", "clerk")


TITLES = {d.title: d.name for d in DOCUMENTS.values()}


class PaperTray:
    """The A4 printer's far side (an :class:`A4Printer`): what reached it, as (receipt number,
    document, PDF size); the case's print journal is written by the real print path."""

    name = "tray"

    def __init__(self) -> None:
        self.printed: list[tuple[str, str, str]] = []

    def send(self, pdf: bytes, *, title: str) -> str:
        receipt_no, document_title = title.split(" ", 1)
        assert pdf.startswith(b"%PDF")
        self.printed.append((receipt_no, TITLES[document_title], ""))
        return f"tray-{len(self.printed)}"


def with_tray(session: Session) -> PaperTray:
    tray = PaperTray()
    session.papers.a4 = tray
    return tray


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[RunningPlatform, str]]:
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(0))
    token = store.add_terminal("counter-01", "430100001")
    with RunningPlatform(store, tick_s=0.05) as running:
        yield running, token
    store.close()


@pytest.fixture
def core(cores: Cores, platform: tuple[RunningPlatform, str]) -> Core:
    running, token = platform
    return cores("hall", platform={"url": running.url, "token": token, "timeout_s": 3})


@pytest.fixture
def worker(core: Core) -> Iterator[SyncWorker]:
    """The terminal's sync, run by hand (run_once) so a test decides when it talks."""
    platform = platform_of(core)
    yield SyncWorker(core, platform)
    platform.close()


@pytest.fixture
def window(qtbot: QtBot, core: Core) -> Iterator[MainWindow]:
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    with_tray(session)
    window = MainWindow(session, status_every_ms=200)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    activate(qtbot, window)
    yield window
    window.close()


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: not window.station.work.busy and not window.station.devices.busy, timeout=20_000
    )


def tray(window: MainWindow) -> PaperTray:
    a4 = window.station.session.papers.a4
    assert isinstance(a4, PaperTray)
    return a4


def to_form(qtbot: QtBot, window: MainWindow) -> dict[str, str]:
    """李芳 at the window for 新生儿出生一件事: card, scenario, questions through the screens and
    their buttons, then the form filled in; what the form holds."""
    window.identify.read.click()
    idle(qtbot, window)
    window.identify.phone.setText("13800138000")
    window.identify.next.click()
    idle(qtbot, window)
    assert window.pages.currentWidget() is window.scenario
    window.scenario.search.setText("xse")
    window.scenario.button.click()
    assert window.pages.currentWidget() is window.questions
    for question, value in NEWBORN_ANSWERS.items():
        if question in window.questions.rows:
            row = window.questions.rows[question]
            if row.combo is not None and value in row.values:
                index = row.values.index(value) + 1
                row.combo.setCurrentIndex(index)
                row.combo.activated.emit(index)
    assert window.questions.next.isEnabled(), window.questions.summary.text()
    window.questions.next.click()
    idle(qtbot, window)
    assert window.pages.currentIndex() == FORM
    person = Party(TEST_PERSONS[0].name, TEST_PERSONS[0].id_number)
    for spec in window.station.session.in_hand.plan().fields:
        editor = window.form.editors[spec.key]
        if not editor.text():
            editor.set_text(value_for(spec, person))
    return {key: editor.text() for key, editor in window.form.editors.items()}


def to_decision(qtbot: QtBot, window: MainWindow, *, receive: bool = True) -> CaseView:
    """Up to the decision: :func:`to_form`, then the materials (all received)."""
    to_form(qtbot, window)
    window.form.next.click()
    idle(qtbot, window)
    assert window.pages.currentIndex() == MATERIALS, window.bar.text()
    in_hand = window.station.session.in_hand
    if receive:
        window.station.work.run(in_hand.receive_all, label="全部收齐")
        idle(qtbot, window)
    window.go(DECISION)
    assert in_hand.case is not None
    return in_hand.case


def print_through(qtbot: QtBot, window: MainWindow, count: int) -> None:
    """Each document's preview comes up; the clerk prints it."""
    for _ in range(count):
        qtbot.waitUntil(
            lambda: (
                window.decision.printouts.dialog is not None
                and window.decision.printouts.dialog.isVisible()
            ),
            timeout=20_000,
        )
        dialog = window.decision.printouts.dialog
        assert dialog is not None
        assert dialog.findChild(type(dialog.print_button), "preview_print") is not None
        dialog.print_button.click()
        window.decision.printouts.dialog = None
        idle(qtbot, window)


def test_accept_prints_and_reaches_the_platform(
    qtbot: QtBot,
    window: MainWindow,
    platform: tuple[RunningPlatform, str],
    core: Core,
    worker: SyncWorker,
) -> None:
    case = to_decision(qtbot, window)
    assert "缺 0 种" in window.decision.summary.text()
    window.decision.accept_button.click()
    print_through(qtbot, window, 1)
    assert tray(window).printed == [(case.receipt_no, "acceptance", "")]
    journal = [
        (e.action, (e.after or {}).get("document"), (e.after or {}).get("printer"))
        for e in core.cases.timeline(case.receipt_no)
        if e.action == "print"
    ]
    assert journal == [("print", "acceptance", "tray")]
    assert core.cases.get(case.receipt_no).state == "accepted"
    assert window.pages.currentIndex() == IDENTIFY  # ready for the next person
    assert window.station.session.in_hand.case is None
    assert "请接待下一位" in window.bar.text()
    running, _ = platform
    worker.run_once()
    assert running.store.stats()["cases"] == 1
    assert core.outbox.counts().get("delivered", 0) >= 1
    qtbot.waitUntil(
        lambda: window.status.last is not None and window.status.last.today == 1, timeout=5000
    )
    assert window.status.today.text() == "今日办件 1"


def test_accept_on_commitment(qtbot: QtBot, tmp_path: Path, catalog: Catalog) -> None:
    core = build_core(Settings(data_dir=tmp_path / "commitment"), tolerable_catalog(catalog))
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    with_tray(session)
    window = MainWindow(session, status_every_ms=10_000)
    qtbot.addWidget(window)
    activate(qtbot, window)
    try:
        case = to_decision(qtbot, window, receive=False)
        in_hand = session.in_hand
        late = next(m for m in case.materials if m.plan_status == "tolerable")
        others = [
            MaterialCheck(m.material_id, "received_original")
            for m in case.materials
            if m.status == "missing" and m.plan_status == "submit"
        ]
        window.station.work.run(lambda: in_hand.receive(others), label="收材料")
        idle(qtbot, window)
        window.go(DECISION)
        window.decision.commit_button.click()
        dialog = window.decision.dialog
        assert isinstance(dialog, CommitmentDialog)
        assert dialog.boxes[late.material_id].isChecked()
        assert dialog.signed.text() == "李芳"
        dialog.accept()
        print_through(qtbot, window, 2)
        assert [d for _, d, _ in tray(window).printed] == ["commitment", "acceptance"]
        saved = core.cases.get(case.receipt_no)
        assert saved.state == "accepted_on_commitment"
        assert saved.commitment is not None and saved.commitment["materials"] == [late.material_id]
        assert saved.material(late.material_id).status == "on_commitment"
    finally:
        window.close()
        core.close()


def test_not_accepted_lists_the_missing_materials(
    qtbot: QtBot, window: MainWindow, core: Core
) -> None:
    case = to_decision(qtbot, window, receive=False)
    assert "缺少：" in window.decision.summary.text()
    window.decision.refuse_button.click()
    dialog = window.decision.dialog
    assert dialog is not None
    dialog.accept()
    print_through(qtbot, window, 1)
    saved = core.cases.get(case.receipt_no)
    assert saved.state == "not_accepted"
    assert saved.not_accepted is not None and saved.not_accepted["ground"] == "4"
    assert len(saved.not_accepted["supplement"]) >= 1
    assert tray(window).printed == [(case.receipt_no, "not_accepted", "")]


def test_accept_with_materials_missing_is_refused_and_nothing_lost(
    qtbot: QtBot, window: MainWindow, core: Core
) -> None:
    case = to_decision(qtbot, window, receive=False)
    window.decision.accept_button.click()
    idle(qtbot, window)
    assert window.bar.kind == "error" and "未收取" in window.bar.text()
    assert core.cases.get(case.receipt_no).state == "draft"
    assert tray(window).printed == []


def test_forged_and_foreign_codes_are_refused(qtbot: QtBot, window: MainWindow, core: Core) -> None:
    window.scanned("https://example.com/not-ours")
    idle(qtbot, window)
    assert window.bar.kind == "error" and "不是本系统" in window.bar.text()
    forged = qr.sign(
        "430100001-20261123-00001", ring(b"another hall's key", core.receipt_keys.current)
    )
    window.scanned(forged)
    idle(qtbot, window)
    assert "签名不符" in window.bar.text()
    window.scanned(TEST_PERSONS[1].id_number)
    assert window.identify.number.text() == TEST_PERSONS[1].id_number


def test_pre_application_picked_up_by_its_qr(qtbot: QtBot, window: MainWindow, core: Core) -> None:
    person = TEST_PERSONS[0]
    guide_flow = window.station.session.in_hand
    guide_flow.read_card(person)
    guide_flow.choose(NEWBORN)
    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in guide_flow.questions().questions):
            guide_flow.answer(question, value)
    party = Party(person.name, person.id_number, phone="13800138000")
    form = {f.key: f.value or value_for(f, party) for f in guide_flow.plan().fields}
    kiosk_case = core.cases.open_case(
        window.station.session.actor,
        channel="kiosk",
        scenario=NEWBORN,
        applicant=party,
        answers=guide_flow.answers,
        facts=guide_flow.facts,
        form=form,
    )
    guide_flow.reset()
    window.scanned(qr.sign(kiosk_case.receipt_no, core.receipt_keys))
    idle(qtbot, window)
    assert window.pages.currentIndex() == MATERIALS
    in_hand = window.station.session.in_hand
    assert in_hand.case is not None and in_hand.case.receipt_no == kiosk_case.receipt_no
    assert in_hand.applicant is not None and in_hand.applicant.party.name == person.name
    window.station.work.run(in_hand.receive_all, label="全部收齐")
    idle(qtbot, window)
    window.go(DECISION)
    window.decision.accept_button.click()
    print_through(qtbot, window, 1)
    assert core.cases.get(kiosk_case.receipt_no).state == "accepted"


def test_offline_then_online(
    qtbot: QtBot,
    window: MainWindow,
    core: Core,
    platform: tuple[RunningPlatform, str],
    worker: SyncWorker,
) -> None:
    running, _ = platform
    running.faults.set(Faults(outage_s=3600))
    case = to_decision(qtbot, window)
    window.decision.accept_button.click()
    print_through(qtbot, window, 1)
    worker.run_once(rounds=2)
    qtbot.waitUntil(lambda: window.status.online.text() == "● 离线", timeout=5000)
    assert "待发送" in window.status.outbox.text() or "重试中" in window.status.outbox.text()
    running.faults.set(Faults())
    for message in core.outbox.messages(states=("retrying",)):  # the clerk: 重发, not waiting
        core.outbox.resend(message.id, window.station.session.actor)
    worker.run_once(rounds=5)
    assert core.outbox.counts().get("delivered", 0) >= 1
    qtbot.waitUntil(lambda: window.status.online.text() == "● 在线", timeout=5000)
    assert core.cases.get(case.receipt_no).state in ("accepted", "completed")


def test_draft_offered_again_after_a_kill(qtbot: QtBot, tmp_path: Path, core: Core) -> None:
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    in_hand = session.in_hand
    card = TEST_PERSONS[0]
    in_hand.read_card(card)
    in_hand.choose(NEWBORN)
    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in in_hand.questions().questions):
            in_hand.answer(question, value)
    draft = in_hand.open()  # ... and the app is killed here: a new window starts
    window = MainWindow(Session(core, CLERK, Devices(), None), status_every_ms=10_000)
    qtbot.addWidget(window)
    window.show()
    window.offer_unfinished()
    qtbot.waitUntil(lambda: getattr(window, "resume_dialog", None) is not None, timeout=5000)
    dialog = window.resume_dialog
    assert draft.receipt_no in dialog.list.item(0).text()
    dialog.accept()
    idle(qtbot, window)
    assert window.pages.currentIndex() == FORM
    assert window.station.session.in_hand.case is not None
    assert window.station.session.in_hand.case.receipt_no == draft.receipt_no
    QApplication.processEvents()
    window.close()


@pytest.mark.parametrize("works", [True, False], ids=["slip", "printer-off"])
def test_acceptance_slip_on_the_thermal_printer(qtbot: QtBot, tmp_path: Path, works: bool) -> None:
    spool = tmp_path / "ticket.bin"
    settings = Settings(data_dir=tmp_path / "slip")
    ticket = settings.printing.ticket.model_copy(
        update=(
            {"kind": "file", "address": str(spool)}
            if works
            else {"kind": "network", "address": "127.0.0.1:9", "timeout_s": 1}
        )
    )
    settings = settings.model_copy(
        update={"printing": settings.printing.model_copy(update={"ticket": ticket})}
    )
    core = build_core(settings)
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    with_tray(session)
    window = MainWindow(session, status_every_ms=10_000)
    qtbot.addWidget(window)
    activate(qtbot, window)
    try:
        case = to_decision(qtbot, window)
        window.decision.accept_button.click()
        print_through(qtbot, window, 1)
        idle(qtbot, window)
        assert core.cases.get(case.receipt_no).state == "accepted"
        assert window.pages.currentIndex() == IDENTIFY
        if works:
            assert case.receipt_no.encode() in spool.read_bytes()
            assert window.bar.kind == "info"
        else:
            assert window.bar.kind == "error" and "凭条打印机" in window.bar.text()
            assert case.receipt_no in window.bar.text()
            assert session.papers.tickets is not None and len(session.papers.tickets.waiting) == 1
            window.status.refresh()
            qtbot.waitUntil(
                lambda: window.status.slips.text() == "凭条待打印 1：重新打印", timeout=5000
            )
            printer = session.papers.tickets
            assert isinstance(printer, TicketPrinter)
            printer.settings = printer.settings.model_copy(  # the printer is back (a file here)
                update={"kind": "file", "address": str(spool)}
            )
            window.status.slips.click()
            idle(qtbot, window)
            assert printer.waiting == [] and case.receipt_no.encode() in spool.read_bytes()
            assert "已补打 1 张凭条" in window.bar.text()
    finally:
        window.close()
        core.close()


def test_receipt_qr_read_from_a_picture(
    qtbot: QtBot, window: MainWindow, core: Core, tmp_path: Path
) -> None:
    case = to_decision(qtbot, window)
    window.decision.accept_button.click()
    print_through(qtbot, window, 1)
    picture = tmp_path / "receipt.png"
    segno.make_qr(qr.sign(case.receipt_no, core.receipt_keys)).save(str(picture), scale=8)
    window.identify.code_from_file(picture)
    idle(qtbot, window)
    assert window.tabs.currentWidget() is window.cases
    qtbot.waitUntil(
        lambda: [r.receipt_no for r in window.cases.model.rows] == [case.receipt_no], timeout=5000
    )
    blank = tmp_path / "blank.png"
    blank.write_bytes(SimulatedCapture().capture().png)
    window.identify.code_from_file(blank)
    idle(qtbot, window)
    assert "没有找到二维码" in window.bar.text()
    window.identify.code_from_camera()  # the simulated camera's pages carry no code either
    idle(qtbot, window)
    assert "没有找到二维码" in window.bar.text()


def test_a_locked_database_loses_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    """Another terminal holds the hall's database: the form step says so and stays where it is
    with everything typed; once the lock is gone the same click goes on."""
    settings = Settings(data_dir=tmp_path / "hall")
    settings = settings.model_copy(
        update={"database": settings.database.model_copy(update={"busy_timeout_s": 0.3})}
    )
    core = build_core(settings)
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    window = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(window)
    activate(qtbot, window)
    try:
        typed = to_form(qtbot, window)

        database = core.db.engine.url.database
        assert database
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the other terminal's write transaction
        window.form.next.click()
        idle(qtbot, window)
        assert window.bar.kind == "error"
        assert "数据库正被其他终端占用" in window.bar.text() and "再试" in window.bar.text()
        assert window.pages.currentIndex() == FORM
        assert {key: editor.text() for key, editor in window.form.editors.items()} == typed

        other.execute("ROLLBACK")
        other.close()
        window.form.next.click()
        idle(qtbot, window)
        assert window.pages.currentIndex() == MATERIALS, window.bar.text()
        case = core.cases.get(session.in_hand.case.receipt_no)  # type: ignore[union-attr]
        assert case.form_data == typed
    finally:
        window.close()
        core.close()
