"""What the platform sends back: the departments' decisions on dispatched items, a case's
completion when all are decided, and the feed a hall reads from the last event it has seen.

A hall's events are numbered in its own sequence, so the ids it reads (and the gaps between
them) say nothing of other halls' traffic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from app.db.base import utcnow
from sync import contract
from sync.server.store.cases import dispatch, set_state
from sync.server.store.counters import add_counts
from sync.server.store.schema import Storage, cases, events, items

_ADD_EVENT = insert(events).values(
    id=select(func.coalesce(func.max(events.c.id), 0) + 1)
    .where(events.c.hall_code == bindparam("of_hall"))
    .scalar_subquery()
)


def add_event(
    connection: Connection,
    hall_code: str,
    receipt_no: str,
    kind: str,
    data: dict[str, Any],
    *,
    at: datetime,
) -> None:
    connection.execute(
        _ADD_EVENT,
        {
            "hall_code": hall_code,
            "of_hall": hall_code,
            "receipt_no": receipt_no,
            "kind": kind,
            "at": at,
            "data": data,
        },
    )


_LAST_ID = select(func.coalesce(func.max(events.c.id), 0)).where(
    events.c.hall_code == bindparam("hall")
)
_ADD_NUMBERED = insert(events)


def add_events(
    connection: Connection,
    hall_code: str,
    happened: Sequence[tuple[str, str, dict[str, Any]]],
    *,
    at: datetime,
) -> None:
    """Several events of the hall (receipt number, kind, data), numbered in order after its
    last: two statements however many there are."""
    if not happened:
        return
    last = connection.scalar(_LAST_ID, {"hall": hall_code}) or 0
    connection.execute(
        _ADD_NUMBERED,
        [
            {
                "hall_code": hall_code,
                "id": last + n,
                "receipt_no": receipt_no,
                "kind": kind,
                "at": at,
                "data": data,
            }
            for n, (receipt_no, kind, data) in enumerate(happened, start=1)
        ],
    )


def events_after(storage: Storage, hall_code: str, after: int, limit: int) -> contract.EventPage:
    with storage.read() as connection:
        rows = connection.execute(
            select(events)
            .where(events.c.hall_code == hall_code, events.c.id > after)
            .order_by(events.c.id)
            .limit(limit)
        ).all()
    page = [
        contract.Event(id=r.id, receipt_no=r.receipt_no, kind=r.kind, at=r.at, data=r.data)
        for r in rows
    ]
    return contract.EventPage(events=page, last_id=page[-1].id if page else after)


_ANY_DUE = (
    select(items.c.item)
    .where(items.c.state == "dispatched", items.c.due_at <= bindparam("now"))
    .limit(1)
)


def decide_due(
    storage: Storage, now: datetime | None, *, limit: int, decide_after: timedelta
) -> int:
    """Departments decide the items whose time has come (approved, with a result number);
    an item that needs results is dispatched when they are all in. Returns how many.

    Asked several times a second, and most often nothing is due: that is found by a read, so
    the departments neither wait for the writers nor commit nothing."""
    now = now or utcnow()
    with storage.read() as connection:
        if connection.execute(_ANY_DUE, {"now": now}).first() is None:
            return 0
    with storage.tx() as connection:
        due = connection.execute(
            select(items, cases.c.platform_no)
            .join(
                cases,
                and_(
                    cases.c.hall_code == items.c.hall_code,
                    cases.c.receipt_no == items.c.receipt_no,
                ),
            )
            .where(items.c.state == "dispatched", items.c.due_at <= now)
            .order_by(items.c.due_at)
            .limit(limit)
        ).all()
        for item in due:
            result_no = f"{item.code[-12:] or 'R'}-{item.platform_no[-8:]}-{item.item[:12]}"
            connection.execute(
                update(items)
                .where(
                    items.c.hall_code == item.hall_code,
                    items.c.receipt_no == item.receipt_no,
                    items.c.item == item.item,
                )
                .values(state="approved", decided_at=now, result_no=result_no)
            )
            add_event(
                connection,
                item.hall_code,
                item.receipt_no,
                "item_decision",
                {
                    "item": item.item,
                    "approved": True,
                    "opinion": "准予办理",
                    "result_name": item.result_name,
                    "result_no": result_no,
                    "decided_at": now.isoformat(),
                },
                at=now,
            )
            _after_decision(connection, item.hall_code, item.receipt_no, now, now + decide_after)
        add_counts(connection, {"decisions": len(due)})
    return len(due)


def _after_decision(
    connection: Connection, hall_code: str, receipt_no: str, now: datetime, due: datetime
) -> None:
    rows = connection.execute(
        select(items).where(items.c.hall_code == hall_code, items.c.receipt_no == receipt_no)
    ).all()
    approved = {r.item for r in rows if r.state == "approved"}
    chosen = {r.item for r in rows}
    ready = [
        r.item
        for r in rows
        if r.state == "waiting" and all(n in approved or n not in chosen for n in r.needs)
    ]
    dispatch(connection, hall_code, receipt_no, ready, due)
    if all(r.state in ("approved", "refused", "ended") for r in rows) and not ready:
        set_state(connection, hall_code, receipt_no, "completed", now)
        add_event(
            connection,
            hall_code,
            receipt_no,
            "completed",
            {
                "results": [
                    {"item": r.item, "result_name": r.result_name, "result_no": r.result_no}
                    for r in rows
                    if r.state == "approved"
                ],
            },
            at=now,
        )
