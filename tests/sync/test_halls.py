"""Two halls on one reference platform, over real HTTP: neither can act for the other.

Hall A is the hall of the served terminal (``HALL``); hall B (``OTHER``) gets terminals of its
own. Each attack that once worked — naming A's scan to download it, pre-sending A's next receipt
number under the key A's outbox will use, announcing A's file with a wrong size, asking whether
A holds a file — is tried and refused, while each hall's own traffic goes on (both halls
uploading the very same bytes included). The property at the end compares what B sees on the
shared platform with what it sees on a twin platform where hall A never was: equal, whatever
identifiers B names.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.cases.audit import Actor
from app.cases.intake import NewScan
from app.catalog.catalog import Catalog
from app.catalog.versions import files_digest
from sync.client import HttpPlatform, NotFound
from sync.contract import API
from sync.server.app import NOT_A_HALL, RunningPlatform
from sync.server.store import PlatformStore
from sync.server.store.schema import cases as platform_cases
from sync.server.store.schema import messages as platform_messages
from tests.helpers.cases import ANSWERS, MOTHER, NEWBORN, filled_form, open_newborn
from tests.sync.conftest import (
    HALL,
    Hall,
    Served,
    acceptance,
    envelope,
    hall_at,
    submission,
)

OTHER = "430100099"  # hall B
KIOSK = Actor("kiosk-session", "kiosk-01")
SCAN = b"%PDF-1.7 marriage certificate " + bytes(range(256)) * 30
SHA = hashlib.sha256(SCAN).hexdigest()
UNKNOWN_SHA = hashlib.sha256(b"nobody ever uploaded this").hexdigest()
PDF = "application/pdf"


def receipt(hall: str, n: int) -> str:
    return f"{hall}-20261123-{n:05d}"


def attachment(seq: int, sha256: str = SHA, size: int = len(SCAN)) -> dict[str, Any]:
    return {
        "material": "marriage_certificate",
        "name": "结婚证",
        "sha256": sha256,
        "file_name": "scan.pdf",
        "mime": PDF,
        "size": size,
        "seq": seq,
    }


def kiosk_submission(hall: str, receipt_no: str, *seqs: int, **changes: Any) -> dict[str, Any]:
    body = submission(
        receipt_no,
        hall_code=hall,
        channel="kiosk",
        attachments=[attachment(s) for s in seqs],
        **changes,
    )
    return envelope(receipt_no, 1, "submission", body)


def material(receipt_no: str, seq: int, sha256: str = SHA) -> dict[str, Any]:
    body = {k: v for k, v in attachment(seq, sha256).items() if k != "seq"}
    return envelope(receipt_no, seq, "material", {"receipt_no": receipt_no, **body})


def send(client: httpx.Client, *messages: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(f"{API}/messages", json={"messages": list(messages)})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def upload(client: httpx.Client, data: bytes, *, upto: int | None = None) -> dict[str, Any]:
    """Announce ``data`` and send it (up to ``upto`` bytes) in one chunk."""
    sha = hashlib.sha256(data).hexdigest()
    started = client.post(f"{API}/files/{sha}", json={"size": len(data), "mime": PDF})
    assert started.status_code == 200, started.text
    received = started.json()["received"]
    end = len(data) if upto is None else upto
    if received >= end:
        return dict(started.json())
    sent = client.patch(
        f"{API}/files/{sha}",
        content=data[received:end],
        headers={
            "Upload-Offset": str(received),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert sent.status_code == 200, sent.text
    return dict(sent.json())


def answer(response: httpx.Response) -> tuple[int, Any]:
    """What a terminal learns from a response: its status and its body."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code, response.json()
    return response.status_code, response.content


def unknown_alike(response: httpx.Response, named: str, unknown: str) -> tuple[int, Any]:
    """The answer for ``unknown`` with that identifier written as ``named``: what the answer
    for ``named`` must be if it tells nothing more than that it is unknown."""
    status, body = answer(response)
    if isinstance(body, dict):
        body = {k: v.replace(unknown, named) if isinstance(v, str) else v for k, v in body.items()}
    return status, body


@dataclass
class Halls:
    served: Served
    a: httpx.Client  # hall A's terminal (counter-01)
    b: httpx.Client  # hall B's terminal
    b_token: str

    def client(self, token: str) -> httpx.Client:
        return self.served.client(token)


@pytest.fixture
def halls(served: Served) -> Halls:
    b_token = served.store.add_terminal("kiosk-99", OTHER)
    return Halls(served, served.client(), served.client(b_token), b_token)


