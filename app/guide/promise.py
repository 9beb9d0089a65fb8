"""The promised working days (承诺办结时限) of a plan or of a whole scenario, with their basis.

One function, :func:`promise_for`, answers for every screen and document: the kiosk, the
counter, the command line and the printed papers all show what it returns, so a citizen never
reads one number on a tile and another on the list.

The catalog gives a published figure per scenario and days per item. The promise is always the
chosen items' critical path: what the items take. The published figure is the 一件事's ceiling as
the province publishes it, for every item at once; an applicant who takes one short item of a long
一件事 is promised that item's days, not the whole figure (a clerk would not write 37 days on a
receipt for a 6-day item, and the on-time report would measure nothing). The basis says how the
path stands against the published figure:

- a recorded decision (``decisions:`` settling the checker's ``W-PROMISED-DAYS``, written where
  the published figure is shorter than the items): the path, citing the decision;
- the path is the published figure: "指南公布的承诺时限";
- the path is shorter: the path, "在指南公布的 N 个工作日之内";
- no published figure, or one shorter than the path without a decision: the path, saying that
  nothing was decided (nobody can promise less than the items take).

Waiting periods (``Item.waits``: 公示期, 异议期…) are part of their item's time. Those counted in
working days add to its working days; those counted in calendar days are promised on top, as
"N 个工作日另加 M 个自然日": the due date is N working days from acceptance, then M calendar days,
then the next working day (``add_calendar_days``). A wait the guide's item days already count
(``included``: 残疾人证's 22 days hold its 5-day 公示 and 10-day 异议期) adds nothing and is still
named in the basis ("其中含…"). A wait that applies only in some situations
counts until the answers rule it out. The critical path is the chain longest in real time, a
calendar day weighing 5/7 of a working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from app.calendar.workdays import DueDate, WorkCalendar
from app.catalog.conditions import holds
from app.catalog.models import Item, Scenario, Wait
from app.guide.flow import critical_path

Basis = Literal["published", "critical_path", "decision"]
Scope = Literal["plan", "scenario"]
DECISION_CODE = "W-PROMISED-DAYS"

BASIS_LABELS: dict[Basis, str] = {
    "published": "指南公布的承诺时限",
    "critical_path": "所办事项的关键路径（串联相加、并联取最长）",
    "decision": "所办事项的关键路径（串联相加、并联取最长）和本目录记录的决定",
}


@dataclass(frozen=True)
class PromisedTime:
    """How many working days are promised, and why that many."""

    days: int
    basis: Basis
    scope: Scope  # "scenario": every item of the scenario, the longest a case can take
    published_days: int | None
    path_days: int
    path: tuple[str, ...]  # the items on the critical path, by name, in order
    decision: str  # the catalog's recorded decision, "" when there is none
    calendar_days: int = 0  # waiting periods in calendar days on the path, on top of ``days``
    waits: tuple[str, ...] = ()  # the waiting periods on the path, in words

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]

    @property
    def words(self) -> str:
        """The promise in a phrase: "承诺 45 个工作日办结" / "最长 45 个工作日", with "另加 20 个
        自然日" when waiting periods in calendar days are on the path."""
        extra = f"另加 {self.calendar_days} 个自然日" if self.calendar_days else ""
        if self.scope == "scenario" and self.basis != "published":
            return f"视所办事项而定，最长 {self.days} 个工作日{extra}"
        return f"承诺 {self.days} 个工作日{extra}办结"

    @property
    def basis_words(self) -> str:
        """Why, in one sentence a citizen can read (the decision's full text is ``decision``)."""
        said = self._basis_words()
        if not self.waits:
            return said
        return said.removesuffix("。") + f"；其中含{'、'.join(self.waits)}。"

    def _basis_words(self) -> str:
        if self.basis == "published":
            return f"依据：{self.basis_label}。"
        path = f"（{' → '.join(self.path)}）" if self.path else ""
        if self.basis == "decision":
            published = (
                f"；指南公布的 {self.published_days} 个工作日仅作参考"
                if self.published_days is not None and self.published_days != self.days
                else ""
            )
            return f"依据：所办事项的关键路径{path}和本目录记录的决定{published}。"
        if self.published_days is not None and self.published_days > self.days:
            return (
                f"依据：所办事项的关键路径{path}，在指南公布的 {self.published_days} 个工作日之内。"
            )
        if self.published_days is not None:
            return (
                f"依据：所办事项的关键路径{path}。指南公布 {self.published_days} 个工作日，"
                "短于各事项所需，目录尚未记录决定。"
            )
        return f"依据：所办事项的关键路径{path}。"

    def to_dict(self) -> dict[str, object]:
        return {
            "days": self.days,
            "basis": self.basis,
            "basis_label": self.basis_label,
            "scope": self.scope,
            "words": self.words,
            "basis_words": self.basis_words,
            "published_days": self.published_days,
            "path_days": self.path_days,
            "path": list(self.path),
            "decision": self.decision,
            "calendar_days": self.calendar_days,
            "waits": list(self.waits),
        }

    def due(self, calendar: WorkCalendar, start: date) -> DueDate:
        """The promised day for work starting on ``start``."""
        return add_calendar_days(
            calendar, calendar.add_working_days(start, self.days), self.calendar_days
        )


