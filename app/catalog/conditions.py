"""Declarative conditions: which answers or facts select a question, item, material or field.

A condition is data, never code. It is evaluated with three values: ``True``, ``False`` or ``None``
when it depends on a question not answered yet (or a fact not known), so that the questionnaire can
tell "not applicable" from "not decided yet".

YAML forms::

    {answer: Q, equals: V}    {answer: Q, in: [V, W]}    {answer: Q, contains: V}  (multi choice)
    {fact: F, equals: V}        {fact: F, in: [...]}         {fact: F, gte: N} / {fact: F, lte: N}
    {fact: F, present: true}
    {all: [C, ...]}             {any: [C, ...]}              {not: C}
    {named: N}                  (a condition the scenario defines once under ``named``)

A question that is not shown (its ``show_when`` is false) counts as answered with nothing:
``equals``, ``in`` and ``contains`` on it are false, and ``not`` of them is true. So
``{not: {answer: q, equals: x}}`` holds when q was hidden; write ``{all: [shown-condition of q,
{not: ...}]}`` — or better, a named condition — where "hidden" must not count as "not x".

A named condition (``{named: N}``) is replaced by its definition when the scenario is read
(:func:`expand`), so the engine evaluates plain trees; one that names no definition stays, never
decides (``None``) and is reported by the checker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Scalar = str | int | float | bool
AnswerValue = str | tuple[str, ...]


class _Base(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class AnswerCondition(_Base):
    """True when the answer to question ``answer`` matches."""

    answer: str = Field(description="问题代码")
    equals: str | None = Field(default=None, description="答案等于该选项")
    in_: tuple[str, ...] | None = Field(default=None, alias="in", description="答案是其中之一")
    contains: str | None = Field(default=None, description="多选题的答案包含该选项")

    @model_validator(mode="after")
    def _one_test(self) -> AnswerCondition:
        tests = [t for t in (self.equals, self.in_, self.contains) if t is not None]
        if len(tests) != 1:
            raise ValueError("答案条件须且只能写 equals、in、contains 之一")
        return self

    def values(self) -> tuple[str, ...]:
        if self.equals is not None:
            return (self.equals,)
        if self.contains is not None:
            return (self.contains,)
        return self.in_ or ()

    def evaluate(self, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]) -> bool | None:
        given = answers.get(self.answer)
        if given is None:
            return None
        if self.contains is not None:
            return self.contains in given if isinstance(given, tuple) else given == self.contains
        if isinstance(given, tuple):
            return False
        if self.equals is not None:
            return given == self.equals
        return given in (self.in_ or ())


class FactCondition(_Base):
    """True when the known fact ``fact`` (from the ID card, shared data or the hall) matches."""

    fact: str = Field(description="事实键，见 _facts.yaml")
    equals: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    gte: float | None = None
    lte: float | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> FactCondition:
        tests = [t for t in (self.equals, self.in_, self.present) if t is not None]
        ranged = self.gte is not None or self.lte is not None
        if len(tests) + ranged != 1:
            raise ValueError("事实条件须且只能写 equals、in、gte/lte、present 之一")
        return self

    def evaluate(self, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]) -> bool | None:
        value = facts.get(self.fact)
        if self.present is not None:
            return (value is not None) == self.present
        if value is None:
            return None
        if self.equals is not None:
            return bool(value == self.equals)
        if self.in_ is not None:
            return value in self.in_
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (self.gte is None or value >= self.gte) and (self.lte is None or value <= self.lte)


class NamedCondition(_Base):
    """A reference to a condition the scenario defines once (``Scenario.named``)."""

    named: str = Field(description="命名条件的代码")

    def evaluate(self, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]) -> bool | None:
        return None  # replaced by its definition on reading; an unknown name never decides


class AllCondition(_Base):
    all: tuple[Condition, ...] = Field(min_length=1)

    def evaluate(self, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]) -> bool | None:
        unknown = False
        for part in self.all:
            result = part.evaluate(answers, facts)
            if result is False:
                return False
            unknown = unknown or result is None
        return None if unknown else True


class AnyCondition(_Base):
    any: tuple[Condition, ...] = Field(min_length=1)

    def evaluate(self, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]) -> bool | None:
        unknown = False
        for part in self.any:
            result = part.evaluate(answers, facts)
            if result is True:
                return True
            unknown = unknown or result is None
        return None if unknown else False


class NotCondition(_Base):
    not_: Condition = Field(alias="not")

    def evaluate(self, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]) -> bool | None:
        result = self.not_.evaluate(answers, facts)
        return None if result is None else not result


def _kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            AnswerCondition: "answer",
            FactCondition: "fact",
            AllCondition: "all",
            AnyCondition: "any",
            NotCondition: "not",
            NamedCondition: "named",
        }.get(type(value))
    if isinstance(value, dict):
        for key in ("answer", "fact", "all", "any", "not", "named"):
            if key in value:
                return key
    return None


Condition = Annotated[
    Union[  # noqa: UP007 - a discriminated union needs the Union spelling for pydantic's Tag
        Annotated[AnswerCondition, Tag("answer")],
        Annotated[FactCondition, Tag("fact")],
        Annotated[AllCondition, Tag("all")],
        Annotated[AnyCondition, Tag("any")],
        Annotated[NotCondition, Tag("not")],
        Annotated[NamedCondition, Tag("named")],
    ],
    Discriminator(
        _kind,
        custom_error_type="condition_kind",
        custom_error_message="条件须以 answer、fact、all、any、not 或 named 开头",
    ),
]

for _model in (AllCondition, AnyCondition, NotCondition):
    _model.model_rebuild()

Kind = Literal["answer", "fact", "all", "any", "not", "named"]
Leaf = AnswerCondition | FactCondition | NamedCondition


def walk(condition: Condition | None) -> Iterator[Leaf]:
    """Yield the leaves of a condition tree, for the static checker."""
    if condition is None:
        return
    if isinstance(condition, AnswerCondition | FactCondition | NamedCondition):
        yield condition
    elif isinstance(condition, AllCondition):
        for part in condition.all:
            yield from walk(part)
    elif isinstance(condition, AnyCondition):
        for part in condition.any:
            yield from walk(part)
    else:
        yield from walk(condition.not_)


def holds(
    condition: Condition | None, answers: Mapping[str, AnswerValue], facts: Mapping[str, Any]
) -> bool | None:
    """Evaluate an optional condition; a missing condition always holds."""
    return True if condition is None else condition.evaluate(answers, facts)


def expand(condition: Condition | None, named: Mapping[str, Condition]) -> Condition | None:
    """``condition`` with each ``{named: N}`` replaced by ``named[N]`` (already expanded); the
    very same object where it names nothing."""
    if condition is None:
        return None
    if isinstance(condition, NamedCondition):
        return named.get(condition.named, condition)
    if isinstance(condition, AllCondition):
        parts = tuple(_expanded(c, named) for c in condition.all)
        return condition if _same(parts, condition.all) else AllCondition(all=parts)
    if isinstance(condition, AnyCondition):
        parts = tuple(_expanded(c, named) for c in condition.any)
        return condition if _same(parts, condition.any) else AnyCondition(any=parts)
    if isinstance(condition, NotCondition):
        part = _expanded(condition.not_, named)
        return condition if part is condition.not_ else NotCondition.model_validate({"not": part})
    return condition


def _expanded(condition: Condition, named: Mapping[str, Condition]) -> Condition:
    result = expand(condition, named)
    assert result is not None
    return result


def _same(new: tuple[Condition, ...], old: tuple[Condition, ...]) -> bool:
    """Nothing was expanded: the condition is kept as it is rather than built again."""
    return all(a is b for a, b in zip(new, old, strict=True))
