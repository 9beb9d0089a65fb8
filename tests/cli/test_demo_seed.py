"""``onestop demo seed`` as the hall's IT staff run it for a demo or a benchmark: Chinese words,
the database it filled, a second run on the same database, and cases that take working days."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.reports.assistance import assistance_report
from app.reports.effectiveness import effectiveness_report
from app.reports.figures import Period
from app.reports.periods import period_report
from app.reports.unresolved import unresolved_report
from app.settings import shown_url
from sync.demo import demo_world
from tests.cli.test_cli import run


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


def test_seed_twice_in_chinese_naming_the_database(
    capsys: pytest.CaptureFixture[str], settings_path: Path
) -> None:
    for _ in range(2):  # the second run met "办结环节已经评价过了"
        code, out, err = run(
            capsys, "demo", "seed", "--cases", "30", "--settings", str(settings_path)
        )
        assert code == 0, err
        assert f"sqlite:///{settings_path.parent / 'data' / 'onestop.sqlite3'}" in out
        assert "已受理" in out and "交接单" in out
        for raw in ("accepted", "pre_application", "not_accepted", "withdrawn", "rated_", "星"):
            assert raw not in out, out


def test_seeded_cases_take_working_days(
    capsys: pytest.CaptureFixture[str], settings_path: Path
) -> None:
    code, _, err = run(capsys, "demo", "seed", "--cases", "40", "--settings", str(settings_path))
    assert code == 0, err
    today = date.today()
    code, out, err = run(
        capsys,
        "report",
        "effectiveness",
        "--from",
        str(today - timedelta(days=40)),
        "--to",
        str(today),
        "--json",
        "--settings",
        str(settings_path),
    )
    assert code == 0, err
    days = [
        row["actual"]
        for row in json.loads(out)["rows"]
        if row["figure"] == "办理时间（工作日）" and row["actual"] is not None
    ]
    assert days and all(d >= 1 for d in days), days  # all 0 when every case ended on its day


def test_a_shown_url_hides_the_password() -> None:
    assert shown_url("postgresql+psycopg://onestop:s3cret@10.0.0.5/hall") == (
        "postgresql+psycopg://onestop:***@10.0.0.5/hall"
    )


def test_the_demo_halls_reports_show_working_days(tmp_path: Path) -> None:
    """``make demo`` and ``--demo`` seed through :func:`sync.demo.demo_world`."""
    with demo_world(tmp_path, cases=30) as demo:
        core = build_core(demo.settings)
        try:
            today = date.today()
            weeks = Period(today - timedelta(days=40), today)
            report = effectiveness_report(core.db, core.catalog, core.calendar, weeks)
            # the demo hall has an example of each way of serving (issue 25)
            due = core.cases.verifications.due()
            period = period_report(core.db, core.calendar, weeks).total
            helped = assistance_report(core.db, weeks).total
            unanswered = core.unresolved.open_reports()
            reports = unresolved_report(core.db, weeks, by="department").total
        finally:
            core.close()
    done = [row for row in report.rows if row.completed]
    assert done and all(row.days_median and row.days_median >= 1 for row in done)
    assert len(due) == 3 and [d.standing for d in due].count("overdue") == 1
    assert (period.pledged, period.checked_true, period.checked_false) == (5, 1, 1)
    assert period.lapsed >= 1 and period.supplied_late >= 1 and period.assisted >= 3
    assert set(helped.modes) == {"bangban", "daiban", "peitong"} and helped.groups["military"]
    assert len(unanswered) == 2 and reports.total == 5 and reports.hotline == 1
    assert set(reports.outcomes) == {"solved", "explained", "referred"}
