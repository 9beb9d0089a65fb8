"""Static checks of a catalog (``onestop catalog check``).

Errors make a catalog unusable: a reference to something that does not exist, a question or item
no answers can reach, a cycle in the flow. Warnings point at data that contradicts itself, as real
guides do; a scenario's ``decisions`` can settle a warning by naming its code, and it is then
reported as settled with the decision beside it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.catalog.conditions import (
    AnswerCondition,
    AnswerValue,
    AnyCondition,
    Condition,
    FactCondition,
    NamedCondition,
    NotCondition,
    walk,
)
from app.catalog.loader import Document, LoadResult, Problem
from app.catalog.models import (
    ENTERPRISE_STAGES,
    MATERIAL_CODE,
    CatalogMeta,
    LocalMarks,
    Material,
    Option,
    Question,
    Scenario,
)
from app.guide.flow import critical_path, find_cycle, stages
from app.identity.card import ID_CARD_KEYS

MAX_COMBINATIONS = 20_000


def check(result: LoadResult) -> list[Problem]:
    if result.meta is None:
        return []
    problems: list[Problem] = []
    problems += _check_meta(result.meta, result.meta_label)
    codes = Counter(s.scenario.code for s in result.scenarios)
    for loaded in result.scenarios:
        found = _ScenarioCheck(loaded.scenario, result.meta, loaded.label, loaded.document).run()
        if codes[loaded.scenario.code] > 1:
            found.append(
                Problem(
                    "error", loaded.label, loaded.scenario.code, "code", "一件事代码与其他文件重复"
                )
            )
        problems += found
    return problems


def _check_meta(meta: CatalogMeta, label: str) -> list[Problem]:
    problems = []
    for kind, keys in (
        ("字段", [f.key for f in meta.fields]),
        ("事实", [f.key for f in meta.facts]),
    ):
        for key, count in Counter(keys).items():
            if count > 1:
                problems.append(Problem("error", label, "", "", f"{kind}“{key}”定义了 {count} 次"))
    for i, spec in enumerate(meta.fields):
        if spec.type == "enum" and not spec.options:
            problems.append(Problem("error", label, "", f"fields[{i}]", "枚举字段须列出 options"))
    return problems


@dataclass
class _ScenarioCheck:
    scenario: Scenario
    meta: CatalogMeta
    label: str
    doc: Document
    problems: list[Problem] = field(default_factory=list)
    _satisfied: dict[tuple[int, ...], tuple[tuple[Condition | None, ...], bool | None]] = field(
        default_factory=dict
    )

    def _add(self, severity: str, loc: tuple[str | int, ...], message: str, code: str = "") -> None:
        self.problems.append(
            Problem(
                severity,
                self.label,
                self.scenario.code,
                self.doc.path_of(loc),
                message,
                code,
                self.doc.line_of(loc),
            )
        )

    def error(self, loc: tuple[str | int, ...], message: str) -> None:
        self._add("error", loc, message)

    def warn(self, loc: tuple[str | int, ...], code: str, message: str) -> None:
        self._add("warning", loc, message, code)

    def run(self) -> list[Problem]:
        s = self.scenario
        self.questions = {q.id: q for q in s.questions}
        self.question_order = {q.id: i for i, q in enumerate(s.questions)}
        self.items = {i.id: i for i in s.items}
        self.choices = {q.id: _choices_when_asked(q) for q in s.questions}
        self.facts = {f.key: f for f in self.meta.facts}
        self.fields = {f.key: f for f in self.meta.fields}
        self._unique()
        self._audience()
        self._named()
        self._questions()
        self._items()
        self._materials()
        self._fields()
        self._constraints()
        self._local_marks()
        if not any(p.severity == "error" for p in self.problems):
            self._reachability()
            self._figures()
            self._required_of_conditional_items()
            self._steps()
            self._departments()
            self._notes_against_conditions()
        self._settle()
        return self.problems

    # -- structure -------------------------------------------------------------------------------

    def _unique(self) -> None:
        s = self.scenario
        for name, ids in (
            ("questions", [q.id for q in s.questions]),
            ("items", [i.id for i in s.items]),
            ("materials", [m.id for m in s.materials]),
            ("named", [n.id for n in s.named]),
            ("fields", [f.key for f in s.fields]),
        ):
            seen: set[str] = set()
            for index, ident in enumerate(ids):
                if ident in seen:
                    self.error((name, index), f"“{ident}”重复定义")
                seen.add(ident)
        names = Counter(m.name for m in s.materials)
        for index, material in enumerate(s.materials):
            if names[material.name] > 1:
                self.warn(
                    ("materials", index),
                    "W-DUPLICATE-MATERIAL",
                    f"材料名称“{material.name}”出现多次：一套材料应合并为一条",
                )
                names[material.name] = 0

    def _audience(self) -> None:
        enterprise = self.scenario.life_stage in ENTERPRISE_STAGES
        if enterprise != (self.scenario.audience == "enterprise"):
            self.error(("life_stage",), f"人生阶段“{self.scenario.life_stage}”与服务对象不符")

    def _condition(self, loc: tuple[str | int, ...], cond: Condition | None, before: int) -> None:
        """Check the leaves of a condition; ``before`` limits questions to those asked earlier."""
        for leaf in walk(cond):
            if isinstance(leaf, AnswerCondition):
                question = self.questions.get(leaf.answer)
                if question is None:
                    self.error(loc, f"条件引用了不存在的问题“{leaf.answer}”")
                    continue
                if self.question_order[leaf.answer] >= before:
                    self.error(loc, f"条件引用的问题“{leaf.answer}”须排在前面（问卷按层级递进）")
                for value in leaf.values():
                    if question.option(value) is None:
                        options = "、".join(o.value for o in question.options)
                        self.error(loc, f"问题“{leaf.answer}”没有选项“{value}”（可选：{options}）")
                if leaf.contains is not None and question.kind != "multi":
                    self.error(loc, f"contains 只用于多选题，“{leaf.answer}”是单选题")
            elif isinstance(leaf, FactCondition):
                self._fact(loc, leaf.fact, leaf.equals, leaf.in_)
            elif isinstance(leaf, NamedCondition):
                known = (
                    "、".join(n.id for n in self.scenario.named) or "（本一件事没有定义命名条件）"
                )
                self.error(loc, f"引用了不存在的命名条件“{leaf.named}”（已定义：{known}）")

    def _fact(self, loc: tuple[str | int, ...], key: str, *values: Any) -> None:
        spec = self.facts.get(key)
        if spec is None:
            self.error(loc, f"引用了未在 _catalog.yaml 中定义的事实“{key}”")
            return
        allowed = set(spec.values)
        for group in values:
            for value in group if isinstance(group, tuple) else (group,):
                if value is not None and allowed and str(value) not in allowed:
                    self.error(
                        loc, f"事实“{key}”不会取值“{value}”（可能的值：{'、'.join(allowed)}）"
                    )

    def _named(self) -> None:
        everyone = len(self.scenario.questions)
        for index, named in enumerate(self.scenario.named):
            self._condition(("named", index, "when"), named.when, everyone)

    def _questions(self) -> None:
        for index, question in enumerate(self.scenario.questions):
            loc: tuple[str | int, ...] = ("questions", index)
            self._condition((*loc, "show_when"), question.show_when, index)
            values = [o.value for o in question.options]
            if len(set(values)) != len(values):
                self.error((*loc, "options"), "选项值重复")
            if question.auto_answer is not None:
                self._fact((*loc, "auto_answer"), question.auto_answer.fact)
                for fact_value, option in question.auto_answer.map.items():
                    if question.option(option) is None:
                        self.error(
                            (*loc, "auto_answer", "map", fact_value), f"选项“{option}”不存在"
                        )
            if question.kind == "single" and any(o.exclusive for o in question.options):
                self.error((*loc, "options"), "exclusive 只用于多选题")
            for j, choice in enumerate(question.options):
                for k, ident in enumerate(choice.stop.items if choice.stop else ()):
                    self._item_ref((*loc, "options", j, "stop", "items", k), ident)

    def _item_ref(self, loc: tuple[str | int, ...], ident: str) -> None:
        if ident not in self.items:
            self.error(loc, f"引用了不存在的事项“{ident}”")

    def _items(self) -> None:
        everyone = len(self.scenario.questions)
        for index, item in enumerate(self.scenario.items):
            loc: tuple[str | int, ...] = ("items", index)
            for j, need in enumerate(item.needs):
                self._item_ref((*loc, "needs", j), need)
                if need == item.id:
                    self.error((*loc, "needs", j), "事项不能依赖自己")
            self._condition((*loc, "when"), item.when, everyone)
            for j, wait in enumerate(item.waits):
                self._condition((*loc, "waits", j, "when"), wait.when, everyone)
                if any(isinstance(leaf, FactCondition) for leaf in walk(wait.when)):
                    self.error(
                        (*loc, "waits", j, "when"),
                        "等待期的条件只能引用问题的回答（受理时按办件保存的回答计算承诺日期）",
                    )
                if wait.included and wait.unit == "working" and wait.days > item.promised_days:
                    self.error(
                        (*loc, "waits", j, "days"),
                        f"“{wait.name}”{wait.days} 个工作日已写明含在事项的承诺时限内，"
                        f"但事项只承诺 {item.promised_days} 个工作日：请核对指南，"
                        "或去掉 included 让等待期另加",
                    )
        cycle = find_cycle({i.id: i.needs for i in self.scenario.items})
        if cycle:
            self.error(("items",), "办理流程有循环：" + " → ".join(cycle))

    def _handover(self, loc: tuple[str | int, ...], material: Material) -> None:
        """A thing (a seal, a card) is handed over as it is: no copy, no electronic form, and one
        the window gives back at once goes nowhere."""
        handover = material.handover
        if handover is None:
            return
        if material.form != "original":
            self.error(
                (*loc, "form"),
                f"“{material.name}”是物品（{handover.label}），只交原物：form 应为 original，"
                "不能要复印件",
            )
        if material.medium == "electronic":
            self.error(
                (*loc, "medium"),
                f"“{material.name}”是物品（{handover.label}），没有电子形式："
                "medium 不能是 electronic",
            )
        if handover.returned == "at_once" and handover.to:
            self.error(
                (*loc, "handover", "to"),
                f"“{material.name}”窗口核验后当场交还，不转交“{handover.to}”："
                "去掉 to，或把 returned 改为 kept / with_result",
            )

    def _per(self, loc: tuple[str | int, ...], per: str | None) -> None:
        """``per:`` names a counting question: "one for each of them"."""
        if per is None:
            return
        question = next((q for q in self.scenario.questions if q.id == per), None)
        if question is None or question.kind != "count":
            counting = "、".join(q.id for q in self.scenario.questions if q.kind == "count")
            self.error(
                loc,
                f"per 应为计数问题（kind: count）的 id，“{per}”不是"
                + (f"；本一件事的计数问题：{counting}" if counting else "；本一件事还没有计数问题"),
            )

    def _materials(self) -> None:
        everyone = len(self.scenario.questions)
        for index, material in enumerate(self.scenario.materials):
            loc: tuple[str | int, ...] = ("materials", index)
            for j, ident in enumerate(material.items):
                self._item_ref((*loc, "items", j), ident)
            self._condition((*loc, "when"), material.when, everyone)
            self._handover(loc, material)
            self._per((*loc, "per"), material.per)
            for producer in material.exemption.produced_by:
                self._item_ref((*loc, "exemption", "produced_by"), producer)
                if producer in material.items:
                    self.error(
                        (*loc, "exemption", "produced_by"),
                        f"材料不能由需要它的事项“{producer}”自己产生",
                    )
                elif producer in self.items and not self._all_follow(material.items, producer):
                    self.warn(
                        (*loc, "exemption", "produced_by"),
                        f"W-PRODUCED-ORDER:{material.id}",
                        f"“{material.name}”由“{producer}”产生，但并非所有需要它的事项都排在其后",
                    )
            if material.platform_code and not MATERIAL_CODE.match(material.platform_code):
                self.warn(
                    (*loc, "platform_code"),
                    f"W-PLATFORM-CODE:{material.id}",
                    f"平台材料编码“{material.platform_code}”格式不对（应为 T/L/O/E 加 7 位数字，"
                    "或加 18 位统一社会信用代码和 3 位序号）",
                )
            if material.required and material.when is not None:
                self.warn(
                    (*loc, "required"),
                    f"W-REQUIRED-CONDITIONAL:{material.id}",
                    f"“{material.name}”标为必要材料，却只在部分情形下需要",
                )

    def _all_follow(self, needing: Iterable[str], producer: str) -> bool:
        def reaches(start: str) -> bool:
            stack, seen = [start], set()
            while stack:
                node = stack.pop()
                if node == producer:
                    return True
                if node in seen or node not in self.items:
                    continue
                seen.add(node)
                stack.extend(self.items[node].needs)
            return False

        return all(reaches(i) for i in needing)

    def _fields(self) -> None:
        everyone = len(self.scenario.questions)
        for index, form_field in enumerate(self.scenario.fields):
            loc: tuple[str | int, ...] = ("fields", index)
            spec = self.fields.get(form_field.key)
            if spec is None and not (form_field.label and form_field.type):
                self.error(
                    (*loc, "key"),
                    f"字段“{form_field.key}”不在字段字典中，须写明 label 和 type",
                )
            field_type = form_field.type or (spec.type if spec else None)
            if field_type == "enum" and not (form_field.options or (spec and spec.options)):
                self.error((*loc, "options"), "枚举字段须列出 options")
            for j, ident in enumerate(form_field.items):
                self._item_ref((*loc, "items", j), ident)
            self._condition((*loc, "when"), form_field.when, everyone)
            self._per((*loc, "per"), form_field.per)
            prefill = form_field.prefill or (spec.prefill if spec else None)
            if prefill is not None:
                if prefill.source == "id_card" and prefill.key not in ID_CARD_KEYS:
                    self.error((*loc, "prefill"), f"身份证读卡结果没有“{prefill.key}”")
                elif prefill.source == "facts":
                    self._fact((*loc, "prefill"), prefill.key)

    def _constraints(self) -> None:
        everyone = len(self.scenario.questions)
        for index, constraint in enumerate(self.scenario.constraints):
            self._condition(("constraints", index, "when"), constraint.when, everyone)

    def _local_marks(self) -> None:
        def visit(entity: LocalMarks, loc: tuple[str | int, ...]) -> None:
            for name in entity.local:
                if name.split(".")[0] not in type(entity).model_fields and name != "*":
                    self.error((*loc, "local", name), f"本地配置标注了不存在的字段“{name}”")

        visit(self.scenario, ())
        for group in ("named", "questions", "items", "materials", "fields"):
            for index, entity in enumerate(getattr(self.scenario, group)):
                visit(entity, (group, index))

    # -- reachability ----------------------------------------------------------------------------

    def _needed(self, conditions: Iterable[Condition | None]) -> list[Question]:
        """The questions these conditions depend on and those deciding whether they are asked,
        in the questionnaire's order."""
        needed: set[str] = set()
        pending = [
            leaf.answer for c in conditions for leaf in walk(c) if isinstance(leaf, AnswerCondition)
        ]
        while pending:
            qid = pending.pop()
            if qid in needed or qid not in self.questions:
                continue
            needed.add(qid)
            q = self.questions[qid]
            pending += [
                leaf.answer for leaf in walk(q.show_when) if isinstance(leaf, AnswerCondition)
            ]
        return [q for q in self.scenario.questions if q.id in needed]

    def _satisfiable(self, *conditions: Condition | None) -> bool | None:
        """Whether some eligible way of answering meets every condition (None: too many ways
        to try). Asked again for the same conditions (a material of the same item, an item
        no condition limits), the answer found before is given."""
        if all(c is None for c in conditions):
            return True  # no condition: the one empty way of answering meets them all
        key = tuple(map(id, conditions))
        known = self._satisfied.get(key)
        if known is not None:
            return known[1]
        questions = self._needed(conditions)
        result: bool | None = False
        if _ways_at_most(questions, self.choices, MAX_COMBINATIONS + 1):
            # every way would be tried before the limit, so the search may skip the ways that
            # answers already given rule out: the answer is the same, found sooner
            result = _some_way_meets(questions, 0, {}, conditions, self.choices)
        else:
            for count, answers in enumerate(_assign(questions, 0, {}, self.choices)):
                if count > MAX_COMBINATIONS:
                    result = None
                    break
                if _meets(conditions, answers):
                    result = True
                    break
        self._satisfied[key] = (conditions, result)  # holding them keeps their ids unique
        return result

    def _reachability(self) -> None:
        s = self.scenario
        unproven: list[str] = []

        def report(loc: tuple[str | int, ...], result: bool | None, what: str) -> None:
            if result is False:
                self.error(loc, f"{what}在任何（符合受理条件的）回答下都不会出现")
            elif result is None:
                unproven.append(what)

        for index, question in enumerate(s.questions):
            report(
                ("questions", index), self._satisfiable(question.show_when), f"问题“{question.id}”"
            )
        for index, named in enumerate(s.named):
            report(("named", index), self._satisfiable(named.when), f"命名条件“{named.label}”")
        for index, item in enumerate(s.items):
            report(("items", index), self._satisfiable(item.when), f"事项“{item.name}”")
        needed_by: list[tuple[str, int, str, tuple[str, ...], Condition | None]] = [
            ("materials", i, m.name, m.items, m.when) for i, m in enumerate(s.materials)
        ] + [("fields", i, f.key, f.items, f.when) for i, f in enumerate(s.fields)]
        for group, index, name, idents, when in needed_by:
            reachable: bool | None = False
            for ident in idents:
                result = self._satisfiable(when, self.items[ident].when)
                if result is True:
                    reachable = True
                    break
                if result is None:
                    reachable = None
            report((group, index), reachable, f"“{name}”")
        if unproven:
            self.warn((), "W-UNPROVEN", "组合太多，未能证明可达：" + "、".join(unproven))

    # -- figures ---------------------------------------------------------------------------------

    def _figures(self) -> None:
        s = self.scenario
        needs = {i.id: i.needs for i in s.items}
        days = {i.id: i.promised_days for i in s.items}
        total, chain = critical_path(needs, needs, days)
        if s.promised_days is not None and total > s.promised_days:
            names = " → ".join(self.items[i].name for i in chain)
            self.warn(
                ("promised_days",),
                "W-PROMISED-DAYS",
                f"公布的承诺时限 {s.promised_days} 个工作日短于全部事项的关键路径 {total} 个工作日"
                f"（{names}）",
            )
        after = s.reform.after.materials
        if after is not None and after != len(s.materials):
            self.warn(
                ("reform", "after", "materials"),
                "W-MATERIAL-COUNT",
                f"改革后材料数 {after} 与目录列出的 {len(s.materials)} 种材料不一致",
            )

    def _required_of_conditional_items(self) -> None:
        """A material the guide marks 必要 whose items all apply only in some situations, and
        some applicants need none of them: the guide's 必要 holds only in those situations."""
        for index, material in enumerate(self.scenario.materials):
            if not material.required or material.when is not None:
                continue
            whens = [self.items[i].when for i in material.items if i in self.items]
            if not whens or any(w is None for w in whens):
                continue
            none_apply = NotCondition.model_validate(
                {"not": AnyCondition(any=tuple(w for w in whens if w is not None))}
            )
            if self._satisfiable(none_apply):
                self.warn(
                    ("materials", index, "required"),
                    f"W-REQUIRED-OF-CONDITIONAL-ITEMS:{material.id}",
                    f"“{material.name}”标为必要材料，但需要它的事项只在部分情形下办理",
                )

    def _steps(self) -> None:
        """The published number of steps after the reform against the flow's serial stages."""
        s = self.scenario
        published = s.reform.after.steps
        if published is None:
            return
        flow = stages([i.id for i in s.items], {i.id: i.needs for i in s.items})
        if published != len(flow):
            self.warn(
                ("reform", "after", "steps"),
                "W-STEP-COUNT",
                f"公布的改革后环节数 {published} 与事项流程的 {len(flow)} 个先后阶段不一致",
            )

    def _departments(self) -> None:
        """The guide's cooperating departments against the departments of its items."""
        s = self.scenario
        if not s.cooperating_departments:
            return  # the guide names no cooperating departments: nothing to compare with
        listed = [s.lead_department, *s.cooperating_departments]
        for index, department in enumerate(s.cooperating_departments):
            if not any(same_department(department, i.department) for i in s.items):
                self.warn(
                    ("cooperating_departments", index),
                    f"W-DEPARTMENT-IDLE:{index}",
                    f"配合部门“{department}”不承办任何事项",
                )
        for index, item in enumerate(s.items):
            if not any(same_department(d, item.department) for d in listed):
                self.warn(
                    ("items", index, "department"),
                    f"W-DEPARTMENT-UNLISTED:{item.id}",
                    f"事项“{item.name}”的承办部门“{item.department}”不在牵头与配合部门之列",
                )

    def _notes_against_conditions(self) -> None:
        """A material's note that names the opposite of a condition of the guide ("父母双方是
        同一民族" against "父母双方是不同民族时提供")."""
        for index, material in enumerate(self.scenario.materials):
            for condition in self.scenario.guide.conditions:
                clash = contradiction(condition, material.notes)
                if clash:
                    self.warn(
                        ("materials", index, "notes"),
                        f"W-NOTE-CONTRADICTS-CONDITION:{material.id}",
                        f"“{material.name}”的填报须知（{clash[1]}）与受理条件“{condition}”"
                        f"（{clash[0]}）相矛盾",
                    )

    def _settle(self) -> None:
        settled: dict[str, str] = {}
        for decision in self.scenario.decisions:
            for code in decision.settles:
                settled[code] = decision.decision
        raised = {p.code for p in self.problems if p.code}
        raised |= {code.split(":", 1)[0] for code in raised}
        for index, decision in enumerate(self.scenario.decisions):
            if not decision.settles and not decision.free:
                self.warn(
                    ("decisions", index),
                    "W-DECISION-UNTIED",
                    f"决定“{decision.topic}”既不回应检查器警告（settles），也未标为自主决定"
                    "（free: true）",
                )
            for code in decision.settles:
                if code not in raised:
                    self.warn(
                        ("decisions", index, "settles"),
                        "W-DECISION-STALE",
                        f"决定“{decision.topic}”回应的警告 {code} 已不再出现"
                        "（数据已改正或指南已更新？）：请删去此决定或改写",
                    )
        for index, problem in enumerate(self.problems):
            if problem.severity != "warning":
                continue
            bare = problem.code.split(":", 1)[0]
            decided = settled.get(problem.code) or settled.get(bare)
            if decided:
                self.problems[index] = Problem(
                    "settled",
                    problem.file,
                    problem.scenario,
                    problem.path,
                    f"{problem.message}。决定：{decided}",
                    problem.code,
                    problem.line,
                )


