"""A counter desk on a fresh SQLite database with the built-in catalog and simulated devices:
the real core and widgets, no platform unless a test adds one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.snapshots import CaseView, Party
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.widgets.tasks import Tasks
from counter.session import Session
from counter.ui.notify import MessageBar
from counter.ui.station import Station
from tests.helpers.cores import Cores

CLERK = Operator("zhangmin", "张敏", "clerk")


@pytest.fixture
def core(cores: Cores) -> Core:
    return cores()


@pytest.fixture
def session(core: Core) -> Session:
    return Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)


@pytest.fixture
def station(qtbot: QtBot, session: Session) -> Iterator[Station]:
    bar = MessageBar()
    qtbot.addWidget(bar)
    errors: list[BaseException] = []

    def failed(exc: BaseException) -> None:
        errors.append(exc)
        bar.show_exception(exc)

    station = Station(session, Tasks(failed, name="work"), Tasks(failed, name="devices"), bar)
    yield station
    station.work.wait()
    station.devices.wait()


@pytest.fixture
def settle(qtbot: QtBot, station: Station) -> Callable[[], None]:
    """Wait until the desk's background work is done and its results have arrived."""

    def wait() -> None:
        qtbot.waitUntil(lambda: not station.work.busy and not station.devices.busy, timeout=15_000)

    return wait


@pytest.fixture
def draft(session: Session) -> CaseView:
    """李芳's 新生儿出生一件事 as a draft with the form filled, every material still missing (her
    card did not read and her number was typed: so her ID card is a material to check too)."""
    return make_draft(session, card=False)


@pytest.fixture
def draft_read(session: Session) -> CaseView:
    """The same draft after 李芳's card was read on the reader."""
    return make_draft(session, card=True)


def make_draft(session: Session, *, card: bool) -> CaseView:
    in_hand = session.in_hand
    applicant = session.devices.id_reader.read() if session.devices.id_reader else None
    assert applicant is not None
    if card:
        in_hand.read_card(applicant)
    else:
        in_hand.type_id(applicant.name, applicant.id_number)
    in_hand.choose(NEWBORN)
    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in in_hand.questions().questions):
            in_hand.answer(question, value)
    person = Party(applicant.name, applicant.id_number)
    for spec in in_hand.plan().fields:
        if not spec.value:
            in_hand.set_field(spec.key, value_for(spec, person))
    return in_hand.open()


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Show ``widget`` as the active window, so that its shortcuts and Tab order work (the
    offscreen platform activates a window only when asked)."""
    widget.show()
    qtbot.waitExposed(widget)
    handle = widget.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)
