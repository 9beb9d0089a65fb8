"""What one merged case saves against applying for each item separately (GB/T 45836 §8.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.guide.plan import Counts, Effectiveness, PlanField, PlanMaterial
from app.guide.promise import PromisedTime
from app.guide.scenario_index import ScenarioIndex

T = TypeVar("T")


@dataclass(frozen=True)
class Merged(Generic[T]):
    """One list for the whole case, and how many entries the items' own lists had together."""

    entries: tuple[T, ...]
    separate: int


def effectiveness(
    index: ScenarioIndex,
    order: Sequence[str],
    promise: PromisedTime,
    materials: Merged[PlanMaterial],
    form: Merged[PlanField],
) -> Effectiveness:
    """The chosen items (``order``) added up, against the merged plan."""
    reform = index.scenario.reform
    return Effectiveness(
        separate=Counts(
            materials=materials.separate,
            fields=form.separate,
            days=sum(index.days[i] for i in order),
            windows=len({index.items[i].department for i in order}),
        ),
        merged=Counts(
            materials=len(materials.entries),
            fields=len(form.entries),
            days=promise.days,
            windows=1 if order else 0,
        ),
        materials_to_submit=sum(1 for m in materials.entries if m.to_submit),
        fields_to_fill=sum(1 for f in form.entries if f.value is None),
        published_before=reform.before.model_dump(),
        published_after=reform.after.model_dump(),
    )
