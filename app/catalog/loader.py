"""Read catalog files: YAML → validated models, every problem with its file, scenario and place.

YAML is composed into nodes first so that each value keeps its line number; pydantic's error
locations are then mapped back onto those lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalog.base import BaseScenario
from app.catalog.base_files import SUFFIX as BASE_SUFFIX
from app.catalog.models import CatalogMeta, Scenario
from app.catalog.overlay import (
    OVERLAY_SUFFIX,
    Composition,
    Overlay,
    compose,
    validation_findings,
)
from app.catalog.reading import MAX_FILE_BYTES, Refused, read_yaml
from app.validation_zh import reason_zh

META_FILE = "_catalog.yaml"
Loc = tuple[str | int, ...]


def builtin_catalog_dir() -> Path:
    return Path(str(files("resources") / "catalog"))


@dataclass(frozen=True)
class Problem:
    """One finding of the loader or the checker, ready to print for a catalog author."""

    severity: str  # "error" | "warning" | "settled"
    file: str
    scenario: str
    path: str
    message: str
    code: str = ""
    line: int | None = None

    def render(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        scenario = f" [{self.scenario}]" if self.scenario else ""
        place = f" {self.path}" if self.path else ""
        label = {"error": "错误", "warning": "警告", "settled": "已决定"}[self.severity]
        code = f" ({self.code})" if self.code else ""
        return f"{where}{scenario}{place}: {label}{code}：{self.message}"


@dataclass
class Document:
    """One parsed file: the plain data and the line of each place in it."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def path_of(self, loc: tuple[str | int, ...]) -> str:
        """How a place is named to the catalog's author."""
        return format_loc(loc)

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """The line of the deepest existing place along ``loc`` (pydantic may insert union tags)."""
        node: Any = self.data
        best: Loc = ()
        current: list[str | int] = []
        for step in loc:
            key: str | int = step
            in_dict = isinstance(node, dict) and key in node
            in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
            if in_dict or in_list:
                node = node[key]
            else:
                continue
            current.append(key)
            best = tuple(current)
        return self.lines.get(best)


