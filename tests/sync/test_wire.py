"""An envelope's body as the platform reads it: text that UTF-8 cannot carry (a lone surrogate,
which JSON can escape as ``"\\ud800"``) is refused, whatever else the body holds — the same
bodies as encoding to UTF-8 refuses, for any JSON a terminal might send."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sync.contract import Envelope

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
