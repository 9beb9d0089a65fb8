"""员工录用“一件事” (43TCP0014) on the real guide and its overlay: the guide's two conditions end
the whole 一件事, the FAQ's and the notes' conditions leave out only their items, and the
situations the notes name bring their materials — for one employee (see the catalog's decision on
several employees)."""

from __future__ import annotations

from typing import Any

import pytest

from app.guide.engine import Planner
from app.guide.plan import Plan
from kiosk.journey import plain_status

CODE = "43TCP0014"
HIRE: dict[str, Any] = {  # a mainland, local employee hired for the first time, card wanted
    "employees": 1,
    "unit_insured": "yes",
    "employee_insurance": "none",
    "employee_identity": "mainland",
    "over_age": "no",
    "social_card": "none",
    "employee_local_hukou": "yes",
    "archive_transfer": "yes",
    "archive_account": "yes",
    "original_archive_public": "no",
}
ALL_ITEMS = {
    "pension_registration",
    "employment_registration",
    "labour_filing",
    "archive_receipt",
    "social_card",
    "medical_registration",
    "housing_fund_account",
}
CARD_MATERIALS = {"photo", "card_consent"}
ARCHIVE_MATERIALS = {"archive_list", "referral_letter", "agent_id_card"}


def plan(planner: Planner, **changes: str) -> Plan:
    return planner.plan(CODE, {**HIRE, **changes})


def materials(result: Plan) -> dict[str, str]:
    return {m.id: m.status for m in result.materials}


def test_an_eligible_hire_gets_every_item_and_its_materials(planner: Planner) -> None:
    result = plan(planner)
    assert result.complete and result.eligible
    assert {i.id for i in result.items} == ALL_ITEMS
    assert not result.excluded and not result.routes
    assert materials(result) == {
        "employee_id_card": "submit",
        "agent_id_card": "submit",
        "referral_letter": "submit",
        "photo": "submit",
        "card_consent": "submit",
        "archive_list": "submit",
        "labour_contract": "submit",
        "housing_fund_change_list": "submit",
        "medical_registration_form": "submit",
    }  # every material needed here is needed, none merely optional
    assert {i.department for i in result.items} >= {
        "医保部门（医疗保障经办机构）",
        "住建部门（住房公积金管理中心）",
    }
    keys = {f.key for f in result.fields}
    assert {"employee.name#1", "employee.id_number#1", "delivery.address#1"} <= keys
    assert "employee.document_number#1" not in keys and "employee.name#2" not in keys
    # the social security card's 30 days, within the guide's published 60
    assert result.promise.days == 30 and result.promise.basis == "critical_path"
    assert result.promise.published_days == 60


@pytest.mark.parametrize(
    ("question", "answer", "reason"),
    [
        ("unit_insured", "no", "省内单位账户正常参保"),
        ("employee_insurance", "active", "录用职工无参保账户或已办理停保"),
    ],
)
def test_each_condition_of_the_guide_ends_the_whole_application(
    planner: Planner, question: str, answer: str, reason: str
) -> None:
    result = plan(planner, **{question: answer})
    assert not result.eligible
    (block,) = result.blocked
    assert block.question == question and not block.items
    assert reason in block.reason and block.advice


def test_an_employee_with_a_working_card_leaves_out_only_the_card(planner: Planner) -> None:
    result = plan(planner, social_card="has_card")
    assert result.eligible
    assert {i.id for i in result.items} == ALL_ITEMS - {"social_card"}
    (excluded,) = result.excluded
    assert excluded.id == "social_card"
    assert "未制卡人员" in excluded.reason and "注销" in excluded.reason
    assert not CARD_MATERIALS & set(materials(result))
    assert not {"delivery.address", "delivery.recipient"} & {f.key for f in result.fields}
    # the local-hukou question is only asked of a card applicant: its answer no longer counts
    state = planner.questions(CODE, {**HIRE, "social_card": "has_card"})
    assert [d.question for d in state.dropped] == ["employee_local_hukou"]
    assert all(q.id != "employee_local_hukou" for q in state.questions)


