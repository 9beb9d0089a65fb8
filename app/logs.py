"""Logging to a rotating file in the user's log folder; nothing is printed by library code.

No personal data in logs: every handler we own masks ID numbers, credit codes, bank cards and
mobile numbers in each record (its message, its arguments, its traceback) before it is written —
at the one place all records pass, so a URL logged by httpx or uvicorn, or an exception that
quotes a value, cannot carry them. Names cannot be recognised in free text; code that logs must
not pass them (the call sites log kinds and counts, never a person's name).
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from platformdirs import user_log_dir

from app.identity.masking import mask_text
from app.security.private import PrivateLogHandler, private_folder

LOG_NAME = "onestop.log"


def default_log_dir() -> Path:
    return Path(user_log_dir("onestop", appauthor=False))


def _masked(value: Any) -> Any:
    if isinstance(value, int | float) or value is None:  # %d, %.1f and the like stay as they are
        return value
    return mask_text(value if isinstance(value, str) else str(value))


class PersonalDataFilter(logging.Filter):
    """Masks personal numbers in a record, keeping its arguments' shape (uvicorn's access
    formatter reads them one by one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        else:
            record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def mask_handlers(*loggers: str) -> None:
    """Put the filter on every handler of these loggers (and the root's): uvicorn's own handlers
    of the reference platform, for instance."""
    for name in ("", *loggers):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())


def setup_logging(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Send the ``app``, ``kiosk``, ``counter``, ``printing`` and ``sync`` loggers to one file."""
    folder = directory or default_log_dir()
    private_folder(folder)
    path = folder / LOG_NAME
    root = logging.getLogger()
    if not any(
        isinstance(h, RotatingFileHandler) and h.baseFilename == str(path) for h in root.handlers
    ):
        handler = PrivateLogHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    mask_handlers("uvicorn", "uvicorn.error", "uvicorn.access")
    return path
