"""The static checker finds each kind of mistake and says where it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog.catalog import load_catalog, problems_of
from app.errors import CatalogError
from tests.helpers.catalogs import MINIMAL, replaced

MakeCatalog = Callable[..., Path]


def errors(folder: Path) -> list[str]:
    return [p.render() for p in problems_of(folder)[1] if p.severity == "error"]


def test_minimal_catalog_is_clean(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(MINIMAL)
    assert problems_of(folder)[1] == []
    assert load_catalog(folder).scenario("99TEST0001").name == "测试一件事"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("needs: [first]", "needs: [zeroth]", "items[1].needs[0]: 错误：引用了不存在的事项“zeroth”"),
        ("items: [first, second]", "items: [first, third]", "materials[0].items[1]: 错误：引用了不存在的事项“third”"),
        ("equals: a}}", "equals: c}}", "问题“q2”没有选项“c”"),
        ("{answer: q2, equals: a}", "{answer: q9, equals: a}", "条件引用了不存在的问题“q9”"),
        ("{answer: q1, equals: \"yes\"}", "{answer: q2, equals: a}", "须排在前面"),
        ("{key: applicant.name, items: [first]}", "{key: made.up, items: [first]}", "不在字段字典中"),
        ("when: {answer: q2, equals: a}", "when: {fact: no.such.fact, equals: 1}", "未在 _catalog.yaml 中定义的事实“no.such.fact”"),
        ("life_stage: 生活", "life_stage: 准入准营", "人生阶段“准入准营”与服务对象不符"),
    ],
)  # fmt: skip
def test_reference_errors(make_catalog: MakeCatalog, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    found = errors(make_catalog(MINIMAL.replace(old, new)))
    assert any(expected in e for e in found), found


def test_problem_names_file_line_and_scenario(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(MINIMAL.replace("needs: [first]", "needs: [zeroth]"), names=("x.yaml",))
    (problem,) = [p for p in problems_of(folder)[1] if p.severity == "error"]
    assert problem.file.endswith("x.yaml")
    assert problem.scenario == "99TEST0001"
    assert (
        problem.line
        == MINIMAL.splitlines().index(
            next(line for line in MINIMAL.splitlines() if "id: second" in line)
        )
        + 1
    )


def test_cycle_in_the_flow(make_catalog: MakeCatalog) -> None:
    text = MINIMAL.replace(
        "{id: first, name: 第一项, department: 甲局, promised_days: 3}",
        "{id: first, name: 第一项, department: 甲局, promised_days: 3, needs: [second]}",
    )
    assert any("办理流程有循环：" in e for e in errors(make_catalog(text)))


def test_unreachable_item_and_question(make_catalog: MakeCatalog) -> None:
    # q2 is asked only when q1 = yes, and "yes" now stops the applicant: nothing behind it is reachable.
    text = MINIMAL.replace(
        '{value: "yes", label: 是}, {value: "no"',
        '{value: "yes", label: 是, stop: {reason: 不符合, advice: 请去别处}}, {value: "no"',
    )
    found = errors(make_catalog(text))
    assert any("问题“q2”在任何" in e for e in found), found
    assert any("事项“第二项”在任何" in e for e in found), found


def test_contradictory_condition_is_unreachable(make_catalog: MakeCatalog) -> None:
    text = MINIMAL.replace(
        "when: {answer: q2, equals: a}",
        "when: {all: [{answer: q2, equals: a}, {answer: q2, equals: b}]}",
    )
    assert any("事项“第二项”在任何" in e for e in errors(make_catalog(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code: [unclosed\n", "YAML 语法错误"),
        (MINIMAL.replace("name: 测试一件事", "name: 测试一件事\nname: 又一个"), "键“name”重复出现"),
        (MINIMAL.replace("promised_days: 3", "promised_days: 三天"), "应为整数"),
        (MINIMAL.replace("promised_days: 3", "promised_day: 3"), "不认识的键"),
        (MINIMAL.replace("audience: personal", "audience: people"), "取值不在允许范围内"),
        (MINIMAL.replace("{answer: q2, equals: a}", "{answer: q2}"), "equals、in、contains 之一"),
        (
            MINIMAL.replace("{answer: q2, equals: a}", "{whenever: q2}"),
            "条件须以 answer、fact、all、any、not 或 named 开头",
        ),
        ("", "文件是空的"),
    ],
)
def test_malformed_files(make_catalog: MakeCatalog, text: str, expected: str) -> None:
    found = errors(make_catalog(text))
    assert any(expected in e for e in found), found


def test_load_catalog_refuses_with_every_error_listed(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(
        MINIMAL.replace("needs: [first]", "needs: [zeroth]").replace("[first, second]", "[x]")
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    assert "2 处错误" in info.value.message
    assert "onestop catalog check" in info.value.hint


def test_duplicate_codes_across_files(make_catalog: MakeCatalog) -> None:
    assert any("代码与其他文件重复" in e for e in errors(make_catalog(MINIMAL, MINIMAL)))


def test_warnings_and_their_settlement(make_catalog: MakeCatalog) -> None:
    text = MINIMAL.replace("lead_department: 测试局", "lead_department: 测试局\npromised_days: 2")
    text = text.replace("{id: m1, name: 材料一,", "{id: m1, name: 材料一, platform_code: T1000NaN,")
    problems = problems_of(make_catalog(text))[1]
    codes = {p.code: p.severity for p in problems}
    assert codes == {"W-PROMISED-DAYS": "warning", "W-PLATFORM-CODE:m1": "warning"}
    settled = text + (
        "decisions:\n  - {topic: 时限, reference: 公布2天, decision: 按关键路径, settles: [W-PROMISED-DAYS]}\n"
    )
    problems = problems_of(make_catalog(settled))[1]
    by_code = {p.code: p for p in problems}
    assert by_code["W-PROMISED-DAYS"].severity == "settled"
    assert "决定：按关键路径" in by_code["W-PROMISED-DAYS"].message
    assert by_code["W-PLATFORM-CODE:m1"].severity == "warning"


def test_missing_meta_file(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(MINIMAL, encoding="utf-8")
    assert any("缺少目录文件 _catalog.yaml" in e for e in errors(tmp_path))


def test_missing_folder(tmp_path: Path) -> None:
    assert any("目录不存在" in e for e in errors(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("code", "warned"),
    [
        ("T1000001", False),
        ("E1000016", False),  # 43PCN0012, 43TCN0007: the E class of standard materials
        ("L11100000000013127D002", False),  # issued locally: the body's USCC and a number
        ("E13430000006123247Y001", False),
        ("T1000NaN", True),  # 43PCP0008's guide
        ("X1000001", True),
        ("L1111", True),
    ],
)
def test_the_platform_material_codes_real_guides_use(
    make_catalog: MakeCatalog, code: str, warned: bool
) -> None:
    text = MINIMAL.replace(
        "{id: m1, name: 材料一,", f"{{id: m1, name: 材料一, platform_code: {code},"
    )
    codes = {p.code for p in problems_of(make_catalog(text))[1]}
    assert ("W-PLATFORM-CODE:m1" in codes) is warned


def test_too_many_ways_of_answering_leave_an_item_unproven(make_catalog: MakeCatalog) -> None:
    """Fifteen two-way questions are 32,768 ways of answering, more than the checker tries
    (20,000); an item that needs every answer to be the last one tried is neither shown
    reachable nor unreachable, and is named in one warning."""
    asked = "".join(
        f"  - id: p{n}\n    text: 第{n}问\n"
        "    options: [{value: a, label: 甲}, {value: b, label: 乙}]\n"
        for n in range(15)
    )
    every_b = ", ".join(f"{{answer: p{n}, equals: b}}" for n in range(15))
    text = replaced(
        MINIMAL,
        ("questions:\n", "questions:\n" + asked),
        (
            "{answer: q2, equals: a}}\n",
            "{answer: q2, equals: a}}\n  - {id: third, name: 第三项, department: 丙局, "
            f"promised_days: 1, when: {{all: [{every_b}]}}}}\n",
        ),
        ("items: [first, second]}", "items: [first, second, third]}"),
    )
    (problem,) = problems_of(make_catalog(text))[1]
    assert (problem.severity, problem.code, problem.path, problem.line) == (
        "warning",
        "W-UNPROVEN",
        "",
        1,
    )
    assert problem.message == "组合太多，未能证明可达：事项“第三项”"
