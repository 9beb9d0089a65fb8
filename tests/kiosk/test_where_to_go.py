"""去哪里办 (issue 19, item 17): this hall's window first, then the guide's service points, each
an entry of its own with labelled lines; the list's QR code a phone reads at a glance."""

from __future__ import annotations

import io

import pytest
import segno
import zxingcpp
from PIL import Image
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QScrollArea
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN
from app.guide.places import GUIDE_ROLE, HALL_ROLE
from kiosk.journey import QR_BYTES, Journey
from kiosk.ui.window import KioskWindow
from tests.kiosk.screens import Roll, idle, press, to_plan
from tests.kiosk.test_one_promise import CASES


def test_the_plan_screen_lists_the_hall_window_first(window: KioskWindow) -> None:
    to_plan(window)
    QApplication.processEvents()
    settings = window.core.settings.hall
    first = window.findChild(QLabel, "place_1")
    second = window.findChild(QLabel, "place_2")
    assert first is not None and second is not None
    assert first.text() == f"1. {settings.name} {settings.office}"
    assert window.findChild(QLabel, "place_1_lines").text() == (  # type: ignore[union-attr]
        f"地址：{settings.address}\n时间：{settings.hours}\n电话：{settings.phone}"
    )
    # then where the published guide sends people: the birth hospitals, as the guide says
    assert second.text() == "2. 长沙市各分娩机构"
    lines = window.findChild(QLabel, "place_2_lines")
    assert lines is not None and lines.text().startswith(
        "地址：全市各分娩机构\n时间：法定工作日夏季"
    )
    assert isinstance(first.parent(), QFrame) and first.parent() is not second.parent()
    shown = [label.text() for label in window.findChildren(QLabel) if label.isVisible()]
    assert HALL_ROLE in shown and GUIDE_ROLE in shown
    promise = window.station.journey.plan().promise.words  # 长辈模式 reads it aloud too
    assert f"请到{settings.name} {settings.office}办理，{promise}。" in window.current().speech()


@pytest.mark.parametrize(("code", "name", "answers"), CASES, ids=[f"{c}-{n}" for c, n, _ in CASES])
def test_places_in_order_from_the_catalog(
    code: str, name: str, answers: dict[str, object], journey: Journey
) -> None:
    scenario = journey.choose(code)
    journey.in_hand.answers = dict(answers)
    where = journey.where()
    assert where.places[0].role == HALL_ROLE and where.places[0].name.endswith("一网通办综合窗口")
    guide = [(p.name, p.address) for p in where.places[1:]]
    assert guide == [(loc.name, loc.address) for loc in scenario.guide.locations]
    assert all(p.hours for p in where.places)


@pytest.mark.parametrize(("code", "name", "answers"), CASES, ids=[f"{c}-{n}" for c, n, _ in CASES])
def test_the_lists_qr_is_short_and_reads(
    code: str, name: str, answers: dict[str, object], journey: Journey
) -> None:
    scenario = journey.choose(code)
    journey.in_hand.answers = dict(answers)
    text = journey.phone_text()
    assert len(text.encode("utf-8")) <= QR_BYTES
    plan = journey.plan()
    assert text.startswith(scenario.name) and plan.promise.words in text
    assert f"去：{journey.where().places[0].name}" in text
    if scenario.guide.online_url:
        assert text.endswith(scenario.guide.online_url)
    code_ = segno.make(text, error="m", eci=True)
    assert isinstance(code_.version, int) and code_.version <= 13  # 69 modules; 1,501 bytes: 30
    png = io.BytesIO()
    code_.save(png, kind="png", scale=4, border=4)
    found = zxingcpp.read_barcodes(Image.open(png))
    assert [f.text for f in found] == [text]


def test_a_hall_link_pattern_wins(journey: Journey) -> None:
    journey.guide_url = "https://zwfw.example.gov.cn/guide/{code}"
    journey.choose(NEWBORN)
    journey.in_hand.answers = next(dict(a) for code, _, a in CASES if code == NEWBORN)
    assert journey.phone_text().endswith(f"https://zwfw.example.gov.cn/guide/{NEWBORN}")


def test_the_list_fits_the_width_in_elderly_mode(window: KioskWindow) -> None:
    """Large type wraps inside the screen: no line (an item with its department and days, a
    place's hours, the promise's basis) is cut off at the right edge."""
    press(window, "elderly")
    to_plan(window)
    QApplication.processEvents()
    area = window.current().findChild(QScrollArea)
    assert area is not None
    content = area.widget()
    assert content is not None and content.minimumSizeHint().width() <= area.viewport().width()


def test_the_printed_short_list_says_where_to_go(
    qtbot: QtBot, window: KioskWindow, roll: Roll
) -> None:
    to_plan(window)
    press(window, "print_ticket")
    idle(qtbot, window)
    (ticket,) = roll.printed
    texts = [line.text for line in ticket.lines]
    at = texts.index("去哪里办：")
    settings = window.core.settings.hall
    assert texts[at + 1] == f"1. {settings.name} {settings.office}"
    assert texts[at + 2] == f"地址：{settings.address}"
    assert "2. 长沙市各分娩机构" in texts[at:]
