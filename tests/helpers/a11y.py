"""适老化 checks: measure real widgets against the MIIT 适老化 design norms (2021).

Sizes are physical. Qt turns a font's points into pixels with the *logical* DPI (96 on most
platforms), so "18pt" in a style sheet is 24 px whatever the glass; how big 24 px looks depends on
the panel. We measure pixels and convert with the panel's physical DPI, given by the caller: in
device-independent pixels per inch, as `QScreen.physicalDotsPerInch` counts them.

Contrast is measured on pixels, not on the palette. Polish does copy a widget's own style sheet
`color`/`background` into its palette, but the palette still lies where it matters: a background
set on an ancestor by selector (`#panel { … }`) is not in the child's palette, a style-sheet
background on a QWidget subclass is in its palette yet never painted, gradients and translucent
colours have no single colour. So the widget's window is rendered once with `grab()`, the most
common pixel colour under the widget is its background, and the text colour is the palette's text
colour composited on it, confirmed by finding it among the pixels (or, for glyphs too thin to cover
a whole pixel, by drawing the text in that colour and comparing the darkest pixels). When it is not
confirmed (rich text colours, custom painting) the pixel that contrasts most with the background
stands in for it, and the finding says so.

Not measured: rich-text line spacing and inline font sizes, paragraph spacing, placeholder text,
item views' items, tab and group box titles; gradients and images count by their commonest colour.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from PySide6.QtCore import QRect
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPalette,
    QTextLayout,
)
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTextEdit,
    QWidget,
)

from kiosk.a11y import (
    POINTS_PER_INCH,
    ROLE_PROPERTY,
    TARGET_PROPERTY,
    TextRole,
    dp_from_px,
    pt_from_px,
)

_EPSILON = 1e-6  # float noise: 18 pt set in a style sheet measures 18.000000001 pt
_SAME_COLOUR = 16  # largest channel difference at which a pixel counts as the palette's text colour
_LINE_SPACING_SAMPLE = 2000  # characters laid out to measure an editor's line spacing
_CALIBRATION_SAMPLE = 80  # characters drawn to see how dark thin glyphs get


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: QColor) -> tuple[int, int, int]:
    return colour.red(), colour.green(), colour.blue()


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (alpha ignored)."""
    red, green, blue = (_linear(channel) for channel in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def composite(foreground: QColor, background: QColor) -> QColor:
    """`foreground` painted over the opaque `background`, blended as Qt's raster engine does."""
    alpha = foreground.alphaF()
    pairs = zip(_rgb(foreground), _rgb(background), strict=True)
    red, green, blue = (round(fg * alpha + bg * (1 - alpha)) for fg, bg in pairs)
    return QColor(red, green, blue)


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2.x contrast ratio, 1 to 21 (symmetric for opaque colours). A translucent `a` is
    composited over `b`; `b`'s alpha is ignored (a background is opaque on screen)."""
    lighter, darker = sorted(
        (relative_luminance(composite(a, b)), relative_luminance(b)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def contrast_of_palette(
    palette: QPalette,
    text: QPalette.ColorRole = QPalette.ColorRole.WindowText,
    background: QPalette.ColorRole = QPalette.ColorRole.Window,
) -> float:
    """What the palette claims; for a quick look only, `audit` measures pixels (see above)."""
    return contrast_ratio(palette.color(text), palette.color(background))


class Rule(StrEnum):
    FONT_SIZE = "字号"
    LINE_SPACING = "行距"
    CONTRAST = "对比度"
    TARGET_SIZE = "点击区域"


def text_role(widget: QWidget) -> TextRole:
    value = widget.property(ROLE_PROPERTY)
    if value is None:
        return TextRole.BODY
    try:
        return TextRole(value)
    except ValueError:
        raise ValueError(
            f"{describe(widget)}: a11y = {value!r}, 应为 heading/body/decoration"
        ) from None


@dataclass(frozen=True, slots=True)
class Norms:
    """The figures. Sizes are physical: pt = 1/72 inch, dp = 1/160 inch. A minimum of None is
    not checked. Text strictly above `large_text_pt` needs only `large_text_contrast`."""

    name: str
    body_min_pt: float | None
    heading_min_pt: float | None
    target_min_dp: float
    line_spacing_min: float = 1.3
    text_contrast: float = 4.5
    large_text_contrast: float = 3.0
    large_text_pt: float = 18.0

    def font_min_pt(self, role: TextRole) -> float | None:
        return self.heading_min_pt if role is TextRole.HEADING else self.body_min_pt

    def contrast_min(self, size_pt: float) -> float:
        large = size_pt > self.large_text_pt + _EPSILON
        return self.large_text_contrast if large else self.text_contrast


# The norm sets no font size outside the elderly mode; contrast, line spacing and targets apply.
NORMAL = Norms("普通模式", body_min_pt=None, heading_min_pt=None, target_min_dp=44.0)
ELDERLY = Norms("长辈模式", body_min_pt=18.0, heading_min_pt=30.0, target_min_dp=60.0)

_UNITS: dict[Rule, tuple[str, str]] = {
    Rule.FONT_SIZE: (" pt", ".1f"),
    Rule.LINE_SPACING: (" 倍字号", ".2f"),
    Rule.CONTRAST: (":1", ".2f"),
    Rule.TARGET_SIZE: (" dp", ".0f"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One widget failing one rule: `measured` is below `required`."""

    widget: QWidget = field(repr=False)
    name: str
    rule: Rule
    measured: float
    required: float
    detail: str = ""

    def __str__(self) -> str:
        unit, spec = _UNITS[self.rule]
        text = (
            f"{self.name}：{self.rule} {self.measured:{spec}}{unit}，应 ≥ {self.required:g}{unit}"
        )
        return f"{text}（{self.detail}）" if self.detail else text


def report(findings: list[Finding]) -> str:
    """The findings one a line, for an assertion's message."""
    return "\n".join(str(finding) for finding in findings)


@dataclass(frozen=True, slots=True)
class Contrast:
    text: QColor
    background: QColor
    ratio: float
    text_from_palette: bool  # False: no pixel had the palette's colour, the text was estimated


class _Text(NamedTuple):
    text: str
    multiline: bool
    rich: bool


def _text_of(widget: QWidget) -> _Text | None:
    if isinstance(widget, QLabel):
        text = widget.text()
        form = widget.textFormat()
        rich = form == GuiQt.TextFormat.RichText or (
            form == GuiQt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
        )
        return _Text(text, widget.wordWrap() or "\n" in text, rich)  # may wrap: a paragraph
    if isinstance(widget, QAbstractButton):
        return _Text(widget.text(), "\n" in widget.text(), rich=False)
    if isinstance(widget, QLineEdit):
        return _Text(widget.displayText(), multiline=False, rich=False)
    if isinstance(widget, QComboBox) and not widget.isEditable():  # else its QLineEdit counts
        return _Text(widget.currentText(), multiline=False, rich=False)
    if isinstance(widget, QPlainTextEdit):
        return _Text(widget.toPlainText(), multiline=True, rich=False)
    if isinstance(widget, QTextEdit):
        return _Text(widget.toPlainText(), multiline=True, rich=True)
    return None


def describe(widget: QWidget) -> str:
    """Class, object name and the start of the text: enough to find the widget in a screen."""
    name = type(widget).__name__
    if widget.objectName():
        name += f"#{widget.objectName()}"
    text = _text_of(widget)
    if text is not None and text.text.strip():
        short = " ".join(text.text.split())
        name += f"「{short[:16]}…」" if len(short) > 16 else f"「{short}」"
    return name


def font_px(widget: QWidget) -> float:
    """The em size of the widget's effective font in device-independent pixels."""
    font = widget.font()
    if font.pixelSize() > 0:
        return float(font.pixelSize())
    return font.pointSizeF() * widget.logicalDpiY() / POINTS_PER_INCH


def line_spacing_px(widget: QWidget, text: str) -> float:
    """Baseline-to-baseline distance as Qt lays the text out (leading and the fallback fonts
    that draw its Chinese included): the tightest line."""
    sample = text[:_LINE_SPACING_SAMPLE].replace("\r\n", "\n").replace("\n", "\u2028")
    layout = QTextLayout(sample, widget.font(), widget)
    heights: list[float] = []
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLeadingIncluded(True)
        line.setLineWidth(1e6)
        heights.append(line.height())
    layout.endLayout()
    return min(heights)


class _Snapshots:
    """Each window rendered once per audit."""

    def __init__(self) -> None:
        self._images: dict[QWidget, QImage] = {}

    def image(self, window: QWidget) -> QImage:
        if window not in self._images:
            image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
            self._images[window] = image
        return self._images[window]


def _colour_counts(image: QImage, rect: QRect) -> Counter[int]:
    words = memoryview(image.constBits()).cast("I")  # QRgb 0xffRRGGBB, native order
    stride = image.bytesPerLine() // 4
    counts: Counter[int] = Counter()
    for y in range(rect.top(), rect.bottom() + 1):
        start = y * stride + rect.left()
        counts.update(words[start : start + rect.width()])
    return counts


def _distance(rgb: int, colour: QColor) -> int:
    pairs = zip(_rgb(QColor.fromRgb(rgb)), _rgb(colour), strict=True)
    return max(abs(one - other) for one, other in pairs)


def _strongest(counts: Counter[int], background: QColor) -> QColor:
    colours = (QColor.fromRgb(rgb) for rgb in counts)
    return max(colours, key=lambda colour: contrast_ratio(colour, background))


def _drawn_strongest(widget: QWidget, text: str, colour: QColor, background: QColor) -> QColor:
    """The strongest pixel of `text` drawn in `colour` on `background` in the widget's font:
    what thin, anti-aliased glyphs that never cover a whole pixel look like at their darkest."""
    font = QFont(widget.font())
    font.setPixelSize(max(1, round(font_px(widget))))
    sample = " ".join(text.split())[:_CALIBRATION_SAMPLE]
    size = QFontMetrics(font).size(0, sample)
    image = QImage(size.width() + 4, size.height() + 4, QImage.Format.Format_RGB32)
    image.fill(background)
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(2, 2 + QFontMetrics(font).ascent(), sample)
    painter.end()
    return _strongest(_colour_counts(image, image.rect()), background)


def measure_contrast(widget: QWidget) -> Contrast | None:
    """Contrast of the widget's text with what it is painted on, from the rendered pixels of its
    visible part; None when it has no text or less than a line of it is visible (scrolled
    away)."""
    return _measure_contrast(widget, _Snapshots())


def _measure_contrast(widget: QWidget, snapshots: _Snapshots) -> Contrast | None:
    text = _text_of(widget)
    surface = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    visible = surface.visibleRegion().boundingRect()
    if text is None or not text.text.strip() or visible.isEmpty():
        return None
    if visible.height() < min(surface.height(), QFontMetrics(widget.font()).height()):
        return None  # scrolled nearly away: a strip of background, perhaps no glyph in it
    window = surface.window()
    image = snapshots.image(window)
    scale = image.devicePixelRatio()
    origin = surface.mapTo(window, visible.topLeft())
    rect = QRect(
        math.floor(origin.x() * scale),
        math.floor(origin.y() * scale),
        math.ceil(visible.width() * scale),
        math.ceil(visible.height() * scale),
    ).intersected(image.rect())
    if rect.isEmpty():
        return None
    counts = _colour_counts(image, rect)
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    is_editor = isinstance(widget, (QPlainTextEdit, QTextEdit))
    role = QPalette.ColorRole.Text if is_editor else widget.foregroundRole()
    expected = composite(widget.palette().color(role), background)
    ratio = contrast_ratio(expected, background)
    if min(_distance(rgb, expected) for rgb in counts) <= _SAME_COLOUR:
        return Contrast(expected, background, ratio, text_from_palette=True)
    strongest = _strongest(counts, background)
    if not text.rich:
        drawn = _drawn_strongest(widget, text.text, expected, background)
        if _distance(strongest.rgb(), drawn) <= _SAME_COLOUR:
            return Contrast(expected, background, ratio, text_from_palette=True)
    return Contrast(strongest, background, contrast_ratio(strongest, background), False)


def is_target(widget: QWidget) -> bool:
    flag = widget.property(TARGET_PROPERTY)
    if flag is not None:
        return bool(flag)
    if isinstance(widget, QLineEdit) and isinstance(
        widget.parentWidget(), (QComboBox, QAbstractSpinBox)
    ):
        return False  # the combo box or spin box around it is the target
    return isinstance(widget, (QAbstractButton, QLineEdit, QComboBox, QSlider, QAbstractSpinBox))


def _check_target(widget: QWidget, norms: Norms, dpi: float) -> list[Finding]:
    if not is_target(widget):
        return []
    width, height = dp_from_px(widget.width(), dpi), dp_from_px(widget.height(), dpi)
    smaller = min(width, height)
    if smaller + _EPSILON >= norms.target_min_dp:
        return []
    detail = f"{width:.0f}×{height:.0f} dp"
    return [
        Finding(widget, describe(widget), Rule.TARGET_SIZE, smaller, norms.target_min_dp, detail)
    ]


def _check_text(widget: QWidget, norms: Norms, dpi: float, snapshots: _Snapshots) -> list[Finding]:
    text = _text_of(widget)
    role = text_role(widget)
    if text is None or not text.text.strip() or role is TextRole.DECORATION:
        return []
    name = describe(widget)
    findings: list[Finding] = []
    px = font_px(widget)
    size = pt_from_px(px, dpi)
    minimum = norms.font_min_pt(role)
    if minimum is not None and size + _EPSILON < minimum:
        detail = f"{px:.1f} px，{'标题' if role is TextRole.HEADING else '正文'}"
        findings.append(Finding(widget, name, Rule.FONT_SIZE, size, minimum, detail))
    if text.multiline and not text.rich:
        spacing = line_spacing_px(widget, text.text) / px
        if spacing + _EPSILON < norms.line_spacing_min:
            detail = f"字体 {widget.font().family()}"
            findings.append(
                Finding(widget, name, Rule.LINE_SPACING, spacing, norms.line_spacing_min, detail)
            )
    if widget.isEnabled():  # WCAG 1.4.3: inactive components need no contrast
        contrast = _measure_contrast(widget, snapshots)
        required = norms.contrast_min(size)
        if contrast is not None and contrast.ratio + _EPSILON < required:
            detail = f"文字 {contrast.text.name()}，背景 {contrast.background.name()}"
            if not contrast.text_from_palette:
                detail += "，文字颜色由像素估计"
            findings.append(Finding(widget, name, Rule.CONTRAST, contrast.ratio, required, detail))
    return findings


def audit(root: QWidget, norms: Norms, dpi: float) -> list[Finding]:
    """Every visible widget under `root` (and `root`) measured against `norms` on a panel of
    `dpi` device-independent pixels per inch. `root` must be shown: geometry and painting are
    only real then."""
    if dpi <= 0:
        raise ValueError(f"dpi 应为正数：{dpi}")
    if not root.isVisible():
        raise ValueError(f"{describe(root)} 未显示：请先 show()，再检查适老化")
    snapshots = _Snapshots()
    findings: list[Finding] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        widget.ensurePolished()
        findings += _check_target(widget, norms, dpi)
        findings += _check_text(widget, norms, dpi, snapshots)
    return findings
