"""Receipt keys for tests that sign or check a QR code without a hall's key file."""

from __future__ import annotations

from pathlib import Path

from app.security.keys import KeyRing, init_keys


def ring(secret: bytes, key_id: str = "RTEST") -> KeyRing:
    """One receipt key, ``key_id``, that signs."""
    return KeyRing(key_id, {key_id: secret})


def set_up(key_file: Path) -> Path:
    """A machine set up as a hall's terminal: the hall's key file at ``key_file`` (kept if there)."""
    if not key_file.exists():
        init_keys(key_file)
    return key_file