@pytest.fixture
def hall_b(tmp_path: Path, catalog: Catalog) -> Iterator[Hall]:
    with hall_at(tmp_path / "hall-b", catalog, OTHER) as made:
        yield made


def b_http(halls: Halls) -> HttpPlatform:
    return HttpPlatform(halls.served.platform.url, halls.b_token, timeout_s=5, deadline_s=10)


# -- 1: naming another hall's scan ----------------------------------------------------------------
def test_a_hall_cannot_take_another_halls_scan_by_naming_it(halls: Halls) -> None:
    a, b = halls.a, halls.b
    assert upload(a, SCAN)["complete"]
    mine = receipt(HALL, 1)
    assert [r["outcome"] for r in send(a, kiosk_submission(HALL, mine, 2), material(mine, 2))] == [
        "applied",
        "applied",
    ]
    assert a.get(f"{API}/files/{SHA}/content").content == SCAN  # A's own window gets it

    theirs = receipt(OTHER, 1)
    assert send(b, kiosk_submission(OTHER, theirs, 2, 3))[0]["outcome"] == "applied"
    took, made_up = send(b, material(theirs, 2), material(theirs, 3, UNKNOWN_SHA))
    assert took["outcome"] == made_up["outcome"] == "rejected"
    assert took["reason"] == made_up["reason"] == "材料文件 scan.pdf 尚未完整上传到平台。"
    for path in ("/content", ""):
        asked = b.get(f"{API}/files/{SHA}{path}")
        assert asked.status_code == 404
        assert answer(asked) == answer(b.get(f"{API}/files/{UNKNOWN_SHA}{path}"))
    found = b.get(f"{API}/cases/{theirs}/pre-application").json()
    assert found["files"] == []  # what B announced, but never what A holds
    peek = b.get(f"{API}/cases/{mine}/pre-application")
    never = receipt(HALL, 99)
    assert answer(peek) == unknown_alike(b.get(f"{API}/cases/{never}/pre-application"), mine, never)


# -- 2: receipt numbers and hall codes of another hall ------------------------------------------
def test_a_hall_cannot_presend_another_halls_receipt_number(
    halls: Halls, hall: Hall, http: HttpPlatform, catalog: Catalog
) -> None:
    case = open_newborn(hall.service, catalog, channel="kiosk")  # A's, queued, not yet sent
    (queued,) = hall.outbox.messages(receipt_no=case.receipt_no)
    assert queued.idempotency_key == f"{case.receipt_no}/1/submission"
    impostor = {"name": "冒名者", "id_number": "110101199001011237"}
    forged = envelope(
        case.receipt_no,
        1,
        "submission",
        submission(case.receipt_no, hall_code=OTHER, applicant=impostor),
        key=queued.idempotency_key,
    )
    (refused,) = send(halls.b, forged)
    assert refused["outcome"] == "rejected" and refused["platform_no"] == ""
    assert refused["reason"].startswith(f"办件编号 {case.receipt_no} 不是本大厅的受理编号")
    assert f"“{OTHER}-”" in refused["reason"] and "settings.toml" in refused["reason"]
    # …nor a number of its own with A's code in the body, nor A's number with A's code.
    theirs = receipt(OTHER, 7)
    for named in (theirs, case.receipt_no):
        body = submission(named, hall_code=HALL, applicant=impostor)
        (again,) = send(halls.b, envelope(named, 1, "submission", body, key=f"{named}/forged"))
        assert again["outcome"] == "rejected"
    assert again["reason"].startswith(f"办件编号 {case.receipt_no} 不是本大厅的受理编号")
    (coded,) = send(halls.b, envelope(theirs, 1, "submission", submission(theirs, hall_code=HALL)))
    assert coded["reason"].startswith(
        f"申报信息中的受理单位编码 {HALL} 不是本终端所属大厅的编码（{OTHER}），平台不予接收。"
    )
    # B's own cases, one under A's key: B's keys are B's own, and A's stays unused for A.
    own = send(halls.b, envelope(theirs, 1, "submission", submission(theirs, hall_code=OTHER)))
    mine_key = send(
        halls.b,
        envelope(
            receipt(OTHER, 8),
            1,
            "submission",
            submission(receipt(OTHER, 8), hall_code=OTHER),
            key=queued.idempotency_key,
        ),
    )
    assert own[0]["outcome"] == mine_key[0]["outcome"] == "applied"

    done = hall.sender(http).send_once()
    assert (done.delivered, done.rejected) == (1, 0)
    assert hall.service.get(case.receipt_no).platform_no.startswith(HALL)
    with halls.served.store.engine.connect() as connection:
        kept = connection.execute(
            select(platform_cases.c.hall_code, platform_cases.c.submission).where(
                platform_cases.c.receipt_no == case.receipt_no
            )
        ).all()
        outcomes = connection.execute(
            select(platform_messages.c.hall_code, platform_messages.c.outcome).where(
                platform_messages.c.idempotency_key == queued.idempotency_key
            )
        ).all()
    assert [(h, s["applicant"]["name"]) for h, s in kept] == [(HALL, MOTHER.name)]
    assert sorted(outcomes) == [(HALL, "applied"), (OTHER, "applied")]
    b_events = halls.b.get(f"{API}/events").json()["events"]
    assert {e["receipt_no"] for e in b_events} == {theirs, receipt(OTHER, 8)}


