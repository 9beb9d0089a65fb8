"""帮办代办 reaches the (real, reference) platform over HTTP: recorded on a draft it goes right
after the submission; corrected after the decision it goes at once, and the platform keeps the
last one with the case."""

from __future__ import annotations

from sqlalchemy import select

from app.cases.snapshots import Party
from app.catalog.catalog import Catalog
from sync.client import HttpPlatform
from sync.server.store.schema import cases as platform_cases
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.sync.conftest import Hall, Served
from tests.sync.test_sync import drain

GRANDMOTHER = Party("张秀英", "430104195203151241", phone="13912345678")


def at_platform(served: Served, receipt_no: str) -> dict[str, object]:
    with served.store.engine.connect() as connection:
        submission = connection.scalar(
            select(platform_cases.c.submission).where(platform_cases.c.receipt_no == receipt_no)
        )
    assert isinstance(submission, dict)
    found = submission.get("assistance")
    assert isinstance(found, dict)
    return found


def test_assistance_goes_with_the_case_and_its_correction_follows(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    case = open_newborn(hall.service, catalog, applicant=GRANDMOTHER)
    hall.service.assist(CLERK, case.receipt_no, mode="peitong", helper="刘洋", minutes=25)
    hall.service.accept(CLERK, receive_all(hall.service, case).receipt_no)
    drain(hall, http)
    assert hall.outbox.counts().get("attention", 0) == 0
    sent = at_platform(served, case.receipt_no)
    assert sent["mode"] == "peitong" and sent["groups"] == ["elderly"] and sent["minutes"] == 25

    hall.service.assist(
        CLERK, case.receipt_no, mode="peitong", helper="刘洋", minutes=40, offered=["priority"]
    )
    drain(hall, http)
    corrected = at_platform(served, case.receipt_no)
    assert corrected["minutes"] == 40 and corrected["offered"] == ["priority"]
