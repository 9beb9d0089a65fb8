"""What the kiosk's text becomes before it is spoken: codes spelt out, masks read as such,
symbols and invisible characters dropped, long texts cut at a sentence."""

from __future__ import annotations

import logging
import re
import string
import unicodedata

from kiosk.voice.base import MAX_CHARS

log = logging.getLogger("kiosk.voice")  # one logger for the whole voice, as staff read it


_NARROW = string.ascii_letters + string.digits + "*%~"
_FULL_WIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F) if chr(c - 0xFEE0) in _NARROW}
)
_MASKS = "*●"
_CODE = re.compile(rf"[0-9A-Za-z{_MASKS}]{{5,}}")
_MASK_RUN = re.compile(rf"[{_MASKS}]+")
_QUANTITY_UNITS = "元万亿个人天年月日岁次份页件张"
_SENTENCE_ENDS = "。！？；!?;"
_PAUSES = _SENTENCE_ENDS + "：，、:,"
_SPOKEN_AS_ENGLISH = re.compile(r"[#/\\|_^@&=+<>{}\[\]$*~%\"]")
_UNSPEAKABLE = {"Cc", "Cf", "Co", "Cs", "Cn", "So"}


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _spell_code(match: re.Match[str]) -> str:
    """ID, phone and receipt numbers are read one character at a time, as people read them."""
    token = match.group()
    following = match.string[match.end() : match.end() + 1]
    quantity = token.isdigit() and following != "" and following in _QUANTITY_UNITS
    if quantity or not any(c.isdigit() for c in token):
        return token
    groups = [" ".join(group.upper()) for group in _MASK_RUN.split(token) if group]
    return " " + "，".join(groups) + " "


def _unmask(match: re.Match[str]) -> str:
    """A masked name ("张*三", "张**") is spoken with 某; longer masks become a pause."""
    text, start, end = match.string, match.start(), match.end()
    beside = (text[start - 1] if start else "") + (text[end] if end < len(text) else "")
    if end - start <= 2 and any(_is_han(c) for c in beside):
        return "某" * (end - start)
    return "，"


def speakable(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` as espeak-ng should hear it: one line, no symbols it would name in English.

    Masked names become 某 ("张*三" → "张某三"); numbers of five or more digits that are not
    quantities (ID, phone, receipt numbers) are read digit by digit, with a pause where they are
    masked ("110***********1234" → "1 1 0，1 2 3 4"); "3~5" → "3到5", "0.5" → "0点5",
    "50%" → "百分之50", "¥20" → "20元"; upper-case letters are spelled ("QR码" → "Q R码"). Lines
    are joined with a pause and the whole is cut at ``limit`` characters, after a sentence where
    one ends in the second half.
    """
    text = text.translate(_FULL_WIDTH)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = ""
    for line in filter(None, lines):
        if joined:
            joined += " " if joined[-1] in _PAUSES else "。"
        joined += line
    text = _CODE.sub(_spell_code, joined)
    text = _MASK_RUN.sub(_unmask, text)
    text = re.sub(r"(\d)\s*~\s*(?=\d)", r"\1到", text)
    text = re.sub(r"(\d)\.(?=\d)", r"\1点", text)
    text = re.sub(r"(\d+(?:点\d+)?)\s*%", r"百分之\1", text)
    text = re.sub(r"[¥￥]\s*(\d+(?:点\d+)?)", r"\1元", text)
    text = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", text)
    text = re.sub(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])", lambda m: " ".join(m.group()), text)
    text = _SPOKEN_AS_ENGLISH.sub(" ", text)
    text = "".join(c for c in text if unicodedata.category(c) not in _UNSPEAKABLE)
    text = " ".join(text.split()).strip(" ，")
    if len(text) > limit:
        cut = text[:limit]
        end = max(cut.rfind(c) for c in _SENTENCE_ENDS)
        text = cut[: end + 1] if end >= limit // 2 else cut
    return text