def _choices_when_asked(question: Question) -> list[AnswerValue]:
    """The answers an eligible applicant can give to a question that is asked: an option that
    does not stop them (or stops only some items), one at a time, and for a multiple choice also
    all its non-exclusive ones together."""
    open_options = [o.value for o in question.options if _goes_on(o)]
    if question.kind != "multi":
        return list(open_options)
    plain = [o.value for o in question.options if _goes_on(o) and not o.exclusive]
    choices: list[AnswerValue] = [(v,) for v in open_options]
    if len(plain) > 1:
        choices.append(tuple(plain))
    return choices


def _choices(
    question: Question, answers: dict[str, AnswerValue], asked: dict[str, list[AnswerValue]]
) -> list[AnswerValue]:
    """The answers to a question after ``answers``: none (``()``) when it is not asked."""
    if question.show_when is not None and question.show_when.evaluate(answers, {}) is False:
        return [()]
    return asked[question.id]


def _ways_at_most(
    questions: list[Question], asked: dict[str, list[AnswerValue]], limit: int
) -> bool:
    """Whether there are at most ``limit`` ways of answering the questions: a question has its
    choices when asked, or one (no answer) when not."""
    ways = 1
    for question in questions:
        ways *= max(1, len(asked[question.id]))
        if ways > limit:
            return False
    return True


