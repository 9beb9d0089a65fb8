"""好差评 reasons: offered per level from a versioned set, checked by the service, stored with
the rating, its audit entry and its message for the platform; older databases migrate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import insert, select, text

from app.cases.audit_verify import verify
from app.cases.evaluation import (
    REASONS_FILE,
    REASONS_VERSION,
    check_rating,
    parse_reasons,
    reasons_for,
)
from app.cases.files import FileStore
from app.cases.service import CaseService
from app.cases.snapshots import LEVEL_LABELS
from app.catalog.catalog import Catalog
from app.db.base import table
from app.db.engine import Database, make_engine
from app.db.migrate import current_revision, head_revision, upgrade
from app.db.models import CaseRow, OutboxMessage, OutboxPayload
from app.errors import CatalogError, InvalidInput
from tests.helpers.cases import CLERK, accepted


def test_each_level_offers_its_own_reasons() -> None:
    assert REASONS_VERSION
    for level in LEVEL_LABELS:
        assert 4 <= len(reasons_for(level)) <= 6
    assert "材料一次说清" in reasons_for(5) and "跑了多次" in reasons_for(1)
    assert set(reasons_for(5)).isdisjoint(reasons_for(1))
    assert set(reasons_for(4)).isdisjoint(reasons_for(2))
    assert reasons_for(3) != reasons_for(4) and reasons_for(3) != reasons_for(2)
    with pytest.raises(InvalidInput, match="评价等级 0"):
        reasons_for(0)


def test_a_broken_option_set_is_refused() -> None:
    good = yaml.safe_load(
        (Path(__file__).parents[3] / "app" / "cases" / REASONS_FILE).read_text(encoding="utf-8")
    )
    assert parse_reasons(good).version == REASONS_VERSION
    with pytest.raises(CatalogError, match="版本号"):
        parse_reasons({**good, "version": ""})
    with pytest.raises(CatalogError, match="1 到 5"):
        parse_reasons({**good, "levels": {k: v for k, v in good["levels"].items() if k != 3}})
    with pytest.raises(CatalogError, match="互不相同"):
        parse_reasons({**good, "levels": {**good["levels"], 1: ["跑了多次"] * 4}})


def test_check_rating() -> None:
    check_rating(5, ["一次办成"], "")
    check_rating(3, [], "")
    check_rating(1, ["跑了多次"], "跑了三次才办成")
    with pytest.raises(InvalidInput, match="不是“非常满意”可选的原因"):
        check_rating(5, ["跑了多次"], "")
    with pytest.raises(InvalidInput, match="请写明不满意的具体原因"):
        check_rating(2, ["跑了多次"], "  ")
    with pytest.raises(InvalidInput, match="最多 500 字"):
        check_rating(4, [], "好" * 501)


def test_reasons_are_stored_audited_and_queued(service: CaseService, catalog: Catalog) -> None:
    receipt = accepted(service, catalog).receipt_no
    with pytest.raises(InvalidInput, match="不是“满意”可选的原因"):
        service.evaluate(
            CLERK, receipt, stage="accept", level=4, channel="kiosk", reasons=["跑了多次"]
        )
    with pytest.raises(InvalidInput, match="请写明不满意的具体原因"):
        service.evaluate(
            CLERK, receipt, stage="accept", level=1, channel="kiosk", reasons=["跑了多次"]
        )
    assert service.get(receipt).evaluations == ()  # nothing stored by a refused rating
    case = service.evaluate(
        CLERK,
        receipt,
        stage="accept",
        level=2,
        channel="kiosk",
        reasons=["跑了多次", "等候时间过长", "跑了多次"],
        text="材料清单前后说法不一",
    )
    (rating,) = case.evaluations
    assert rating.reasons == ("跑了多次", "等候时间过长")
    assert rating.reasons_version == REASONS_VERSION
    assert service.get(receipt).evaluations == case.evaluations  # read back the same
    entry = service.timeline(receipt)[-1]
    assert entry.action == "evaluate" and entry.after is not None
    assert entry.after["reasons"] == ["跑了多次", "等候时间过长"]
    with service.db.read() as session:
        payload = session.scalars(
            select(OutboxPayload.payload)
            .join(OutboxMessage, OutboxMessage.id == OutboxPayload.id)
            .where(OutboxMessage.receipt_no == receipt, OutboxMessage.kind == "evaluation")
        ).one()
        assert verify(session).ok
    assert payload["reasons"] == ["跑了多次", "等候时间过长"] and payload["level"] == 2


def test_a_rating_without_reasons_still_works(service: CaseService, catalog: Catalog) -> None:
    """The counter's rating window offers no options: its ratings carry none."""
    receipt = accepted(service, catalog).receipt_no
    case = service.evaluate(CLERK, receipt, stage="accept", level=5, channel="hall_pad")
    assert case.evaluations[0].reasons == ()


def test_migration_adds_reasons_to_older_ratings(
    database_url: str, catalog: Catalog, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0003")
        assert current_revision(engine) == "0003"
        with engine.begin() as connection:
            case_id = connection.execute(
                insert(table(CaseRow))
                .values(
                    receipt_no="430100001-20261120-00001",
                    hall_code="430100001",
                    channel="counter",
                    state="accepted",
                    scenario_code="43PCN0009",
                    scenario_name="新生儿出生一件事",
                    catalog_version="2026.11.1",
                    applicant_kind="person",
                    applicant_name="李芳",
                    applicant_id_type="resident_id",
                    applicant_id_number="43010419920315204X",
                    clerk="clerk-zhang",
                    terminal="counter-01",
                )
                .returning(table(CaseRow).c.id)
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO evaluations (case_id, stage, round, level, channel, text, created_at)"
                    " VALUES (:case_id, 'accept', 'first', 3, 'hall_pad', '', :at)"
                ),
                {"case_id": case_id, "at": "2026-11-20 02:00:00+00:00"},
            )
        assert upgrade(engine) == ("0003", head_revision())
        service = CaseService(
            Database(engine), catalog, FileStore(tmp_path / "files"), hall_code="430100001"
        )
        (old,) = service.get("430100001-20261120-00001").evaluations
        assert (old.level, old.reasons, old.reasons_version) == (3, (), "")
        case = service.evaluate(
            CLERK,
            "430100001-20261120-00001",
            stage="accept",
            level=4,
            channel="kiosk",
            reasons=["一次办成"],
            follow_up=True,
        )
        assert [e.reasons for e in case.evaluations] == [(), ("一次办成",)]
    finally:
        engine.dispose()
