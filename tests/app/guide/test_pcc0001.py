"""大学生就业创业落户“一件事” (43PCC0001, 长沙市), the province's guide plus the hall's overlay: its
conditions are per item, so an applicant who misses one of them loses that item only, with the
guide's reason and what to do first, and the rest of the 一件事 goes on (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalog.base_files import base_file_name, base_yaml
from app.catalog.catalog import Catalog
from app.catalog.importer import import_guide
from app.catalog.loader import builtin_catalog_dir
from app.errors import ItemChoiceError
from app.guide.engine import Planner
from app.guide.plan import Plan

CODE = "43PCC0001"
GUIDE = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "43PCC0001-430101000000.json"
IDENTITY = (
    "身份条件：申请人需满足相应身份条件：1.大学生（在校大学生或离校2年内高校毕业生）；"
    "2.就业困难人员；3.返乡入乡农民工。"
)
IDENTITY_ADVICE = (
    "属于就业困难人员但尚未认定的，请先到人社部门申请就业困难人员认定，再申请创业补贴；"
    "其他事项可以继续办理。创业补贴咨询电话0731-84907633。"
)
BUSINESS = (
    "创业条件：在省内初次创办小微企业或从事个体经济，"
    "且所创办企业或个体工商户自工商登记注册之日起正常运营1年以上。"
)
REGISTERED = "申请人办理完经营主体登记注册和纳税人信息确认之后，再进行创业事项申请。"
CARD = "在人社部门已经办理过就业登记或在市监部门已完成经营主体注册的劳动者，可以申请就业创业证。"

# A graduate who founded a company in the 自贸区, registered it, and brings the archive to 长沙.
FOUNDER = {
    "situation": "founder",
    "entity_kind": "company",
    "business_registered": "yes",
    "subsidy_identity": "graduate",
    "business_condition": "yes",
    "ftz_settlement": "yes",
    "archive": "receive",
    "archive_public": "yes",
}
# Everything that applies to FOUNDER (档案的转出 is the other direction of the archive).
FOUNDER_ITEMS = [
    "employment_registration",
    "staff_insurance",
    "archive_receive",
    "enterprise_insurance",
    "startup_subsidy",
    "unit_medical_insurance",
    "settlement",
    "employment_card",
    "housing_fund_unit",
]
SUBSIDY_MATERIALS = {"subsidy_form", "graduate_proof"}


def plan_for(planner: Planner, drop: tuple[str, ...] = (), **changes: str) -> Plan:
    """FOUNDER's plan with some answers changed and the questions ``drop`` no longer shown."""
    answers = {k: v for k, v in {**FOUNDER, **changes}.items() if k not in drop}
    plan = planner.plan(CODE, answers)
    assert plan.complete, plan.pending_questions
    return plan


def test_meeting_every_condition_gives_every_applicable_item(planner: Planner) -> None:
    plan = plan_for(planner)
    assert plan.eligible and plan.excluded == ()
    assert [i.id for i in plan.items] == FOUNDER_ITEMS
    assert [s.id for s in plan.not_applicable] == ["archive_transfer_out"]
    materials = {m.id for m in plan.materials}
    assert SUBSIDY_MATERIALS | {"business_licence", "former_unit_separation_proof"} <= materials
    assert "labour_contract" not in materials  # a founder has no employer's contract to show
    licence = next(m for m in plan.materials if m.id == "business_licence")
    assert "创业补贴申领" in licence.items
    assert plan.promised_days == 10  # 就业登记 (5) → 就业创业证申领 (5), the guide's 10


def test_no_identity_group_leaves_out_the_subsidy_only(planner: Planner) -> None:
    plan = plan_for(planner, ("business_condition",), subsidy_identity="none")
    assert plan.eligible and plan.blocked == ()
    (left_out,) = plan.excluded
    assert (left_out.id, left_out.name) == ("startup_subsidy", "创业补贴申领")
    assert (left_out.reason, left_out.advice) == (IDENTITY, IDENTITY_ADVICE)
    assert [i.id for i in plan.items] == [i for i in FOUNDER_ITEMS if i != "startup_subsidy"]
    names = {m.name for m in plan.materials}
    assert "一次性创业补贴申请表" not in names and "高校离校2年内毕业生证明" not in names
    assert not {m.id for m in plan.materials} & SUBSIDY_MATERIALS
    # the business licence stays for the unit registrations, no longer for the subsidy
    licence = next(m for m in plan.materials if m.id == "business_licence")
    assert "创业补贴申领" not in licence.items and "企业参保信息录入" in licence.items
    assert plan.to_dict()["excluded"][0]["advice"] == IDENTITY_ADVICE


def test_the_creation_condition_is_asked_only_of_those_with_an_identity(planner: Planner) -> None:
    state = planner.questions(CODE, {**FOUNDER, "subsidy_identity": "none"})
    assert "business_condition" not in {q.id for q in state.questions}
    assert state.blocked == () and state.next is None
    (block,) = state.item_blocks
    assert (block.question, block.items) == ("subsidy_identity", ("startup_subsidy",))