def _meets(conditions: tuple[Condition | None, ...], answers: dict[str, AnswerValue]) -> bool:
    """No condition is false on these answers (one that depends on an unknown fact may hold)."""
    return all(c is None or c.evaluate(answers, {}) is not False for c in conditions)


def _assign(
    questions: list[Question],
    index: int,
    answers: dict[str, AnswerValue],
    asked: dict[str, list[AnswerValue]],
) -> Iterator[dict[str, AnswerValue]]:
    """Every way of answering ``questions[index:]`` after ``answers``, in the questionnaire's
    order and each question's option order."""
    if index == len(questions):
        yield dict(answers)
        return
    question = questions[index]
    for choice in _choices(question, answers, asked):
        answers[question.id] = choice
        yield from _assign(questions, index + 1, answers, asked)
    answers.pop(question.id, None)


def _some_way_meets(
    questions: list[Question],
    index: int,
    answers: dict[str, AnswerValue],
    conditions: tuple[Condition | None, ...],
    asked: dict[str, list[AnswerValue]],
) -> bool:
    """Whether some way of answering ``questions[index:]`` after ``answers`` meets every
    condition, following only answers that do not already make a condition false: conditions
    are evaluated in three values, and one that is false on some answers stays false whatever is
    answered next."""
    if not _meets(conditions, answers):
        return False
    if index == len(questions):
        return True
    question = questions[index]
    for choice in _choices(question, answers, asked):
        answers[question.id] = choice
        if _some_way_meets(questions, index + 1, answers, conditions, asked):
            return True
    answers.pop(question.id, None)
    return False


