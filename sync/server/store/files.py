"""The uploaded files: sent in chunks, resumable at the offset the platform has, kept by their
SHA-256 once whole; a window gets a scan only if a case of its hall holds it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from app.db.base import utcnow
from sync import contract
from sync.server.store.errors import OffsetMismatch, Rejected
from sync.server.store.schema import Storage, case_files, cases, files


def file_path(storage: Storage, sha256: str) -> Path:
    return storage.files_dir / sha256[:2] / sha256


def start_file(storage: Storage, sha256: str, size: int, mime: str) -> contract.FileStatus:
    with storage.tx() as connection:
        row = connection.execute(select(files).where(files.c.sha256 == sha256)).first()
        if row is None:
            connection.execute(
                insert(files),
                {
                    "sha256": sha256,
                    "size": size,
                    "mime": mime,
                    "received": 0,
                    "complete": False,
                    "created_at": utcnow(),
                },
            )
            partial = _partial(storage, sha256)
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(b"")
            return contract.FileStatus(sha256=sha256, size=size, received=0, complete=False)
        if row.size != size:
            raise Rejected(f"文件大小与之前登记的不一致（{row.size} 字节）。")
        return _file_status(row)


def file_status(storage: Storage, sha256: str) -> contract.FileStatus | None:
    with storage.read() as connection:
        row = connection.execute(select(files).where(files.c.sha256 == sha256)).first()
    return _file_status(row) if row else None


def append_file(storage: Storage, sha256: str, offset: int, chunk: bytes) -> contract.FileStatus:
    """Add bytes at ``offset`` (which must be what the platform has); at the end the whole
    file must hash to its name, or the upload starts over."""
    with storage.tx() as connection:
        row = connection.execute(select(files).where(files.c.sha256 == sha256)).first()
        if row is None:
            raise KeyError(sha256)
        if row.complete:
            return _file_status(row)
        if offset != row.received:
            raise OffsetMismatch(_file_status(row))
        if row.received + len(chunk) > row.size:
            raise Rejected("上传的字节数超过了登记的文件大小。")
        partial = _partial(storage, sha256)
        with partial.open("r+b" if partial.exists() else "wb") as out:
            out.seek(offset)
            out.write(chunk)
            out.truncate()
            out.flush()
        received = offset + len(chunk)
        complete = received == row.size
        if complete:
            if _sha256_of(partial) != sha256:
                partial.write_bytes(b"")
                connection.execute(update(files).where(files.c.sha256 == sha256).values(received=0))
                raise Rejected("文件内容与 SHA-256 不符，已清空，请重新上传。")
            partial.replace(file_path(storage, sha256))
        connection.execute(
            update(files)
            .where(files.c.sha256 == sha256)
            .values(received=received, complete=complete)
        )
        return contract.FileStatus(
            sha256=sha256, size=row.size, received=received, complete=complete
        )


def case_file(storage: Storage, hall_code: str, sha256: str) -> Path | None:
    """The whole file ``sha256`` if a case of ``hall_code`` holds it as a scan, else None:
    scans are personal documents, and knowing a hash is no reason to get one."""
    with storage.read() as connection:
        held = connection.execute(
            select(files.c.sha256)
            .join(case_files, case_files.c.sha256 == files.c.sha256)
            .join(cases, cases.c.receipt_no == case_files.c.receipt_no)
            .where(files.c.sha256 == sha256, files.c.complete, cases.c.hall_code == hall_code)
            .limit(1)
        ).first()
    path = file_path(storage, sha256)
    return path if held is not None and path.is_file() else None


def _partial(storage: Storage, sha256: str) -> Path:
    path = storage.files_dir / sha256[:2] / f"{sha256}.part"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _file_status(row: Any) -> contract.FileStatus:
    return contract.FileStatus(
        sha256=row.sha256, size=row.size, received=row.received, complete=row.complete
    )


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
