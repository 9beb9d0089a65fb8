"""Chinese line breaking in every document: no line starts with closing punctuation and none ends
with opening punctuation (行首行尾禁则)."""

from __future__ import annotations

import ast
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from printing.a4 import Letterhead, Styles, render
from printing.linebreak import (
    ChineseParagraph,
    cannot_end,
    cannot_start,
    line_ends,
    punctuation_allows,
)
from printing.samples import PDF_NAMES, sample_pdf
from tests.helpers.keys import ring

KEY = ring(b"test-hall-secret")
HALL = Letterhead("测试市政务服务中心", "一网通办综合窗口（测试）", "0731-12345678", "测试路 1 号")
CLOSING = "，。、；：？！）》」』”’】〕"
OPENING = "（《「『“‘【〔"
FOOTER = re.compile(r"第\s*\d+\s*页\s*共\s*\d+\s*页")


def _lines(paragraph: Paragraph, width: float) -> list[str]:
    paragraph.wrap(width, 1000)
    broken = vars(paragraph)["blPara"]  # set by wrap()
    lines = broken.lines
    if broken.kind == 0:  # reportlab's own single-font lines: (space left, [text])
        return ["".join(words) for _space, words in lines]
    return ["".join(str(w.text) for w in line.words) for line in lines]


def test_a_line_never_starts_with_a_comma() -> None:
    text = "本人已经知晓行政机关告知的全部内容，承诺所填写的信息真实"
    style = Styles().body
    # The width that puts the "，" first on the second line with reportlab's own wrapping.
    width = style.fontSize * text.index("，") + 1
    assert _lines(Paragraph(text, style), width)[1].startswith("，")  # what was printed
    lines = _lines(ChineseParagraph(text, style), width)
    assert "".join(lines) == text
    assert not any(line[0] in CLOSING for line in lines[1:]), lines
    assert lines[1].startswith("容，")  # the character before goes down with it


def test_an_opening_bracket_never_ends_a_line() -> None:
    text = "根据行政许可法第三十二条（五）项的规定决定予以受理"
    style = Styles().body
    width = style.fontSize * (text.index("（") + 1) + 1
    lines = _lines(ChineseParagraph(text, style), width)
    assert "".join(lines) == text
    assert not any(line[-1] in OPENING for line in lines[:-1]), lines


def test_numbers_stay_whole_when_there_is_room() -> None:
    text = "受理编号为 430100001-20261123-00001 的申请"
    lines = _lines(ChineseParagraph(text, Styles().body), 200)
    assert any("430100001-20261123-00001" in line for line in lines), lines


@given(
    st.text(
        alphabet=st.sampled_from("政务服务中心受理AB12 -，。、；：？！（）《》“”—…"),
        min_size=1,
        max_size=80,
    ),
    st.floats(min_value=1, max_value=12),
    st.floats(min_value=11, max_value=120),
)
@example("111（ ", 5.0, 20.0)  # an opening bracket before the text's trailing space
def test_line_ends_keep_every_character_and_the_rules(text: str, em: float, limit: float) -> None:
    lines = line_ends(text, [em] * len(text), [limit])
    assert "".join(text[s:e] for s, e in lines).replace(" ", "") == text.replace(" ", "")
    for s, e in lines:
        assert e > s
        at_the_end = not text[e:].strip()  # only the spaces a line drops follow
        assert e - s == 1 or at_the_end or punctuation_allows(text, e), (text, lines)


def test_the_tables_of_punctuation() -> None:
    assert all(cannot_start(c) for c in CLOSING)
    assert all(cannot_end(c) for c in OPENING)
    assert not cannot_start("中") and not cannot_end("中")


@pytest.mark.parametrize("name", PDF_NAMES)
def test_no_printed_line_starts_with_closing_punctuation(name: str, tmp_path: Path) -> None:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(sample_pdf(name, HALL, KEY))
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in CLOSING], name
    assert not [line for line in lines if line[-1] in OPENING and not FOOTER.search(line)], name


def test_every_document_paragraph_breaks_chinese_lines() -> None:
    """The documents make their paragraphs as ChineseParagraph, never reportlab's plain one."""
    folder = Path(__file__).parents[2] / "printing"
    offenders = []
    for module in folder.glob("*.py"):
        if module.name == "linebreak.py":
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and "reportlab" in node.module:
                offenders += [
                    f"{module.name}: {a.name}" for a in node.names if a.name == "Paragraph"
                ]
    assert not offenders


def test_a_paragraph_split_over_two_pages_keeps_its_lines(tmp_path: Path) -> None:
    styles = Styles()
    text = "申请人承诺所填写的信息真实、准确，符合办理条件，能够在约定期限内补交上述材料。" * 12
    story = [Spacer(1, 297 * mm - 48 * mm - 12 - 40), ChineseParagraph(text, styles.indent)]
    pdf = tmp_path / "split.pdf"
    pdf.write_bytes(
        render(
            story,
            title="测试",
            letterhead=HALL,
            key="x/y",
            moment=datetime(2026, 11, 23, tzinfo=UTC),
        )
    )
    out = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    first, second = out.strip().split("\f")[:2]
    assert "申请人" in first and "申请人" in second  # split over the two pages
    body = [
        line.strip()
        for line in out.splitlines()
        if line.strip() and "测试" not in line and not FOOTER.search(line)
    ]
    assert "".join(body).replace("\f", "") == text
    assert not [line for line in body if line.lstrip("\f")[0] in CLOSING]
