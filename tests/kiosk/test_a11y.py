"""The 适老化 measurements on real widgets: the figures, a screen that meets the elderly norms,
and each way of failing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtGui import QColor, QFontInfo, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.a11y import (
    dp_from_px,
    mark,
    mark_target,
    panel_dpi,
    pt_from_px,
    px_from_dp,
    px_from_pt,
    screen_dpi,
)
from tests.helpers.a11y import (
    ELDERLY,
    NORMAL,
    Finding,
    Rule,
    audit,
    contrast_of_palette,
    contrast_ratio,
    measure_contrast,
    report,
)

# A panel as dense as Qt's logical DPI: "18pt" in a style sheet is 18 pt on the glass.
DPI = 96.0
PANEL_27 = panel_dpi(27, 1920, 1080)  # landscape kiosk, ≈ 81.6
PANEL_43 = panel_dpi(43, 1080, 1920)  # portrait kiosk, ≈ 51.2
LAPTOP_15 = panel_dpi(15.6, 1920, 1080)  # ≈ 141: the same pixels are much smaller

STYLE = """
QWidget#screen { background: #ffffff; }
QLabel { color: #1a1a1a; font-family: "Noto Sans CJK SC"; font-size: 18pt; }
QLabel#title { font-size: 30pt; }
QPushButton {
    font-size: 18pt; min-width: 160px; min-height: 48px;
    border: none; border-radius: 8px; background: #1456b8; color: #ffffff;
}
QLineEdit, QSpinBox { font-size: 18pt; min-height: 48px; max-height: 48px; }
"""


@dataclass
class Screen:
    window: QWidget
    title: QLabel
    body: QLabel
    button: QPushButton
    field: QLineEdit

    def add(self, widget: QWidget) -> None:
        layout = self.window.layout()
        assert layout is not None
        layout.addWidget(widget)


def build(
    qtbot: QtBot, change: Callable[[Screen], object] | None = None, style: str = ""
) -> Screen:
    """A small kiosk screen that meets the elderly norms, changed by `change` and `style`, then
    shown. The style sheet is set once, last: a plain QWidget polished before it had a
    background rule does not paint one added later (the audit would say so, rightly)."""
    window = QWidget()
    window.setObjectName("screen")
    title = QLabel("请选择要办理的事项")
    title.setObjectName("title")
    mark(title, "heading")
    body = QLabel("请把身份证放在感应区，读卡成功后点“下一步”。")
    body.setObjectName("body")
    body.setWordWrap(True)
    button = QPushButton("下一步")
    button.setObjectName("next")
    field = QLineEdit("13800138000")
    field.setObjectName("phone")
    layout = QVBoxLayout(window)
    for widget in (title, body, button, field):
        layout.addWidget(widget)
    screen = Screen(window, title, body, button, field)
    if change is not None:
        change(screen)
    window.setStyleSheet(STYLE + style)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return screen


def failed(findings: list[Finding]) -> list[tuple[Rule, QWidget]]:
    return [(finding.rule, finding.widget) for finding in findings]


# -- figures ---------------------------------------------------------------------------------------


def test_contrast_ratio_known_values() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert contrast_ratio(black, white) == pytest.approx(21)
    assert contrast_ratio(white, black) == pytest.approx(21)
    assert contrast_ratio(white, white) == pytest.approx(1)
    assert contrast_ratio(QColor("#767676"), white) == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio(QColor("#777777"), white) < 4.5


def test_a_translucent_colour_is_composited_over_the_background() -> None:
    half_black = QColor(0, 0, 0, 128)
    assert contrast_ratio(half_black, QColor("#ffffff")) == pytest.approx(
        contrast_ratio(QColor("#7f7f7f"), QColor("#ffffff"))
    )


@pytest.mark.parametrize("dpi", [PANEL_43, PANEL_27, DPI, 160.0, 320.0])
@pytest.mark.parametrize("value", [1.0, 18.0, 44.0, 60.0])
def test_conversions_round_trip(dpi: float, value: float) -> None:
    assert pt_from_px(px_from_pt(value, dpi), dpi) == pytest.approx(value)
    assert dp_from_px(px_from_dp(value, dpi), dpi) == pytest.approx(value)
    assert px_from_pt(72, dpi) == pytest.approx(dpi)


def test_dp_and_panels() -> None:
    assert px_from_dp(60, 160) == pytest.approx(60)
    assert px_from_dp(60, 320) == pytest.approx(120)
    assert round(PANEL_27, 2) == 81.59
    assert round(PANEL_43, 2) == 51.23


def test_offscreen_has_no_physical_screen_so_the_dpi_must_be_given(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    # The offscreen platform's made-up screen: 800×800 pixels on 203.2 mm.
    assert widget.screen().physicalDotsPerInch() == pytest.approx(100)
    with pytest.raises(ValueError, match="panel_dpi"):
        screen_dpi(widget)


# -- a screen that meets the norms -----------------------------------------------------------------


@pytest.mark.parametrize("dpi", [DPI, PANEL_27, PANEL_43])
def test_a_screen_built_to_the_elderly_norms_has_no_findings(qtbot: QtBot, dpi: float) -> None:
    screen = build(qtbot)
    findings = audit(screen.window, ELDERLY, dpi)
    assert findings == [], report(findings)


def test_the_same_pixels_are_too_small_on_a_denser_panel(qtbot: QtBot) -> None:
    screen = build(qtbot)
    findings = audit(screen.window, ELDERLY, LAPTOP_15)
    assert set(failed(findings)) == {
        (Rule.FONT_SIZE, screen.title),
        (Rule.FONT_SIZE, screen.body),
        (Rule.FONT_SIZE, screen.button),
        (Rule.FONT_SIZE, screen.field),
        (Rule.TARGET_SIZE, screen.button),
        (Rule.TARGET_SIZE, screen.field),
    }
    title = next(f for f in findings if f.widget is screen.title)
    assert title.measured == pytest.approx(30 * DPI / LAPTOP_15)
    assert title.required == 30


def test_the_normal_mode_asks_for_44_dp_and_no_font_size(qtbot: QtBot) -> None:
    def change(screen: Screen) -> None:
        screen.body.setStyleSheet("font-size: 12pt")
        screen.button.setStyleSheet("min-height: 27px; max-height: 27px; font-size: 12pt")

    screen = build(qtbot, change)
    assert dp_from_px(screen.button.height(), DPI) == pytest.approx(45)
    assert audit(screen.window, NORMAL, DPI) == []
    assert failed(audit(screen.window, ELDERLY, DPI)) == [
        (Rule.FONT_SIZE, screen.body),
        (Rule.TARGET_SIZE, screen.button),
        (Rule.FONT_SIZE, screen.button),
    ]


# -- each way of failing ---------------------------------------------------------------------------


def test_body_text_below_18_pt(qtbot: QtBot) -> None:
    screen = build(qtbot, lambda s: s.body.setStyleSheet("font-size: 16pt"))
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.FONT_SIZE, screen.body)
    assert finding.measured == pytest.approx(16)
    assert finding.required == 18
    assert str(finding) == (
        "QLabel#body「请把身份证放在感应区，读卡成功后…」："
        "字号 16.0 pt，应 ≥ 18 pt（21.3 px，正文）"
    )


def test_a_heading_below_30_pt_set_in_pixels(qtbot: QtBot) -> None:
    screen = build(qtbot, lambda s: s.title.setStyleSheet("font-size: 36px"))
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.FONT_SIZE, screen.title)
    assert finding.measured == pytest.approx(27)
    assert finding.required == 30


def test_low_contrast_colour_set_by_style_sheet(qtbot: QtBot) -> None:
    screen = build(qtbot, lambda s: s.body.setStyleSheet("color: #aaaaaa"))
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.CONTRAST, screen.body)
    assert finding.measured == pytest.approx(contrast_ratio(QColor("#aaaaaa"), QColor("#ffffff")))
    assert finding.required == 4.5  # 18 pt is not *above* 18 pt
    assert "文字 #aaaaaa，背景 #ffffff" in str(finding)


def test_text_above_18_pt_needs_only_3_to_1(qtbot: QtBot) -> None:
    grey = "color: #888888"  # 3.54:1 on white

    def change(screen: Screen) -> None:
        screen.body.setStyleSheet(grey)
        screen.title.setStyleSheet(grey)

    screen = build(qtbot, change)
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget, finding.required) == (Rule.CONTRAST, screen.body, 4.5)


def test_a_translucent_text_colour_is_measured_as_painted(qtbot: QtBot) -> None:
    screen = build(qtbot, lambda s: s.body.setStyleSheet("color: rgba(26, 26, 26, 60)"))
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.CONTRAST, screen.body)
    expected = contrast_ratio(QColor(26, 26, 26, 60), QColor("#ffffff"))
    assert finding.measured == pytest.approx(expected, rel=0.02)


def test_rich_text_colour_is_estimated_from_pixels(qtbot: QtBot) -> None:
    text = '<span style="color: #bbbbbb">请携带户口簿</span>'
    screen = build(qtbot, lambda s: s.body.setText(text))
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.CONTRAST, screen.body)
    assert finding.measured == pytest.approx(contrast_ratio(QColor("#bbbbbb"), QColor("#ffffff")))
    assert "由像素估计" in finding.detail


def test_background_painted_by_an_ancestor_selector(qtbot: QtBot) -> None:
    """The label's palette knows nothing of `#panel`'s background: only the pixels do."""
    label = QLabel("深色面板上的深色字")

    def change(screen: Screen) -> None:
        panel = QWidget()
        panel.setObjectName("panel")
        QVBoxLayout(panel).addWidget(label)
        screen.add(panel)

    screen = build(qtbot, change, style="#panel { background: #202020; }")
    assert contrast_of_palette(label.palette()) > 4.5
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.CONTRAST, label)
    assert finding.measured == pytest.approx(contrast_ratio(QColor("#1a1a1a"), QColor("#202020")))


def test_a_style_sheet_background_a_widget_subclass_never_paints(qtbot: QtBot) -> None:
    """Polish puts the card's background in its palette, but a QWidget subclass does not paint
    it: the light text lands on the white screen."""

    class Card(QWidget):
        pass

    card, label = Card(), QLabel("浅色字")

    def change(screen: Screen) -> None:
        card.setObjectName("card")
        card.setStyleSheet("#card { background: #202020; }")
        label.setStyleSheet("color: #eeeeee")
        QVBoxLayout(card).addWidget(label)
        screen.add(card)

    screen = build(qtbot, change)
    text = label.palette().color(QPalette.ColorRole.WindowText)
    assert contrast_ratio(text, card.palette().color(QPalette.ColorRole.Window)) > 4.5
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget) == (Rule.CONTRAST, label)
    assert finding.measured == pytest.approx(contrast_ratio(QColor("#eeeeee"), QColor("#ffffff")))


@pytest.mark.parametrize(("height", "fails"), [(35, True), (36, False)])
def test_a_button_below_60_dp(qtbot: QtBot, height: int, fails: bool) -> None:
    size = f"min-height: {height}px; max-height: {height}px"
    screen = build(qtbot, lambda s: s.button.setStyleSheet(size))
    findings = audit(screen.window, ELDERLY, DPI)
    assert failed(findings) == ([(Rule.TARGET_SIZE, screen.button)] if fails else [])
    if fails:
        assert findings[0].measured == pytest.approx(dp_from_px(35, DPI))
        assert findings[0].required == 60


def test_anything_marked_as_a_target_is_measured(qtbot: QtBot) -> None:
    tile = QWidget()

    def change(screen: Screen) -> None:
        tile.setFixedSize(30, 200)
        mark_target(tile)
        screen.add(tile)

    screen = build(qtbot, change)
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget, finding.detail) == (Rule.TARGET_SIZE, tile, "50×333 dp")


def test_the_line_edit_inside_a_spin_box_is_not_a_target_of_its_own(qtbot: QtBot) -> None:
    screen = build(qtbot, lambda s: s.add(QSpinBox()))
    assert audit(screen.window, ELDERLY, DPI) == []


def test_tight_line_spacing(qtbot: QtBot) -> None:
    font = "font-family: 'DejaVu Sans'"  # its lines are 1.16 em apart; Noto Sans CJK's 1.45
    screen = build(qtbot, lambda s: s.body.setStyleSheet(font))
    if QFontInfo(screen.body.font()).family() != "DejaVu Sans":
        pytest.skip("DejaVu Sans is not installed")
    [finding] = audit(screen.window, ELDERLY, DPI)
    assert (finding.rule, finding.widget, finding.required) == (Rule.LINE_SPACING, screen.body, 1.3)
    assert finding.measured == pytest.approx(1.18, abs=0.03)


def test_hidden_widgets_are_not_audited(qtbot: QtBot) -> None:
    small, inside = QLabel("小字"), QLabel("隐藏面板里的小字")
    hidden_panel = QWidget()

    def change(screen: Screen) -> None:
        small.setStyleSheet("font-size: 9pt; color: #dddddd")
        inside.setStyleSheet("font-size: 9pt")
        QVBoxLayout(hidden_panel).addWidget(inside)
        screen.add(small)
        screen.add(hidden_panel)
        small.hide()
        hidden_panel.hide()

    screen = build(qtbot, change)
    assert audit(screen.window, ELDERLY, DPI) == []
    small.show()
    layout = screen.window.layout()
    assert layout is not None
    layout.activate()
    assert failed(audit(screen.window, ELDERLY, DPI)) == [
        (Rule.FONT_SIZE, small),
        (Rule.CONTRAST, small),
    ]


def test_decoration_and_disabled_text_are_not_checked(qtbot: QtBot) -> None:
    note = QLabel("©")

    def change(screen: Screen) -> None:
        note.setStyleSheet("font-size: 9pt; color: #dddddd")
        mark(note, "decoration")
        screen.add(note)
        screen.button.setStyleSheet("color: #6b8fc8")  # 1.6:1 on the blue, but disabled
        screen.button.setEnabled(False)

    screen = build(qtbot, change)
    assert audit(screen.window, ELDERLY, DPI) == []
    contrast = measure_contrast(screen.button)
    assert contrast is not None
    assert contrast.ratio < 3


def test_marks_are_checked(qtbot: QtBot) -> None:
    with pytest.raises(ValueError):
        mark(QLabel(), "title")  # type: ignore[arg-type]
    screen = build(qtbot, lambda s: s.body.setProperty("a11y", "Heading"))
    with pytest.raises(ValueError, match="heading/body/decoration"):
        audit(screen.window, ELDERLY, DPI)


def test_a_screen_must_be_shown_to_be_measured(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    with pytest.raises(ValueError, match="show"):
        audit(window, ELDERLY, DPI)


def test_text_scrolled_nearly_away_is_not_judged_by_a_strip_of_background(qtbot: QtBot) -> None:
    """A label at the edge of a scrolling list shows a few rows of pixels, maybe no glyph in
    them: no measurement, not a false 1:1. Fully in view, it is measured."""
    from PySide6.QtWidgets import QScrollArea

    content = QWidget()
    column = QVBoxLayout(content)
    column.setSpacing(0)
    column.setContentsMargins(0, 0, 0, 0)
    labels = [QLabel(f"第 {n} 行：请带上材料原件") for n in range(40)]
    for label in labels:
        label.setStyleSheet("color: #1a1a1a; background: #ffffff; font-size: 24px;")
        column.addWidget(label)
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    line = labels[0].sizeHint().height()
    area.resize(400, line * 5 + 3)  # five lines and three rows of pixels of the sixth
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    assert 0 < labels[5].visibleRegion().boundingRect().height() < line
    assert measure_contrast(labels[5]) is None
    measured = measure_contrast(labels[0])
    assert measured is not None and measured.ratio > 15
