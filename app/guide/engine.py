"""The questionnaire engine (GB/T 45836 §5.2, §7.2.4, §7.4.1).

Given a scenario, the applicant's answers and the facts known about them (ID card, shared data),
it tells which questions to ask next, which it could answer from facts (选项复用), and the plan:
the items, one merged material list, one merged form, the flow and the promised working days.

Pure: no I/O, no Qt, nothing changes. Answers to questions that no longer apply are dropped, so
changing an earlier answer always yields a consistent plan.

A plan is made in stages, each a pure function over plain data: the answers checked
(:mod:`~app.guide.answers`), the questions that apply and the facts' answers
(:mod:`~app.guide.questionnaire`), the items chosen (:mod:`~app.guide.selection`) and their flow
(:mod:`~app.guide.flow`), the materials with their exemptions (:mod:`~app.guide.materials`), the
merged form (:mod:`~app.guide.merged_form`) and what merging saves
(:mod:`~app.guide.effectiveness`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.catalog.catalog import Catalog
from app.catalog.conditions import holds
from app.guide.answers import normalise_answers
from app.guide.effectiveness import effectiveness
from app.guide.flow import stages
from app.guide.materials import merge_materials
from app.guide.merged_form import merge_form
from app.guide.plan import Block, Plan, QuestionState, Route
from app.guide.promise import promise_for
from app.guide.questionnaire import resolve
from app.guide.scenario_index import ScenarioIndex
from app.guide.selection import Selection, plan_items, select_items, stage_views
from app.guide.several import counts


class Planner:
    """The questionnaire engine over one catalog: from answers and facts to a :class:`Plan`. Holds
    only indexes derived from the (frozen) catalog. (The catalog's ``Guide`` is something else:
    the 办事指南 text of a scenario.)"""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._indexes: dict[str, ScenarioIndex] = {}

    def _index(self, code: str) -> ScenarioIndex:
        index = self._indexes.get(code)
        if index is None:
            scenario = self.catalog.scenario(code)
            index = ScenarioIndex.of(self.catalog, scenario)
            self._indexes[code] = index
            self._indexes[scenario.code] = index
        return index

    def questions(
        self,
        code: str,
        answers: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> QuestionState:
        """The questionnaire's state: visible questions, the next to ask, auto answers, drops."""
        index = self._index(code)
        checked = normalise_answers(index.scenario, answers or {})
        return resolve(index, checked, facts or {}, self.catalog.fact_index)

    def plan(
        self,
        code: str,
        answers: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
        items: Sequence[str] | None = None,
    ) -> Plan:
        """The plan for these answers; ``items`` is the applicant's choice (all when None)."""
        index = self._index(code)
        scenario = index.scenario
        facts = facts or {}
        checked = normalise_answers(scenario, answers or {})
        state = resolve(index, checked, facts, self.catalog.fact_index)
        effective = state.answers
        selection = select_items(index, effective, facts, items, state.item_blocks)
        flow = stages(selection.order, index.needs)
        promise = promise_for(scenario, selection.order, effective)
        chosen = set(selection.order)
        several = counts(scenario, effective)  # once: materials, form and the plan use them
        materials = merge_materials(index, effective, facts, chosen, several)
        form = merge_form(index, effective, facts, chosen, several)
        pending = tuple(q.id for q in state.questions if q.status == "pending")
        return Plan(
            scenario=scenario.code,
            scenario_name=scenario.name,
            catalog_version=self.catalog.version,
            complete=not pending,
            pending_questions=pending,
            blocked=state.blocked + _nothing_left(selection),
            answers=effective,
            items=plan_items(index, selection, flow, effective),
            not_chosen=selection.not_chosen,
            not_applicable=selection.not_applicable,
            excluded=selection.excluded,
            routes=tuple(
                Route(n.id, n.label, n.tell)
                for n in scenario.named
                if n.tell and holds(n.when, effective, facts) is True
            ),
            notices=selection.notices,
            materials=materials.entries,
            fields=form.entries,
            stages=stage_views(index, flow),
            promise=promise,
            effectiveness=effectiveness(index, selection.order, promise, materials, form),
            counts=tuple(c for c in several.values() if c.question in effective),
        )


def _nothing_left(selection: Selection) -> tuple[Block, ...]:
    """When the applicant meets the conditions of none of the items left, the 一件事 is refused
    as a whole, and the reasons of the items are the reasons."""
    if selection.order or selection.not_chosen or not selection.excluded:
        return ()
    reasons = "；".join(f"“{e.name}”{e.reason}" for e in selection.excluded)
    advice = "；".join(dict.fromkeys(e.advice for e in selection.excluded))
    return (Block("", "", f"所有事项都不符合办理条件：{reasons}", advice),)
