"""The promised working days (承诺办结时限) of a plan or of a whole scenario, with their basis.

One function, :func:`promise_for`, answers for every screen and document: the kiosk, the
counter, the command line and the printed papers all show what it returns, so a citizen never
reads one number on a tile and another on the list.

The catalog gives a published figure per scenario and days per item. Where the published figure
is shorter than the items' critical path the catalog records a decision (``decisions:``, settling
the checker's ``W-PROMISED-DAYS``); the built-in catalogs decided to promise the critical path of
the chosen items and keep the published figure for reference. The rule:

- a recorded decision: the chosen items' critical path, citing the decision;
- no decision, the published figure covers the critical path: the published figure;
- no published figure, or one shorter than the critical path without a decision: the critical
  path (nobody can promise less than the items take).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.catalog.models import Scenario
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

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]

    @property
    def words(self) -> str:
        """The promise in a phrase: "承诺 45 个工作日办结" / "最长 45 个工作日"."""
        if self.scope == "scenario" and self.basis != "published":
            return f"视所办事项而定，最长 {self.days} 个工作日"
        return f"承诺 {self.days} 个工作日办结"

    @property
    def basis_words(self) -> str:
        """Why, in one sentence a citizen can read (the decision's full text is ``decision``)."""
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
        }


def promise_for(scenario: Scenario, items: Iterable[str] | None = None) -> PromisedTime:
    """The promise for the chosen ``items`` (ids) of ``scenario``; ``None``: the whole scenario,
    every item taken — the longest any case of it can be promised (what a list of scenarios
    shows before any question is answered)."""
    scope: Scope = "scenario" if items is None else "plan"
    chosen = [i.id for i in scenario.items] if items is None else list(items)
    needs = {i.id: i.needs for i in scenario.items}
    days = {i.id: i.promised_days for i in scenario.items}
    names = {i.id: i.name for i in scenario.items}
    path_days, chain = critical_path(chosen, needs, days)
    published = scenario.promised_days
    decision = next((d.decision for d in scenario.decisions if DECISION_CODE in d.settles), "")
    basis: Basis
    if decision and chosen:
        basis, total = "decision", path_days
    elif published is not None and path_days <= published:
        basis, total, decision = "published", published, ""
    else:
        basis, total, decision = "critical_path", path_days, ""
    return PromisedTime(
        total, basis, scope, published, path_days, tuple(names[i] for i in chain), decision
    )
