"""Every shortcut the README promises the clerk, pressed on the real window built by the real
composition root (with its idle lock), and what it did checked — a key registered twice on one
window fires neither, and only pressing it shows that."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.snapshots import Party
from counter.main import CounterApp
from counter.ui.window import DECISION, FORM, IDENTIFY, MATERIALS, SCENARIO, MainWindow
from tests.counter.apps import CLERK, PASSWORD, counter_with_a_clerk
from tests.counter.conftest import activate

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_shortcuts() -> list[str]:
    """The keys of the README's 快捷键 list (Alt+1…6 stands for six keys)."""
    line = next(x for x in README.read_text(encoding="utf-8").splitlines() if "快捷键：" in x)
    listed = line.split("快捷键：", 1)[1].split("。", 1)[0]
    keys = [re.split(r"\s", part.strip(), maxsplit=1)[0] for part in listed.split("、")]
    expanded: list[str] = []
    for key in keys:
        ranged = re.fullmatch(r"(.+\+)(\d)…(\d)", key)
        if ranged:
            prefix, first, last = ranged.groups()
            expanded += [f"{prefix}{n}" for n in range(int(first), int(last) + 1)]
        else:
            expanded.append(key)
    return expanded


@pytest.fixture
def counter(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[CounterApp, MainWindow]]:
    app = counter_with_a_clerk(tmp_path)
    try:
        window = app.start(app.sign_in(CLERK, PASSWORD))
        qtbot.addWidget(window)
        activate(qtbot, window)
        yield app, window
        window.station.work.wait()
        window.station.devices.wait()
    finally:
        app.close()


def press(qtbot: QtBot, window: MainWindow, keys: str) -> None:
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    sequence = QKeySequence(keys.replace("Enter", "Return"))
    combination = sequence[0]  # type: ignore[index]  # QKeySequence.operator[] (stubs lack it)
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, combination.key(), combination.keyboardModifiers())


def settle(qtbot: QtBot, window: MainWindow) -> None:
    station = window.station
    qtbot.waitUntil(lambda: not station.work.busy and not station.devices.busy, timeout=15_000)


def fill_case(window: MainWindow) -> None:
    """A draft of 新生儿出生一件事 in hand, its form filled (as the clerk would have)."""
    in_hand = window.station.session.in_hand
    in_hand.choose(NEWBORN)
    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in in_hand.questions().questions):
            in_hand.answer(question, value)
    assert in_hand.applicant is not None
    person = Party(in_hand.applicant.party.name, in_hand.applicant.party.id_number)
    for spec in in_hand.plan().fields:
        if not spec.value:
            in_hand.set_field(spec.key, value_for(spec, person))
    in_hand.open()


def test_every_shortcut_the_readme_lists_does_what_it_says(
    qtbot: QtBot, counter: tuple[CounterApp, MainWindow]
) -> None:
    app, window = counter
    in_hand = window.station.session.in_hand
    checks: dict[str, Callable[[], None]] = {}

    def f2() -> None:
        press(qtbot, window, "F2")
        settle(qtbot, window)
        assert in_hand.applicant is not None and in_hand.applicant.card is not None
        assert in_hand.applicant.party.name in window.who.text()

    def f3() -> None:
        press(qtbot, window, "F3")
        assert window.pages.currentIndex() == SCENARIO

    def alt(step: int) -> Callable[[], None]:
        def go() -> None:
            if step == IDENTIFY + 1:  # a case in hand, so that every step can be reached
                fill_case(window)
            press(qtbot, window, f"Alt+{step}")
            assert window.tabs.currentIndex() == 0 and window.pages.currentIndex() == step - 1

        return go

    def ctrl_enter() -> None:
        window.go(FORM)
        press(qtbot, window, "Ctrl+Enter")  # a button's shortcut clicks it a moment later
        qtbot.waitUntil(lambda: window.pages.currentIndex() == MATERIALS, timeout=5000)
        press(qtbot, window, "Ctrl+Enter")  # step 5 goes on to the decision as well
        qtbot.waitUntil(lambda: window.pages.currentIndex() == DECISION, timeout=5000)

    def ctrl_f() -> None:
        press(qtbot, window, "Ctrl+F")
        assert window.tabs.currentWidget() is window.cases

    def ctrl_n() -> None:
        window.tabs.setCurrentIndex(0)
        press(qtbot, window, "Ctrl+N")
        assert in_hand.applicant is None and in_hand.case is None
        assert window.pages.currentIndex() == IDENTIFY

    def ctrl_l() -> None:
        press(qtbot, window, "Ctrl+L")
        assert window.content.isHidden() and app.lock_dialog.isVisible()
        app.lock_dialog.password.setText(PASSWORD)
        with qtbot.waitSignal(app.lock_dialog.tried, timeout=10_000):
            app.lock_dialog.button.click()
        assert not window.content.isHidden()

    checks.update(
        {
            "F2": f2,
            "F3": f3,
            "Ctrl+Enter": ctrl_enter,
            "Ctrl+F": ctrl_f,
            "Ctrl+N": ctrl_n,
            "Ctrl+L": ctrl_l,
        }
    )
    checks.update({f"Alt+{n}": alt(n) for n in range(1, 7)})
    listed = readme_shortcuts()
    assert set(listed) == set(checks), "README 列出的快捷键与测试不一致"
    # In a clerk's order: the card, the scenario, every step, the form saved, search, next, lock.
    order = [
        "F2",
        "F3",
        *(f"Alt+{n}" for n in range(1, 7)),
        "Ctrl+Enter",
        "Ctrl+F",
        "Ctrl+N",
        "Ctrl+L",
    ]
    for keys in order:
        checks[keys]()
    assert window.bar.kind != "error" or "扫码" not in window.bar.text()
    assert QApplication.focusWidget() is not None
