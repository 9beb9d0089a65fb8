"""Which items the plan holds: those the answers make apply, as the applicant chose (§7.4.1).

Mandatory items and the items a chosen one needs the result of are added, each with a notice
that says why; the chosen items then run in the stages of :func:`app.guide.flow.stages`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.conditions import AnswerValue, holds
from app.catalog.models import Item
from app.errors import ItemChoiceError
from app.guide.plan import Block, ChosenBecause, ExcludedItem, PlanItem, SkippedItem, Stage
from app.guide.promise import applicable_waits, item_time
from app.guide.scenario_index import ScenarioIndex

Choices = dict[str, tuple[ChosenBecause, str]]  # item id → why it is in the plan, and in words


@dataclass(frozen=True)
class Selection:
    chosen: Mapping[str, tuple[ChosenBecause, str]]
    order: tuple[str, ...]  # the chosen items in the scenario's order
    notices: tuple[str, ...]
    not_chosen: tuple[SkippedItem, ...]
    not_applicable: tuple[SkippedItem, ...]
    excluded: tuple[ExcludedItem, ...] = ()


def select_items(
    index: ScenarioIndex,
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, Any],
    wanted: Sequence[str] | None,
    item_blocks: Sequence[Block] = (),
) -> Selection:
    """The items for these answers; ``wanted`` is the applicant's choice (all when None).
    ``item_blocks`` leave items out whose conditions the applicant does not meet, and with them
    the items that need their results."""
    scenario = index.scenario
    relevant = [i for i in scenario.items if holds(i.when, answers, facts) is True]
    excluded = _excluded(index, {i.id for i in relevant}, item_blocks)
    applicable = [i for i in relevant if i.id not in excluded]
    applicable_ids = {i.id for i in applicable}
    not_applicable = tuple(
        SkippedItem(i.id, i.name, "您的情形不需要办理此事项")
        for i in scenario.items
        if i.id not in applicable_ids and i.id not in excluded
    )
    for token in wanted or ():
        item = _find_item(index, token)
        if item.id in excluded:
            raise ItemChoiceError(
                f"事项“{item.name}”不能办理：{excluded[item.id].reason}",
                hint=excluded[item.id].advice,
            )
    chosen, notices = _choose(index, applicable, applicable_ids, wanted)
    not_chosen = tuple(
        SkippedItem(i, index.items[i].name, "申请人未选择")
        for i in applicable_ids
        if i not in chosen
    )
    order = tuple(i.id for i in scenario.items if i.id in chosen)
    left_out = tuple(excluded[i.id] for i in scenario.items if i.id in excluded)
    return Selection(chosen, order, tuple(notices), not_chosen, not_applicable, left_out)


def _excluded(
    index: ScenarioIndex, relevant: set[str], item_blocks: Sequence[Block]
) -> dict[str, ExcludedItem]:
    """Items the answers rule out, then (in the scenario's order, repeatedly) the items that need
    the result of one ruled out: the 一件事 cannot give them what they need."""
    excluded: dict[str, ExcludedItem] = {}
    for block in item_blocks:
        for ident in block.items:
            if ident in relevant and ident not in excluded:
                name = index.items[ident].name
                excluded[ident] = ExcludedItem(ident, name, block.reason, block.advice)
    changed = bool(excluded)
    while changed:
        changed = False
        for item in index.scenario.items:
            if item.id in excluded or item.id not in relevant:
                continue
            missing = next((n for n in item.needs if n in excluded), None)
            if missing is not None:
                cause = excluded[missing]
                excluded[item.id] = ExcludedItem(
                    item.id,
                    item.name,
                    f"需要“{cause.name}”的办理结果，而“{cause.name}”不能办理：{cause.reason}",
                    cause.advice,
                )
                changed = True
    return excluded


def plan_items(
    index: ScenarioIndex,
    selection: Selection,
    flow: Sequence[Sequence[str]],
    answers: Mapping[str, AnswerValue],
) -> tuple[PlanItem, ...]:
    """The chosen items as the plan shows them, each with its stage in ``flow`` and the time
    it takes with the waiting periods these answers do not rule out."""
    chosen = selection.chosen
    stage_of = {item: number for number, group in enumerate(flow, 1) for item in group}
    return tuple(
        PlanItem(
            id=item.id,
            code=item.implementation_code or item.basic_code or "",
            name=item.name,
            department=item.department,
            promised_days=item_time(item, answers)[0],
            statutory_days=item.statutory_days,
            result=item.result.name,
            needs=tuple(n for n in item.needs if n in chosen),
            chosen=chosen[item.id][0],
            reason=chosen[item.id][1],
            stage=stage_of[item.id],
            calendar_days=item_time(item, answers)[1],
            waits=tuple(w.words for w in applicable_waits(item, answers)),
        )
        for item in index.scenario.items
        if item.id in chosen
    )


def stage_views(index: ScenarioIndex, flow: Sequence[Sequence[str]]) -> tuple[Stage, ...]:
    """The flow's stages, each as long as its longest item."""
    return tuple(
        Stage(number, tuple(group), len(group) > 1, max(index.days[g] for g in group))
        for number, group in enumerate(flow, 1)
    )


def _choose(
    index: ScenarioIndex,
    applicable: list[Item],
    applicable_ids: set[str],
    wanted: Sequence[str] | None,
) -> tuple[Choices, list[str]]:
    """Items chosen, each with why; dependencies are pulled in and said so (§7.4.1)."""
    if wanted is None:
        return {i.id: ("applicant", "") for i in applicable}, []
    chosen: Choices = {}
    for token in wanted:
        chosen[_wanted_item(index, token, applicable_ids).id] = ("applicant", "")
    notices = _add_mandatory(applicable, chosen)
    notices += _add_dependencies(index, applicable_ids, chosen)
    return chosen, notices


def _wanted_item(index: ScenarioIndex, token: str, applicable_ids: set[str]) -> Item:
    item = _find_item(index, token)
    if item.id not in applicable_ids:
        raise ItemChoiceError(
            f"事项“{item.name}”不适用于当前情形。", hint="请先修改问卷回答，或不选择该事项。"
        )
    return item


def _add_mandatory(applicable: list[Item], chosen: Choices) -> list[str]:
    """Adds the applicable items no one may leave out to ``chosen``; the notices say so."""
    notices = []
    for item in applicable:
        if not item.optional and item.id not in chosen:
            chosen[item.id] = ("mandatory", "本一件事必须办理的事项")
            notices.append(f"“{item.name}”是必办事项，已自动加入。")
    return notices


def _add_dependencies(index: ScenarioIndex, applicable_ids: set[str], chosen: Choices) -> list[str]:
    """Adds to ``chosen`` the applicable items whose results chosen ones need; notices say so."""
    notices = []
    pending = list(chosen)
    while pending:
        current = index.items[pending.pop()]
        for need in current.needs:
            if need in chosen or need not in applicable_ids:
                continue
            name = index.items[need].name
            chosen[need] = ("dependency", f"“{current.name}”需要它的办理结果")
            notices.append(f"“{current.name}”需要“{name}”的办理结果，已一并加入“{name}”。")
            pending.append(need)
    return notices


def _find_item(index: ScenarioIndex, token: str) -> Item:
    wanted = token.strip()
    for item in index.scenario.items:
        if wanted in (item.id, item.name, item.basic_code, item.implementation_code):
            return item
    names = "、".join(f"{i.id}（{i.name}）" for i in index.scenario.items)
    raise ItemChoiceError(
        f"“{index.scenario.name}”中没有事项“{wanted}”。", hint=f"可选的事项：{names}"
    )
