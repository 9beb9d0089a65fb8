"""Scanned materials in the file store, each known to the database by the SHA-256 of its bytes.

With the hall's data keys (every program started the normal way) a file is sealed with SM4-GCM
and named by a keyed hash of its SHA-256 (``files/ab/cd/<HMAC-SM3>``,
:class:`app.security.sealing.Sealer`): neither its bytes nor whether the hall holds a known
document can be read from the disk. Without them (a test's store) a file is kept as it is, named
by its SHA-256; such files — and a store from before sealing — are sealed in place by
:meth:`FileStore.reseal` (``onestop db upgrade``).

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

from app.errors import DiskFull, KeysError, StorageError
from app.security.private import private_folder
from app.security.sealing import Sealer

log = logging.getLogger(__name__)
CHUNK = 1 << 20
STALE_S = 3600.0  # a temporary file this old belongs to no save still under way


class FileStore:
    """``sealer``: the hall's data keys; ``refusal``: why they are missing (a program started
    without the key file), raised rather than store a scan unsealed."""

    def __init__(
        self, root: Path, sealer: Sealer | None = None, *, refusal: KeysError | None = None
    ) -> None:
        self.root = root
        self.sealer = sealer
        self.refusal = refusal

    def path(self, sha256: str) -> Path:
        """Where the file of ``sha256`` is (sealed, under its keyed name, with the keys)."""
        name = self.sealer.file_name(sha256) if self.sealer else sha256
        return self.root / name[:2] / name[2:4] / name

    def clear_path(self, sha256: str) -> Path:
        """Where a file stored unsealed is (named by its SHA-256)."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file() or self.clear_path(sha256).is_file()

    def put(self, data: bytes) -> str:
        if self.refusal is not None:
            raise self.refusal
        if self.sealer is not None:
            sha = hashlib.sha256(data).hexdigest()
            return self._store(iter([self.sealer.seal_file(data, sha)]), name=sha)
        return self._store(iter([data]))

    def put_stream(self, stream: BinaryIO) -> str:
        if self.refusal is not None or self.sealer is not None:
            return self.put(stream.read())  # sealed whole: a scan fits in memory
        return self._store(iter(lambda: stream.read(CHUNK), b""))

    def reseal(self, sha256: str) -> bool:
        """Seal the file of ``sha256`` under the current data key if it is stored unsealed or
        under an older key; whether it was. A file missing here (not on this terminal) is
        skipped."""
        if self.sealer is None:
            raise self.refusal or KeysError("没有数据密钥，扫描件无法加密。")
        sealed = self.path(sha256)
        if sealed.is_file():
            with sealed.open("rb") as head:
                if Sealer.file_key_id(head.read(64)) == self.sealer.current:
                    return False
            data = self.read(sha256)  # then replaced in one rename: never missing in between
            self._store(iter([self.sealer.seal_file(data, sha256)]), name=sha256, replace=True)
            return True
        clear = self.clear_path(sha256)
        if not clear.is_file():
            return False
        data = clear.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            log.warning("file store: %s… does not match its name; left unsealed", sha256[:12])
            return False
        self.put(data)
        os.unlink(clear)
        _fsync_dir(clear.parent)
        return True

    def remove(self, sha256: str) -> bool:
        """Delete the file of ``sha256`` (sealed or not) when nothing needs it any more (a scan
        whose case's retention period ended); whether there was one. The database rows that
        named it are the caller's to delete first."""
        removed = False
        for path in {self.path(sha256), self.clear_path(sha256)}:
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(
                    f"扫描件 {sha256[:12]}… 无法删除：{exc.strerror}。",
                    hint="请检查数据目录的权限后重试（onestop retention run）。",
                ) from exc
            _fsync_dir(path.parent)
            removed = True
        return removed

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
        """The plain bytes of ``sha256``'s file, opened with the data keys when sealed."""
        try:
            if self.sealer is not None and (sealed := self.path(sha256)).is_file():
                return self.sealer.open_file(sealed.read_bytes(), sha256)
            return self.clear_path(sha256).read_bytes()
        except FileNotFoundError:
            raise StorageError(
                f"扫描件 {sha256[:12]}… 不在本终端的文件库中。",
                hint="大厅模式下请检查文件库共享目录；或从省级平台重新取回该材料。",
            ) from None

    def _store(
        self, chunks: Iterable[bytes], *, name: str | None = None, replace: bool = False
    ) -> str:
        """Write ``chunks`` under a temporary name, then rename it to the file of ``name`` (the
        plaintext's SHA-256, given when ``chunks`` are sealed), or of the chunks' SHA-256."""
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
                sha = name or digest.hexdigest()
                target = self.path(sha)
                if target.exists() and not replace:
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
