"""Page layout of the documents: a heading is never the last line of a page."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.cases.demo import NEWBORN
from app.catalog.catalog import Catalog
from printing.a4 import WIDTH, Letterhead, Styles, listing, render
from printing.documents import DOCUMENTS, Context, plan_list
from printing.linebreak import ChineseParagraph
from printing.samples import PDF_NAMES, sample_case, sample_pdf, sample_plan
from tests.helpers.keys import ring

KEY = ring(b"test-hall-secret")
HALL = Letterhead("测试市政务服务中心", "一网通办综合窗口（测试）", "0731-12345678", "测试路 1 号")
FOOTER = re.compile(r"第\s*\d+\s*页\s*共\s*\d+\s*页")
MOMENT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's lines of text, without the running header and the page number."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = []
    for page in text.split("\f"):
        lines = [re.sub(r"\s+", "", line) for line in page.splitlines()]
        lines = [line for line in lines if line and not FOOTER.fullmatch(line)]
        pages.append(lines[1:])  # the first line is the header: "hall · title    number"
    return [page for page in pages if page]


def _headings(story: list[Flowable], styles: Styles) -> set[str]:
    return {
        re.sub(r"\s+", "", f.getPlainText())
        for f in story
        if isinstance(f, ChineseParagraph) and f.style is styles.heading
    }


def _story(name: str, catalog: Catalog, styles: Styles) -> list[Flowable]:
    scenario = catalog.scenario(NEWBORN)
    if name == "plan":
        return plan_list(sample_plan(catalog), scenario, HALL, styles)
    return DOCUMENTS[name].build(
        Context(sample_case(name, catalog), scenario, HALL, KEY, None), styles
    )


@pytest.mark.parametrize("name", PDF_NAMES)
def test_no_page_ends_with_a_heading(name: str, catalog: Catalog, tmp_path: Path) -> None:
    styles = Styles()
    headings = _headings(_story(name, catalog, styles), styles)
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(sample_pdf(name, HALL, KEY))
    for number, page in enumerate(_pages(pdf), start=1):
        assert page[-1] not in headings, f"{name}: page {number} ends with heading {page[-1]}"


def _filler(styles: Styles, leave: float) -> list[Flowable]:
    """Fills the first page down to ``leave`` above its bottom margin."""
    frame = 297 * mm - 2 * (24 * mm) - 12  # the frame's height less its padding
    return [Spacer(1, frame - leave), ChineseParagraph("上文", styles.body)]


@pytest.mark.parametrize("leave", [12 * mm, 16 * mm, 24 * mm, 40 * mm])
def test_a_heading_at_the_foot_goes_with_the_start_of_its_table(
    leave: float, tmp_path: Path
) -> None:
    styles = Styles()
    rows = [[n, f"材料 {n}", "原件"] for n in range(1, 41)]
    story = [
        *_filler(styles, leave),
        ChineseParagraph("申请材料接收清单", styles.heading),
        listing(styles, ["序号", "材料名称", "要求"], rows, [12 * mm, 100 * mm, WIDTH - 112 * mm]),
    ]
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(render(story, title="测试", letterhead=HALL, moment=MOMENT, key="x/y"))
    pages = _pages(pdf)
    where = next(n for n, page in enumerate(pages) if "申请材料接收清单" in page)
    page = pages[where]
    assert page[-1] != "申请材料接收清单"
    after = page[page.index("申请材料接收清单") + 1 :]
    assert after and after[0].startswith("序号"), page  # the table's header under the heading
    if leave >= 40 * mm:  # room for some rows: the table starts on this page, not the next
        assert where == 0 and any(line.startswith("1材料1") for line in after), page
