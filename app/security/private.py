"""What holds people's data is the service user's alone: the data folder, the SQLite database
(SQLite gives its -wal and -shm files the database's mode), the file store and the logs are
created, and on every start set, owner-only (folders 0700, files 0600), whatever the umask."""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

log = logging.getLogger(__name__)
FOLDER, FILE = 0o700, 0o600


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except PermissionError:  # not ours (a shared mount): say so, the start goes on
        log.warning("cannot make %s owner-only (mode %o): it is not this user's", path, mode)


def private_folder(path: Path) -> Path:
    """``path`` (and missing parents, each) as a folder only its owner can enter."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER, exist_ok=True)
    path = missing[0] if missing else path
    _chmod(path, FOLDER)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read, created empty when missing."""
    private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE))
    except FileExistsError:
        _chmod(path, FILE)
    return path


class PrivateLogHandler(RotatingFileHandler):
    """A rotating log whose every file, the first and each one after a rollover, is 0600."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE)
        os.chmod(self.baseFilename, FILE)  # a file made before this version
        opened = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        assert isinstance(opened, TextIOWrapper)
        return opened
