"""The pre-application and file download endpoints of the reference platform, through the HTTP
client: what a window of the hall gets, what it does not, and every way the call can fail."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.client import HttpPlatform, NotFound, Refused, Unreachable
from sync.contract import API
from sync.server.faults import Faults
from tests.sync.conftest import HALL, Served, acceptance, envelope, submission

SCAN = b"%PDF-1.7 scan " + bytes(range(256)) * 20
SHA = hashlib.sha256(SCAN).hexdigest()
K1, K2, K3, K4, K5 = (f"{HALL}-20261123-{n:05d}" for n in range(1, 6))


def attachment(seq: int, sha256: str = SHA, **changes: Any) -> dict[str, Any]:
    return {
        "material": "marriage_certificate",
        "name": "结婚证",
        "sha256": sha256,
        "file_name": f"scan-{seq}.pdf",
        "mime": "application/pdf",
        "size": len(SCAN),
        "seq": seq,
        **changes,
    }


def material(receipt_no: str, seq: int) -> dict[str, Any]:
    body = {k: v for k, v in attachment(seq).items() if k != "seq"}
    return envelope(receipt_no, seq, "material", {"receipt_no": receipt_no, **body})


def send(client: httpx.Client, *messages: dict[str, Any]) -> list[str]:
    response = client.post(f"{API}/messages", json={"messages": list(messages)})
    assert response.status_code == 200, response.text
    return [r["outcome"] for r in response.json()["results"]]


def kiosk_submission(receipt_no: str, *seqs: int) -> dict[str, Any]:
    body = submission(receipt_no, channel="kiosk", attachments=[attachment(s) for s in seqs])
    return envelope(receipt_no, 1, "submission", body)


def upload(http: HttpPlatform, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(SCAN)
    assert http.upload(SHA, path, "application/pdf").complete


def test_a_window_gets_what_has_arrived_and_what_is_still_to_come(
    served: Served, http: HttpPlatform, tmp_path: Path
) -> None:
    upload(http, tmp_path)
    with pytest.raises(NotFound, match="没有本大厅办件的这个材料文件"):
        http.download(SHA)  # whole, but no case holds it yet
    client = served.client()
    assert send(client, kiosk_submission(K1, 2, 3)) == ["applied"]
    found = http.pre_application(K1)
    assert (found.complete, found.files, found.last_seq) == (False, [], 1)
    assert [a.seq for a in found.missing] == [2, 3] and found.submission.channel == "kiosk"
    assert found.platform_no.startswith(HALL)

    assert send(client, material(K1, 2)) == ["applied"]
    found = http.pre_application(K1)
    assert [a.seq for a in found.files] == [2] and [a.seq for a in found.missing] == [3]
    assert http.download(SHA) == SCAN

    # The hall gave scan 3 up (its next message says the case goes on from 2): nothing to wait for.
    stale = submission(K1, channel="kiosk", attachments=[attachment(2), attachment(3)])
    update = envelope(K1, 4, "update", stale)
    assert send(client, {**update, "prev_seq": 2}) == ["applied"]
    found = http.pre_application(K1)
    assert (found.complete, [a.seq for a in found.files], found.last_seq) == (True, [2], 4)

    served.store.file_path(SHA).unlink()  # a file the platform lost is not pretended to be there
    found = http.pre_application(K1)
    assert not found.complete and [a.file_name for a in found.missing] == ["scan-2.pdf"]
    with pytest.raises(NotFound):
        http.download(SHA)


def test_only_the_hall_of_a_case_may_download_its_scans(
    served: Served, http: HttpPlatform, tmp_path: Path
) -> None:
    upload(http, tmp_path)
    send(served.client(), kiosk_submission(K2, 2), material(K2, 2))
    url = f"{API}/files/{SHA}/content"
    mine = served.client().get(url)
    assert mine.status_code == 200 and mine.content == SCAN
    assert mine.headers["content-type"] == "application/octet-stream"
    other = served.client(served.store.add_terminal("counter-99", "430100099"))
    assert other.get(url).status_code == 404
    assert other.get(f"{API}/cases/{K2}/pre-application").status_code == 404
    assert httpx.get(f"{served.platform.url}{url}", timeout=10).status_code == 401
    partial = hashlib.sha256(b"partial").hexdigest()
    client = served.client()
    assert client.post(f"{API}/files/{partial}", json={"size": 7}).status_code == 200
    assert client.get(f"{API}/files/{partial}/content").status_code == 404  # only whole files
    assert client.get(f"{API}/files/{'0' * 64}/content").json()["code"] == "not_found"
    assert client.get(f"{API}/files/not-a-hash/content").status_code == 422


@pytest.mark.parametrize(
    ("then", "said"),
    [
        ({"kind": "acceptance"}, "已经在窗口受理过"),
        (
            {
                "kind": "not_accepted",
                "body": {
                    "ground": "2",
                    "reasons": ["不属于本中心受理范围"],
                    "at": "2026-11-23T02:06:00Z",
                },
            },
            "不予受理",
        ),
        (
            {
                "kind": "withdrawal",
                "body": {
                    "reason": "申请人撤回",
                    "returned_to": "李芳",
                    "at": "2026-11-23T02:06:00Z",
                },
            },
            "已经撤回",
        ),
        ({"kind": ""}, "不是预申请"),
    ],
    ids=["accepted", "not-accepted", "withdrawn", "counter-case"],
)
def test_a_case_that_is_no_longer_a_pre_application_is_a_conflict(
    served: Served, http: HttpPlatform, then: dict[str, Any], said: str
) -> None:
    client = served.client()
    channel = "kiosk" if then["kind"] else "counter"
    send(client, envelope(K3, 1, "submission", submission(K3, channel=channel)))
    if then["kind"] == "acceptance":
        send(client, envelope(K3, 2, "acceptance", acceptance(K3)))
    elif then["kind"]:
        send(client, envelope(K3, 2, then["kind"], {"receipt_no": K3, **then["body"]}))
    with pytest.raises(Refused, match=said) as refused:
        http.pre_application(K3)
    assert refused.value.status == 409 and not refused.value.transient


@pytest.mark.parametrize(
    ("faults", "said"),
    [
        (Faults(error_rate=1), "平台暂时不可用（500）"),
        (Faults(outage_s=60), "平台暂时不可用（503）"),
        (Faults(malformed_rate=1), "不是"),
        (Faults(hang_rate=1, hang_s=1.0), "超时"),
    ],
    ids=["error", "outage", "malformed", "hang"],
)
def test_the_client_says_what_went_wrong(
    served: Served, tmp_path: Path, faults: Faults, said: str
) -> None:
    setup = HttpPlatform(served.platform.url, served.token, timeout_s=5)
    upload(setup, tmp_path)
    send(served.client(), kiosk_submission(K4, 2), material(K4, 2))
    setup.close()
    served.platform.faults.set(faults)
    http = HttpPlatform(served.platform.url, served.token, timeout_s=0.3, deadline_s=2)
    try:
        for call in (lambda: http.pre_application(K4), lambda: http.download(SHA)):
            with pytest.raises(Unreachable, match=said) as failed:
                call()
            assert failed.value.transient
    finally:
        http.close()
        served.platform.faults.set(Faults())


def test_a_download_bigger_than_allowed_is_cut_off(
    served: Served, http: HttpPlatform, tmp_path: Path
) -> None:
    upload(http, tmp_path)
    send(served.client(), kiosk_submission(K5, 2), material(K5, 2))
    small = HttpPlatform(served.platform.url, served.token, max_file=1024)
    try:
        with pytest.raises(Unreachable, match="超过"):
            small.download(SHA)
        with pytest.raises(Refused, match="422"):
            small.download("not-a-hash")
        with pytest.raises(NotFound, match="没有本大厅受理编号为 a/b 的预申请|没有这个地址"):
            small.pre_application("a/b")
    finally:
        small.close()
