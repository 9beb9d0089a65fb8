"""The checker against what a guide publishes (issue 24, capability 8): its step count and
cooperating departments against what its items imply, 必要 materials of conditional items, a note
that contradicts a condition, and decisions that settle a code or say they are free."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.catalog import problems_of
from app.catalog.checker import contradiction, department_core, same_department
from tests.helpers.catalogs import MINIMAL, replaced

MakeCatalog = Callable[..., Path]


def warnings(folder: Path) -> dict[str, str]:
    return {p.code: p.message for p in problems_of(folder)[1] if p.severity == "warning"}


def test_minimal_is_clean(make_catalog: MakeCatalog) -> None:
    assert warnings(make_catalog(MINIMAL)) == {}


def test_a_published_step_count_against_the_flow(make_catalog: MakeCatalog) -> None:
    text = MINIMAL + "reform: {after: {steps: 1}}\n"
    assert warnings(make_catalog(text))["W-STEP-COUNT"] == (
        "公布的改革后环节数 1 与事项流程的 2 个先后阶段不一致"
    )
    assert "W-STEP-COUNT" not in warnings(make_catalog(MINIMAL + "reform: {after: {steps: 2}}\n"))


def test_cooperating_departments_against_the_items(make_catalog: MakeCatalog) -> None:
    text = replaced(
        MINIMAL,
        ("lead_department: 测试局", "lead_department: 长沙市测试局\ncooperating_departments: [人社部门, 税务部门]"),
        ("department: 甲局", "department: 人力资源和社会保障部门（社保经办机构）"),
    )  # fmt: skip
    found = warnings(make_catalog(text))
    assert found["W-DEPARTMENT-IDLE:1"] == "配合部门“税务部门”不承办任何事项"
    assert found["W-DEPARTMENT-UNLISTED:second"] == (
        "事项“第二项”的承办部门“乙局”不在牵头与配合部门之列"
    )
    assert "W-DEPARTMENT-IDLE:0" not in found  # 人社 is 人力资源和社会保障


def test_a_required_material_of_conditional_items(make_catalog: MakeCatalog) -> None:
    only_second = replaced(MINIMAL, ("items: [first, second]}", "items: [second]}"))
    assert warnings(make_catalog(only_second))["W-REQUIRED-OF-CONDITIONAL-ITEMS:m1"] == (
        "“材料一”标为必要材料，但需要它的事项只在部分情形下办理"
    )
    # both items conditional, but one of them always applies: every applicant needs it
    alternatives = replaced(
        only_second,
        ("{id: first, name: 第一项, department: 甲局, promised_days: 3}",
         "{id: first, name: 第一项, department: 甲局, promised_days: 3, when: {answer: q1, equals: \"no\"}}"),
        ("needs: [first], when: {answer: q2, equals: a}", "when: {answer: q1, equals: \"yes\"}"),
        ("items: [second]}", "items: [first, second]}"),
    )  # fmt: skip
    assert not [c for c in warnings(make_catalog(alternatives)) if c.startswith("W-REQUIRED")]
    optional = replaced(only_second, ("items: [second]}", "items: [second], required: false}"))
    assert not [c for c in warnings(make_catalog(optional)) if c.startswith("W-REQUIRED")]


def test_a_note_that_contradicts_a_condition(make_catalog: MakeCatalog) -> None:
    text = replaced(
        MINIMAL,
        ("lead_department: 测试局", "lead_department: 测试局\nguide: {conditions: [父母双方是同一民族]}"),
        ("{id: m1, name: 材料一,", "{id: m1, name: 材料一, notes: 父母双方是不同民族时提供。,"),
    )  # fmt: skip
    assert warnings(make_catalog(text))["W-NOTE-CONTRADICTS-CONDITION:m1"] == (
        "“材料一”的填报须知（不同民族）与受理条件“父母双方是同一民族”（同一民族）相矛盾"
    )


def test_decisions_settle_a_code_or_say_they_are_free(make_catalog: MakeCatalog) -> None:
    def with_decision(extra: str) -> dict[str, str]:
        text = MINIMAL + (
            "reform: {after: {steps: 1}}\n"
            "decisions:\n  - {topic: 甲, reference: 乙, decision: 丙" + extra + "}\n"
        )
        return warnings(make_catalog(text))

    untied = with_decision("")
    assert "W-DECISION-UNTIED" in untied and "W-STEP-COUNT" in untied
    assert "W-DECISION-UNTIED" not in with_decision(", free: true")
    settled = with_decision(", settles: [W-STEP-COUNT]")
    assert settled == {}
    stale = with_decision(", settles: [W-MATERIAL-COUNT]")
    assert stale["W-DECISION-STALE"].startswith("决定“甲”回应的警告 W-MATERIAL-COUNT 已不再出现")


def test_the_built_in_guides_contradictions_are_each_settled() -> None:
    """On the real guides: 新生儿出生's condition "父母双方是同一民族" against its material
    note, its three reimbursement materials, its step count; every decision ties to a code or
    says it is free."""
    found = {(p.scenario, p.code) for p in problems_of()[1] if p.severity == "settled"}
    assert {
        ("43PCN0009", "W-NOTE-CONTRADICTS-CONDITION:ethnicity_application"),
        ("43PCN0009", "W-REQUIRED-OF-CONDITIONAL-ITEMS:invoices"),
        ("43PCN0009", "W-STEP-COUNT"),
        ("43PCP0008", "W-STEP-COUNT"),
    } <= found
    assert not [p for p in problems_of()[1] if p.severity == "warning"]


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("长沙市卫生健康委员会", "卫生健康"),
        ("人社部门", "人力资源和社会保障"),
        ("公安部门（落户地派出所）", "公安"),
        ("长沙市市场监督管理局", "市场监督管理"),
        ("应急部门（消防救援机构）", "应急管理"),
        ("医疗保障部门", "医疗保障"),
    ],
)
def test_department_kinds(name: str, core: str) -> None:
    assert department_core(name) == core


def test_same_department_reads_short_forms() -> None:
    assert same_department("卫健部门", "卫生健康部门（分娩机构）")
    assert same_department("市监部门", "市监部门（市场监督管理部门）")
    assert not same_department("税务部门", "公安部门")


@given(st.text(max_size=30), st.text(max_size=30))
def test_contradiction_never_fails_and_needs_both_words(condition: str, note: str) -> None:
    found = contradiction(condition, note)
    if found is not None:
        assert found[0] in condition and found[1] in note


@given(st.text(max_size=40))
def test_department_core_never_fails(name: str) -> None:
    assert isinstance(department_core(name), str)
