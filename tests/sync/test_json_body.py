"""The platform reads a request's JSON with pydantic's parser where it can: every body gives the
same value as ``json.loads``, or the same error, whatever a terminal (or anyone) sends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.contract import API
from sync.server.json_body import parse
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