@dataclass
class ComposedDocument(Document):
    """A scenario composed from a base and an overlay: places are named, and lines found, in the
    overlay wherever the overlay wrote them."""

    composition: Composition | None = None

    def _origin(self, loc: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        return self.composition.overlay_loc(loc) if self.composition else None

    def path_of(self, loc: tuple[str | int, ...]) -> str:
        origin = self._origin(loc)
        if origin is not None:
            return format_loc(origin)
        if len(loc) >= 2 and loc[0] in ("items", "materials") and isinstance(loc[1], int):
            parts = self.data.get(str(loc[0]), []) if isinstance(self.data, dict) else []
            if loc[1] < len(parts) and isinstance(parts[loc[1]], dict):
                ident = parts[loc[1]].get("id", loc[1])
                return format_loc((loc[0], str(ident), *loc[2:])) + "（来自指南）"
        return format_loc(loc) + ("（来自指南）" if loc else "")


def format_loc(loc: Iterable[str | int]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def parse(path: Path, label: str) -> tuple[Document | None, list[Problem]]:
    try:
        parsed = read_yaml(path)
    except Refused as exc:
        return None, [Problem("error", label, "", "", exc.message, line=exc.line)]
    if parsed is None:
        return None, [Problem("error", label, "", "", "文件是空的")]
    doc = Document(path, parsed.data, parsed.lines)
    problems = [
        Problem("error", label, "", format_loc(loc), f"键“{key}”重复出现", line=doc.lines.get(loc))
        for loc, key in parsed.duplicates
    ]
    return doc, problems


def _digest_of(path: Path) -> bytes:
    """The bytes for the catalog's digest; a file over the bound is refused by :func:`parse`."""
    try:
        with path.open("rb") as stream:
            return stream.read(MAX_FILE_BYTES + 1)
    except OSError:
        return b""


_PYDANTIC_ZH = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的键（拼写错误？）",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "literal_error": "取值不在允许范围内",
    "too_short": "条目太少",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不符",
    "greater_than_equal": "不能为负数",
    "tuple_type": "应为列表",
    "dict_type": "应为键值对",
    "model_type": "应为键值对",
}


def validation_problems(
    exc: ValidationError, doc: Document, label: str, scenario: str
) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        message = _PYDANTIC_ZH.get(err["type"]) or reason_zh(err)
        if err["type"] == "literal_error":
            message += f"（可选：{err.get('ctx', {}).get('expected', '')}）"
        got = err.get("input")
        if err["type"] not in {"missing"} and isinstance(got, str | int | float):
            message += f"，实际为“{got}”"
        problems.append(
            Problem("error", label, scenario, format_loc(loc), message, line=doc.line_of(loc))
        )
    return problems


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    label: str
    document: Document


@dataclass(frozen=True)
class LoadResult:
    meta: CatalogMeta | None
    meta_label: str
    scenarios: tuple[LoadedScenario, ...]
    problems: tuple[Problem, ...]
    digest: str


def load_dir(directory: Path | None = None) -> LoadResult:
    """Read ``_catalog.yaml`` and every ``*.yaml`` scenario file of a catalog folder."""
    root = directory or builtin_catalog_dir()
    problems: list[Problem] = []
    digest = hashlib.sha256()
    if not root.is_dir():
        missing = Problem("error", str(root), "", "", "目录不存在：请给出目录所在的文件夹")
        return LoadResult(None, str(root), (), (missing,), "")

    def label_of(path: Path) -> str:
        return str(path) if directory is not None else f"resources/catalog/{path.name}"

    meta: CatalogMeta | None = None
    meta_path = root / META_FILE
    meta_label = label_of(meta_path)
    if meta_path.exists():
        doc, found = parse(meta_path, meta_label)
        problems += found
        digest.update(_digest_of(meta_path))
        if doc is not None:
            try:
                meta = CatalogMeta.model_validate(doc.data)
            except ValidationError as exc:
                problems += validation_problems(exc, doc, meta_label, "")
    else:
        problems.append(Problem("error", meta_label, "", "", "缺少目录文件 _catalog.yaml"))

    loaded: list[LoadedScenario] = []
    bases: dict[str, Path] = {}
    overlays: list[Path] = []
    for path in sorted(root.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        label = label_of(path)
        digest.update(path.name.encode() + b"\0" + _digest_of(path))
        if path.name.endswith(BASE_SUFFIX):
            bases[path.name] = path
            continue
        if path.name.endswith(OVERLAY_SUFFIX):
            overlays.append(path)
            continue
        typed, found = _load_typed(path, label)
        problems += found
        if typed is not None:
            loaded.append(typed)
    used: set[str] = set()
    for path in overlays:
        scenario_loaded, found, base_name = _load_overlay(path, bases, label_of)
        problems += found
        if base_name:
            used.add(base_name)
        if scenario_loaded is not None:
            loaded.append(scenario_loaded)
    for name in sorted(set(bases) - used):
        problems.append(
            Problem(
                "warning",
                label_of(bases[name]),
                "",
                "",
                "已导入的指南没有叠加文件，不会出现在目录中：请写叠加文件"
                f"（{name.removesuffix(BASE_SUFFIX)}{OVERLAY_SUFFIX}），说明问卷、事项部门与材料用途",
                "W-BASE-UNUSED",
            )
        )
    loaded.sort(key=lambda s: Path(s.label).name)
    return LoadResult(meta, meta_label, tuple(loaded), tuple(problems), digest.hexdigest())


def _load_typed(path: Path, label: str) -> tuple[LoadedScenario | None, list[Problem]]:
    """A scenario typed whole in one file."""
    doc, problems = parse(path, label)
    if doc is None:
        return None, problems
    code = str(doc.data.get("code", "")) if isinstance(doc.data, dict) else ""
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + validation_problems(exc, doc, label, code)
    return LoadedScenario(scenario, label, doc), problems


def _load_overlay(
    path: Path, bases: dict[str, Path], label_of: Callable[[Path], str]
) -> tuple[LoadedScenario | None, list[Problem], str]:
    """A scenario from an overlay and the base it names, or the problems that stop it."""
    label = label_of(path)
    doc, problems = parse(path, label)
    if doc is None:
        return None, problems, ""
    try:
        overlay = Overlay.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + validation_problems(exc, doc, label, ""), ""
    base_path = bases.get(overlay.base)
    if base_path is None:
        problems.append(
            Problem(
                "error",
                label,
                "",
                "base",
                f"基础事项文件“{overlay.base}”不在同一文件夹中：请先用 onestop catalog import "
                "导入该指南，或改正文件名",
                line=doc.line_of(("base",)),
            )
        )
        return None, problems, ""
    base_label = label_of(base_path)
    base_doc, found = parse(base_path, base_label)
    problems += found
    if base_doc is None:
        return None, problems, overlay.base
    try:
        base = BaseScenario.model_validate(base_doc.data)
    except ValidationError as exc:
        problems += validation_problems(exc, base_doc, base_label, "")
        problems.append(
            Problem(
                "error",
                base_label,
                "",
                "",
                "基础事项文件不应手工修改：请用 onestop catalog import 重新导入指南",
            )
        )
        return None, problems, overlay.base
    composition = compose(base, overlay)
    code = str(composition.data.get("code", ""))
    findings = composition.findings
    scenario: Scenario | None = None
    if not any(f.severity == "error" for f in findings):
        try:
            scenario = Scenario.model_validate(composition.data)
        except ValidationError as exc:
            findings = findings + validation_findings(exc, composition)
    for finding in findings:
        problems.append(
            Problem(
                finding.severity,
                label,
                code,
                format_loc(finding.loc),
                finding.message,
                finding.code,
                doc.line_of(finding.loc),
            )
        )
    if scenario is None:
        return None, problems, overlay.base
    composed = ComposedDocument(
        path, composition.data, composition.lines(doc.lines), composition=composition
    )
    return LoadedScenario(scenario, label, composed), problems, overlay.base
