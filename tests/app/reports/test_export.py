"""Reports as text, Excel and PDF: the same report is the same bytes, and what a manager reads is
there in Chinese. The reports are built by hand: exports need no database."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from app.reports.effectiveness import EffectivenessReport, EffectivenessRow, Promise
from app.reports.evaluations import EvaluationCounts, EvaluationReport
from app.reports.export import to_text, to_xlsx, width
from app.reports.figures import Period
from app.reports.periods import PeriodReport, PeriodRow
from printing.a4 import Letterhead
from printing.reports import to_pdf

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
PERIOD = PeriodReport(
    NOVEMBER,
    "scenario",
    (
        PeriodRow(
            "43PCN0009",
            "新生儿出生一件事",
            pre_applied=3,
            accepted=40,
            on_commitment=2,
            not_accepted=2,
            not_accepted_by_ground=(("2", 1), ("4", 1)),
            withdrawn=1,
            assisted=4,
            special=6,
            supplied=2,
            supplied_late=1,
            completed_on_time=30,
            completed_overdue=1,
            overdue_open=2,
        ),
        PeriodRow("43PCN0013", "退休一件事", accepted=12, completed_on_time=9),
    ),
)
EFFECT = EffectivenessReport(
    NOVEMBER,
    (
        EffectivenessRow(
            "43PCN0009",
            "新生儿出生一件事",
            Promise(22, 72, 4, 7),
            Promise(4, 5, 0, 1, 16),
            completed=31,
            days_median=3.5,
            days_p90=6,
            materials=(("submitted", 155), ("produced", 31), ("e_licence", 12)),
            trips_mean=1.2,
            one_trip_share=0.8,
        ),
    ),
)
RATINGS = EvaluationReport(
    NOVEMBER,
    "channel",
    (
        EvaluationCounts("hall_pad", "大厅平板", (30, 5, 2, 1, 0)),
        EvaluationCounts("qr", "二维码", (4, 1, 0, 0, 1)),
    ),
)
LETTERHEAD = Letterhead("岳麓区政务服务中心", "综合受理窗口", "0731-88888888", "长沙市岳麓区")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.replace(" ", "")


def test_text_table_is_aligned_and_explained() -> None:
    text = to_text(PERIOD)
    lines = text.splitlines()
    assert (
        lines[0] == "办件统计（按一件事）"
        and lines[1] == "统计期间：2026年11月01日至2026年11月30日"
    )
    header, rule, first, second, total = lines[3:8]
    assert header.split() == [
        "一件事",
        "预申请",
        "受理",
        "其中容缺受理",
        "不予受理",
        "其中第（一）项",
        "其中第（二）项",
        "其中第（四）项",
        "撤回",
        "帮办代办",
        "特殊群体",
        "容缺补齐",
        "其中逾期补齐",
        "容缺逾期终止",
        "告知承诺受理",
        "核查属实",
        "承诺不实",
        "按期办结",
        "超期办结",
        "超期未办结",
    ]
    assert first.split() == [
        "新生儿出生一件事",
        "3",
        "40",
        "2",
        "2",
        "0",
        "1",
        "1",
        "1",
        "4",
        "6",
        "2",
        "1",
        "0",
        "0",
        "0",
        "0",
        "30",
        "1",
        "2",
    ]
    assert total.split()[:3] == ["合计", "3", "52"]
    assert width(first) == width(header) == width(rule)  # numbers end under their headings
    assert "说明：" in text and "承诺办结日" in text


def test_text_of_effectiveness_and_evaluations() -> None:
    text = to_text(EFFECT)
    assert "新生儿出生一件事  办结件数（件）" in text
    assert "件均免提交 1.4 件（内部流转免提交 1.0，电子证照免提交 0.4）" in text
    assert "最多跑一次 80.0%" in text and "—" in text  # no hall figure for the steps
    ratings = to_text(RATINGS)
    assert "差评率" in ratings and "2.6%" in ratings and "16.7%" in ratings


def test_xlsx_is_the_same_bytes_and_reads_back() -> None:
    data = to_xlsx(PERIOD)
    assert data == to_xlsx(PERIOD)
    assert data != to_xlsx(
        PeriodReport(Period(date(2026, 12, 1), date(2026, 12, 31)), "scenario", PERIOD.rows)
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.properties.created == datetime(2026, 11, 30, 16, 0)  # 1 Dec 00:00 in the hall
    sheet = book.active
    assert sheet is not None
    assert sheet["A1"].value == "办件统计（按一件事）"
    assert [c.value for c in sheet[4]][:4] == ["编码", "一件事", "预申请", "受理"]
    assert [c.value for c in sheet[5]][:4] == ["43PCN0009", "新生儿出生一件事", 3, 40]
    assert [c.value for c in sheet[7]][1:4] == ["合计", 3, 52]
    shares = to_xlsx(RATINGS)
    sheet = openpyxl.load_workbook(io.BytesIO(shares)).active
    assert sheet is not None
    assert sheet["J6"].value == pytest.approx(1 / 6) and sheet["J6"].number_format == "0.0%"


def test_pdf_is_the_same_bytes_in_the_halls_style(tmp_path: Path) -> None:
    data = to_pdf(PERIOD, LETTERHEAD)
    assert data.startswith(b"%PDF") and data == to_pdf(PERIOD, LETTERHEAD)
    text = pdf_text(data, tmp_path)
    assert "办件统计（按一件事）" in text and "岳麓区政务服务中心" in text
    assert "新生儿出生一件事" in text and "合计" in text and "第1页共1页" in text
    effect = pdf_text(to_pdf(EFFECT, LETTERHEAD), tmp_path)
    assert "改革成效" in effect and "最多跑一次" in effect
    assert to_pdf(RATINGS, LETTERHEAD) == to_pdf(RATINGS, LETTERHEAD)


def test_an_empty_report_says_so(tmp_path: Path) -> None:
    nothing = EffectivenessReport(NOVEMBER, ())
    assert "（本期没有数据）" in to_text(nothing)
    assert "本期没有数据" in pdf_text(to_pdf(nothing, LETTERHEAD), tmp_path)
    no_clerk = to_text(PeriodReport(NOVEMBER, "clerk", ()))
    assert "窗口人员" in no_clerk and "合计" in no_clerk  # the total row is always there
