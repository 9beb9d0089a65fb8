"""残疾人服务一件事 (43PCN0012, 长沙市) as the province's guide and the hall's overlay make it: one
of six 残疾人证 items, joint items chosen freely, and the guide's conditions on each."""

from __future__ import annotations

from typing import Any

from app.guide.engine import Planner
from app.guide.plan import Plan

CODE = "43PCN0012"
# A Hunan adult with a physical disability applying for a first card, nothing joint yet.
NEW: dict[str, Any] = {
    "card_action": "new",
    "hukou": "hunan",
    "disability_category": ["physical"],
    "minor": "no",
}
SUBSIDIES = {
    **NEW,
    "joint": ["nursing_subsidy", "living_subsidy", "employment_training"],
    "special_support": "no",
    "dibao": "yes",
    "training_eligible": "yes",
}


def _items(plan: Plan) -> list[str]:
    return [i.id for i in plan.items]


def _materials(plan: Plan) -> set[str]:
    return {m.id for m in plan.materials}


def test_a_new_card_with_both_subsidies_follows_the_card(planner: Planner) -> None:
    plan = planner.plan(CODE, SUBSIDIES)
    assert plan.complete and plan.eligible
    assert _items(plan) == ["card_new", "nursing_subsidy", "living_subsidy", "employment_training"]
    # 常见问题1: the joint items are sent on once the card item is done.
    assert [s.items for s in plan.stages] == [
        ("card_new",),
        ("nursing_subsidy", "living_subsidy", "employment_training"),
    ]
    assert plan.promise.days == 37
    assert _materials(plan) == {
        "application_form",
        "id_card",
        "household_register",
        "photo",
        "bank_card",
    }
    photo = next(m for m in plan.materials if m.id == "photo")
    assert photo.copies == 3  # “线下办理需3张”
    # The assessment, told to the applicant; its public notice and objection period are waits
    # the guide's 22 days already hold (常见问题17), named in the promise and adding nothing.
    routes = {r.id: r.text for r in plan.routes}
    assert "公示5个工作日" in routes["assessment"]
    assert "level_by_assessment" in routes
    card = plan.items[0]
    assert (card.promised_days, card.calendar_days) == (22, 0)
    assert card.waits == ("评残结论公示 5 个工作日", "评残结论异议期 10 个工作日")
    assert plan.promise.basis_words.endswith(
        "其中含评残结论公示 5 个工作日、评残结论异议期 10 个工作日。"
    )


def test_a_minors_assessment_is_not_posted_publicly(planner: Planner) -> None:
    """常见问题17: 除未成年人外 the conclusion is posted for 5 working days; the objection period
    stays. The promise is the guide's 22 days either way."""
    plan = planner.plan(CODE, {**NEW, "minor": "yes"})
    (card,) = plan.items
    assert card.waits == ("评残结论异议期 10 个工作日",)
    assert plan.promise.days == card.promised_days == 22
    change = planner.plan(CODE, {**NEW, "card_action": "change", "minor": "no"})
    assert change.items[0].waits == ("评残结论公示 5 个工作日", "评残结论异议期 10 个工作日")
    assert planner.plan(CODE, {**NEW, "card_action": "replacement"}).items[0].waits == ()


def test_without_hunan_hukou_a_residence_permit_keeps_the_card_but_not_the_subsidies(
    planner: Planner,
) -> None:
    answers = {**SUBSIDIES, "hukou": "resident_permit"}
    plan = planner.plan(CODE, answers)
    assert plan.eligible
    assert _items(plan) == ["card_new", "employment_training"]
    excluded = {e.id: e.reason for e in plan.excluded}
    assert set(excluded) == {"nursing_subsidy", "living_subsidy"}
    assert all("湖南省户籍" in reason for reason in excluded.values())
    assert "residence_permit" in _materials(plan)
    assert "bank_card" not in _materials(plan)
    assert "residence_permit" not in _materials(planner.plan(CODE, SUBSIDIES))

    refused = planner.plan(CODE, {**NEW, "hukou": "other"})
    assert not refused.eligible
    assert "湖南省户籍自然人" in refused.blocked[0].reason
    assert "居住证" in refused.blocked[0].advice


