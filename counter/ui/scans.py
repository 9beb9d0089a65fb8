"""The pages of a material on the materials screen: taken with the document camera (on the devices
lane) or chosen from files (on the work lane), shown as thumbnails, turned and deleted. Unsaved
pages stay with their material while the clerk moves through the list; the screen saves them.
A PDF file chosen is stored as it is, at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPixmap, QShortcut, QTransform
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.in_hand import CaseInHand
from app.cases.pages import IMAGE_SUFFIXES, Document, Sheet, read_file, sheet
from app.cases.receipts import HALL_TZ
from app.cases.snapshots import CaseView, MaterialView
from app.devices.protocols import Batch
from app.errors import OneStopError, describe
from app.widgets.rows import Index
from counter.ui.station import Station

FILE_FILTER = f"图片或 PDF ({' '.join(f'*{s}' for s in (*IMAGE_SUFFIXES, '.pdf'))})"
THUMB = QSize(84, 120)
Role = Qt.ItemDataRole


class SheetModel(QAbstractListModel):
    """The unsaved pages of one material as thumbnails, turned as the clerk turned them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheets: list[Sheet] = []
        self._icons: dict[Sheet, QIcon] = {}

    def set_sheets(self, sheets: Sequence[Sheet]) -> None:
        self.beginResetModel()
        self.sheets = list(sheets)
        self._icons = {s: i for s, i in self._icons.items() if s in self.sheets}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.sheets)

    def data(self, index: Index, role: int = Role.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.sheets):
            return None
        page, number = self.sheets[index.row()], index.row() + 1
        if role == Role.DisplayRole:
            return f"第 {number} 页"
        if role == Role.ToolTipRole:
            turned = f"，已转 {page.rotation} 度" if page.rotation else ""
            return f"第 {number} 页（{page.width}×{page.height}{turned}），未保存"
        if role == Role.DecorationRole:
            if page not in self._icons:
                image = QImage.fromData(page.preview)
                if page.rotation:
                    image = image.transformed(QTransform().rotate(page.rotation))
                self._icons[page] = QIcon(QPixmap.fromImage(image))
            return self._icons[page]
        return None


@dataclass
class _Read:
    """What the chosen files gave: pages to keep, PDFs stored, files refused."""

    sheets: list[Sheet] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    refused: list[OneStopError] = field(default_factory=list)
    case: CaseView | None = None


def file_dialog(parent: QWidget) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, "选择扫描件（图片或 PDF）", "", FILE_FILTER)
    return [Path(p) for p in paths]


def keep(in_hand: CaseInHand, case: CaseView) -> CaseView:
    """The case in hand holds the newest view of its case (called on the work lane, in order)."""
    if in_hand.case is not None and in_hand.case.receipt_no == case.receipt_no:
        in_hand.case = case
    return case


