"""The questionnaire engine (GB/T 45836 §5.2, §7.2.4, §7.4.1).

Given a scenario, the applicant's answers and the facts known about them (ID card, shared data),
it tells which questions to ask next, which it could answer from facts (选项复用), and the plan:
the items, one merged material list, one merged form, the flow and the promised working days.

Pure: no I/O, no Qt, nothing changes. Answers to questions that no longer apply are dropped, so
changing an earlier answer always yields a consistent plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.catalog import Catalog, ResolvedField
from app.catalog.conditions import AnswerValue, holds
from app.catalog.models import Item, Material, Question, Scenario
from app.errors import AnswerError, ItemChoiceError
from app.guide.flow import stages
from app.guide.plan import (
    MATERIAL_STATUS_LABELS,
    Block,
    Counts,
    DroppedAnswer,
    Effectiveness,
    MaterialStatus,
    OptionView,
    Plan,
    PlanField,
    PlanItem,
    PlanMaterial,
    QuestionState,
    QuestionView,
    SkippedItem,
    Stage,
)
from app.guide.promise import promise_for

FACT_SOURCES = {
    "id_card": "身份证读卡",
    "shared_data": "共享数据",
    "hall": "本厅设置",
    "e_licence": "电子证照库",
}
E_LICENCES_FACT = "e_licences"
# The ID card read on the reader (its chip checked by the reader's security module) is the
# original of the 居民身份证 seen and checked: the counter, the kiosk and the guide all say so.
ID_CARD_LICENCE = "居民身份证"
CARD_READ_FACT = "id_card.id_number"  # set by app.identity.card.facts_from_card


@dataclass(frozen=True)
class _Compiled:
    """Indexes of one scenario, built once."""

    scenario: Scenario
    items: Mapping[str, Item]
    needs: Mapping[str, tuple[str, ...]]
    days: Mapping[str, int]
    fields: tuple[ResolvedField, ...]
    material_items: Mapping[str, frozenset[str]]


class Guide:
    """The engine over one catalog. Holds only indexes derived from the (frozen) catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, code: str) -> _Compiled:
        compiled = self._compiled.get(code)
        if compiled is None:
            scenario = self.catalog.scenario(code)
            compiled = _Compiled(
                scenario=scenario,
                items={i.id: i for i in scenario.items},
                needs={i.id: i.needs for i in scenario.items},
                days={i.id: i.promised_days for i in scenario.items},
                fields=tuple(self.catalog.resolve_field(f) for f in scenario.fields),
                material_items={m.id: frozenset(m.items) for m in scenario.materials},
            )
            self._compiled[code] = compiled
            self._compiled[scenario.code] = compiled
        return compiled

    # -- questions -------------------------------------------------------------------------------

    def questions(
        self, code: str, answers: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> QuestionState:  # fmt: skip
        """The questionnaire's state: visible questions, the next to ask, auto answers, drops."""
        compiled = self._compile(code)
        return self._resolve(
            compiled.scenario, _normalise(compiled.scenario, answers or {}), facts or {}
        )

    def _resolve(
        self, scenario: Scenario, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]
    ) -> QuestionState:
        effective: dict[str, AnswerValue] = {}
        views: list[QuestionView] = []
        dropped: list[DroppedAnswer] = []
        blocked: list[Block] = []
        first_pending: QuestionView | None = None
        for question in scenario.questions:
            visible = holds(question.show_when, effective, facts)
            if visible is False:
                effective[question.id] = ()
                if question.id in answers:
                    dropped.append(
                        DroppedAnswer(
                            question.id, question.text, answers[question.id],
                            "之前的回答改变后，这个问题不再适用，答案已不再计入",
                        )
                    )  # fmt: skip
                continue
            if visible is None:
                continue  # waits for an earlier answer
            auto_value, source = self._auto(question, facts)
            if question.id in answers:
                value: AnswerValue | None = answers[question.id]
                status = "answered"
            elif auto_value is not None:
                value, status = auto_value, "auto"
            else:
                value, status = None, "pending"
            view = QuestionView(
                id=question.id,
                text=question.text,
                kind=question.kind,
                options=tuple(
                    OptionView(o.value, o.label, o.stop is not None) for o in question.options
                ),
                help=question.help,
                status=status,  # type: ignore[arg-type]
                answer=value,
                answer_label=_label(question, value),
                source=source if status == "auto" else ("本人回答" if status == "answered" else ""),
                auto_value=auto_value,
            )
            views.append(view)
            if value is None:
                first_pending = first_pending or view
                continue
            effective[question.id] = value
            for chosen in (value,) if isinstance(value, str) else value:
                option = question.option(chosen)
                if option is not None and option.stop is not None:
                    blocked.append(
                        Block(question.id, option.label, option.stop.reason, option.stop.advice)
                    )
        for constraint in scenario.constraints:
            if constraint.when.evaluate(effective, facts) is True:
                raise AnswerError(
                    f"回答相互矛盾：{constraint.message}", hint="请修改其中一个回答。"
                )
        return QuestionState(
            scenario.code, tuple(views), first_pending, tuple(dropped), tuple(blocked), effective
        )

    def _auto(self, question: Question, facts: Mapping[str, Any]) -> tuple[AnswerValue | None, str]:
        auto = question.auto_answer
        if auto is None or facts.get(auto.fact) is None:
            return None, ""
        raw = facts[auto.fact]
        key = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        value = auto.map.get(key, key if not auto.map else None)
        if value is None or question.option(value) is None:
            return None, ""
        spec = self.catalog.fact_spec(auto.fact)
        origin = FACT_SOURCES.get(spec.source, spec.source) if spec else "已知信息"
        label = spec.label if spec else auto.fact
        return value, f"{origin}：{label}"

    # -- plan ------------------------------------------------------------------------------------

    def plan(
        self,
        code: str,
        answers: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
        items: Sequence[str] | None = None,
    ) -> Plan:
        """The plan for these answers; ``items`` is the applicant's choice (all when None)."""
        compiled = self._compile(code)
        scenario = compiled.scenario
        facts = facts or {}
        state = self._resolve(scenario, _normalise(scenario, answers or {}), facts)
        effective = state.answers

        applicable = [i for i in scenario.items if holds(i.when, effective, facts) is True]
        applicable_ids = {i.id for i in applicable}
        not_applicable = tuple(
            SkippedItem(i.id, i.name, "您的情形不需要办理此事项")
            for i in scenario.items if i.id not in applicable_ids
        )  # fmt: skip
        chosen, notices = self._choose(compiled, applicable, items)
        not_chosen = tuple(
            SkippedItem(i, compiled.items[i].name, "申请人未选择") for i in applicable_ids
            if i not in chosen
        )  # fmt: skip
        order = [i.id for i in scenario.items if i.id in chosen]
        flow = stages(order, compiled.needs)
        stage_of = {item: index for index, group in enumerate(flow) for item in group}
        promise = promise_for(scenario, order)

        plan_items = tuple(
            PlanItem(
                id=item.id,
                code=item.implementation_code or item.basic_code or "",
                name=item.name,
                department=item.department,
                promised_days=item.promised_days,
                statutory_days=item.statutory_days,
                result=item.result.name,
                needs=tuple(n for n in item.needs if n in chosen),
                chosen=chosen[item.id][0],
                reason=chosen[item.id][1],
                stage=stage_of[item.id] + 1,
            )
            for item in scenario.items if item.id in chosen
        )  # fmt: skip
        verified = set(facts.get(E_LICENCES_FACT) or ())
        if facts.get(CARD_READ_FACT):  # the card itself was on the reader: a checked original
            verified.add(ID_CARD_LICENCE)
        materials, separate_materials = self._materials(
            compiled, effective, facts, set(order), verified
        )
        fields, separate_fields = self._fields(compiled, effective, facts, set(order))
        stage_views = tuple(
            Stage(i + 1, tuple(group), len(group) > 1, max(compiled.days[g] for g in group))
            for i, group in enumerate(flow)
        )
        reform = scenario.reform
        effectiveness = Effectiveness(
            separate=Counts(
                materials=separate_materials,
                fields=separate_fields,
                days=sum(compiled.days[i] for i in order),
                windows=len({compiled.items[i].department for i in order}),
            ),
            merged=Counts(
                materials=len(materials),
                fields=len(fields),
                days=promise.days,
                windows=1 if order else 0,
            ),
            materials_to_submit=sum(1 for m in materials if m.to_submit),
            fields_to_fill=sum(1 for f in fields if f.value is None),
            published_before=reform.before.model_dump(),
            published_after=reform.after.model_dump(),
        )
        pending = tuple(q.id for q in state.questions if q.status == "pending")
        return Plan(
            scenario=scenario.code,
            scenario_name=scenario.name,
            catalog_version=self.catalog.version,
            complete=not pending,
            pending_questions=pending,
            blocked=state.blocked,
            answers=effective,
            items=plan_items,
            not_chosen=not_chosen,
            not_applicable=not_applicable,
            notices=tuple(notices),
            materials=materials,
            fields=fields,
            stages=stage_views,
            promise=promise,
            effectiveness=effectiveness,
        )

    def _choose(
        self, compiled: _Compiled, applicable: list[Item], wanted: Sequence[str] | None
    ) -> tuple[dict[str, tuple[Any, str]], list[str]]:
        """Items chosen, each with why; dependencies are pulled in and said so (§7.4.1)."""
        applicable_ids = {i.id for i in applicable}
        if wanted is None:
            return {i.id: ("applicant", "") for i in applicable}, []
        chosen: dict[str, tuple[Any, str]] = {}
        for token in wanted:
            item = _find_item(compiled, token)
            if item.id not in applicable_ids:
                raise ItemChoiceError(
                    f"事项“{item.name}”不适用于当前情形。",
                    hint="请先修改问卷回答，或不选择该事项。",
                )
            chosen[item.id] = ("applicant", "")
        notices: list[str] = []
        for item in applicable:
            if not item.optional and item.id not in chosen:
                chosen[item.id] = ("mandatory", "本一件事必须办理的事项")
                notices.append(f"“{item.name}”是必办事项，已自动加入。")
        pending = list(chosen)
        while pending:
            current = compiled.items[pending.pop()]
            for need in current.needs:
                if need in chosen or need not in applicable_ids:
                    continue
                name = compiled.items[need].name
                chosen[need] = ("dependency", f"“{current.name}”需要它的办理结果")
                notices.append(f"“{current.name}”需要“{name}”的办理结果，已一并加入“{name}”。")
                pending.append(need)
        return chosen, notices

    def _materials(
        self,
        compiled: _Compiled,
        answers: Mapping[str, AnswerValue],
        facts: Mapping[str, Any],
        chosen: set[str],
        verified: set[str],
    ) -> tuple[tuple[PlanMaterial, ...], int]:
        result = []
        separate = 0
        for material in compiled.scenario.materials:
            needing = compiled.material_items[material.id] & chosen
            if not needing or holds(material.when, answers, facts) is not True:
                continue
            separate += len(needing)
            card_read = bool(facts.get(CARD_READ_FACT))
            status, reason = _material_status(
                compiled, material, chosen, verified, card_read=card_read
            )
            result.append(
                PlanMaterial(
                    id=material.id,
                    name=material.name,
                    status=status,
                    status_label=MATERIAL_STATUS_LABELS[status],
                    reason=reason,
                    form=material.form,
                    copies=material.copies,
                    medium=material.medium,
                    paper_size=material.paper_size,
                    items=tuple(compiled.items[i].name for i in material.items if i in needing),
                    e_licence=material.exemption.e_licence,
                    commitment_allowed=material.exemption.commitment,
                    tolerable_missing=material.exemption.tolerable_missing,
                    notes=material.notes,
                    formal_review=material.review.formal,
                    substantive_review=material.review.substantive,
                )
            )
        return tuple(result), separate

    def _fields(
        self,
        compiled: _Compiled,
        answers: Mapping[str, AnswerValue],
        facts: Mapping[str, Any],
        chosen: set[str],
    ) -> tuple[tuple[PlanField, ...], int]:
        result = []
        separate = 0
        for field in compiled.fields:
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
                    items=tuple(compiled.items[i].name for i in needing),
                    value=value,
                    source=source,
                )
            )
        return tuple(result), separate


