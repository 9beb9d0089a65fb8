"""The hall's tables: cases with their items, materials and scans, evaluations, the audit chain
and its anchors, the outbox for the platform, the receipt counters, operators and their wrong
sign-ins, the kiosks' help requests, the paper trail of materials and results (transfer items,
batches and their custody events) and the work items that every 差评 opens (complaints and their
steps).

Screens never see these rows; the case service turns them into plain data (``app.cases.snapshots``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, utcnow
from app.db.sealed import SealedJSON, SealedLongText, SealedText, sealer_of

ACTIVE_MESSAGE_STATES = ("pending", "in_flight", "retrying", "attention")
PAYLOAD_CONTEXT = (
    "outbox.payload"  # what an outbox payload is sealed under (read raw by the sender)
)
# The keys of a case's decisions the reports count by, kept readable; every other one is sealed.
NOT_ACCEPTED_CLEAR = ("ground", "ground_text", "supplement", "office", "at")
COMMITMENT_CLEAR = (
    "materials",
    "due_date",
    "fulfilled_at",
    "fulfilled_late",
    "lapsed_at",
    "lapsed_materials",
    "lapsed_items",
)
# 帮办代办 and special groups: all of it is counted; the note alone is the applicant's own words.
ASSISTANCE_CLEAR = ("mode", "helper", "minutes", "groups", "recognised", "offered", "at")
VERIFICATION_CLEAR = (
    "materials",
    "items",
    "due_date",
    "status",
    "outcome",
    "checked_on",
    "department",
    "revoked",
    "terminated",
    "credit_recorded",
    "accepted_by",
    "recorded_at",
)
DELIVERY_CLEAR = ("method", "method_label", "at")
WITHDRAWAL_CLEAR = ("returned", "terminated_items", "at")


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    hall_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), index=True)
    scenario_code: Mapped[str] = mapped_column(String(20))
    scenario_name: Mapped[str] = mapped_column(String(100))
    catalog_version: Mapped[str] = mapped_column(String(40))
    applicant_kind: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(SealedText("cases.applicant_name"))
    applicant_id_type: Mapped[str] = mapped_column(String(16))
    applicant_id_number: Mapped[str] = mapped_column(SealedText("cases.applicant_id_number"))
    applicant_phone: Mapped[str] = mapped_column(SealedText("cases.applicant_phone"), default="")
    applicant_address: Mapped[str] = mapped_column(
        SealedText("cases.applicant_address"), default=""
    )
    agent_name: Mapped[str] = mapped_column(SealedText("cases.agent_name"), default="")
    agent_id_number: Mapped[str] = mapped_column(SealedText("cases.agent_id_number"), default="")
    agent_phone: Mapped[str] = mapped_column(SealedText("cases.agent_phone"), default="")
    # Blind indexes (HMAC-SM3) of the numbers a clerk looks a case up by: set as the row is
    # written (``_blind_indexes`` below); NULL on a database opened without the hall's keys.
    applicant_id_index: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    agent_id_index: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    applicant_phone_index: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(SealedJSON("cases.answers"), default=dict)
    chosen_items: Mapped[list[str]] = mapped_column(default=list)
    form_data: Mapped[dict[str, Any]] = mapped_column(SealedJSON("cases.form_data"), default=dict)
    promised_days: Mapped[int] = mapped_column(Integer, default=0)
    # waiting periods counted in calendar days (公示期…) on top of the working days
    promised_calendar_days: Mapped[int] = mapped_column(Integer, server_default="0")
    promised_date: Mapped[date | None] = mapped_column(Date, default=None)
    clerk: Mapped[str] = mapped_column(String(60))
    terminal: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    results_at_window: Mapped[datetime | None] = mapped_column(default=None)  # 结果已到窗口
    # What the reports count by stays readable (their keys in ``clear``); the rest is sealed.
    not_accepted: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("cases.not_accepted", clear=NOT_ACCEPTED_CLEAR), default=None
    )
    commitment: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("cases.commitment", clear=COMMITMENT_CLEAR), default=None
    )
    delivery: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("cases.delivery", clear=DELIVERY_CLEAR), default=None
    )
    withdrawal: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("cases.withdrawal", clear=WITHDRAWAL_CLEAR), default=None
    )
    # 帮办代办 and special groups (app.cases.assistance)
    assistance: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("cases.assistance", clear=ASSISTANCE_CLEAR), default=None
    )
    # 告知承诺制: what was committed in place of proofs and the department's check afterwards
    # (app.cases.verification)
    verification: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("cases.verification", clear=VERIFICATION_CLEAR), default=None
    )
    outbox_seq: Mapped[int] = mapped_column(Integer, default=0)
    platform_no: Mapped[str] = mapped_column(String(60), default="", index=True)  # 平台办件编号
    # When its personal data and scans were cleared after the hall's retention period
    # (:mod:`app.cases.retention`); what the reports count stays.
    purged_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    items: Mapped[list[CaseItemRow]] = relationship(
        back_populates="case", order_by="CaseItemRow.id", cascade="all, delete-orphan"
    )
    materials: Mapped[list[CaseMaterialRow]] = relationship(
        back_populates="case", order_by="CaseMaterialRow.id", cascade="all, delete-orphan"
    )
    evaluations: Mapped[list[EvaluationRow]] = relationship(
        back_populates="case", order_by="EvaluationRow.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_cases_state_created", "state", "created_at"),
        Index("ix_cases_state_closed", "state", "closed_at"),
    )


INDEXED = {  # blind index column: (sealed column, the index's context)
    "applicant_id_index": ("applicant_id_number", "id_number"),
    "agent_id_index": ("agent_id_number", "id_number"),
    "applicant_phone_index": ("applicant_phone", "phone"),
}


@event.listens_for(CaseRow, "before_insert")
@event.listens_for(CaseRow, "before_update")
def _blind_indexes(_mapper: Any, connection: Connection, row: CaseRow) -> None:
    """Every write of a case brings its blind indexes up to date with what it seals, so no
    service can forget one. An applicant's and an agent's numbers share a context: one lookup
    finds a person in either role."""
    sealer = sealer_of(connection.dialect)
    state = inspect(row)
    for column, (source, context) in INDEXED.items():
        if state.persistent and not state.attrs[source].history.has_changes():
            continue  # an update that leaves the number alone (most: a state, a date)
        value = getattr(row, source) or ""
        setattr(row, column, sealer.index(value, context) if sealer and value else None)


class CaseItemRow(Base):
    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(200), default="")  # 结果名称
    stage: Mapped[int] = mapped_column(Integer)
    needs: Mapped[list[str]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(20))
    promised_days: Mapped[int] = mapped_column(Integer)  # its own and its waits in working days
    calendar_days: Mapped[int] = mapped_column(Integer, server_default="0")
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    decision: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    case: Mapped[CaseRow] = relationship(back_populates="items")

    __table_args__ = (UniqueConstraint("case_id", "item_id"),)


class CaseMaterialRow(Base):
    __tablename__ = "case_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    material_id: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    plan_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    exempt_reason: Mapped[str] = mapped_column(String(200), default="")
    form: Mapped[str] = mapped_column(String(20))
    copies: Mapped[int] = mapped_column(Integer, default=1)
    reviewed: Mapped[list[str]] = mapped_column(default=list)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    returned_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)  # last recorded by a clerk

    case: Mapped[CaseRow] = relationship(back_populates="materials")
    scans: Mapped[list[MaterialScanRow]] = relationship(
        back_populates="material", order_by="MaterialScanRow.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("case_id", "material_id"),)


class StoredFile(Base):
    """A file in the content-addressed store: its bytes live at ``files/ab/cd/<sha256>``."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaterialScanRow(Base):
    __tablename__ = "material_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_row_id: Mapped[int] = mapped_column(
        ForeignKey("case_materials.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    file_name: Mapped[str] = mapped_column(String(200))
    pages: Mapped[int] = mapped_column(Integer, default=1)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    material: Mapped[CaseMaterialRow] = relationship(back_populates="scans")


class EvaluationRow(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # accept | complete
    round: Mapped[str] = mapped_column(String(16))  # first | follow_up
    level: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(SealedLongText("evaluations.text"), default="")
    reasons: Mapped[list[str]] = mapped_column(default=list)  # chosen from the level's options
    reasons_version: Mapped[str] = mapped_column(String(40), default="")  # of the option set
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    case: Mapped[CaseRow] = relationship(back_populates="evaluations")

    __table_args__ = (
        UniqueConstraint("case_id", "stage", "round"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    )


class AuditEntry(Base):
    """Append-only; ``hash`` covers the entry and the hash of the entry before it in its chain:
    the chain of the terminal that wrote it (``chain`` = ``terminal``), or "" for the hall's
    one chain of the entries written before chains per terminal."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(60))
    terminal: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    receipt_no: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("audit_log.before"), default=None
    )
    after: Mapped[dict[str, Any] | None] = mapped_column(
        SealedJSON("audit_log.after"), default=None
    )
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    chain: Mapped[str] = mapped_column(String(60), default="", server_default="")


class AuditHead(Base):
    """One row per chain — per terminal that wrote entries, and "" for the hall's one chain from
    before: its last entry's id and hash, the id of the hall's audit key that chains its
    entries from its switch point on, its format and its own random id, given at its first
    switch point (key and id "" while unkeyed). The platform keeps anchors per chain id.
    Updating a row serialises the appends of one terminal only."""

    __tablename__ = "audit_head"

    terminal: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(40), default="")
    chain_id: Mapped[str] = mapped_column(String(32), default="")
    # How entries are hashed from the last switch point on (app.cases.audit): 1 covers before
    # and after themselves, 2 their keyed digests (so they can be purged).
    format: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AuditAnchorRow(Base):
    """The audit chain's head as it stood when it was sent to the platform (an anchor): sent
    until the platform acknowledges it (``pending`` → ``acknowledged``, or ``refused`` with the
    platform's reason), then kept as what the platform holds. ``id`` is the hall's own sequence
    of anchors; one anchor per entry."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer, unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(40), default="")
    chain_id: Mapped[str] = mapped_column(String(32))
    entry_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(String(16))  # entries | interval | shutdown
    terminal: Mapped[str] = mapped_column(String(60))
    made_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")  # the platform's reason for a refusal


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    receipt_no: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str] = mapped_column(String(60), default="")
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")  # the platform's reason, or a person's

    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        Index(
            "ix_outbox_active",
            "id",
            sqlite_where=text("state IN ('pending', 'in_flight', 'retrying', 'attention')"),
            postgresql_where=text("state IN ('pending', 'in_flight', 'retrying', 'attention')"),
        ),
    )


class OutboxPayload(Base):
    """What an outbox message tells the platform, beside the message: a sender rewrites the
    message's row when it claims and settles it, and SQLite rewrites a whole row (its payload of
    a few kilobytes, sealed, twice a send) for any column changed."""

    __tablename__ = "outbox_payloads"

    id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), primary_key=True)  # the message's
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON(PAYLOAD_CONTEXT))


