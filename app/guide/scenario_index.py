"""Lookups over one scenario that every plan needs, built once per scenario."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.catalog.catalog import Catalog, ResolvedField
from app.catalog.models import Item, Scenario
from app.guide.plan import OptionView


@dataclass(frozen=True)
class ScenarioIndex:
    """Indexes of one scenario, built once."""

    scenario: Scenario
    items: Mapping[str, Item]
    needs: Mapping[str, tuple[str, ...]]
    days: Mapping[str, int]
    fields: tuple[ResolvedField, ...]
    material_items: Mapping[str, frozenset[str]]
    options: Mapping[str, tuple[OptionView, ...]]  # question id → its options as shown

    @classmethod
    def of(cls, catalog: Catalog, scenario: Scenario) -> ScenarioIndex:
        return cls(
            scenario=scenario,
            items={i.id: i for i in scenario.items},
            needs={i.id: i.needs for i in scenario.items},
            days={i.id: i.promised_days for i in scenario.items},
            fields=tuple(catalog.resolve_field(f) for f in scenario.fields),
            material_items={m.id: frozenset(m.items) for m in scenario.materials},
            options={
                q.id: tuple(OptionView(o.value, o.label, o.stop is not None) for o in q.options)
                for q in scenario.questions
            },
        )
