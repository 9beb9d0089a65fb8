"""Scanned materials stored as files named by their SHA-256 (``files/ab/cd/<sha256>``).

A file is written to a temporary name, flushed to disk and renamed, so a crash never leaves half a
scan under a real name; storing the same bytes twice keeps one copy. What a crash or a power cut
does leave — half-written temporary files, parts of someone's scan — goes at the next start
(:meth:`FileStore.sweep`), once old enough that no other terminal of the hall can still be
writing it.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from app.errors import DiskFull, StorageError
from app.security.private import private_folder

log = logging.getLogger(__name__)
CHUNK = 1 << 20
STALE_S = 3600.0  # a temporary file this old belongs to no save still under way


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        return self._store(iter([data]))

    def put_stream(self, stream: BinaryIO) -> str:
        return self._store(iter(lambda: stream.read(CHUNK), b""))

    def sweep(self, older_than_s: float = STALE_S) -> int:
        """Delete the temporary files a crash left (written more than ``older_than_s`` ago);
        how many. Never raises: a store that cannot be swept now is swept at a later start."""
        tmp_dir, cutoff, removed = self.root / "tmp", time.time() - older_than_s, 0
        try:
            for entry in os.scandir(tmp_dir):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("file store %s: temporary files not swept: %s", tmp_dir, exc)
        if removed:
            log.info("file store: %d temporary files left by a crash deleted", removed)
        return removed

    def read(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise StorageError(
                f"扫描件 {sha256[:12]}… 不在本终端的文件库中。",
                hint="大厅模式下请检查文件库共享目录；或从省级平台重新取回该材料。",
            ) from None

    def _store(self, chunks: Iterable[bytes]) -> str:
        tmp_dir = self.root / "tmp"
        try:
            private_folder(tmp_dir)
            digest = hashlib.sha256()
            fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
            try:
                with os.fdopen(fd, "wb") as out:
                    for chunk in chunks:
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                sha = digest.hexdigest()
                target = self.path(sha)
                if target.exists():
                    os.unlink(tmp_name)
                    return sha
                private_folder(target.parent)
                os.replace(tmp_name, target)
                _fsync_dir(target.parent)
                return sha
            except BaseException:
                if os.path.exists(tmp_name):
                    os.unlink(tmp_name)
                raise
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull(
                    "磁盘空间已满，扫描件没有保存。",
                    hint="请联系大厅信息管理员清理磁盘空间后重新扫描。",
                ) from exc
            raise StorageError(
                f"扫描件无法保存：{exc.strerror}。", hint="请检查数据目录的权限和磁盘后重试。"
            ) from exc


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
