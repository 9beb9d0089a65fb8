"""Step 5 — the materials checklist (GB/T 45836 §7.3, step 7 of the clerk's flow): each material
of the plan with its requirement and status; for the one chosen, its review points (形式/实质审核
要点) as tick boxes, its status, and its pages — taken with the document camera or chosen from
files, turned, deleted and saved as one PDF. Unsaved pages stay with their material while the
clerk moves through the list.

Keys: Up/Down choose a material; Ctrl+1 original, Ctrl+2 copy, Ctrl+3 exempt, Ctrl+4 replaced by
the applicant's commitment (告知承诺制, where the catalog allows), Ctrl+0 missing, Ctrl+Shift+A all
received, Ctrl+Enter on to the decision; F6 capture, Ctrl+O choose files,
Ctrl+←/→ turn the page, Delete delete it, Ctrl+S save the pages, Ctrl+Shift+S save them and
record the original.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.cases.intake import MaterialCheck
from app.cases.pages import quality_record, scan_name, sheets_to_pdf
from app.cases.snapshots import CaseView, MaterialView
from app.cases.states import MATERIAL_STATE_LABELS, RECEIVED, allowed
from app.errors import OneStopError
from app.guide.plan import PlanMaterial, quantity_words
from app.widgets.rows import RowsModel, read_only_table
from counter.ui.scans import ScanPanel, keep
from counter.ui.station import Screen, Station

ACTIVE = ("submit", "tolerable", "commitment", "optional")  # handed in by the applicant
MARKS = {
    "missing": ("●", "#b00020"),
    "exempt": ("○", "#555555"),
    "on_commitment": ("△", "#8a5a00"),
    "committed": ("◇", "#0d47a1"),  # replaced by the applicant's commitment (告知承诺制)
}
MAX_POINTS_HEIGHT = 170  # more review points than fit scroll
Role = Qt.ItemDataRole


def actionable(material: MaterialView) -> bool:
    return material.plan_status in ACTIVE


def _mark(material: MaterialView) -> tuple[str, str]:
    if material.status in RECEIVED:
        return ("√", "#1b5e20")
    if material.plan_status == "optional":  # not brought is fine
        return ("○", "#555555")
    return MARKS.get(material.status, ("", ""))


def _wrap(text: str, width: int = 30) -> str:
    """Tick boxes do not wrap: long review points are cut into lines."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


class MaterialModel(RowsModel[MaterialView]):
    headers = ("材料名称", "要求", "状态")

    def cell(self, material: MaterialView, column: int, role: int) -> object:
        if role in (Role.DisplayRole, Role.ToolTipRole):
            return self.text(material, column)
        if role == Role.ForegroundRole:
            if not actionable(material):
                return QBrush(QColor("#777777"))
            return QBrush(QColor(_mark(material)[1])) if column == 2 else None
        return None

    @staticmethod
    def text(material: MaterialView, column: int) -> str:
        if column == 0:
            pages = sum(s.pages for s in material.scans)
            return material.name + (f"（已扫描 {pages} 页）" if pages else "")
        if column == 1:
            if not actionable(material):
                return "无需提交"
            wanted = quantity_words(material.form, material.copies)
            return f"可选：{wanted}" if material.plan_status == "optional" else wanted
        label, reason = material.status_label, material.exempt_reason
        shown = reason if reason.startswith(label) else f"{label}：{reason}" if reason else label
        return f"{_mark(material)[0]} {shown}".strip()


