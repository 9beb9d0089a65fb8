"""好差评 counts over the known cases of November 2026 (tests/app/reports/conftest.py)."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.reports.evaluations import EvaluationReport, evaluation_report
from tests.app.reports.conftest import NOVEMBER, Hall


def levels(report: EvaluationReport) -> dict[str, tuple[int, ...]]:
    """Per group: the counts of levels 5 to 1, the total and the 差评."""
    return {row.label: (*row.levels, row.total, row.poor) for row in (*report.rows, report.total)}


def test_by_scenario(hall: Hall) -> None:
    # F's rating was given on 31 October: not in November.
    report = evaluation_report(hall.core.db, NOVEMBER, by="scenario")
    assert levels(report) == {
        "测试一件事": (1, 1, 0, 1, 1, 4, 2),  # A 5 and 4, C 2, B 1
        "第二件事": (0, 0, 1, 0, 0, 1, 0),  # G 3
        "合计": (1, 1, 1, 1, 1, 5, 2),
    }
    assert report.rows[0].poor_share == 0.5 and report.rows[1].poor_share == 0
    assert report.total.poor_share == pytest.approx(0.4)


def test_by_clerk_and_channel(hall: Hall) -> None:
    assert levels(evaluation_report(hall.core.db, NOVEMBER, by="clerk")) == {
        "张敏": (1, 1, 1, 1, 0, 4, 1),
        "李娜": (0, 0, 0, 0, 1, 1, 1),
        "合计": (1, 1, 1, 1, 1, 5, 2),
    }
    assert levels(evaluation_report(hall.core.db, NOVEMBER, by="channel")) == {
        "大厅平板": (1, 0, 0, 1, 0, 2, 1),
        "电脑端": (0, 1, 0, 0, 0, 1, 0),
        "二维码": (0, 0, 0, 0, 1, 1, 1),
        "短信": (0, 0, 1, 0, 0, 1, 0),
        "合计": (1, 1, 1, 1, 1, 5, 2),
    }


def test_table_and_refusals(hall: Hall) -> None:
    table = evaluation_report(hall.core.db, NOVEMBER, by="channel").table()
    assert [c.label for c in table.columns][2:] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
        "合计",
        "差评",
        "差评率",
    ]
    rows = {row["label"]: row for row in table.to_json()["rows"]}
    assert rows["二维码"]["poor_share"] == 1 and rows["合计"]["level_1"] == 1
    with pytest.raises(InvalidInput, match="好差评不能按“department”分组"):
        evaluation_report(hall.core.db, NOVEMBER, by="department")
