"""The reference platform over real HTTP: order, idempotency, auth, files, departments, faults."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx
import pytest

from sync.contract import API, BODIES
from sync.server.store.handlers import HANDLERS
from tests.helpers.waiting import eventually
from tests.sync.conftest import HALL, Served, acceptance, envelope, submission

# Receipt numbers of the hall of the terminal the tests use (another hall's are refused).
R1, R2, R3, R9 = (f"{HALL}-20261123-{n:05d}" for n in (1, 2, 3, 9))


def send(client: httpx.Client, *messages: dict[str, object]) -> list[tuple[str, str]]:
    response = client.post(f"{API}/messages", json={"messages": list(messages)})
    assert response.status_code == 200, response.text
    return [(r["outcome"], r["reason"]) for r in response.json()["results"]]


def wait_for(condition: Callable[[], object], timeout_s: float = 10.0) -> None:
    eventually(condition, timeout_s, "the server did not get there", every_s=0.02)


def test_messages_apply_once_and_in_order(served: Served) -> None:
    client = served.client()
    sub, acc = (
        envelope(R1, 1, "submission", submission(R1)),
        envelope(R1, 2, "acceptance", acceptance(R1)),
    )
    assert send(client, acc)[0][0] == "out_of_order"  # the submission has not arrived
    assert [o for o, _ in send(client, sub, acc, sub)] == ["applied", "applied", "duplicate"]
    assert send(client, acc) == [("duplicate", "")]
    stats = served.store.stats()
    assert (
        stats["cases"],
        stats["messages_applied"],
        stats["duplicates_refused"],
        stats["out_of_order_refused"],
    ) == (1, 2, 2, 1)


def test_departments_decide_serial_items_after_their_prerequisites(served: Served) -> None:
    client = served.client()
    send(
        client,
        envelope(R1, 1, "submission", submission(R1)),
        envelope(R1, 2, "acceptance", acceptance(R1)),
    )

    def kinds() -> list[str]:
        return [e["kind"] for e in client.get(f"{API}/events").json()["events"]]

    wait_for(lambda: "completed" in kinds())
    events = client.get(f"{API}/events").json()["events"]
    decided = [e["data"]["item"] for e in events if e["kind"] == "item_decision"]
    assert kinds()[0] == "registered" and decided == ["a", "b"]
    done = events[-1]["data"]["results"]
    assert [r["result_name"] for r in done] == ["出生医学证明", "居民户口簿"]
    assert all(r["result_no"] for r in done)
    page = client.get(f"{API}/events", params={"after": events[1]["id"], "limit": 1}).json()
    assert [e["id"] for e in page["events"]] == [events[2]["id"]] == [page["last_id"]]


def test_rejections_are_final_and_a_corrected_resend_goes_on(served: Served) -> None:
    client = served.client()
    assert (
        "第一条消息必须是办事申请"
        in send(client, envelope(R2, 1, "acceptance", acceptance(R2)))[0][1]
    )
    bad = submission(R2, items=[])
    first = send(client, envelope(R2, 1, "submission", bad, key=f"{R2}/1/submission"))[0]
    assert first[0] == "rejected" and "items" in first[1]
    assert send(client, envelope(R2, 1, "submission", bad))[0] == first  # same key, same answer
    fixed = envelope(R2, 1, "submission", submission(R2), key=f"{R2}/1/submission#1")
    assert send(client, fixed)[0][0] == "applied"
    again = envelope(R2, 1, "submission", submission(R2), key=f"{R2}/1/submission#2")
    assert "已经处理过" in send(client, again)[0][1]
    served.store.reject_receipts = {R3}
    assert send(client, envelope(R3, 1, "submission", submission(R3)))[0][0] == "rejected"


def test_a_batch_sees_what_its_earlier_messages_did(served: Served) -> None:
    """A batch is read and written in bulk; each message still sees the ones before it: the
    answers, cases, numbers and events are those of the same messages sent one at a time."""
    served.store.reject_receipts = {R9}
    bad = envelope(R2, 1, "submission", submission(R2, items=[]), key="bad")
    messages = [
        envelope(R1, 2, "acceptance", acceptance(R1)),  # before its case: out of order
        envelope(R1, 1, "submission", submission(R1)),
        envelope(R1, 2, "acceptance", acceptance(R1)),  # the batch's own case, accepted
        envelope(R1, 1, "submission", submission(R1)),  # the same key again: a duplicate
        envelope(R1, 1, "submission", submission(R1), key="again"),  # seq 1 again, new key
        bad,
        bad,  # a refusal's key again in the batch: judged again, refused again, kept once
        envelope(R2, 1, "submission", submission(R2)),
        envelope(R9, 1, "submission", submission(R9)),
        envelope(R3, 1, "submission", submission(R3)),
    ]
    answers = send(served.client(), *messages)
    assert [o for o, _ in answers] == [
        "out_of_order",
        "applied",
        "applied",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "rejected",
        "applied",
    ]
    assert "已经处理过" in answers[4][1]
    with served.store.engine.connect() as connection:
        cases = connection.exec_driver_sql(
            "SELECT receipt_no, platform_no, last_seq, state FROM cases ORDER BY platform_no"
        ).all()
        stored = connection.exec_driver_sql(
            "SELECT idempotency_key, outcome FROM messages ORDER BY idempotency_key"
        ).all()
        # the messages' events; the departments (deciding at once here, on their own tick) may
        # already have decided R1's first item: that event is theirs, not a message's
        events = connection.exec_driver_sql(
            "SELECT id, receipt_no, kind FROM events WHERE kind <> 'item_decision' ORDER BY id"
        ).all()
        numbered = connection.exec_driver_sql(
            "SELECT value FROM counters WHERE name = ?", (f"registered:{HALL}",)
        ).scalar()
    assert [(c.receipt_no, c.last_seq, c.state) for c in cases] == [
        (R1, 2, "accepted"),
        (R2, 1, "submitted"),
        (R3, 1, "submitted"),
    ]
    assert [c.platform_no[-8:] for c in cases] == ["00000001", "00000002", "00000003"]
    assert numbered == 3
    assert [(e.id, e.receipt_no, e.kind) for e in events] == [
        (1, R1, "registered"),
        (2, R2, "registered"),
        (3, R3, "registered"),
    ]
    assert dict(stored) == {
        f"{R1}/1/submission": "applied",
        f"{R1}/2/acceptance": "applied",
        "again": "rejected",
        "bad": "rejected",
        f"{R2}/1/submission": "applied",
        f"{R9}/1/submission": "rejected",
        f"{R3}/1/submission": "applied",
    }
    stats = served.store.stats()
    assert (stats["messages_applied"], stats["duplicates_refused"]) == (4, 1)
    assert (stats["out_of_order_refused"], stats["messages_rejected"]) == (1, 4)


def test_terminals_must_authenticate(served: Served) -> None:
    assert served.client("nobody.secret").get(f"{API}/events").status_code == 401
    anonymous = httpx.get(f"{served.platform.url}{API}/events")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    served.store.disable_terminal("counter-01")
    refused = served.client().get(f"{API}/events")
    assert refused.status_code == 403 and "已停用" in refused.json()["message"]
    assert served.client().get(f"{API}/health").status_code == 200  # no credential needed
    bundle = {"version": "x", "sha256": "0" * 64, "files": {"a.yaml": "x"}}
    assert served.client(served.token).post(f"{API}/catalogs", json=bundle).status_code == 403


def test_files_resume_and_are_checked_against_their_hash(served: Served) -> None:
    client = served.client()
    data = bytes(range(256)) * 4000
    sha = hashlib.sha256(data).hexdigest()
    url = f"{API}/files/{sha}"
    assert client.get(url).status_code == 404
    assert (
        client.post(url, json={"size": len(data), "mime": "application/pdf"}).json()["received"]
        == 0
    )

    def patch(offset: int, chunk: bytes) -> httpx.Response:
        return client.patch(
            url,
            content=chunk,
            headers={
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )

    assert patch(0, data[:300_000]).json()["received"] == 300_000
    stale = patch(0, data[:10])
    assert stale.status_code == 409 and "300000" in stale.json()["message"]
    resumed = client.post(url, json={"size": len(data), "mime": "application/pdf"}).json()
    assert resumed["received"] == 300_000  # a new sender asks, then goes on from there
    done = patch(300_000, data[300_000:]).json()
    assert done["complete"] and served.store.file_path(sha).read_bytes() == data

    wrong = b"not what the name says"
    name = hashlib.sha256(b"something else").hexdigest()
    client.post(f"{API}/files/{name}", json={"size": len(wrong)})
    refused = client.patch(f"{API}/files/{name}", content=wrong, headers={"Upload-Offset": "0"})
    assert refused.status_code == 422 and "SHA-256" in refused.json()["message"]
    assert client.get(f"{API}/files/{name}").json()["received"] == 0


def test_faults_break_the_api_on_purpose(served: Served) -> None:
    client, admin = served.client(), served.client(served.admin_token)
    assert admin.put(f"{API}/admin/faults", json={"outage_s": 60}).status_code == 200
    down = client.get(f"{API}/events")
    assert down.status_code == 503 and int(down.headers["retry-after"]) >= 59
    assert client.get(f"{API}/health").status_code == 200  # health and admin stay up
    admin.put(f"{API}/admin/faults", json={"malformed_rate": 1})
    garbled = client.get(f"{API}/events")
    assert garbled.status_code == 200 and garbled.headers["content-type"] == "text/html"
    admin.put(f"{API}/admin/faults", json={"drop_rate": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(
            f"{API}/messages",
            json={"messages": [envelope(R9, 1, "submission", submission(R9))]},
        )
    admin.put(f"{API}/admin/faults", json={})
    assert send(client, envelope(R9, 1, "submission", submission(R9)))[0][0] == "duplicate"


def test_errors_are_problems_in_chinese(served: Served) -> None:
    client = served.client()
    missing = client.get(f"{API}/nothing-here")
    assert missing.status_code == 404 and missing.json()["message"] == "没有这个地址。"
    invalid = client.post(f"{API}/messages", json={"messages": "no"})
    assert invalid.status_code == 422 and invalid.json()["message"].startswith("请求不符合接口规范")


def test_every_kind_of_message_has_its_handler() -> None:
    assert HANDLERS.keys() == BODIES.keys()
