"""告知承诺制 in the hall's reports (SQLite and PostgreSQL): the period report counts the cases
accepted with a proof replaced by a commitment and the checks recorded, by outcome; the
effectiveness report counts the proofs replaced among the materials not handed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.cases.audit import Actor
from app.reports.effectiveness import effectiveness_report
from app.reports.figures import Period
from app.reports.periods import period_report
from tests.app.reports.conftest import LI, NOVEMBER, S1, SCENARIO_ONE, SCENARIO_TWO, ZHANG, Hall

# 材料二 of 测试一件事 is a proof the applicant's commitment may replace (not 容缺 here).
PLEDGED = SCENARIO_ONE.replace(
    "exemption: {tolerable_missing: true}", "exemption: {commitment: true, verify_days: 5}"
)
BACK = Actor("刘洋", "backoffice-01", "backoffice")


def test_commitments_and_their_checks_are_counted(make_hall: Callable[..., Hall]) -> None:
    assert PLEDGED != SCENARIO_ONE
    hall = make_hall(PLEDGED, SCENARIO_TWO)
    hall.on(date(2026, 11, 2))
    cases = []
    for actor in (ZHANG, LI, LI):
        receipt_no = hall.open(actor).receipt_no
        hall.receive(actor, receipt_no, skip=("m2",))
        hall.service.record_material(actor, receipt_no, "m2", "committed")
        cases.append(hall.service.accept(actor, receipt_no).receipt_no)
    plain = hall.accepted(ZHANG)  # every proof handed in
    true, false, waiting = cases
    hall.on(date(2026, 11, 5))
    hall.service.verify(BACK, true, outcome="true", checked_on=date(2026, 11, 5), department="甲局")
    hall.decide(false, "first", date(2026, 11, 6))
    hall.decide(false, "second", date(2026, 11, 7))
    hall.on(date(2026, 12, 1))  # the check of the false one is recorded in December
    hall.service.verify(
        BACK, false, outcome="false", checked_on=date(2026, 11, 30), department="甲局",
        note="核查发现与承诺不符",
    )  # fmt: skip

    def counted(period: Period, by: str = "scenario") -> dict[str, tuple[int, int, int]]:
        made = period_report(hall.core.db, hall.core.calendar, period, by=by)
        return {
            r.label: (r.pledged, r.checked_true, r.checked_false) for r in (*made.rows, made.total)
        }

    assert counted(NOVEMBER)["合计"] == (3, 1, 0)
    assert counted(NOVEMBER, "clerk") == {"张敏": (1, 1, 0), "李娜": (2, 0, 0), "合计": (3, 1, 0)}
    december = Period(date(2026, 12, 1), date(2026, 12, 31))
    assert counted(december)["合计"] == (0, 0, 1)
    assert plain and waiting  # in the figures above as neither

    effect = effectiveness_report(hall.core.db, hall.catalog, hall.core.calendar, NOVEMBER)
    row = next(r for r in effect.rows if r.scenario_code == S1)
    assert row.completed == 1 and row.material_count("committed") == 1  # the false one, done
    materials = next(r for r in effect.table().rows if r[0] == S1 and r[2] == "申请材料（件）")
    assert "告知承诺免提交 1.0" in str(materials[6])
