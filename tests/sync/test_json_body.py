"""The platform reads a request's JSON with pydantic's parser where it can: every body gives the
same value as ``json.loads``, or the same error, whatever a terminal (or anyone) sends; a body
validated straight from its bytes is the model validating ``json.loads``' value gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sync.contract import API, MessageBatch
from sync.server.json_body import parse, read
from tests.sync.conftest import HALL, Served
from tests.sync.test_wire import JSON


def _same(body: bytes) -> None:
    try:
        expected: Any = json.loads(body)
    except Exception as exc:  # whatever json.loads raises, parse raises too
        with pytest.raises(type(exc)):
            parse(body)
        return
    assert _canonical(parse(body)) == _canonical(expected)


def _canonical(value: Any) -> str:
    """Compared as text: the same dicts in the same order, ints as ints, and an infinity, a NaN
    or a -0.0 the same one."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


@given(JSON, st.booleans(), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_json_reads_as_json_loads_does(value: Any, ascii_only: bool, encoding: str) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    _same(text.encode(encoding, "surrogatepass"))


@given(st.binary(max_size=64))
def test_any_bytes_read_or_fail_as_json_loads_does(body: bytes) -> None:
    _same(body)


@given(st.text(alphabet='{}[]",:0123456789.eE+-tfnrulsaNIiy \\ud8\n\t', max_size=40))
def test_json_like_text_reads_or_fails_as_json_loads_does(text: str) -> None:
    _same(text.encode("utf-8", "surrogatepass"))


ENVELOPES = st.fixed_dictionaries(
    {
        "idempotency_key": st.text(max_size=3),
        "receipt_no": st.text(max_size=3),
        "seq": st.integers(-1, 3) | st.text(max_size=2) | st.floats(allow_nan=False),
        "kind": st.sampled_from(["submission", "acceptance", "x"]),
        "body": st.dictionaries(st.text(max_size=3), JSON, max_size=3) | JSON,
    },
    optional={"prev_seq": st.none() | st.integers(-1, 3), "extra": st.booleans()},
)


@given(st.lists(ENVELOPES, max_size=3), st.booleans())
def test_a_body_read_as_its_model_is_what_validating_json_loads_gives(
    messages: list[dict[str, Any]], ascii_only: bool
) -> None:
    body = json.dumps({"messages": messages}, ensure_ascii=ascii_only).encode(
        "utf-8", "surrogatepass"
    )
    got = read(body, MessageBatch)
    if not isinstance(got, MessageBatch):  # not taken straight: FastAPI validates the value
        got = _validated(got)
    assert got == _validated(json.loads(body))


def _validated(value: Any) -> MessageBatch | str:
    try:
        return MessageBatch.model_validate(value)
    except ValidationError as exc:
        return json.dumps(exc.errors(include_url=False, include_input=False), default=str)


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\\ud800"}',  # a lone surrogate: the contract refuses it with its own words
        b'{"name": "\xed\xa0\x80"}',  # the same, in UTF-8 that json.loads lets through
        b"\xef\xbb\xbf{}",  # a byte-order mark
        '{"a": 1}'.encode("utf-16"),
        b"[" + b"9" * 5000 + b"]",  # longer than Python converts
        b"[1e400, -0.0, NaN]",
        b'{"a": 1, "a": 2}',
        b"[1,]",
        b"\xff",
    ],
)
def test_what_pydantic_refuses_goes_to_json_loads(body: bytes) -> None:
    _same(body)


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        (b'"\\ud800"', 422, "代理项"),
        (b'"\xed\xa0\x80"', 422, "代理项"),  # the same surrogate, as UTF-8 json.loads lets through
        (b"\xff\xfe", 400, "请发送 UTF-8 编码的 JSON"),
        (b"[1,]", 422, "JSON decode error"),
    ],
)
def test_the_platform_answers_bad_bodies_as_before(
    served: Served, body: bytes, status: int, said: str
) -> None:
    receipt = f"{HALL}-20261123-00001"
    text = (
        b'{"messages": [{"idempotency_key": "k", "receipt_no": "' + receipt.encode() + b'", '
        b'"seq": 1, "kind": "submission", "body": {"name": ' + body + b"}}]}"
    )
    response = served.client().post(
        f"{API}/messages", content=text, headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()["code"]) == (
        status,
        "invalid" if status == 422 else "http",
    )
    assert said in response.json()["message"]
