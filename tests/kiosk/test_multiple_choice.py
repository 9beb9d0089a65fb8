"""A multiple-choice question at the kiosk (水电气网联合报装: which connections; 残疾人服务: which
joint items): each tap marks or unmarks an option, 确定 answers with all of them, and an option
that excludes the others (都不申请) clears them."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton

from kiosk.ui.window import KioskWindow
from tests.kiosk.screens import press

ELIGIBLE = {"construction_unit": "yes", "project_scope": "yes", "project_in_changsha": "yes"}


def _shown(window: KioskWindow) -> dict[str, str]:
    QApplication.processEvents()
    return {
        push.objectName(): push.text()
        for push in window.current().findChildren(QPushButton)
        if push.objectName().startswith("answer_") and push.isVisible()
    }


def test_several_connections_are_chosen_then_confirmed(window: KioskWindow) -> None:
    journey = window.station.journey
    journey.choose("43TCN0004")
    journey.in_hand.answers = dict(ELIGIBLE)
    journey.position = next(
        i for i, q in enumerate(journey.in_hand.questions().questions) if q.id == "hookups"
    )
    window.station.go("question")
    shown = _shown(window)
    assert shown["answer_done"] == "请至少选一项"
    done = window.findChild(QPushButton, "answer_done")
    assert done is not None and not done.isEnabled()
    press(window, "answer_water")
    press(window, "answer_power")
    press(window, "answer_gas")
    press(window, "answer_power")  # changed her mind: unmarked
    shown = _shown(window)
    assert shown["answer_water"].startswith("✔ ") and shown["answer_gas"].startswith("✔ ")
    assert not shown["answer_power"].startswith("✔ ")
    assert shown["answer_done"] == "确定（已选 2 项）"
    assert "hookups" not in journey.in_hand.answers  # nothing answered before 确定
    press(window, "answer_done")
    assert journey.in_hand.answers["hookups"] == ["water", "gas"]
    QApplication.processEvents()
    assert window.current().name == "question"  # on to the gas network question
    following = journey.question()
    assert following is not None and following.id == "gas_coverage"


def test_an_exclusive_option_clears_the_others_and_back_shows_what_was_chosen(
    window: KioskWindow,
) -> None:
    journey = window.station.journey
    journey.choose("43PCN0012")
    journey.in_hand.answers = {
        "card_action": "new",
        "hukou": "hunan",
        "disability_category": ["physical"],
        "minor": "no",
    }
    journey.position = next(
        i for i, q in enumerate(journey.in_hand.questions().questions) if q.id == "joint"
    )
    window.station.go("question")
    press(window, "answer_nursing_subsidy")
    press(window, "answer_living_subsidy")
    press(window, "answer_none")  # 都不申请: the others go
    assert [k for k, v in _shown(window).items() if v.startswith("✔ ")] == ["answer_none"]
    press(window, "answer_employment_training")  # and it goes when another is marked
    assert [k for k, v in _shown(window).items() if v.startswith("✔ ")] == [
        "answer_employment_training"
    ]
    press(window, "answer_nursing_subsidy")
    press(window, "answer_done")
    assert journey.in_hand.answers["joint"] == ["nursing_subsidy", "employment_training"]
    journey.back()
    window.station.go("question")
    shown = _shown(window)  # back on the question: her choice is marked again
    assert shown["answer_nursing_subsidy"].startswith("✔ ")
    assert shown["answer_employment_training"].startswith("✔ ")
    assert shown["answer_done"] == "确定（已选 2 项）"
