"""Sizes from the screen the counter runs on: the window covers the screen's free area (also when
no window manager maximises it), and the text size follows the panel's physical size, so a
1920×1080 monitor shows a larger, roomier layout than a 1366×768 laptop instead of the same one
in a corner. Widths are given in characters (:func:`em`), never in fixed pixels."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication, QWidget

# Text a clerk reads all day at arm's length: 11.5 pt on the panel itself (physical points), but
# no larger than keeps the six steps' layout on the screen (13 px per 768 lines of height) and no
# smaller than 12 px.
TEXT_PT = 11.5
PX_PER_768_LINES = 13.0
MIN_PX = 12


def text_px(screen: QScreen) -> int:
    """The pixel size of the counter's text on ``screen``."""
    return text_px_for(
        screen.availableGeometry().height(),
        screen.physicalDotsPerInch() / screen.devicePixelRatio(),
    )


def text_px_for(height: int, dots_per_inch: float) -> int:
    """The text size for a screen ``height`` pixels high with ``dots_per_inch`` on the panel."""
    physical = TEXT_PT / 72 * dots_per_inch
    fits = height / 768 * PX_PER_768_LINES
    return max(MIN_PX, round(min(physical, fits)))


def use_font_px(app: QApplication, size: int) -> None:
    font = QFont(app.font())
    font.setPixelSize(size)
    app.setFont(font)


def use_screen_font(app: QApplication, screen: QScreen | None = None) -> int:
    """Set the application's font for ``screen`` (the primary one by default); returns its px."""
    size = text_px(screen or QGuiApplication.primaryScreen())
    use_font_px(app, size)
    return size


def em(widget: QWidget, count: float) -> int:
    """``count`` Chinese characters of ``widget``'s font, in pixels."""
    return round(QFontMetrics(widget.font()).horizontalAdvance("汉") * count)


def cover_screen(window: QWidget) -> None:
    """Show ``window`` over its screen's free area: maximised under a window manager, and sized
    by itself where there is none (showMaximized alone is then ignored)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    window.setGeometry(screen.availableGeometry())
    window.showMaximized()
