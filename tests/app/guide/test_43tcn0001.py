"""企业信息变更一件事 (43TCN0001) on the province's guide and the hall's overlay: one of the
fourteen change registrations by the enterprise's type, the follow-up changes after it, the
situational materials, and the two answers that end the application."""

from __future__ import annotations

from typing import Any

from app.catalog.catalog import Catalog
from app.guide.engine import Planner

CODE = "43TCN0001"

# a limited company renames and moves, amends its articles, sends an agent, and wants a new seal
# and its basic account changed
COMPANY: dict[str, Any] = {
    "registration_authority": "yes",
    "subject": "head",
    "entity_type": "limited_company",
    "changes": ["name", "address"],
    "approval": "no",
    "articles": "yes",
    "agent": "yes",
    "follow_ups": ["seal", "bank_account"],
}


def names(plan: Any) -> set[str]:
    return {m.name for m in plan.materials}


def test_a_company_renaming_gets_its_registration_then_the_follow_ups(catalog: Catalog) -> None:
    plan = Planner(catalog).plan(CODE, COMPANY)
    assert plan.complete and plan.eligible
    assert [i.name for i in plan.items] == [
        "有限（责任）公司变更登记",
        "公章刻制备案",
        "基本账户变更",
    ]
    assert [s.items for s in plan.stages] == [
        ("limited_company_change",),
        ("seal_filing", "basic_account_change"),
    ]
    assert plan.promise.days == 18  # 3 for the registration, then 15 for the basic account
    assert names(plan) == {
        "《企业信息变更“一件事”申请书》",
        "公司章程",
        "变更事项相关证明文件",
        "营业执照",
        "法定代表人身份证明",
        "委托人身份证明和授权委托书",
    }
    assert [r.id for r in plan.routes] == ["articles_amended"]
    keys = {f.key for f in plan.fields}
    assert {"change.new_name", "change.new_address", "seal.kinds", "bank.account"} <= keys
    assert "change.new_scope" not in keys and "enterprise.parent_name" not in keys


def test_a_branch_gets_the_branch_registration_of_its_enterprises_type(catalog: Catalog) -> None:
    planner = Planner(catalog)
    answers = {
        "registration_authority": "yes",
        "subject": "branch",
        "entity_type": "special_general_partnership",
        "changes": ["scope"],
        "approval": "no",
        "agent": "no",
        "follow_ups": ["none"],
    }
    plan = planner.plan(CODE, answers)
    assert plan.complete and plan.eligible
    assert [i.name for i in plan.items] == ["合伙企业分支机构变更登记"]
    assert plan.promise.days == 3
    assert "articles" not in {q.id for q in planner.questions(CODE, answers).questions}
    assert names(plan) == {"《企业信息变更“一件事”申请书》", "营业执照", "法定代表人身份证明"}
    assert {"enterprise.parent_name", "change.new_scope"} <= {f.key for f in plan.fields}
    company_branch = planner.plan(CODE, {**answers, "entity_type": "one_person_company"})
    assert [i.name for i in company_branch.items] == ["分公司变更登记"]


def test_situational_materials_only_in_their_situation(catalog: Catalog) -> None:
    planner = Planner(catalog)
    plain = {**COMPANY, "changes": ["scope"], "articles": "no", "agent": "no"}
    assert not names(planner.plan(CODE, plain)) & {
        "公司章程",
        "变更事项相关证明文件",
        "批准文件或者许可证件复印件",
        "委托人身份证明和授权委托书",
    }
    approved = names(planner.plan(CODE, {**plain, "approval": "yes"}))
    assert "批准文件或者许可证件复印件" in approved
    representative = names(planner.plan(CODE, {**plain, "changes": ["representative"]}))
    assert "变更事项相关证明文件" in representative


def test_a_follow_up_alone_brings_the_registration_it_needs(catalog: Catalog) -> None:
    plan = Planner(catalog).plan(CODE, COMPANY, items=["seal_filing"])
    assert [i.id for i in plan.items] == ["limited_company_change", "seal_filing"]
    assert plan.promise.days == 4


def test_another_registration_authority_ends_the_application(catalog: Catalog) -> None:
    planner = Planner(catalog)
    plan = planner.plan(CODE, {**COMPANY, "registration_authority": "no"})
    assert not plan.eligible
    assert "对应层级市场监督部门" in plan.blocked[0].reason
    assert "登记机关所在的市场监管部门" in plan.blocked[0].advice
    # shared data: an enterprise not registered in the province is answered "no" without asking
    state = planner.questions(CODE, {}, {"enterprise.registered_in_province": False})
    assert state.answers["registration_authority"] == "no" and state.blocked
    registered = planner.questions(CODE, {}, {"enterprise.registered_in_province": True})
    assert "registration_authority" not in registered.answers and not registered.blocked


def test_an_individual_business_is_not_this_scenario(catalog: Catalog) -> None:
    plan = Planner(catalog).plan(CODE, {**COMPANY, "entity_type": "other"})
    assert not plan.eligible
    assert "只包括公司、非公司企业法人、个人独资企业、合伙企业" in plan.blocked[0].reason
    assert "个体工商户" in plan.blocked[0].advice
    assert not [i for i in plan.items if i.name.endswith("变更登记")]