class ScanPanel(QGroupBox):
    stored = Signal(object)  # a CaseView: a chosen PDF was stored
    pages_changed = Signal()  # unsaved pages added, turned or deleted

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__("扫描件（每种材料保存为一个 PDF）", parent)
        self.station = station
        self.material: MaterialView | None = None
        self.can_scan = False
        self.sheets: dict[str, list[Sheet]] = {}  # unsaved pages by material
        self.poor: dict[str, Sheet] = {}  # by material: the page the next F6 retakes
        self.ask_files: Callable[[QWidget], list[Path]] = file_dialog  # tests put a list here
        self.model = SheetModel(self)
        self.thumbs = QListView()
        self.thumbs.setObjectName("pages")
        self.thumbs.setModel(self.model)
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setFlow(QListView.Flow.LeftToRight)
        self.thumbs.setWrapping(False)
        self.thumbs.setMovement(QListView.Movement.Static)
        self.thumbs.setIconSize(THUMB)
        self.thumbs.setSpacing(4)
        self.thumbs.setFixedHeight(THUMB.height() + 46)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.thumbs)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_page)
        self.capture_button = self._button("拍摄 (F6)", "capture", self.capture)
        self.files_button = self._button("选择文件… (Ctrl+O)", "choose_files", self.choose_files)
        self.left_button = self._button("左转 (Ctrl+←)", "rotate_left", lambda: self.turn(-90))
        self.right_button = self._button("右转 (Ctrl+→)", "rotate_right", lambda: self.turn(90))
        self.delete_button = self._button("删除页 (Del)", "delete_page", self.delete_page)
        self.save_button = self._button("保存扫描件 (Ctrl+S)", "save_pages", None)
        self.save_received = self._button("收到原件并保存 (Ctrl+Shift+S)", "receive_and_save", None)
        tools = QGridLayout()
        for number, button in enumerate(
            (
                self.capture_button,
                self.files_button,
                self.left_button,
                self.right_button,
                self.delete_button,
            )
        ):
            tools.addWidget(button, 0, number)
        tools.addWidget(self.save_button, 1, 0, 1, 2)
        tools.addWidget(self.save_received, 1, 2, 1, 3)
        self.saved = QLabel("")
        self.saved.setObjectName("saved_scans")
        self.saved.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.thumbs)
        layout.addLayout(tools)
        layout.addWidget(self.saved)

    def _button(self, text: str, name: str, action: Callable[[], None] | None) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        if action is not None:
            button.clicked.connect(action)
        return button

    # -- showing ----------------------------------------------------------------------------------
    def show_material(
        self, material: MaterialView | None, *, can_scan: bool, can_record: bool
    ) -> None:
        self.material, self.can_scan = material, can_scan
        for button in (self.capture_button, self.files_button, self.save_button):
            button.setEnabled(can_scan)
        self.save_received.setEnabled(can_scan and can_record)
        self._show_pages()
        lines = []
        for scan in material.scans if material else ():
            when = f"，{scan.added_at.astimezone(HALL_TZ):%m-%d %H:%M}" if scan.added_at else ""
            lines.append(f"已保存：{scan.file_name}（{scan.pages} 页{when}）")
        self.saved.setText("\n".join(lines))

    @property
    def pages(self) -> list[Sheet]:
        """The shown material's unsaved pages (the list itself)."""
        material = self.material
        return self.sheets.setdefault(material.material_id, []) if material else []

    def unsaved(self) -> int:
        return sum(len(pages) for pages in self.sheets.values())

    def forget(self, material_id: str, pages: Sequence[Sheet]) -> None:
        """Saved pages leave the unsaved ones (pages added meanwhile stay)."""
        kept = self.sheets.get(material_id, [])
        self.sheets[material_id] = [p for p in kept if p not in pages]

    def _show_pages(self, row: int | None = None) -> None:
        pages = self.pages
        current = self.thumbs.currentIndex().row() if row is None else row
        self.model.set_sheets(pages)
        if pages:
            self.thumbs.setCurrentIndex(self.model.index(min(max(current, 0), len(pages) - 1)))
        for button in (self.left_button, self.right_button, self.delete_button):
            button.setEnabled(bool(pages))
        self.pages_changed.emit()

    def scannable(self) -> MaterialView | None:
        """The material shown, when pages may be added to it (else the clerk is told why)."""
        if self.material is not None and self.can_scan:
            return self.material
        self.station.bar.error(
            "请先在左边选择要扫描的材料。"
            if self.material is None
            else f"“{self.material.name}”现在不能添加扫描件（无需提交，或办件已不在收件中）。"
        )
        return None

    # -- adding pages -----------------------------------------------------------------------------
    def capture(self) -> None:
        material = self.scannable()
        if material is None:
            return
        camera = self.station.session.devices.capture
        if camera is None:
            self.station.bar.error("本窗口没有连接高拍仪：请用“选择文件…”添加扫描好的文件。")
            self.files_button.setFocus()
            return

        def failed(exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            self.files_button.setFocus()

        def take() -> list[tuple[Sheet, tuple[str, ...]]]:
            pages = camera.scan() if isinstance(camera, Batch) else [camera.capture()]
            return [
                (
                    replace(
                        sheet(page.png, source="拍摄的页面"),
                        problems=page.problems,
                        measures=page.measures,
                    ),
                    page.problems,
                )
                for page in pages
            ]

        self.station.devices.run(
            take, done=lambda pages: self._add(material, pages), failed=failed, label="拍摄"
        )

    def _add(self, material: MaterialView, taken: list[tuple[Sheet, tuple[str, ...]]]) -> None:
        """New pages go after the others; a retake (F6 after a poor page) takes its place. A
        page the quality check found poor is named with what to do, and F6 retakes it."""
        kept = self.sheets.setdefault(material.material_id, [])
        retake = self.poor.pop(material.material_id, None)
        replaced = retake is not None and retake in kept  # not deleted or saved meanwhile
        at = kept.index(retake) if retake is not None and replaced else len(kept)
        if replaced:
            del kept[at]
        pages = [page for page, _problems in taken]
        kept[at:at] = pages
        poor = [(at + n, problems) for n, (_page, problems) in enumerate(taken) if problems]
        if self.material is not None and self.material.material_id == material.material_id:
            self._show_pages(poor[0][0] if poor else at + len(pages) - 1)
        if poor:
            number, problems = poor[0]
            self.poor[material.material_id] = kept[number]
            self.station.bar.error(
                f"第 {number + 1} 页：{'；'.join(problems)}按 F6 重拍这一页"
                "（会替换它）；页面可用时直接保存即可。"
            )
            return
        done = "已重拍" if replaced else "已添加"
        self.station.bar.info(
            f"{done} {len(pages)} 页，“{material.name}”有 {len(kept)} 页未保存："
            "核对后按 Ctrl+S 保存扫描件。"
        )

    def choose_files(self) -> None:
        if self.scannable() is not None:
            self.add_files(self.ask_files(self))

    def add_files(self, paths: Sequence[Path]) -> None:
        """Images become pages of the material shown; a PDF is stored as it is."""
        material, in_hand = self.scannable(), self.station.session.in_hand
        case = in_hand.case
        if material is None or case is None or not paths:
            return
        core, actor, chosen = self.station.session.core, self.station.session.actor, list(paths)

        def work() -> _Read:
            read = _Read()
            for path in chosen:
                try:
                    got = read_file(path)
                except OneStopError as exc:
                    read.refused.append(exc)
                    continue
                if isinstance(got, Document):
                    read.documents.append(got)
                    read.case = keep(
                        in_hand,
                        core.cases.attach_scan(
                            actor,
                            case.receipt_no,
                            material.material_id,
                            got.data,
                            file_name=got.file_name,
                            mime="application/pdf",
                            pages=got.pages,
                        ),
                    )
                else:
                    read.sheets.extend(got)
            return read

        self.station.work.run(
            work, done=lambda read: self._files_read(material, read), label="读取文件"
        )

    def _files_read(self, material: MaterialView, read: _Read) -> None:
        if read.sheets:
            self.poor.pop(material.material_id, None)  # files are added, never a retake
            self._add(material, [(page, ()) for page in read.sheets])
        if read.case is not None:
            self.stored.emit(read.case)
        done = [f"已添加 {len(read.sheets)} 页（未保存）"] if read.sheets else []
        done += [f"已保存 PDF“{d.file_name}”（{d.pages} 页）" for d in read.documents]
        if read.refused:
            others = f"其他文件：{'；'.join(done)}。" if done else "没有添加任何页面。"
            self.station.bar.error(f"{describe(read.refused[0])[0]}{others}")
        elif read.documents:
            self.station.bar.info(f"{'；'.join(done)}。")

    # -- changing pages ---------------------------------------------------------------------------
    def turn(self, degrees: int) -> None:
        pages, row = self.pages, self.thumbs.currentIndex().row()
        if 0 <= row < len(pages):
            pages[row] = pages[row].turned(degrees)
            self._show_pages(row)

    def delete_page(self) -> None:
        pages, row = self.pages, self.thumbs.currentIndex().row()
        if 0 <= row < len(pages):
            del pages[row]
            self._show_pages(row)
            self.station.bar.info(f"已删除第 {row + 1} 页，还有 {len(pages)} 页未保存。")
