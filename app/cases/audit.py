"""The audit trail: append-only entries, each hash covering the entry and the one before, so an
edited, removed or inserted row is found (:mod:`app.cases.audit_verify`, ``onestop audit verify``).

One chain per terminal: an entry goes to the chain of its actor's terminal (``chain`` =
``terminal``, which its hash covers), with a head row per chain (``audit_head``, keyed by the
terminal), so the terminals of a hall sharing one database never wait for each other's entries —
only for their own. Each chain is keyed, anchored and verified on its own; the chain a database
had before (migration 0016) stays whole as the chain ``""`` (:data:`OLD_CHAIN`).

The chain is keyed: from its switch point (an entry with action ``chain_keyed`` naming the key)
on, each hash is an HMAC-SM3 under the hall's audit key, which lives in the hall's key file and
never in the database — someone who can write the database but lacks the key cannot recompute
the hashes after a change. Entries written before the switch keep their SHA-256 hashes. A
rotated key starts with another ``chain_keyed`` entry. What the key cannot show — the last
entries deleted and the head moved back, or the whole chain rewritten by someone who has the
key — the anchors show: the head as the platform acknowledged it (:mod:`app.cases.anchors`),
which the verification checks the chain against.

Format 2 (from a ``chain_keyed`` entry whose after says ``"format": 2`` on; every keyed chain
switches to it at its next entry) lets a case's personal data leave the trail when the hall's
retention period ends (:mod:`app.cases.retention`) without breaking it: an entry's hash covers,
instead of its before and after values, their keyed digests (HMAC-SM3 under the key in force),
so a value can be replaced by a ``{"purged": "<its digest>"}`` marker and the chain still
verifies — while a marker with another digest does not. Entries of format 1 keep their values.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db.base import json_dumps, table, utcnow
from app.db.engine import AUDIT_KEYS
from app.db.models import AuditEntry, AuditHead
from app.errors import KeysError
from app.security.keys import AuditKeys

log = logging.getLogger(__name__)
GENESIS = "0" * 64
KEYED = "chain_keyed"  # the switch point: from this entry on, hashes are HMAC-SM3 under its key
SYSTEM = "onestop"  # the actor of entries the program writes by itself
FORMAT = 2  # the format appends write in: before and after hashed as keyed digests
PURGED = "purged"  # the key of a purged value's marker
_HEX = frozenset("0123456789abcdef")


def not_keyed() -> KeysError:
    return KeysError(
        "审计记录已经用大厅审计密钥保护，这个程序没有拿到审计密钥，这次操作没有保存。",
        hint="请通过 onestop 的正常方式启动（它会读取大厅密钥文件），或联系大厅信息管理员。",
    )


@dataclass(frozen=True)
class Actor:
    """Who did it, from which terminal: a clerk, a kiosk session, a sender, the platform. An
    operator's ``role`` (app.roles) decides what the services let them do; others have none."""

    name: str
    terminal: str
    role: str = ""


