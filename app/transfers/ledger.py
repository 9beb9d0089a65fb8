"""The paper trail of a hall's materials (材料流转, GB/T 45836 §7.7): what waits to go to each
department, the batches it goes in, how each batch left (a courier's waybill, or a department's
messenger who signed for it), the department's signed receipt, and the results and returned
materials coming back to the window — with the chain of custody of every piece of paper.

**What travels.** When a case is accepted, each material received on paper (原件 or 复印件)
waits to go to the department of the first of the case's items that needs it and whose route is
not "platform" (:class:`~app.settings.TransferSettings`); one original cannot go to two
departments, and the first item in the case's order is the one that acts on it first (its
result is what the next department's item needs). Nothing waits when every item that needs the
material goes through the platform only.

**Custody.** Every hand-over writes a custody event (append-only: a correction is a new event)
and an audit entry in the same transaction. The platform contract has no message for paper
hand-overs, so none is queued; the results' delivery to the applicant is a case message already.

**Roles.** Building, sending and checking in need the back office (or a manager); so does
signing a batch off with the department's receipt (:mod:`app.roles`): a window clerk cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, overload

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from app.calendar.workdays import WorkCalendar
from app.cases.audit import Actor, append
from app.cases.files import FileStore
from app.cases.receipts import HALL_TZ, hall_day
from app.cases.snapshots import CaseView
from app.cases.states import RECEIVED
from app.catalog.catalog import Catalog
from app.catalog.models import Scenario
from app.db.base import table, utcnow
from app.db.engine import Database
from app.db.models import (
    CaseRow,
    CustodyEventRow,
    StoredFile,
    TransferBatchRow,
    TransferItemRow,
)
from app.errors import CaseNotFound, InvalidInput
from app.identity.resident_id import parse_resident_id
from app.roles import require
from app.settings import TransferSettings
from app.transfers.reads import ITEMS, LedgerReads, TransferError
from app.transfers.snapshots import (
    APPLICANT,
    BATCH_STATE_LABELS,
    WINDOW,
    Batch,
    BatchChanges,
    Pickup,
)
from app.transfers.waybill import check_waybill

_EVENTS = table(CustodyEventRow)
_Moved = tuple[list[TransferItemRow], list[TransferItemRow]]  # papers put in, taken out
_Step = Callable[[Session, TransferBatchRow, datetime], _Moved]  # on an open batch, at a moment
PHONE_DIGITS = 11


def _counts(status: str, copies: int) -> tuple[int, int]:
    originals = 1 if status in ("received_original", "received_both") else 0
    copied = max(1, copies) if status in ("received_copy", "received_both") else 0
    return originals, copied


class _Item(Protocol):  # a case's item: its snapshot or its row
    @property
    def item_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def department(self) -> str: ...


class _Material(Protocol):  # a case's material: its snapshot or its row
    @property
    def material_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def copies(self) -> int: ...


@dataclass(frozen=True)
class Paper:
    """A received material that must reach a department on paper."""

    material_id: str
    name: str
    department: str
    originals: int
    copies: int
    kind: str = "material"  # "thing": a seal, a card, a licence's original, counted in pieces


def papers_to_send(
    scenario: Scenario,
    items: Sequence[_Item],
    materials: Sequence[_Material],
    settings: TransferSettings,
) -> list[Paper]:
    """Each received material waits for the first of the case's items (in order, not
    terminated) that needs it and whose department takes paper under the hall's routes — at
    acceptance, and for a case accepted before the ledger existed (:mod:`app.backfills`).

    A thing (a seal, a card, a licence's original: ``Material.handover``) goes where the catalog
    says, or to the department of the first item that needs it whatever its route (a seal does
    not travel through the platform); one the window gave back at once does not travel."""
    needs = {m.id: m.items for m in scenario.materials}
    things = {m.id: m.handover for m in scenario.materials if m.handover is not None}
    order = [i for i in items if i.state != "terminated"]
    papers = []
    for material in materials:
        if material.status not in RECEIVED:
            continue
        wanted = needs.get(material.material_id, ())
        thing = things.get(material.material_id)
        if thing is not None:
            if thing.returned != "at_once":
                first = next((i.department for i in order if i.item_id in wanted), "")
                if thing.to or first:
                    papers.append(
                        Paper(
                            material.material_id,
                            material.name,
                            thing.to or first,
                            thing.count,
                            0,
                            "thing",
                        )
                    )
            continue
        off_platform = (
            i.department
            for i in order
            if i.item_id in wanted and settings.route(i.department) != "platform"
        )
        department = next(off_platform, "")
        if department:
            originals, copies = _counts(material.status, material.copies)
            papers.append(Paper(material.material_id, material.name, department, originals, copies))
    return papers


class Ledger(LedgerReads):
    def __init__(
        self,
        db: Database,
        files: FileStore,
        calendar: WorkCalendar,
        settings: TransferSettings,
        *,
        hall_code: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.files = files
        self.calendar = calendar
        self.settings = settings
        self.hall_code = hall_code
        self.clock = clock

    # -- at acceptance (in the acceptance's transaction) -----------------------------------------
    def accepted(
        self, connection: Connection, case: CaseView, catalog: Catalog, now: datetime
    ) -> None:
        """Register the case's paper materials that must reach a department (see the module)."""
        scenario = catalog.scenarios.get(case.scenario_code)
        if scenario is None:
            return
        rows = [
            {
                "case_id": case.id,
                "receipt_no": case.receipt_no,
                "direction": "out",
                "kind": paper.kind,
                "ref": paper.material_id,
                "name": paper.name,
                "department": paper.department,
                "originals": paper.originals,
                "copies": paper.copies,
                "state": "waiting",
                "batch_id": None,
                "promised_date": case.promised_date,
                "created_at": now,
                "updated_at": now,
            }
            for paper in papers_to_send(scenario, case.items, case.materials, self.settings)
        ]
        if not rows:
            return
        # One statement each for the papers and their first custody events (acceptance's hot path).
        ids = connection.execute(
            insert(ITEMS).returning(ITEMS.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        connection.execute(
            insert(_EVENTS),
            [
                {
                    "item_id": item_id,
                    "case_id": case.id,
                    "at": now,
                    "action": "received",
                    "from_party": APPLICANT,
                    "to_party": WINDOW,
                    "batch_no": "",
                    "actor": "",
                    "terminal": "",
                    "note": "窗口受理时收取",
                }
                for item_id in ids
            ],
        )

    # -- batches ---------------------------------------------------------------------------------
    def open_batch(self, actor: Actor, department: str) -> Batch:
        require(self.db, actor, "transfer.prepare")
        route = self.settings.route(department)
        if route == "platform":
            raise TransferError(
                f"“{department}”的材料只经平台流转，不需要组批。",
                hint="如需改为纸质交接，请管理员修改设置中的 [transfers.routes]。",
            )
        now = self.clock()
        day = hall_day(now)
        with self.db.transaction() as session:
            prefix = f"LZ{self.hall_code}-{day:%Y%m%d}-"
            last = session.scalar(
                select(func.max(TransferBatchRow.batch_no)).where(
                    TransferBatchRow.batch_no.like(f"{prefix}%")
                )
            )
            number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
            row = TransferBatchRow(
                batch_no=f"{prefix}{number:03d}",
                department=department,
                route=route,
                state="open",
                created_by=actor.name,
                created_at=now,
            )
            session.add(row)
            session.flush()
            append(
                session,
                actor,
                "transfer_open",
                after={"batch_no": row.batch_no, "department": department, "route": route},
                at=now,
            )
            return self._batch(session, row)

    def add_case(self, actor: Actor, batch_no: str, receipt_no: str) -> Batch:
        """Put every paper of ``receipt_no`` that waits for this batch's department into it."""
        return self.add_cases(actor, batch_no, [receipt_no])

    def add_cases(self, actor: Actor, batch_no: str, receipt_nos: Sequence[str]) -> Batch:
        """Several cases at once (picked from the list): all of them, or — when one cannot go
        in this batch — none, with the reason for that one. Returns the whole batch; a screen
        takes :meth:`put_in`'s changes instead."""
        return self._step(batch_no, self._putting(actor, receipt_nos))

    def put_in(self, actor: Actor, batch_no: str, receipt_nos: Sequence[str]) -> BatchChanges:
        """:meth:`add_cases`, returning only what changed: the batch is read once and its
        papers not at all, so a scan costs the same in an empty batch as in a full one."""
        return self._step(batch_no, self._putting(actor, receipt_nos), changes=True)

    def remove_item(self, actor: Actor, batch_no: str, item_id: int) -> Batch:
        """One paper out of an open batch: it waits again."""
        return self._step(batch_no, self._taking_out(actor, item_id))

    def take_out(self, actor: Actor, batch_no: str, item_id: int) -> BatchChanges:
        """:meth:`remove_item`, returning only what changed."""
        return self._step(batch_no, self._taking_out(actor, item_id), changes=True)

    @overload
    def _step(self, batch_no: str, step: _Step) -> Batch: ...

    @overload
    def _step(self, batch_no: str, step: _Step, *, changes: Literal[True]) -> BatchChanges: ...

    def _step(self, batch_no: str, step: _Step, *, changes: bool = False) -> Batch | BatchChanges:
        """``step`` on the open batch, in one transaction: the batch after it, or its changes."""
        now = self.clock()
        with self.db.transaction() as session:
            batch = self._open(session, batch_no)
            added, removed = step(session, batch, now)
            session.flush()
            if not changes:
                return self._batch(session, batch)
            lines = self._waiting_lines(session, batch.department)
            return BatchChanges(
                batch.batch_no,
                batch.department,
                tuple(self._item(i, batch.batch_no) for i in added),
                tuple(self._item(i, "") for i in removed),
                lines[0] if lines else None,
            )

    def _putting(self, actor: Actor, receipt_nos: Sequence[str]) -> _Step:
        numbers = list(dict.fromkeys(r.strip() for r in receipt_nos if r.strip()))
        require(self.db, actor, "transfer.prepare", receipt_no=numbers[0] if numbers else "")
        if not numbers:
            raise InvalidInput("请扫描办件凭证，或在待流转材料中选择办件。")

        def put(session: Session, batch: TransferBatchRow, now: datetime) -> _Moved:
            return [i for n in numbers for i in self._put(session, actor, batch, n, now)], []

        return put

    def _taking_out(self, actor: Actor, item_id: int) -> _Step:
        require(self.db, actor, "transfer.prepare")

        def take(session: Session, batch: TransferBatchRow, now: datetime) -> _Moved:
            item = session.get(TransferItemRow, item_id)
            if item is None or item.batch_id != batch.id:
                raise TransferError(f"交接单 {batch.batch_no} 里没有这份材料。")
            item.state, item.batch_id, item.updated_at = "waiting", None, now
            _handed(
                session,
                item,
                "unbatched",
                (WINDOW, WINDOW),
                by=actor,
                at=now,
                batch_no=batch.batch_no,
                note="从交接单中取出",
            )
            append(
                session,
                actor,
                "transfer_remove",
                case_id=item.case_id,
                receipt_no=item.receipt_no,
                after={"batch_no": batch.batch_no, "item": item.ref},
                at=now,
            )
            return [], [item]

        return take

    def _put(
        self,
        session: Session,
        actor: Actor,
        batch: TransferBatchRow,
        receipt_no: str,
        now: datetime,
    ) -> list[TransferItemRow]:
        case = session.scalar(select(CaseRow).where(CaseRow.receipt_no == receipt_no))
        if case is None:
            raise CaseNotFound(
                f"没有受理编号为 {receipt_no} 的办件。", hint="请核对凭证上的编号，或重新扫码。"
            )
        items = session.scalars(
            select(TransferItemRow).where(
                TransferItemRow.case_id == case.id, TransferItemRow.direction == "out"
            )
        ).all()
        mine = [i for i in items if i.department == batch.department]
        waiting = [i for i in mine if i.state == "waiting"]
        if not waiting:
            message, hint = self._why_not(case.receipt_no, batch.department, items, mine)
            raise TransferError(message, hint=hint)
        for item in waiting:
            item.state, item.batch_id, item.updated_at = "batched", batch.id, now
            _handed(
                session,
                item,
                "batched",
                (WINDOW, WINDOW),
                by=actor,
                at=now,
                batch_no=batch.batch_no,
            )
        append(
            session,
            actor,
            "transfer_add",
            case_id=case.id,
            receipt_no=case.receipt_no,
            after={"batch_no": batch.batch_no, "items": [i.ref for i in waiting]},
            at=now,
        )
        return waiting

    @staticmethod
    def _why_not(
        receipt_no: str,
        department: str,
        items: Sequence[TransferItemRow],
        mine: Sequence[TransferItemRow],
    ) -> tuple[str, str]:
        if mine:  # all of them went already
            return (
                f"办件 {receipt_no} 送往{department}的材料已经组批或寄出，不能再放一次。",
                "请在流转记录中查看它在哪张交接单里。",
            )
        others = sorted({i.department for i in items if i.state == "waiting"})
        if others:
            return (
                f"办件 {receipt_no} 的材料要送往{'、'.join(others)}，不是{department}。",
                f"请把它放进{'、'.join(others)}的交接单。",
            )
        return (
            f"办件 {receipt_no} 没有需要送往{department}的纸质材料。",
            "可能它的材料都经平台流转，或还没有受理。",
        )

    def send_by_courier(self, actor: Actor, batch_no: str, *, courier: str, waybill: str) -> Batch:
        """The batch left with a courier: its waybill number is checked (S10: refused when
        wrong; other numbers: warned) and the batch is due back confirmed in the set days."""
        require(self.db, actor, "transfer.prepare")
        checked = check_waybill(waybill)
        if not courier.strip():
            raise InvalidInput("请填写快递公司。", hint="如：中国邮政 EMS、顺丰速运。")
        return self._leave(
            actor,
            batch_no,
            courier=courier.strip()[:40],
            waybill=checked.number,
            warning=checked.warning,
        )

    def hand_over(self, actor: Actor, batch_no: str, person: Pickup) -> Batch:
        """A named person of the department took the batch (pick-up, or at the back-office
        desk): name, ID number, phone and the signature, stored with the batch."""
        require(self.db, actor, "transfer.prepare")
        if not person.name.strip():
            raise InvalidInput("请填写取件人姓名。", hint="与其身份证一致。")
        number = parse_resident_id(person.id_number).number
        phone = "".join(ch for ch in person.phone if ch.isdigit())
        if len(phone) != PHONE_DIGITS or not phone.startswith("1"):
            raise InvalidInput(
                f"取件人手机号“{person.phone.strip()}”不对。", hint="请填写 11 位手机号码。"
            )
        sha = self.files.put(person.signature) if person.signature else None
        pickup = {"name": person.name.strip(), "id_number": number, "phone": phone}
        return self._leave(
            actor, batch_no, pickup=pickup, signature=sha, signature_size=len(person.signature)
        )

    def _leave(
        self,
        actor: Actor,
        batch_no: str,
        *,
        courier: str = "",
        waybill: str = "",
        warning: str = "",
        pickup: dict[str, Any] | None = None,
        signature: str | None = None,
        signature_size: int = 0,
    ) -> Batch:
        now = self.clock()
        due = self.calendar.add_working_days(hall_day(now), self.settings.overdue_working_days)
        with self.db.transaction() as session:
            batch = self._open(session, batch_no)
            items = session.scalars(
                select(TransferItemRow).where(TransferItemRow.batch_id == batch.id)
            ).all()
            if not items:
                raise TransferError(
                    f"交接单 {batch_no} 还是空的，不能发出。", hint="请先扫描办件凭证把材料放进来。"
                )
            if signature is not None:
                _stored(session, signature, signature_size, "image/png")
            batch.state, batch.sent_by, batch.sent_at = "sent", actor.name, now
            batch.due_date = due.day
            batch.courier, batch.waybill, batch.waybill_warning = courier, waybill, warning
            batch.pickup, batch.signature_sha = pickup, signature
            carrier = (
                f"{courier}（{waybill}）"
                if courier
                else f"{batch.department} {pickup and pickup['name']}"
            )
            for item in items:
                item.state, item.updated_at = "sent", now
                _handed(
                    session, item, "sent", (WINDOW, carrier), by=actor, at=now, batch_no=batch_no
                )
            append(
                session,
                actor,
                "transfer_send",
                after={
                    "batch_no": batch_no,
                    "courier": courier,
                    "waybill": waybill,
                    "pickup": pickup and {k: v for k, v in pickup.items() if k != "id_number"},
                    "due_date": due.day,
                },
                at=now,
            )
            session.flush()
            return self._batch(session, batch)

    def confirm(self, actor: Actor, batch_no: str, receipt_scan: bytes) -> Batch:
        """The department's signed receipt (签收凭证) is scanned: the batch is signed off."""
        require(self.db, actor, "transfer.confirm")
        if not receipt_scan:
            raise InvalidInput("请先扫描部门签字的签收凭证。", hint="用高拍仪拍摄或选择扫描文件。")
        now = self.clock()
        with self.db.transaction() as session:
            batch = self._row(session, batch_no, lock=True)
            if batch.state == "confirmed":
                at = batch.confirmed_at.astimezone(HALL_TZ) if batch.confirmed_at else None
                raise TransferError(
                    f"交接单 {batch_no} 已于 {at:%Y-%m-%d %H:%M} 由 {batch.confirmed_by} 登记签收，"
                    "不能再签收一次。"
                    if at
                    else f"交接单 {batch_no} 已经签收。",
                    hint="如签收凭证拍错了，请在流转记录中补充说明。",
                )
            if batch.state != "sent":
                raise TransferError(
                    f"交接单 {batch_no} 还没有发出，不能登记签收。",
                    hint="请先登记快递单号或取件人。",
                )
            sha = self.files.put(receipt_scan)
            _stored(session, sha, len(receipt_scan), _mime(receipt_scan))
            batch.state, batch.receipt_sha = "confirmed", sha
            batch.confirmed_by, batch.confirmed_at = actor.name, now
            items = session.scalars(
                select(TransferItemRow).where(TransferItemRow.batch_id == batch.id)
            ).all()
            for item in items:
                item.state, item.updated_at = "received", now
                _handed(
                    session,
                    item,
                    "received_by_department",
                    (batch.courier or WINDOW, batch.department),
                    by=actor,
                    at=now,
                    batch_no=batch_no,
                )
            append(
                session,
                actor,
                "transfer_confirm",
                after={"batch_no": batch_no, "receipt": sha},
                at=now,
            )
            session.flush()
            return self._batch(session, batch)

    def slip_printed(self, actor: Actor, batch_no: str, *, printer: str, job: str) -> None:
        """A batch's slip went to the printer: in the audit trail (which copy, where)."""
        with self.db.transaction() as session:
            row = self._row(session, batch_no)
            append(
                session,
                actor,
                "transfer_slip_print",
                after={
                    "batch_no": row.batch_no,
                    "state": row.state,
                    "printer": printer,
                    "job": job,
                },
                at=self.clock(),
            )

    # -- coming back (§7.7 d) --------------------------------------------------------------------
    def check_in(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        results: Sequence[tuple[str, str]] = (),
        returned: Sequence[str] = (),
    ) -> CaseView:
        """Results (name, department) and returned materials (material ids) reached the window:
        the case shows 结果已到窗口 and the window can hand them over."""
        require(self.db, actor, "transfer.check_in", receipt_no=receipt_no)
        if not results and not returned:
            raise InvalidInput("请选择到窗口的结果或退回的材料。")
        now = self.clock()
        with self.db.transaction() as session:
            case = session.scalar(select(CaseRow).where(CaseRow.receipt_no == receipt_no.strip()))
            if case is None:
                raise CaseNotFound(f"没有受理编号为 {receipt_no.strip()} 的办件。")
            out = {
                i.ref: i
                for i in session.scalars(
                    select(TransferItemRow).where(
                        TransferItemRow.case_id == case.id, TransferItemRow.direction == "out"
                    )
                )
            }
            back: list[tuple[str, str, str, str, int, int]] = [
                ("result", name, name, department, 1, 0) for name, department in results
            ]
            for material in returned:
                sent = out.get(material)
                if sent is None or sent.state not in ("sent", "received"):
                    raise TransferError(
                        f"办件 {case.receipt_no} 没有寄出过材料“{material}”，无从退回。"
                    )
                back.append(
                    ("returned", sent.ref, sent.name, sent.department, sent.originals, sent.copies)
                )
            for kind, ref, name, department, originals, copies in back:
                item = TransferItemRow(
                    case_id=case.id,
                    receipt_no=case.receipt_no,
                    direction="back",
                    kind=kind,
                    ref=ref[:60],
                    name=name[:200],
                    department=department,
                    originals=originals,
                    copies=copies,
                    state="at_window",
                    promised_date=case.promised_date,
                    created_at=now,
                    updated_at=now,
                )
                session.add(item)
                session.flush()
                _handed(
                    session,
                    item,
                    "checked_in",
                    (department, WINDOW),
                    by=actor,
                    at=now,
                    note="结果" if kind == "result" else "退回材料",
                )
            case.results_at_window = case.results_at_window or now
            append(
                session,
                actor,
                "transfer_check_in",
                case_id=case.id,
                receipt_no=case.receipt_no,
                after={"results": [n for n, _ in results], "returned": list(returned)},
                at=now,
            )
            session.flush()
            return CaseView.of(case)

    def delivered(self, session: Session, actor: Actor, case: CaseRow, now: datetime) -> None:
        """In the delivery's transaction: what was at the window went to the applicant (or was
        mailed), each with its custody event."""
        items = session.scalars(
            select(TransferItemRow).where(
                TransferItemRow.case_id == case.id, TransferItemRow.state == "at_window"
            )
        ).all()
        delivery = case.delivery or {}
        to = str(delivery.get("recipient") or case.applicant_name or APPLICANT)
        how = str(delivery.get("method_label", ""))
        for item in items:
            item.state, item.updated_at = "handed_over", now
            _handed(session, item, "handed_over", (WINDOW, to), by=actor, at=now, note=how)

    def _open(self, session: Session, batch_no: str) -> TransferBatchRow:
        row = self._row(session, batch_no, lock=True)
        if row.state != "open":
            raise TransferError(
                f"交接单 {row.batch_no} 已经{BATCH_STATE_LABELS[row.state]}，不能再改动。",
                hint="要补寄的材料请新建一张交接单。",
            )
        return row


def _handed(
    session: Session,
    item: TransferItemRow,
    action: str,
    moved: tuple[str, str],
    *,
    by: Actor,
    at: datetime,
    batch_no: str = "",
    note: str = "",
) -> None:
    """One custody event of ``item``: ``moved`` from whom to whom (append-only)."""
    session.add(
        CustodyEventRow(
            item_id=item.id,
            case_id=item.case_id,
            at=at,
            action=action,
            from_party=moved[0],
            to_party=moved[1],
            batch_no=batch_no,
            actor=by.name,
            terminal=by.terminal,
            note=note,
        )
    )


def _stored(session: Session, sha: str, size: int, mime: str) -> None:
    if session.get(StoredFile, sha) is None:
        session.add(StoredFile(sha256=sha, size=size, mime=mime))


def _mime(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    return "image/jpeg" if data.startswith(b"\xff\xd8") else "application/octet-stream"
