"""Read catalog files: YAML → validated models, every problem with its file, scenario and place.

YAML is composed into nodes first so that each value keeps its line number; pydantic's error
locations are then mapped back onto those lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalog.models import CatalogMeta, Scenario
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
    for path in sorted(root.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        label = label_of(path)
        digest.update(path.name.encode() + b"\0" + _digest_of(path))
        doc, found = parse(path, label)
        problems += found
        if doc is None:
            continue
        code = str(doc.data.get("code", "")) if isinstance(doc.data, dict) else ""
        try:
            scenario = Scenario.model_validate(doc.data)
        except ValidationError as exc:
            problems += validation_problems(exc, doc, label, code)
            continue
        loaded.append(LoadedScenario(scenario, label, doc))
    return LoadResult(meta, meta_label, tuple(loaded), tuple(problems), digest.hexdigest())