def test_each_subsidy_condition_leaves_out_only_its_subsidies(planner: Planner) -> None:
    supported = planner.plan(CODE, {**SUBSIDIES, "special_support": "yes"})
    assert supported.eligible
    assert _items(supported) == ["card_new", "employment_training"]
    assert {e.id for e in supported.excluded} == {"nursing_subsidy", "living_subsidy"}
    assert "特困供养或工伤保险生活护理费" in supported.excluded[0].reason

    no_dibao = planner.plan(CODE, {**SUBSIDIES, "dibao": "no"})
    assert _items(no_dibao) == ["card_new", "nursing_subsidy", "employment_training"]
    assert [e.id for e in no_dibao.excluded] == ["living_subsidy"]
    assert "最低生活保障对象" in no_dibao.excluded[0].reason

    # A card holder's level is known: a third-level holder does not get the nursing subsidy.
    holder = {
        "card_action": "replacement",
        "hukou": "hunan",
        "disability_category": ["vision"],
        "minor": "no",
        "joint": ["nursing_subsidy"],
        "special_support": "no",
    }
    assert _items(planner.plan(CODE, {**holder, "severe_level": "yes"})) == [
        "card_replacement",
        "nursing_subsidy",
    ]
    third_level = planner.plan(CODE, {**holder, "severe_level": "no"})
    assert _items(third_level) == ["card_replacement"]
    assert "一、二级" in third_level.excluded[0].reason
    # For a first card the level waits for the assessment: the question is not asked.
    asked = {q.id for q in planner.questions(CODE, {**SUBSIDIES}).questions}
    assert "severe_level" not in asked


def test_situational_materials_appear_only_in_their_situation(planner: Planner) -> None:
    assert "guardian_proof" not in _materials(planner.plan(CODE, NEW))
    for answers in (
        {**NEW, "disability_category": ["physical", "intellectual"]},
        {**NEW, "disability_category": ["mental"]},
        {**NEW, "minor": "yes"},
    ):
        plan = planner.plan(CODE, answers)
        assert "guardian_proof" in _materials(plan)
        assert "by_guardian" in {r.id for r in plan.routes}

    holder = {
        "hukou": "hunan",
        "disability_category": ["hearing"],
        "minor": "no",
        "joint": ["none"],
    }
    transfer = planner.plan(CODE, {**holder, "card_action": "transfer", "hukou_moved": "yes"})
    assert _materials(transfer) >= {"hukou_migration_proof", "photo"}
    assert not _materials(transfer) & {"loss_statement", "old_card", "cancellation_statement"}

    lost = planner.plan(CODE, {**holder, "card_action": "replacement"})
    assert "loss_statement" in _materials(lost) and "hukou_migration_proof" not in _materials(lost)

    renewal = planner.plan(CODE, {**holder, "card_action": "renewal", "renewal_reason": "damaged"})
    assert "old_card" in _materials(renewal)
    # 受理条件3—5: the old card is handed in to the 残联 and kept there (capability 6)
    old = next(m for m in renewal.materials if m.id == "old_card")
    assert old.need_words == (
        "卡证原物 1 件（不复印），由窗口转交残联部门（县级残疾人联合会），交回后不退还"
    )

    change = planner.plan(CODE, {**holder, "card_action": "change"})
    assert "change_evidence" in _materials(change) and "old_card" not in _materials(change)


def test_a_cancellation_offers_no_joint_items_and_needs_a_death_certificate_only_after_death(
    planner: Planner,
) -> None:
    base = {"card_action": "cancel", "hukou": "hunan", "disability_category": ["physical"]}
    died = planner.plan(CODE, {**base, "cancel_reason": "death", "minor": "no"})
    assert died.complete and died.eligible
    assert _items(died) == ["card_cancellation"]
    assert _materials(died) == {
        "application_form",
        "id_card",
        "household_register",
        "cancellation_statement",
        "death_certificate",
    }
    assert "joint" not in {q.id for q in planner.questions(CODE, base).questions}
    # the item's own 6 days, not the 37 the guide publishes for the whole 一件事
    assert (died.promise.days, died.promise.published_days) == (6, 37)
    assert died.promise.basis == "critical_path"
    recovered = planner.plan(CODE, {**base, "cancel_reason": "recovered", "minor": "no"})
    assert "death_certificate" not in _materials(recovered)


def test_card_conditions_refuse_the_whole_thing_with_the_guides_reason(planner: Planner) -> None:
    renewal = planner.plan(CODE, {**NEW, "card_action": "renewal", "renewal_reason": "none"})
    assert not renewal.eligible
    assert "有效期满前12个月内" in renewal.blocked[0].reason
    assert "挂失补办" in renewal.blocked[0].advice

    transfer = planner.plan(CODE, {**NEW, "card_action": "transfer", "hukou_moved": "no"})
    assert not transfer.eligible
    assert "户口迁移" in transfer.blocked[0].reason
