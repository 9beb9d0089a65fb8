"""好差评 at the kiosk, without Qt: the evaluation of the service.

:class:`Evaluating` takes an evaluation for the stage the case is in, first or the one follow-up
(the rule is :func:`app.cases.evaluation.next_turn`, the same as at the window), from a receipt's
QR code (signed, so nobody evaluates a case by guessing its number). Levels are offered in a
neutral order with none chosen; the person stays confidential — the kiosk evaluates as itself,
and nothing of the person is shown. ``wipe()`` forgets everything at the end of a session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.cases.audit import Actor
from app.cases.evaluation import (
    STAGE_WORDS,
    EvaluationTurn,
    evaluation_stage,
    next_turn,
    rating_problems,
    reasons_for,
)
from app.cases.in_hand import QrCheck
from app.cases.service import CaseService
from app.cases.snapshots import LEVEL_LABELS, CaseView
from app.cases.states import allowed
from app.errors import CaseNotFound, InvalidInput, InvalidTransition
from kiosk.progress import receipt_from_qr

CHANNEL = "kiosk"
LEVELS: tuple[tuple[int, str], ...] = tuple(sorted(LEVEL_LABELS.items(), reverse=True))


@dataclass(frozen=True)
class Evaluated:
    stage: str
    follow_up: bool
    level: int
    level_label: str
    reasons: tuple[str, ...]
    message: str


def turn_of(case: CaseView) -> EvaluationTurn:
    """The case's next evaluation (:func:`app.cases.evaluation.next_turn`), or the reason, in the
    citizen's words, why there is none."""
    turn = next_turn(case)
    if turn is not None:
        return turn
    stage = evaluation_stage(case.state)
    if stage is None:
        raise InvalidTransition(
            "这个办件还没有受理，暂时不能评价。",
            hint="窗口受理后可以评价受理环节，办结后可以评价办结环节。",
        )
    later = (
        "办结后还可以评价办结环节。"
        if stage == "accept" and allowed("item_decision", case.state)
        else ""
    )
    raise InvalidTransition(
        f"这个办件的{STAGE_WORDS[stage]}环节已经评价并追评过了，感谢您的参与。",
        hint=later or "每个环节只能评价一次、追评一次。",
    )


@dataclass
class Evaluating:
    """好差评 at the kiosk: scan the receipt, choose a level (none is preselected), the reasons
    offered with it, write why for a 差评, submit."""

    cases: CaseService
    actor: Actor  # the kiosk: the rater is never recorded by name here
    check_qr: QrCheck
    turn: EvaluationTurn | None = None

    @staticmethod
    def levels() -> tuple[tuple[int, str], ...]:
        """(level, label) from 非常满意 to 非常不满意, in that order."""
        return LEVELS

    def scan(self, text: str) -> EvaluationTurn:
        self.turn = None
        receipt_no = receipt_from_qr(self.check_qr, text)
        try:
            case = self.cases.get(receipt_no)
        except CaseNotFound:
            raise CaseNotFound(
                f"本机没有查到凭条上的办件 {receipt_no}。", hint="请到综合窗口评价。"
            ) from None
        self.turn = turn_of(case)
        return self.turn

    @staticmethod
    def reasons(level: int) -> tuple[str, ...]:
        return reasons_for(level)

    @staticmethod
    def problems(level: int | None, reasons: Sequence[str] = (), text: str = "") -> list[str]:
        """What the citizen still has to do before submitting (empty: nothing)."""
        if level is None or level not in LEVEL_LABELS:
            return ["请先点选一个评价等级。"]
        return [str(p) for p in rating_problems(level, reasons, text)]

    def submit(self, level: int | None, reasons: Sequence[str] = (), text: str = "") -> Evaluated:
        turn = self.turn
        if turn is None:
            raise InvalidInput("请先扫描凭条上的二维码。", hint="请把凭条上的二维码对准扫码窗口。")
        if level is None or level not in LEVEL_LABELS:
            raise InvalidInput("请先点选一个评价等级。")
        case = self.cases.evaluate(
            self.actor,
            turn.receipt_no,
            stage=turn.stage,
            level=level,
            channel=CHANNEL,
            text=text,
            follow_up=turn.follow_up,
            reasons=reasons,
        )
        self.turn = None
        round_ = "follow_up" if turn.follow_up else "first"
        rating = next(e for e in case.evaluations if (e.stage, e.round) == (turn.stage, round_))
        message = "感谢您的评价！"
        if level <= 2:
            message += "工作人员会尽快核实您反映的问题并整改，处理结果会告知您。"
        return Evaluated(
            turn.stage, turn.follow_up, level, rating.level_label, rating.reasons, message
        )

    def wipe(self) -> None:
        self.turn = None