def _material_status(
    compiled: _Compiled, material: Material, chosen: set[str], verified: set[str], *,
    card_read: bool = False,
) -> tuple[MaterialStatus, str]:  # fmt: skip
    exemption = material.exemption
    if exemption.produced_by in chosen:
        producer = compiled.items[exemption.produced_by].name
        return "produced", f"由“{producer}”的办理结果提供"
    if card_read and exemption.e_licence == ID_CARD_LICENCE:
        return "e_licence", "已读取身份证原件（身份证阅读器核验）"
    if exemption.e_licence and exemption.e_licence in verified:
        return "e_licence", f"已核验电子证照：{exemption.e_licence}"
    if exemption.generated:
        return "generated", "由一表申请的内容自动生成"
    if exemption.commitment:
        return "commitment", "可签署告知承诺书代替"
    if exemption.tolerable_missing:
        return "tolerable", "可容缺受理，承诺期限内补交"
    if exemption.e_licence:
        return "submit", f"如能核验电子证照“{exemption.e_licence}”则免提交"
    return "submit", ""


def _prefill(field: ResolvedField, facts: Mapping[str, Any]) -> tuple[str | None, str]:
    if not field.prefill_source:
        return None, ""
    key = f"id_card.{field.prefill_key}" if field.prefill_source == "id_card" else field.prefill_key
    value = facts.get(key)
    if value is None or value == "":
        return None, ""
    return str(value), FACT_SOURCES[
        "id_card" if field.prefill_source == "id_card" else "shared_data"
    ]