class MaterialsScreen(Screen):
    title = "材料"
    changed = Signal()  # the case changed: statuses or scans
    done = Signal()  # on to the decision

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.plan: dict[str, PlanMaterial] = {}
        self.receipt_no = ""  # the case the unsaved pages belong to
        self.review: list[QCheckBox] = []
        self.shown = ""  # the material whose review points are on screen
        self.model = MaterialModel(self)
        self.table = read_only_table("materials_table", self.model, 2)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.count = QLabel("")
        self.count.setObjectName("materials_count")
        self.count.setWordWrap(True)
        self.all_button = self._button("全部收齐 (Ctrl+Shift+A)", "receive_all", self.receive_all)
        self.next = self._button("下一步：受理决定 (Ctrl+Enter)", "materials_next", self.done.emit)
        self.next.setShortcut("Ctrl+Return")
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.all_button)
        row.addWidget(self.next)
        left.addLayout(row)
        right = QVBoxLayout()
        right.addLayout(self._detail())
        self.scans = ScanPanel(station)
        self.scans.save_button.clicked.connect(self.save_pages)
        self.scans.save_received.clicked.connect(self.receive_and_save)
        self.scans.stored.connect(self._stored)
        self.scans.pages_changed.connect(self._show_count)
        right.addWidget(self.scans)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 5)
        layout.addLayout(right, 6)
        self._keys()

    def _button(self, text: str, name: str, action: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(action)
        return button

    def _detail(self) -> QVBoxLayout:
        self.heading = QLabel("")
        self.heading.setObjectName("material_heading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size:15px; font-weight:bold;")
        self.about = QLabel("")
        self.about.setObjectName("material_about")
        self.about.setWordWrap(True)
        self.about.setStyleSheet("color:#444;")
        required = self.station.session.core.settings.counter.require_review_points
        self.formal = QGroupBox(
            "形式审核（本厅要求全部核对后才能收取）" if required else "形式审核（逐项核对后勾选）"
        )
        self.substantive = QGroupBox("实质审核")
        points = QWidget()
        column = QVBoxLayout(points)
        column.setContentsMargins(0, 0, 0, 0)
        for box in (self.formal, self.substantive):
            box.setLayout(QVBoxLayout())
            column.addWidget(box)
        column.addStretch(1)
        self.points = QScrollArea()
        self.points.setWidget(points)
        self.points.setWidgetResizable(True)
        self.points.setFrameShape(QScrollArea.Shape.NoFrame)
        self.original = self._button(
            "收到原件 (Ctrl+1)", "received_original", lambda: self.record("received_original")
        )
        self.copy = self._button(
            "收到复印件 (Ctrl+2)", "received_copy", lambda: self.record("received_copy")
        )
        self.both = self._button(
            "原件和复印件", "received_both", lambda: self.record("received_both")
        )
        self.missing = self._button("缺 (Ctrl+0)", "missing", lambda: self.record("missing"))
        self.committed = self._button(
            "告知承诺代替 (Ctrl+4)", "committed", lambda: self.record("committed")
        )
        self.committed.setToolTip(
            "证明事项告知承诺制：申请人书面承诺符合条件，以承诺代替该证明材料；"
            "受理后由部门在核查期限内核查。请打印告知承诺书由申请人签名。"
        )
        self.exempt = self._button("免提交 (Ctrl+3)", "exempt", lambda: self.record("exempt"))
        self.exempt_reason = QLineEdit()
        self.exempt_reason.setObjectName("exempt_reason")
        self.exempt_reason.returnPressed.connect(lambda: self.record("exempt"))
        statuses, exempt = QHBoxLayout(), QHBoxLayout()
        for button in (self.original, self.copy, self.both, self.committed, self.missing):
            statuses.addWidget(button)
        exempt.addWidget(self.exempt_reason, 1)
        exempt.addWidget(self.exempt)
        detail = QVBoxLayout()
        for widget in (self.heading, self.about, self.points):
            detail.addWidget(widget)
        detail.addLayout(statuses)
        detail.addLayout(exempt)
        detail.addStretch(1)
        return detail

    def _keys(self) -> None:
        scans = self.scans
        for keys, action in (
            ("Ctrl+1", lambda: self.record("received_original")),
            ("Ctrl+2", lambda: self.record("received_copy")),
            ("Ctrl+3", lambda: self.record("exempt")),
            ("Ctrl+4", lambda: self.record("committed")),
            ("Ctrl+0", lambda: self.record("missing")),
            ("Ctrl+Shift+A", self.receive_all),
            ("F6", scans.capture),
            ("Ctrl+O", scans.choose_files),
            ("Ctrl+Left", lambda: scans.turn(-90)),
            ("Ctrl+Right", lambda: scans.turn(90)),
            ("Ctrl+S", self.save_pages),
            ("Ctrl+Shift+S", self.receive_and_save),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(action)

    # -- showing ----------------------------------------------------------------------------------
    def enter(self) -> None:
        case = self.in_hand.case
        if case is None or case.receipt_no != self.receipt_no:  # another applicant
            self.scans.sheets, self.shown = {}, ""
            self.receipt_no = case.receipt_no if case else ""
        try:
            self.plan = {m.id: m for m in self.in_hand.plan().materials}
        except OneStopError as exc:  # no scenario in hand: the case's own list still shows
            self.plan = {}
            self.station.bar.show_exception(exc)
        self._show_case(self._next_missing(""))
        self.table.setFocus()

    def selected(self) -> MaterialView | None:
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def select(self, material_id: str) -> None:
        rows = [m.material_id for m in self.model.rows]
        if material_id in rows:
            self.table.setCurrentIndex(self.model.index(rows.index(material_id), 0))

    def _show_case(self, select: str | None = None) -> None:
        current = self.selected()
        case = self.in_hand.case
        self.model.set_rows(list(case.materials) if case else [])
        self.select(select or (current.material_id if current else ""))
        if self.selected() is None and self.model.rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._show_count()
        self._show_selected()

    def _show_count(self) -> None:
        active = [m for m in self.model.rows if actionable(m)]
        missing = sum(m.status == "missing" for m in active)
        unsaved = self.scans.unsaved()
        more = f"；另有 {unsaved} 页扫描未保存" if unsaved else ""
        self.count.setText(f"需提交 {len(active)} 种，尚缺 {missing} 种{more}")

    def _show_selected(self) -> None:
        material = self.selected()
        plan = self.plan.get(material.material_id) if material else None
        same = material is not None and material.material_id == self.shown
        ticked = set(self.reviewed() if same else material.reviewed if material else ())
        self.shown = material.material_id if material else ""
        for box in self.review:
            # Hidden, not unparented: a widget taken out of its parent becomes a window, and a
            # show still queued by its layout would then open it and take the keyboard away.
            box.hide()
            box.deleteLater()
        self.review = []
        can_record = material is not None and self._can_record(material)
        can_scan = material is not None and self._can_scan(material)
        formal, substantive = (plan.formal_review, plan.substantive_review) if plan else ((), ())
        for group, points in ((self.formal, formal), (self.substantive, substantive)):
            for point in points:
                box = QCheckBox(_wrap(point))
                box.setProperty("point", point)
                box.setToolTip(point)
                box.setChecked(point in ticked)  # the clerk's ticks outlive a refresh
                box.setEnabled(can_record)
                column = group.layout()
                assert column is not None
                column.addWidget(box)
                box.show()  # now, not on the next turn of the event loop: its height counts
                self.review.append(box)
            group.setVisible(bool(points))
        self.points.setVisible(bool(self.review))
        inner = self.points.widget()
        if inner is not None:  # as tall as its points, up to a limit
            self.points.setFixedHeight(min(inner.sizeHint().height(), MAX_POINTS_HEIGHT))
        self.heading.setText(self._heading(material, plan))
        self.about.setText(self._about(material, plan, can_record))
        for button in (self.original, self.copy, self.both, self.missing, self.exempt):
            button.setEnabled(can_record)
        thing = material is not None and material.form == "thing"  # no copy of a seal or a card
        self.copy.setEnabled(can_record and not thing)
        self.original.setText("收到原物 (Ctrl+1)" if thing else "收到原件 (Ctrl+1)")
        self.exempt_reason.setEnabled(can_record)
        self.both.setVisible(material is not None and material.form == "original_and_copy")
        pledge = material is not None and material.plan_status == "commitment"
        self.committed.setVisible(pledge)
        self.committed.setEnabled(can_record and pledge)
        exempted = material is not None and material.status == "exempt" and can_record
        self.exempt_reason.setText(material.exempt_reason if material and exempted else "")
        licence = plan.e_licence if plan else ""
        example = f"，如：已核验电子证照“{licence}”" if licence else ""
        self.exempt_reason.setPlaceholderText(f"免提交的理由（必填）{example}")
        self.scans.show_material(material, can_scan=can_scan, can_record=can_record)

    def _can_record(self, material: MaterialView) -> bool:
        case = self.in_hand.case
        return case is not None and actionable(material) and allowed("record_material", case.state)

    def _can_scan(self, material: MaterialView) -> bool:
        case = self.in_hand.case
        return case is not None and actionable(material) and allowed("attach_scan", case.state)

    @staticmethod
    def _heading(material: MaterialView | None, plan: PlanMaterial | None) -> str:
        if material is None:
            return "没有需要核对的材料"
        if not actionable(material):
            return f"{material.name}（无需申请人提交）"
        if plan and plan.thing:  # a seal, a card: taken as it is, never photocopied
            return f"{material.name}：{plan.need_words}"
        size = f"，{plan.paper_size}" if plan and plan.paper_size else ""
        return f"{material.name}：{quantity_words(material.form, material.copies)}{size}"

    @staticmethod
    def _about(material: MaterialView | None, plan: PlanMaterial | None, can_record: bool) -> str:
        if material is None:
            return ""
        lines = [f"当前：{MaterialModel.text(material, 2)}"]
        if plan and plan.reason and actionable(material):
            lines.append(plan.reason)
        if plan and plan.tolerable_missing:
            lines.append("此材料可以容缺：暂缺时可在下一步容缺受理。")
        if material.plan_status == "commitment":
            lines.append(
                "此材料适用告知承诺制：申请人书面承诺后可不提交，受理后由部门核查；"
                "承诺不实的，撤销办理结果并记入信用记录。"
            )
        if plan and plan.notes:
            lines.append(f"说明：{plan.notes}")
        if actionable(material) and not can_record:
            lines.append("办件已不在收件中，只能补充扫描件。")
        return "\n".join(lines)

    def _next_missing(self, after: str) -> str:
        """The next material still missing after ``after`` (wrapping round), or ``after``."""
        rows = [m for m in (self.in_hand.case.materials if self.in_hand.case else ())]
        ids = [m.material_id for m in rows]
        start = ids.index(after) + 1 if after in ids else 0
        for material in rows[start:] + rows[:start]:
            if actionable(material) and material.status == "missing":
                return material.material_id
        return after

    # -- recording --------------------------------------------------------------------------------
    def reviewed(self) -> tuple[str, ...]:
        return tuple(str(b.property("point")) for b in self.review if b.isChecked())

    def record(self, status: str) -> None:
        material = self.selected()
        if material is None or not self._can_record(material):
            return
        reason = self.exempt_reason.text() if status == "exempt" else ""
        check = MaterialCheck(material.material_id, status, self.reviewed(), reason)
        in_hand = self.in_hand

        def failed(exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            if status == "exempt":
                self.exempt_reason.setFocus()

        label = MATERIAL_STATE_LABELS[status]
        stay = material.material_id if status == "missing" else None
        self._change(
            lambda: in_hand.receive([check]),
            f"已登记“{material.name}”：{label}。",
            after=material.material_id,
            stay=stay,
            failed=failed,
        )

    def receive_all(self) -> None:
        case, material = self.in_hand.case, self.selected()
        missing = [m for m in case.materials if m.status == "missing"] if case else []
        if not missing:
            self.station.bar.info("没有未收取的材料。")
            return
        reviewed = {material.material_id: self.reviewed()} if material else {}
        in_hand = self.in_hand
        self._change(
            lambda: in_hand.receive_all(reviewed),
            f"已将 {len(missing)} 种未收取的材料登记为收到原件。",
        )

    def _change(
        self,
        work: Callable[[], CaseView],
        message: str,
        *,
        after: str = "",
        stay: str | None = None,
        failed: Callable[[BaseException], None] | None = None,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Run a change of the case on the work lane; then show it, and move on to the next
        missing material (or ``stay``)."""

        def done(case: CaseView) -> None:
            if then is not None:
                then()
            left = sum(actionable(m) and m.status == "missing" for m in case.materials)
            more = f" 还缺 {left} 种材料。" if left else " 材料已全部处理，可以作出受理决定。"
            self.station.bar.info(message + more)
            self._show_case(stay or self._next_missing(after))
            self.table.setFocus()
            self.changed.emit()

        self.station.work.run(
            work, done=done, failed=failed or self.station.bar.show_exception, label="登记材料"
        )

    # -- pages ------------------------------------------------------------------------------------
    def capture(self) -> None:
        self.scans.capture()

    def add_files(self, paths: Sequence[Path]) -> None:
        self.scans.add_files(paths)

    def _stored(self, case: CaseView) -> None:
        self._show_case()
        self.changed.emit()

    def save_pages(self) -> None:
        self._save(record=False)

    def receive_and_save(self) -> None:
        self._save(record=True)

    def _save(self, *, record: bool) -> None:
        material, case = self.scans.scannable(), self.in_hand.case
        if material is None or case is None:
            return
        if record and not self._can_record(material):
            self.station.bar.error("办件已不在收件中，不能再登记材料；可以只保存扫描件（Ctrl+S）。")
            return
        pages = list(self.scans.pages)
        if not pages:
            self.station.bar.error(
                f"“{material.name}”还没有未保存的页面：请先拍摄（F6）或选择文件。"
            )
            return
        name = scan_name(material.name, len(material.scans))
        check = MaterialCheck(material.material_id, "received_original", self.reviewed())
        core, actor, in_hand = self.station.session.core, self.station.session.actor, self.in_hand

        def work() -> CaseView:
            pdf = sheets_to_pdf(pages)
            scan = core.cases.attach_scan(
                actor,
                case.receipt_no,
                material.material_id,
                pdf,
                file_name=name,
                mime="application/pdf",
                pages=len(pages),
                quality=quality_record(pages),
            )
            saved = keep(in_hand, scan)
            return in_hand.receive([check]) if record else saved

        received = "，已登记收到原件" if record else ""
        self._change(
            work,
            f"已保存扫描件“{name}”（{len(pages)} 页）{received}。",
            after=material.material_id,
            stay=None if record else material.material_id,
            then=lambda: self.scans.forget(material.material_id, pages),
        )
