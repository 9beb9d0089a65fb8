"""A case read and changed in plain SQL, for the paths that run on every case at the window.

The ORM's unit of work costs several times the commit of a case; acceptance (and reading a case
for a screen) use these prepared statements instead. Statements are built once, at import, so a
call only binds its parameters. The ORM models stay the one definition of the tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from app.cases.snapshots import CaseView, EvaluationView, ItemView, MaterialView, ScanView
from app.cases.states import OPEN_CASE_STATES
from app.db.base import table
from app.db.models import (
    CaseItemRow,
    CaseMaterialRow,
    CaseRow,
    EvaluationRow,
    MaterialScanRow,
    StoredFile,
)

CASES = table(CaseRow)
ITEMS = table(CaseItemRow)
MATERIALS = table(CaseMaterialRow)
SCANS = table(MaterialScanRow)
FILES = table(StoredFile)
EVALUATIONS = table(EvaluationRow)

_CASE = select(CASES).where(CASES.c.receipt_no == bindparam("receipt_no"))
_CASE_LOCKED = _CASE.with_for_update()
_ITEMS = select(ITEMS).where(ITEMS.c.case_id == bindparam("case_key")).order_by(ITEMS.c.id)
_MATERIALS = (
    select(MATERIALS).where(MATERIALS.c.case_id == bindparam("case_key")).order_by(MATERIALS.c.id)
)
_SCANS = (
    select(SCANS, FILES.c.size, FILES.c.mime)
    .join(MATERIALS, MATERIALS.c.id == SCANS.c.material_row_id)
    .join(FILES, FILES.c.sha256 == SCANS.c.sha256)
    .where(MATERIALS.c.case_id == bindparam("case_key"))
    .order_by(SCANS.c.id)
)
_EVALUATIONS = (
    select(EVALUATIONS)
    .where(EVALUATIONS.c.case_id == bindparam("case_key"))
    .order_by(EVALUATIONS.c.id)
)
_UPDATE_CASE = update(CASES).where(CASES.c.id == bindparam("case_key"))
_UPDATE_ITEM = update(ITEMS).where(
    ITEMS.c.case_id == bindparam("case_key"), ITEMS.c.item_id == bindparam("item_key")
)
_UPDATE_MATERIAL = update(MATERIALS).where(
    MATERIALS.c.case_id == bindparam("case_key"),
    MATERIALS.c.material_id == bindparam("material_key"),
)


@dataclass(frozen=True)
class StoredScan:
    """What the platform is told about a scan besides the view: its size and type."""

    material_id: str
    sha256: str
    file_name: str
    size: int
    mime: str


@dataclass(frozen=True)
class LoadedCase:
    view: CaseView
    outbox_seq: int
    scans: tuple[StoredScan, ...]


def load(connection: Connection, receipt_no: str, *, lock: bool) -> LoadedCase | None:
    """The case with its items, materials, scans and evaluations; ``lock`` takes the row lock
    that serialises changes to one case on PostgreSQL (SQLite's writer holds the database)."""
    locked = lock and connection.dialect.name == "postgresql"
    case = connection.execute(_CASE_LOCKED if locked else _CASE, {"receipt_no": receipt_no}).first()
    if case is None:
        return None
    key = {"case_key": case.id}
    items = tuple(ItemView.of(row) for row in connection.execute(_ITEMS, key))
    materials = connection.execute(_MATERIALS, key).all()
    scans = connection.execute(_SCANS, key).all() if materials else []
    by_material: dict[int, list[ScanView]] = {}
    for scan in scans:
        by_material.setdefault(scan.material_row_id, []).append(
            ScanView(scan.sha256, scan.file_name, scan.pages, scan.added_at)
        )
    # Nobody can rate a case before the window's decision (states.ACTIONS), so a draft or a
    # pre-application costs no query for its evaluations.
    evaluations = (
        ()
        if case.state in OPEN_CASE_STATES
        else tuple(EvaluationView.of(row) for row in connection.execute(_EVALUATIONS, key))
    )
    view = CaseView.build(
        case,
        items,
        tuple(MaterialView.of(m, tuple(by_material.get(m.id, ()))) for m in materials),
        evaluations,
    )
    ids = {m.id: m.material_id for m in materials}
    stored = tuple(
        StoredScan(ids[s.material_row_id], s.sha256, s.file_name, s.size, s.mime) for s in scans
    )
    return LoadedCase(view, case.outbox_seq, stored)


def update_case(connection: Connection, case_id: int, **values: Any) -> None:
    connection.execute(_UPDATE_CASE, {"case_key": case_id, **values})


def update_items(
    connection: Connection, case_id: int, item_ids: Sequence[str], **values: Any
) -> None:
    if item_ids:
        connection.execute(
            _UPDATE_ITEM, [{"case_key": case_id, "item_key": i, **values} for i in item_ids]
        )


def update_materials(
    connection: Connection, case_id: int, changes: Mapping[str, Mapping[str, Any]]
) -> None:
    """Per material id, the columns to set (every material the same columns)."""
    if changes:
        connection.execute(
            _UPDATE_MATERIAL,
            [{"case_key": case_id, "material_key": m, **values} for m, values in changes.items()],
        )
