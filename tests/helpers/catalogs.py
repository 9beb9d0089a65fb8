"""Small catalogs a test writes itself: the minimal scenario every checker and loader test varies,
and a catalog folder beside the built-in ``_catalog.yaml``."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

from app.catalog.catalog import Catalog
from app.catalog.loader import builtin_catalog_dir

# Two questions (the second shown by the first), two items in series (the second chosen by the
# answers), one material for both, one form field.
MINIMAL = """\
code: 99TEST0001
name: 测试一件事
audience: personal
life_stage: 生活
lead_department: 测试局
questions:
  - id: q1
    text: 第一问
    options: [{value: "yes", label: 是}, {value: "no", label: 否}]
  - id: q2
    text: 第二问
    show_when: {answer: q1, equals: "yes"}
    options: [{value: a, label: 甲}, {value: b, label: 乙}]
items:
  - {id: first, name: 第一项, department: 甲局, promised_days: 3}
  - {id: second, name: 第二项, department: 乙局, promised_days: 4, needs: [first], when: {answer: q2, equals: a}}
materials:
  - {id: m1, name: 材料一, items: [first, second]}
fields:
  - {key: applicant.name, items: [first]}
"""


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    """``text`` with each ``old`` replaced by ``new``; an ``old`` that is not there is an error,
    so a variant cannot silently stop differing from the text it varies."""
    for old, new in pairs:
        if old not in text:
            raise ValueError(f"not in the text: {old!r}")
        text = text.replace(old, new)
    return text


def catalog_folder(folder: Path, *scenarios: str, names: tuple[str, ...] = ()) -> Path:
    """``folder`` with the built-in ``_catalog.yaml`` and the given scenario files."""
    folder.mkdir(exist_ok=True)
    shutil.copy(builtin_catalog_dir() / "_catalog.yaml", folder / "_catalog.yaml")
    for index, content in enumerate(scenarios):
        name = names[index] if index < len(names) else f"s{index}.yaml"
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def tolerable_catalog(catalog: Catalog, **missed: Any) -> Catalog:
    """The built-in catalog with 费用清单 of 新生儿出生一件事 tolerable (容缺): no built-in guide
    names a tolerable material, a hall's own catalog may. ``missed="remind"``: what the catalog
    says of a deadline missed."""
    return with_exemption(catalog, "费用清单", tolerable_missing=True, **missed)


def committed_catalog(catalog: Catalog, **changes: Any) -> Catalog:
    """The built-in catalog with 新生儿出生一件事's 结婚证 replaceable by the applicant's
    commitment (证明事项告知承诺制), as an area's own list of such proofs may say."""
    return with_exemption(catalog, "中华人民共和国结婚证", commitment=True, **changes)


def with_exemption(catalog: Catalog, name: str, **changes: Any) -> Catalog:
    code = "43PCN0009"
    scenario = catalog.scenarios[code]
    materials = tuple(
        m.model_copy(update={"exemption": m.exemption.model_copy(update=changes)})
        if m.name == name
        else m
        for m in scenario.materials
    )
    assert materials != scenario.materials, name
    changed = scenario.model_copy(update={"materials": materials})
    return dataclasses.replace(catalog, scenarios={**catalog.scenarios, code: changed})
