"""A case and its items as the platform holds them: the changes messages and decisions make,
and the pre-application a window picks up."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, insert, select, update

from sync import contract
from sync.server.store.errors import NotPreApplication, Rejected
from sync.server.store.files import file_path
from sync.server.store.schema import Storage, case_files, cases, files, items

# Statements built once: applying a message runs a handful of them, thousands of times a second.
# A case is its hall's: every statement names the hall (bound as ``hall``) with the receipt.
CASE = select(cases).where(
    cases.c.hall_code == bindparam("hall"), cases.c.receipt_no == bindparam("receipt")
)
# What applying a message needs of its case: not the submission (the largest column by far).
_HEADS = select(cases.c.receipt_no, cases.c.platform_no, cases.c.last_seq, cases.c.state).where(
    cases.c.hall_code == bindparam("hall"), cases.c.receipt_no.in_(bindparam("receipts"))
)
_ADD_ITEMS = insert(items)
_SET_STATE = (
    update(cases)
    .where(cases.c.hall_code == bindparam("hall"), cases.c.receipt_no == bindparam("receipt"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now"))
)
_DROP_ITEMS = items.delete().where(
    items.c.hall_code == bindparam("hall"), items.c.receipt_no == bindparam("receipt")
)
_DISPATCH = (
    update(items)
    .where(
        items.c.hall_code == bindparam("hall"),
        items.c.receipt_no == bindparam("receipt"),
        items.c.item == bindparam("item_id"),
        items.c.state == "waiting",
    )
    .values(state="dispatched", due_at=bindparam("due"))
)
_END_ITEMS = (
    update(items)
    .where(
        items.c.hall_code == bindparam("hall"),
        items.c.receipt_no == bindparam("receipt"),
        items.c.state.in_(("waiting", "dispatched")),
    )
    .values(state="ended")
)

# Why a case of the platform cannot be picked up as a pre-application, by its state there.
PICKED_UP = "该预申请已经在窗口受理过，不能再次调取；请按受理编号查询办件进度。"
NOT_PENDING = {
    "accepted": PICKED_UP,
    "accepted_on_commitment": PICKED_UP,
    "completed": PICKED_UP,
    "delivered": PICKED_UP,
    "not_accepted": "该预申请已经在窗口作出不予受理决定，不能再调取；如需办理，请申请人重新申请。",
    "withdrawn": "该预申请已经撤回，不能再调取；如需办理，请申请人重新申请。",
}


@dataclass
class CaseHead:
    """A case as a batch of messages sees it: read once for the batch, then kept as the batch
    changes it (its sequence, its state), so the next message of the case sees the change."""

    hall_code: str
    receipt_no: str
    platform_no: str
    last_seq: int
    state: str


def case_heads(
    connection: Connection, hall_code: str, receipt_nos: Collection[str]
) -> dict[str, CaseHead]:
    """The hall's cases among ``receipt_nos``, in one statement."""
    if not receipt_nos:
        return {}
    rows = connection.execute(_HEADS, {"hall": hall_code, "receipts": list(receipt_nos)})
    return {r.receipt_no: CaseHead(hall_code, *r) for r in rows}


def check_items(given: Sequence[contract.Item]) -> None:
    """Before anything is written: each sub-case once (the items table is keyed by it)."""
    seen: set[str] = set()
    for item in given:
        if item.item in seen:
            raise Rejected(f"子办件 {item.item} 在申报信息中重复出现。")
        seen.add(item.item)


def set_items(
    connection: Connection,
    hall_code: str,
    receipt_no: str,
    given: Sequence[contract.Item],
    *,
    new_case: bool = False,
) -> None:
    """The case's items are ``given`` (a case just registered has none to drop)."""
    if not new_case:
        connection.execute(_DROP_ITEMS, {"hall": hall_code, "receipt": receipt_no})
    connection.execute(
        _ADD_ITEMS,
        [
            {
                "hall_code": hall_code,
                "receipt_no": receipt_no,
                "item": i.item,
                "code": i.code,
                "name": i.name,
                "result_name": i.result or i.name,
                "needs": list(i.needs),
                "state": "waiting",
                "due_at": None,
                "decided_at": None,
                "result_no": "",
            }
            for i in given
        ],
    )


def set_state(
    connection: Connection, hall_code: str, receipt_no: str, state: str, now: datetime
) -> None:
    connection.execute(
        _SET_STATE, {"hall": hall_code, "receipt": receipt_no, "new_state": state, "now": now}
    )


def dispatch(
    connection: Connection,
    hall_code: str,
    receipt_no: str,
    item_ids: Sequence[str],
    due: datetime,
) -> None:
    """Send waiting items to their departments, which decide them at ``due``."""
    if item_ids:
        connection.execute(
            _DISPATCH,
            [
                {"hall": hall_code, "receipt": receipt_no, "item_id": i, "due": due}
                for i in item_ids
            ],
        )


def end_items(
    connection: Connection, hall_code: str, receipt_no: str, item_ids: Sequence[str] | None = None
) -> None:
    """End the case's open items — all of them, or only ``item_ids``."""
    if item_ids is None:
        connection.execute(_END_ITEMS, {"hall": hall_code, "receipt": receipt_no})
    elif item_ids:
        connection.execute(
            _END_ITEMS.where(items.c.item.in_(bindparam("item_ids", expanding=True))),
            {"hall": hall_code, "receipt": receipt_no, "item_ids": list(item_ids)},
        )


def pre_application(storage: Storage, hall_code: str, receipt_no: str) -> contract.PreApplication:
    """The pre-application ``receipt_no`` for a terminal of ``hall_code``, with the scans that
    have arrived and those announced but not arrived yet. :class:`LookupError` when there is
    none in that hall (another hall's case is looked for nowhere else), :class:`NotPreApplication`
    when the case has gone past it."""
    with storage.read() as connection:
        case = connection.execute(CASE, {"hall": hall_code, "receipt": receipt_no}).first()
        if case is None:
            raise LookupError(receipt_no)
        attached = connection.execute(
            select(case_files, files.c.complete)
            .outerjoin(
                files,
                and_(
                    files.c.hall_code == case_files.c.hall_code,
                    files.c.sha256 == case_files.c.sha256,
                ),
            )
            .where(case_files.c.hall_code == hall_code, case_files.c.receipt_no == receipt_no)
            .order_by(case_files.c.seq)
        ).all()
    if case.state in NOT_PENDING:
        raise NotPreApplication(NOT_PENDING[case.state])
    submission = contract.Submission.model_validate(case.submission)
    if submission.channel == "counter":
        raise NotPreApplication(
            f"办件 {receipt_no} 是在窗口办理的办件，不是预申请；请在办理它的窗口继续。"
        )
    arrived: list[contract.Attachment] = []
    missing: list[contract.Attachment] = []
    for row in attached:
        attachment = contract.Attachment(
            material=row.material,
            name=row.name,
            sha256=row.sha256,
            file_name=row.file_name,
            mime=row.mime,
            size=row.size,
            seq=row.seq,
        )
        whole = row.complete and file_path(storage, row.sha256).is_file()
        (arrived if whole else missing).append(attachment)
    seen = {row.seq for row in attached}
    # Announced and still to come; one the sequence went past was cancelled or refused.
    missing += [a for a in submission.attachments if a.seq not in seen and a.seq > case.last_seq]
    return contract.PreApplication(
        receipt_no=receipt_no,
        platform_no=case.platform_no,
        last_seq=case.last_seq,
        submission=submission,
        files=arrived,
        missing=sorted(missing, key=lambda a: a.seq),
        complete=not missing,
    )
