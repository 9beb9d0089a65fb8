"""Which questions apply, which the facts answer (选项复用), and which answers stop counting.

Questions are read in order; each shows when its condition holds on the answers before it. An
answer to a question that no longer shows is dropped and said so, which keeps a plan consistent
when an earlier answer changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.catalog.conditions import AnswerValue, holds
from app.catalog.models import AutoAnswer, FactSpec, Question, Scenario
from app.errors import AnswerError
from app.guide.answers import answer_label
from app.guide.facts import FACT_SOURCES
from app.guide.plan import (
    Block,
    DroppedAnswer,
    OptionView,
    QuestionState,
    QuestionStatus,
    QuestionView,
)
from app.guide.scenario_index import ScenarioIndex

DROPPED_REASON = "之前的回答改变后，这个问题不再适用，答案已不再计入"


def resolve(
    index: ScenarioIndex,
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, Any],
    fact_index: Mapping[str, FactSpec],
) -> QuestionState:
    """The questionnaire's state for checked answers (see :mod:`app.guide.answers`)."""
    scenario = index.scenario
    effective: dict[str, AnswerValue] = {}
    views: list[QuestionView] = []
    dropped: list[DroppedAnswer] = []
    blocked: list[Block] = []
    for question in scenario.questions:
        visible = holds(question.show_when, effective, facts)
        if visible is False:
            effective[question.id] = ()
            if question.id in answers:
                answer = answers[question.id]
                dropped.append(DroppedAnswer(question.id, question.text, answer, DROPPED_REASON))
            continue
        if visible is None:
            continue  # waits for an earlier answer
        view = _view(question, index.options[question.id], answers, facts, fact_index)
        views.append(view)
        if view.answer is not None:
            effective[question.id] = view.answer
            blocked += _blocks(question, view.answer)
    _check_constraints(scenario, effective, facts)
    first_pending = next((v for v in views if v.answer is None), None)
    return QuestionState(
        scenario.code,
        tuple(views),
        first_pending,
        tuple(dropped),
        tuple(b for b in blocked if not b.items),
        effective,
        tuple(b for b in blocked if b.items),
    )


def _auto_answer(
    question: Question, facts: Mapping[str, Any], fact_index: Mapping[str, FactSpec]
) -> tuple[AnswerValue | None, str]:
    """The answer the facts give to a question, and where it came from; (None, "") when none."""
    auto = question.auto_answer
    if auto is None or facts.get(auto.fact) is None:
        return None, ""
    value = _mapped(auto, facts[auto.fact])
    if value is None or question.option(value) is None:
        return None, ""
    return value, _fact_source(auto.fact, fact_index)


def _view(
    question: Question,
    options: tuple[OptionView, ...],
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, Any],
    fact_index: Mapping[str, FactSpec],
) -> QuestionView:
    auto_value, fact_source = _auto_answer(question, facts, fact_index)
    value, status = _answer(question, answers, auto_value)
    source = fact_source if status == "auto" else ("本人回答" if status == "answered" else "")
    return QuestionView(
        id=question.id,
        text=question.text,
        kind=question.kind,
        options=options,
        help=question.help,
        status=status,
        answer=value,
        answer_label=answer_label(question, value),
        source=source,
        auto_value=auto_value,
    )


def _answer(
    question: Question, answers: Mapping[str, AnswerValue], auto_value: AnswerValue | None
) -> tuple[AnswerValue | None, QuestionStatus]:
    """The person's own answer wins over the facts' one."""
    if question.id in answers:
        return answers[question.id], "answered"
    if auto_value is not None:
        return auto_value, "auto"
    return None, "pending"


def _blocks(question: Question, value: AnswerValue) -> list[Block]:
    """The chosen options that end the application here, with why and where to go instead."""
    blocks = []
    for chosen in (value,) if isinstance(value, str) else value:
        option = question.option(chosen)
        if option is not None and option.stop is not None:
            stop = option.stop
            blocks.append(Block(question.id, option.label, stop.reason, stop.advice, stop.items))
    return blocks


def _check_constraints(
    scenario: Scenario, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]
) -> None:
    for constraint in scenario.constraints:
        if constraint.when.evaluate(answers, facts) is True:
            raise AnswerError(f"回答相互矛盾：{constraint.message}", hint="请修改其中一个回答。")


def _mapped(auto: AutoAnswer, raw: Any) -> str | None:
    key = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
    return auto.map.get(key, key if not auto.map else None)


def _fact_source(fact: str, fact_index: Mapping[str, FactSpec]) -> str:
    spec = fact_index.get(fact)
    if spec is None:
        return f"已知信息：{fact}"
    return f"{FACT_SOURCES.get(spec.source, spec.source)}：{spec.label}"
