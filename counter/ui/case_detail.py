"""One case at a glance: its facts beside tabs of the items with the departments' decisions,
the materials, and the trail (audit entries with the clerks' names)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QWidget

from app.cases.snapshots import CaseView, ItemView, MaterialView, TimelineEntry
from app.widgets.rows import CellsModel, read_only_table
from counter.case_lookup import (
    case_facts,
    item_cells,
    material_cells,
    names_of,
    shown_materials,
    trail_cells,
)

ITEM_HEADERS = ("事项", "办理部门", "状态", "部门办理结果", "办结时间")
MATERIAL_HEADERS = ("材料", "状态", "收取时间", "退还时间")
TRAIL_HEADERS = ("时间", "经办人", "终端", "操作", "内容")


class CaseDetail(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: dict[str, str] = {}
        self.items = CellsModel[ItemView](ITEM_HEADERS, item_cells, self)
        self.materials = CellsModel[MaterialView](MATERIAL_HEADERS, material_cells, self)
        self.trail = CellsModel[TimelineEntry](TRAIL_HEADERS, self._trail_cells, self)
        self.facts = QLabel("在上方列表中选择一件办件。")
        self.facts.setObjectName("case_facts")
        self.facts.setWordWrap(True)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setMinimumWidth(300)
        self.facts.setMaximumWidth(380)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("case_tabs")
        self.tabs.addTab(read_only_table("item_table", self.items, 3), "事项与部门结果")
        self.tabs.addTab(read_only_table("material_table", self.materials, 0), "材料")
        self.trail_table = read_only_table("trail_table", self.trail, 4)
        self.tabs.addTab(self.trail_table, "办理过程")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.facts)
        row.addWidget(self.tabs, 1)

    def show_case(self, case: CaseView | None, trail: list[TimelineEntry]) -> None:
        """Show ``case`` (None: nothing) with its trail, the latest step in view."""
        self._names = names_of(case) if case else {}
        self.items.set_rows(list(case.items) if case else [])
        self.materials.set_rows(shown_materials(case) if case else [])
        self.trail.set_rows(trail)
        self.trail_table.scrollToBottom()
        if case is None:
            self.facts.setText("")
            return
        lines = "".join(
            f"<tr><td><b>{escape(label)}</b>　</td><td>{escape(value)}</td></tr>"
            for label, value in case_facts(case)
        )
        self.facts.setText(f"<h3>{escape(case.receipt_no)}</h3><table>{lines}</table>")

    def _trail_cells(self, entry: TimelineEntry) -> tuple[str, ...]:
        return trail_cells(entry, self._names)
