"""企业破产信息核查一件事 (43TCN0007, 长沙市直) on the built-in catalog: the manager chooses what
to check (常见问题2 “支持自由组合办理”), one set of four materials serves every check, and the
guide's conditions refuse who is not an appointed manager of an enterprise registered in Hunan."""

from __future__ import annotations

import pytest

from app.errors import AnswerError
from app.guide.engine import Planner

CODE = "43TCN0007"
ELIGIBLE = {"appointed_manager": "yes", "registered_in_province": "yes"}
CHECKS = {
    "registration_check",
    "real_estate_check",
    "housing_check",
    "vehicle_check",
    "tax_check",
    "customs_check",
    "social_insurance_check",
    "medical_insurance_check",
    "housing_fund_check",
}
MATERIALS = ["court_ruling", "manager_appointment", "power_of_attorney", "agent_id"]


def test_checking_everything_gives_every_item_the_four_materials_and_five_days(
    planner: Planner,
) -> None:
    plan = planner.plan(CODE, {**ELIGIBLE, "check_scope": ["all"]})
    assert plan.complete and plan.eligible
    assert {i.id for i in plan.items} == CHECKS | {"coordination"}
    assert len(plan.stages) == 1  # all in parallel, as the guide's one step after the reform
    assert [m.id for m in plan.materials] == MATERIALS
    assert all(m.status == "submit" for m in plan.materials)
    assert plan.promised_days == 5  # customs and tax checks promise 5, the published 3 is a note


def test_checking_some_information_gives_those_checks_and_the_same_materials(
    planner: Planner,
) -> None:
    plan = planner.plan(CODE, {**ELIGIBLE, "check_scope": ["vehicle", "real_estate"]})
    assert plan.eligible
    assert {i.id for i in plan.items} == {"coordination", "vehicle_check", "real_estate_check"}
    assert {s.id for s in plan.not_applicable} == CHECKS - {"vehicle_check", "real_estate_check"}
    assert [m.id for m in plan.materials] == MATERIALS  # “所需申请材料相同”
    assert plan.promised_days == 3
    assert {f.key for f in plan.fields} >= {"enterprise.uscc", "bankruptcy.check_purpose"}


def test_the_coordination_item_cannot_be_left_out(planner: Planner) -> None:
    plan = planner.plan(CODE, {**ELIGIBLE, "check_scope": ["tax"]}, items=["tax_check"])
    assert [i.id for i in plan.items] == ["coordination", "tax_check"]
    assert next(i for i in plan.items if i.id == "coordination").chosen == "mandatory"


def test_everything_and_single_checks_do_not_go_together(planner: Planner) -> None:
    with pytest.raises(AnswerError):
        planner.plan(CODE, {**ELIGIBLE, "check_scope": ["all", "tax"]})


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (
            {"appointed_manager": "no"},
            "申请人应为取得人民法院《指定管理人(或清算组)决定书》的企业破产管理人(或清算组)。",
        ),
        (
            {"appointed_manager": "yes", "registered_in_province": "no"},
            "企业破产信息核查“一件事”已在湖南省范围内实现“一地申请、全省核查”",
        ),
    ],
)
def test_who_the_guide_does_not_serve_is_refused_with_its_reason(
    planner: Planner, answers: dict[str, str], reason: str
) -> None:
    plan = planner.plan(CODE, answers)
    assert not plan.eligible
    (block,) = plan.blocked
    assert block.reason.startswith(reason)
    assert block.advice
