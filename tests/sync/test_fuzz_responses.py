"""Property-based fuzz of the platform's answers, over real HTTP: whatever status, headers and
body a platform (or a gateway before it) sends, every operation of the client returns a validated
answer or raises a :class:`PlatformError` with a Chinese message — and the shared data it returns
feeds the questionnaire without crashing it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import OneStopError
from app.guide.engine import Planner
from app.validation_zh import has_chinese
from sync.client import HttpPlatform, PlatformError
from sync.contract import AuditAnchor, EncodedEnvelope, Envelope
from tests.sync.conftest import submission

ENVELOPE = EncodedEnvelope.of(
    Envelope(
        idempotency_key="T-1/1/submission",
        receipt_no="T-1",
        seq=1,
        kind="submission",
        body=submission("T-1"),
    )
)
ANCHOR = AuditAnchor(
    chain="0123456789abcdef",
    entry_id=7,
    entry_hash="a" * 64,
    key_id="A1",
    at="2026-11-23T02:00:00Z",
)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        status, headers, body = self.server.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = _answer  # noqa: N815

    def log_message(self, *_: Any) -> None:  # the test's output stays quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    answer: tuple[int, dict[str, str], bytes] = (200, {}, b"")


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    served = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=served.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield served
    served.shutdown()
    thread.join(timeout=10)
    served.server_close()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(
        [
            "2026-11-23T02:00:00Z",
            "ok",
            "applied",
            "T-1/1/submission",
            "T-1",
            "a" * 64,
            "registered",
            "item_decision",
            "0123456789abcdef",
            "recorded",
            "duplicate",
            7,
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "results",
                    "idempotency_key",
                    "outcome",
                    "events",
                    "last_id",
                    "id",
                    "receipt_no",
                    "kind",
                    "at",
                    "version",
                    "sha256",
                    "published_at",
                    "files",
                    "facts",
                    "id_number",
                    "source",
                    "status",
                    "time",
                    "valid",
                    "licence",
                    "message",
                    "chains",
                    "chain",
                    "entry_id",
                    "entry_hash",
                    "key_id",
                    "terminal",
                    "received_at",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
bodies = json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64)
headers = st.fixed_dictionaries(
    {
        "Content-Type": st.sampled_from(
            [
                "application/json",
                "application/problem+json",
                "text/html",
                "application/octet-stream",
                "",
            ]
        )
    },
    optional={"Retry-After": st.sampled_from(["5", "-1", "1e300", "nan", "soon"])},
)
statuses = st.sampled_from([200, 201, 204, 302, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503])

OPERATIONS = {
    "send": lambda p: p.send([ENVELOPE]),
    "events": lambda p: p.events(0),
    "latest_catalog": lambda p: p.latest_catalog(),
    "catalog": lambda p: p.catalog("2026.11.1"),
    "licence": lambda p: p.licence("43010419920315204X", "居民户口簿"),
    "facts": lambda p: p.facts("43010419920315204X"),
    "pre_application": lambda p: p.pre_application("T-1"),
    "download": lambda p: p.download("a" * 64),
    "health": lambda p: p.health(),
    "anchor": lambda p: p.anchor(ANCHOR),
    "audit_chains": lambda p: p.audit_chains(),
}


@FUZZ
@given(status=statuses, head=headers, body=bodies, operation=st.sampled_from(sorted(OPERATIONS)))
def test_any_answer_is_validated_or_refused_in_chinese(
    server: _Server, status: int, head: dict[str, str], body: bytes, operation: str
) -> None:
    server.answer = (status, head, body)
    host, port = server.server_address[:2]
    with closing(
        HttpPlatform(f"http://{host!s}:{port}", "token", timeout_s=2, deadline_s=5)
    ) as platform:
        try:
            OPERATIONS[operation](platform)
        except PlatformError as exc:
            assert has_chinese(exc.message), exc.message


@FUZZ
@given(
    facts=st.dictionaries(
        st.sampled_from(
            [
                "applicant.age",
                "applicant.sex",
                "hall.province",
                "parents.married",
                "parents.same_ethnicity",
                "newborn.within_six_months",
                "x",
            ]
        ),
        json_values,
        max_size=5,
    )
)
def test_shared_data_of_any_shape_feeds_the_questionnaire(
    planner: Planner, facts: dict[str, Any]
) -> None:
    """``Facts.facts`` is any JSON object: the questionnaire takes it or says why not."""
    for code in sorted(planner.catalog.scenarios):
        try:
            planner.questions(code, {}, facts)
        except OneStopError as exc:
            assert has_chinese(str(exc))


anchor_records = st.fixed_dictionaries(
    {
        "chain": st.sampled_from(["0123456789abcdef", "fedcba9876543210", "x", ""]),
        "entry_id": st.integers(min_value=-2, max_value=2**63),
        "entry_hash": st.sampled_from(["a" * 64, "A" * 64, "a" * 63, ""]),
        "key_id": st.sampled_from(["", "A1", "A-1", "A" * 41]),
        "at": st.sampled_from(["2026-11-23T02:00:00Z", "yesterday", 0]),
        "terminal": st.text(max_size=5),
        "received_at": st.sampled_from(["2026-11-23T02:00:00Z", None]),
    },
    optional={"extra": st.none()},
)


@FUZZ
@given(
    chains=st.lists(anchor_records, max_size=3),
    receipt=st.fixed_dictionaries(
        {
            "chain": st.sampled_from(["0123456789abcdef", "fedcba9876543210"]),
            "entry_id": st.sampled_from([7, 8, "7"]),
            "entry_hash": st.sampled_from(["a" * 64, "b" * 64]),
            "outcome": st.sampled_from(["recorded", "duplicate", "applied"]),
            "received_at": st.sampled_from(["2026-11-23T02:00:00Z", "later"]),
        }
    ),
)
def test_the_platforms_anchor_answers_are_checked(
    server: _Server, chains: list[dict[str, Any]], receipt: dict[str, Any]
) -> None:
    """Near-valid anchor answers: the client takes only a receipt for the anchor it sent and a
    list of well-formed trails, each at most once; anything else is a Chinese refusal."""
    host, port = server.server_address[:2]
    json_head = {"Content-Type": "application/json"}
    with closing(
        HttpPlatform(f"http://{host!s}:{port}", "token", timeout_s=2, deadline_s=5)
    ) as platform:
        server.answer = (200, json_head, json.dumps({"chains": chains}).encode())
        try:
            got = platform.audit_chains()
        except PlatformError as exc:
            assert has_chinese(exc.message)
        else:
            assert len({c.chain for c in got}) == len(got) == len(chains)
            assert all(len(c.entry_hash) == 64 and c.entry_id >= 1 for c in got)
        server.answer = (200, json_head, json.dumps(receipt).encode())
        try:
            answered = platform.anchor(ANCHOR)
        except PlatformError as exc:
            assert has_chinese(exc.message)
        else:
            assert (answered.chain, answered.entry_id, answered.entry_hash) == (
                ANCHOR.chain,
                ANCHOR.entry_id,
                ANCHOR.entry_hash,
            )
