"""企业上市合法合规信息核查一件事 (43TCN0006, 长沙市直) on the built-in catalog: the enterprise
asks for the full report or chooses domains class by class (常见问题8), needs no material unless
it issues a 信用修复承诺函, and the guide's conditions refuse who cannot get the report."""

from __future__ import annotations

import pytest

from app.catalog.catalog import Catalog
from app.guide.engine import Planner

CODE = "43TCN0006"
ELIGIBLE = {"registered_in_hunan": "yes", "credit_record": "clean"}
GROUPS = {
    "economy": 13,
    "social": 8,
    "resources": 9,
    "safety": 8,
    "culture": 6,
    "justice": 4,
}


def test_the_full_report_checks_every_domain_without_materials(planner: Planner) -> None:
    plan = planner.plan(CODE, {**ELIGIBLE, "report_scope": "full"})
    assert plan.complete and plan.eligible
    assert len(plan.items) == 49 and plan.not_applicable == ()
    assert plan.materials == ()  # 常见问题1 “不需要提交资料”
    assert [r.id for r in plan.routes] == ["full_report"]
    assert plan.promised_days == 3  # the coordinating item and the housing fund check take 3


def test_each_domain_option_brings_its_one_check(catalog: Catalog, planner: Planner) -> None:
    """Every check item is chosen by exactly one option of one class: the classes cover the
    guide's 48 checks, and the coordinating item comes with each."""
    scenario = catalog.scenario(CODE)
    checks = {i.id for i in scenario.items} - {"coordination"}
    seen: list[str] = []
    for group, size in GROUPS.items():
        question = next(q for q in scenario.questions if q.id == f"domains_{group}")
        domains = [o.value for o in question.options if o.value != "all"]
        assert len(domains) == size
        for domain in domains:
            answers = {
                **ELIGIBLE,
                "report_scope": "partial",
                "domain_groups": [group],
                f"domains_{group}": [domain],
            }
            plan = planner.plan(CODE, answers)
            assert plan.complete and plan.eligible
            (check,) = [i.id for i in plan.items if i.id != "coordination"]
            assert check == f"{domain}_check"
            seen.append(check)
        whole = planner.plan(
            CODE,
            {
                **ELIGIBLE,
                "report_scope": "partial",
                "domain_groups": [group],
                f"domains_{group}": ["all"],
            },
        )
        assert {i.id for i in whole.items} == {f"{d}_check" for d in domains} | {"coordination"}
    assert sorted(seen) == sorted(checks) and len(seen) == 48


def test_only_the_classes_chosen_are_asked_about(planner: Planner) -> None:
    answers = {**ELIGIBLE, "report_scope": "partial", "domain_groups": ["economy", "justice"]}
    state = planner.questions(CODE, answers)
    assert state.next is not None and state.next.id == "domains_economy"
    asked = {q.id for q in state.questions}
    assert {"domains_economy", "domains_justice"} <= asked
    assert not asked & {"domains_social", "domains_resources", "domains_safety", "domains_culture"}
    plan = planner.plan(
        CODE, {**answers, "domains_economy": ["market", "tax"], "domains_justice": ["all"]}
    )
    assert {i.id for i in plan.items} == {
        "coordination",
        "market_check",
        "tax_check",
        "criminal_check",
        "procuratorate_check",
        "litigation_check",
        "public_security_check",
    }
    assert len(plan.not_applicable) == 42


def test_the_commitment_letter_only_when_the_enterprise_issues_one(planner: Planner) -> None:
    partial = {"report_scope": "partial", "domain_groups": ["culture"], "domains_culture": ["film"]}
    with_letter = planner.plan(
        CODE, {"registered_in_hunan": "yes", "credit_record": "commitment", **partial}
    )
    assert with_letter.eligible
    assert [(m.id, m.status) for m in with_letter.materials] == [
        ("credit_repair_commitment", "submit")
    ]
    assert planner.plan(CODE, {**ELIGIBLE, **partial}).materials == ()


@pytest.mark.parametrize(
    ("answers", "facts", "reason"),
    [
        ({"registered_in_hunan": "other_province"}, {}, "受理条件：在湖南省区域内注册的"),
        ({}, {"enterprise.registered_in_province": False}, "受理条件：在湖南省区域内注册的"),
        ({"registered_in_hunan": "person"}, {}, "企业上市合法合规报告不能查询个人"),
        (
            {"registered_in_hunan": "yes", "credit_record": "unrepaired"},
            {},
            "对存在违法违规记录的信用主体，需要进行信用修复(或开具信用修复承诺函)之后",
        ),
    ],
)
def test_who_cannot_get_the_report_is_refused_with_the_guides_reason(
    planner: Planner, answers: dict[str, str], facts: dict[str, object], reason: str
) -> None:
    plan = planner.plan(CODE, answers, facts)
    assert not plan.eligible
    (block,) = plan.blocked
    assert block.reason.startswith(reason) and block.advice
