"""What each kind of message changes in a case of the hall that sent it: ``HANDLERS`` names the
function for each kind (:mod:`sync.server.store.messages` applies them, in order, once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sync import contract
from sync.server.store.cases import (
    CaseHead,
    check_items,
    dispatch,
    end_items,
    set_items,
    set_state,
)
from sync.server.store.errors import Rejected
from sync.server.store.schema import case_files, cases, evaluations, files

_ADD_CASE_FILE = insert(case_files)


@dataclass(frozen=True)
class Change:
    """A message applied to a case the platform has: the open transaction, the case as the
    batch sees it, the message's place in the case, the time, and when the departments decide
    what the message dispatches."""

    connection: Connection
    case: CaseHead
    seq: int
    now: datetime
    due: datetime

    @property
    def hall(self) -> str:
        return str(self.case.hall_code)

    @property
    def receipt_no(self) -> str:
        return str(self.case.receipt_no)

    def set_state(self, state: str) -> None:
        """The case's new state, in the database and for the batch's next message."""
        set_state(self.connection, self.hall, self.receipt_no, state, self.now)
        self.case.state = state


def _on_submission(change: Change, body: contract.Submission) -> None:
    raise Rejected("该办件已经申报过；修改请发送“申报信息更新”。")


def _on_update(change: Change, body: contract.Submission) -> None:
    if change.case.state != "submitted":
        raise Rejected("办件已受理或已办结，不能再修改申报信息。")
    check_items(body.items)
    change.connection.execute(
        update(cases)
        .where(cases.c.hall_code == change.hall, cases.c.receipt_no == change.receipt_no)
        .values(submission=body.model_dump(mode="json"), updated_at=change.now)
    )
    set_items(change.connection, change.hall, change.receipt_no, body.items)


def _on_material(change: Change, body: contract.MaterialFile) -> None:
    stored = change.connection.execute(
        select(files.c.complete).where(
            files.c.hall_code == change.hall, files.c.sha256 == body.sha256
        )
    ).first()
    if stored is None or not stored.complete:  # only the hall's own upload counts
        raise Rejected(f"材料文件 {body.file_name} 尚未完整上传到平台。")
    change.connection.execute(
        _ADD_CASE_FILE,
        {  # the hall's windows may now download it
            "hall_code": change.hall,
            "receipt_no": change.receipt_no,
            "seq": change.seq,
            "sha256": body.sha256,
            "material": body.material,
            "name": body.name,
            "file_name": body.file_name,
            "mime": body.mime,
            "size": body.size,
        },
    )


def _on_acceptance(change: Change, body: contract.Acceptance) -> None:
    if change.case.state != "submitted":
        raise Rejected(f"办件当前状态为 {change.case.state}，不能受理。")
    change.set_state(body.state)
    dispatch(
        change.connection,
        change.hall,
        change.receipt_no,
        [i.item for i in body.items if i.state == "dispatched"],
        change.due,
    )


def _on_not_accepted(change: Change, body: contract.NotAccepted) -> None:
    change.set_state("not_accepted")
    end_items(change.connection, change.hall, change.receipt_no)


def _on_dispatch(change: Change, body: contract.Dispatch) -> None:
    dispatch(change.connection, change.hall, change.receipt_no, body.dispatched, change.due)
    end_items(change.connection, change.hall, change.receipt_no, body.terminated)


def _on_lapse(change: Change, body: contract.Lapse) -> None:
    if change.case.state != "accepted_on_commitment":
        raise Rejected(f"办件当前状态为 {change.case.state}，没有待补交的容缺材料。")
    end_items(change.connection, change.hall, change.receipt_no, body.terminated)
    change.set_state(body.state)


def _on_supplement(change: Change, body: contract.Supplement) -> None:
    if change.case.state == "accepted_on_commitment" and body.fulfilled:
        change.set_state("accepted")


def _on_verification(change: Change, body: contract.Verification) -> None:
    """The check is kept with the case; a false commitment ends the items still open."""
    _keep(change, "verification", body.model_dump(mode="json"))
    end_items(change.connection, change.hall, change.receipt_no, body.terminated)
    if body.state == "completed" and change.case.state in ("accepted", "accepted_on_commitment"):
        change.set_state("completed")


def _keep(change: Change, key: str, value: Any) -> None:
    """A record the province counts, kept with the case's submission."""
    submission = change.connection.execute(
        select(cases.c.submission).where(
            cases.c.hall_code == change.hall, cases.c.receipt_no == change.receipt_no
        )
    ).scalar_one()
    change.connection.execute(
        update(cases)
        .where(cases.c.hall_code == change.hall, cases.c.receipt_no == change.receipt_no)
        .values(submission={**submission, key: value}, updated_at=change.now)
    )


def _on_assistance(change: Change, body: contract.Assistance) -> None:
    """Kept with the case's submission: the province counts 帮办代办 and special groups."""
    _keep(change, "assistance", body.model_dump(mode="json"))


def _on_withdrawal(change: Change, body: contract.Withdrawal) -> None:
    change.set_state("withdrawn")
    end_items(change.connection, change.hall, change.receipt_no)


def _on_delivery(change: Change, body: contract.Delivery) -> None:
    change.set_state("delivered")


def _on_evaluation(change: Change, body: contract.Evaluation) -> None:
    done = change.connection.execute(
        select(evaluations.c.id).where(
            evaluations.c.hall_code == change.hall,
            evaluations.c.receipt_no == change.receipt_no,
            evaluations.c.stage == body.stage,
            evaluations.c.round == body.round,
        )
    ).first()
    if done:
        raise Rejected("该环节已经评价过。")
    change.connection.execute(
        insert(evaluations),
        {
            "hall_code": change.hall,
            "receipt_no": change.receipt_no,
            "stage": body.stage,
            "round": body.round,
            "satisfaction": body.satisfaction.value,
            "channel": body.channel.value,
            "text": body.text,
            "reasons": body.reasons,
            "at": body.at,
        },
    )


Handler = Callable[[Change, Any], None]
# What each kind of message (contract.BODIES) does to a case the platform has; the first message
# of a case, a submission, registers it instead (_register).
HANDLERS: dict[str, Handler] = {
    "submission": _on_submission,
    "update": _on_update,
    "material": _on_material,
    "acceptance": _on_acceptance,
    "not_accepted": _on_not_accepted,
    "dispatch": _on_dispatch,
    "supplement": _on_supplement,
    "lapse": _on_lapse,
    "verification": _on_verification,
    "assistance": _on_assistance,
    "withdrawal": _on_withdrawal,
    "delivery": _on_delivery,
    "evaluation": _on_evaluation,
}