class ReceiptCounter(Base):
    __tablename__ = "receipt_counters"

    hall_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class SyncStateRow(Base):
    """What the terminal knows about its platform: the event cursor, the last contact and error,
    the catalog version in use — one JSON value per key, changed with what it describes."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperatorRow(Base):
    """A person who signs in at a counter (窗口工作人员) or the back office."""

    __tablename__ = "operators"

    username: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))  # clerk | backoffice | manager | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInAttemptRow(Base):
    """Wrong sign-ins in a row for one login name, whether an account has that name or not: the
    lock-out cannot tell who exists, and every terminal of a hall shares the count. Keyed by a
    SHA-256 of the normalised name (``app.accounts.name_key``), never the name: what strangers
    type (a mistyped password, a citizen's name) is not kept. Gone after a sign-in, and a day
    after the last try."""

    __tablename__ = "sign_in_attempts"

    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    tried_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)


class AccessRow(Base):
    """Who opened whose personal data (个人信息保护法 第五十一条): an operator viewing a stored
    case, previewing its documents, reading its paper trail or exporting it — when, from which
    terminal, which case. Prints are in the audit trail already and are listed with these."""

    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(60), index=True)
    terminal: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20), default="")
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200), default="")


class HelpRequestRow(Base):
    """A kiosk asking the hall's staff for help (请工作人员协助): which kiosk and on which screen,
    never who stands at it. At most one waits per terminal (a second press updates the step)."""

    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(20))
    kiosk: Mapped[str] = mapped_column(String(40))  # the kiosk's name, e.g. 一楼自助机
    terminal: Mapped[str] = mapped_column(String(60))
    step: Mapped[str] = mapped_column(String(40))  # the screen, e.g. 填写申请表
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_by: Mapped[str | None] = mapped_column(String(60), default=None)  # a clerk's name

    __table_args__ = (
        Index(
            "ix_help_requests_waiting",
            "terminal",
            unique=True,
            sqlite_where=text("answered_at IS NULL"),
            postgresql_where=text("answered_at IS NULL"),
        ),
    )


class KioskSessionRow(Base):
    """One citizen's use of a kiosk, from leaving the start screen to the wipe: when, in 长辈模式
    or not, whether it ended in a pre-application — never who (GB/T 45836 §8.1 d counts them)."""

    __tablename__ = "kiosk_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime] = mapped_column()
    elderly: Mapped[bool] = mapped_column()
    submitted: Mapped[bool] = mapped_column()


class TransferItemRow(Base):
    """One thing on paper that travels (§7.7): a case's material on its way to a department
    (direction "out"), or a result or returned material coming back to the window ("back").
    Where it is now is ``state``; how it got there is its custody events."""

    __tablename__ = "transfer_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(8))  # out | back
    kind: Mapped[str] = mapped_column(String(16))  # material | result | returned
    ref: Mapped[str] = mapped_column(String(60))  # the material's id, or the item's for a result
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100))
    originals: Mapped[int] = mapped_column(Integer, default=0)
    copies: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_batches.id"), default=None, index=True
    )
    promised_date: Mapped[date | None] = mapped_column(Date, default=None)  # the case's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_transfer_items_waiting", "state", "department", "created_at"),
        CheckConstraint("direction IN ('out', 'back')", name="direction"),
    )


class TransferBatchRow(Base):
    """A batch of one department's papers (材料流转交接单): built, sent by courier or handed to
    the department's messenger, then confirmed with the department's signed receipt."""

    __tablename__ = "transfer_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(40), unique=True)
    department: Mapped[str] = mapped_column(String(100), index=True)
    route: Mapped[str] = mapped_column(String(10))  # desk | courier | pickup
    state: Mapped[str] = mapped_column(String(12), index=True)  # open | sent | confirmed
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by: Mapped[str] = mapped_column(String(60), default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    courier: Mapped[str] = mapped_column(String(40), default="")
    waybill: Mapped[str] = mapped_column(String(40), default="")
    waybill_warning: Mapped[str] = mapped_column(String(200), default="")
    pickup: Mapped[dict[str, Any] | None] = mapped_column(  # name, id, phone, at
        SealedJSON("transfer_batches.pickup"), default=None
    )
    signature_sha: Mapped[str | None] = mapped_column(
        ForeignKey("stored_files.sha256"), default=None
    )
    due_date: Mapped[date | None] = mapped_column(Date, default=None)  # confirm by then
    receipt_sha: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"), default=None)
    confirmed_by: Mapped[str] = mapped_column(String(60), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)


class CustodyEventRow(Base):
    """One hand-over of one transfer item: from whom, to whom, when, on which slip. Append-only:
    a correction is a new event, never an edit."""

    __tablename__ = "custody_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("transfer_items.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    from_party: Mapped[str] = mapped_column(SealedText("custody_events.from_party"), default="")
    to_party: Mapped[str] = mapped_column(SealedText("custody_events.to_party"), default="")
    batch_no: Mapped[str] = mapped_column(String(40), default="")
    actor: Mapped[str] = mapped_column(String(60))
    terminal: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(200), default="")


class UnresolvedRow(Base):
    """A 办不成事 反映 (国办发〔2025〕24号 (九)): someone could not get a matter done — who, which
    scenario, item or department, what went wrong — graded (urgent: answered within 2 hours;
    ordinary: 24 hours), assigned, called back and closed with its outcome; a 12345 work order's
    number may go with it, and such reports may come from the platform. Rules:
    :mod:`app.cases.unresolved`."""

    __tablename__ = "unresolved_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref_no: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(12))  # window | kiosk | hotline | platform
    order_no: Mapped[str] = mapped_column(String(60), default="", index=True)  # 12345 工单号
    grade: Mapped[str] = mapped_column(String(12))  # urgent | ordinary
    state: Mapped[str] = mapped_column(String(12))  # open | assigned | called_back | closed
    scenario_code: Mapped[str] = mapped_column(String(20), default="")
    scenario_name: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    receipt_no: Mapped[str] = mapped_column(String(40), default="")
    reported_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime] = mapped_column()
    assigned_to: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[datetime | None] = mapped_column(default=None)  # the call back
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(12), default="")
    reported_by: Mapped[str] = mapped_column(String(60), default="")
    # The person and what they said, and the handling steps with their notes: sealed
    person: Mapped[dict[str, Any]] = mapped_column(SealedJSON("unresolved.person"), default=dict)
    what: Mapped[dict[str, Any]] = mapped_column(SealedJSON("unresolved.what"), default=dict)
    steps: Mapped[list[Any]] = mapped_column(SealedJSON("unresolved.steps"), default=list)

    __table_args__ = (
        Index("ix_unresolved_state_due", "state", "due_at"),
        CheckConstraint("grade IN ('urgent', 'ordinary')", name="grade"),
        CheckConstraint("state IN ('open', 'assigned', 'called_back', 'closed')", name="state"),
    )


class ComplaintRow(Base):
    """The work item a 差评 (level 1 or 2) opens: called back, verified, rectified or appealed,
    closed with the feedback to the citizen by ``due_date`` (working days from the rating).
    ``outcome`` is "appeal_upheld" from the moment an appeal is upheld (the rating then leaves
    the statistics), "rectified" when closed otherwise. Rules: :mod:`app.cases.complaints`."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), unique=True
    )
    receipt_no: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(16))  # of the rating: accept | complete
    level: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(8))  # open | closed
    outcome: Mapped[str] = mapped_column(String(20), default="")  # rectified | appeal_upheld
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str] = mapped_column(String(60), default="")

    case: Mapped[CaseRow] = relationship()
    evaluation: Mapped[EvaluationRow] = relationship()
    steps: Mapped[list[ComplaintStepRow]] = relationship(
        back_populates="complaint", order_by="ComplaintStepRow.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_complaints_state_due", "state", "due_date"),
        CheckConstraint("state IN ('open', 'closed')", name="state"),
    )


