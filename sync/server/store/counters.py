"""What the platform has done, counted in the same transaction as the work, and what it holds:
the figures of ``/stats``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from sync.server.store.schema import (
    Storage,
    cases,
    catalogs,
    counters,
    evaluations,
    events,
    files,
    terminals,
)

COUNTERS = ("applied", "duplicates", "out_of_order", "rejected", "decisions")


def add_counts(connection: Connection, counts: dict[str, int]) -> None:
    for name, value in counts.items():
        if not value:
            continue
        done = connection.execute(
            update(counters).where(counters.c.name == name).values(value=counters.c.value + value)
        ).rowcount
        if not done:
            connection.execute(insert(counters), {"name": name, "value": value})


def stats(storage: Storage) -> dict[str, Any]:
    with storage.read() as connection:

        def count(table: Table) -> int:
            return connection.scalar(select(func.count()).select_from(table)) or 0

        counted = dict(connection.execute(select(counters.c.name, counters.c.value)).all())
        return {
            "cases": count(cases),
            "cases_by_state": dict(
                connection.execute(
                    select(cases.c.state, func.count()).group_by(cases.c.state)
                ).all()
            ),
            "messages_applied": counted.get("applied", 0),
            "duplicates_refused": counted.get("duplicates", 0),
            "out_of_order_refused": counted.get("out_of_order", 0),
            "messages_rejected": counted.get("rejected", 0),
            "decisions": counted.get("decisions", 0),
            "files": connection.scalar(
                select(func.count()).select_from(files).where(files.c.complete)
            )
            or 0,
            "evaluations": count(evaluations),
            "events": count(events),
            "catalogs": count(catalogs),
            "terminals": count(terminals),
        }