# -- 3: announcing another hall's file, asking whether it has one --------------------------------
def test_another_halls_announcement_never_touches_this_halls_upload(
    halls: Halls, http: HttpPlatform, tmp_path: Path
) -> None:
    b, third = halls.b, halls.client(halls.served.store.add_terminal("kiosk-77", "430100077"))
    before = answer(third.get(f"{API}/files/{SHA}"))
    assert before == answer(third.get(f"{API}/files/{UNKNOWN_SHA}"))
    squatted = b.post(f"{API}/files/{SHA}", json={"size": 1, "mime": PDF})
    assert squatted.status_code == 200 and squatted.json()["received"] == 0

    path = tmp_path / "scan.pdf"
    path.write_bytes(SCAN)
    status = http.upload(SHA, path, PDF)  # A's upload: no 409 for B's wrong size
    assert status.complete and status.size == len(SCAN)
    assert halls.a.get(f"{API}/files/{SHA}").json()["complete"]

    assert b.get(f"{API}/files/{SHA}").json() == squatted.json()  # B sees only its own
    assert answer(third.get(f"{API}/files/{SHA}")) == before  # and C nothing at all
    wrong = b.patch(f"{API}/files/{SHA}", content=SCAN[:2], headers={"Upload-Offset": "0"})
    assert wrong.status_code == 422 and "超过了登记的文件大小" in wrong.json()["message"]
    assert halls.a.get(f"{API}/files/{SHA}/content").status_code == 404  # no case holds it yet


