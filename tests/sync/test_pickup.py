"""A kiosk with its own database, a window with another, the reference platform between them
over real HTTP: the window picks the kiosk's pre-application up by its receipt number, with
every scan byte for byte, and carries on the case's message sequence where the kiosk left it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.intake import NewScan
from app.cases.snapshots import CaseView
from app.catalog.catalog import Catalog
from app.errors import CaseNotFound
from app.settings import PlatformSettings, Settings, TerminalSettings
from sync.client import HttpPlatform, PlatformError, Refused
from sync.pickup import STILL_UPLOADING, fetch_pre_application
from sync.server.store.schema import messages as platform_messages
from sync.worker import SyncWorker, platform_of
from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form, receive_all
from tests.sync.conftest import HALL, Served, envelope, submission

KIOSK = Actor("kiosk-session", "kiosk-01")
MARRIAGE = b"%PDF-1.7 marriage certificate " + bytes(range(256)) * 40
HOUSEHOLD = b"\xff\xd8\xff\xe0 household register " + bytes(range(255, -1, -1)) * 60


@pytest.fixture
def terminals(tmp_path: Path, served: Served, catalog: Catalog) -> Iterator[Callable[[str], Core]]:
    """Terminals of the hall, each with its own database and files, registered on the platform."""
    made: list[Core] = []

    def terminal(name: str) -> Core:
        token = served.store.add_terminal(name, HALL)
        settings = Settings(
            data_dir=tmp_path / name,
            terminal=TerminalSettings(name=name),
            platform=PlatformSettings(url=served.platform.url, token=token, timeout_s=5),
        )
        core = build_core(settings, catalog)
        made.append(core)
        return core

    yield terminal
    for core in made:
        core.close()


@pytest.fixture
def kiosk(terminals: Callable[[str], Core]) -> Core:
    return terminals("kiosk-01")


@pytest.fixture
def counter(terminals: Callable[[str], Core]) -> Core:
    return terminals("counter-02")


@pytest.fixture
def window(counter: Core) -> Iterator[HttpPlatform]:
    platform = platform_of(counter)
    yield platform
    platform.close()


def pre_apply(kiosk: Core, catalog: Catalog) -> CaseView:
    """李芳 at the kiosk: 新生儿出生一件事 with two scans, saved whole in the kiosk's database."""
    return kiosk.cases.open_case(
        KIOSK,
        channel="kiosk",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(catalog, NEWBORN, ANSWERS),
        scans=[
            NewScan("marriage_certificate", MARRIAGE, "结婚证.pdf"),
            NewScan("household_register", HOUSEHOLD, "户口簿.jpg", "image/jpeg", pages=2),
        ],
    )


def sync(core: Core, rounds: int = 1000) -> None:
    platform = platform_of(core)
    try:
        done = SyncWorker(core, platform).run_once(rounds=rounds)
    finally:
        platform.close()
    assert not done["error"] and not done["rejected"], done


def nothing_stored(counter: Core, receipt_no: str) -> None:
    with pytest.raises(CaseNotFound):
        counter.cases.get(receipt_no)
    assert [p for p in counter.files.root.rglob("*") if p.is_file()] == []  # not even a scan


