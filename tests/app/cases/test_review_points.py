"""形式审核 points recorded with the material, and — where the hall requires it
(``[counter] require_review_points``) — all of them ticked before an original or a copy is taken;
a material recorded as 缺 is told apart from one nobody has looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cases.files import FileStore
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database
from app.errors import InvalidInput
from tests.helpers.cases import CLERK, open_newborn
from tests.helpers.clock import WallClock

BIRTH_POINTS = ("清晰无涂改", "加盖单位公章")  # 新生儿出生医学记录's 形式审核 in the catalog


@pytest.fixture
def strict(db: Database, catalog: Catalog, tmp_path: Path, clock: WallClock) -> CaseService:
    return CaseService(
        db,
        catalog,
        FileStore(tmp_path / "files"),
        hall_code="430100001",
        clock=clock,
        require_review=True,
    )


def test_a_hall_that_requires_the_points_refuses_an_unchecked_original(
    strict: CaseService, catalog: Catalog
) -> None:
    case = open_newborn(strict, catalog)
    with pytest.raises(InvalidInput, match="还有 1 项审核要点没有核对：加盖单位公章"):
        strict.record_material(
            CLERK, case.receipt_no, "birth_record", "received_original", reviewed=("清晰无涂改",)
        )
    assert strict.get(case.receipt_no).material("birth_record").status == "missing"
    strict.record_material(
        CLERK, case.receipt_no, "birth_record", "received_copy", reviewed=BIRTH_POINTS
    )
    birth = strict.get(case.receipt_no).material("birth_record")
    assert (birth.status, birth.reviewed) == ("received_copy", BIRTH_POINTS)
    strict.record_material(CLERK, case.receipt_no, "marriage_certificate", "missing")  # no check


def test_by_default_the_points_are_recorded_not_required(
    service: CaseService, catalog: Catalog
) -> None:
    case = open_newborn(service, catalog)
    service.record_material(CLERK, case.receipt_no, "birth_record", "received_original")
    assert service.get(case.receipt_no).material("birth_record").reviewed == ()


def test_missing_recorded_by_a_clerk_is_not_untouched(
    service: CaseService, catalog: Catalog, clock: WallClock
) -> None:
    case = open_newborn(service, catalog)
    assert case.material("birth_record").status_label == "未收取"
    service.record_material(CLERK, case.receipt_no, "birth_record", "missing")
    birth = service.get(case.receipt_no).material("birth_record")
    assert (birth.status, birth.status_label) == ("missing", "缺（已核对，申请人未带）")
    assert birth.checked_at == clock.now