def test_two_halls_upload_the_same_bytes_each_for_itself(
    halls: Halls, hall: Hall, hall_b: Hall, http: HttpPlatform, catalog: Catalog
) -> None:
    form = filled_form(catalog, NEWBORN, ANSWERS)
    opened = [
        one.service.open_case(
            KIOSK,
            channel="kiosk",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            form=form,
            scans=[NewScan("marriage_certificate", SCAN, "结婚证.pdf", PDF)],
        )
        for one in (hall, hall_b)
    ]
    assert opened[0].material("marriage_certificate").scans[0].sha256 == SHA
    half = upload(halls.b, SCAN, upto=len(SCAN) // 2)  # B's upload breaks off half-way …
    assert not half["complete"]
    b = b_http(halls)
    try:
        for one, platform in ((hall, http), (hall_b, b)):  # … A sends all of its own …
            sender = one.sender(platform)
            while sender.send_once().claimed:
                pass
            assert one.outbox.counts()["delivered"] == 2
            if one is hall:
                assert halls.b.get(f"{API}/files/{SHA}").json() == half  # B's still half
        for case, platform, stranger in ((opened[0], http, b), (opened[1], b, http)):
            found = platform.pre_application(case.receipt_no)
            assert found.complete and [f.sha256 for f in found.files] == [SHA]
            assert platform.download(SHA) == SCAN
            with pytest.raises(NotFound, match="没有受理编号|没有本大厅受理编号"):
                stranger.pre_application(case.receipt_no)
    finally:
        b.close()
    assert opened[0].receipt_no.startswith(f"{HALL}-")
    assert opened[1].receipt_no.startswith(f"{OTHER}-")


# -- what else is each hall's own ------------------------------------------------------------------
def test_event_ids_and_platform_numbers_are_each_halls_own(halls: Halls) -> None:
    numbers = {}
    for n in range(1, 4):
        for hall, client in ((HALL, halls.a), (OTHER, halls.b)):
            (result,) = send(
                client,
                envelope(
                    receipt(hall, n), 1, "submission", submission(receipt(hall, n), hall_code=hall)
                ),
            )
            numbers[hall, n] = result["platform_no"]
    for hall, client in ((HALL, halls.a), (OTHER, halls.b)):
        page = client.get(f"{API}/events").json()
        assert [(e["id"], e["receipt_no"]) for e in page["events"]] == [
            (n, receipt(hall, n)) for n in (1, 2, 3)
        ]
        assert [numbers[hall, n][-8:] for n in (1, 2, 3)] == ["00000001", "00000002", "00000003"]
        assert all(numbers[hall, n].startswith(hall) for n in (1, 2, 3))
    assert halls.b.get(f"{API}/events", params={"after": 3}).json() == {
        "events": [],
        "last_id": 3,
    }


def test_an_admin_terminal_is_no_hall(halls: Halls) -> None:
    send(halls.a, envelope(receipt(HALL, 1), 1, "submission", submission(receipt(HALL, 1))))
    admin = halls.client(halls.served.admin_token)  # registered with HALL's code, even so
    hall_operations: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", f"{API}/messages", {"json": {"messages": [material(receipt(HALL, 1), 2)]}}),
        ("POST", f"{API}/files/{SHA}", {"json": {"size": 1}}),
        ("GET", f"{API}/files/{SHA}", {}),
        ("PATCH", f"{API}/files/{SHA}", {"content": b"x", "headers": {"Upload-Offset": "0"}}),
        ("GET", f"{API}/files/{SHA}/content", {}),
        ("GET", f"{API}/cases/{receipt(HALL, 1)}/pre-application", {}),
        ("GET", f"{API}/events", {}),
        ("GET", f"{API}/persons/43010419920315204X/facts", {}),
        ("GET", f"{API}/persons/43010419920315204X/licences/居民户口簿", {}),
    ]
    for method, url, options in hall_operations:
        refused = admin.request(method, url, **options)
        assert refused.status_code == 403, url
        assert refused.json() == {"code": "forbidden", "message": NOT_A_HALL}
        assert halls.a.request(method, url, **options).status_code != 403, url
    files = {"a.yaml": "x"}
    bundle = {"version": "2026.12.1", "sha256": files_digest(files), "files": files}
    assert admin.post(f"{API}/catalogs", json=bundle).status_code == 200
    for client in (admin, halls.a, halls.b):  # catalogs are every hall's
        assert client.get(f"{API}/catalogs/latest").json()["version"] == "2026.12.1"
        assert client.get(f"{API}/catalogs/2026.12.1").json()["files"] == files
    for client in (halls.a, halls.b):
        assert client.post(f"{API}/catalogs", json=bundle).status_code == 403
        assert client.get(f"{API}/admin/stats").status_code == 403
        assert client.put(f"{API}/admin/faults", json={}).status_code == 403
    assert admin.get(f"{API}/admin/stats").json()["cases"] == 1


def test_shared_data_is_the_provinces_for_every_hall(halls: Halls) -> None:
    halls.served.store.seed_person(
        "43010419920315204X", {"parents.married": True}, source="测试", licences_=()
    )
    asked = [c.get(f"{API}/persons/43010419920315204X/facts").json() for c in (halls.a, halls.b)]
    assert asked[0] == asked[1] and asked[0]["facts"] == {"parents.married": True}


def test_an_accepted_case_of_another_hall_cannot_be_moved_on(halls: Halls) -> None:
    mine = receipt(HALL, 1)
    send(halls.a, envelope(mine, 1, "submission", submission(mine)))
    for kind, body in (
        ("acceptance", acceptance(mine)),
        (
            "withdrawal",
            {"receipt_no": mine, "reason": "x", "returned_to": "x", "at": "2026-11-23T02:06:00Z"},
        ),
        ("update", submission(mine, hall_code=OTHER)),
    ):
        (result,) = send(halls.b, envelope(mine, 2, kind, body))
        assert result["outcome"] == "rejected" and "不是本大厅的受理编号" in result["reason"]
    found = halls.served.client().get(f"{API}/events").json()["events"]
    assert [e["kind"] for e in found] == ["registered"]
    with halls.served.store.engine.connect() as connection:
        state = connection.scalar(
            select(platform_cases.c.state).where(platform_cases.c.receipt_no == mine)
        )
    assert state == "submitted"


# -- the property: B sees what it would see if hall A had never been -----------------------------
def seen(response: httpx.Response) -> tuple[int, Any]:
    """What B learns, less what differs between any two platforms: when things happened."""
    status, body = answer(response)
    return status, _timeless(body)


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "at"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, str) and value.startswith(OTHER) and len(value) == len(OTHER) + 16:
        return value[: len(OTHER)] + "YYYYMMDD" + value[-8:]  # a platform number's day
    return value


