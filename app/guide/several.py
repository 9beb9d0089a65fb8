"""Several of a kind in one case (issue 24, capability 4): a company's employees, branches, a
family's children. A counting question (``kind: count``) asks how many; materials written
``per:`` it are needed once for each (copies multiply), and fields written ``per:`` it repeat,
numbered, so that each is filled in and checked for itself.

Until the question is answered, one is assumed (the plan is incomplete anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.catalog.conditions import AnswerValue
from app.catalog.models import Scenario

INSTANCE_MARK = "#"  # a repeated field's key: "employee.name#2"


@dataclass(frozen=True)
class Count:
    """How many of a kind this case is for: "录用职工 3 名"."""

    question: str
    entity: str
    unit: str
    n: int

    @property
    def words(self) -> str:
        return f"{self.entity} {self.n} {self.unit}"

    def ordinal(self, i: int) -> str:
        """Which one: "第 2 名"."""
        return f"第 {i} {self.unit}"


def counts(scenario: Scenario, answers: Mapping[str, AnswerValue]) -> dict[str, Count]:
    """Every counting question of the scenario, with its answer's number (1 when unanswered)."""
    result = {}
    for question in scenario.questions:
        if question.counts is None:
            continue
        n = question.count_of(answers.get(question.id)) or 1
        spec = question.counts
        result[question.id] = Count(question.id, spec.entity, spec.unit, n)
    return result


def instance_key(key: str, i: int) -> str:
    return f"{key}{INSTANCE_MARK}{i}"
