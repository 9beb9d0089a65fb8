"""The start screen looks like a public terminal: tiles with a picture per life stage fill the
panel in both orientations, the bar's buttons have pictures and are touch-sized, 长辈模式 makes
everything half as large again; and the search answers as the citizen types (no hidden ↵)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN
from app.catalog.catalog import Catalog
from kiosk import icons
from kiosk.journey import ENTERPRISE_STAGES, PERSONAL_STAGES
from kiosk.screenshots import LANDSCAPE, PORTRAIT
from kiosk.ui.start import SEARCH_DELAY_MS
from kiosk.ui.theme import ELDERLY_SCALE, ELDERLY_SIZES, NORMAL_SIZES
from kiosk.ui.window import KioskWindow
from tests.helpers.a11y import font_px


def visible(window: KioskWindow, name: str) -> bool:
    push = window.findChild(QPushButton, name)
    return push is not None and push.isVisible()


def test_search_as_the_citizen_types(qtbot: QtBot, window: KioskWindow) -> None:
    search = window.findChild(QLineEdit, "search_box")
    assert search is not None
    for text in ("x", "xs", "xse"):  # what the on-screen keyboard commits, key by key
        search.setText(text)
    QApplication.processEvents()
    assert not visible(window, f"scenario_{NEWBORN}")  # not at every key: once typing pauses
    qtbot.waitUntil(lambda: visible(window, f"scenario_{NEWBORN}"), timeout=SEARCH_DELAY_MS + 2_000)
    assert window.current().name == "start" and not visible(window, "tile_出生")
    note = window.findChild(QLabel, "found_note")
    assert note is not None and "找到 1 件事" in note.text()
    search.setText("没有这件事")
    qtbot.waitUntil(lambda: note.text().startswith("没有找到"), timeout=SEARCH_DELAY_MS + 2_000)
    search.setText("")
    qtbot.waitUntil(lambda: visible(window, "tile_出生"), timeout=SEARCH_DELAY_MS + 2_000)
    search.setText("xse")
    qtbot.waitUntil(lambda: visible(window, f"scenario_{NEWBORN}"), timeout=SEARCH_DELAY_MS + 2_000)
    push = window.findChild(QPushButton, f"scenario_{NEWBORN}")
    assert push is not None
    push.click()
    assert window.current().name == "question"


def test_every_life_stage_and_scenario_has_its_picture(catalog: Catalog) -> None:
    for stage in (*PERSONAL_STAGES, *ENTERPRISE_STAGES):
        assert icons.stage_icon(stage) != icons.DEFAULT, stage
        assert not icons.icon(icons.stage_icon(stage), "#0b57d0").isNull()
    for code, scenario in catalog.scenarios.items():
        assert icons.SCENARIOS.get(code), f"{code} {scenario.name}: no picture of its own"
        assert not icons.icon(icons.scenario_icon(code, scenario.life_stage), "#000").isNull()
    assert icons.scenario_icon("43XXX9999", "未知阶段") == icons.DEFAULT  # a new one: the default
    assert icons.scenario_icon("43XXX9999", "出生") == icons.STAGES["出生"]
    assert not icons.icon("mdi6.no-such-icon-anywhere", "#000").isNull()  # a typo: the default


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_tiles_fill_the_panel(
    window: KioskWindow, catalog: Catalog, size: tuple[int, int], elderly: bool
) -> None:
    window.resize(*size)
    if elderly:
        window.toggle_elderly()
    QApplication.processEvents()
    start = window.current()
    tiles = [
        push
        for push in start.findChildren(QPushButton)
        if push.objectName().startswith("tile_") and push.isVisible()
    ]
    personal = {s.life_stage for s in catalog.scenarios.values() if s.audience == "personal"}
    assert len(tiles) == len(personal) and all(not push.icon().isNull() for push in tiles)
    area = sum(push.width() * push.height() for push in tiles)
    assert area >= 0.45 * start.width() * start.height()
    for push in tiles:
        assert push.iconSize().height() >= window.theme().answer_px


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_the_bars_buttons_are_touch_sized_with_pictures(window: KioskWindow, elderly: bool) -> None:
    if elderly:
        window.toggle_elderly()
    QApplication.processEvents()
    theme = window.theme()
    for name in ("elderly", "help", "home", "exit"):
        push = window.findChild(QAbstractButton, name)
        assert push is not None and not push.icon().isNull(), name
        assert push.height() >= theme.target_px and push.width() >= theme.answer_px, name
        assert push.iconSize().height() >= theme.pt(theme.sizes.body_pt), name


def test_elderly_mode_is_half_as_large_again(window: KioskWindow) -> None:
    for normal, elderly in zip(
        (
            NORMAL_SIZES.body_pt,
            NORMAL_SIZES.heading_pt,
            NORMAL_SIZES.small_pt,
            NORMAL_SIZES.target_dp,
            NORMAL_SIZES.answer_dp,
        ),
        (
            ELDERLY_SIZES.body_pt,
            ELDERLY_SIZES.heading_pt,
            ELDERLY_SIZES.small_pt,
            ELDERLY_SIZES.target_dp,
            ELDERLY_SIZES.answer_dp,
        ),
        strict=True,
    ):
        assert elderly >= ELDERLY_SCALE * normal >= 1.5 * normal
    title = window.findChild(QLabel, "start_title")
    hint = window.findChild(QLabel, "start_hint")
    assert title is not None and hint is not None
    before = font_px(title), font_px(hint), window.home.height()
    window.toggle_elderly()
    QApplication.processEvents()
    after = font_px(title), font_px(hint), window.home.height()
    assert after[0] >= 1.45 * before[0] and after[1] >= 1.45 * before[1]  # rounding to pixels
    assert after[2] >= 1.4 * before[2]


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_few_tiles_are_not_walls(window: KioskWindow, size: tuple[int, int]) -> None:
    """The enterprise tab has a few life stages: each tile stays a tile, none a wall."""
    window.resize(*size)
    press_tab = window.findChild(QPushButton, "audience_enterprise")
    assert press_tab is not None
    press_tab.click()
    QApplication.processEvents()
    start = window.current()
    tiles = [
        push
        for push in start.findChildren(QPushButton)
        if push.objectName().startswith("tile_") and push.isVisible()
    ]
    assert 1 <= len(tiles) <= 5  # the built-in catalog's enterprise life stages
    for tile in tiles:
        assert tile.width() * tile.height() <= 0.4 * start.width() * start.height()
        assert not tile.icon().isNull()
