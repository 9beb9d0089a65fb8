"""Receipt numbers (受理编号): hall code, the hall's local date and a per-day sequence.

The sequence comes from one counter row per hall and day, incremented with an upsert in the same
transaction as the case, so terminals writing at once never get the same number (PostgreSQL locks
the row; SQLite has one writer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.models import ReceiptCounter

HALL_TZ = ZoneInfo("Asia/Shanghai")
RECEIPT_RE = re.compile(r"^(?P<hall>[0-9A-Z]{4,20})-(?P<day>\d{8})-(?P<seq>\d{5,})$")


def hall_day(moment: datetime) -> date:
    return moment.astimezone(HALL_TZ).date()


def hall_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as a person in the hall reads it: Beijing time, whatever the machine's zone
    (a terminal's clock may run in UTC); a dash when there is none."""
    return moment.astimezone(HALL_TZ).strftime(pattern) if moment else "—"


def format_receipt(hall_code: str, day: date, seq: int) -> str:
    return f"{hall_code}-{day:%Y%m%d}-{seq:05d}"


def next_receipt_no(session: Session, hall_code: str, day: date) -> str:
    key = f"{day:%Y%m%d}"
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReceiptCounter)
        .values(hall_code=hall_code, day=key, last=1)
        .on_conflict_do_update(
            index_elements=["hall_code", "day"], set_={"last": ReceiptCounter.last + 1}
        )
        .returning(ReceiptCounter.last)
    )
    seq = session.execute(statement).scalar_one()
    return format_receipt(hall_code, day, seq)


def normalise_receipt(text: str) -> str:
    """What a person typed or a scanner read, in the stored form (spaces gone, hyphens restored)."""
    compact = re.sub(r"[\s\-—_]", "", text.strip().upper())
    match = re.fullmatch(r"([0-9A-Z]+?)(\d{8})(\d{5})", compact)
    if "-" in text or not match:
        return re.sub(r"\s", "", text.strip().upper())
    return f"{match[1]}-{match[2]}-{match[3]}"


def counter_value(session: Session, hall_code: str, day: date) -> int:
    row = session.scalar(
        select(ReceiptCounter.last).where(
            ReceiptCounter.hall_code == hall_code, ReceiptCounter.day == f"{day:%Y%m%d}"
        )
    )
    return row or 0


@dataclass(frozen=True)
class YearSerial:
    """A case's place in its year's numbering: the 文号 of its documents."""

    year: int
    seq: int


def serial_in_year(session: Session, receipt_no: str) -> YearSerial | None:
    """The cases the hall numbered on earlier days of the receipt's year, plus its own number of
    the day. Stable: a day's counter stops growing when the day ends. None for a receipt number
    that is not this form or whose day the counters do not hold (a case numbered elsewhere)."""
    match = RECEIPT_RE.match(receipt_no)
    if match is None:
        return None
    hall, day, seq = match["hall"], match["day"], int(match["seq"])
    counted = ReceiptCounter.hall_code == hall
    own = session.scalar(select(ReceiptCounter.last).where(counted, ReceiptCounter.day == day))
    if own is None or own < seq:
        return None
    earlier = session.scalar(
        select(func.coalesce(func.sum(ReceiptCounter.last), 0)).where(
            counted, ReceiptCounter.day >= f"{day[:4]}0101", ReceiptCounter.day < day
        )
    )
    return YearSerial(int(day[:4]), int(earlier or 0) + seq)
