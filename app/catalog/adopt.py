"""Turn a hand-typed scenario into an overlay on an imported base (``onestop catalog adopt``).

A hall that typed its scenarios before it could import guides keeps its questionnaire and its
decisions: the overlay written here holds exactly what the typed file says beyond (or against)
the guide, so that base + overlay gives the typed scenario again. Everything the overlay then
overrides is a difference between the typed file and the guide, listed for the maintainer to
review — each is either a transcription slip (delete it from the overlay, the guide wins) or a
decision (keep it, with a ``local`` note saying why).

Parts are matched by the national material code, else by name; the typed file's ids are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from app.catalog.base import BaseScenario
from app.catalog.models import Scenario
from app.catalog.overlay import (
    OVERLAY_FORMAT,
    Overlay,
    _item_from_guide,
    _material_from_guide,
    _scenario_from_guide,
    compose,
)


@dataclass
class Adopted:
    overlay: dict[str, Any]
    overrides: list[str] = field(default_factory=list)  # "materials.t1000020.source: …"
    unmatched_guide: list[str] = field(default_factory=list)  # guide parts the file lacks
    extras: list[str] = field(default_factory=list)  # typed parts the guide lacks


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_defaults=True, by_alias=True)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "……"


def _differences(
    typed: dict[str, Any], from_guide: dict[str, Any], defaults: dict[str, Any]
) -> dict[str, Any]:
    """The keys whose typed value differs from what the guide composes to, ``id`` first, then in
    the order the typed file's model has them, and ``local`` last."""
    entry: dict[str, Any] = {}
    order = ["id", *typed, *(k for k in from_guide if k not in typed)]
    for key in sorted(order, key=lambda k: k == "local"):
        if key in entry or (key not in typed and key not in from_guide):
            continue
        theirs = from_guide.get(key, defaults.get(key))
        mine = typed[key] if key in typed else defaults.get(key, _empty(theirs))
        if mine != theirs:
            entry[key] = mine
    return entry


def adopt(scenario: Scenario, base: BaseScenario, base_name: str) -> Adopted:
    """An overlay that makes ``base`` compose to ``scenario`` (up to the guide's order)."""
    overlay: dict[str, Any] = {
        "format": OVERLAY_FORMAT,
        "base": base_name,
        "reviewed_guide": base.guide_sha256,
    }
    result = Adopted(overlay)
    overlay["scenario"] = _adopt_header(scenario, base, result)
    items, extra_items = _adopt_parts(ITEMS, scenario.items, base.items, result)
    overlay["items"] = items
    if extra_items:
        overlay["extra_items"] = extra_items
    materials, extra_materials = _adopt_parts(MATERIALS, scenario.materials, base.materials, result)
    overlay["materials"] = materials
    if extra_materials:
        overlay["extra_materials"] = extra_materials
    for part in ("named", "questions", "constraints", "fields"):
        values = [_dump(v) for v in getattr(scenario, part)]
        if values:
            overlay[part] = values
    guide_faq = {(f.question, f.answer or "") for f in base.faq}
    extra_faq = [_dump(f) for f in scenario.faq if (f.q, f.a) not in guide_faq]
    if extra_faq:
        overlay["faq"] = extra_faq
    decisions = [_dump(d) for d in scenario.decisions]
    if decisions:
        overlay["decisions"] = decisions
    compose(base, Overlay.model_validate(overlay))  # it must at least compose
    return result


def _adopt_header(scenario: Scenario, base: BaseScenario, result: Adopted) -> dict[str, Any]:
    typed = _dump(scenario)
    from_guide = _scenario_from_guide(base)
    entry: dict[str, Any] = {}
    for key in ("code", "name", "audience", "life_stage", "region", "source", "keywords"):
        if key in typed and typed[key] != from_guide.get(key):
            entry[key] = typed[key]
    for key in ("lead_department", "cooperating_departments", "promised_days", "reform", "local"):
        mine, theirs = typed.get(key), from_guide.get(key)
        if key == "reform":
            theirs = {side: figures for side, figures in (theirs or {}).items() if figures}
        if mine != theirs and (mine or theirs):
            entry[key] = mine
            if key != "local":
                result.overrides.append(f"scenario.{key}: {_short(theirs)} → {_short(mine)}")
    guide_typed, guide_base = typed.get("guide", {}), from_guide.get("guide", {})
    guide_entry = {k: v for k, v in guide_typed.items() if guide_base.get(k) != v}
    guide_entry.update({k: _empty(v) for k, v in guide_base.items() if k not in guide_typed})
    for key, value in guide_entry.items():
        result.overrides.append(
            f"scenario.guide.{key}: {_short(guide_base.get(key))} → {_short(value)}"
        )
    if guide_entry:
        entry["guide"] = guide_entry
    return entry