def _goes_on(option: Option) -> bool:
    """The applicant can go on after this answer: it stops nothing, or only some items."""
    return option.stop is None or bool(option.stop.items)


# Department words and the short forms guides use for them ("人社部门").
DEPARTMENT_WORDS = {
    "人社": "人力资源和社会保障",
    "卫健": "卫生健康",
    "医保": "医疗保障",
    "市监": "市场监督管理",
    "市场监管": "市场监督管理",
    "住建": "住房和城乡建设",
    "应急": "应急管理",
    "交通": "交通运输",
    "退役军人": "退役军人事务",
    "残联": "残疾人联合会",
    "自规": "自然资源和规划",
    "发改": "发展和改革",
    "公积金": "住房公积金",
}
_DEPARTMENT_TAIL = re.compile(r"(部门|委员会|局|厅|委|中心|办公室|办)$")
_PLACE_HEAD = re.compile(r"^.{1,8}?[省市县区]")


@lru_cache(maxsize=4096)  # asked for each pair of listed and item departments
def department_core(name: str) -> str:
    """The kind of department a name denotes: "长沙市卫生健康委员会" → "卫生健康",
    "人社部门" → "人力资源和社会保障", "公安部门（落户地派出所）" → "公安"."""
    core = re.sub(r"[（(].*$", "", name).strip()
    core = _PLACE_HEAD.sub("", core) if len(core) > 4 else core
    core = _DEPARTMENT_TAIL.sub("", core)
    return DEPARTMENT_WORDS.get(core, core)