def value_digest(key: bytes, value: Any) -> str:
    """The keyed digest a format-2 entry's hash covers in place of ``value``: HMAC-SM3 over its
    canonical JSON; a purge marker stands for its digest."""
    if is_purged(value):
        return str(value[PURGED])
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(json_dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return mac.finalize().hex()


def is_purged(value: Any) -> bool:
    """Whether ``value`` is a purge marker: ``{"purged": <64 hex digits>}`` and nothing else."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    digest = value.get(PURGED)
    return isinstance(digest, str) and len(digest) == 64 and set(digest) <= _HEX


def purged(key: bytes, value: Any) -> Any:
    """``value`` as a purged format-2 entry keeps it: its marker (None stays None)."""
    if value is None or is_purged(value):
        return value
    return {PURGED: value_digest(key, value)}


def entry_hash(
    prev_hash: str,
    *,
    at: datetime,
    actor: str,
    terminal: str,
    case_id: int | None,
    receipt_no: str,
    action: str,
    before: Any,
    after: Any,
    key: bytes | None = None,
    format: int = 1,
) -> str:
    """SHA-256 of the entry without ``key`` (before the switch point), HMAC-SM3 with it; in
    ``format`` 2 (keyed only) over the digests of ``before`` and ``after``."""
    if key is not None and format >= FORMAT:
        before = None if before is None else value_digest(key, before)
        after = None if after is None else value_digest(key, after)
    body = json_dumps(
        [
            prev_hash,
            at.isoformat(timespec="microseconds"),
            actor,
            terminal,
            case_id,
            receipt_no,
            action,
            before,
            after,
        ],
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(body)
    return mac.finalize().hex()


_AUDIT = table(AuditEntry)
_HEAD = table(AuditHead)
_INSERT = insert(_AUDIT).returning(_AUDIT.c.id)
_READ_HEAD = select(
    _HEAD.c.last_id, _HEAD.c.last_hash, _HEAD.c.key_id, _HEAD.c.chain_id, _HEAD.c.format
).where(_HEAD.c.terminal == bindparam("chain"))
_READ_HEAD_LOCKED = _READ_HEAD.with_for_update()
_WRITE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.terminal == bindparam("chain"))
    .values(
        last_id=bindparam("entry_id"),
        last_hash=bindparam("entry_hash"),
        key_id=bindparam("key"),
        chain_id=bindparam("chain_id_"),
        format=bindparam("format_"),
    )
)
OLD_CHAIN = ""  # the hall's one chain from before chains per terminal (migration 0016)


class Head(NamedTuple):
    last_id: int
    last_hash: str
    key_id: str  # "" while the chain is unkeyed
    chain_id: str  # given at the first switch point; "" before
    format: int = 1  # how entries from the last switch point on are hashed
    terminal: str = OLD_CHAIN  # whose chain it is


def audit_keys(target: Session | Connection) -> AuditKeys | None:
    """The hall's audit keys the database was opened with (:class:`app.db.engine.Database`)."""
    connection = target.connection() if isinstance(target, Session) else target
    keys: AuditKeys | None = connection.get_execution_options().get(AUDIT_KEYS)
    return keys


def read_head(connection: Connection, terminal: str, *, lock: bool = False) -> Head:
    """The head of ``terminal``'s chain (``lock``: held to the end of the transaction, on
    PostgreSQL; SQLite's writer already holds the database). A terminal's first entry finds
    none and starts its chain: the row is added, and a second terminal of the same name adding
    it at the same moment changes nothing."""
    locked = lock and connection.dialect.name == "postgresql"
    statement = _READ_HEAD_LOCKED if locked else _READ_HEAD
    row = connection.execute(statement, {"chain": terminal}).first()
    if row is None:
        dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(
            dialect(_HEAD)
            .values(
                terminal=terminal, last_id=0, last_hash=GENESIS, key_id="", chain_id="", format=1
            )
            .on_conflict_do_nothing(index_elements=[_HEAD.c.terminal])
        )
        row = connection.execute(statement, {"chain": terminal}).first()
        if row is None:
            return Head(0, GENESIS, "", "", 1, terminal)
    return Head(row.last_id, row.last_hash, row.key_id, row.chain_id, row.format, terminal)


def heads(connection: Connection) -> list[Head]:
    """Every chain's head, by terminal ("" first: the hall's chain from before)."""
    rows = connection.execute(
        select(
            _HEAD.c.last_id,
            _HEAD.c.last_hash,
            _HEAD.c.key_id,
            _HEAD.c.chain_id,
            _HEAD.c.format,
            _HEAD.c.terminal,
        ).order_by(_HEAD.c.terminal)
    ).all()
    return [Head(*row) for row in rows]


def append(
    target: Session | Connection,
    actor: Actor,
    action: str,
    *,
    case_id: int | None = None,
    receipt_no: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Add an entry in the caller's transaction, chained to the head of the chain of
    ``actor``'s terminal; returns the entry's id.

    Plain SQL rather than the ORM: it runs in every change, and the head row is read locked
    (``FOR UPDATE`` on PostgreSQL; SQLite's writer already holds the database) — the head of
    this terminal's chain only, so terminals of a hall never wait for each other's entries
    (the chain's entries are in id order: the next id is taken under that lock). With the hall's
    audit keys (the database's), the entry is keyed — after a ``chain_keyed`` entry first when
    the chain is unkeyed, keyed with another key or in an older format; without them an entry
    joins only a chain never keyed (refused otherwise: an unkeyed entry there would read as
    forged).
    """
    connection = target.connection() if isinstance(target, Session) else target
    keys = audit_keys(connection)
    signing = keys.signing() if keys is not None else None
    head = read_head(connection, actor.terminal, lock=True)
    at = at or utcnow()
    if signing is None and (head.key_id or _hall_keyed(connection)):
        raise not_keyed()
    if signing is not None and (head.key_id != signing[0] or head.format != FORMAT):
        head = _switch(connection, head, actor.terminal, signing, at)
    written = _write(
        connection,
        head,
        actor,
        action,
        at=at,
        signing=signing,
        case_id=case_id,
        receipt_no=receipt_no,
        before=before,
        after=after,
    )
    return written.last_id


def _hall_keyed(connection: Connection) -> bool:
    """Whether any chain of the hall is keyed: then a terminal without the keys starts no
    unkeyed chain of its own (only databases never keyed take unkeyed entries)."""
    keyed = select(_HEAD.c.terminal).where(_HEAD.c.key_id != "").limit(1)
    return connection.execute(keyed).first() is not None


def _switch(
    connection: Connection, head: Head, terminal: str, signing: tuple[str, bytes], at: datetime
) -> Head:
    """The switch point: from this entry on (itself included), the chain is keyed with
    ``signing`` in :data:`FORMAT`. The first one gives the chain its id; later ones (a rotated
    key, a newer format) carry it on."""
    chain = head.chain_id or secrets.token_hex(8)
    head = head._replace(chain_id=chain, format=FORMAT)
    after = {
        "key_id": signing[0],
        "previous_key_id": head.key_id,
        "chain": chain,
        "format": FORMAT,
    }
    return _write(
        connection, head, Actor(SYSTEM, terminal), KEYED, at=at, signing=signing, after=after
    )


def _write(
    connection: Connection,
    head: Head,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    signing: tuple[str, bytes] | None,
    case_id: int | None = None,
    receipt_no: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Head:
    """The entry written after ``head``, and the head it becomes."""
    # Hashed as written; the JSON columns serialise with the same json_dumps, so what reads back
    # hashes the same.
    digest = entry_hash(
        head.last_hash,
        at=at,
        actor=actor.name,
        terminal=actor.terminal,
        case_id=case_id,
        receipt_no=receipt_no,
        action=action,
        before=before,
        after=after,
        key=signing[1] if signing else None,
        format=head.format if signing else 1,
    )
    entry_id: int = connection.execute(
        _INSERT,
        {
            "at": at,
            "actor": actor.name,
            "terminal": actor.terminal,
            "case_id": case_id,
            "receipt_no": receipt_no,
            "action": action,
            "before": before,
            "after": after,
            "prev_hash": head.last_hash,
            "hash": digest,
            "chain": head.terminal,
        },
    ).scalar_one()
    key_id = signing[0] if signing else ""
    form = head.format if signing else 1
    connection.execute(
        _WRITE_HEAD,
        {
            "chain": head.terminal,
            "entry_id": entry_id,
            "entry_hash": digest,
            "key": key_id,
            "chain_id_": head.chain_id,
            "format_": form,
        },
    )
    return Head(entry_id, digest, key_id, head.chain_id, form, head.terminal)


def key_chain(connection: Connection, terminal: str, *, at: datetime | None = None) -> str | None:
    """Key ``terminal``'s chain with the hall's audit key in use (the database's), if it is not
    already: the ``chain_keyed`` entry, as start-up and ``onestop db upgrade`` write it — and
    the hall's chain from before chains per terminal too, when it has entries and was never
    keyed, so what is in it cannot be rewritten by someone without the key. The key's id, or
    None for a database opened without keys."""
    keys = audit_keys(connection)
    if keys is None:
        return None
    signing = keys.signing()
    at = at or utcnow()
    old = read_head(connection, OLD_CHAIN, lock=True)
    if old.last_id and not old.key_id and terminal != OLD_CHAIN:
        _switch(connection, old, terminal, signing, at)
    head = read_head(connection, terminal, lock=True)
    if head.key_id != signing[0] or head.format != FORMAT:
        _switch(connection, head, terminal, signing, at)
    return signing[0]


@dataclass(frozen=True)
class Purged:
    """What :func:`purge_case` did to a case's entries: how many lost their personal data, and
    how many keep it — hashed before the chain's format 2 (their values are in their hashes),
    or under a key this terminal lacks, or not matching their hash (left for verify to report)."""

    purged: int = 0
    left: int = 0


class SwitchPoint(NamedTuple):
    entry_id: int
    key_id: str
    format: int
    chain: str  # the terminal whose chain it keys


def switch_points(connection: Connection) -> list[SwitchPoint]:
    """Every switch point of every chain, oldest first: few (one per key and format each chain
    has had)."""
    rows = connection.execute(
        select(_AUDIT.c.id, _AUDIT.c.after, _AUDIT.c.chain)
        .where(_AUDIT.c.action == KEYED)
        .order_by(_AUDIT.c.id)
    ).all()
    points = []
    for row in rows:
        after = row.after if isinstance(row.after, dict) else {}
        form = after.get("format", 1)
        key_id = str(after.get("key_id", ""))
        points.append(SwitchPoint(row.id, key_id, form if isinstance(form, int) else 1, row.chain))
    return points


def purge_case(
    connection: Connection,
    case_id: int,
    keep: Callable[[Any], bool],
    *,
    dry_run: bool = False,
) -> Purged:
    """Replace the before and after values of ``case_id``'s entries that ``keep`` does not keep
    by their purge markers, in the caller's transaction — for the entries of format 2, whose
    hashes cover only the values' digests, so the chain verifies as before and anchors agree.
    Each entry's new form is checked against its hash first: an entry that does not match is
    left as it is, for ``audit verify`` to report."""
    keys = audit_keys(connection)
    ring = keys.ring() if keys is not None else None
    points = switch_points(connection)
    rows = connection.execute(
        select(_AUDIT).where(_AUDIT.c.case_id == case_id).order_by(_AUDIT.c.id)
    ).all()
    done = left = 0
    for row in rows:
        personal = [
            v is not None and not is_purged(v) and not keep(v) for v in (row.before, row.after)
        ]
        if not any(personal):
            continue
        point = next(
            (p for p in reversed(points) if p.entry_id < row.id and p.chain == row.chain), None
        )
        key = ring.secret(point.key_id) if ring is not None and point is not None else None
        if point is None or point.format < FORMAT or key is None:
            left += 1
            continue
        before = purged(key, row.before) if personal[0] else row.before
        after = purged(key, row.after) if personal[1] else row.after
        rehashed = entry_hash(
            row.prev_hash,
            at=row.at,
            actor=row.actor,
            terminal=row.terminal,
            case_id=row.case_id,
            receipt_no=row.receipt_no,
            action=row.action,
            before=before,
            after=after,
            key=key,
            format=point.format,
        )
        if rehashed != row.hash:
            log.warning("audit entry %s does not match its hash; its data left in place", row.id)
            left += 1
            continue
        if not dry_run:
            connection.execute(
                update(_AUDIT).where(_AUDIT.c.id == row.id).values(before=before, after=after)
            )
        done += 1
    return Purged(done, left)
