"""OneStop's platform contract: what a terminal and the provincial platform say to each other.

Real provinces' interfaces differ, so OneStop speaks this contract and a province plugs in as an
adapter behind :class:`sync.client.Platform`. The models below are the single definition: the
reference server validates with them, the sender builds its requests with them, and
``sync/openapi.json`` is generated from them (a test keeps it current).

Field names are English; each carries the GB/T 39046—2020 data element it stands for, and coded
values use that standard's code sets (办件类型, 办理形式, 评价渠道, 满意度 A.8) where one exists.

Everything a terminal sends or gets back belongs to its hall, the one its token was issued for:
receipt numbers (which begin with the hall's code and a hyphen), idempotency keys, files (named
by SHA-256), event ids and audit anchors are scoped by hall. Two halls may use the same key or
hold the same file independently; another hall's case, file or pre-application answers exactly
like one that does not exist. Catalogs and shared data are the province's, the same for every hall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticSerializationError, to_json

API = "/api/v1"
SHA256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, lower-case hex")]
ReceiptNo = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="办件编号: the hall's 受理编号, beginning with the hall's code and a hyphen "
        "(<hall code>-<YYYYMMDD>-<sequence>); a number that is not the sending terminal's "
        "hall's is refused",
    ),
]
Text = Annotated[str, Field(max_length=2000)]
Short = Annotated[str, Field(max_length=200)]


# The validation context for a value read straight from JSON bytes by pydantic's parser, which
# takes only text UTF-8 can carry: it refuses invalid UTF-8 and escaped lone surrogates.
FROM_JSON: dict[str, bool] = {"from_json": True}


def _unicode(value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    """JSON lets a string escape half a character (``"\\ud800"``); such text cannot be stored.
    Encoding to UTF-8 finds it (pydantic's encoder: a third of ``json.dumps``' time, and the
    platform checks every message body) — unless pydantic's parser read it (:data:`FROM_JSON`)."""
    if info.context is FROM_JSON:
        return value
    try:
        to_json(value, fallback=str)
    except PydanticSerializationError:
        raise ValueError("文本中有无效的 Unicode 字符（单独的代理项）。") from None
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_unicode)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- code sets (GB/T 39046—2020) -----------------------------------------------------------------
class ServiceForm(StrEnum):
    """办理形式: 1 窗口办理, 2 电脑端, 3 移动端, 4 快递. A kiosk in the hall counts as 窗口."""

    window = "1"
    pc = "2"
    mobile = "3"
    courier = "4"


class CaseType(StrEnum):
    """办件类型: 1 即办件, 2 承诺件."""

    immediate = "1"
    promised = "2"


class EvaluationChannel(StrEnum):
    """评价渠道: PC端, 移动端, 二维码, 政务大厅平板电脑, 政务大厅其他终端, 电话, 短信."""

    pc = "1"
    mobile = "2"
    qr = "3"
    hall_pad = "4"
    kiosk = "5"
    phone = "6"
    sms = "7"


class Satisfaction(StrEnum):
    """满意度 (GB/T 39046 A.8): 1 非常满意 … 5 非常不满意 — the reverse of OneStop's levels
    (5 = 非常满意); :func:`satisfaction` converts."""

    very_satisfied = "1"
    satisfied = "2"
    basically_satisfied = "3"
    dissatisfied = "4"
    very_dissatisfied = "5"


def satisfaction(level: int) -> Satisfaction:
    return Satisfaction(str(6 - level))


CHANNEL_FORMS = {
    "counter": ServiceForm.window,
    "kiosk": ServiceForm.window,
    "online": ServiceForm.pc,
}


# -- what the hall sends: messages of a case, in order -------------------------------------------
class Party(Model):
    """申请者 / 代理人: 名称, 证件类型, 证件号码, 联系电话, 通讯地址."""

    name: Short
    id_number: Short
    kind: Literal["person", "enterprise"] = "person"
    phone: Short = ""
    address: Short = ""


