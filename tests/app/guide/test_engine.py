"""The questionnaire engine on the built-in 新生儿出生一件事."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.catalog.catalog import Catalog
from app.errors import AnswerError, ItemChoiceError, UnknownScenario
from app.guide.engine import Planner

CODE = "43PCN0009"
ELIGIBLE = {
    "within_six_months": "yes",
    "province_facility": "yes",
    "hukou": "yes",
    "marriage": "yes",
}
FULL = {
    **ELIGIBLE,
    "same_ethnicity": "yes",
    "applicant": "mother",
    "reimbursement": "no",
    "photo": "no",
}


def names(plan: Any) -> list[str]:
    return [i.name for i in plan.items]


def test_first_question_and_hierarchy(planner: Planner) -> None:
    state = planner.questions(CODE)
    assert state.next is not None and state.next.id == "within_six_months"
    assert "account" not in [q.id for q in state.questions]  # only after reimbursement = yes
    state = planner.questions(CODE, {**FULL, "reimbursement": "yes"})
    assert state.next is not None and state.next.id == "account"
    assert planner.questions(CODE, FULL).complete


def test_auto_answers_come_with_their_source(planner: Planner) -> None:
    state = planner.questions(
        CODE, {}, {"parents.married": True, "newborn.within_six_months": True}
    )
    auto = {q.id: q for q in state.questions if q.status == "auto"}
    assert set(auto) == {"within_six_months", "marriage"}
    assert auto["marriage"].answer == "yes"
    assert auto["marriage"].source == "共享数据：父母有登记的婚姻关系"
    assert state.to_dict()["auto_answers"][0]["source"].startswith("共享数据")


def test_a_person_can_override_an_auto_answer(planner: Planner) -> None:
    state = planner.questions(CODE, {"marriage": "no"}, {"parents.married": True})
    marriage = next(q for q in state.questions if q.id == "marriage")
    assert (
        marriage.status == "answered" and marriage.answer == "no" and marriage.auto_value == "yes"
    )
    assert state.blocked and "婚生子女" in state.blocked[0].reason


def test_changing_an_answer_drops_what_no_longer_applies(planner: Planner) -> None:
    with_account = {**FULL, "reimbursement": "yes", "account": "yes"}
    plan = planner.plan(CODE, with_account)
    assert "本人银行卡复印件" in [m.name for m in plan.materials]
    state = planner.questions(CODE, {**with_account, "reimbursement": "no"})
    assert [d.question for d in state.dropped] == ["account"]
    plan = planner.plan(CODE, {**with_account, "reimbursement": "no"})
    assert "account" not in plan.answers or plan.answers["account"] == ()
    assert "本人银行卡复印件" not in [m.name for m in plan.materials]
    assert "生育医疗待遇支付" not in names(plan)
    assert plan == planner.plan(CODE, FULL)


def test_ineligible_applicant_gets_reason_and_advice(planner: Planner) -> None:
    plan = planner.plan(CODE, {**FULL, "hukou": "no"})
    assert not plan.eligible
    assert plan.blocked[0].advice.startswith("请")


def test_unknown_scenario_question_or_option_is_a_clear_error(planner: Planner) -> None:
    with pytest.raises(UnknownScenario, match="没有找到一件事“不存在”"):
        planner.plan("不存在")
    with pytest.raises(AnswerError, match="没有问题“colour”"):
        planner.plan(CODE, {"colour": "red"})
    with pytest.raises(AnswerError, match="没有选项“maybe”") as info:
        planner.plan(CODE, {"hukou": "maybe"})
    assert "yes（是）" in info.value.hint
    with pytest.raises(AnswerError, match="只能选一项"):
        planner.plan(CODE, {"hukou": ["yes", "no"]})


def test_scenario_found_by_name(planner: Planner) -> None:
    assert planner.plan("新生儿出生一件事", FULL).scenario == CODE


def test_items_flow_and_critical_path(planner: Planner) -> None:
    plan = planner.plan(CODE, FULL)
    assert names(plan) == [
        "出生医学证明首次签发",
        "预防接种证办理",
        "出生登记",
        "社会保障卡申领（邮寄卡不激活金融账户）",
        "城乡居民参保登记",
        "科学育儿指导服务登记",
    ]
    assert [s.items for s in plan.stages] == [
        ("birth_certificate", "vaccination", "parenting_guidance"),
        ("birth_registration",),
        ("social_security_card", "resident_insurance"),
    ]
    assert plan.promised_days == plan.promise.days == 5 + 10 + 30
    assert plan.promise.path[0] == "出生医学证明首次签发"
    assert plan.promise.published_days == 5 and plan.promise.basis == "decision"


def test_choosing_some_items_pulls_in_what_they_need(planner: Planner) -> None:
    plan = planner.plan(CODE, FULL, items=["resident_insurance"])
    assert names(plan) == ["出生医学证明首次签发", "出生登记", "城乡居民参保登记"]
    chosen = {i.id: i.chosen for i in plan.items}
    assert chosen == {
        "birth_certificate": "dependency",
        "birth_registration": "dependency",
        "resident_insurance": "applicant",
    }
    assert any("需要“出生登记”的办理结果" in n for n in plan.notices)
    assert plan.promised_days == 16
    assert {s.name for s in plan.not_chosen} >= {"预防接种证办理", "科学育儿指导服务登记"}


def test_items_may_be_named_by_name(planner: Planner) -> None:
    assert names(planner.plan(CODE, FULL, items=["预防接种证办理"])) == ["预防接种证办理"]


def test_choosing_an_item_that_does_not_apply_is_refused(planner: Planner) -> None:
    with pytest.raises(ItemChoiceError, match="不适用于当前情形"):
        planner.plan(CODE, FULL, items=["maternity_medical"])
    with pytest.raises(ItemChoiceError, match="没有事项“xyz”"):
        planner.plan(CODE, FULL, items=["xyz"])


def test_material_statuses(planner: Planner) -> None:
    plan = planner.plan(CODE, {**FULL, "reimbursement": "yes", "account": "no"})
    status = {m.id: m.status for m in plan.materials}
    assert status["application_form"] == "generated"
    assert status["birth_medical_certificate"] == "produced"
    assert status["parents_id"] == "submit"  # not verified yet
    assert status["marriage_certificate"] == "submit"
    verified = planner.plan(
        CODE, {**FULL, "reimbursement": "yes", "account": "no"}, {"e_licences": ["居民身份证"]}
    )
    assert {m.id: m.status for m in verified.materials}["parents_id"] == "e_licence"
    # Without the item that produces it, the 出生医学证明 must be brought (or its e-licence verified).
    alone = planner.plan(CODE, FULL, items=["birth_registration"])
    assert "birth_certificate" in [i.id for i in alone.items]  # pulled in, so still produced


def test_materials_are_merged_once_with_the_items_that_need_them(planner: Planner) -> None:
    plan = planner.plan(CODE, FULL)
    ids = [m.id for m in plan.materials]
    assert len(ids) == len(set(ids))
    parents_id = next(m for m in plan.materials if m.id == "parents_id")
    assert "出生登记" in parents_id.items and "生育医疗待遇支付" not in parents_id.items


def test_situation_adds_materials(planner: Planner) -> None:
    base = {m.id for m in planner.plan(CODE, FULL).materials}
    father = {m.id for m in planner.plan(CODE, {**FULL, "applicant": "father"}).materials}
    assert father - base == {"power_of_attorney"}
    mixed = {m.id for m in planner.plan(CODE, {**FULL, "same_ethnicity": "no"}).materials}
    assert mixed - base == {"ethnicity_application"}


def test_form_is_prefilled_from_the_card(planner: Planner) -> None:
    facts = {"id_card.name": "李芳", "id_card.id_number": "43010419920315204X"}
    plan = planner.plan(CODE, FULL, facts)
    fields = {f.key: f for f in plan.fields}
    assert fields["applicant.name"].value == "李芳"
    assert fields["applicant.name"].source == "身份证读卡"
    assert fields["applicant.name"].label == "申请人姓名"  # from the field dictionary
    assert fields["newborn.name"].value is None
    assert "bank.account" not in fields  # only for 生育医疗待遇支付
    assert len(fields) == len({f.key for f in plan.fields})


def test_effectiveness_figures(planner: Planner) -> None:
    plan = planner.plan(CODE, FULL)
    e = plan.effectiveness
    assert e.merged.materials == len(plan.materials) < e.separate.materials
    assert e.merged.fields == len(plan.fields) < e.separate.fields
    assert e.separate.days == sum(i.promised_days for i in plan.items)
    assert e.merged.days == plan.promised_days
    assert e.separate.windows == len({i.department for i in plan.items}) and e.merged.windows == 1
    assert e.published_before["days"] == 72 and e.published_after["trips"] == 0
    assert e.materials_to_submit == sum(m.to_submit for m in plan.materials)


def test_incomplete_answers_give_a_provisional_plan(planner: Planner) -> None:
    plan = planner.plan(CODE, ELIGIBLE)
    assert not plan.complete
    assert "same_ethnicity" in plan.pending_questions


def test_plan_json_uses_the_catalog_chinese_names(planner: Planner) -> None:
    data = planner.plan(CODE, FULL).to_dict()
    assert data["scenario_name"] == "新生儿出生一件事"
    form = next(m for m in data["materials"] if m["id"] == "application_form")
    assert form["status_label"].startswith("免提交")
    assert form["form_label"] == "原件"
    assert data["eligible"] is True


def test_a_card_read_checks_the_id_cards_original_in_every_scenario(
    planner: Planner, catalog: Catalog
) -> None:
    """Facts from the reader alone (no shared data): every material that an ID card e-licence
    could exempt is exempt, with the card read as the reason; typed by hand, it is still asked."""
    from app.devices.simulated import TEST_PERSONS
    from app.identity.card import facts_from_card

    card = TEST_PERSONS[0]
    read = facts_from_card(card, today=date(2026, 11, 23), hall_province="430000")
    checked = 0
    for code in catalog.scenarios:
        for facts, exempt in ((read, True), ({}, False)):
            plan = planner.plan(code, {}, facts)
            for material in plan.materials:
                if material.e_licence != "居民身份证" or material.status in ("produced",):
                    continue
                checked += 1
                assert (material.status == "e_licence") is exempt, (code, material.name)
                if exempt:
                    assert "读取身份证原件" in material.reason
    assert checked