def same_department(listed: str, item_department: str) -> bool:
    """A listed (lead or cooperating) department and an item's department are of one kind."""
    a, b = department_core(listed), department_core(item_department)
    return bool(a and b) and (a in b or b in a)


_OPPOSITES = (("同一", "不同"), ("一致", "不一致"), ("已", "未"), ("有", "无"))


def contradiction(condition: str, note: str) -> tuple[str, str] | None:
    """The words of a condition and of a note that say opposite things about the same subject
    (the two characters after the opposite words must match), or None."""
    return next(
        ((said, opposite) for said, opposite in _claims(condition) if opposite in note), None
    )


@lru_cache(maxsize=1024)  # a guide's conditions are held against each of its materials' notes
def _claims(condition: str) -> tuple[tuple[str, str], ...]:
    """What a condition says ("同一民族") and the words that would say the opposite ("不同民族"),
    in the order :func:`contradiction` tries them, leaving out opposites the condition itself
    holds."""
    claims = []
    for yes, no in _OPPOSITES:
        for match in re.finditer(re.escape(yes), condition):
            subject = condition[match.end() : match.end() + 2]
            if len(subject) == 2 and (no + subject) not in condition:
                claims.append((condition[match.start() : match.end() + 2], no + subject))
    return tuple(claims)
