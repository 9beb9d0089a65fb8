"""What the paper trail shows, as plain data (screens and documents never see ORM rows): a piece
of paper that travels (:class:`TransferItem`), a batch of them (:class:`Batch`), one hand-over
(:class:`CustodyEvent`), a case's whole trail (:class:`Trace`), and the department's person who
takes a batch (:class:`Pickup`) — with the words each state and step is said in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from app.settings import ROUTE_LABELS

WINDOW = "综合窗口"
APPLICANT = "申请人"
NOT_TRACED = "transfer_untraced"  # the audit entry of a case whose papers were never registered
UNTRACED = (
    "本办件受理于材料流转登记启用之前，升级时已办结或撤回：材料当时的去向没有登记，"
    "OneStop 不再为它登记待流转材料。如需查找原件，请查阅当时的纸质交接记录。"
)
ITEM_STATE_LABELS = {
    "waiting": "待流转",
    "batched": "已组批",
    "sent": "已寄出/已交接",
    "received": "部门已签收",
    "at_window": "已到窗口",
    "handed_over": "已交申请人",
}
BATCH_STATE_LABELS = {"open": "组批中", "sent": "已发出，待签收", "confirmed": "部门已签收"}
NOT_SIGNED_OFF = ("open", "sent")  # the batches listed unless others are asked for
ACTION_LABELS = {
    "received": "窗口收取",
    "batched": "放入交接单",
    "unbatched": "从交接单取出",
    "sent": "发出",
    "received_by_department": "部门签收",
    "checked_in": "回到窗口",
    "handed_over": "交给申请人",
}


@dataclass(frozen=True)
class TransferItem:
    id: int
    receipt_no: str
    direction: str
    kind: str
    ref: str
    name: str
    department: str
    originals: int
    copies: int
    state: str
    batch_no: str
    promised_date: date | None
    created_at: datetime

    @property
    def state_label(self) -> str:
        return ITEM_STATE_LABELS[self.state]

    @property
    def shown_name(self) -> str:
        """Its name, with "（原物）" for a thing (a seal, a card) so nobody looks for paper."""
        return f"{self.name}（原物）" if self.kind == "thing" else self.name


@dataclass(frozen=True)
class Batch:
    batch_no: str
    department: str
    route: str
    state: str
    created_by: str
    created_at: datetime
    sent_by: str
    sent_at: datetime | None
    courier: str
    waybill: str
    waybill_warning: str
    pickup: dict[str, Any] | None
    due_date: date | None
    receipt_sha: str | None
    confirmed_by: str
    confirmed_at: datetime | None
    items: tuple[TransferItem, ...]

    @property
    def state_label(self) -> str:
        return BATCH_STATE_LABELS[self.state]

    @property
    def route_label(self) -> str:
        return ROUTE_LABELS[self.route]

    def overdue(self, today: date) -> bool:
        return self.state == "sent" and self.due_date is not None and today > self.due_date

    @property
    def cases(self) -> int:
        return len({i.receipt_no for i in self.items})


Waiting = tuple[str, int, datetime, date | None]  # department, papers, oldest, earliest promised


@dataclass(frozen=True)
class BatchChanges:
    """What one step did to an open batch (Anki's ``OpChanges``): the papers it put in and took
    out, as they are now, and the batch's department's line of what waits (None: nothing waits).
    A screen applies this to what it shows instead of reading every batch again."""

    batch_no: str
    department: str
    added: tuple[TransferItem, ...] = ()  # left the waiting list
    removed: tuple[TransferItem, ...] = ()  # back on the waiting list
    waiting: Waiting | None = None

    def applied(self, batch: Batch) -> Batch:
        """``batch`` as shown before the step, as it is after (papers in the ledger's order)."""
        gone = {i.id for i in self.added} | {i.id for i in self.removed}
        kept = [i for i in batch.items if i.id not in gone]
        items = sorted((*kept, *self.added), key=lambda i: (i.receipt_no, i.id))
        return replace(batch, items=tuple(items))


@dataclass(frozen=True)
class CustodyEvent:
    at: datetime
    item: str  # what: the material's or result's name
    action: str
    from_party: str
    to_party: str
    batch_no: str
    actor: str
    terminal: str
    note: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass(frozen=True)
class Trace:
    """Where each piece of paper of a case is now, and every hand-over, oldest first."""

    receipt_no: str
    items: tuple[TransferItem, ...]
    events: tuple[CustodyEvent, ...]
    note: str = ""  # why a case has no papers here (:data:`UNTRACED`), else empty

    def to_dict(self) -> dict[str, Any]:
        return {
            "receipt_no": self.receipt_no,
            "note": self.note,
            "items": [
                {
                    "name": i.name,
                    "kind": i.kind,
                    "direction": i.direction,
                    "department": i.department,
                    "state": i.state,
                    "state_label": i.state_label,
                    "batch_no": i.batch_no,
                    "originals": i.originals,
                    "copies": i.copies,
                }
                for i in self.items
            ],
            "events": [
                {
                    "at": e.at.isoformat(),
                    "item": e.item,
                    "action": e.action,
                    "action_label": e.action_label,
                    "from": e.from_party,
                    "to": e.to_party,
                    "batch_no": e.batch_no,
                    "actor": e.actor,
                    "terminal": e.terminal,
                    "note": e.note,
                }
                for e in self.events
            ],
        }


@dataclass(frozen=True)
class Pickup:
    """The department's person who takes a batch (or the desk's counterpart): who, and proof."""

    name: str
    id_number: str
    phone: str
    signature: bytes = b""  # a PNG from the tablet, or a scan of the signed paper