def add_calendar_days(calendar: WorkCalendar, due: DueDate, days: int) -> DueDate:
    """``days`` calendar days after ``due``, then the next working day if that one is not."""
    if not days:
        return due
    day = due.day + timedelta(days=days)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return DueDate(day, due.estimated_years)


def applicable_waits(item: Item, answers: Mapping[str, Any] | None) -> tuple[Wait, ...]:
    """The item's waits these answers do not rule out (all of them without answers: the
    longest the item can take)."""
    if answers is None:
        return item.waits
    return tuple(w for w in item.waits if holds(w.when, answers, {}) is not False)


def item_time(item: Item, answers: Mapping[str, Any] | None) -> tuple[int, int]:
    """An item's working days (its own and its waits in working days) and calendar days."""
    added = [w.added_days for w in applicable_waits(item, answers)]
    return item.promised_days + sum(w for w, _ in added), sum(c for _, c in added)


def promise_for(
    scenario: Scenario,
    items: Iterable[str] | None = None,
    answers: Mapping[str, Any] | None = None,
) -> PromisedTime:
    """The promise for the chosen ``items`` (ids) of ``scenario``; ``None``: the whole scenario,
    every item taken — the longest any case of it can be promised (what a list of scenarios
    shows before any question is answered). ``answers`` rule waiting periods out."""
    scope: Scope = "scenario" if items is None else "plan"
    chosen = [i.id for i in scenario.items] if items is None else list(items)
    needs = {i.id: i.needs for i in scenario.items}
    times = {i.id: item_time(i, answers) for i in scenario.items}
    weight = {ident: working * 7 + calendar * 5 for ident, (working, calendar) in times.items()}
    names = {i.id: i.name for i in scenario.items}
    _, chain = critical_path(chosen, needs, weight)
    path_days = sum(times[i][0] for i in chain)
    calendar_days = sum(times[i][1] for i in chain)
    by_id = {i.id: i for i in scenario.items}
    waits = tuple(w.words for i in chain for w in applicable_waits(by_id[i], answers))
    published = scenario.promised_days
    decision = next((d.decision for d in scenario.decisions if DECISION_CODE in d.settles), "")
    basis: Basis = "critical_path"
    if decision and chosen:
        basis = "decision"
    elif path_days == published:
        basis = "published"
    if basis != "decision":
        decision = ""
    return PromisedTime(
        path_days,
        basis,
        scope,
        published,
        path_days,
        tuple(names[i] for i in chain),
        decision,
        calendar_days,
        waits,
    )
