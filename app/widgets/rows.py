"""A table model over a list of plain data objects (STYLE 6): the rows, the headers, and one
method a subclass writes — what a cell shows; ``CellsModel`` when the cells are plain texts, and
``read_only_table`` to show one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex
FLAG_COLOUR = "#b00020"
T = TypeVar("T")


class RowsModel(QAbstractTableModel, Generic[T]):
    headers: Sequence[str] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[T] = []

    def set_rows(self, rows: list[T]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.cell(self.rows[index.row()], index.column(), role)

    def cell(self, row: T, column: int, role: int) -> object:
        """What ``row`` shows in ``column`` for ``role`` (None: nothing)."""
        raise NotImplementedError


class CellsModel(RowsModel[T]):
    """Rows of plain data, each shown as the texts ``cells`` gives."""

    def __init__(
        self,
        headers: Sequence[str],
        cells: Callable[[T], tuple[str, ...]],
        parent: QObject | None = None,
        *,
        flagged: Callable[[T], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self.cells = cells
        self.flagged = flagged  # rows shown in red (overdue, refused)

    def cell(self, row: T, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.ForegroundRole and self.flagged and self.flagged(row):
            return QColor(FLAG_COLOUR)
        return None

    def replace(self, number: int, row: T) -> None:
        self.rows[number] = row
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.headers) - 1))


def read_only_table(name: str, model: QAbstractTableModel, stretch: int) -> QTableView:
    """A table of whole rows, one chosen at a time, columns fitted and ``stretch`` taking the
    rest of the width."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    rows = table.verticalHeader()
    rows.setVisible(False)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table
