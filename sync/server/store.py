"""The reference platform's durable storage: what it has been told, in order, exactly once.

One SQLite file in the server's data folder (WAL, ``synchronous=FULL``, one writer at a time)
and the uploaded files beside it. A batch of messages is applied in one transaction; each message
is applied once by its idempotency key and only after the message before it of the same case.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy import text as sql

from app.catalog.versions import files_digest
from app.db.base import UtcDateTime, utcnow
from app.db.engine import make_engine
from sync import contract
from sync.contract import Envelope, MessageResult

metadata = MetaData()
terminals = Table(
    "terminals", metadata,
    Column("id", String(60), primary_key=True),
    Column("hall_code", String(20), nullable=False),
    Column("token_sha256", String(64), nullable=False),
    Column("role", String(16), nullable=False),  # terminal | admin
    Column("enabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)  # fmt: skip
cases = Table(
    "cases", metadata,
    Column("receipt_no", String(40), primary_key=True),
    Column("hall_code", String(20), nullable=False),
    Column("platform_no", String(60), nullable=False, unique=True),
    Column("last_seq", Integer, nullable=False),
    Column("state", String(32), nullable=False),
    Column("scenario", String(20), nullable=False),
    Column("submission", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)  # fmt: skip
items = Table(
    "items", metadata,
    Column("receipt_no", String(40), primary_key=True),
    Column("item", String(60), primary_key=True),
    Column("code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("result_name", String(200), nullable=False),
    Column("needs", JSON, nullable=False),
    # waiting | dispatched | approved | refused | ended
    Column("state", String(16), nullable=False),
    Column("due_at", UtcDateTime),  # when the department decides
    Column("decided_at", UtcDateTime),
    Column("result_no", String(60), nullable=False, default=""),
)  # fmt: skip
messages = Table(
    "messages", metadata,
    Column("idempotency_key", String(120), primary_key=True),
    Column("receipt_no", String(40), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("body", JSON, nullable=False),
    Column("terminal", String(60), nullable=False),
    Column("outcome", String(16), nullable=False),  # applied | rejected
    Column("reason", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)  # fmt: skip
counters = Table(
    "counters", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)  # fmt: skip
files = Table(
    "files", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("mime", String(100), nullable=False),
    Column("received", Integer, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)  # fmt: skip
case_files = Table(
    "case_files", metadata,  # the scans of a case, one per material message applied
    Column("receipt_no", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("material", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("mime", String(200), nullable=False),
    Column("size", Integer, nullable=False),
)  # fmt: skip
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_code", String(20), nullable=False, index=True),
    Column("receipt_no", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
)  # fmt: skip
evaluations = Table(
    "evaluations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("receipt_no", String(40), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("round", String(16), nullable=False),
    Column("satisfaction", String(1), nullable=False),
    Column("channel", String(2), nullable=False),
    Column("text", Text, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("receipt_no", "stage", "round"),
)  # fmt: skip
catalogs = Table(
    "catalogs", metadata,
    Column("version", String(40), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("files", JSON, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)  # fmt: skip
persons = Table(
    "persons", metadata,
    Column("id_number", String(40), primary_key=True),
    Column("facts", JSON, nullable=False),
    Column("source", String(200), nullable=False),
)  # fmt: skip
licences = Table(
    "licences", metadata,
    Column("id_number", String(40), primary_key=True),
    Column("licence", String(100), primary_key=True),
    Column("number", String(60), nullable=False),
    Column("issuer", String(200), nullable=False),
    Column("name", String(100), nullable=False),
)  # fmt: skip

COUNTERS = ("applied", "duplicates", "out_of_order", "rejected", "decisions")

# Statements built once: applying a message runs a handful of them, thousands of times a second.
_SEEN = select(messages.c.outcome, messages.c.reason).where(
    messages.c.idempotency_key == bindparam("key")
)
_FORGET = messages.delete().where(messages.c.idempotency_key == bindparam("key"))
_CASE = select(cases).where(cases.c.receipt_no == bindparam("receipt"))
_AT_SEQ = select(messages.c.outcome).where(
    messages.c.receipt_no == bindparam("receipt"), messages.c.seq == bindparam("at_seq")
)
_ADD_MESSAGE = insert(messages)
_ADD_CASE = insert(cases)
_ADD_ITEMS = insert(items)
_ADD_EVENT = insert(events)
_ADD_CASE_FILE = insert(case_files)
_ADVANCE = (
    update(cases)
    .where(cases.c.receipt_no == bindparam("receipt"), cases.c.last_seq < bindparam("to_seq"))
    .values(last_seq=bindparam("to_seq"), updated_at=bindparam("now"))
)
_SET_STATE = (
    update(cases)
    .where(cases.c.receipt_no == bindparam("receipt"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now"))
)
_DROP_ITEMS = items.delete().where(items.c.receipt_no == bindparam("receipt"))
_DISPATCH = (
    update(items)
    .where(items.c.receipt_no == bindparam("receipt"), items.c.item == bindparam("item_id"),
           items.c.state == "waiting")
    .values(state="dispatched", due_at=bindparam("due"))
)  # fmt: skip
_END_ITEMS = (
    update(items)
    .where(items.c.receipt_no == bindparam("receipt"), items.c.state.in_(("waiting", "dispatched")))
    .values(state="ended")
)
_NEXT_NUMBER = (
    update(counters)
    .where(counters.c.name == "registered")
    .values(value=counters.c.value + 1)
    .returning(counters.c.value)
)


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Terminal:
    id: str
    hall_code: str
    role: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Rejected(Exception):
    """A message the platform refuses for good; the reason is shown to a person at the hall."""


class NotPreApplication(Exception):
    """The case is no longer (or never was) a pre-application a window can pick up."""


# Why a case of the platform cannot be picked up as a pre-application, by its state there.
PICKED_UP = "该预申请已经在窗口受理过，不能再次调取；请按受理编号查询办件进度。"
NOT_PENDING = {
    "accepted": PICKED_UP, "accepted_on_commitment": PICKED_UP, "completed": PICKED_UP,
    "delivered": PICKED_UP,
    "not_accepted": "该预申请已经在窗口作出不予受理决定，不能再调取；如需办理，请申请人重新申请。",
    "withdrawn": "该预申请已经撤回，不能再调取；如需办理，请申请人重新申请。",
}  # fmt: skip


# Columns added since a platform folder may have been made (create_all adds only new tables).
ADDED_COLUMNS = {("evaluations", "reasons"): "JSON NOT NULL DEFAULT '[]'"}


def _add_columns(engine: Engine) -> None:
    with engine.begin() as connection:
        for (table_name, column), definition in ADDED_COLUMNS.items():
            if column not in {c["name"] for c in inspect(connection).get_columns(table_name)}:
                connection.execute(
                    sql(f"ALTER TABLE {table_name} ADD COLUMN {column} {definition}")
                )


class PlatformStore:
    def __init__(self, folder: Path, *, decide_after: timedelta = timedelta(seconds=2)) -> None:
        self.folder = folder
        self.files_dir = folder / "files"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(f"sqlite:///{folder / 'platform.sqlite3'}")
        metadata.create_all(self.engine)
        _add_columns(self.engine)
        self.decide_after = decide_after
        self.reject_receipts: set[str] = set()
        self._write = threading.Lock()  # one writer; SQLite would make the others wait anyway

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._write, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
            yield connection

    # -- terminals --------------------------------------------------------------------------------
    def add_terminal(self, terminal_id: str, hall_code: str, *, role: str = "terminal") -> str:
        """Register a terminal (or give it a new credential); returns its token, shown once."""
        token = f"{terminal_id}.{secrets.token_urlsafe(24)}"
        row = {"hall_code": hall_code, "token_sha256": token_digest(token), "role": role,
               "enabled": True}  # fmt: skip
        with self._tx() as connection:
            found = connection.execute(
                select(terminals.c.id).where(terminals.c.id == terminal_id)
            ).first()
            if found:
                connection.execute(update(terminals).where(terminals.c.id == terminal_id), row)
            else:
                connection.execute(
                    insert(terminals), {"id": terminal_id, "created_at": utcnow(), **row}
                )
        return token

    def disable_terminal(self, terminal_id: str) -> None:
        with self._tx() as connection:
            connection.execute(
                update(terminals).where(terminals.c.id == terminal_id).values(enabled=False)
            )

    def authenticate(self, authorization: str | None) -> Terminal:
        """401 without a valid token; 403 for a known terminal that is switched off."""
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthError(401, "缺少终端凭证。")
        token = authorization.removeprefix("Bearer ").strip()
        with self._read() as connection:
            row = connection.execute(
                select(terminals).where(terminals.c.token_sha256 == token_digest(token))
            ).first()
        if row is None:
            raise AuthError(401, "终端凭证无效。")
        if not row.enabled:
            raise AuthError(403, f"终端 {row.id} 已停用。")
        return Terminal(row.id, row.hall_code, row.role)

    # -- messages ---------------------------------------------------------------------------------
    def apply(self, terminal: Terminal, batch: Sequence[Envelope]) -> list[MessageResult]:
        now = utcnow()
        results = []
        with self._tx() as connection:
            counts = dict.fromkeys(COUNTERS, 0)
            for envelope in batch:
                result = self._apply_one(connection, terminal, envelope, now)
                counts[_COUNTER[result.outcome]] += 1
                results.append(result)
            _count(connection, counts)
        return results

    def _apply_one(
        self, connection: Connection, terminal: Terminal, envelope: Envelope, now: datetime
    ) -> MessageResult:
        key, receipt_no = envelope.idempotency_key, envelope.receipt_no
        seen = connection.execute(_SEEN, {"key": key}).first()
        case = connection.execute(_CASE, {"receipt": receipt_no}).first()
        platform_no = case.platform_no if case else ""
        if seen is not None and seen.outcome == "applied":
            return MessageResult(idempotency_key=key, outcome="duplicate", platform_no=platform_no)
        if seen is not None:  # refused before, changed nothing: judged again (it may pass now)
            connection.execute(_FORGET, {"key": key})
        last = case.last_seq if case else 0
        previous = envelope.seq - 1 if envelope.prev_seq is None else envelope.prev_seq
        if previous >= envelope.seq:
            return self._record(connection, terminal, envelope, now, platform_no=platform_no,
                                reason="prev_seq 必须小于 seq。")  # fmt: skip
        if last < previous:
            return MessageResult(
                idempotency_key=key, outcome="out_of_order", platform_no=platform_no,
                reason=f"平台尚未收到该办件的第 {previous} 条消息。",
            )  # fmt: skip
        if envelope.seq <= last:
            earlier = (
                connection.execute(_AT_SEQ, {"receipt": receipt_no, "at_seq": envelope.seq})
                .scalars()
                .all()
            )
            if "applied" in earlier:
                return self._record(connection, terminal, envelope, now, platform_no=platform_no,
                                    reason=f"该办件的第 {envelope.seq} 条消息已经处理过，"
                                    "不能再用新的编号发送。")  # fmt: skip
        try:
            platform_no = self._effect(connection, terminal, envelope, case, now)
        except Rejected as exc:
            return self._record(
                connection, terminal, envelope, now, platform_no=platform_no, reason=str(exc)
            )
        return self._record(connection, terminal, envelope, now, platform_no=platform_no, reason="")

    def _record(
        self, connection: Connection, terminal: Terminal, envelope: Envelope, now: datetime, *,
        platform_no: str, reason: str,
    ) -> MessageResult:  # fmt: skip
        """Store the outcome by key; either way the case's sequence moves past this message, so
        a corrected resend (a new key, same seq) or a cancellation at the hall lets it go on."""
        outcome = "rejected" if reason else "applied"
        connection.execute(_ADD_MESSAGE, {
            "idempotency_key": envelope.idempotency_key, "receipt_no": envelope.receipt_no,
            "seq": envelope.seq, "kind": envelope.kind, "body": envelope.body,
            "terminal": terminal.id, "outcome": outcome, "reason": reason, "received_at": now,
        })  # fmt: skip
        connection.execute(_ADVANCE, {"receipt": envelope.receipt_no, "to_seq": envelope.seq,
                                      "now": now})  # fmt: skip
        return MessageResult(idempotency_key=envelope.idempotency_key, outcome=outcome,
                             reason=reason, platform_no=platform_no)  # fmt: skip

    def _effect(
        self, connection: Connection, terminal: Terminal, envelope: Envelope, case: Any,
        now: datetime,
    ) -> str:  # fmt: skip
        """What the message changes; returns the case's platform number."""
        try:
            body = contract.BODIES[envelope.kind].model_validate(envelope.body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise Rejected(f"消息内容不符合接口规范：{where} {first['msg']}") from None
        if getattr(body, "receipt_no", envelope.receipt_no) != envelope.receipt_no:
            raise Rejected("消息内容中的办件编号与消息头不一致。")
        if envelope.receipt_no in self.reject_receipts:
            raise Rejected("该办件的申请人信息未通过平台核验（测试用：平台设置为拒收此办件）。")
        if case is None:
            if not isinstance(body, contract.Submission):
                raise Rejected("平台还没有这个办件：第一条消息必须是办事申请。")
            return self._register(connection, terminal, envelope, body, now)
        if case.hall_code != terminal.hall_code:
            raise Rejected(f"办件 {case.receipt_no} 属于其他大厅（{case.hall_code}）。")
        handler = getattr(self, f"_on_{envelope.kind}")
        handler(connection, case, body, now)
        if isinstance(body, contract.MaterialFile):  # the hall's windows may now download it
            connection.execute(_ADD_CASE_FILE, {
                "receipt_no": case.receipt_no, "seq": envelope.seq, "sha256": body.sha256,
                "material": body.material, "name": body.name, "file_name": body.file_name,
                "mime": body.mime, "size": body.size,
            })  # fmt: skip
        return str(case.platform_no)

    def _register(
        self, connection: Connection, terminal: Terminal, envelope: Envelope,
        body: contract.Submission, now: datetime,
    ) -> str:  # fmt: skip
        _check_items(body.items)
        number = connection.scalar(_NEXT_NUMBER)
        if number is None:
            connection.execute(insert(counters), {"name": "registered", "value": 1})
            number = 1
        platform_no = f"{body.hall_code}{now:%Y%m%d}{number:08d}"
        connection.execute(_ADD_CASE, {
            "receipt_no": envelope.receipt_no, "hall_code": terminal.hall_code,
            "platform_no": platform_no, "last_seq": 0, "state": "submitted",
            "scenario": body.scenario, "submission": envelope.body, "created_at": now,
            "updated_at": now,
        })  # fmt: skip
        self._set_items(connection, envelope.receipt_no, body.items)
        self._event(connection, terminal.hall_code, envelope.receipt_no, "registered",
                    {"platform_no": platform_no}, at=now)  # fmt: skip
        return platform_no

    @staticmethod
    def _set_items(connection: Connection, receipt_no: str, given: Sequence[contract.Item]) -> None:
        connection.execute(_DROP_ITEMS, {"receipt": receipt_no})
        connection.execute(_ADD_ITEMS, [{
            "receipt_no": receipt_no, "item": i.item, "code": i.code, "name": i.name,
            "result_name": i.result or i.name, "needs": list(i.needs), "state": "waiting",
            "due_at": None, "decided_at": None, "result_no": "",
        } for i in given])  # fmt: skip

    def _on_submission(self, connection: Connection, case: Any, body: Any, now: datetime) -> None:
        raise Rejected("该办件已经申报过；修改请发送“申报信息更新”。")

    def _on_update(
        self, connection: Connection, case: Any, body: contract.Submission, now: datetime
    ) -> None:
        if case.state != "submitted":
            raise Rejected("办件已受理或已办结，不能再修改申报信息。")
        _check_items(body.items)
        connection.execute(
            update(cases).where(cases.c.receipt_no == case.receipt_no)
            .values(submission=body.model_dump(mode="json"), updated_at=now)
        )  # fmt: skip
        self._set_items(connection, case.receipt_no, body.items)

    def _on_material(
        self, connection: Connection, case: Any, body: contract.MaterialFile, now: datetime
    ) -> None:
        stored = connection.execute(select(files).where(files.c.sha256 == body.sha256)).first()
        if stored is None or not stored.complete:
            raise Rejected(f"材料文件 {body.file_name} 尚未完整上传到平台。")

    def _on_acceptance(
        self, connection: Connection, case: Any, body: contract.Acceptance, now: datetime
    ) -> None:
        if case.state != "submitted":
            raise Rejected(f"办件当前状态为 {case.state}，不能受理。")
        self._set_state(connection, case.receipt_no, body.state, now)
        self._dispatch(connection, case.receipt_no,
                       [i.item for i in body.items if i.state == "dispatched"], now)  # fmt: skip

    def _on_not_accepted(
        self, connection: Connection, case: Any, body: contract.NotAccepted, now: datetime
    ) -> None:
        self._set_state(connection, case.receipt_no, "not_accepted", now)
        self._end_items(connection, case.receipt_no)

    def _on_dispatch(
        self, connection: Connection, case: Any, body: contract.Dispatch, now: datetime
    ) -> None:
        self._dispatch(connection, case.receipt_no, body.dispatched, now)

    def _on_supplement(self, connection: Connection, case: Any, body: Any, now: datetime) -> None:
        if case.state == "accepted_on_commitment" and body.fulfilled:
            self._set_state(connection, case.receipt_no, "accepted", now)

    def _on_withdrawal(self, connection: Connection, case: Any, body: Any, now: datetime) -> None:
        self._set_state(connection, case.receipt_no, "withdrawn", now)
        self._end_items(connection, case.receipt_no)

    def _on_delivery(self, connection: Connection, case: Any, body: Any, now: datetime) -> None:
        self._set_state(connection, case.receipt_no, "delivered", now)

    def _on_evaluation(
        self, connection: Connection, case: Any, body: contract.Evaluation, now: datetime
    ) -> None:
        done = connection.execute(
            select(evaluations.c.id).where(
                evaluations.c.receipt_no == case.receipt_no, evaluations.c.stage == body.stage,
                evaluations.c.round == body.round,
            )
        ).first()  # fmt: skip
        if done:
            raise Rejected("该环节已经评价过。")
        connection.execute(insert(evaluations), {
            "receipt_no": case.receipt_no, "stage": body.stage, "round": body.round,
            "satisfaction": body.satisfaction.value, "channel": body.channel.value,
            "text": body.text, "reasons": body.reasons, "at": body.at,
        })  # fmt: skip

    @staticmethod
    def _set_state(connection: Connection, receipt_no: str, state: str, now: datetime) -> None:
        connection.execute(_SET_STATE, {"receipt": receipt_no, "new_state": state, "now": now})

    def _dispatch(
        self, connection: Connection, receipt_no: str, item_ids: Sequence[str], now: datetime
    ) -> None:
        due = now + self.decide_after
        if item_ids:
            connection.execute(_DISPATCH, [{"receipt": receipt_no, "item_id": i, "due": due}
                                           for i in item_ids])  # fmt: skip

    @staticmethod
    def _end_items(connection: Connection, receipt_no: str) -> None:
        connection.execute(_END_ITEMS, {"receipt": receipt_no})

    @staticmethod
    def _event(
        connection: Connection, hall_code: str, receipt_no: str, kind: str, data: dict[str, Any],
        *, at: datetime,
    ) -> None:  # fmt: skip
        connection.execute(_ADD_EVENT, {"hall_code": hall_code, "receipt_no": receipt_no,
                                            "kind": kind, "at": at, "data": data})  # fmt: skip

    # -- departments ------------------------------------------------------------------------------
    def decide_due(self, now: datetime | None = None, *, limit: int = 500) -> int:
        """Departments decide the items whose time has come (approved, with a result number);
        an item that needs results is dispatched when they are all in. Returns how many."""
        now = now or utcnow()
        with self._tx() as connection:
            due = connection.execute(
                select(items, cases.c.hall_code, cases.c.platform_no)
                .join(cases, cases.c.receipt_no == items.c.receipt_no)
                .where(items.c.state == "dispatched", items.c.due_at <= now)
                .order_by(items.c.due_at).limit(limit)
            ).all()  # fmt: skip
            for item in due:
                result_no = f"{item.code[-12:] or 'R'}-{item.platform_no[-8:]}-{item.item[:12]}"
                connection.execute(
                    update(items)
                    .where(items.c.receipt_no == item.receipt_no, items.c.item == item.item)
                    .values(state="approved", decided_at=now, result_no=result_no)
                )  # fmt: skip
                self._event(connection, item.hall_code, item.receipt_no, "item_decision", {
                    "item": item.item, "approved": True, "opinion": "准予办理",
                    "result_name": item.result_name, "result_no": result_no,
                    "decided_at": now.isoformat(),
                }, at=now)  # fmt: skip
                self._after_decision(connection, item.receipt_no, item.hall_code, now)
            _count(connection, {"decisions": len(due)})
        return len(due)

    def _after_decision(
        self, connection: Connection, receipt_no: str, hall_code: str, now: datetime
    ) -> None:
        rows = connection.execute(select(items).where(items.c.receipt_no == receipt_no)).all()
        approved = {r.item for r in rows if r.state == "approved"}
        chosen = {r.item for r in rows}
        ready = [
            r.item for r in rows
            if r.state == "waiting" and all(n in approved or n not in chosen for n in r.needs)
        ]  # fmt: skip
        self._dispatch(connection, receipt_no, ready, now)
        if all(r.state in ("approved", "refused", "ended") for r in rows) and not ready:
            self._set_state(connection, receipt_no, "completed", now)
            self._event(connection, hall_code, receipt_no, "completed", {
                "results": [{"item": r.item, "result_name": r.result_name,
                             "result_no": r.result_no} for r in rows if r.state == "approved"],
            }, at=now)  # fmt: skip

    # -- the event feed ---------------------------------------------------------------------------
    def events_after(self, hall_code: str, after: int, limit: int) -> contract.EventPage:
        with self._read() as connection:
            rows = connection.execute(
                select(events)
                .where(events.c.hall_code == hall_code, events.c.id > after)
                .order_by(events.c.id).limit(limit)
            ).all()  # fmt: skip
        page = [contract.Event(id=r.id, receipt_no=r.receipt_no, kind=r.kind, at=r.at,
                               data=r.data) for r in rows]  # fmt: skip
        return contract.EventPage(events=page, last_id=page[-1].id if page else after)

    # -- pre-applications picked up at a window --------------------------------------------------
    def pre_application(self, hall_code: str, receipt_no: str) -> contract.PreApplication:
        """The pre-application ``receipt_no`` for a terminal of ``hall_code``, with the scans that
        have arrived and those announced but not arrived yet. :class:`LookupError` when there is
        none in that hall (another hall's case is not revealed), :class:`NotPreApplication` when
        the case has gone past it."""
        with self._read() as connection:
            case = connection.execute(_CASE, {"receipt": receipt_no}).first()
            if case is None or case.hall_code != hall_code:
                raise LookupError(receipt_no)
            attached = connection.execute(
                select(case_files, files.c.complete)
                .outerjoin(files, files.c.sha256 == case_files.c.sha256)
                .where(case_files.c.receipt_no == receipt_no).order_by(case_files.c.seq)
            ).all()  # fmt: skip
        if case.state in NOT_PENDING:
            raise NotPreApplication(NOT_PENDING[case.state])
        submission = contract.Submission.model_validate(case.submission)
        if submission.channel == "counter":
            raise NotPreApplication(
                f"办件 {receipt_no} 是在窗口办理的办件，不是预申请；请在办理它的窗口继续。"
            )
        arrived: list[contract.Attachment] = []
        missing: list[contract.Attachment] = []
        for row in attached:
            attachment = contract.Attachment(
                material=row.material, name=row.name, sha256=row.sha256,
                file_name=row.file_name, mime=row.mime, size=row.size, seq=row.seq,
            )  # fmt: skip
            whole = row.complete and self.file_path(row.sha256).is_file()
            (arrived if whole else missing).append(attachment)
        seen = {row.seq for row in attached}
        # Announced and still to come; one the sequence went past was cancelled or refused.
        missing += [a for a in submission.attachments
                    if a.seq not in seen and a.seq > case.last_seq]  # fmt: skip
        return contract.PreApplication(
            receipt_no=receipt_no, platform_no=case.platform_no, last_seq=case.last_seq,
            submission=submission, files=arrived, missing=sorted(missing, key=lambda a: a.seq),
            complete=not missing,
        )  # fmt: skip

    def case_file(self, hall_code: str, sha256: str) -> Path | None:
        """The whole file ``sha256`` if a case of ``hall_code`` holds it as a scan, else None:
        scans are personal documents, and knowing a hash is no reason to get one."""
        with self._read() as connection:
            held = connection.execute(
                select(files.c.sha256)
                .join(case_files, case_files.c.sha256 == files.c.sha256)
                .join(cases, cases.c.receipt_no == case_files.c.receipt_no)
                .where(files.c.sha256 == sha256, files.c.complete,
                       cases.c.hall_code == hall_code)
                .limit(1)
            ).first()  # fmt: skip
        path = self.file_path(sha256)
        return path if held is not None and path.is_file() else None

    # -- files ------------------------------------------------------------------------------------
    def file_path(self, sha256: str) -> Path:
        return self.files_dir / sha256[:2] / sha256

    def start_file(self, sha256: str, size: int, mime: str) -> contract.FileStatus:
        with self._tx() as connection:
            row = connection.execute(select(files).where(files.c.sha256 == sha256)).first()
            if row is None:
                connection.execute(insert(files), {
                    "sha256": sha256, "size": size, "mime": mime, "received": 0,
                    "complete": False, "created_at": utcnow(),
                })  # fmt: skip
                partial = self._partial(sha256)
                partial.parent.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(b"")
                return contract.FileStatus(sha256=sha256, size=size, received=0, complete=False)
            if row.size != size:
                raise Rejected(f"文件大小与之前登记的不一致（{row.size} 字节）。")
            return _file_status(row)

    def file_status(self, sha256: str) -> contract.FileStatus | None:
        with self._read() as connection:
            row = connection.execute(select(files).where(files.c.sha256 == sha256)).first()
        return _file_status(row) if row else None

    def append_file(self, sha256: str, offset: int, chunk: bytes) -> contract.FileStatus:
        """Add bytes at ``offset`` (which must be what the platform has); at the end the whole
        file must hash to its name, or the upload starts over."""
        with self._tx() as connection:
            row = connection.execute(select(files).where(files.c.sha256 == sha256)).first()
            if row is None:
                raise KeyError(sha256)
            if row.complete:
                return _file_status(row)
            if offset != row.received:
                raise OffsetMismatch(_file_status(row))
            if row.received + len(chunk) > row.size:
                raise Rejected("上传的字节数超过了登记的文件大小。")
            partial = self._partial(sha256)
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
                    connection.execute(
                        update(files).where(files.c.sha256 == sha256).values(received=0)
                    )
                    raise Rejected("文件内容与 SHA-256 不符，已清空，请重新上传。")
                partial.replace(self.file_path(sha256))
            connection.execute(
                update(files)
                .where(files.c.sha256 == sha256)
                .values(received=received, complete=complete)
            )
            return contract.FileStatus(
                sha256=sha256, size=row.size, received=received, complete=complete
            )

    def _partial(self, sha256: str) -> Path:
        path = self.files_dir / sha256[:2] / f"{sha256}.part"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    # -- catalogs ---------------------------------------------------------------------------------
    def publish_catalog(self, bundle: contract.CatalogBundle) -> contract.CatalogInfo:
        if files_digest(bundle.files) != bundle.sha256:
            raise Rejected("目录文件的 SHA-256 与声明的不一致。")
        with self._tx() as connection:
            row = connection.execute(
                select(catalogs).where(catalogs.c.version == bundle.version)
            ).first()
            if row is not None:
                if row.sha256 != bundle.sha256:
                    raise Rejected(
                        f"目录 {bundle.version} 版已发布过且内容不同；请使用新的版本号。"
                    )
                return contract.CatalogInfo(version=row.version, sha256=row.sha256,
                                            published_at=row.published_at)  # fmt: skip
            now = utcnow()
            connection.execute(insert(catalogs), {"version": bundle.version,
                                                  "sha256": bundle.sha256, "files": bundle.files,
                                                  "published_at": now})  # fmt: skip
        return contract.CatalogInfo(version=bundle.version, sha256=bundle.sha256, published_at=now)

    def latest_catalog(self) -> contract.CatalogInfo | None:
        with self._read() as connection:
            row = connection.execute(
                select(catalogs.c.version, catalogs.c.sha256, catalogs.c.published_at)
                .order_by(catalogs.c.published_at.desc()).limit(1)
            ).first()  # fmt: skip
        if row is None:
            return None
        return contract.CatalogInfo(version=row.version, sha256=row.sha256,
                                    published_at=row.published_at)  # fmt: skip

    def catalog(self, version: str) -> contract.CatalogBundle | None:
        with self._read() as connection:
            row = connection.execute(select(catalogs).where(catalogs.c.version == version)).first()
        if row is None:
            return None
        return contract.CatalogBundle(version=row.version, sha256=row.sha256, files=row.files)

    # -- shared data and e-licences ---------------------------------------------------------------
    def seed_person(
        self, id_number: str, facts: dict[str, Any], *, source: str,
        licences_: Sequence[tuple[str, str, str, str]] = (),
    ) -> None:  # fmt: skip
        """A test person: shared facts, and e-licences as (licence, number, issuer, name)."""
        with self._tx() as connection:
            connection.execute(persons.delete().where(persons.c.id_number == id_number))
            connection.execute(licences.delete().where(licences.c.id_number == id_number))
            connection.execute(insert(persons), {"id_number": id_number, "facts": facts,
                                                 "source": source})  # fmt: skip
            if licences_:
                connection.execute(insert(licences), [
                    {"id_number": id_number, "licence": lic, "number": number, "issuer": issuer,
                     "name": name} for lic, number, issuer, name in licences_
                ])  # fmt: skip

    def facts(self, id_number: str) -> contract.Facts:
        with self._read() as connection:
            row = connection.execute(
                select(persons).where(persons.c.id_number == id_number)
            ).first()
        if row is None:
            return contract.Facts(id_number=id_number, facts={}, source="")
        return contract.Facts(id_number=id_number, facts=row.facts, source=row.source)

    def licence(self, id_number: str, licence: str) -> contract.LicenceCheck:
        with self._read() as connection:
            row = connection.execute(
                select(licences).where(licences.c.id_number == id_number,
                                       licences.c.licence == licence)
            ).first()  # fmt: skip
        if row is None:
            return contract.LicenceCheck(id_number=id_number, licence=licence, valid=False)
        return contract.LicenceCheck(
            id_number=id_number, licence=licence, valid=True, number=row.number,
            issuer=row.issuer, name=row.name,
        )  # fmt: skip

    # -- what it holds ----------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        with self._read() as connection:

            def count(table: Table) -> int:
                return connection.scalar(select(func.count()).select_from(table)) or 0

            counted = dict(connection.execute(select(counters.c.name, counters.c.value)).all())
            return {
                "cases": count(cases),
                "cases_by_state": dict(
                    connection.execute(
                        select(cases.c.state, func.count()).group_by(cases.c.state)
                    ).all()
                ),
                "messages_applied": counted.get("applied", 0),
                "duplicates_refused": counted.get("duplicates", 0),
                "out_of_order_refused": counted.get("out_of_order", 0),
                "messages_rejected": counted.get("rejected", 0),
                "decisions": counted.get("decisions", 0),
                "files": connection.scalar(
                    select(func.count()).select_from(files).where(files.c.complete)
                ) or 0,
                "evaluations": count(evaluations),
                "events": count(events),
                "catalogs": count(catalogs),
                "terminals": count(terminals),
            }  # fmt: skip


class OffsetMismatch(Exception):
    def __init__(self, status: contract.FileStatus) -> None:
        super().__init__(f"上传位置不对：平台已有 {status.received} 字节。")
        self.status = status


_COUNTER = {"applied": "applied", "duplicate": "duplicates", "out_of_order": "out_of_order",
            "rejected": "rejected"}  # fmt: skip


def _count(connection: Connection, counts: dict[str, int]) -> None:
    for name, value in counts.items():
        if not value:
            continue
        done = connection.execute(
            update(counters).where(counters.c.name == name)
            .values(value=counters.c.value + value)
        ).rowcount  # fmt: skip
        if not done:
            connection.execute(insert(counters), {"name": name, "value": value})


def _check_items(given: Sequence[contract.Item]) -> None:
    """Before anything is written: each sub-case once (the items table is keyed by it)."""
    seen: set[str] = set()
    for item in given:
        if item.item in seen:
            raise Rejected(f"子办件 {item.item} 在申报信息中重复出现。")
        seen.add(item.item)


def _file_status(row: Any) -> contract.FileStatus:
    return contract.FileStatus(sha256=row.sha256, size=row.size, received=row.received,
                               complete=row.complete)  # fmt: skip


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
