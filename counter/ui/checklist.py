"""Step 5 — the materials checklist (GB/T 45836 §7.3): each material of the plan with its status,
its review points (形式/实质审核要点) as tick boxes, and its pages — taken with the document camera
(F6) or chosen from files, turned, deleted, and saved as one PDF per material.

Keys: Up/Down choose a material, Ctrl+1 original, Ctrl+2 copy, Ctrl+Shift+A all received,
F6 capture, Ctrl+S save the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cases.intake import MaterialCheck
from app.cases.states import RECEIVED
from app.cases.views import CaseView, MaterialView
from app.devices.pages import page_from_file, pages_to_pdf, rotate
from app.devices.protocols import DeviceError, Page
from app.guide.plan import FORM_LABELS, PlanMaterial
from app.widgets.rows import RowsModel
from counter.ui.desk import Desk, Screen

HEADERS = ("材料名称", "要求", "状态")
ACTIVE = ("submit", "tolerable", "commitment")
COLOURS = {"missing": "#b00020", "exempt": "#555555", "on_commitment": "#8a5a00"}


class MaterialModel(RowsModel[MaterialView]):
    headers = HEADERS

    @property
    def materials(self) -> list[MaterialView]:
        return self.rows

    def cell(self, material: MaterialView, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                scans = sum(s.pages for s in material.scans)
                return material.name + (f"（扫描 {scans} 页）" if scans else "")
            if column == 1:
                if material.plan_status not in ACTIVE:
                    return "无需提交"
                return f"{FORM_LABELS.get(material.form, material.form)} {material.copies} 份"
            reason = f"：{material.exempt_reason}" if material.exempt_reason else ""
            return material.status_label + reason
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = "#1b5e20" if material.status in RECEIVED else COLOURS.get(material.status)
            return QBrush(QColor(colour)) if colour else None
        return None


class MaterialsScreen(Screen):
    title = "材料"
    changed = Signal()

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.plan: dict[str, PlanMaterial] = {}
        self.pages: list[Page] = []
        self.model = MaterialModel(self)
        self.table = QTableView()
        self.table.setObjectName("materials_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.all_button = QPushButton("全部收齐 (Ctrl+Shift+A)")
        self.all_button.setObjectName("receive_all")
        self.all_button.clicked.connect(self.receive_all)
        self.count = QLabel("")
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.all_button)
        left.addLayout(row)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(self._detail(), 2)
        for keys, action in (("Ctrl+1", lambda: self.record("received_original")),
                             ("Ctrl+2", lambda: self.record("received_copy")),
                             ("Ctrl+Shift+A", self.receive_all), ("F6", self.capture),
                             ("Ctrl+S", self.save_pages)):  # fmt: skip
            QShortcut(QKeySequence(keys), self, action)

    def _detail(self) -> QVBoxLayout:
        self.heading = QLabel("")
        self.heading.setObjectName("material_heading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight:bold;")
        self.review_box = QGroupBox("审核要点（逐项核对后勾选）")
        self.review_layout = QVBoxLayout(self.review_box)
        self.review: list[QCheckBox] = []
        buttons = QHBoxLayout()
        self.original = QPushButton("收到原件 (Ctrl+1)")
        self.original.setObjectName("received_original")
        self.original.clicked.connect(lambda: self.record("received_original"))
        self.copy = QPushButton("收到复印件 (Ctrl+2)")
        self.copy.setObjectName("received_copy")
        self.copy.clicked.connect(lambda: self.record("received_copy"))
        self.missing = QPushButton("缺")
        self.missing.setObjectName("missing")
        self.missing.clicked.connect(lambda: self.record("missing"))
        for button in (self.original, self.copy, self.missing):
            buttons.addWidget(button)
        exempt = QHBoxLayout()
        self.exempt_reason = QLineEdit()
        self.exempt_reason.setObjectName("exempt_reason")
        self.exempt_reason.setPlaceholderText("免提交的理由（如：已核验电子证照）")
        self.exempt = QPushButton("免提交")
        self.exempt.setObjectName("exempt")
        self.exempt.clicked.connect(lambda: self.record("exempt"))
        exempt.addWidget(self.exempt_reason, 1)
        exempt.addWidget(self.exempt)
        capture_box = self._capture()
        column = QVBoxLayout()
        column.addWidget(self.heading)
        column.addWidget(self.review_box)
        column.addLayout(buttons)
        column.addLayout(exempt)
        column.addWidget(capture_box)
        column.addStretch(1)
        return column

    def _capture(self) -> QGroupBox:
        capture_box = QGroupBox("扫描件")
        capture = QVBoxLayout(capture_box)
        self.thumbs = QListWidget()
        self.thumbs.setObjectName("pages")
        self.thumbs.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbs.setIconSize(QSize(90, 127))
        self.thumbs.setFixedHeight(160)
        self.thumbs.setMovement(QListWidget.Movement.Static)
        tools = QHBoxLayout()
        for text, name, action in (
            ("拍摄 (F6)", "capture", self.capture),
            ("选择文件…", "choose_files", self.choose_files),
            ("左转", "rotate_left", lambda: self.turn(-90)),
            ("右转", "rotate_right", lambda: self.turn(90)),
            ("删除页", "delete_page", self.delete_page),
            ("保存 (Ctrl+S)", "save_pages", self.save_pages),
        ):  # fmt: skip
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(action)
            tools.addWidget(button)
        self.saved = QLabel("")
        self.saved.setObjectName("saved_scans")
        self.saved.setWordWrap(True)
        capture.addWidget(self.thumbs)
        capture.addLayout(tools)
        capture.addWidget(self.saved)
        return capture_box

    # -- showing ----------------------------------------------------------------------------------
    def enter(self) -> None:
        try:
            self.plan = {m.id: m for m in self.flow.plan().materials}
        except Exception as exc:  # a vanished catalog version: the case's own view still shows
            self.plan = {}
            self.desk.bar.show_exception(exc)
        self._show_case(select=True)

    def _show_case(self, *, select: bool = False) -> None:
        case = self.flow.case
        row = max(self.table.currentIndex().row(), 0)
        self.model.set_rows(list(case.materials) if case else [])
        if case is not None:
            active = [m for m in case.materials if m.plan_status in ACTIVE]
            done = [m for m in active if m.status != "missing"]
            self.count.setText(f"需核对 {len(active)} 种，已处理 {len(done)} 种")
            if select:
                missing = [i for i, m in enumerate(case.materials)
                           if m.plan_status in ACTIVE and m.status == "missing"]  # fmt: skip
                row = missing[0] if missing else 0
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))
            self.table.setFocus()
        self._show_selected()

    def selected(self) -> MaterialView | None:
        row = self.table.currentIndex().row()
        return self.model.materials[row] if 0 <= row < len(self.model.materials) else None

    def _show_selected(self) -> None:
        material = self.selected()
        for box in self.review:
            self.review_layout.removeWidget(box)
            box.deleteLater()
        self.review = []
        self.pages = []
        self.thumbs.clear()
        if material is None:
            self.heading.setText("")
            return
        plan = self.plan.get(material.material_id)
        active = material.plan_status in ACTIVE
        notes = f"\n{plan.notes}" if plan and plan.notes else ""
        why = f"\n{plan.reason}" if plan and plan.reason else ""
        self.heading.setText(f"{material.name}{why}{notes}")
        points = [("形式", p) for p in (plan.formal_review if plan else ())]
        points += [("实质", p) for p in (plan.substantive_review if plan else ())]
        for kind, point in points:
            box = QCheckBox(f"【{kind}】{point}")
            box.setChecked(point in material.reviewed)
            box.setEnabled(active)
            self.review.append(box)
            self.review_layout.addWidget(box)
        self.review_box.setVisible(bool(points))
        for button in (self.original, self.copy, self.missing, self.exempt):
            button.setEnabled(active)
        self.saved.setText("\n".join(f"已保存：{s.file_name}（{s.pages} 页）"
                                     for s in material.scans))  # fmt: skip

    # -- recording --------------------------------------------------------------------------------
    def record(self, status: str) -> None:
        material = self.selected()
        if material is None or material.plan_status not in ACTIVE:
            return
        reviewed = tuple(b.text().split("】", 1)[1] for b in self.review if b.isChecked())
        check = MaterialCheck(material.material_id, status, reviewed, self.exempt_reason.text())
        self._run(lambda: self.flow.receive([check]), f"已登记：{material.name}")

    def receive_all(self) -> None:
        material = self.selected()
        reviewed: dict[str, tuple[str, ...]] = {}
        if material is not None:
            reviewed[material.material_id] = tuple(
                b.text().split("】", 1)[1] for b in self.review if b.isChecked()
            )
        self._run(lambda: self.flow.receive_all(reviewed), "全部材料已登记为收到原件。")

    def _run(self, work: Callable[[], CaseView], message: str) -> None:
        def done(_: CaseView) -> None:
            self.desk.bar.info(message)
            self._show_case()
            self._next_missing()
            self.changed.emit()

        self.desk.work.run(work, done=done, label="登记材料")

    def _next_missing(self) -> None:
        case = self.flow.case
        if case is None:
            return
        for row, material in enumerate(case.materials):
            if material.plan_status in ACTIVE and material.status == "missing":
                self.table.selectRow(row)
                return

    # -- pages ------------------------------------------------------------------------------------
    def capture(self) -> None:
        device = self.desk.session.devices.capture
        if device is None:
            self.desk.bar.error("本窗口没有连接高拍仪或扫描仪：请用“选择文件…”添加扫描好的文件。")
            return

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DeviceError):
                self.desk.bar.error(f"{exc.message}{exc.fallback}")
            else:
                self.desk.bar.show_exception(exc)

        self.desk.devices.run(device.capture, done=self.add_page, failed=failed, label="拍摄")

    def add_page(self, page: Page) -> None:
        self.pages.append(page)
        self._show_pages()

    def choose_files(self) -> None:
        kinds = "图片 (*.png *.jpg *.jpeg *.tif *.tiff)"
        paths, _ = QFileDialog.getOpenFileNames(self, "选择扫描件", "", kinds)
        self.add_files([Path(p) for p in paths])

    def add_files(self, paths: list[Path]) -> None:
        refused: list[BaseException] = []
        for path in paths:
            try:
                self.pages.append(page_from_file(path))
            except Exception as exc:  # an unreadable file: said, the others still taken
                refused.append(exc)
        self._show_pages()
        if refused:
            self.desk.bar.show_exception(refused[0])

    def _show_pages(self) -> None:
        current = self.thumbs.currentRow()
        self.thumbs.clear()
        for number, page in enumerate(self.pages, start=1):
            pixmap = QPixmap()
            pixmap.loadFromData(page.png)
            small = pixmap.scaled(QSize(90, 127), Qt.AspectRatioMode.KeepAspectRatio)
            item = QListWidgetItem(QIcon(small), f"第{number}页")
            self.thumbs.addItem(item)
        if self.pages:
            self.thumbs.setCurrentRow(min(max(current, 0), len(self.pages) - 1))
        self.desk.bar.info(f"已有 {len(self.pages)} 页未保存；按 Ctrl+S 保存为扫描件。")

    def turn(self, degrees: int) -> None:
        row = self.thumbs.currentRow()
        if 0 <= row < len(self.pages):
            self.pages[row] = rotate(self.pages[row], degrees)
            self._show_pages()

    def delete_page(self) -> None:
        row = self.thumbs.currentRow()
        if 0 <= row < len(self.pages):
            del self.pages[row]
            self._show_pages()

    def save_pages(self) -> None:
        material, case = self.selected(), self.flow.case
        if material is None or case is None:
            return
        pages = list(self.pages)
        core, actor = self.desk.session.core, self.desk.session.actor
        name = f"{material.name}.pdf"

        def work() -> CaseView:
            pdf = pages_to_pdf(pages)
            saved = core.cases.attach_scan(actor, case.receipt_no, material.material_id, pdf,
                                           file_name=name, pages=len(pages))  # fmt: skip
            self.flow.case = saved
            return saved

        self._run(work, f"已保存扫描件：{name}（{len(pages)} 页）")
