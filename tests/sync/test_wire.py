"""An envelope's body as the platform reads it: text that UTF-8 cannot carry (a lone surrogate,
which JSON can escape as ``"\\ud800"``) is refused, whatever else the body holds — the same
bodies as encoding to UTF-8 refuses, for any JSON a terminal might send. What the sender puts on
the wire (its bodies encoded once) is read by the platform as exactly the envelope the contract
models make of the same message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.catalog.catalog import Catalog
from app.db.engine import Database
from sync import wire
from sync.contract import EncodedEnvelope, Envelope, MessageBatch, batch_json
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.sync.conftest import Hall

# Text with lone surrogates now and then (st.text leaves them out unless asked).
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=8) | st.sampled_from(
    ["\ud800", "a\udfffb", "李芳"]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def _envelope(body: dict[str, Any]) -> Envelope:
    return Envelope.model_validate(
        {
            "idempotency_key": "K/1/x",
            "receipt_no": "K",
            "seq": 1,
            "kind": "submission",
            "body": body,
        }
    )


def _utf8(body: dict[str, Any]) -> bool:
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@given(st.dictionaries(TEXT, JSON, max_size=5))
def test_a_body_is_taken_exactly_when_utf8_can_carry_it(body: dict[str, Any]) -> None:
    if _utf8(body):
        assert _envelope(body).body == body
    else:
        with pytest.raises(ValidationError, match="Unicode"):
            _envelope(body)


def test_a_lone_surrogate_escaped_in_json_is_refused() -> None:
    """As the platform reads a request: ``json.loads`` takes the escape, the envelope does not."""
    raw = '{"idempotency_key": "K/1/x", "receipt_no": "K", "seq": 1, "kind": "submission", '
    with pytest.raises(ValidationError, match="代理项"):
        Envelope.model_validate(json.loads(raw + '"body": {"name": ["\\ud800"]}}'))
    taken = Envelope.model_validate(json.loads(raw + '"body": {"name": ["\\u674e"]}}'))
    assert taken.body == {"name": ["李"]}


HEADER = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@given(
    st.builds(
        Envelope,
        idempotency_key=HEADER,
        receipt_no=HEADER,
        seq=st.integers(1, 1_000_000),
        prev_seq=st.none() | st.integers(0, 1_000_000),
        kind=st.sampled_from(["submission", "acceptance", "evaluation"]),
        body=st.dictionaries(TEXT, JSON, max_size=5).filter(_utf8),
    ),
    st.integers(1, 3),
)
def test_an_encoded_envelope_is_read_as_the_envelope_it_was(sent: Envelope, copies: int) -> None:
    encoded = EncodedEnvelope.of(sent)
    assert Envelope.model_validate_json(encoded.json()) == sent == encoded.envelope()
    batch = MessageBatch.model_validate_json(batch_json([encoded] * copies))
    assert batch.messages == [sent] * copies


def test_what_the_sender_sends_is_the_contract_s_envelope(hall: Hall, catalog: Catalog) -> None:
    """Every kind a case's life queues, encoded as the sender does, reads as :func:`wire.envelope`
    makes it: the same body, defaults and code sets."""
    case = open_newborn(hall.service, catalog)
    case = hall.service.accept(CLERK, receive_all(hall.service, case).receipt_no)
    messages = hall.outbox.messages()
    assert {m.kind for m in messages} >= {"submission", "acceptance"}
    for message in messages:
        sent = wire.encoded(message, prev_seq=message.seq - 1)
        assert sent.envelope() == wire.envelope(message, prev_seq=message.seq - 1)


def test_a_payload_utf8_cannot_carry_is_not_sendable(hall: Hall, catalog: Catalog) -> None:
    """Answers are free JSON: a lone surrogate there is refused before anything is sent."""
    case = open_newborn(hall.service, catalog, channel="kiosk")  # its submission is queued
    (message,) = hall.outbox.messages(receipt_no=case.receipt_no)
    _rewrite(
        hall.db,
        message.id,
        message.payload_json.replace('"answers": {', '"answers": {"x": "\\ud800", ', 1),
    )
    (message,) = hall.outbox.messages(receipt_no=case.receipt_no)
    assert message.payload["answers"]["x"] == "\ud800"
    with pytest.raises(wire.NotSendable, match="Unicode"):
        wire.encoded(message)


def _rewrite(db: Database, message_id: int, payload_json: str) -> None:
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE outbox_payloads SET payload = ? WHERE id = ?", (payload_json, message_id)
        )