class ComplaintStepRow(Base):
    """One step of a 差评 work item: who, when, what (append-only, like the audit trail)."""

    __tablename__ = "complaint_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))
    terminal: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(SealedLongText("complaint_steps.note"), default="")
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON("complaint_steps.data"), default=dict)

    complaint: Mapped[ComplaintRow] = relationship(back_populates="steps")


class DataKeyRow(Base):
    """A data key of the hall, wrapped (SM4-GCM) by a key-encryption key from the hall's key file
    (``kek_id``), never stored in clear: ``data`` keys seal personal data and scans (the one
    ``current`` seals, ``old`` ones only open what is not yet resealed), the ``index`` key makes
    blind indexes and never rotates. ``sealed_all_at``: when everything was last found sealed
    under the current key (a start-up after it has nothing to reseal). Rules:
    :mod:`app.security.data_keys`."""

    __tablename__ = "data_keys"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(8))  # data | index
    state: Mapped[str] = mapped_column(String(8))  # current | old
    wrapped: Mapped[str] = mapped_column(Text)
    kek_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sealed_all_at: Mapped[datetime | None] = mapped_column(default=None)


class BackfillRow(Base):
    """Work an upgrade left for the program, for what existed before it: ``pending`` holds the
    ids (cases, or ratings) found lacking when the migration ran. A migration has neither the
    hall's settings (which department takes paper) nor its keys (the audit chain, sealing), so
    the program does the work at its next start or ``onestop db upgrade``
    (:mod:`app.backfills`), records each decision in the audit trail and sets ``done_at``."""

    __tablename__ = "backfills"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # transfer_ledger | complaints
    pending: Mapped[list[int]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(default=None)
