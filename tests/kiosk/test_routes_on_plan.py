"""The kiosk's plan page tells the applicant the route the answers decided (issue 24,
capability 5): "您适用消防安全检查一般流程……" above the materials."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from kiosk.ui.window import KioskWindow

RESTAURANT = {
    "registered_in_province": "yes",
    "premises_compliant": "yes",
    "food_licence_type": "standard",
    "signboard": "no",
    "fire_check_route": "general",
}


def test_the_plan_page_says_which_route_applies(window: KioskWindow) -> None:
    journey = window.station.journey
    journey.choose("43TCN0003")
    journey.in_hand.answers = dict(RESTAURANT)
    window.station.go("plan")
    QApplication.processEvents()
    told = window.findChild(QLabel, "route_fire_general")
    assert told is not None and told.isVisible()
    assert told.text() == ("您适用消防安全检查一般流程，另须提交《消防安全检查申报表》。")
    food = window.findChild(QLabel, "route_standard_food")
    assert food is not None and food.text() == "您办理《食品经营许可证》新办。"
    assert window.findChild(QLabel, "route_small_food") is None