class Item(Model):
    """A sub-case (子办件) of the case: one 事项 by its 实施编码 (or 基本编码)."""

    item: Short
    code: Short = Field(description="实施编码 or 基本编码")
    name: Short = ""
    department: Short = ""
    needs: list[Short] = Field(default_factory=list, description="items whose results it needs")
    result: Short = Field(default="", description="结果名称")
    state: Short = ""


class Material(Model):
    """申请材料: 是否收取 / 收取方式 / 收取数量."""

    material: Short
    name: Short = ""
    status: Short = ""
    form: Short = ""
    copies: int = Field(default=1, ge=0, le=1000)


class Attachment(Model):
    """A scan (附件) of a material of a case, carried by the case's message ``seq``."""

    material: Short
    name: Short = ""
    sha256: SHA256
    file_name: Short
    mime: Short
    size: int = Field(ge=0)
    seq: int = Field(ge=1, le=1_000_000, description="the ``material`` message that carries it")


class Submission(Model):
    """办事申请 (also sent again as ``update`` while a pre-application changes).

    ``attachments`` announces the scans the hall has queued for the case: the messages that
    carry them follow this one, so a window picking up a pre-application from another terminal
    can tell whether they have all arrived."""

    receipt_no: ReceiptNo
    hall_code: Short = Field(
        description="受理单位 (the hall's code): the sending terminal's hall, or the message "
        "is refused"
    )
    channel: Literal["counter", "kiosk", "online"]
    service_form: ServiceForm = Field(description="办理形式")
    scenario: Short = Field(description="一件事 code")
    catalog_version: Short
    applicant: Party
    agent: Party | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1, max_length=100)
    form: dict[str, str] = Field(default_factory=dict)
    materials: list[Material] = Field(default_factory=list, max_length=500)
    attachments: list[Attachment] = Field(default_factory=list, max_length=2000)
    created_at: datetime = Field(description="申请时间")


class MaterialFile(Model):
    """A scan of a material (附件); its bytes are uploaded first under ``/files/{sha256}`` by
    the same hall (another hall's upload of the same file does not count)."""

    receipt_no: ReceiptNo
    material: Short
    name: Short = ""
    sha256: SHA256
    file_name: Short
    mime: Short
    size: int = Field(ge=0)


class Acceptance(Model):
    """受理: 受理时间, 承诺办结时间, 办件类型; 容缺受理 carries the commitment."""

    receipt_no: ReceiptNo
    state: Literal["accepted", "accepted_on_commitment"]
    case_type: CaseType = Field(description="办件类型")
    accepted_at: datetime
    promised_days: int = Field(ge=0, le=3650)
    promised_calendar_days: int = Field(
        default=0, ge=0, le=3650, description="承诺时限另加的自然日（公示期、异议期等）"
    )
    promised_date: date = Field(description="承诺办结时间")
    calendar_warning: Text = ""
    commitment: dict[str, Any] | None = None
    verification: dict[str, Any] | None = Field(
        default=None, description="告知承诺制：以承诺代替的材料、依赖它的事项和核查期限"
    )
    items: list[Item]
    materials: list[Material]


class NotAccepted(Model):
    """不予受理 (《行政许可法》第三十二条第一款)."""

    receipt_no: ReceiptNo
    ground: Literal["1", "2", "4"]
    ground_text: Text = ""
    reasons: list[Text] = Field(min_length=1)
    supplement: list[dict[str, str]] = Field(default_factory=list)
    office: Short = ""
    at: datetime


class Dispatch(Model):
    """Serial items sent to their departments after the results they needed came in."""

    receipt_no: ReceiptNo
    after_item: Short
    dispatched: list[Short]
    terminated: list[Short]


class Supplement(Model):
    receipt_no: ReceiptNo
    materials: list[Short] = Field(min_length=1)
    status: Short
    fulfilled: bool


