"""Working days from the official calendar, with the hall's own dates and a visible fallback."""

from __future__ import annotations

from datetime import date

from app.calendar.workdays import WorkCalendar


def test_national_day_holiday_and_make_up_day_are_known() -> None:
    calendar = WorkCalendar()
    assert not calendar.is_workday(date(2026, 10, 1))  # 国庆节
    assert calendar.is_workday(date(2026, 11, 23))  # an ordinary Monday
    # Five working days from Wednesday 2026-09-30 skip the National Day week.
    due = calendar.add_working_days(date(2026, 9, 30), 5)
    assert due.day > date(2026, 10, 8) and not due.warning


def test_uncovered_year_falls_back_to_weekdays_with_a_warning() -> None:
    due = WorkCalendar().add_working_days(date(2026, 12, 31), 3)
    assert due.day == date(2027, 1, 5)  # Fri 1, Mon 4, Tue 5 (Monday–Friday)
    assert due.estimated_years == (2027,) and "2027年" in due.warning


def test_hall_settings_fill_an_uncovered_year() -> None:
    calendar = WorkCalendar(holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 2)])
    due = calendar.add_working_days(date(2026, 12, 31), 2)
    assert due.day == date(2027, 1, 4)  # Sat 2 is a make-up working day, Fri 1 a holiday
    assert due.estimated_years == ()


def test_working_days_between() -> None:
    calendar = WorkCalendar()
    assert calendar.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert calendar.working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == 0
