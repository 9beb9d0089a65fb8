"""One promise (issue 19, item 16): for every built-in scenario and several answer combinations,
the kiosk's list, ``guide plan --json``, the printed personal guide and the thermal list show the
same working days and the same basis; ``catalog list --json`` and the kiosk's scenario buttons
show the scenario's own promise (its longest), which no plan exceeds."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from app.catalog.catalog import load_catalog
from app.catalog.models import Question
from app.cli.main import main
from app.guide.engine import Planner
from app.guide.promise import promise_for
from kiosk.ui.window import KioskWindow
from printing.a4 import Letterhead
from printing.documents import render_plan
from printing.tickets import material_list

CATALOG = load_catalog()
Pick = Callable[[Question], Any]


def first(question: Question) -> Any:
    options = [o.value for o in question.options if o.stop is None]
    return options[:1] if question.kind == "multi" else options[0]


def last(question: Question) -> Any:
    options = [o.value for o in question.options if o.stop is None]
    return options[-1:] if question.kind == "multi" else options[-1]


def answers_by(code: str, pick: Pick) -> dict[str, Any]:
    """A complete, eligible set of answers: each next question answered by ``pick``."""
    planner, answers = Planner(CATALOG), dict[str, Any]()
    scenario = CATALOG.scenario(code)
    questions = {q.id: q for q in scenario.questions}
    while (state := planner.questions(code, answers)).next is not None:
        answers[state.next.id] = pick(questions[state.next.id])
    return answers


def combinations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for code in CATALOG.scenarios:
        for name, pick in (("first", first), ("last", last)):
            yield code, name, answers_by(code, pick)


CASES = list(combinations())


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    )
    return re.sub(r"\s+", "", done.stdout)


def label(window: KioskWindow, name: str) -> str:
    found = window.findChild(QLabel, name)
    assert found is not None and found.isVisible(), name
    return found.text()


@pytest.mark.parametrize(("code", "name", "answers"), CASES, ids=[f"{c}-{n}" for c, n, _ in CASES])
def test_every_screen_and_paper_shows_one_promise(
    code: str,
    name: str,
    answers: dict[str, Any],
    window: KioskWindow,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    scenario = CATALOG.scenario(code)
    journey = window.station.journey
    journey.choose(code)
    journey.in_hand.answers = dict(answers)
    window.station.go("plan")
    QApplication.processEvents()
    plan = journey.plan()
    assert plan.complete and plan.eligible and plan.items
    promise = plan.promise
    assert promise == promise_for(scenario, [i.id for i in plan.items], plan.answers)

    # the kiosk's list
    assert label(window, "promise") == promise.words == f"承诺 {promise.days} 个工作日办结"
    assert label(window, "promise_basis") == promise.basis_words
    # guide plan --json
    cli = run_json(capsys, "guide", "plan", code, "--answers", json.dumps(answers), "--json")
    assert cli["promised_days"] == promise.days
    assert cli["promise"] == promise.to_dict()
    # the printed personal guide, as pdftotext reads it
    letterhead = Letterhead("长沙市政务服务中心", "一网通办综合窗口", "0731-88665266", "金星中路")
    printed = pdf_text(
        render_plan(plan, scenario, letterhead, at=datetime(2026, 11, 23, tzinfo=UTC)), tmp_path
    )
    assert re.sub(r"\s+", "", f"{promise.words}。{promise.basis_words}") in printed
    assert not re.search(rf"(?<!\d)(?!{promise.days}个)\d+个工作日办结", printed)
    # the thermal list
    lines = [line.text for line in material_list(plan, "长沙市政务服务中心", "0731").lines]
    assert any(promise.words in line for line in lines) and promise.basis_words in lines

    # the scenario's own promise: catalog list --json and the kiosk's scenario button
    listed = {
        row["code"]: row for row in run_json(capsys, "catalog", "list", "--json")["scenarios"]
    }[code]
    whole = promise_for(scenario)
    assert listed["promised_days"] == whole.days and listed["promise"] == whole.to_dict()
    if promise.path_days == whole.path_days:  # the same path: the same basis
        assert listed["promise"]["basis"] == promise.basis
    assert promise.days <= whole.days
    window.station.go(f"find:text:{scenario.name}")
    QApplication.processEvents()
    button = window.findChild(QPushButton, f"scenario_{code}")
    assert button is not None and button.text().endswith(whole.words)


def test_the_promise_follows_the_catalogs_decision() -> None:
    """Where a built-in scenario's published figure is shorter than its items' path, its catalog
    recorded its decision: promise the chosen items' critical path, cite it. Where the published
    figure covers every item, the path is the promise, within the published figure."""
    for scenario in CATALOG.scenarios.values():
        whole = promise_for(scenario)
        assert whole.days == whole.path_days
        if whole.published_days is not None and whole.path_days == whole.published_days:
            assert whole.basis == "published" and not whole.decision
            assert whole.words == f"承诺 {whole.days} 个工作日办结"
            continue
        if whole.published_days is not None and whole.path_days < whole.published_days:
            assert whole.basis == "critical_path" and not whole.decision
            assert whole.words == f"视所办事项而定，最长 {whole.days} 个工作日"
            assert f"在指南公布的 {whole.published_days} 个工作日之内" in whole.basis_words
            continue
        assert whole.basis == "decision" and whole.decision
        assert whole.published_days is not None and whole.published_days < whole.days
        assert whole.words == f"视所办事项而定，最长 {whole.days} 个工作日"
        assert f"指南公布的 {whole.published_days} 个工作日仅作参考" in whole.basis_words
    assert {c: promise_for(s).days for c, s in CATALOG.scenarios.items()} == {
        "43PCN0009": 45,
        "43PCN0013": 50,
        "43PCP0008": 35,
        "43TCN0003": 10,
        "43PCC0001": 10,
        "43PCN0010": 30,
        "43PCN0011": 35,
        "43TCN0001": 18,
        "43TCN0002": 10,
        "43TCP0014": 30,
        "43TCN0007": 5,
        "43TCN0006": 3,
        "43PCN0012": 37,
        "43TCN0004": 5,
    }  # the longest path of each scenario's items (43TCP0014 publishes 60: a ceiling)
