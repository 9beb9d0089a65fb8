"""Working days (工作日) from the State Council's holiday calendar.

The calendar comes from the maintained ``chinese-calendar`` package; the hall may add dates for a
year the package does not know yet. A year neither covers falls back to Monday–Friday, and the
answer says so, so a receipt or a report can show the warning instead of a silently wrong date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

FALLBACK_WARNING = (
    "{years}年的法定节假日安排尚未收录，按周一至周五计算工作日，日期可能有出入；"
    "请在设置的 [calendar] 中补充当年的节假日和调休上班日。"
)


@dataclass(frozen=True)
class DueDate:
    day: date
    estimated_years: tuple[int, ...]  # years computed Monday–Friday because no calendar covers them

    @property
    def warning(self) -> str:
        if not self.estimated_years:
            return ""
        return FALLBACK_WARNING.format(years="、".join(str(y) for y in self.estimated_years))


class WorkCalendar:
    """Answers "is this a working day" and "which day is N working days after this one"."""

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._hall_years = {d.year for d in self._holidays | self._workdays}

    def covers(self, year: int) -> bool:
        if year in self._hall_years:
            return True
        return _package_covers(year)

    def is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if day.year in self._hall_years or not _package_covers(day.year):
            return day.weekday() < 5
        return _package_workday(day)

    def add_working_days(self, start: date, days: int) -> DueDate:
        """The day ``days`` working days after ``start`` (the start day itself does not count)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        counted = 0
        estimated: set[int] = set()
        while counted < days:
            day += timedelta(days=1)
            if not self.covers(day.year):
                estimated.add(day.year)
            if self.is_workday(day):
                counted += 1
        return DueDate(day, tuple(sorted(estimated)))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


@cache
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _package_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))