class Lapse(Model):
    """容缺逾期未补交: the materials promised on commitment did not come by ``due_date``; the
    items that needed them (and those that needed their results) end, the departments are told."""

    receipt_no: ReceiptNo
    materials: list[Short] = Field(min_length=1)
    due_date: date
    terminated: list[Short] = Field(default_factory=list)
    state: Literal["accepted", "completed"]
    at: datetime


class Verification(Model):
    """告知承诺制 checked afterwards: the department's outcome for the proofs the applicant's
    commitment replaced. When false, the results resting on it are revoked (``revoked``), the
    items still open end (``terminated``) and the applicant gets a credit record (``credit_no``
    when the department gave its number)."""

    receipt_no: ReceiptNo
    outcome: Literal["true", "false"]
    checked_on: date
    department: Short
    note: Text = ""
    materials: list[Short] = Field(min_length=1)
    revoked: list[Short] = Field(default_factory=list)
    terminated: list[Short] = Field(default_factory=list)
    credit_no: Short = ""
    state: Literal["accepted", "accepted_on_commitment", "completed", "delivered"]
    at: datetime


class Assistance(Model):
    """帮办代办 and special groups (GB/T 45836 §7.4.3–7.4.4): the mode (帮办、代办、陪同办 or
    none), who helped for how many minutes, the applicant's special groups and what was offered.
    Sent again when the hall corrects it; the last one holds."""

    receipt_no: ReceiptNo
    mode: Literal["bangban", "daiban", "peitong"] | None = None
    helper: Short = ""
    minutes: int | None = Field(default=None, ge=1, le=600)
    groups: list[Literal["elderly", "disabled", "pregnant", "military"]] = Field(
        default_factory=list, max_length=4
    )
    offered: list[Literal["priority", "accompany", "proxy"]] = Field(
        default_factory=list, max_length=3
    )
    at: datetime


class Withdrawal(Model):
    """撤回, with the materials handed back."""

    receipt_no: ReceiptNo
    reason: Text
    returned_to: Short
    returned: list[dict[str, Any]] = Field(default_factory=list)
    terminated_items: list[Short] = Field(default_factory=list)
    at: datetime


class Delivery(Model):
    """出件: 是否快递, 收件人, 运单号."""

    receipt_no: ReceiptNo
    method: Literal["pickup", "mail", "electronic"]
    method_label: Short = ""
    recipient: Short = ""
    recipient_id_number: Short = ""
    phone: Short = ""
    address: Short = ""
    tracking_no: Short = ""
    signature_sha256: SHA256 | None = None
    note: Text = ""
    at: datetime


class Evaluation(Model):
    """好差评: 评价渠道, 评价次数 (首评/追评), 满意度, 文字评价, 评价选项, 评价环节."""

    receipt_no: ReceiptNo
    stage: Literal["accept", "complete"]
    round: Literal["first", "follow_up"]
    satisfaction: Satisfaction
    channel: EvaluationChannel
    text: Text = ""
    reasons: list[Short] = Field(
        default_factory=list,
        max_length=10,
        description="评价选项: the reasons chosen from those the level offers (none before "
        "terminals offered them)",
    )
    at: datetime


BODIES: dict[str, type[Model]] = {
    "submission": Submission,
    "update": Submission,
    "material": MaterialFile,
    "acceptance": Acceptance,
    "not_accepted": NotAccepted,
    "dispatch": Dispatch,
    "supplement": Supplement,
    "lapse": Lapse,
    "verification": Verification,
    "assistance": Assistance,
    "withdrawal": Withdrawal,
    "delivery": Delivery,
    "evaluation": Evaluation,
}
Kind = Literal[
    "submission",
    "update",
    "material",
    "acceptance",
    "not_accepted",
    "dispatch",
    "supplement",
    "lapse",
    "verification",
    "assistance",
    "withdrawal",
    "delivery",
    "evaluation",
]