def test_the_window_picks_up_a_kiosk_pre_application_and_carries_on_its_sequence(
    kiosk: Core, counter: Core, window: HttpPlatform, served: Served, catalog: Catalog
) -> None:
    original = pre_apply(kiosk, catalog)
    sync(kiosk)
    assert kiosk.outbox.counts()["delivered"] == 3  # the submission and two scans

    case = fetch_pre_application(counter.cases, window, CLERK, original.receipt_no)
    assert (case.receipt_no, case.state, case.channel) == (
        original.receipt_no,
        "pre_application",
        "kiosk",
    )
    assert case.id != 0 and case.applicant == original.applicant
    assert (case.answers, case.form_data, case.chosen_items) == (
        original.answers,
        original.form_data,
        original.chosen_items,
    )
    assert [m.material_id for m in case.materials] == [m.material_id for m in original.materials]
    for material_id, data in (
        ("marriage_certificate", MARRIAGE),
        ("household_register", HOUSEHOLD),
    ):
        (scan,) = case.material(material_id).scans
        assert counter.files.read(scan.sha256) == data
        assert scan.file_name == original.material(material_id).scans[0].file_name
    assert counter.outbox.counts().get("pending", 0) == 0  # nothing goes back to the platform

    accepted = counter.cases.accept(CLERK, receive_all(counter.cases, case).receipt_no)
    sync(counter)
    # the acceptance follows the kiosk's three messages (items dispatched at once may follow it)
    acceptance = counter.outbox.messages(receipt_no=case.receipt_no)[0]
    assert (acceptance.kind, acceptance.seq, acceptance.state) == ("acceptance", 4, "delivered")
    with served.store.engine.connect() as connection:
        outcome = connection.scalar(
            select(platform_messages.c.outcome).where(
                platform_messages.c.idempotency_key == acceptance.idempotency_key
            )
        )
    assert outcome == "applied"
    stats = served.store.stats()
    assert (
        stats["messages_rejected"],
        stats["out_of_order_refused"],
        stats["duplicates_refused"],
    ) == (0, 0, 0)
    assert stats["cases_by_state"].keys() <= {"accepted", "completed"}

    again = fetch_pre_application(counter.cases, window, CLERK, f" {original.receipt_no} ")
    assert again.id == accepted.id and again.state in ("accepted", "completed")
    # the platform's 办件编号 came with the answer to the acceptance
    assert again.platform_no == kiosk.cases.get(original.receipt_no).platform_no != ""
    with pytest.raises(Refused, match="已经在窗口受理过") as refused:
        window.pre_application(original.receipt_no)
    assert refused.value.status == 409


def test_unknown_numbers_and_other_halls_cases_are_not_found(
    counter: Core, window: HttpPlatform, served: Served
) -> None:
    other = served.client(served.store.add_terminal("kiosk-99", "430100099"))
    theirs = "430100099-20261123-00001"
    body = submission(theirs, channel="kiosk", hall_code="430100099")
    sent = other.post(
        "/api/v1/messages", json={"messages": [envelope(theirs, 1, "submission", body)]}
    )
    assert sent.json()["results"][0]["outcome"] == "applied"
    assert other.get(f"/api/v1/cases/{theirs}/pre-application").status_code == 200
    answers = []
    for receipt_no in (theirs, "430100001-20261123-99999"):
        with pytest.raises(CaseNotFound, match=f"没有受理编号为 {receipt_no} 的预申请"):
            fetch_pre_application(counter.cases, window, CLERK, receipt_no)
        response = served.client().get(f"/api/v1/cases/{receipt_no}/pre-application")
        answers.append((response.status_code, response.json()["code"]))
    assert answers == [(404, "not_found")] * 2  # another hall's case looks like no case at all


def test_a_pre_application_whose_scans_are_still_on_their_way_is_not_picked_up(
    kiosk: Core, counter: Core, window: HttpPlatform, catalog: Catalog
) -> None:
    original = pre_apply(kiosk, catalog)
    platform = platform_of(kiosk)
    sender = SyncWorker(kiosk, platform).sender
    try:
        for missing in (2, 1):  # a round takes one message per case: the submission, a scan…
            assert sender.send_once().delivered == 1
            found = window.pre_application(original.receipt_no)
            assert not found.complete and len(found.missing) == missing
            with pytest.raises(PlatformError, match=f"还有 {missing} 份材料文件") as raised:
                fetch_pre_application(counter.cases, window, CLERK, original.receipt_no)
            assert raised.value.hint == STILL_UPLOADING and raised.value.transient
            assert "户口簿.jpg" in str(raised.value)
            nothing_stored(counter, original.receipt_no)
        assert sender.send_once().delivered == 1
    finally:
        platform.close()
    case = fetch_pre_application(counter.cases, window, CLERK, original.receipt_no)
    assert len(case.material("household_register").scans) == 1


def test_a_scan_that_does_not_match_its_hash_is_refused_and_nothing_is_stored(
    kiosk: Core, counter: Core, window: HttpPlatform, served: Served, catalog: Catalog
) -> None:
    original = pre_apply(kiosk, catalog)
    sync(kiosk)
    sha = original.material("household_register").scans[0].sha256
    served.store.file_path(sha).write_bytes(HOUSEHOLD[:-1] + b"!")  # changed on the platform
    with pytest.raises(PlatformError, match="户口簿.jpg”与登记的 SHA-256 不符"):
        fetch_pre_application(counter.cases, window, CLERK, original.receipt_no)
    nothing_stored(counter, original.receipt_no)
