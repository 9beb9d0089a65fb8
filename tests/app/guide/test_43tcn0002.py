"""开办运输企业一件事 (43TCN0002) on the province's guide and the hall's overlay: with vehicles the
《道路运输证》 follows the operating licence, without them a commitment letter stands in; the
vehicle conditions leave out the 《道路运输证》 only; the excluded businesses end the application."""

from __future__ import annotations

from typing import Any

from app.catalog.catalog import Catalog
from app.guide.engine import Planner

CODE = "43TCN0002"

# a company with heavy lorries of its own, all meeting the conditions, sending an agent
FLEET: dict[str, Any] = {
    "licence_ready": "yes",
    "business_kind": "regular",
    "operator_kind": "company",
    "licence_conditions": "yes",
    "vehicles": "now",
    "vehicle_conditions": "yes",
    "heavy_vehicles": "yes",
    "gps_ready": "yes",
    "transferred": "no",
    "special_vehicles": "no",
    "agent": "yes",
}
# an individual business without vehicles yet, applying in person
NO_VEHICLES: dict[str, Any] = {
    "licence_ready": "yes",
    "business_kind": "regular",
    "operator_kind": "individual",
    "licence_conditions": "yes",
    "vehicles": "planned",
    "agent": "no",
}


def to_submit(plan: Any) -> set[str]:
    return {m.name for m in plan.materials if m.to_submit}


def test_with_vehicles_the_road_transport_certificate_follows_the_licence(
    catalog: Catalog,
) -> None:
    plan = Planner(catalog).plan(CODE, FLEET)
    assert plan.complete and plan.eligible
    assert [s.items for s in plan.stages] == [
        ("licence_check", "operating_licence"),
        ("road_transport_cert",),
    ]
    assert plan.promise.days == 10
    submitted = to_submit(plan)
    assert {
        "安全生产管理制度文本",
        "车辆45°角照片",
        "车辆实时位置点位（符合标准的卫星定位装置安装证明，总质量12吨及以上车辆提供）",
        "《道路运输证》配发表",
        "授权委托书",
    } <= submitted
    assert "拟投入运输车辆的承诺书" not in submitted and "安全运营承诺书" not in submitted
    assert not [m.name for m in plan.materials if m.optional]
    drivers = {m.name: m.e_licence for m in plan.materials if "驾驶" in m.name}
    assert drivers == {
        "聘用或者拟聘用驾驶员的机动车驾驶证": "驾驶员机动车驾驶证",
        "驾驶员从业资格证及复印件": "驾驶员道路运输从业资格证",
    }


def test_without_vehicles_a_commitment_letter_and_the_licence_only(catalog: Catalog) -> None:
    plan = Planner(catalog).plan(CODE, NO_VEHICLES)
    assert plan.complete and plan.eligible
    assert [i.id for i in plan.items] == ["licence_check", "operating_licence"]
    assert plan.promise.days == 5
    assert [r.id for r in plan.routes] == ["licence_only"]
    assert to_submit(plan) == {
        "申请开办道路货运企业申请表",
        "拟投入运输车辆的承诺书",
        "安全运营承诺书",
        "聘用或者拟聘用驾驶员的机动车驾驶证",
        "驾驶员从业资格证及复印件",
    }


def test_situational_vehicle_materials(catalog: Catalog) -> None:
    planner = Planner(catalog)
    light = to_submit(planner.plan(CODE, {**FLEET, "heavy_vehicles": "no"}))
    assert not any(name.startswith("车辆实时位置点位") for name in light)
    assert "车辆转籍、过户证明" not in light
    transferred = to_submit(planner.plan(CODE, {**FLEET, "transferred": "yes"}))
    assert "车辆转籍、过户证明" in transferred
    special = to_submit(planner.plan(CODE, {**FLEET, "special_vehicles": "yes"}))
    assert any(name.startswith("货物专用运输") for name in special)


def test_vehicle_conditions_leave_out_only_the_road_transport_certificate(
    catalog: Catalog,
) -> None:
    planner = Planner(catalog)
    for answer in ({"vehicle_conditions": "no"}, {"gps_ready": "no"}):
        plan = planner.plan(CODE, {**FLEET, **answer})
        assert plan.eligible, answer
        assert [i.id for i in plan.items] == ["licence_check", "operating_licence"]
        assert [e.id for e in plan.excluded] == ["road_transport_cert"]
        assert "《道路运输证》配发" in plan.excluded[0].advice
    gps = planner.plan(CODE, {**FLEET, "gps_ready": "no"}).excluded[0]
    assert "总质量12吨及以上的普通货运车辆应安装动态监控定位装置" in gps.reason


def test_what_ends_the_application(catalog: Catalog) -> None:
    planner = Planner(catalog)
    small = planner.plan(CODE, {**FLEET, "business_kind": "small_only"})
    assert not small.eligible and "无需申请取得道路运输经营许可" in small.blocked[0].reason
    dangerous = planner.plan(CODE, {**FLEET, "business_kind": "dangerous_only"})
    assert not dangerous.eligible and "不含危险货物" in dangerous.blocked[0].reason
    unready = planner.plan(CODE, {**FLEET, "licence_conditions": "no"})
    assert not unready.eligible and "有符合规定条件的驾驶人员" in unready.blocked[0].reason
    state = planner.questions(CODE, {}, {"enterprise.registered_in_province": False})
    assert state.answers["licence_ready"] == "no"
    assert "先激活市场营业执照" in state.blocked[0].reason
