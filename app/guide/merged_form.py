"""The merged form (一表申请): each field the chosen items ask for once, prefilled from facts.

Values a person types into it are checked by :mod:`app.guide.form`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.catalog.catalog import ResolvedField
from app.catalog.conditions import AnswerValue, holds
from app.guide.effectiveness import Merged
from app.guide.facts import FACT_SOURCES
from app.guide.plan import PlanField
from app.guide.scenario_index import ScenarioIndex
from app.guide.several import Count, instance_key


def merge_form(
    index: ScenarioIndex,
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, Any],
    chosen: set[str],
    several: Mapping[str, Count],
) -> Merged[PlanField]:
    """The fields the chosen items need under these answers, in the scenario's order; fields
    written ``per:`` a counting question once for each of them, numbered, one after the other
    (all of the first employee's fields, then the second's) where the first of them stands."""
    placed: list[PlanField | str] = []  # a str holds the place of a counting question's fields
    repeated: dict[str, list[list[PlanField]]] = {}  # counting question → each one's fields
    separate = 0
    for field in index.fields:
        needing = [i for i in field.source.items if i in chosen]
        if not needing or holds(field.source.when, answers, facts) is not True:
            continue
        separate += len(needing)
        value, source = _prefill(field, facts)
        one = PlanField(
            key=field.key,
            label=field.label,
            type=field.type,
            options=field.options,
            required=field.required,
            max_length=field.max_length,
            section=field.source.section,
            items=tuple(index.items[i].name for i in needing),
            value=value,
            source=source,
        )
        per = several.get(field.source.per) if field.source.per else None
        if per is None:
            placed.append(one)
            continue
        if per.question not in repeated:
            repeated[per.question] = [[] for _ in range(per.n)]
            placed.append(per.question)
        for i, own in enumerate(repeated[per.question], start=1):
            # each one's own (a card's prefill is nobody's in particular)
            own.append(
                replace(
                    one,
                    key=instance_key(field.key, i),
                    label=f"{field.label}（{per.ordinal(i)}）",
                    section=f"{field.source.section or per.entity}（{per.ordinal(i)}）",
                    value=None,
                    source="",
                )
            )
    entries = tuple(
        f
        for entry in placed
        for f in ((entry,) if isinstance(entry, PlanField) else sum(repeated[entry], []))
    )
    return Merged(entries, separate)


def _prefill(field: ResolvedField, facts: Mapping[str, Any]) -> tuple[str | None, str]:
    """The field's value known from the ID card or shared data, and which of them; or (None, "")."""
    if not field.prefill_source:
        return None, ""
    from_card = field.prefill_source == "id_card"
    value = facts.get(f"id_card.{field.prefill_key}" if from_card else field.prefill_key)
    if value is None or value == "":
        return None, ""
    return str(value), FACT_SOURCES["id_card" if from_card else "shared_data"]