ITEM_DEFAULTS: dict[str, Any] = {
    "result": {"name": "", "kind": "document", "e_licence_type": ""},
    "fee": {},
    "needs": [],
    "legal_basis": [],
    "local": {},
}
MATERIAL_DEFAULTS: dict[str, Any] = {
    "exemption": {},
    "review": {},
    "legal_basis": [],
    "local": {},
    "required": True,
    "source": "applicant",
    "copies": 1,
    "form": "original",
    "medium": "paper_or_electronic",
}


Criterion = Callable[[Any, Any], bool]  # does this typed part correspond to this guide part


@dataclass(frozen=True)
class _Kind:
    """How one kind of part (items, materials) is matched and mapped."""

    section: str  # "items" | "materials"
    label: str  # 事项 | 材料
    criteria: tuple[Criterion, ...]  # tried in order: the first that finds a guide part wins
    from_guide: Callable[[Any], dict[str, Any]]
    defaults: dict[str, Any]


ITEMS = _Kind(
    "items",
    "事项",
    (
        lambda typed, guide: guide.name == typed.name,
        # a typed file may have named the item by its 联办事项名称
        lambda typed, guide: guide.service_name == typed.name,
    ),
    _item_from_guide,
    ITEM_DEFAULTS,
)
MATERIALS = _Kind(
    "materials",
    "材料",
    (
        lambda typed, guide: (
            bool(typed.platform_code)
            and guide.material_code == typed.platform_code
            or guide.name == typed.name
        ),
    ),
    lambda guide: _material_from_guide(guide)[0],
    MATERIAL_DEFAULTS,
)


def _adopt_parts(
    kind: _Kind, typed: Sequence[Any], guide: Sequence[Any], result: Adopted
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Each typed part against the guide part it matches: an entry of what it says otherwise,
    or an extra part when the guide has none; guide parts no typed part matched are omitted
    for review."""
    entries: dict[str, Any] = {}
    extras = []
    remaining = list(guide)
    for part in typed:
        match = next(
            (g for test in kind.criteria for g in remaining if test(part, g)),
            None,
        )
        if match is None:
            extras.append(_dump(part))
            result.extras.append(f"{kind.label} {part.id}（{part.name}）")
            continue
        remaining.remove(match)
        theirs = kind.from_guide(match)
        entry = _differences(_dump(part), theirs, kind.defaults)
        _note_overrides(result, f"{kind.section}.{match.key}", entry, theirs)
        entries[match.key] = entry
    for leftover in remaining:
        entries[leftover.key] = {"omit": f"本厅原目录未列此{kind.label}（待复核）"}
        result.unmatched_guide.append(f"{kind.label} {leftover.key}（{leftover.name}）")
    return entries, extras


OVERLAY_OWN = frozenset({"id", "items", "when", "needs", "local"})  # never in a guide


def _note_overrides(
    result: Adopted, where: str, entry: dict[str, Any], theirs: dict[str, Any]
) -> None:
    for key, value in entry.items():
        if key not in OVERLAY_OWN:
            before = _short(theirs[key]) if key in theirs else "（指南未写）"
            result.overrides.append(f"{where}.{key}: {before} → {_short(value)}")


def _empty(value: Any) -> Any:
    """The value that clears a guide value the typed file does not have."""
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {}
    return ""


class _Dumper(yaml.SafeDumper):
    """Short mappings and lists on one line (``{answer: x, equals: "yes"}``), the rest in blocks,
    lists indented under their key — the way the typed catalog files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _flat(value: Any) -> bool:
    leaves = value.values() if isinstance(value, dict) else value
    return all(not isinstance(v, dict | list) or (not v) for v in leaves)


def _represent_dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    short = _flat(value) and len(str(value)) <= 80
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=short)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    short = bool(value) and _flat(value) and len(str(value)) <= 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def overlay_yaml(overlay: dict[str, Any], title: str) -> str:
    header = (
        f"# {title} 叠加文件：本厅对省平台指南的补充与调整。\n"
        "# 键指向同一文件夹中基础事项文件里的事项与材料；写在这里的值代替指南的值。\n"
    )
    body = yaml.dump(overlay, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return header + body
