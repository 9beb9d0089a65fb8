"""``onestop guide demo``: a guided walk through one scenario in the terminal (``make demo``).

It reads a simulated ID card, answers what shared data can answer, asks the rest (or, without a
terminal, answers from the sample script) and prints the plan a clerk would see.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from typing import Any

import yaml

from app.catalog.catalog import Catalog
from app.catalog.conditions import AnswerValue
from app.cli.render import render_plan
from app.guide.engine import Planner
from app.guide.plan import QuestionView
from app.identity.card import IdCardData, facts_from_card

HALL_PROVINCE = "430000"


def sample_data() -> dict[str, Any]:
    text = (files("resources") / "samples" / "demo.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def sample_card(name: str) -> IdCardData:
    raw = dict(sample_data()["cards"][name])
    return IdCardData(**raw)


def run(catalog: Catalog, code: str, *, interactive: bool, today: date | None = None) -> int:
    today = today or date.today()
    planner = Planner(catalog)
    scenario = catalog.scenario(code)
    sample = sample_data()["scenarios"].get(scenario.code, {})
    g = scenario.guide
    print(f"══ {scenario.name}（{scenario.code}，{scenario.region}）══")
    print(
        f"牵头部门：{scenario.lead_department}；配合部门：{'、'.join(scenario.cooperating_departments)}"
    )
    for n, condition in enumerate(g.conditions, start=1):
        print(f"受理条件{n}：{condition}")
    if g.contacts.consult:
        print(f"咨询电话：{'、'.join(g.contacts.consult)}")
    print()

    facts: dict[str, Any] = {"hall.province": HALL_PROVINCE}
    if "card" in sample:
        card = sample_card(sample["card"])
        number = card.id_number
        print(
            f"▶ 模拟读取身份证：{card.name}，{card.sex}，"
            f"{number[:6]}********{number[-4:]}，{card.address}"
        )
        facts.update(facts_from_card(card, today=today, hall_province=HALL_PROVINCE))
    facts.update(sample.get("facts", {}))
    if sample.get("facts"):
        print(f"▶ 模拟调取共享数据：{len(sample['facts'])} 项")
    print()

    script: dict[str, Any] = dict(sample.get("answers", {}))
    answers: dict[str, AnswerValue] = {}
    asked: set[str] = set()
    while True:
        state = planner.questions(scenario.code, answers, facts)
        if state.blocked:
            for block in state.blocked:
                print(f"⛔ {block.reason}\n   {block.advice}")
            return 0
        current = next((q for q in state.questions if q.id not in asked), None)
        if current is None:
            break
        asked.add(current.id)
        value = _ask(current, interactive, script)
        if value is not None:
            answers[current.id] = value
    plan = planner.plan(scenario.code, answers, facts)
    print()
    print(render_plan(plan), end="")
    return 0


def _ask(question: QuestionView, interactive: bool, script: dict[str, Any]) -> AnswerValue | None:
    print(f"？ {question.text}")
    if question.help:
        print(f"  （{question.help}）")
    for n, option in enumerate(question.options, start=1):
        print(f"   {n}. {option.label}")
    if question.status == "auto":
        print(f"  ⚙ 已自动选择“{question.answer_label}”——{question.source}")
        if not interactive:
            return None
    if not interactive:
        scripted = script.get(question.id)
        value = (
            scripted
            if scripted is not None
            else next(o.value for o in question.options if not o.stops)
        )
        label = next(o.label for o in question.options if o.value == value)
        print(f"  → {label}")
        return str(value)
    return _prompt(question)


def _prompt(question: QuestionView) -> AnswerValue | None:
    count = len(question.options)
    while True:
        hint = "回车接受自动选择，或" if question.status == "auto" else ""
        reply = input(f"  {hint}输入 1—{count} 的序号：").strip()
        if not reply and question.status == "auto":
            return None
        if reply.isdigit() and 1 <= int(reply) <= count:
            chosen = question.options[int(reply) - 1]
            if question.kind == "multi":
                return (chosen.value,)
            return chosen.value
        print(f"  请输入 1 到 {count} 之间的数字。")
