"""The CJK font every document embeds: WenQuanYi Micro Hei (a TrueType reportlab can subset;
Noto CJK's CFF outlines it refuses). Registered once; a missing font is a clear error, never a
page of boxes."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.errors import OneStopError

FONT = "WenQuanYiMicroHei"
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/local/share/fonts/wqy-microhei.ttc"),
)


class FontMissing(OneStopError):
    """No font that can print Chinese into a PDF."""


def font_path() -> Path:
    for path in CANDIDATES:
        if path.exists():
            return path
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "WenQuanYi Micro Hei"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        found = None
    if found and found.stdout.endswith((".ttc", ".ttf")) and "wqy" in found.stdout.lower():
        return Path(found.stdout)
    raise FontMissing(
        "找不到打印中文所需的字体（文泉驿微米黑），无法生成文书。",
        hint="请安装 fonts-wqy-microhei（make test 会自动安装），或联系信息管理员。",
    )


@functools.cache
def cjk_font() -> str:
    """Register the font with reportlab (once) and return its name."""
    pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))
    return FONT
