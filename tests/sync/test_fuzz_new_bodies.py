"""The platform reads the bodies this version added — 容缺逾期未补交 (``lapse``), 帮办代办
(``assistance``) and 告知承诺核查 (``verification``) — from outside: whatever JSON arrives is either the contract's model or a
ValidationError (which the platform answers as a rejected message), never another failure."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sync.contract import BODIES

SCALAR = st.none() | st.booleans() | st.integers(-10, 10**7) | st.text(max_size=30)
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
NEAR = {
    "receipt_no": st.just("430100001-20261207-00001") | st.text(max_size=50),
    "materials": st.lists(st.text(max_size=20), max_size=3) | VALUE,
    "due_date": st.sampled_from(["2026-12-09", "2026-13-40", ""]) | VALUE,
    "terminated": st.lists(st.text(max_size=10), max_size=3) | VALUE,
    "state": st.sampled_from(["accepted", "completed", "withdrawn"]) | VALUE,
    "mode": st.sampled_from(["bangban", "daiban", "peitong", "vip", None]) | VALUE,
    "helper": st.text(max_size=80) | VALUE,
    "minutes": st.integers(-5, 700) | VALUE,
    "groups": st.lists(st.sampled_from(["elderly", "pregnant", "x"]), max_size=6) | VALUE,
    "offered": st.lists(st.sampled_from(["priority", "proxy", "y"]), max_size=5) | VALUE,
    "at": st.sampled_from(["2026-12-07T02:00:00Z", "yesterday"]) | VALUE,
    "outcome": st.sampled_from(["true", "false", "maybe"]) | VALUE,
    "checked_on": st.sampled_from(["2026-12-08", "2026-02-30"]) | VALUE,
    "department": st.text(max_size=80) | VALUE,
    "revoked": st.lists(st.text(max_size=10), max_size=3) | VALUE,
    "credit_no": st.text(max_size=80) | VALUE,
}
BODY = st.fixed_dictionaries({}, optional=NEAR)


@given(
    st.sampled_from(["lapse", "assistance", "verification"]),
    BODY,
    st.dictionaries(st.text(max_size=8), VALUE),
)
def test_a_body_is_the_model_or_refused(
    kind: str, body: dict[str, Any], extra: dict[str, Any]
) -> None:
    try:
        model = BODIES[kind].model_validate({**extra, **body})
    except ValidationError:
        return
    assert model.receipt_no  # type: ignore[attr-defined]
