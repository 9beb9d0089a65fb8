"""Chinese line breaking (行首行尾禁则, GB/T 15834 and W3C "Requirements for Chinese Text
Layout" §3.1.7): no line starts with closing punctuation (，。、；：？！）》」” …) and none ends
with opening punctuation (（《「“ …); Latin words and numbers are not cut unless a line holds
nothing else.

reportlab's own CJK wrapping knows only a Japanese list, without the full-width comma, semicolon,
colon, question and exclamation marks or 》 — so a line of a document could start with "，".
:class:`ChineseParagraph` breaks its lines here instead; every document paragraph is one.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

# reportlab's own pieces of its CJK wrapper (the glyph with its font, the line it draws, the
# bullet allowance); the type stubs leave the first two out.
from reportlab.platypus.paragraph import (  # type: ignore[attr-defined]
    Paragraph,
    ParaLines,
    _handleBulletWidth,
    cjkU,
    makeCJKParaLine,
)
from reportlab.rl_config import _FUZZ

# Beyond the closing brackets and quotes (Unicode Pe, Pf) that no line may start with (and the
# dash of a range, "9：00—12：00", is kept with what it follows).
_NO_START = frozenset("，。、；：？！…‥·・～—﹐﹑﹒﹔﹕﹖﹗%‰℃°′″,.;:?!)]}")
_NO_END = frozenset("([{￥$£")
_UNSPLIT_PAIRS = frozenset("—…")  # ——, …… are one mark


def cannot_start(char: str) -> bool:
    return char in _NO_START or unicodedata.category(char) in ("Pe", "Pf")


def cannot_end(char: str) -> bool:
    return char in _NO_END or unicodedata.category(char) in ("Ps", "Pi")


def _in_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-_./@#&+")


def can_break(before: str, after: str) -> bool:
    """Whether a line may end after ``before`` with ``after`` starting the next."""
    if cannot_start(after) or cannot_end(before):
        return False
    if before == after and before in _UNSPLIT_PAIRS:
        return False
    return not (_in_word(before) and _in_word(after))


def punctuation_allows(text: str, at: int) -> bool:
    """Whether ending a line before ``text[at]`` keeps punctuation where it belongs (spaces at a
    break are dropped, so the characters either side of them count)."""
    before, after = _around(text, at)
    return not (after and cannot_start(after)) and not (before and cannot_end(before))


def allowed(text: str, at: int) -> bool:
    """Whether a line may end before ``text[at]``: punctuation, ——/……, and words and numbers
    not cut (a space between two words is a place to break)."""
    before, after = _around(text, at)
    if not before:
        return False
    if not after:
        return True
    spaced = text[at - 1] == " " or text[at] == " "
    return punctuation_allows(text, at) and (spaced or can_break(before, after))


def _around(text: str, at: int) -> tuple[str, str]:
    """The characters either side of a break before ``text[at]``, spaces skipped."""
    after = at
    while after < len(text) and text[after] == " ":
        after += 1
    before = at
    while before > 0 and text[before - 1] == " ":
        before -= 1
    return (text[before - 1] if before else "", text[after] if after < len(text) else "")


def line_ends(
    text: str,
    widths: Sequence[float],
    max_widths: Sequence[float],
    hard: frozenset[int] = frozenset(),
) -> list[tuple[int, int]]:
    """The lines of ``text`` as (start, end) index pairs: as many characters as fit, then back to
    the nearest place the rules allow a break. ``hard``: indexes a line must end after (<br/>).
    Leading spaces of a line that was broken are left out."""
    lines: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        used, end = 0.0, start
        while end < n and (end == start or used + widths[end] <= limit + _FUZZ):
            used += widths[end]
            end += 1
            if end - 1 in hard:
                break
        forced = end - 1 in hard
        if end < n and not forced:
            end = _break_before(text, start, end)
        lines.append((start, end))
        start = end
        while start < n and text[start] == " " and not forced:
            start += 1
    return lines


def _break_before(text: str, start: int, end: int) -> int:
    """Where the line ``text[start:end]`` (too long by ``text[end]``) should end."""
    at = end
    while at > start and not allowed(text, at):
        at -= 1
    if at > start + (end - start) // 2:
        return at
    # No allowed break in the second half of the line (a long number or word): cut it, still
    # keeping punctuation where it belongs.
    at = end
    while at > start + 1 and not punctuation_allows(text, at):
        at -= 1
    return at


class ChineseParagraph(Paragraph):
    """A paragraph whose CJK-wrapped lines follow :func:`can_break` (its style sets
    ``wordWrap="CJK"``)."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802, N803 (reportlab's names)
        frags = self.frags
        if not frags or (hasattr(self, "blPara") and getattr(self, "_splitpara", False)):
            return super().breakLinesCJK(maxWidths)  # nothing, or a part split over pages
        widths_of = list(maxWidths) if isinstance(maxWidths, list | tuple) else [maxWidths]
        self.height = 0
        _handleBulletWidth(self.bulletText, self.style, widths_of)
        if len(frags) == 1 and not hasattr(frags[0], "cbDefn") and not self.style.endDots:
            return self._plain_lines(frags[0], widths_of)
        glyphs = []
        for frag in frags:
            text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
            glyphs += [cjkU(t, frag, "utf8") for t in text] if text else [cjkU("", frag, "utf8")]
        widths = [_width(g.width, widths_of[0]) for g in glyphs]
        hard = frozenset(k for k, g in enumerate(glyphs) if hasattr(g.frag, "lineBreak"))
        auto = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        lines = []
        text = "".join(g or "\ufffc" for g in glyphs)  # an image or <br/> holds a place too
        for number, (start, end) in enumerate(line_ends(text, widths, widths_of, hard)):
            limit = widths_of[min(number, len(widths_of) - 1)]
            used = sum(widths[start:end])
            lines.append(
                makeCJKParaLine(
                    glyphs[start:end],
                    limit,
                    used,
                    limit - used,
                    end - 1 in hard,
                    auto not in ("", "off"),
                )
            )
        return ParaLines(kind=1, lines=lines)

    @staticmethod
    def _plain_lines(frag: Any, widths_of: list[float]) -> Any:
        """Text in one font: lines of plain strings, as reportlab makes them for this case (a
        table of a few hundred cells is laid out several times quicker than glyph by glyph)."""
        text = frag.text if hasattr(frag, "text") else "".join(getattr(frag, "words", []))
        text = text.decode("utf8") if isinstance(text, bytes) else text
        widths = [_char_width(c, frag.fontName, frag.fontSize) for c in text]
        lines = []
        for number, (start, end) in enumerate(line_ends(text, widths, widths_of)):
            limit = widths_of[min(number, len(widths_of) - 1)]
            lines.append((limit - sum(widths[start:end]), [text[start:end].rstrip(" ")]))
        return frag.clone(kind=0, lines=lines, ascent=frag.fontSize, descent=-0.2 * frag.fontSize)


@functools.lru_cache(maxsize=16384)
def _char_width(char: str, font: str, size: float) -> float:
    return float(stringWidth(char, font, size))


def _width(width: Any, of: float) -> float:
    """A glyph's width; an inline image may give it as a share of the line."""
    if hasattr(width, "normalizedValue"):
        width._normalizer = of  # noqa: SLF001 (reportlab's own protocol)
        return float(width.normalizedValue(of))
    return float(width)
