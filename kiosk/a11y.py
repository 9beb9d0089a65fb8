"""适老化 units and marks: sizes in physical units (pt, dp) turned into pixels with the panel's
physical DPI, and the marks a screen puts on its widgets — what a text is (heading, body,
decoration) and what counts as a touch target — which the tests' auditor
(``tests/helpers/a11y.py``) measures against the MIIT 适老化 design norms (2021)."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Literal

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

POINTS_PER_INCH = 72.0
DP_PER_INCH = 160.0
ROLE_PROPERTY = "a11y"
TARGET_PROPERTY = "a11y_target"

_NO_PHYSICAL_SCREEN = ("offscreen", "minimal", "vnc")


def px_from_pt(pt: float, dpi: float) -> float:
    return pt * dpi / POINTS_PER_INCH


def pt_from_px(px: float, dpi: float) -> float:
    return px * POINTS_PER_INCH / dpi


def px_from_dp(dp: float, dpi: float) -> float:
    return dp * dpi / DP_PER_INCH


def dp_from_px(px: float, dpi: float) -> float:
    return px * DP_PER_INCH / dpi


def panel_dpi(diagonal_inches: float, width_px: int, height_px: int) -> float:
    """Pixels per inch of a panel from its data sheet, e.g. 27-inch 1920×1080 ≈ 81.6."""
    return math.hypot(width_px, height_px) / diagonal_inches


def screen_dpi(widget: QWidget) -> float:
    """The physical DPI Qt reports for the widget's screen. Platforms without a screen
    (offscreen reports a made-up 100) are refused: pass the panel's DPI instead."""
    platform = QGuiApplication.platformName()
    if platform in _NO_PHYSICAL_SCREEN:
        raise ValueError(
            f"{platform} 平台没有物理屏幕，请传入面板的 DPI，例如 panel_dpi(27, 1920, 1080)"
        )
    screen = widget.screen()
    return screen.physicalDotsPerInch()


class TextRole(StrEnum):
    HEADING = "heading"  # main-function text (主要功能文字)
    BODY = "body"  # main text; unmarked text counts as body
    DECORATION = "decoration"  # not checked


def mark(widget: QWidget, role: TextRole | Literal["heading", "body", "decoration"]) -> None:
    """Say what the widget's text is (the auditor checks headings and body text)."""
    widget.setProperty(ROLE_PROPERTY, TextRole(role).value)


def mark_target(widget: QWidget, target: bool = True) -> None:
    """Count the widget as a touch target (or, with False, not) whatever its class."""
    widget.setProperty(TARGET_PROPERTY, target)
