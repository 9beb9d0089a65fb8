"""The loaded catalog: its version, its scenarios, and lookups by code or name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.catalog.loader import LoadResult, Problem, load_dir
from app.catalog.models import CatalogMeta, FactSpec, FieldSpec, FieldType, FormField, Scenario
from app.errors import CatalogError, UnknownScenario


@dataclass(frozen=True)
class ResolvedField:
    """A form field with the field dictionary's defaults filled in."""

    key: str
    label: str
    type: FieldType
    options: tuple[str, ...]
    required: bool
    max_length: int | None
    source: FormField
    prefill_source: str
    prefill_key: str


@dataclass(frozen=True)
class Catalog:
    meta: CatalogMeta
    scenarios: Mapping[str, Scenario]
    files: Mapping[str, str]
    digest: str
    field_index: Mapping[str, FieldSpec]
    fact_index: Mapping[str, FactSpec]

    @property
    def version(self) -> str:
        return self.meta.version

    def field_spec(self, key: str) -> FieldSpec | None:
        return self.field_index.get(key)

    def fact_spec(self, key: str) -> FactSpec | None:
        return self.fact_index.get(key)

    def resolve_field(self, field: FormField) -> ResolvedField:
        spec = self.field_spec(field.key)
        prefill = field.prefill or (spec.prefill if spec else None)
        return ResolvedField(
            key=field.key,
            label=field.label or (spec.label if spec else field.key),
            type=field.type or (spec.type if spec else "text"),
            options=field.options or (spec.options if spec else ()),
            required=field.required,
            max_length=spec.max_length if spec else None,
            source=field,
            prefill_source=prefill.source if prefill else "",
            prefill_key=prefill.key if prefill else "",
        )

    def scenario(self, code_or_name: str) -> Scenario:
        """Find a scenario by code (``43PCN0009``) or by its exact Chinese name."""
        wanted = code_or_name.strip()
        found = self.scenarios.get(wanted.upper())
        if found is None:
            found = next((s for s in self.scenarios.values() if s.name == wanted), None)
        if found is None:
            known = "、".join(f"{s.code} {s.name}" for s in self.scenarios.values())
            raise UnknownScenario(
                f"没有找到一件事“{wanted}”。",
                hint=f"请用 onestop catalog list 查看；现有：{known}",
            )
        return found


def build(result: LoadResult) -> Catalog:
    """A catalog from a load result that has no errors."""
    if result.meta is None:
        raise CatalogError("目录文件 _catalog.yaml 无法读取。", hint="请运行 onestop catalog check")
    return Catalog(
        meta=result.meta,
        scenarios={s.scenario.code: s.scenario for s in result.scenarios},
        files={s.scenario.code: s.label for s in result.scenarios},
        digest=result.digest,
        field_index={f.key: f for f in result.meta.fields},
        fact_index={f.key: f for f in result.meta.facts},
    )


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and check a catalog; any error stops here with every problem listed."""
    from app.catalog.checker import check

    result = load_dir(directory)
    problems = list(result.problems)
    if not any(p.severity == "error" for p in problems):
        problems += check(result)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        listing = "\n".join(p.render() for p in errors[:20])
        more = f"\n……另有 {len(errors) - 20} 处" if len(errors) > 20 else ""
        raise CatalogError(
            f"事项目录有 {len(errors)} 处错误，无法使用：\n{listing}{more}",
            hint="请修正后用 onestop catalog check 复查。",
        )
    return build(result)


def problems_of(directory: Path | None = None) -> tuple[LoadResult, list[Problem]]:
    """Every problem of a catalog folder, for ``onestop catalog check``."""
    from app.catalog.checker import check

    result = load_dir(directory)
    problems = list(result.problems)
    if result.meta is not None:
        problems += check(result)
    return result, problems
