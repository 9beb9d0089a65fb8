"""The materials under the kiosk's document camera, one material at a time: what the camera sees
(live), 拍这一页, the pages taken so far with 重拍 and 删除, and how many pages there are. A
material the citizen did not bring is handed in at the window instead; nothing here is saved
until the pre-application is submitted, and the pages stay in memory only."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.devices.protocols import DeviceError, LivePreview, Page
from app.guide.plan import FORM_LABELS, PlanMaterial
from kiosk.ui.parts import Screen, body, button, clear, heading
from kiosk.ui.station import Station

PREVIEW_WIDTH = 360  # pixels asked of the camera for the live picture
THUMB_HEIGHT = 160


def pixmap_of(page: Page, height: int) -> QPixmap:
    pixmap = QPixmap()
    pixmap.loadFromData(page.png, "PNG")
    return pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)


class CaptureScreen(Screen):
    name = "capture"
    long = True

    def __init__(
        self, station: Station, parent: QWidget | None = None, *, preview_ms: int = 300
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.materials: list[PlanMaterial] = []
        self.at = 0  # the material on screen
        self.chosen = -1  # the page 重拍 and 删除 act on (-1: the last one)
        self.thumbs: dict[int, QPixmap] = {}  # id(page) → its small picture
        self.title = heading("", "capture_title")
        self.how = body("", "capture_how")
        self.preview = QLabel("")
        self.preview.setObjectName("capture_preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(PREVIEW_WIDTH * 1754 // 1240)
        self.take = button("拍这一页", "capture_take", self.take_page, kind="primary")
        self.retake = button("重拍这页", "capture_retake", self.retake_page)
        self.drop = button("删除这页", "capture_drop", self.drop_page)
        self.count = body("", "capture_count")
        pages = QWidget()
        self.pages = QHBoxLayout(pages)
        self.previous = button("上一项", "capture_previous", lambda: self.step(-1))
        self.next = button("下一项", "capture_next", lambda: self.step(1), kind="primary")
        camera = QHBoxLayout()
        camera.addWidget(self.preview, 1)
        side = QVBoxLayout()
        for push in (self.take, self.retake, self.drop):
            side.addWidget(push)
        side.addStretch(1)
        camera.addLayout(side)
        nav = QHBoxLayout()
        nav.addWidget(self.previous)
        nav.addStretch(1)
        nav.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.how)
        layout.addLayout(camera, 1)
        layout.addWidget(self.count)
        layout.addWidget(pages)
        layout.addLayout(nav)
        self.timer = QTimer(self)
        self.timer.setInterval(preview_ms)
        self.timer.timeout.connect(self.refresh_preview)

    # -- drawing --------------------------------------------------------------------------------
    @property
    def material(self) -> PlanMaterial | None:
        return self.materials[self.at] if 0 <= self.at < len(self.materials) else None

    def enter(self) -> None:
        self.materials = self.station.journey.to_capture()
        self.at = min(self.at, max(0, len(self.materials) - 1))
        if not self.materials:
            self.station.go("review")
            return
        self.draw()
        if self.camera_ready():
            self.timer.start()
            self.refresh_preview()

    def camera_ready(self) -> bool:
        return self.station.devices.capture is not None

    def draw(self) -> None:
        material = self.material
        if material is None:
            return
        total = len(self.materials)
        self.title.setText(f"拍材料（第 {self.at + 1} 项，共 {total} 项）：{material.name}")
        copies = f"{FORM_LABELS.get(material.form, '')} {material.copies} 份".strip()
        if self.camera_ready():
            self.how.setText(
                f"请把材料平放在拍摄区，字朝上，一页一页拍（{copies}）。"
                "没带这项材料？点“下一项”，到窗口再交。"
            )
        else:
            self.how.setText("本机暂时不能拍材料。请带上这些材料的原件，到窗口办理时提交。")
            self.preview.setText("（高拍仪暂不可用）")
        for push in (self.take, self.retake, self.drop):
            push.setVisible(self.camera_ready())
        taken = self.station.journey.pages.get(material.id, [])
        self.retake.setEnabled(bool(taken))
        self.drop.setEnabled(bool(taken))
        self.count.setText(
            f"这项已拍 {len(taken)} 页；全部材料共 {self.station.journey.page_count()} 页。"
        )
        clear(self.pages)
        for number, page in enumerate(taken):
            thumb = self.thumbs.get(id(page))
            if thumb is None:
                thumb = self.thumbs[id(page)] = pixmap_of(page, THUMB_HEIGHT)
            shown = button(
                f"第 {number + 1} 页", f"capture_page_{number}", partial(self.choose_page, number)
            )
            shown.setIcon(thumb)
            shown.setIconSize(thumb.size())
            shown.setCheckable(True)
            shown.setChecked(number == self._chosen(taken))
            self.pages.addWidget(shown)
        self.pages.addStretch(1)
        self.previous.setEnabled(self.at > 0)
        self.next.setText("下一项" if self.at < total - 1 else "拍完了，去核对")

    def _chosen(self, taken: list[Page]) -> int:
        return self.chosen if 0 <= self.chosen < len(taken) else len(taken) - 1

    def speech(self) -> str:
        return f"{self.title.text()}。{self.how.text()}"

    def refresh_preview(self) -> None:
        camera = self.station.devices.capture
        if not self.isVisible() or camera is None or self.station.device_lane.busy:
            if not self.isVisible():
                self.timer.stop()
            return
        if isinstance(camera, LivePreview):
            self.station.device_lane.run(
                lambda: camera.frame(PREVIEW_WIDTH),
                done=self._frame,
                failed=lambda _exc: None,
                label="预览",
            )

    def _frame(self, page: Page) -> None:
        if self.isVisible():
            pixmap = QPixmap()
            pixmap.loadFromData(page.png, "PNG")
            self.preview.setPixmap(pixmap)

    # -- pages ----------------------------------------------------------------------------------
    def _shoot(self, keep: Callable[[Page], None]) -> None:
        camera, material = self.station.devices.capture, self.material
        if camera is None or material is None:
            return
        self.station.tell("正在拍摄，请不要移动材料……", False)
        self.station.device_lane.run(camera.capture, done=keep, failed=self._failed, label="拍材料")

    def take_page(self) -> None:
        material = self.material
        if material is not None:
            self._shoot(lambda page: self._taken(material.id, page))

    def _taken(self, material_id: str, page: Page) -> None:
        count = self.station.journey.add_page(material_id, page)
        self.chosen = -1
        if page.problems:  # the page is kept; the citizen decides, one touch retakes it
            self.station.tell(
                f"第 {count} 页拍得不够好：{page.problems[0]}点“重拍这页”可以重拍。", True
            )
        else:
            self.station.tell(f"已拍第 {count} 页。还有下一页就继续拍；拍完点“下一项”。", False)
        self.draw()

    def retake_page(self) -> None:
        material = self.material
        if material is None:
            return
        index = self._chosen(self.station.journey.pages.get(material.id, []))
        if index >= 0:
            self._shoot(lambda page: self._retaken(material.id, index, page))

    def _retaken(self, material_id: str, index: int, page: Page) -> None:
        old = self.station.journey.pages[material_id][index]
        self.thumbs.pop(id(old), None)
        self.station.journey.retake(material_id, index, page)
        if page.problems:
            self.station.tell(f"重拍的第 {index + 1} 页还是不够好：{page.problems[0]}", True)
        else:
            self.station.tell(f"已重拍第 {index + 1} 页。", False)
        self.draw()

    def drop_page(self) -> None:
        material = self.material
        if material is None:
            return
        taken = self.station.journey.pages.get(material.id, [])
        index = self._chosen(taken)
        if index >= 0:
            self.thumbs.pop(id(taken[index]), None)
            self.station.journey.drop_page(material.id, index)
            self.chosen = -1
            self.station.tell(f"已删除第 {index + 1} 页。", False)
            self.draw()

    def choose_page(self, number: int) -> None:
        self.chosen = number
        self.draw()

    def _failed(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, DeviceError) else "拍摄没有成功。"
        self.station.tell(f"{text} 可以再试一次；也可以带上原件，到窗口办理时提交。", True)

    def step(self, step: int) -> None:
        self.chosen = -1
        if self.at + step >= len(self.materials):
            self.timer.stop()
            self.station.go("review")
            return
        self.at = max(0, self.at + step)
        self.station.tell("", False)
        self.station.go(self.name)  # a new material: drawn and read aloud like a new screen

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        self.timer.stop()
        super().hideEvent(event)

    def wipe(self) -> None:
        self.timer.stop()
        self.materials, self.at, self.chosen = [], 0, -1
        self.thumbs.clear()
        self.preview.clear()
        clear(self.pages)
        for label in (self.title, self.how, self.count):
            label.clear()