class Envelope(Model):
    """One message of a case of the sending terminal's hall. The platform applies a case's
    messages in ``seq`` order — a message waits (``out_of_order``) until the platform has its
    ``prev_seq`` — and each ``idempotency_key`` once per hall; sending it again is answered as a
    duplicate and changes nothing. Another hall's use of the same key is its own."""

    idempotency_key: Annotated[
        str, Field(min_length=1, max_length=120, description="unique within the hall")
    ]
    receipt_no: ReceiptNo
    seq: int = Field(ge=1, le=1_000_000)
    prev_seq: int | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="the case's previous message the hall sent (default seq - 1); numbers in "
        "between were cancelled at the hall and will never come",
    )
    kind: Kind
    body: JsonObject = Field(description="the model named by ``kind`` (see BODIES)")


class MessageBatch(Model):
    messages: list[Envelope] = Field(min_length=1, max_length=500)


@dataclass(frozen=True, slots=True)
class EncodedEnvelope:
    """An :class:`Envelope` on its way out: the header, and the body checked by its own model and
    encoded to JSON once. A terminal sends what it encoded; building the body's dictionary only to
    encode it again was a third of the sender's time, and a hundred of them kept alive a round
    made the garbage collector walk the whole heap every few rounds."""

    idempotency_key: str
    receipt_no: str
    seq: int
    prev_seq: int | None
    kind: Kind
    body_json: bytes  # a JSON object

    @classmethod
    def of(cls, envelope: Envelope) -> EncodedEnvelope:
        return cls(
            envelope.idempotency_key,
            envelope.receipt_no,
            envelope.seq,
            envelope.prev_seq,
            envelope.kind,
            to_json(envelope.body),
        )

    def envelope(self) -> Envelope:
        """As the platform reads it (an adapter that wants the model, a test)."""
        return Envelope.model_validate_json(self.json())

    def json(self) -> bytes:
        header = to_json(
            {
                "idempotency_key": self.idempotency_key,
                "receipt_no": self.receipt_no,
                "seq": self.seq,
                "prev_seq": self.prev_seq,
                "kind": self.kind,
            }
        )
        return b'%s,"body":%s}' % (header[:-1], self.body_json)


def batch_json(messages: Sequence[EncodedEnvelope]) -> bytes:
    """A :class:`MessageBatch` of ``messages`` as JSON."""
    return b'{"messages":[%s]}' % b",".join(m.json() for m in messages)


Outcome = Literal["applied", "duplicate", "out_of_order", "rejected"]


class MessageResult(Model):
    """``applied`` and ``duplicate`` are delivered; ``out_of_order`` comes back later (an earlier
    message of the case is missing); ``rejected`` is final, with the reason for a person."""

    idempotency_key: str
    outcome: Outcome
    reason: str = ""
    platform_no: str = Field(default="", description="the platform's 办件编号, once it has one")


class BatchResult(Model):
    results: list[MessageResult]


# -- files ---------------------------------------------------------------------------------------
class FileStart(Model):
    size: int = Field(ge=0, le=2 * 1024**3)
    mime: Short = "application/octet-stream"


class FileStatus(Model):
    """The hall's upload of a file; send the bytes from ``received`` on (``PATCH`` with
    ``Upload-Offset``). Each hall uploads its own files, even bytes another hall holds."""

    sha256: SHA256
    size: int
    received: int
    complete: bool


# -- what comes back -----------------------------------------------------------------------------
EventKind = Literal["registered", "item_decision", "completed", "status"]


class Event(Model):
    """``registered``: the platform's 办件编号; ``item_decision``: a department's 办结 of a
    sub-case (结果证照名称/编号); ``completed``: every item decided, results go to the window;
    ``status``: anything else the window should know. Only the hall's own cases' events."""

    id: int = Field(description="the hall's own sequence, increasing")
    receipt_no: ReceiptNo
    kind: EventKind
    at: datetime
    data: dict[str, Any] = Field(default_factory=dict)


class EventPage(Model):
    events: list[Event]
    last_id: int = Field(description="the cursor to send as ``after`` next time")