@pytest.mark.parametrize("answer", ["under_year", "not_first"])
def test_a_business_not_yet_qualifying_leaves_out_the_subsidy_only(
    planner: Planner, answer: str
) -> None:
    plan = plan_for(planner, business_condition=answer)
    assert plan.eligible
    assert [(e.id, e.reason) for e in plan.excluded] == [("startup_subsidy", BUSINESS)]
    assert [i.id for i in plan.items] == [i for i in FOUNDER_ITEMS if i != "startup_subsidy"]


def test_an_unregistered_business_leaves_out_the_founders_items_and_what_needs_them(
    planner: Planner,
) -> None:
    drop = ("subsidy_identity", "business_condition")
    plan = plan_for(planner, drop, business_registered="no")
    assert plan.eligible
    left_out = {e.id: e for e in plan.excluded}
    assert set(left_out) == {
        "enterprise_insurance",
        "unit_medical_insurance",
        "housing_fund_unit",
        "startup_subsidy",
        "staff_insurance",  # 职工参保 follows the unit's 企业参保信息录入
    }
    assert left_out["housing_fund_unit"].reason == REGISTERED
    assert left_out["staff_insurance"].reason == (
        f"需要“企业参保信息录入”的办理结果，而“企业参保信息录入”不能办理：{REGISTERED}"
    )
    assert [i.id for i in plan.items] == [
        "employment_registration",
        "archive_receive",
        "settlement",
        "employment_card",
    ]
    assert "business_licence" not in {m.id for m in plan.materials}


def test_a_sole_trader_without_staff_insures_as_a_flexible_worker(planner: Planner) -> None:
    plan = planner.plan(
        CODE,
        {
            "situation": "founder",
            "entity_kind": "individual",
            "employees": "no",
            "business_registered": "no",
            "ftz_settlement": "no",
            "archive": "none",
        },
    )
    assert plan.complete and plan.eligible
    assert [e.id for e in plan.excluded] == ["startup_subsidy"]  # no unit items apply
    assert [i.id for i in plan.items] == [
        "employment_registration",
        "staff_insurance",
        "employment_card",
    ]


def test_the_employment_card_condition_leaves_out_the_card_only(planner: Planner) -> None:
    answers = {"situation": "other", "card_basis": "no", "ftz_settlement": "no"}
    plan = planner.plan(CODE, {**answers, "archive": "transfer_out", "collective_archive": "left"})
    assert plan.complete and plan.eligible
    (left_out,) = plan.excluded
    assert (left_out.id, left_out.reason) == ("employment_card", CARD)
    assert [i.id for i in plan.items] == ["archive_transfer_out"]
    assert {"transfer_letter", "custodian_introduction", "custodian_separation_proof"} <= {
        m.id for m in plan.materials
    }
    with pytest.raises(ItemChoiceError) as raised:
        planner.plan(CODE, {**answers, "archive": "none"}, items=["employment_card"])
    assert raised.value.message == f"事项“就业创业证申领”不能办理：{CARD}"


def test_nothing_left_refuses_the_whole_scenario(planner: Planner) -> None:
    plan = planner.plan(
        CODE, {"situation": "other", "card_basis": "no", "ftz_settlement": "no", "archive": "none"}
    )
    assert not plan.eligible
    (block,) = plan.blocked
    assert block.reason == f"所有事项都不符合办理条件：“就业创业证申领”{CARD}"


def test_an_employee_registers_then_gets_the_card(planner: Planner) -> None:
    plan = planner.plan(CODE, {"situation": "employed", "ftz_settlement": "no", "archive": "none"})
    assert plan.complete and plan.eligible and plan.excluded == ()
    assert [(i.id, i.stage) for i in plan.items] == [
        ("employment_registration", 1),
        ("employment_card", 2),
    ]
    assert "labour_contract" in {m.id for m in plan.materials}
    chosen = planner.plan(
        CODE,
        {"situation": "employed", "ftz_settlement": "no", "archive": "none"},
        items=["employment_card"],
    )
    assert [i.id for i in chosen.items] == ["employment_registration", "employment_card"]


def test_every_stop_quotes_the_guide(catalog: Catalog) -> None:
    """The reasons are the guide's own words: its per-item conditions, FAQ or process note."""
    scenario = catalog.scenario(CODE)
    guide = " ".join(
        (*scenario.guide.conditions, scenario.guide.process, *(f.a for f in scenario.faq))
    )
    stops = [o.stop for q in scenario.questions for o in q.options if o.stop is not None]
    assert {s.reason for s in stops} == {IDENTITY, BUSINESS, REGISTERED, CARD}
    for stop in stops:
        assert stop.items, "a condition of this guide governs some items, never the whole"
        assert stop.reason.rstrip("。") in guide


def test_the_base_is_the_guide_as_imported() -> None:
    """Only the overlay is written by hand: the built-in base is what the importer makes."""
    base = import_guide(GUIDE.read_bytes(), GUIDE.name).base
    written = builtin_catalog_dir() / base_file_name(base)
    assert written.read_text(encoding="utf-8") == base_yaml(base)
