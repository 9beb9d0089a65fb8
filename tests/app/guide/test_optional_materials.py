"""Optional vs required (issue 24, item 7): a material the guide marks 非必要 (clbyx 2,
``required: false``) is needed exactly when its situation (``when``) holds; with no situation
named it is optional — listed on the plan and the printed list, never counted as to be submitted,
never waited for at acceptance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.catalog.catalog import Catalog, load_catalog
from app.db.engine import Database
from app.guide.engine import Planner
from app.reports.effectiveness import material_kind
from printing.tickets import material_list
from tests.helpers.cases import CLERK, MOTHER, make_service, receive_all
from tests.helpers.catalogs import MINIMAL, catalog_folder, replaced
from tests.helpers.clock import WallClock

# 43PCC0001 (大学生就业创业落户) lists such materials; the minimal scenario carries one of each kind.
WITH_OPTIONAL = replaced(
    MINIMAL,
    (
        "  - {id: m1, name: 材料一, items: [first, second]}\n",
        "  - {id: m1, name: 材料一, items: [first, second]}\n"
        "  - {id: other_proof, name: 其他证明材料, items: [first], required: false}\n"
        "  - id: authorisation\n"
        "    name: 授权委托书\n"
        "    items: [first]\n"
        "    required: false\n"
        '    when: {answer: q1, equals: "yes"}\n',
    ),
)
ANSWERS = {"q1": "yes", "q2": "b"}


def catalog(tmp_path: Path) -> Catalog:
    return load_catalog(catalog_folder(tmp_path / "catalog", WITH_OPTIONAL))


def test_an_optional_material_is_listed_but_not_to_submit(tmp_path: Path) -> None:
    plan = Planner(catalog(tmp_path)).plan("99TEST0001", ANSWERS)
    by_id = {m.id: m for m in plan.materials}
    assert by_id["other_proof"].status == "optional" and by_id["other_proof"].optional
    assert "不交不影响受理" in by_id["other_proof"].reason
    assert by_id["authorisation"].status == "submit"  # 非必要 with its situation met: needed
    assert by_id["m1"].status == "submit"
    assert plan.effectiveness.materials_to_submit == 2
    without = Planner(catalog(tmp_path)).plan("99TEST0001", {"q1": "no"})
    assert "authorisation" not in {m.id for m in without.materials}  # its situation not met

    lines = [line.text for line in material_list(plan, "长沙市政务服务中心", "0731-1").lines]
    bring = lines.index("请携带（2 项）：")
    optional = lines.index("可选，不带也能受理（1 项）：")
    assert bring < optional and lines[optional + 1] == "□ 其他证明材料（1 份）"


def test_acceptance_does_not_wait_for_an_optional_material(db: Database, tmp_path: Path) -> None:
    built = catalog(tmp_path)
    service = make_service(db, built, tmp_path, WallClock(datetime(2026, 12, 7, 9, tzinfo=UTC)))
    case = service.open_case(
        CLERK,
        channel="counter",
        scenario="99TEST0001",
        applicant=MOTHER,
        answers=ANSWERS,
        form={"applicant.name": MOTHER.name},
    )
    case = receive_all(service, case, skip=("other_proof",))
    accepted = service.accept(CLERK, case.receipt_no)
    assert accepted.state == "accepted"
    left = next(m for m in accepted.materials if m.material_id == "other_proof")
    assert (left.status, left.plan_status) == ("missing", "optional")
    assert material_kind(left.status, left.plan_status) == "optional"  # not "未收取" in reports


def test_the_built_in_catalogs_name_the_situation_of_every_non_required_material() -> None:
    """Each 非必要 material of the four built-in scenarios is needed in a situation the catalog
    names, so none turns optional there (the reference guides give each such a situation)."""
    built = load_catalog()
    loose = [
        (code, m.id)
        for code, scenario in built.scenarios.items()
        for m in scenario.materials
        if not m.required and m.when is None
    ]
    assert loose == []
