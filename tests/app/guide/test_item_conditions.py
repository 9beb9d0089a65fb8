"""A condition on one item removes that item, with its reason and what to do first; the rest of
the 一件事 goes on, and it is refused as a whole only when a scenario-level condition fails or
nothing is left (issue 24, capability 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog.catalog import load_catalog, problems_of
from app.cli.render import render_plan, render_questions
from app.errors import ItemChoiceError
from app.guide.engine import Planner
from tests.helpers.catalogs import MINIMAL, replaced

MakeCatalog = Callable[..., Path]

# q3: a precondition of the first item only. Its "no" leaves out 第一项 — and 第二项, which needs
# its result — but not 第三项.
WITH_ITEM_CONDITION = replaced(
    MINIMAL,
    (
        "items:\n",
        """\
  - id: q3
    text: 是否已取得前置证明？
    options:
      - {value: "yes", label: 是}
      - value: "no"
        label: 否
        stop: {reason: 第一项须先取得前置证明。, advice: 请先到甲局开具前置证明。, items: [first]}
items:
""",
    ),
    (
        "materials:\n",
        "  - {id: third, name: 第三项, department: 丙局, promised_days: 2}\nmaterials:\n"
        "  - {id: m3, name: 材料三, items: [third]}\n",
    ),
)
ANSWERS = {"q1": "yes", "q2": "a"}


@pytest.fixture
def planner(make_catalog: MakeCatalog) -> Planner:
    folder = make_catalog(WITH_ITEM_CONDITION)
    assert [p for p in problems_of(folder)[1] if p.severity == "error"] == []
    return Planner(load_catalog(folder))


def test_an_unmet_item_condition_leaves_out_that_item_and_what_needs_it(planner: Planner) -> None:
    plan = planner.plan("99TEST0001", {**ANSWERS, "q3": "no"})
    assert plan.eligible and plan.complete
    assert [i.id for i in plan.items] == ["third"]
    first, second = plan.excluded
    assert (first.id, first.reason, first.advice) == (
        "first",
        "第一项须先取得前置证明。",
        "请先到甲局开具前置证明。",
    )
    assert second.id == "second"
    assert second.reason == "需要“第一项”的办理结果，而“第一项”不能办理：第一项须先取得前置证明。"
    # materials and promised days follow the items left
    assert [m.id for m in plan.materials] == ["m3"]
    assert plan.promised_days == 2
    assert plan.to_dict()["excluded"][0]["advice"] == "请先到甲局开具前置证明。"


def test_met_condition_keeps_every_item(planner: Planner) -> None:
    plan = planner.plan("99TEST0001", {**ANSWERS, "q3": "yes"})
    assert [i.id for i in plan.items] == ["first", "second", "third"]
    assert plan.excluded == ()


def test_choosing_a_left_out_item_says_why(planner: Planner) -> None:
    with pytest.raises(ItemChoiceError) as raised:
        planner.plan("99TEST0001", {**ANSWERS, "q3": "no"}, items=["first"])
    assert raised.value.message == "事项“第一项”不能办理：第一项须先取得前置证明。"
    assert raised.value.hint == "请先到甲局开具前置证明。"


def test_the_questionnaire_keeps_going_after_an_item_condition(planner: Planner) -> None:
    state = planner.questions("99TEST0001", {**ANSWERS, "q3": "no"})
    assert state.blocked == () and state.to_dict()["eligible"] is True
    (block,) = state.item_blocks
    assert block.items == ("first",)
    assert "⊘ 部分事项不能办理（否）：第一项须先取得前置证明。" in render_questions(state)


def test_nothing_left_refuses_the_whole_scenario(make_catalog: MakeCatalog) -> None:
    text = WITH_ITEM_CONDITION.replace("items: [first]}", "items: [first, third]}")
    plan = Planner(load_catalog(make_catalog(text))).plan("99TEST0001", {**ANSWERS, "q3": "no"})
    assert not plan.eligible
    (block,) = plan.blocked
    assert block.reason.startswith("所有事项都不符合办理条件：“第一项”第一项须先取得前置证明。")
    assert block.advice == "请先到甲局开具前置证明。"


def test_the_plan_in_words_lists_what_cannot_be_done(planner: Planner) -> None:
    text = render_plan(planner.plan("99TEST0001", {**ANSWERS, "q3": "no"}))
    assert "⊘ 不能办理：第一项——第一项须先取得前置证明。（请先：请先到甲局开具前置证明。）" in text


def test_the_checker_refuses_an_item_condition_naming_no_item(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(WITH_ITEM_CONDITION.replace("items: [first]}", "items: [fourth]}"))
    errors = [p.render() for p in problems_of(folder)[1] if p.severity == "error"]
    assert any("questions[2].options[1].stop.items[0]" in e and "“fourth”" in e for e in errors)


def test_an_item_condition_keeps_the_item_reachable_for_the_checker(
    make_catalog: MakeCatalog,
) -> None:
    """Answering "no" still lets the applicant go on, so the checker must not treat the option
    as a dead end: a material needed only after that answer is reachable."""
    text = WITH_ITEM_CONDITION.replace(
        "{id: m3, name: 材料三, items: [third]}",
        '{id: m3, name: 材料三, items: [third], required: false, when: {answer: q3, equals: "no"}}',
    )
    folder = make_catalog(text)
    assert [p.render() for p in problems_of(folder)[1] if p.severity != "settled"] == []
