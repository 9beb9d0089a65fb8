"""Every real kiosk screen — the walk the README's screenshots take: a pre-application, help,
progress, a rating, the staff screens — measured on a 43-inch portrait and a 27-inch landscape
panel in the normal and the elderly mode against the 适老化 figures (text size, line spacing,
contrast, touch targets). In 长辈模式 each citizen's screen is read aloud: the real espeak-ng
makes the audio, only the loudspeaker is a recorder."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.accounts import hash_password
from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from kiosk.a11y import panel_dpi
from kiosk.idle import IdleWatch
from kiosk.papers import KioskPapers
from kiosk.screenshots import LANDSCAPE, PORTRAIT, settle, walk
from kiosk.ui.window import KioskWindow
from kiosk.voice import EspeakVoice, speakable
from sync.demo import DEMO_PIN
from tests.helpers.a11y import ELDERLY, NORMAL, audit, report
from tests.helpers.cases import accepted
from tests.helpers.clock import Clock
from tests.helpers.cores import Cores
from tests.kiosk.screens import Roll, Tray, journey_for
from tests.kiosk.test_voice import Recorder, seconds

PANELS = {  # the two shapes halls buy: (size in pixels, its density)
    "portrait-43in": (PORTRAIT, panel_dpi(43, *PORTRAIT)),
    "landscape-27in": (LANDSCAPE, panel_dpi(27, *LANDSCAPE)),
}
STAFF_ONLY = {"staff", "staff-status"}  # not read aloud: the citizen's session has ended
EVERY_SCREEN = {
    "start",
    "find",
    "question",
    "plan",
    "identify",
    "form",
    "capture",
    "review",
    "ticket",
    "help",
    "progress",
    "rate",
    *STAFF_ONLY,
}


class Spoken:
    """The kiosk's voice, with what it was asked to say and where the recorder stood then."""

    engine = "espeak-ng"

    def __init__(self, inner: EspeakVoice, recorder: Recorder) -> None:
        self.inner, self.recorder = inner, recorder
        self.said: list[tuple[str, int]] = []

    def say(self, text: str) -> None:
        self.said.append((text, len(self.recorder.events)))
        self.inner.say(text)

    def stop(self) -> None:
        self.inner.stop()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def staffed_core(cores: Cores) -> Core:
    """A kiosk's core with a staff PIN, and a case accepted at the window to look up."""
    core = cores(
        "kiosk",
        terminal={"name": "kiosk-01", "channel": "kiosk"},
        kiosk={"staff_pin_hash": hash_password(DEMO_PIN)},
    )
    accepted(core.cases, core.catalog)
    return core


@pytest.mark.parametrize("panel", PANELS)
@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_every_screen_meets_the_figures_and_is_read_aloud(
    qtbot: QtBot, staffed_core: Core, panel: str, elderly: bool
) -> None:
    core = staffed_core
    size, dpi = PANELS[panel]
    recorder = Recorder()
    voice = Spoken(EspeakVoice(player=recorder), recorder)
    papers = KioskPapers(core)
    papers.a4, papers.tickets = Tray(), Roll()
    window = KioskWindow(
        core,
        journey_for(core),
        Devices(SimulatedIdReader(), SimulatedCapture()),
        papers=papers,
        voice=voice,
        dpi=dpi,
        idle=IdleWatch(core.settings.kiosk, Clock()),
    )
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    findings: dict[str, str] = {}
    shot: list[str] = []

    def check(name: str) -> None:
        settle(window)
        shot.append(name)
        if name not in STAFF_ONLY:  # staff come after a wipe, in the normal mode
            assert window.elderly == elderly, name
        found = audit(window, ELDERLY if window.elderly else NORMAL, dpi)
        if found:
            findings[name] = report(found)
        if not elderly or name in STAFF_ONLY:
            return
        speech = window.current().speech()
        assert speech, f"{name}: nothing to read aloud"
        text, mark = voice.said[-1]
        assert text == speech, name  # the screen on show is the one read
        events = recorder.wait_for(lambda events: any(kind == "play" for kind, _ in events[mark:]))
        wav = next(wav for kind, wav in events[mark:] if kind == "play")
        assert seconds(wav) > 0.05 * len(speakable(speech)), name  # words, not a click

    walk(window, elderly, check)
    window.finish()
    assert set(shot) == EVERY_SCREEN
    assert findings == {}, "\n".join(f"{name}:\n{text}" for name, text in findings.items())
