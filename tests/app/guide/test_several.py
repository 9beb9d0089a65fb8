"""Several of a kind in one case (issue 24, capability 4): a counting question asks how many;
materials written ``per:`` it multiply, fields written ``per:`` it repeat, numbered, and each is
checked for itself."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.catalog import load_catalog, problems_of
from app.errors import AnswerError
from app.guide.engine import Planner
from app.guide.form import check_form
from tests.helpers.catalogs import MINIMAL, catalog_folder, replaced

MakeCatalog = Callable[..., Path]

# 第一项 needs, for each child, two copies of a birth certificate and the child's name.
SEVERAL = replaced(
    MINIMAL,
    (
        "items:\n",
        "  - id: children\n"
        "    text: 为几名子女办理？\n"
        "    kind: count\n"
        "    counts: {entity: 子女, unit: 名, max: 5}\n"
        "items:\n",
    ),
    (
        "  - {id: m1, name: 材料一, items: [first, second]}",
        "  - {id: m1, name: 材料一, items: [first, second]}\n"
        "  - {id: birth, name: 出生医学证明, form: copy, copies: 2, items: [first], per: children}",
    ),
    (
        "  - {key: applicant.name, items: [first]}",
        "  - {key: applicant.name, items: [first]}\n"
        "  - {key: child.name, label: 子女姓名, type: text, section: 子女信息, items: [first],"
        " per: children}",
    ),
)
ANSWERS = {"q1": "no", "children": 3}


@functools.cache
def _shared_planner() -> Planner:
    """For the fuzz test (hypothesis runs a test many times within one fixture)."""
    return Planner(load_catalog(catalog_folder(Path(tempfile.mkdtemp()) / "catalog", SEVERAL)))


@pytest.fixture
def planner(make_catalog: MakeCatalog) -> Planner:
    folder = make_catalog(SEVERAL)
    assert [p.render() for p in problems_of(folder)[1] if p.severity == "error"] == []
    return Planner(load_catalog(folder))


def test_materials_multiply_and_the_plan_counts_them(planner: Planner) -> None:
    plan = planner.plan("99TEST0001", ANSWERS)
    assert plan.complete and [c.words for c in plan.counts] == ["子女 3 名"]
    birth = next(m for m in plan.materials if m.id == "birth")
    assert (birth.copies, birth.each, birth.per) == (6, 2, "子女")
    assert birth.need_words == "每名子女复印件 2 份，共 6 份"
    once = next(m for m in plan.materials if m.id == "m1")
    assert (once.copies, once.need_words) == (1, "原件 1 份")
    assert planner.plan("99TEST0001", {**ANSWERS, "children": 1}).materials[1].copies == 2


def test_fields_repeat_numbered_and_each_is_checked(planner: Planner) -> None:
    plan = planner.plan("99TEST0001", ANSWERS)
    children = [f for f in plan.fields if f.key.startswith("child.name")]
    assert [(f.key, f.label, f.section) for f in children] == [
        (f"child.name#{i}", f"子女姓名（第 {i} 名）", f"子女信息（第 {i} 名）") for i in (1, 2, 3)
    ]
    _, problems = check_form(
        plan.fields, {"applicant.name": "李芳", "child.name#1": "王小明", "child.name#3": "王小红"}
    )
    assert problems == {"child.name#2": "“子女姓名（第 2 名）”必须填写。"}


def test_the_count_is_answered_by_number_and_out_of_range_is_refused(planner: Planner) -> None:
    for given_as in (3, "3", "n3", ["n3"]):
        assert (
            planner.plan("99TEST0001", {"q1": "no", "children": given_as}).answers["children"]
            == "n3"
        )
    with pytest.raises(AnswerError) as refused:
        planner.plan("99TEST0001", {"q1": "no", "children": 6})
    assert str(refused.value) == (
        "问题“为几名子女办理？”的回答应为 1 到 5 之间的整数，收到“6”。"
        "一件最多办理 5 名子女，更多的请分几件办理。"
    )
    questions = planner.questions("99TEST0001", {"q1": "no"}).questions
    children = next(q for q in questions if q.id == "children")
    assert [o.label for o in children.options] == ["1 名", "2 名", "3 名", "4 名", "5 名"]


@given(
    st.one_of(st.integers(-5, 50), st.text(max_size=6), st.sampled_from(["²", "３", " 2 ", "n0"]))
)
def test_any_answer_to_a_count_is_a_number_in_range_or_a_clear_refusal(raw: object) -> None:
    planner = _shared_planner()
    try:
        plan = planner.plan("99TEST0001", {"q1": "no", "children": raw})
    except AnswerError as exc:
        assert str(exc).startswith("问题“为几名子女办理？”")
        return
    (count,) = plan.counts
    assert 1 <= count.n <= 5


def test_per_must_name_a_counting_question(make_catalog: MakeCatalog) -> None:
    text = SEVERAL.replace("items: [first], per: children}", "items: [first], per: q1}", 1)
    errors = [p.render() for p in problems_of(make_catalog(text))[1] if p.severity == "error"]
    assert any(
        "materials[1].per" in e and "“q1”不是；本一件事的计数问题：children" in e for e in errors
    ), errors


def test_a_counting_questions_options_are_not_written(make_catalog: MakeCatalog) -> None:
    text = SEVERAL.replace(
        "    counts: {entity: 子女, unit: 名, max: 5}\n",
        "    counts: {entity: 子女, unit: 名, max: 5}\n"
        "    options: [{value: a, label: 一}, {value: b, label: 二}]\n",
    )
    errors = [p.render() for p in problems_of(make_catalog(text))[1] if p.severity == "error"]
    assert any("选项按 counts.max 自动生成，不要写 options" in e for e in errors), errors
