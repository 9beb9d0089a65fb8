"""教育入学一件事 (43PCN0010, 长沙市直) as the built-in catalog holds it: the province's guide and
the hall's overlay. The guide's one condition (城区适龄儿童少年) refuses the whole 一件事; the
child's hukou (随迁子女) and the family's housing decide the checks and the materials."""

from __future__ import annotations

from typing import Any

import pytest

from app.guide.engine import Planner

CODE = "43PCN0010"
ELIGIBLE = {"school_stage": "primary", "age_eligible": "yes", "urban": "yes"}
CONDITION = "符合《教育法》《义务教育法》等法律、法规规定的接受义务教育的城区适龄儿童少年"


def plan_for(planner: Planner, **answers: Any) -> Any:
    plan = planner.plan(CODE, {**ELIGIBLE, **answers})
    assert plan.complete
    return plan


def test_local_child_with_a_property_certificate(planner: Planner) -> None:
    plan = plan_for(planner, child_hukou="local", housing="certificate")
    assert plan.eligible
    stage = {i.id: i.stage for i in plan.items}
    assert stage == {"property_check": 1, "hukou_check": 1, "enrollment": 2}
    assert [(m.id, m.status) for m in plan.materials] == [
        ("household_register", "submit"),
        ("property_certificate", "submit"),
    ]
    assert plan.promised_days == 30  # 15 working days of checks, then 15 of 信息采集
    assert plan.routes == ()
    assert {i.department for i in plan.items} == {
        "自规部门（不动产登记机构）",
        "公安部门（户籍管理）",
        "教育部门（当地教育行政部门）",
    }


def test_migrant_child_adds_residence_permit_and_social_insurance(planner: Planner) -> None:
    plan = plan_for(planner, school_stage="junior", child_hukou="elsewhere", housing="contract")
    assert plan.eligible
    assert {i.id for i in plan.items} == {
        "residence_permit_check",
        "hukou_check",
        "social_insurance_check",
        "enrollment",
    }
    assert [m.id for m in plan.materials] == [
        "household_register",
        "purchase_contract_filing",
        "residence_permit",
        "social_insurance_record",
    ]
    (route,) = plan.routes
    assert route.id == "migrant_child" and "居住证和社会保险参保缴费记录" in route.text


@pytest.mark.parametrize(
    ("housing", "expected"),
    [
        ("certificate", {"property_certificate"}),
        ("contract", {"purchase_contract_filing"}),
        ("none", set()),
    ],
)
def test_housing_documents_only_in_their_situation(
    planner: Planner, housing: str, expected: set[str]
) -> None:
    plan = plan_for(planner, child_hukou="local", housing=housing)
    housing_documents = {"property_certificate", "purchase_contract_filing"}
    assert {m.id for m in plan.materials} & housing_documents == expected
    assert ("property_check" in {i.id for i in plan.items}) == (housing == "certificate")


@pytest.mark.parametrize(
    ("question", "answer"),
    [("school_stage", "other"), ("age_eligible", "no"), ("urban", "no")],
)
def test_the_guides_condition_refuses_the_whole_scenario(
    planner: Planner, question: str, answer: str
) -> None:
    plan = planner.plan(CODE, {**ELIGIBLE, question: answer})
    assert not plan.eligible
    (block,) = plan.blocked
    assert block.question == question and block.items == ()
    assert CONDITION in block.reason
    assert "教育行政部门" in block.advice or "中考" in block.advice


def test_the_enrollment_itself_cannot_be_left_out(planner: Planner) -> None:
    answers = {**ELIGIBLE, "child_hukou": "local", "housing": "none"}
    plan = planner.plan(CODE, answers, items=["hukou_check"])
    assert {i.id: i.chosen for i in plan.items} == {
        "enrollment": "mandatory",
        "hukou_check": "applicant",
    }
    only_enrollment = planner.plan(CODE, answers, items=["enrollment"])
    assert {i.id: i.chosen for i in only_enrollment.items} == {
        "enrollment": "applicant",
        "hukou_check": "dependency",
    }
