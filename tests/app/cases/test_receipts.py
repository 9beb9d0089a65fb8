"""Receipt numbers stay unique and gap-free when several terminals open cases at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from app.cases.audit import Actor
from app.cases.receipts import (
    YearSerial,
    format_receipt,
    next_receipt_no,
    normalise_receipt,
    serial_in_year,
)
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database
from tests.helpers.cases import ANSWERS, MOTHER, NEWBORN


def test_receipt_format_and_normalising() -> None:
    number = format_receipt("430100001", date(2026, 11, 23), 17)
    assert number == "430100001-20261123-00017"
    assert normalise_receipt(" 430100001 20261123 00017 ") == number
    assert normalise_receipt("43010000120261123 00017") == number
    assert normalise_receipt(number.lower()) == number


def test_days_and_halls_count_separately(db: Database) -> None:
    with db.transaction() as session:
        a = [next_receipt_no(session, "430100001", date(2026, 11, 23)) for _ in range(2)]
        b = next_receipt_no(session, "430100001", date(2026, 11, 24))
        c = next_receipt_no(session, "430100002", date(2026, 11, 23))
    assert a == ["430100001-20261123-00001", "430100001-20261123-00002"]
    assert b.endswith("20261124-00001") and c == "430100002-20261123-00001"


def test_terminals_opening_at_once_never_share_a_number(
    service: CaseService, catalog: Catalog
) -> None:
    def open_some(terminal: int) -> list[str]:
        actor = Actor(f"clerk-{terminal}", f"counter-{terminal:02d}")
        return [
            service.open_case(
                actor, channel="counter", scenario=NEWBORN, applicant=MOTHER, answers=ANSWERS
            ).receipt_no
            for _ in range(5)
        ]

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(open_some, t) for t in range(4)]
        numbers = [n for f in futures for n in f.result(timeout=120)]
    assert len(set(numbers)) == 20
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 21))


def test_a_case_numbered_in_its_year_for_the_document_number(db: Database) -> None:
    """The 文号 counts on across the days of a year and starts again with the year; it stays
    the same however often it is asked."""
    days = [date(2026, 11, 23)] * 2 + [date(2026, 11, 24)] * 3 + [date(2027, 1, 4)]
    with db.transaction() as session:
        numbers = [next_receipt_no(session, "430100001", day) for day in days]
        other = next_receipt_no(session, "430100002", date(2026, 11, 24))
    with db.read() as session:
        serials = [serial_in_year(session, n) for n in numbers]
        again = serial_in_year(session, numbers[3])
        assert serial_in_year(session, other) == YearSerial(2026, 1)  # another hall's count
        assert serial_in_year(session, "430100001-20261125-00001") is None  # not numbered here
        assert serial_in_year(session, "not a receipt") is None
    assert serials == [YearSerial(2026, n) for n in (1, 2, 3, 4, 5)] + [YearSerial(2027, 1)]
    assert again == YearSerial(2026, 4)
