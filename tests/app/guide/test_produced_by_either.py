"""A material produced by any one of several items (issue 24, item 3): 个人身后一件事 issues the
death certificate through one of two alternative items — 死亡证办理（正常） or 出具死亡证明（非正常
死亡） — and every other item uses it. With ``produced_by`` naming both, one material says so,
and the plan names whichever item the applicant's situation chose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.catalog.catalog import Catalog, load_catalog, problems_of
from app.guide.engine import Planner
from tests.helpers.catalogs import catalog_folder, replaced

CODE = "43PCP0008"
TYPED = Path(__file__).resolve().parents[2] / "fixtures" / "typed_scenarios"
ABNORMAL_BLOCK = """  - id: abnormal_death_certificate_issued
    name: 非正常死亡证明
"""


def one_material_from_either_item() -> str:
    """个人身后 (as typed before issue 24's overlays) with its two issued death certificates as
    one material."""
    text = (TYPED / "43PCP0008-gerenshenhou.yaml").read_text(encoding="utf-8")
    start = text.index(ABNORMAL_BLOCK)
    end = text.index("  - id: ", start + len(ABNORMAL_BLOCK))
    text = text[:start] + text[end:]
    return replaced(
        text,
        (
            "    name: 居民死亡医学证明（推断）书\n",
            "    name: 死亡证明（本一件事出具）\n",
        ),
        (
            '    when: {all: [{answer: death_type, equals: normal}, {answer: death_certificate_held, equals: "no"}]}\n'
            "    required: false\n"
            "    source: institution\n"
            "    exemption: {produced_by: death_certificate_normal}\n",
            '    when: {answer: death_certificate_held, equals: "no"}\n'
            "    required: false\n"
            "    source: institution\n"
            "    exemption: {produced_by: [death_certificate_normal, death_certificate_abnormal]}\n",
        ),
    )


def catalog(tmp_path: Path) -> Catalog:
    folder = catalog_folder(tmp_path / "catalog", one_material_from_either_item())
    assert [p for p in problems_of(folder)[1] if p.severity == "error"] == []
    return load_catalog(folder)


def answered(planner: Planner, start: dict[str, Any]) -> dict[str, Any]:
    """``start``, then the first option that goes on for every question still asked."""
    answers = dict(start)
    for _ in range(100):
        question = planner.questions(CODE, answers).next
        if question is None:
            return answers
        pick = next(o for o in question.options if not o.stops)
        answers[question.id] = [pick.value] if question.kind == "multi" else pick.value
    raise AssertionError("the questionnaire did not end")


def test_the_plan_names_the_item_the_situation_chose(tmp_path: Path) -> None:
    planner = Planner(catalog(tmp_path))
    said = {}
    for death in ("normal", "abnormal"):
        answers = answered(planner, {"death_type": death, "death_certificate_held": "no"})
        plan = planner.plan(CODE, answers)
        issued = next(m for m in plan.materials if m.id == "medical_death_certificate_issued")
        assert issued.status == "produced" and not issued.to_submit
        said[death] = issued.reason
    assert said == {
        "normal": "由“死亡证办理（正常）”的办理结果提供",
        "abnormal": "由“出具死亡证明(非正常死亡)”的办理结果提供",
    }


def test_each_producer_is_checked(tmp_path: Path) -> None:
    wrong = replaced(
        one_material_from_either_item(),
        (
            "[death_certificate_normal, death_certificate_abnormal]",
            "[death_certificate_normal, nope]",
        ),
    )
    problems = problems_of(catalog_folder(tmp_path / "catalog", wrong))[1]
    assert any(p.severity == "error" and "nope" in p.render() for p in problems)
