"""The merged form (一表申请): each field the chosen items ask for once, prefilled from facts.

Values a person types into it are checked by :mod:`app.guide.form`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.catalog.catalog import ResolvedField
from app.catalog.conditions import AnswerValue, holds
from app.guide.effectiveness import Merged
from app.guide.facts import FACT_SOURCES
from app.guide.plan import PlanField
from app.guide.scenario_index import ScenarioIndex


def merge_form(
    index: ScenarioIndex,
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, Any],
    chosen: set[str],
) -> Merged[PlanField]:
    """The fields the chosen items need under these answers, in the scenario's order."""
    result = []
    separate = 0
    for field in index.fields:
        needing = [i for i in field.source.items if i in chosen]
        if not needing or holds(field.source.when, answers, facts) is not True:
            continue
        separate += len(needing)
        value, source = _prefill(field, facts)
        result.append(
            PlanField(
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
        )
    return Merged(tuple(result), separate)


def _prefill(field: ResolvedField, facts: Mapping[str, Any]) -> tuple[str | None, str]:
    """The field's value known from the ID card or shared data, and which of them; or (None, "")."""
    if not field.prefill_source:
        return None, ""
    from_card = field.prefill_source == "id_card"
    value = facts.get(f"id_card.{field.prefill_key}" if from_card else field.prefill_key)
    if value is None or value == "":
        return None, ""
    return str(value), FACT_SOURCES["id_card" if from_card else "shared_data"]
