"""Named conditions: a route defined once, used by name, and told to the applicant (issue 24,
capability 5); and what a hidden question counts as."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog.catalog import Catalog, load_catalog, problems_of
from app.catalog.conditions import AllCondition, NamedCondition, walk
from app.cli.render import render_plan
from app.guide.engine import Planner
from tests.helpers.catalogs import MINIMAL, replaced

MakeCatalog = Callable[..., Path]

RESTAURANT = {
    "registered_in_province": "yes",
    "premises_compliant": "yes",
    "food_licence_type": "small",
    "signboard": "no",
}

# a route decided by two answers, used by the second item and told when it holds
ROUTED = replaced(
    MINIMAL,
    (
        "questions:\n",
        """\
named:
  - id: simplified
    label: 简易程序
    when: {all: [{answer: q1, equals: "yes"}, {answer: q2, equals: b}]}
    tell: 您适用简易程序。
  - id: ordinary
    label: 普通程序
    when: {not: {named: simplified}}
questions:
""",
    ),
    ("when: {answer: q2, equals: a}}", "when: {named: ordinary}}"),
)


def test_a_real_guide_route_is_told_and_decides_items_and_materials(catalog: Catalog) -> None:
    planner = Planner(catalog)
    general = planner.plan("43TCN0003", {**RESTAURANT, "fire_check_route": "general"})
    assert [r.text for r in general.routes] == [
        "您办理《食品小经营许可证》新办（小餐饮）。",
        "您适用消防安全检查一般流程，另须提交《消防安全检查申报表》。",
    ]
    names = {i.name for i in general.items}
    assert "公众聚集场所投入使用、营业前消防安全检查（一般流程）" in names
    assert any(m.name.startswith("消防安全检查申报表") for m in general.materials)

    commitment = planner.plan("43TCN0003", {**RESTAURANT, "fire_check_route": "commitment"})
    assert commitment.routes[1].id == "fire_commitment"
    assert not any(m.name.startswith("消防安全检查申报表") for m in commitment.materials)
    assert "▶ 您适用消防安全检查告知承诺制流程。" in render_plan(commitment)


def test_a_named_condition_is_replaced_by_its_definition_on_reading(catalog: Catalog) -> None:
    scenario = catalog.scenario("43TCN0003")
    leaves = [leaf for item in scenario.items for leaf in walk(item.when)]
    assert leaves and not any(isinstance(leaf, NamedCondition) for leaf in leaves)


@pytest.fixture
def routed(make_catalog: MakeCatalog) -> Planner:
    folder = make_catalog(ROUTED)
    assert [p.render() for p in problems_of(folder)[1] if p.severity == "error"] == []
    return Planner(load_catalog(folder))


def test_a_route_of_several_answers(routed: Planner) -> None:
    simplified = routed.plan("99TEST0001", {"q1": "yes", "q2": "b"})
    assert [r.label for r in simplified.routes] == ["简易程序"]
    assert [i.id for i in simplified.items] == ["first"]
    ordinary = routed.plan("99TEST0001", {"q1": "yes", "q2": "a"})
    assert ordinary.routes == ()  # 普通程序 has no tell: not shown
    assert [i.id for i in ordinary.items] == ["first", "second"]
    scenario = routed.catalog.scenario("99TEST0001")
    assert isinstance(scenario.named[1].when.not_, AllCondition)  # type: ignore[union-attr]


def test_a_hidden_question_counts_as_answered_with_nothing(routed: Planner) -> None:
    """q2 shows only when q1 is yes. With q1 no, q2 is hidden: ``equals`` on it is false, so
    ``simplified`` is false and its negation ``ordinary`` true — the documented behaviour."""
    plan = routed.plan("99TEST0001", {"q1": "no"})
    assert plan.complete
    assert [i.id for i in plan.items] == ["first", "second"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{named: ordinary}}", "{named: fast}}", "引用了不存在的命名条件“fast”（已定义：simplified、ordinary）"),
        ("when: {not: {named: simplified}}", "when: {named: ordinary}", "引用了不存在的命名条件“ordinary”"),
        ("{answer: q2, equals: b}]}", "{answer: q2, equals: c}]}", "问题“q2”没有选项“c”"),
        ("{answer: q2, equals: b}]}", "{answer: q1, equals: \"no\"}]}", "命名条件“简易程序”在任何（符合受理条件的）回答下都不会出现"),
        ("  - id: ordinary\n", "  - id: simplified\n", "“simplified”重复定义"),
    ],
)  # fmt: skip
def test_the_checker_on_named_conditions(
    make_catalog: MakeCatalog, old: str, new: str, expected: str
) -> None:
    folder = make_catalog(replaced(ROUTED, (old, new)))
    errors = [p.render() for p in problems_of(folder)[1] if p.severity == "error"]
    assert any(expected in e for e in errors), errors
