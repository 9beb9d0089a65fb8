"""The catalog versions a terminal holds for its cases: new cases use the current one (the newest
the platform published); a case keeps the version it was guided under while the terminal has it.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.cases.snapshots import CaseView
from app.catalog.catalog import Catalog
from app.db.models import CaseRow
from app.errors import CatalogVersionGone
from app.guide.engine import Planner


class CaseCatalogs:
    def __init__(self, current: Catalog, older: Sequence[Catalog] = ()) -> None:
        self.current = current
        self._catalogs = {c.meta.version: c for c in (*older, current)}
        # One engine per catalog version: it compiles each scenario once, not on every call.
        self._guides = {version: Planner(c) for version, c in self._catalogs.items()}

    def get(self, version: str) -> Catalog | None:
        """The catalog a case was guided under, if this terminal still has it."""
        return self._catalogs.get(version)

    def planner(self, version: str) -> Planner:
        return self._guides[version]

    def use(self, catalog: Catalog) -> None:
        """New cases use ``catalog`` from now on (a version published by the platform); cases
        started under an earlier version keep it. Call it between cases."""
        if catalog.version not in self._catalogs:
            self._catalogs[catalog.version] = catalog
            self._guides[catalog.version] = Planner(catalog)
        self.current = self._catalogs[catalog.version]

    def gone(self, case: CaseRow | CaseView) -> CatalogVersionGone:
        return CatalogVersionGone(
            f"办件 {case.receipt_no} 是按事项目录 {case.catalog_version} 版引导的，"
            f"本终端已没有该版本（当前为 {self.current.meta.version} 版）。",
            hint="请按当前目录重新回答问卷、核对材料后再受理。",
        )
