"""An outbox message as the platform contract wants it: the body of its kind, with the code sets.

The outbox stores what the case service knew, in its own words; this is the one place that turns
it into :mod:`sync.contract` models, so a province's adapter starts from the same envelopes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from app.cases.outbox import Message
from sync import contract


class NotSendable(ValueError):
    """A stored message the contract cannot carry: shown to a person, never sent half-right."""


def body_of(
    kind: str, payload: dict[str, Any], *, attachments: Sequence[contract.Attachment] = ()
) -> contract.Model:
    """The contract body for an outbox payload of ``kind``; a submission or update announces
    ``attachments``, the scans queued for its case."""
    data = dict(payload)
    try:
        if kind in ("submission", "update"):
            data["service_form"] = contract.CHANNEL_FORMS[data["channel"]]
            data["attachments"] = list(attachments)
        elif kind == "acceptance":
            # 即办件 when decided on the spot (no promised days), else 承诺件.
            immediate = not data.get("promised_days")
            data["case_type"] = contract.CaseType("1" if immediate else "2")
            data["calendar_warning"] = data.get("calendar_warning") or ""
        elif kind == "evaluation":
            data["satisfaction"] = contract.satisfaction(int(data.pop("level")))
            data["channel"] = contract.EvaluationChannel[data["channel"]]
        return contract.BODIES[kind].model_validate(data)
    except (ValidationError, KeyError, ValueError) as exc:
        raise NotSendable(f"本地消息不符合平台接口规范：{_first_error(exc)}") from None


def envelope(
    message: Message,
    *,
    attachments: Sequence[contract.Attachment] = (),
    prev_seq: int | None = None,
) -> contract.Envelope:
    """``message`` on the wire, after ``prev_seq`` of its case (None: the seq before it)."""
    body = body_of(message.kind, message.payload, attachments=attachments)
    # Built, not validated again: the body was just checked by its own model, and the header is
    # the outbox's own columns (the platform checks both anyway). Checking the dump as an
    # envelope's JSON object — its text encoded once more — was a fifth of the sender's time.
    return contract.Envelope.model_construct(
        idempotency_key=message.idempotency_key,
        receipt_no=message.receipt_no,
        seq=message.seq,
        prev_seq=prev_seq,
        kind=cast(contract.Kind, message.kind),  # body_of knew it
        body=body.model_dump(mode="json"),
    )


def encoded(
    message: Message,
    *,
    attachments: Sequence[contract.Attachment] = (),
    prev_seq: int | None = None,
) -> contract.EncodedEnvelope:
    """``message`` as the sender puts it on the wire: :func:`envelope`'s, with the body encoded
    straight from the model that checked it. The payload is decoded here and not kept: a round
    holds only the bytes it sends."""
    body = body_of(message.kind, json.loads(message.payload_json), attachments=attachments)
    try:
        body_json = body.model_dump_json().encode()
    except PydanticSerializationError:  # text UTF-8 cannot carry (a lone surrogate)
        raise NotSendable("本地消息不符合平台接口规范：文本中有无效的 Unicode 字符。") from None
    return contract.EncodedEnvelope(
        message.idempotency_key,
        message.receipt_no,
        message.seq,
        prev_seq,
        cast(contract.Kind, message.kind),  # body_of knew it
        body_json,
    )


def attachment_of(message: Message) -> contract.Attachment | None:
    """The scan a ``material`` message carries, to announce with its case's submission; None
    for another kind, or one the contract cannot carry (its own turn will say why)."""
    if message.kind != "material" or not message.file_sha256:
        return None
    fields = ("material", "name", "sha256", "file_name", "mime", "size")
    try:
        return contract.Attachment.model_validate(
            {**{f: message.payload[f] for f in fields if f in message.payload}, "seq": message.seq}
        )
    except ValidationError:
        return None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])} {first['msg']}"
    if isinstance(exc, KeyError):
        return f"缺少或不认识 {exc.args[0]}"
    return str(exc)