@dataclass
class Twin:
    """Hall B's terminal on the shared platform and on a platform of its own, where hall A
    never was: B does everything on both, and must learn the same from each."""

    shared: httpx.Client
    alone: httpx.Client
    seqs: Iterator[int] = field(default_factory=lambda: itertools.count(2))  # of B_CASE

    def ask(self, method: str, url: str, **options: Any) -> tuple[int, Any]:
        here = seen(self.shared.request(method, url, **options))
        there = seen(self.alone.request(method, url, **options))
        assert here == there, f"{method} {url}"
        return here


@pytest.fixture
def twin(halls: Halls, tmp_path: Path) -> Iterator[Twin]:
    store = PlatformStore(tmp_path / "twin", decide_after=timedelta(days=1))
    token = store.add_terminal("kiosk-99", OTHER)
    with (
        RunningPlatform(store, tick_s=0.05) as platform,
        httpx.Client(
            base_url=platform.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ) as alone,
    ):
        yield Twin(halls.b, alone)
    store.close()


B_CASE = receipt(OTHER, 1)


@pytest.fixture
def populated(halls: Halls, twin: Twin) -> Twin:
    """Hall A's scan, pre-applications and an accepted case; B's own kiosk case on both. The
    departments wait: when they decide is no part of what is compared."""
    halls.served.store.decide_after = timedelta(days=1)
    a = halls.a
    upload(a, SCAN)
    send(a, kiosk_submission(HALL, receipt(HALL, 1), 2), material(receipt(HALL, 1), 2))
    send(a, kiosk_submission(HALL, receipt(HALL, 2), 2, 3))
    send(
        a,
        envelope(receipt(HALL, 3), 1, "submission", submission(receipt(HALL, 3))),
        envelope(receipt(HALL, 3), 2, "acceptance", acceptance(receipt(HALL, 3))),
    )
    twin.ask("POST", f"{API}/messages", json={"messages": [kiosk_submission(OTHER, B_CASE, 2)]})
    return twin


ANY_RECEIPT = st.one_of(
    st.sampled_from([receipt(HALL, n) for n in (1, 2, 3)]),  # A's, there already
    st.integers(4, 99_999).map(lambda n: receipt(HALL, n)),  # A's, made in the example
    st.integers(1, 99_999).map(lambda n: receipt(OTHER, n)),  # B's own numbering
    st.from_regex(r"\A[0-9A-Z][0-9A-Z-]{0,38}\Z"),  # anything else
)


@given(
    named=ANY_RECEIPT,
    data=st.binary(min_size=1, max_size=3000),
    pick=st.sampled_from(["drawn", "A's", "unknown", "random"]),
    noise=st.binary(min_size=32, max_size=32),
    b_uploads=st.booleans(),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_whatever_another_hall_names_it_learns_nothing_of_this_hall(
    halls: Halls,
    populated: Twin,
    named: str,
    data: bytes,
    pick: str,
    noise: bytes,
    b_uploads: bool,
) -> None:
    a, twin = halls.a, populated
    drawn = hashlib.sha256(data).hexdigest()
    sha = {"drawn": drawn, "A's": SHA, "unknown": UNKNOWN_SHA, "random": noise.hex()}[pick]
    # A holds the file and, when the number is A's, a case of that number holding it.
    upload(a, data)
    if named.startswith(f"{HALL}-"):
        body = submission(named, channel="kiosk", attachments=[attachment(2, drawn, len(data))])
        send(a, envelope(named, 1, "submission", body), material(named, 2, drawn))

    path = quote(named, safe="")
    twin.ask("GET", f"{API}/cases/{path}/pre-application")
    for suffix in ("", "/content"):
        twin.ask("GET", f"{API}/files/{sha}{suffix}")
    twin.ask("PATCH", f"{API}/files/{sha}", content=b"x", headers={"Upload-Offset": "0"})
    if b_uploads and sha == drawn:  # B holds the same bytes: its own, on both platforms
        for client in (twin.shared, twin.alone):
            upload(client, data)
    for forged in (
        envelope(named, 1, "submission", submission(named, hall_code=OTHER)),
        envelope(named, 2, "acceptance", acceptance(named)),
    ):
        twin.ask("POST", f"{API}/messages", json={"messages": [forged]})
    seq = next(twin.seqs)
    twin.ask("POST", f"{API}/messages", json={"messages": [material(B_CASE, seq, sha)]})
    twin.ask("GET", f"{API}/files/{sha}/content")
    twin.ask("GET", f"{API}/cases/{B_CASE}/pre-application")
    twin.ask("GET", f"{API}/events")
