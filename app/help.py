"""Help requests from the kiosks (请工作人员协助): the kiosk's name and the screen the citizen is on
reach every counter of the hall through the shared database — never who the citizen is.

One request waits per terminal: pressing the button again updates the step but keeps the time
first asked, so staff are paged once and the wait they see is the citizen's whole wait. A clerk
answers it (前往协助); a second clerk is told who went. The kiosk withdraws it when the citizen
leaves, so nobody walks to an empty kiosk.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, select

from app.cases.audit import Actor
from app.cases.receipts import HALL_TZ
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import HelpRequestRow
from app.errors import InvalidInput, OneStopError

log = logging.getLogger(__name__)

KIOSK_MAX = 40
STEP_MAX = 40
TERMINAL_MAX = 60
_NUMBER = re.compile(r"\d{6,}[\dXx]*")  # an ID card or phone number has no place in a step


class HelpError(OneStopError):
    """A help request that is gone or that another clerk has already answered."""


@dataclass(frozen=True)
class HelpRequest:
    id: int
    kiosk: str
    terminal: str
    step: str
    asked_at: datetime
    answered_at: datetime | None
    answered_by: str | None

    @property
    def where(self) -> str:
        """The kiosk and its screen, as staff read it: 一楼自助机（填写申请表）."""
        return f"{self.kiosk}（{self.step}）" if self.step else self.kiosk

    def waited_s(self, now: datetime) -> float:
        """Seconds from the ask to the answer, or to ``now`` while it waits; never below zero,
        as the kiosk's clock may run a little ahead of the counter's."""
        end = self.answered_at or now
        return max(0.0, (end - self.asked_at).total_seconds())


def _view(row: HelpRequestRow) -> HelpRequest:
    return HelpRequest(
        row.id, row.kiosk, row.terminal, row.step, row.asked_at, row.answered_at, row.answered_by
    )


def _step(step: str) -> str:
    """The step as given, short, with any long number masked (and logged: a kiosk bug)."""
    cleaned, masked = _NUMBER.subn("＊", " ".join(step.split()))
    if masked:
        log.warning("a help request's step held a number; masked")
    return cleaned[:STEP_MAX]


def _waiting_at(terminal: str) -> ColumnElement[bool]:
    return and_(HelpRequestRow.terminal == terminal, HelpRequestRow.answered_at.is_(None))


class HelpDesk:
    def __init__(
        self, db: Database, *, hall_code: str, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.hall_code = hall_code
        self.clock = clock

    def ask(self, kiosk: str, terminal: str, step: str) -> HelpRequest:
        """Page the hall's staff from ``terminal``; the request already waiting there, with the
        new step, if the citizen pressed before."""
        kiosk, terminal, step = kiosk.strip()[:KIOSK_MAX], terminal.strip(), _step(step)
        if not kiosk:
            raise InvalidInput(
                "这台自助终端没有名称，工作人员无法知道去哪里协助。",
                hint="请信息管理员在设置文件的 [kiosk] 中填写 name，如“一楼自助机”。",
            )
        if not terminal or len(terminal) > TERMINAL_MAX:
            raise InvalidInput(
                f"终端编号“{terminal}”不对，求助没有发出。",
                hint="请信息管理员检查设置文件 [terminal] 中的 name。",
            )
        with self.db.transaction() as session:
            row = session.scalar(select(HelpRequestRow).where(_waiting_at(terminal)))
            if row is None:
                row = HelpRequestRow(
                    hall_code=self.hall_code,
                    kiosk=kiosk,
                    terminal=terminal,
                    step=step,
                    asked_at=self.clock(),
                )
                session.add(row)
                session.flush()
                log.info("help asked at %s (%s)", terminal, step)
            else:
                row.kiosk, row.step = kiosk, step
            return _view(row)

    def waiting(self) -> list[HelpRequest]:
        """The hall's unanswered requests, the longest waiting first."""
        with self.db.read() as session:
            rows = session.scalars(
                select(HelpRequestRow)
                .where(
                    HelpRequestRow.hall_code == self.hall_code, HelpRequestRow.answered_at.is_(None)
                )
                .order_by(HelpRequestRow.asked_at, HelpRequestRow.id)
            )
            return [_view(row) for row in rows]

    def answer(self, request_id: int, actor: Actor) -> HelpRequest:
        """``actor`` goes to help. Refused, saying who, when another clerk already went; the
        same clerk answering again (a double click) gets the request back."""
        with self.db.transaction() as session:
            row = session.get(HelpRequestRow, request_id, with_for_update=True)
            if row is None or row.hall_code != self.hall_code:
                raise HelpError(
                    "没有这条求助：市民可能已经离开，自助终端已撤回。",
                    hint="无需前往；状态栏只显示仍在等待的求助。",
                )
            if row.answered_at is not None:
                if row.answered_by == actor.name:
                    return _view(row)
                at = row.answered_at.astimezone(HALL_TZ).strftime("%H:%M")
                raise HelpError(
                    f"{_view(row).where}的求助已由 {row.answered_by} 在 {at} 接下。",
                    hint="无需再前往；如需帮忙，请直接与该同事联系。",
                )
            row.answered_at, row.answered_by = self.clock(), actor.name
            log.info("help at %s answered from %s", row.terminal, actor.terminal)
            return _view(row)

    def withdraw(self, terminal: str) -> bool:
        """The citizen at ``terminal`` left (the session was wiped) or no longer needs help:
        the waiting request goes away. False when none was waiting."""
        with self.db.transaction() as session:
            gone = session.scalars(
                delete(HelpRequestRow)
                .where(_waiting_at(terminal.strip()))
                .returning(HelpRequestRow.id)
            ).all()
            return bool(gone)