# -- a pre-application picked up at a window -----------------------------------------------------
class PreApplication(Model):
    """A kiosk's or online pre-application (预申请) that the platform holds, for a window of the
    same hall to pick up by its receipt number when the kiosk keeps its own database.

    ``files`` are the scans that have arrived, whole, in message order (download each from
    ``/files/{sha256}/content``); ``missing`` the announced ones whose message has not come yet
    (or whose file is not whole): while it is not ``complete``, ask again later. The window's
    own messages for the case follow ``last_seq``."""

    receipt_no: ReceiptNo
    platform_no: str = Field(description="the platform's 办件编号")
    last_seq: int = Field(ge=0, description="the case's last message the platform has")
    submission: Submission = Field(description="as the platform holds it (after any update)")
    files: list[Attachment]
    missing: list[Attachment] = Field(default_factory=list)
    complete: bool


# -- the hall's audit trail, anchored ------------------------------------------------------------
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="64 lower-case hex digits")]


class AuditAnchor(Model):
    """The head of an audit trail of the hall as a terminal saw it: its last entry, that entry's
    hash (HMAC-SM3 under the hall's audit key, which the platform never has) and the key's id.
    A hall has one trail per terminal — in hall mode each terminal writes its own chain in the
    shared database (a database from before also keeps the one chain it had), a terminal that
    keeps its own database has its own — told apart by ``chain``; any terminal of the hall may
    send the anchors of every chain of its database. The platform keeps every anchor, one per
    entry of a chain, and never changes one: the hall checks each trail against its latest
    (``onestop audit verify``), so entries up to there cannot be removed or rewritten
    unnoticed."""

    chain: str = Field(
        pattern=r"^[0-9a-f]{16,32}$", description="the trail's own id, given when it was keyed"
    )
    entry_id: int = Field(
        ge=1,
        le=2**62,
        description="the last entry's number in the hall's database (the numbers of one chain "
        "increase, with gaps where other chains' entries are)",
    )
    entry_hash: Hex64 = Field(description="the last entry's hash")
    key_id: str = Field(
        default="",
        max_length=40,
        pattern=r"^[0-9A-Za-z]*$",
        description="the id of the hall's audit key in force (empty: the chain is not keyed)",
    )
    at: datetime = Field(description="when the last entry was written")


class AnchorReceipt(Model):
    """``recorded``: the platform keeps it now; ``duplicate``: it had it already (a resend)."""

    chain: str
    entry_id: int
    entry_hash: Hex64
    outcome: Literal["recorded", "duplicate"]
    received_at: datetime


class AnchorRecord(AuditAnchor):
    """An anchor as the platform holds it: which terminal sent it, and when it arrived."""

    terminal: Short
    received_at: datetime


class AuditChains(Model):
    """The latest anchor of each of the hall's audit trails."""

    chains: list[AnchorRecord]


# -- catalogs, e-licences, shared data -----------------------------------------------------------
class CatalogInfo(Model):
    version: Short
    sha256: SHA256 = Field(description="of the canonical JSON of ``files``")
    published_at: datetime


class CatalogBundle(Model):
    version: Short
    sha256: SHA256
    files: dict[str, str] = Field(description="file name → YAML text", min_length=1)


class LicenceCheck(Model):
    """An e-licence (电子证照) of a person, verified by the platform's licence library."""

    id_number: Short
    licence: Short = Field(description="licence type, e.g. 居民户口簿")
    valid: bool
    number: Short = ""
    issuer: Short = ""
    name: Short = ""


class Facts(Model):
    """Shared data (共享数据) about a person, used for auto-answers and prefill."""

    id_number: Short
    facts: dict[str, Any]
    source: Short = Field(description="where the data comes from, shown to the clerk")


class Problem(Model):
    """Every error: a code for programs and a Chinese message for people."""

    code: str
    message: str


class Health(Model):
    status: Literal["ok"]
    time: datetime
    catalog_version: str = ""
