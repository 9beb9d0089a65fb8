"""How the kiosk looks, in physical units (适老化): text in points and touch targets in dp are
turned into pixels with the panel's real DPI, so 18 pt is 18 pt on a 27-inch landscape panel and
on a 43-inch portrait one. 长辈模式 makes text and targets larger and keeps the same colours —
dark text on white, white on a deep blue — whose contrast passes 4.5:1 everywhere.

Widgets say what a text is with :func:`kiosk.a11y.mark` ("heading" / "body"); the style sheet
selects on that property, and the accessibility test measures the same widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.a11y import px_from_dp, px_from_pt

FONT = "Noto Sans CJK SC"  # its lines are 1.45 font sizes apart (the norm asks ≥ 1.3)
INK = "#1a1a1a"  # on white: 17.4:1
PAPER = "#ffffff"
CALM = "#f2f5f9"  # the page behind cards
ACCENT = "#0b57d0"  # white on it: 6.4:1
ACCENT_DOWN = "#08419c"
MUTED = "#4a4f57"  # on white: 8.4:1, for secondary text
WARN = "#8a1c1c"  # on white: 8.9:1; always with words, never colour alone
LINE = "#6b7280"  # borders (non-text: 3:1 is enough; 4.8:1)


@dataclass(frozen=True)
class Sizes:
    body_pt: float
    heading_pt: float
    small_pt: float
    target_dp: float  # the smallest touch target
    answer_dp: float  # the height of an answer button
    line_spacing: float


NORMAL_SIZES = Sizes(
    body_pt=16, heading_pt=26, small_pt=14, target_dp=72, answer_dp=96, line_spacing=1.35
)
ELDERLY_SCALE = 1.5  # 长辈模式: every text and target half as large again (the norm's spirit)
ELDERLY_SIZES = Sizes(
    body_pt=24, heading_pt=39, small_pt=21, target_dp=108, answer_dp=144, line_spacing=1.4
)


@dataclass(frozen=True)
class Theme:
    dpi: float
    elderly: bool = False

    @property
    def sizes(self) -> Sizes:
        return ELDERLY_SIZES if self.elderly else NORMAL_SIZES

    def pt(self, points: float) -> int:
        return round(px_from_pt(points, self.dpi))

    def dp(self, dps: float) -> int:
        return round(px_from_dp(dps, self.dpi))

    @property
    def target_px(self) -> int:
        return self.dp(self.sizes.target_dp)

    @property
    def answer_px(self) -> int:
        return self.dp(self.sizes.answer_dp)

    @property
    def icon_px(self) -> int:
        """A button's picture: as tall as a line of its text and a half."""
        return round(self.pt(self.sizes.body_pt) * 1.5)

    @property
    def tile_icon_px(self) -> int:
        return self.dp(self.sizes.answer_dp * 2)

    def style_sheet(self) -> str:
        s = self.sizes
        body, heading, small = self.pt(s.body_pt), self.pt(s.heading_pt), self.pt(s.small_pt)
        target, pad = self.target_px, self.dp(12)
        return f"""
QWidget#kiosk {{ background: {CALM}; }}
QWidget {{ color: {INK}; font-size: {body}px; font-family: "{FONT}"; }}
QLabel {{ background: transparent; }}
QLabel[a11y="heading"] {{ font-size: {heading}px; font-weight: bold; }}
QLabel[a11y="body"] {{ font-size: {body}px; }}
QLabel[kind="small"] {{ font-size: {small}px; color: {MUTED}; }}
QLabel[kind="warn"] {{ color: {WARN}; font-weight: bold; }}
QLabel[kind="strong"] {{ font-weight: bold; }}
QFrame[kind="card"] {{ background: {PAPER}; border: 1px solid {LINE}; border-radius: {pad}px; }}
QPushButton {{
    background: {PAPER}; color: {INK}; border: 2px solid {ACCENT}; border-radius: {pad}px;
    min-height: {target}px; min-width: {target}px; padding: 0 {pad}px; font-size: {body}px;
}}
QPushButton:pressed, QPushButton:checked {{ background: {ACCENT_DOWN}; color: {PAPER}; }}
QPushButton[kind="primary"] {{ background: {ACCENT}; color: {PAPER}; font-weight: bold; }}
QPushButton[kind="answer"] {{ min-height: {self.answer_px}px; text-align: left;
    padding-left: {pad * 2}px; }}
QPushButton[kind="answer"][lines="2"] {{
    min-height: {max(self.answer_px, round(body * s.line_spacing * 2) + pad * 2)}px; }}
QPushButton[kind="answer"][lines="3"] {{
    min-height: {max(self.answer_px, round(body * s.line_spacing * 3) + pad * 2)}px; }}
QLabel#hall_name {{ font-size: {round(body * 1.2)}px; font-weight: bold; }}
QPushButton[kind="tile"] {{ min-height: {self.answer_px}px; font-size: {round(heading * 1.3)}px;
    font-weight: bold; border: 2px solid {LINE}; border-radius: {pad * 2}px;
    padding: {pad}px {pad * 2}px; }}
QPushButton[kind="tile"]:pressed {{ border-color: {ACCENT}; }}
QPushButton[way="true"] {{ min-height: {self.answer_px}px; font-size: {heading}px;
    font-weight: bold; border-radius: {pad * 2}px; }}
QPushButton[kind="tab"] {{ font-weight: bold; }}
QWidget#topbar {{ background: {ACCENT}; }}
QWidget#topbar QLabel {{ color: {PAPER}; }}
QToolButton[kind="bar"] {{ background: {ACCENT}; color: {PAPER}; border: 2px solid {PAPER};
    border-radius: {pad}px; min-height: {target}px; min-width: {target}px;
    padding: {pad // 2}px {pad}px; font-size: {body}px; font-weight: bold; }}
QToolButton[kind="bar"]:pressed, QToolButton[kind="bar"]:checked {{
    background: {ACCENT_DOWN}; border-width: 4px; }}
QPushButton:disabled {{ color: {MUTED}; border-color: {LINE}; background: {CALM}; }}
QLineEdit {{ background: {PAPER}; border: 2px solid {LINE}; border-radius: {pad // 2}px;
    min-height: {target}px; padding: 0 {pad}px; font-size: {body}px; }}
QLineEdit:focus {{ border-color: {ACCENT}; }}
QCheckBox {{ min-height: {target}px; spacing: {pad}px; background: transparent; }}
QCheckBox::indicator {{ width: {target // 2}px; height: {target // 2}px; }}
QScrollArea, QScrollArea > QWidget > QWidget {{ background: transparent; }}
QScrollBar:vertical {{ width: {self.dp(24)}px; }}
QProgressBar {{ min-height: {self.dp(12)}px; border: 1px solid {LINE}; border-radius: 4px;
    background: {PAPER}; text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; }}
"""
