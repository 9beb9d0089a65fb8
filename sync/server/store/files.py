"""The uploaded files, each a hall's own: sent in chunks, resumable at the offset the platform
has, kept by their SHA-256 once whole; a window gets a scan only if a case of its hall holds it.

A hall registers, uploads and asks about its files only: another hall announcing the same
SHA-256 (with any size) or uploading the same bytes changes nothing of it, and learns nothing
of it. Whole files are kept on disk once per SHA-256 — the same bytes whoever sent them — but
each hall's upload is its own, from its own partial file, until its bytes hash to the name.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, select, update

from app.db.base import utcnow
from sync import contract
from sync.server.store.errors import OffsetMismatch, Rejected
from sync.server.store.schema import Storage, case_files, cases, files


def file_path(storage: Storage, sha256: str) -> Path:
    return storage.files_dir / sha256[:2] / sha256


def _of(hall_code: str, sha256: str) -> ColumnElement[bool]:
    return and_(files.c.hall_code == hall_code, files.c.sha256 == sha256)


def start_file(
    storage: Storage, hall_code: str, sha256: str, size: int, mime: str
) -> contract.FileStatus:
    with storage.tx() as connection:
        row = connection.execute(select(files).where(_of(hall_code, sha256))).first()
        if row is None:
            connection.execute(
                insert(files),
                {
                    "hall_code": hall_code,
                    "sha256": sha256,
                    "size": size,
                    "mime": mime,
                    "received": 0,
                    "complete": False,
                    "created_at": utcnow(),
                },
            )
            _partial(storage, hall_code, sha256).write_bytes(b"")
            return contract.FileStatus(sha256=sha256, size=size, received=0, complete=False)
        if row.size != size:
            raise Rejected(f"文件大小与本大厅之前登记的不一致（{row.size} 字节）。")
        return _file_status(row)


def file_status(storage: Storage, hall_code: str, sha256: str) -> contract.FileStatus | None:
    with storage.read() as connection:
        row = connection.execute(select(files).where(_of(hall_code, sha256))).first()
    return _file_status(row) if row else None


def append_file(
    storage: Storage, hall_code: str, sha256: str, offset: int, chunk: bytes
) -> contract.FileStatus:
    """Add bytes at ``offset`` (which must be what the platform has); at the end the whole
    file must hash to its name, or the upload starts over."""
    with storage.tx() as connection:
        row = connection.execute(select(files).where(_of(hall_code, sha256))).first()
        if row is None:
            raise KeyError(sha256)
        if row.complete:
            return _file_status(row)
        if offset != row.received:
            raise OffsetMismatch(_file_status(row))
        if row.received + len(chunk) > row.size:
            raise Rejected("上传的字节数超过了登记的文件大小。")
        partial = _partial(storage, hall_code, sha256)
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
                connection.execute(update(files).where(_of(hall_code, sha256)).values(received=0))
                raise Rejected("文件内容与 SHA-256 不符，已清空，请重新上传。")
            partial.replace(file_path(storage, sha256))  # the same bytes if already there
        connection.execute(
            update(files).where(_of(hall_code, sha256)).values(received=received, complete=complete)
        )
        return contract.FileStatus(
            sha256=sha256, size=row.size, received=received, complete=complete
        )


def case_file(storage: Storage, hall_code: str, sha256: str) -> Path | None:
    """The whole file ``sha256`` if the hall uploaded it and one of its cases holds it as a
    scan, else None: scans are personal documents, and knowing a hash is no reason to get one."""
    with storage.read() as connection:
        held = connection.execute(
            select(files.c.sha256)
            .join(
                case_files,
                and_(
                    case_files.c.hall_code == files.c.hall_code,
                    case_files.c.sha256 == files.c.sha256,
                ),
            )
            .join(
                cases,
                and_(
                    cases.c.hall_code == case_files.c.hall_code,
                    cases.c.receipt_no == case_files.c.receipt_no,
                ),
            )
            .where(_of(hall_code, sha256), files.c.complete)
            .limit(1)
        ).first()
    path = file_path(storage, sha256)
    return path if held is not None and path.is_file() else None


def _partial(storage: Storage, hall_code: str, sha256: str) -> Path:
    """Where the hall's upload of ``sha256`` grows: its own, named by a digest of the hall's
    code (whatever characters the code has)."""
    hall = hashlib.sha256(hall_code.encode("utf-8")).hexdigest()[:16]
    path = storage.files_dir / sha256[:2] / f"{sha256}.{hall}.part"
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
