"""Waiting periods inside the flow (issue 24, capability 2): a public notice or objection period
counted in working or calendar days as the guide says, in every promise and in the promised date
a case is accepted with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.calendar.workdays import WorkCalendar
from app.cases.files import FileStore
from app.cases.service import CaseService
from app.catalog.catalog import load_catalog, problems_of
from app.db.engine import Database
from app.guide.engine import Planner
from app.guide.promise import add_calendar_days
from tests.helpers.cases import CLERK, MOTHER
from tests.helpers.catalogs import MINIMAL, replaced
from tests.helpers.clock import MONDAY, WallClock

MakeCatalog = Callable[..., Path]

# 第一项 (3 working days) has a 公示 of 5 working days unless q1 is no; 第二项 (4 working days,
# after the first) waits a 公告期 of 20 calendar days.
WAITING = replaced(
    MINIMAL,
    (
        "{id: first, name: 第一项, department: 甲局, promised_days: 3}",
        "{id: first, name: 第一项, department: 甲局, promised_days: 3, waits: "
        '[{name: 公示, days: 5, unit: working, when: {answer: q1, equals: "yes"}}]}',
    ),
    (
        "needs: [first], when: {answer: q2, equals: a}}",
        "needs: [first], when: {answer: q2, equals: a}, "
        "waits: [{name: 公告期, days: 20, unit: calendar}]}",
    ),
)
BOTH = {"q1": "yes", "q2": "a"}


@pytest.fixture
def planner(make_catalog: MakeCatalog) -> Planner:
    folder = make_catalog(WAITING)
    assert [p.render() for p in problems_of(folder)[1] if p.severity == "error"] == []
    return Planner(load_catalog(folder))


def test_waits_count_in_their_items_time_and_in_the_promise(planner: Planner) -> None:
    plan = planner.plan("99TEST0001", BOTH)
    first, second = plan.items
    assert (first.promised_days, first.calendar_days, first.waits) == (8, 0, ("公示 5 个工作日",))
    assert (second.promised_days, second.calendar_days, second.waits) == (4, 20, ("公告期 20 日",))
    assert second.time_words == "4 个工作日另加 20 个自然日"
    promise = plan.promise
    assert (promise.days, promise.calendar_days) == (12, 20)
    assert promise.words == "承诺 12 个工作日另加 20 个自然日办结"
    assert promise.basis_words.endswith("其中含公示 5 个工作日、公告期 20 日。")
    assert promise.to_dict()["waits"] == ["公示 5 个工作日", "公告期 20 日"]


def test_a_wait_the_answers_rule_out_does_not_count(planner: Planner) -> None:
    plan = planner.plan("99TEST0001", {"q1": "no"})  # q2 hidden: only 第一项, no 公示
    (only,) = plan.items
    assert (only.promised_days, only.waits) == (3, ())
    assert plan.promise.words == "承诺 3 个工作日办结"


def test_before_any_answer_the_longest(planner: Planner) -> None:
    from app.guide.promise import promise_for

    whole = promise_for(planner.catalog.scenario("99TEST0001"))
    assert (whole.days, whole.calendar_days) == (12, 20)
    assert whole.words == "视所办事项而定，最长 12 个工作日另加 20 个自然日"


def test_the_calendar_days_end_on_a_working_day() -> None:
    calendar = WorkCalendar()
    start = date(2026, 11, 23)  # a Monday
    after = calendar.add_working_days(start, 12)
    due = add_calendar_days(calendar, after, 20)
    expected = after.day + timedelta(days=20)
    while not calendar.is_workday(expected):
        expected += timedelta(days=1)
    assert due.day == expected and calendar.is_workday(due.day)
    assert add_calendar_days(calendar, after, 0) == after


def test_a_case_is_accepted_with_the_waits_in_its_promised_date(
    db: Database, tmp_path: Path, make_catalog: MakeCatalog
) -> None:
    catalog = load_catalog(make_catalog(WAITING))
    clock = WallClock(MONDAY)
    service = CaseService(
        db, catalog, FileStore(tmp_path / "f"), hall_code="430100001", clock=clock
    )
    case = service.open_case(
        CLERK,
        channel="counter",
        scenario="99TEST0001",
        applicant=MOTHER,
        answers=BOTH,
        form={"applicant.name": "李芳"},
    )
    assert (case.promised_days, case.promised_calendar_days) == (12, 20)
    assert case.promise_words == "12 个工作日另加 20 个自然日"
    assert [(i.promised_days, i.calendar_days) for i in case.items] == [(8, 0), (4, 20)]
    service.record_material(CLERK, case.receipt_no, "m1", "received_original")
    accepted = service.accept(CLERK, case.receipt_no)
    calendar = WorkCalendar()
    expected = add_calendar_days(calendar, calendar.add_working_days(MONDAY.date(), 12), 20).day
    assert accepted.promised_date == expected
    assert service.get(case.receipt_no).promised_date == expected


def test_a_wait_on_a_fact_is_refused_by_the_checker(make_catalog: MakeCatalog) -> None:
    text = WAITING.replace(
        'when: {answer: q1, equals: "yes"}}]}', "when: {fact: applicant.age, gte: 18}}]}"
    )
    errors = [p.render() for p in problems_of(make_catalog(text))[1] if p.severity == "error"]
    assert any("items[0].waits[0].when" in e and "只能引用问题的回答" in e for e in errors), errors


# 第一项's 公示 is one the guide's 3 days already count (残疾人证's 22 days hold its 公示 and 异议期).
INCLUDED = WAITING.replace(
    "days: 5, unit: working, when:", "days: 2, unit: working, included: true, when:"
)


def test_a_wait_the_items_days_already_count_is_named_but_adds_nothing(
    make_catalog: MakeCatalog,
) -> None:
    folder = make_catalog(INCLUDED)
    assert [p.render() for p in problems_of(folder)[1] if p.severity == "error"] == []
    plan = Planner(load_catalog(folder)).plan("99TEST0001", BOTH)
    first, second = plan.items
    assert (first.promised_days, first.calendar_days, first.waits) == (3, 0, ("公示 2 个工作日",))
    assert (plan.promise.days, plan.promise.calendar_days) == (7, 20)
    assert plan.promise.basis_words.endswith("其中含公示 2 个工作日、公告期 20 日。")


def test_an_included_wait_longer_than_its_item_is_refused(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(
        INCLUDED.replace("days: 2, unit: working, included", "days: 4, unit: working, included")
    )
    errors = [p.render() for p in problems_of(folder)[1] if p.severity == "error"]
    assert any(
        "items[0].waits[0].days" in e
        and "已写明含在事项的承诺时限内" in e
        and "只承诺 3 个工作日" in e
        for e in errors
    ), errors
