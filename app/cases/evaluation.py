"""好差评: the reasons offered with each level, what a rating must hold, and a rating recorded.

The options depend on the level chosen and are published centrally with a version, never edited
at the hall (国办发〔2019〕51号), so they are data shipped with the package
(``evaluation_reasons.yaml``) and each rating stores the version it was given under.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy.orm import Session

from app.cases import checks
from app.cases.audit import Actor, append
from app.cases.outbox import enqueue
from app.cases.repository import CaseRepository
from app.cases.snapshots import LEVEL_LABELS, CaseView
from app.cases.states import allowed
from app.db.models import CaseRow, EvaluationRow
from app.errors import CatalogError, InvalidInput, InvalidTransition

# Run in the rating's transaction with the stored rating (a 差评 opens its work item:
# app.cases.complaints).
AfterEvaluate = Callable[[Session, Actor, CaseRow, EvaluationRow], None]

REASONS_FILE = "evaluation_reasons.yaml"
MAX_TEXT = 500
MIN_REASONS, MAX_REASONS = 4, 6
POOR_LEVELS = frozenset({1, 2})  # 差评: the rater must say why


@dataclass(frozen=True)
class ReasonSet:
    version: str
    levels: Mapping[int, tuple[str, ...]]


def parse_reasons(data: Any, source: str = REASONS_FILE) -> ReasonSet:
    """A published option set, checked: a version, and 4–6 distinct reasons for every level."""
    if not isinstance(data, dict) or not str(data.get("version") or "").strip():
        raise CatalogError(f"评价选项 {source} 缺少版本号。")
    levels = data.get("levels")
    if not isinstance(levels, dict) or set(levels) != set(LEVEL_LABELS):
        raise CatalogError(f"评价选项 {source} 应为 1 到 5 每个等级各列出原因。")
    parsed: dict[int, tuple[str, ...]] = {}
    for level, reasons in levels.items():
        if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
            raise CatalogError(f"评价选项 {source} 中“{LEVEL_LABELS[level]}”的原因应为文字列表。")
        cleaned = tuple(r.strip() for r in reasons if r.strip())
        if not MIN_REASONS <= len(set(cleaned)) == len(cleaned) <= MAX_REASONS:
            raise CatalogError(
                f"评价选项 {source} 中“{LEVEL_LABELS[level]}”应有 {MIN_REASONS}–{MAX_REASONS} "
                "条互不相同的原因。"
            )
        parsed[level] = cleaned
    return ReasonSet(str(data["version"]).strip(), parsed)


@cache
def builtin_reasons() -> ReasonSet:
    text = (files("app.cases") / REASONS_FILE).read_text(encoding="utf-8")
    return parse_reasons(yaml.safe_load(text))


REASONS_VERSION = builtin_reasons().version


def reasons_for(level: int) -> tuple[str, ...]:
    """The reasons offered with ``level``, in the order to show them."""
    reasons = builtin_reasons().levels.get(level)
    if reasons is None:
        raise InvalidInput(f"评价等级 {level} 不对，应为 1（非常不满意）到 5（非常满意）。")
    return reasons


def rating_problems(level: int, reasons: Sequence[str], text: str) -> list[InvalidInput]:
    """Everything wrong with a rating, each saying what to do (empty: it can be given)."""
    offered = reasons_for(level)
    label = LEVEL_LABELS[level]
    problems = [
        InvalidInput(
            f"“{reason.strip()}”不是“{label}”可选的原因。",
            hint="请从屏幕列出的原因中选择，其他情况请写在文字评价里。",
        )
        for reason in reasons
        if reason.strip() not in offered
    ]
    if level in POOR_LEVELS and not text.strip():
        problems.append(
            InvalidInput(
                "请写明不满意的具体原因，我们会核实并整改。",
                hint=f"选择“{label}”时需要用文字说明遇到的问题，再提交评价。",
            )
        )
    if len(text.strip()) > MAX_TEXT:
        problems.append(
            InvalidInput(
                f"文字评价最多 {MAX_TEXT} 字，现在有 {len(text.strip())} 字。",
                hint="请删减后再提交。",
            )
        )
    return problems


def check_rating(level: int, reasons: Sequence[str], text: str) -> None:
    """The reasons must be ones offered with this level; a 差评 needs the reason in words."""
    problems = rating_problems(level, reasons, text)
    if problems:
        raise problems[0]


STAGE_WORDS = {"accept": "受理", "complete": "办结"}


@dataclass(frozen=True)
class EvaluationTurn:
    """The evaluation a case may get now: its stage, and whether it follows up the first one."""

    receipt_no: str
    scenario_name: str
    stage: str  # accept | complete
    follow_up: bool

    @property
    def label(self) -> str:
        return f"{STAGE_WORDS[self.stage]}环节{'追评' if self.follow_up else '评价'}"


def evaluation_stage(state: str) -> str | None:
    """The stage an applicant evaluates now: completion once there is a result, else acceptance."""
    if allowed("evaluate_complete", state):
        return "complete"
    if allowed("evaluate_accept", state):
        return "accept"
    return None


def next_turn(case: CaseView) -> EvaluationTurn | None:
    """One first evaluation and one follow-up per stage (国办发〔2019〕51号): the stage the state
    allows, first if not yet given, then the follow-up; None when both are given (or the state
    allows none) — at the window and at the kiosk alike."""
    stage = evaluation_stage(case.state)
    if stage is None:
        return None
    given = {e.round for e in case.evaluations if e.stage == stage}
    for round_, follow_up in (("first", False), ("follow_up", True)):
        if round_ not in given:
            return EvaluationTurn(case.receipt_no, case.scenario_name, stage, follow_up)
    return None


class Evaluations:
    def __init__(
        self,
        repository: CaseRepository,
        *,
        clock: Callable[[], datetime],
        after_evaluate: AfterEvaluate | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.after_evaluate = after_evaluate

    def evaluate(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        stage: str,
        level: int,
        channel: str,
        text: str = "",
        follow_up: bool = False,
        reasons: Sequence[str] = (),
    ) -> CaseView:
        """好差评 for the acceptance or the completion stage: one first rating, one follow-up.
        ``reasons`` are chosen from the options of the level (:func:`reasons_for`); a
        差评 needs ``text``."""
        if stage not in ("accept", "complete"):
            raise InvalidInput("评价环节应为受理或办结。")
        checks.check_level(level, channel)
        check_rating(level, reasons, text)
        chosen = list(dict.fromkeys(r.strip() for r in reasons))
        now = self.clock()
        round_ = "follow_up" if follow_up else "first"
        with self.repository.change(receipt_no, f"evaluate_{stage}") as (session, case):
            done = {(e.stage, e.round) for e in case.evaluations}
            stage_name = "受理" if stage == "accept" else "办结"
            if (stage, round_) in done:
                raise InvalidTransition(
                    f"办件 {receipt_no} 的{stage_name}环节已经"
                    f"{'追评' if follow_up else '评价'}过了。",
                    hint="每个环节只能评价一次、追评一次。",
                )
            if follow_up and (stage, "first") not in done:
                raise InvalidTransition(f"{stage_name}环节还没有首次评价，不能追评。")
            row = EvaluationRow(
                stage=stage,
                round=round_,
                level=level,
                channel=channel,
                text=text.strip(),
                reasons=chosen,
                reasons_version=REASONS_VERSION,
                created_at=now,
            )
            case.evaluations.append(row)
            append(
                session,
                actor,
                "evaluate",
                case_id=case.id,
                receipt_no=receipt_no,
                after={
                    "stage": stage,
                    "round": round_,
                    "level": level,
                    "channel": channel,
                    "text": row.text,
                    "reasons": chosen,
                    "reasons_version": REASONS_VERSION,
                },
                at=now,
            )
            if self.after_evaluate is not None:
                self.after_evaluate(session, actor, case, row)
            enqueue(
                session,
                case,
                "evaluation",
                {
                    "receipt_no": receipt_no,
                    "stage": stage,
                    "round": round_,
                    "level": level,
                    "channel": channel,
                    "text": row.text,
                    "reasons": chosen,
                    "at": now.isoformat(),
                },
                at=now,
            )
            return CaseView.of(case)
