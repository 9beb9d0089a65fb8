"""水电气网联合报装“一件事” (43TCN0004, 长沙市直) on the built-in catalog: the construction unit
chooses what to connect (常见问题 “按需报装”), each utility brings its own materials, the gas and
power review standards govern only their own item, and the guide's 服务对象 refuses the rest."""

from __future__ import annotations

import pytest

from app.guide.engine import Planner

CODE = "43TCN0004"
ELIGIBLE = {"construction_unit": "yes", "project_scope": "yes", "project_in_changsha": "yes"}
EVERY_ITEM = ["water", "power", "gas", "telecom", "broadcast", "external_works"]
COMMON = ["legal_id", "uscc_certificate"]
GAS = [
    "gas_application",
    "gas_address_proof",
    "gas_design_confirmation",
    "site_topographic_map",
    "gas_point_plan",
    "site_utility_plan",
]
POWER = ["power_address_proof", "power_project_approval"]
TELECOM = ["telecom_application", "telecom_commitment"]
BROADCAST = ["weak_current_drawings", "planning_permit"]


def answers(*hookups: str, agent: str = "no", **more: str) -> dict[str, object]:
    return {**ELIGIBLE, "hookups": list(hookups), "agent": agent, **more}


def test_everything_at_once_gives_six_parallel_items_and_every_utilitys_materials(
    planner: Planner,
) -> None:
    plan = planner.plan(CODE, answers(*EVERY_ITEM, gas_coverage="yes", power_voltage="low"))
    assert plan.complete and plan.eligible
    assert [i.id for i in plan.items] == EVERY_ITEM
    assert len(plan.stages) == 1  # one step after the reform: all in parallel
    ids = {m.id for m in plan.materials}
    assert ids == {*COMMON, *GAS, *POWER, *TELECOM, *BROADCAST}
    status = {m.id: m.status for m in plan.materials}
    # FAQ 12 “只填写一份申请”: the two utility application forms come from the merged form
    assert status["gas_application"] == status["telecom_application"] == "generated"
    assert status["site_utility_plan"] == status["legal_id"] == "submit"
    assert plan.promised_days == 5  # 外线工程联合审批 5 days; the published 2 only a note
    assert "joint_survey" in {r.id for r in plan.routes}
    assert {"power.capacity", "project.planning_permit_number"} <= {f.key for f in plan.fields}


def test_one_hookup_needs_only_the_two_materials_of_the_faq(planner: Planner) -> None:
    plan = planner.plan(CODE, answers("water"))
    assert plan.eligible and [i.id for i in plan.items] == ["water"]
    assert [m.id for m in plan.materials] == COMMON  # 常见问题 “联合报装的材料清单”
    assert plan.promised_days == 1
    assert {s.id for s in plan.not_applicable} == set(EVERY_ITEM) - {"water"}
    assert "power.capacity" not in {f.key for f in plan.fields}
    # the external works alone: no hookup, so no joint survey to tell of
    external = planner.plan(CODE, answers("external_works"))
    assert [i.id for i in external.items] == ["external_works"]
    assert external.promised_days == 5 and external.routes == ()


@pytest.mark.parametrize(("agent", "expected"), [("yes", True), ("no", False)])
def test_the_power_of_attorney_only_when_an_agent_applies(
    planner: Planner, agent: str, expected: bool
) -> None:
    plan = planner.plan(CODE, answers("telecom", agent=agent))
    materials = {m.id: m for m in plan.materials}
    assert ("authorisation" in materials) is expected
    if expected:
        assert materials["authorisation"].status == "submit"  # its situation holds: not optional
    assert {*COMMON, *TELECOM} <= set(materials)


def test_gas_without_a_network_and_high_voltage_power_leave_only_their_own_item(
    planner: Planner,
) -> None:
    plan = planner.plan(
        CODE,
        answers("gas", "power", "broadcast", gas_coverage="no", power_voltage="high"),
    )
    assert plan.eligible and [i.id for i in plan.items] == ["broadcast"]
    excluded = {e.id: e.reason for e in plan.excluded}
    assert set(excluded) == {"gas", "power"}
    assert "用户在供气企业供气管网覆盖范围内" in excluded["gas"]
    assert "用户报装容量符合低压接入标准" in excluded["power"]
    assert {m.id for m in plan.materials} == {*COMMON, *BROADCAST}
    # “不清楚” goes on: the utility checks it
    unsure = planner.plan(CODE, answers("gas", gas_coverage="unsure"))
    assert [i.id for i in unsure.items] == ["gas"] and set(GAS) <= {m.id for m in unsure.materials}
    # gas alone, with no network: nothing is left, so the 一件事 is refused
    alone = planner.plan(CODE, answers("gas", gas_coverage="no"))
    assert not alone.eligible and "供气管网覆盖范围" in alone.blocked[0].reason


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"construction_unit": "no"}, "个人不可以申报联合报装，暂只面对企业用户"),
        (
            {"construction_unit": "yes", "project_scope": "no"},
            "城市建成区新建（改建、扩建）房屋建筑和市政工程建设项目",
        ),
        (
            {"construction_unit": "yes", "project_scope": "yes", "project_in_changsha": "no"},
            "选择企业项目归属地办理",
        ),
    ],
)
def test_who_the_guide_does_not_serve_is_refused_with_its_reason(
    planner: Planner, given: dict[str, str], reason: str
) -> None:
    plan = planner.plan(CODE, given)
    assert not plan.eligible
    (block,) = plan.blocked
    assert reason in block.reason and block.advice
    assert block.items == ()  # the whole 一件事, not one item