def test_a_unit_without_a_collective_archive_account_goes_on_without_the_archive(
    planner: Planner,
) -> None:
    result = plan(planner, archive_account="no")
    assert result.eligible
    assert {i.id for i in result.items} == ALL_ITEMS - {"archive_receipt"}
    (excluded,) = result.excluded
    assert excluded.id == "archive_receipt"
    assert "集体委托存档" in excluded.reason and "资格预审" in excluded.advice
    assert not ARCHIVE_MATERIALS & set(materials(result))
    # not wanting the archive moved: the item does not apply, and nothing is refused
    moved_not = plan(planner, archive_transfer="no")
    assert not moved_not.excluded
    assert "archive_receipt" in {i.id for i in moved_not.not_applicable}
    assert not ARCHIVE_MATERIALS & set(materials(moved_not))


@pytest.mark.parametrize(
    ("changes", "appear", "vanish"),
    [
        ({"over_age": "yes"}, {"pension_change_form", "unit_statement"}, set()),
        ({"employee_identity": "hmt"}, {"hmt_documents"}, {"employee_id_card"}),
        ({"employee_identity": "foreign"}, {"foreigner_documents"}, {"employee_id_card"}),
        ({"employee_local_hukou": "no"}, {"local_residence_proof"}, set()),
        ({"original_archive_public": "yes"}, {"separation_proof"}, set()),
    ],
)
def test_a_situational_material_appears_only_in_its_situation(
    planner: Planner, changes: dict[str, str], appear: set[str], vanish: set[str]
) -> None:
    usual = materials(plan(planner))
    assert not appear & set(usual) and vanish <= set(usual)
    result = plan(planner, **changes)
    got = materials(result)
    assert {got[m] for m in appear} == {"submit"}
    assert not vanish & set(got)


def test_an_over_age_hire_is_told_the_offline_route(planner: Planner) -> None:
    result = plan(planner, over_age="yes")
    assert [r.id for r in result.routes] == ["over_age"]
    assert "只能在窗口（线下）办理" in result.routes[0].text
    assert "单位情况说明" in result.routes[0].text


def test_shared_data_answers_the_units_account(planner: Planner) -> None:
    state = planner.questions(CODE, {}, {"enterprise.social_insurance_normal": False})
    auto = next(q for q in state.questions if q.id == "unit_insured")
    assert auto.status == "auto" and auto.answer == "no"
    assert state.blocked and "省内单位账户正常参保" in state.blocked[0].reason


def test_three_employees_in_one_case_each_with_their_own_papers_and_fields(
    planner: Planner,
) -> None:
    """Several of a kind (issue 24, capability 4): the guide's 名单 and 清册 list every
    employee; each employee's ID card, contract, photo and consent are needed once per person,
    and each person's fields are filled in one after the other."""
    result = plan(planner, employees="3")
    assert result.complete and result.counts_words == "本次为录用职工 3 名办理"
    need = {m.id: m.need_words for m in result.materials}
    assert need["labour_contract"] == "每名录用职工原件 1 份，共 3 份"
    assert need["photo"] == "每名录用职工原件 1 份，共 3 份"
    assert need["housing_fund_change_list"] == "原件 1 份"  # one 清册 lists them all
    assert need["archive_list"] == "原件 1 份"
    contract = next(m for m in result.materials if m.id == "labour_contract")
    assert plain_status(contract).startswith("需提交：每名录用职工原件 1 份，共 3 份")  # the kiosk
    names = [f.label for f in result.fields if f.key.startswith("employee.name")]
    assert names == [f"录用职工姓名（第 {i} 名）" for i in (1, 2, 3)]
    sections = list(dict.fromkeys(f.section for f in result.fields))
    first, second = (
        sections.index("录用职工信息（第 1 名）"),
        sections.index("录用职工信息（第 2 名）"),
    )
    assert first < sections.index("社会保障卡邮寄（第 1 名）") < second  # person by person
    assert [f.key for f in result.fields if f.key.startswith("enterprise.")] == [
        "enterprise.name",
        "enterprise.uscc",
        "enterprise.contact_phone",
    ]  # the employer once
