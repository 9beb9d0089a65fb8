"""The applicant's answers checked against the questionnaire, in one shape (GB/T 45836 §7.2.4).

A single-choice answer becomes its option value and a multiple-choice one a tuple of values, so
that later stages compare like with like; anything the questionnaire cannot take is refused with
a message that says what it can take.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.catalog.conditions import AnswerValue
from app.catalog.models import COUNT_PREFIX, Question, Scenario
from app.errors import AnswerError


def normalise_answers(scenario: Scenario, answers: Mapping[str, Any]) -> dict[str, AnswerValue]:
    """Check answers against the questionnaire; multi answers become tuples."""
    questions = {q.id: q for q in scenario.questions}
    result: dict[str, AnswerValue] = {}
    for key, raw in answers.items():
        question = _question(scenario, questions, key)
        values = _given_values(question, raw)
        if values is not None:
            result[question.id] = _checked(question, values)
    return result


def answer_label(question: Question, value: AnswerValue | None) -> str:
    """The chosen options' labels, as a person reads them."""
    if value is None:
        return ""
    values: Iterable[str] = (value,) if isinstance(value, str) else value
    return "、".join(o.label for v in values if (o := question.option(v)) is not None)


def _question(scenario: Scenario, questions: Mapping[str, Question], key: object) -> Question:
    question = questions.get(str(key))
    if question is None:
        known = "、".join(f"{q.id}（{q.text}）" for q in scenario.questions) or "（无）"
        raise AnswerError(f"“{scenario.name}”没有问题“{key}”。", hint=f"可回答的问题：{known}")
    return question


def _given_values(question: Question, raw: Any) -> tuple[str, ...] | None:
    """The option values given, as text; None when nothing was given."""
    if raw is None:
        return None
    if isinstance(raw, list | tuple):
        return _listed_values(question, raw)
    if isinstance(raw, bool):
        return ("yes" if raw else "no",)
    if question.kind == "count" and (isinstance(raw, int) or str(raw).strip().isdecimal()):
        return (f"{COUNT_PREFIX}{int(raw)}",)  # 3 for "3 名": its option n3
    if isinstance(raw, str | int):
        return (str(raw),)
    raise AnswerError(f"问题“{question.text}”的答案格式不对。", hint="应为选项值或选项值列表。")


def _listed_values(question: Question, raw: list[Any] | tuple[Any, ...]) -> tuple[str, ...] | None:
    if not raw:
        return None  # not answered (an empty multi choice, or a hidden question's nothing)
    if question.kind != "multi" and len(raw) != 1:
        raise AnswerError(f"问题“{question.text}”只能选一项，收到了 {len(raw)} 项。")
    return tuple(str(v) for v in raw)


def _checked(question: Question, values: tuple[str, ...]) -> AnswerValue:
    for value in values:
        if question.option(value) is None and question.counts is not None:
            counts = question.counts
            shown = value.removeprefix(COUNT_PREFIX)
            raise AnswerError(
                f"问题“{question.text}”的回答应为 1 到 {counts.max} 之间的整数，收到“{shown}”。",
                hint=f"一件最多办理 {counts.max} {counts.unit}{counts.entity}，"
                "更多的请分几件办理。",
            )
        if question.option(value) is None:
            options = "、".join(f"{o.value}（{o.label}）" for o in question.options)
            raise AnswerError(f"问题“{question.text}”没有选项“{value}”。", hint=f"可选：{options}")
    if question.kind != "multi":
        return values[0]
    _check_multi(question, values)
    return values


def _check_multi(question: Question, values: tuple[str, ...]) -> None:
    if len(set(values)) != len(values):
        raise AnswerError(f"问题“{question.text}”的答案有重复的选项。")
    exclusive = [v for v in values if (o := question.option(v)) is not None and o.exclusive]
    if exclusive and len(values) > 1:
        label = answer_label(question, exclusive[0])
        raise AnswerError(
            f"回答相互矛盾：问题“{question.text}”中“{label}”不能与其他选项同时选择。",
            hint="请只保留其中一种。",
        )
