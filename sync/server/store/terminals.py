"""The terminals: each belongs to one hall and signs in with a token the platform keeps only as
its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from app.db.base import utcnow
from sync.server.store.errors import AuthError
from sync.server.store.schema import Storage, terminals


@dataclass(frozen=True)
class Terminal:
    id: str
    hall_code: str
    role: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_terminal(storage: Storage, terminal_id: str, hall_code: str, role: str) -> str:
    """Register a terminal (or give it a new credential); returns its token, shown once."""
    token = f"{terminal_id}.{secrets.token_urlsafe(24)}"
    row = {
        "hall_code": hall_code,
        "token_sha256": token_digest(token),
        "role": role,
        "enabled": True,
    }
    with storage.tx() as connection:
        found = connection.execute(
            select(terminals.c.id).where(terminals.c.id == terminal_id)
        ).first()
        if found:
            connection.execute(update(terminals).where(terminals.c.id == terminal_id), row)
        else:
            connection.execute(
                insert(terminals), {"id": terminal_id, "created_at": utcnow(), **row}
            )
    return token


def disable_terminal(storage: Storage, terminal_id: str) -> None:
    with storage.tx() as connection:
        connection.execute(
            update(terminals).where(terminals.c.id == terminal_id).values(enabled=False)
        )


def authenticate(storage: Storage, authorization: str | None) -> Terminal:
    """401 without a valid token; 403 for a known terminal that is switched off."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthError(401, "缺少终端凭证。")
    token = authorization.removeprefix("Bearer ").strip()
    with storage.read() as connection:
        row = connection.execute(
            select(terminals).where(terminals.c.token_sha256 == token_digest(token))
        ).first()
    if row is None:
        raise AuthError(401, "终端凭证无效。")
    if not row.enabled:
        raise AuthError(403, f"终端 {row.id} 已停用。")
    return Terminal(row.id, row.hall_code, row.role)
