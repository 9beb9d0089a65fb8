"""Questionnaire engine benchmarks: catalog load + check (and its read and check halves), one plan
after an answer change, ID checks per second, and the import of the largest platform guide into a
base scenario (issue 24)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn.ric import calc_check_digit

from app.catalog.base_files import base_file_name, base_yaml
from app.catalog.catalog import load_catalog
from app.catalog.changes import changes
from app.catalog.checker import check
from app.catalog.importer import import_guide
from app.catalog.loader import builtin_catalog_dir, load_dir
from app.catalog.models import Scenario
from app.catalog.overlay import Overlay, compose, overlay_file_name
from app.guide.engine import Planner
from app.identity.resident_id import parse_resident_id

GOALS = {
    "catalog_load_check_ms": ("<", 300.0),
    "plan_after_change_ms": ("<", 1.0),
    "id_checks_per_s": (">", 100_000.0),
    "import_ms": ("<", 200.0),
    "reimport_diff_ms": ("<", 200.0),
}
REIMPORTED = "43PCP0008-430101000000.json"  # a built-in with its overlay, 14 items
GUIDES = Path(__file__).resolve().parents[1] / "fixtures" / "guides"


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        action()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples)


def _size(scenario: Scenario) -> int:
    return (
        len(scenario.items)
        + len(scenario.materials)
        + len(scenario.fields)
        + len(scenario.questions)
    )


def _answer_pairs(scenario: Scenario) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two complete answer sets that differ in one question that changes the plan."""
    base: dict[str, Any] = {}
    for question in scenario.questions:
        option = next(o for o in question.options if o.stop is None)
        base[question.id] = [option.value] if question.kind == "multi" else option.value
    changed = dict(base)
    for question in reversed(scenario.questions):
        others = [o for o in question.options if o.stop is None and o.value != base[question.id]]
        if others and question.kind == "single":
            changed[question.id] = others[0].value
            break
    return base, changed


def _reimport() -> Callable[[], object]:
    """A re-import as the maintainer runs it, less the file writes: the newer guide imported,
    its changes against the base it replaces, and the overlay's entries checked against it.
    The newer guide renames one material, drops another and changes an item's days."""
    old_raw = (GUIDES / REIMPORTED).read_bytes()
    newer = json.loads(old_raw)
    materials = newer["data"]["materialList"]
    materials[0]["clmc"] += "（新版）"
    materials.pop()
    newer["data"]["approveList"][0]["cnsxsx"] = 99
    new_raw = json.dumps(newer, ensure_ascii=False).encode()
    old = import_guide(old_raw, REIMPORTED).base
    folder = builtin_catalog_dir()
    overlay_text = (folder / overlay_file_name(base_file_name(old))).read_text(encoding="utf-8")
    overlay = Overlay.model_validate(yaml.safe_load(overlay_text))

    def once() -> object:
        new = import_guide(new_raw, "newer.json").base
        found = changes(old, new)
        stale = [f for f in compose(new, overlay).findings if f.code.startswith("E-OVERLAY")]
        assert found and stale
        return found, stale

    return once


def run(quick: bool = False) -> dict[str, Any]:
    repeat = 3 if quick else 30
    catalog_ms = _median_ms(load_catalog, repeat)
    # its two halves, to see which one moved: reading (YAML, overlays composed, validated) and
    # the checker on what was read
    read_ms = _median_ms(load_dir, repeat)
    loaded = load_dir()
    check_ms = _median_ms(lambda: check(loaded), repeat)

    catalog = load_catalog()
    planner = Planner(catalog)
    largest = max(catalog.scenarios.values(), key=_size)
    first, second = _answer_pairs(largest)
    planner.plan(largest.code, first)  # compile the scenario's indexes once, as a running app does
    flip = [first, second]
    rounds = 50 if quick else 2000
    samples = []
    for n in range(rounds):
        answers = flip[n % 2]
        start = time.perf_counter_ns()
        planner.plan(largest.code, answers)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    plan_ms = statistics.median(samples)

    today = date(2026, 11, 23)
    numbers = []
    for n in range(2_000 if quick else 20_000):
        body = f"430104{1950 + n % 70:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        numbers.append(body + calc_check_digit(body + "0"))
    began = time.perf_counter()
    for number in numbers:
        parse_resident_id(number, today=today)
    rate = len(numbers) / (time.perf_counter() - began)

    largest_guide = max(GUIDES.glob("*.json"), key=lambda p: p.stat().st_size)
    raw = largest_guide.read_bytes()
    import_ms = _median_ms(lambda: base_yaml(import_guide(raw, largest_guide.name).base), repeat)

    reimport_ms = _median_ms(_reimport(), repeat)

    figures = {
        "catalog_load_check_ms": round(catalog_ms, 2),
        "catalog_read_ms": round(read_ms, 2),
        "catalog_check_ms": round(check_ms, 2),
        "plan_after_change_ms": round(plan_ms, 4),
        "id_checks_per_s": round(rate),
        "import_ms": round(import_ms, 2),
        "reimport_diff_ms": round(reimport_ms, 2),
    }
    met = {
        key: (figures[key] < goal if op == "<" else figures[key] > goal)
        for key, (op, goal) in GOALS.items()
    }
    return {
        "benchmark": "guide",
        "largest_scenario": f"{largest.code} {largest.name}",
        "scenarios": len(catalog.scenarios),
        "largest_guide": largest_guide.name,
        "figures": figures,
        "goals": {k: f"{op} {goal:g}" for k, (op, goal) in GOALS.items()},
        "met": met,
    }
