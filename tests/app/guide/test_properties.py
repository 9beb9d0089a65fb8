"""Random answers and random catalogs: the engine returns a consistent plan or a typed error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.catalog import Catalog, load_catalog
from app.errors import CatalogError, OneStopError
from app.guide.engine import Planner
from app.guide.plan import Plan

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BUILTIN = load_catalog()
GUIDE = Planner(BUILTIN)


def assert_consistent(
    planner: Planner,
    code: str,
    plan: Plan,
    facts: dict[str, Any] | None = None,
    items: list[str] | None = None,
) -> None:
    scenario = planner.catalog.scenario(code)
    chosen = {i.id for i in plan.items}
    by_id = {i.id: i for i in scenario.items}
    # Every chosen item's prerequisites that apply are chosen too, and come in an earlier stage.
    stage = {i.id: i.stage for i in plan.items}
    for item in plan.items:
        for need in by_id[item.id].needs:
            if need in chosen:
                assert stage[need] < stage[item.id]
        assert plan.promised_days >= item.promised_days
    # Materials and fields only for chosen items, each once.
    names = {by_id[i].name for i in chosen}
    for material in plan.materials:
        assert material.items and set(material.items) <= names
    assert len({m.id for m in plan.materials}) == len(plan.materials)
    assert len({f.key for f in plan.fields}) == len(plan.fields)
    assert sum(len(s.items) for s in plan.stages) == len(plan.items)
    assert plan.effectiveness.merged.materials <= plan.effectiveness.separate.materials
    # The plan depends only on the answers that still apply.
    effective = {
        k: list(v) if isinstance(v, tuple) else v for k, v in plan.answers.items() if v != ()
    }
    assert planner.plan(code, effective, facts, items) == plan


@st.composite
def answers_for(draw: st.DrawFn, code: str) -> dict[str, Any]:
    scenario = BUILTIN.scenario(code)
    answers: dict[str, Any] = {}
    for question in scenario.questions:
        if not draw(st.booleans()):
            continue
        values = [o.value for o in question.options]
        if question.kind == "multi":
            answers[question.id] = draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
        else:
            answers[question.id] = draw(st.sampled_from([*values, "bogus"]))
    if draw(st.integers(0, 20)) == 0:
        answers["no_such_question"] = "yes"
    return answers


@SETTINGS
@given(
    st.sampled_from(sorted(BUILTIN.scenarios)).flatmap(
        lambda c: st.tuples(st.just(c), answers_for(c))
    )
)
def test_random_answers_on_builtin_scenarios(case: tuple[str, dict[str, Any]]) -> None:
    code, answers = case
    try:
        plan = GUIDE.plan(code, answers)
    except OneStopError as exc:
        assert exc.message
        return
    assert_consistent(GUIDE, code, plan)


@SETTINGS
@given(st.sampled_from(sorted(BUILTIN.scenarios)), st.data())
def test_random_item_choices(code: str, data: st.DataObject) -> None:
    scenario = BUILTIN.scenario(code)
    full = GUIDE.plan(code, {})
    applicable = [i.id for i in full.items] or [scenario.items[0].id]
    wanted = data.draw(st.lists(st.sampled_from(applicable), min_size=1, unique=True))
    try:
        plan = GUIDE.plan(code, {}, items=wanted)
    except OneStopError:
        return
    assert set(wanted) <= {i.id for i in plan.items}
    assert_consistent(GUIDE, code, plan, items=wanted)


# -- random catalogs -----------------------------------------------------------------------------

IDS = st.sampled_from(["a", "b", "c", "d", "e"])


@st.composite
def conditions(draw: st.DrawFn, questions: list[str]) -> Any:
    kind = draw(st.sampled_from(["answer", "fact", "all", "any", "not", "broken"]))
    if kind == "answer" and questions:
        return {
            "answer": draw(st.sampled_from([*questions, "zz"])),
            "equals": draw(st.sampled_from(["yes", "no", "x"])),
        }
    if kind == "fact":
        return {
            "fact": draw(st.sampled_from(["applicant.age", "unknown.fact"])),
            "gte": draw(st.integers(0, 99)),
        }
    if kind in ("all", "any") and questions:
        return {
            kind: [
                {"answer": q, "equals": "yes"}
                for q in draw(st.lists(st.sampled_from(questions), min_size=1, max_size=2))
            ]
        }
    if kind == "not" and questions:
        return {"not": {"answer": draw(st.sampled_from(questions)), "equals": "no"}}
    return {"whatever": 1}


@st.composite
def scenario_files(draw: st.DrawFn) -> dict[str, Any]:
    question_ids = draw(st.lists(st.sampled_from(["q1", "q2", "q3"]), unique=True, max_size=3))
    questions = []
    for index, qid in enumerate(question_ids):
        q: dict[str, Any] = {
            "id": qid,
            "text": f"问题{qid}",
            "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
        }
        if index and draw(st.booleans()):
            q["show_when"] = draw(conditions(question_ids[:index]))
        if draw(st.integers(0, 5)) == 0:
            q["options"][1]["stop"] = {"reason": "不符合", "advice": "请到别处"}
        questions.append(q)
    item_ids = draw(st.lists(IDS, unique=True, min_size=1, max_size=5))
    items = []
    for iid in item_ids:
        item: dict[str, Any] = {
            "id": iid,
            "name": f"事项{iid}",
            "department": "某局",
            "promised_days": draw(st.integers(0, 30)),
        }
        if draw(st.booleans()):
            item["needs"] = draw(st.lists(IDS, unique=True, max_size=2))
        if draw(st.booleans()):
            item["when"] = draw(conditions(question_ids))
        items.append(item)
    materials = [
        {
            "id": f"m{n}",
            "name": f"材料{n}",
            "items": draw(st.lists(IDS, min_size=1, max_size=2, unique=True)),
            "exemption": {"produced_by": draw(st.one_of(st.none(), IDS))},
        }
        for n in range(draw(st.integers(0, 3)))
    ]
    return {
        "code": "99RAND0001",
        "name": "随机一件事",
        "audience": "personal",
        "life_stage": "生活",
        "lead_department": "某局",
        "questions": questions,
        "items": items,
        "materials": materials,
    }


@SETTINGS
@given(scenario_files(), st.data())
def test_random_catalogs_load_cleanly_or_refuse(
    tmp_path: Path, scenario: dict[str, Any], data: st.DataObject
) -> None:
    from app.catalog.loader import builtin_catalog_dir

    folder = tmp_path / "random"
    folder.mkdir(exist_ok=True)
    (folder / "_catalog.yaml").write_bytes((builtin_catalog_dir() / "_catalog.yaml").read_bytes())
    (folder / "s.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    try:
        catalog: Catalog = load_catalog(folder)
    except CatalogError as exc:
        assert "onestop catalog check" in exc.hint
        return
    planner = Planner(catalog)
    answers = {q["id"]: data.draw(st.sampled_from(["yes", "no"])) for q in scenario["questions"]}
    facts = {"applicant.age": data.draw(st.integers(0, 99))}
    try:
        plan = planner.plan("99RAND0001", answers, facts)
    except OneStopError:
        return
    assert_consistent(planner, "99RAND0001", plan, facts)
