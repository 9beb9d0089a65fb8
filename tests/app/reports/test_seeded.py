"""The reports over the demo's realistic cases (app.cases.demo) on the built-in catalog: every
grouping adds up to the same totals, and they match what the seeding made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.demo import seed_cases
from app.cases.service import CaseService
from app.db.models import EvaluationRow
from app.reports.effectiveness import effectiveness_report
from app.reports.evaluations import evaluation_report
from app.reports.figures import Period
from app.reports.periods import period_report
from app.settings import Settings

DAY = date(2026, 11, 23)
CASES = 120
DEPARTMENT = Actor("部门", "platform")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Core, dict[str, int]]]:
    """120 demo cases opened on Monday 23 November 2026; the first 20 accepted ones are then
    done, every item approved, on Friday 27 November."""
    now = [datetime(2026, 11, 23, 2, tzinfo=UTC)]
    core = build_core(Settings(data_dir=Path(tmp_path_factory.mktemp("seeded"))))
    service = CaseService(
        core.db,
        core.catalog,
        core.files,
        hall_code="430100001",
        calendar=core.calendar,
        clock=lambda: now[0],
    )
    made = seed_cases(service, core.catalog, CASES)
    now[0] = datetime(2026, 11, 27, 2, tzinfo=UTC)
    done = 0
    for n in range(1, CASES + 1):
        receipt_no = f"430100001-20261123-{n:05d}"
        case = service.get(receipt_no)
        if case.state != "accepted" or done == 20:
            continue
        while case.state == "accepted":
            for item in case.items:
                if item.state == "dispatched":
                    case = service.record_item_decision(
                        DEPARTMENT, receipt_no, item.item_id, approved=True
                    )
        done += 1
        # on time when done no later than the promised date (some promise under 4 days)
        late = case.promised_date is not None and case.promised_date < date(2026, 11, 27)
        made["done_late"] = made.get("done_late", 0) + late
    made["completed"] = done
    made["open_late"] = sum(  # still open on Friday although promised by then
        1
        for n in range(1, CASES + 1)
        if (case := service.get(f"430100001-20261123-{n:05d}")).state
        in ("accepted", "accepted_on_commitment")
        and case.promised_date is not None
        and case.promised_date <= date(2026, 11, 27)
    )
    yield core, made
    core.close()


def test_every_grouping_adds_up(seeded: tuple[Core, dict[str, int]]) -> None:
    core, made = seeded
    week = Period(DAY, date(2026, 11, 27))
    totals = {
        by: period_report(core.db, core.calendar, week, by=by).total
        for by in ("scenario", "item", "department", "clerk", "channel")
    }
    scenario = totals["scenario"]
    assert scenario.pre_applied == made["pre_application"]
    assert scenario.accepted == made["accepted"] + made["withdrawn"]
    assert scenario.not_accepted == made["not_accepted"] == scenario.ground("2")
    assert scenario.withdrawn == made["withdrawn"]
    assert made["completed"] == 20
    assert scenario.completed_on_time == 20 - made.get("done_late", 0)
    assert scenario.completed_overdue == made.get("done_late", 0)
    assert scenario.overdue_open == made["open_late"]
    assert totals["clerk"] == totals["channel"] == scenario
    assert totals["item"] == totals["department"]
    assert totals["item"].accepted > scenario.accepted  # a case has several items


def test_effectiveness_uses_the_catalogs_figures(seeded: tuple[Core, dict[str, int]]) -> None:
    core, _ = seeded
    report = effectiveness_report(core.db, core.catalog, core.calendar, Period(DAY, DAY))
    assert [row.scenario_code for row in report.rows] == sorted(core.catalog.scenarios)
    newborn = next(row for row in report.rows if row.scenario_code == "43PCN0009")
    assert (newborn.before.materials, newborn.after.materials) == (22, 4)
    assert (newborn.before.trips, newborn.after.trips) == (4, 0)
    assert newborn.completed == 0  # done on the 27th
    friday = effectiveness_report(
        core.db, core.catalog, core.calendar, Period(date(2026, 11, 27), date(2026, 11, 27))
    )
    assert sum(row.completed for row in friday.rows) == 20
    for row in friday.rows:
        if row.completed:
            assert row.days_median == row.days_p90 == 4  # Monday to Friday
            assert row.trips_mean == 1 and row.one_trip_share == 1  # none handed over yet
            # something handed in, where the reformed 一件事 asks for anything (43TCN0006 asks
            # for nothing: every check is made between departments)
            assert (row.submitted_mean or 0) > 0 or row.after.materials == 0


def test_evaluations_count_every_rating(seeded: tuple[Core, dict[str, int]]) -> None:
    core, _ = seeded
    with core.db.read() as session:
        given = session.scalar(select(func.count()).select_from(EvaluationRow))
    for by in ("scenario", "clerk", "channel"):
        report = evaluation_report(core.db, Period(DAY, DAY), by=by)
        assert report.total.total == given and given
        assert report.total.poor == 0  # the demo rates 3 to 5
