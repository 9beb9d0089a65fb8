"""A kiosk's screen is seen by whoever stands behind the citizen: walking every screen with a
pre-application filled in (ID numbers, a bank card, phones) and a case looked up, no label or
button shows a full ID number, bank card number or phone number (app.identity.masking)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.accounts import hash_password
from app.bootstrap import Core
from app.cases.demo import SAMPLES
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.identity.masking import mask_number
from kiosk.idle import IdleWatch
from kiosk.papers import KioskPapers
from kiosk.screenshots import PORTRAIT, walk
from kiosk.ui.window import KioskWindow
from sync.demo import DEMO_PIN
from tests.helpers.cases import accepted
from tests.helpers.clock import Clock
from tests.kiosk.screens import Roll, Tray, journey_for, shown_text


def test_no_screen_shows_a_whole_number(qtbot: QtBot, core: Core) -> None:
    core.settings = core.settings.model_copy(
        update={
            "kiosk": core.settings.kiosk.model_copy(
                update={"staff_pin_hash": hash_password(DEMO_PIN)}
            )
        }
    )
    looked_up = accepted(core.cases, core.catalog)
    papers = KioskPapers(core)
    papers.a4, papers.tickets = Tray(), Roll()
    reader = SimulatedIdReader()
    window = KioskWindow(
        core,
        journey_for(core),
        Devices(reader, SimulatedCapture()),
        papers=papers,
        idle=IdleWatch(core.settings.kiosk, Clock()),
    )
    qtbot.addWidget(window)
    window.resize(*PORTRAIT)
    window.show()
    whole = {looked_up.applicant.id_number}
    names: set[str] = set()
    seen: dict[str, str] = {}

    def look(name: str) -> None:
        in_hand = window.station.journey.in_hand
        if in_hand.applicant is not None:
            whole.add(in_hand.applicant.party.id_number)
            names.add(in_hand.applicant.party.name)
        if in_hand.scenario is not None and in_hand.case is None:
            values = in_hand.form_values()
            whole.update(
                values[f.key]
                for f in window.station.journey.fields()
                if f.type in ("id_number", "bank_account", "phone") and values.get(f.key)
            )
        text = (
            shown_text(window)
            + " "
            + " ".join(push.text() for push in window.findChildren(QPushButton) if push.isVisible())
        )
        seen[name] = text

    walk(window, False, look)
    assert "review" in seen and "ticket" in seen and "progress" in seen
    assert SAMPLES["bank_account"] in whole and len(whole) >= 4
    assert mask_number(SAMPLES["bank_account"]) in seen["review"]  # masked, still there
    shown = {name: [n for n in whole if n in text] for name, text in seen.items()}
    assert shown == {name: [] for name in seen}
    assert names and not [n for n in names if n in seen["review"]]  # 姓名 masked there too
    window.close()
