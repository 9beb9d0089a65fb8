"""好差评 reasons on the wire: sent with the rating, kept by the platform; a message queued before
there were reasons still goes, and an older platform folder gains the column."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from app.catalog.catalog import Catalog
from app.db.engine import make_engine
from sync import wire
from sync.client import HttpPlatform
from sync.contract import Evaluation
from sync.server.store import PlatformStore
from sync.server.store.schema import evaluations
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.sync.conftest import Hall, Served

OLD_PAYLOAD = {
    "receipt_no": "430100001-20261120-00001",
    "stage": "accept",
    "round": "first",
    "level": 5,
    "channel": "hall_pad",
    "text": "",
    "at": "2026-11-20T02:00:00+00:00",
}


def test_a_message_queued_before_reasons_still_validates() -> None:
    body = wire.body_of("evaluation", dict(OLD_PAYLOAD))
    assert isinstance(body, Evaluation) and body.reasons == []
    with_reasons = wire.body_of("evaluation", {**OLD_PAYLOAD, "reasons": ["一次办成"]})
    assert isinstance(with_reasons, Evaluation) and with_reasons.reasons == ["一次办成"]


def test_the_platform_keeps_the_reasons(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    case = receive_all(hall.service, open_newborn(hall.service, catalog))
    hall.service.accept(CLERK, case.receipt_no)
    hall.service.evaluate(
        CLERK,
        case.receipt_no,
        stage="accept",
        level=2,
        channel="kiosk",
        reasons=["跑了多次"],
        text="补了两次材料",
    )
    sender = hall.sender(http)
    while sender.send_once().claimed:
        pass
    assert hall.outbox.counts()["delivered"] == 3
    with served.store.engine.connect() as connection:
        row = connection.execute(
            select(evaluations).where(evaluations.c.receipt_no == case.receipt_no)
        ).one()
    assert (row.satisfaction, row.channel, row.reasons) == ("4", "5", ["跑了多次"])


def test_an_older_platform_folder_gains_the_reasons_column(tmp_path: Path) -> None:
    folder = tmp_path / "platform"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'platform.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE evaluations (id INTEGER PRIMARY KEY, receipt_no VARCHAR(40) NOT NULL,"
                " stage VARCHAR(16) NOT NULL, round VARCHAR(16) NOT NULL,"
                " satisfaction VARCHAR(1) NOT NULL, channel VARCHAR(2) NOT NULL, text TEXT NOT NULL,"
                " at DATETIME NOT NULL, UNIQUE (receipt_no, stage, round))"
            )
        )
        connection.execute(
            text(
                "INSERT INTO evaluations (receipt_no, stage, round, satisfaction, channel, text, at)"
                " VALUES ('R1', 'accept', 'first', '1', '4', '', :at)"
            ),
            {"at": datetime(2026, 11, 20, tzinfo=UTC)},
        )
    engine.dispose()
    store = PlatformStore(folder)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(select(evaluations.c.reasons)).scalars().all() == [[]]
    finally:
        store.close()
    PlatformStore(folder).close()  # a second start finds the column there