def _find_item(compiled: _Compiled, token: str) -> Item:
    wanted = token.strip()
    for item in compiled.scenario.items:
        if wanted in (item.id, item.name, item.basic_code, item.implementation_code):
            return item
    names = "、".join(f"{i.id}（{i.name}）" for i in compiled.scenario.items)
    raise ItemChoiceError(
        f"“{compiled.scenario.name}”中没有事项“{wanted}”。", hint=f"可选的事项：{names}"
    )


def _label(question: Question, value: AnswerValue | None) -> str:
    if value is None:
        return ""
    values: Iterable[str] = (value,) if isinstance(value, str) else value
    return "、".join(o.label for v in values if (o := question.option(v)) is not None)


def _normalise(scenario: Scenario, answers: Mapping[str, Any]) -> dict[str, AnswerValue]:
    """Check answers against the questionnaire; multi answers become tuples."""
    questions = {q.id: q for q in scenario.questions}
    result: dict[str, AnswerValue] = {}
    for key, raw in answers.items():
        question = questions.get(str(key))
        if question is None:
            known = "、".join(f"{q.id}（{q.text}）" for q in scenario.questions) or "（无）"
            raise AnswerError(f"“{scenario.name}”没有问题“{key}”。", hint=f"可回答的问题：{known}")
        if raw is None or (isinstance(raw, list | tuple) and not raw):
            continue  # not answered (an empty multi choice, or a hidden question's nothing)
        values: tuple[str, ...]
        if isinstance(raw, list | tuple):
            if question.kind == "single" and len(raw) != 1:
                raise AnswerError(f"问题“{question.text}”只能选一项，收到了 {len(raw)} 项。")
            values = tuple(str(v) for v in raw)
        elif isinstance(raw, bool):
            values = ("yes" if raw else "no",)
        elif isinstance(raw, str | int):
            values = (str(raw),)
        else:
            raise AnswerError(
                f"问题“{question.text}”的答案格式不对。", hint="应为选项值或选项值列表。"
            )
        for value in values:
            if question.option(value) is None:
                options = "、".join(f"{o.value}（{o.label}）" for o in question.options)
                raise AnswerError(
                    f"问题“{question.text}”没有选项“{value}”。", hint=f"可选：{options}"
                )
        if question.kind == "multi":
            if len(set(values)) != len(values):
                raise AnswerError(f"问题“{question.text}”的答案有重复的选项。")
            exclusive = [v for v in values if (o := question.option(v)) is not None and o.exclusive]
            if exclusive and len(values) > 1:
                label = _label(question, exclusive[0])
                raise AnswerError(
                    f"回答相互矛盾：问题“{question.text}”中“{label}”不能与其他选项同时选择。",
                    hint="请只保留其中一种。",
                )
            result[question.id] = values
        else:
            result[question.id] = values[0]
    return result
