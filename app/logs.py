"""Logging to a rotating file in the user's log folder; nothing is printed by library code."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_log_dir

LOG_NAME = "onestop.log"


def default_log_dir() -> Path:
    return Path(user_log_dir("onestop", appauthor=False))


def setup_logging(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Send the ``app``, ``kiosk``, ``counter``, ``printing`` and ``sync`` loggers to one file."""
    folder = directory or default_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    if not any(
        isinstance(h, RotatingFileHandler) and h.baseFilename == str(path) for h in root.handlers
    ):
        handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    return path
