"""Document cameras (高拍仪) and kiosk cameras through Qt Multimedia: a UVC camera, or a video
file played in its place (tests, training), feeds one :class:`QVideoSink`.

The GUI thread only keeps the newest frame (a shared reference, no copy) and hands listeners its
grey picture (the Y plane, copied); the screens' worker threads call :meth:`QtCamera.frame` and
:meth:`QtCamera.capture`, which convert, scale and encode there (with OpenCV, which lets go of
Python's lock: :mod:`app.widgets.video_frames`). A still is taken by
:class:`QImageCapture` on the GUI thread, asked for by a queued signal, with the camera switched
to its largest format for the shot (Qt's FFmpeg backend takes stills from the video stream).

Which camera and which formats, and what hot-plug does, is decided by the pure functions of
:mod:`app.devices.cameras`; this module only turns Qt's devices into their plain data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QImageCapture,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
)

from app.devices.cameras import CameraInfo, Formats, VideoFormat, choose_formats, follow_choice
from app.devices.drivers import Devices
from app.devices.page_quality import MadeGood
from app.devices.protocols import DeviceError, Page
from app.settings import DeviceSettings
from app.widgets.video_frames import (
    Pixels,
    frame_pixels,
    grey_picture,
    image_array,
    png,
    scaled,
)

log = logging.getLogger(__name__)

FALLBACK = "可以改用扫描好的文件（选择文件）。"
NOT_FOUND = "没有找到高拍仪：请插好高拍仪的USB线，稍等几秒；也可以选择扫描好的文件。"
UNPLUGGED = "高拍仪已断开：请重新插好；也可以选择扫描好的文件。"
STARTING = "高拍仪正在启动，请稍等几秒再拍。"
NO_PHOTO = "高拍仪没有拍到照片：请检查连线后再拍一次。"


def not_found(wanted: str) -> str:
    return (
        f"没有找到设置中的高拍仪“{wanted}”：请插好它的USB线，或在设置中改选摄像头；"
        "也可以选择扫描好的文件。"
    )


SETTLE_FRAMES = 2  # frames skipped after a format switch: exposure and focus catch up

Listener = Callable[[Pixels], None]


def camera_infos() -> tuple[list[CameraInfo], dict[str, QCameraDevice]]:
    """The cameras plugged in now, as plain data, and the Qt devices to open them by id."""
    infos: list[CameraInfo] = []
    devices: dict[str, QCameraDevice] = {}
    for device in QMediaDevices.videoInputs():
        key = bytes(device.id().data()).decode(errors="replace")
        formats = tuple(_video_format(f) for f in device.videoFormats())
        sizes = tuple((s.width(), s.height()) for s in device.photoResolutions())
        infos.append(CameraInfo(key, device.description(), sizes, formats))
        devices[key] = device
    return infos, devices


def _video_format(qformat: QCameraFormat) -> VideoFormat:
    pixel = qformat.pixelFormat()
    name = {
        QVideoFrameFormat.PixelFormat.Format_Jpeg: "MJPG",
        QVideoFrameFormat.PixelFormat.Format_YUYV: "YUYV",
    }.get(pixel, pixel.name.removeprefix("Format_"))
    size = qformat.resolution()
    return VideoFormat(size.width(), size.height(), qformat.maxFrameRate(), name)


@dataclass(eq=False)
class _Still:
    """One still asked for by a worker thread and answered on the GUI thread."""

    done: threading.Event = field(default_factory=threading.Event)
    image: QImage | None = None
    error: str = ""
    waiting_for: tuple[int, int] | None = None  # the still format's frame size
    skip: int = 0

    def answer(self, image: QImage | None, error: str = "") -> None:
        self.image, self.error = image, error
        self.done.set()


class QtCamera(QObject):
    """A document or kiosk camera: :class:`DocumentCapture` and :class:`LivePreview` for
    screens that call from a worker thread, ``state_changed(available, message)`` and
    :meth:`on_frame` listeners on the GUI thread. Build it on the GUI thread."""

    state_changed = Signal(bool, str)
    _still_asked = Signal(object)
    _still_dropped = Signal(object)

    def __init__(
        self,
        wanted: str = "",
        parent: QObject | None = None,
        *,
        capture_timeout_s: float = 8.0,
        _file: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.wanted = wanted
        self.capture_timeout_s = capture_timeout_s
        self.name = "高拍仪（摄像头）"
        self._lock = threading.Lock()
        self._latest: QVideoFrame | None = None
        self._available = False
        self._message = NOT_FOUND
        self._listeners: list[Listener] = []
        self._device: CameraInfo | None = None  # the one in use, remembered while unplugged
        self._formats = Formats(None, None)
        self._qt_devices: dict[str, QCameraDevice] = {}
        self._still: _Still | None = None
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_frame)
        self._still_asked.connect(self._start_still, Qt.ConnectionType.QueuedConnection)
        self._still_dropped.connect(self._drop_still, Qt.ConnectionType.QueuedConnection)
        self._session: QMediaCaptureSession | None = None
        self._camera: QCamera | None = None
        self._stills: QImageCapture | None = None
        self._player: QMediaPlayer | None = None
        self._file = _file
        self._media: QMediaDevices | None = None
        if _file is not None:
            self._player = QMediaPlayer(self)
            self._player.setVideoSink(self.sink)
            self._player.setLoops(QMediaPlayer.Loops.Infinite)
            self._player.errorOccurred.connect(lambda _e, text: self._fail(text))
            self.follow([self.file_info(_file)])
            return
        self._session = QMediaCaptureSession(self)
        self._session.setVideoSink(self.sink)
        self._stills = QImageCapture(self)
        self._stills.setFileFormat(QImageCapture.FileFormat.PNG)
        self._session.setImageCapture(self._stills)
        self._stills.imageCaptured.connect(self._captured)
        self._stills.errorOccurred.connect(self._capture_failed)
        self._media = QMediaDevices(self)
        self._media.videoInputsChanged.connect(self._inputs_changed)
        self._inputs_changed()

    @classmethod
    def from_file(cls, path: Path | str, parent: QObject | None = None) -> QtCamera:
        """A camera that plays a video file, looped, into the same pipeline (tests, training)."""
        return cls(parent=parent, _file=Path(path))

    @staticmethod
    def file_info(path: Path) -> CameraInfo:
        return CameraInfo(str(path), f"视频文件 {path.name}")

    # -- state ----------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._available

    @property
    def message(self) -> str:
        """Why the camera cannot be used now (empty while it can)."""
        return "" if self._available else self._message

    def check(self) -> str:
        """Empty while the camera gives pictures; else what is wrong and what to do."""
        return self.message

    def _set_state(self, available: bool, message: str = "") -> None:
        changed = (available, message) != (self._available, self._message)
        self._available, self._message = available, message
        if not available:
            with self._lock:
                self._latest = None
        if changed:
            log.info("camera %s: %s", "available" if available else "unavailable", message)
            self.state_changed.emit(available, message)

    def _fail(self, detail: str) -> None:
        self._set_state(
            False, f"高拍仪出错（{detail}）：请重新插好它的USB线后再试；也可以选择扫描好的文件。"
        )

    @Slot()
    def _inputs_changed(self) -> None:
        infos, self._qt_devices = camera_infos()
        self.follow(infos)

    def follow(self, devices: Sequence[CameraInfo]) -> None:
        """The devices plugged in changed (``videoInputsChanged``, or a file come and gone):
        keep, close or (re)open the camera as :func:`follow_choice` decides."""
        target = follow_choice(self._device, devices, self.wanted)
        if target is None:
            self._close()
            if self._device is not None:
                self._set_state(False, UNPLUGGED)
            elif self.wanted:
                self._set_state(False, not_found(self.wanted))
            else:
                self._set_state(False, NOT_FOUND)
            return
        if self._available and self._device is not None and target.id == self._device.id:
            return
        self._device = target
        self._open(target)

    def _open(self, info: CameraInfo) -> None:
        self._close()
        self.name = f"{info.description}（摄像头）"
        if self._player is not None:
            self._player.setSource(QUrl.fromLocalFile(info.id))
            self._player.play()
            self._set_state(True)
            return
        device = self._qt_devices.get(info.id)
        if device is None or self._session is None:
            self._set_state(False, UNPLUGGED)
            return
        self._formats = choose_formats(info)
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(lambda _e, text: self._fail(text))
        if self._formats.preview is not None:
            self._camera.setCameraFormat(self._qt_format(device, self._formats.preview))
        if self._formats.still is not None and self._stills is not None:
            still = self._formats.still
            self._stills.setResolution(still.width, still.height)
        self._session.setCamera(self._camera)
        self._camera.start()
        log.info(
            "camera %s: preview %s, stills %s",
            info.description,
            self._formats.preview,
            self._formats.still,
        )
        self._set_state(True)

    def close(self) -> None:
        """Stop the camera (or the video) for good: the window or the command is done with it."""
        self._listeners.clear()
        self._close()
        if self._player is not None:
            self._player.setSource(QUrl())
        if self._media is not None:
            self._media.videoInputsChanged.disconnect(self._inputs_changed)
            self._media = None
        self._set_state(False, NOT_FOUND)

    def _close(self) -> None:
        if self._player is not None:
            self._player.stop()
        if self._camera is not None:
            self._camera.stop()
            if self._session is not None:
                self._session.setCamera(None)  # type: ignore[arg-type]
            self._camera.deleteLater()
            self._camera = None
        if self._still is not None:
            self._still.answer(None, NO_PHOTO)
            self._still = None

    @staticmethod
    def _qt_format(device: QCameraDevice, wanted: VideoFormat) -> QCameraFormat:
        for qformat in device.videoFormats():
            if _video_format(qformat) == wanted:
                return qformat
        return QCameraFormat()

    # -- frames (GUI thread) --------------------------------------------------------------------
    def on_frame(self, listener: Listener) -> Callable[[], None]:
        """Hand every new frame's grey picture (a copy, height × width) to ``listener`` on the
        GUI thread; it must return at once (pass the picture on to its own thread). Returns
        the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @Slot(QVideoFrame)
    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid() or not self._available:
            return  # a file's stream ends with an invalid frame
        with self._lock:
            self._latest = frame
        still = self._still
        if still is not None and still.waiting_for == (frame.width(), frame.height()):
            still.skip -= 1
            if still.skip < 0:
                still.waiting_for = None
                self._shoot()
        if self._listeners:
            gray = grey_picture(frame)
            for listener in list(self._listeners):
                try:
                    listener(gray)
                except Exception:  # a listener's fault must not stop the preview
                    log.exception("camera frame listener failed")

    # -- for worker threads ---------------------------------------------------------------------
    def frame(self, width: int) -> Page:
        """What the camera sees now, ``width`` pixels wide, as a quickly made PNG."""
        return _page(scaled(self._latest_pixels(), width), quick=True)

    def preview_image(self, width: int) -> QImage:
        """What the camera sees now as a QImage ``width`` pixels wide: no PNG to encode and
        decode again for a screen that draws it (``QPixmap.fromImage`` on the GUI thread)."""
        pixels = np.ascontiguousarray(scaled(self._latest_pixels(), width))
        height, width = pixels.shape[:2]
        image = QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_BGR888)
        return image.copy()  # owns its pixels once ``pixels`` is gone

    def capture(self) -> Page:
        """One page at the camera's largest size. Call from a worker thread: the GUI thread
        takes the still, this thread waits for it (``capture_timeout_s`` at most)."""
        self._check()
        if self._stills is None:  # a video file has no stills: its frame is full size
            return _page(self._latest_pixels(), quick=False)
        if QThread.currentThread() is self.thread():
            raise RuntimeError("QtCamera.capture() blocks: call it from a worker thread")
        still = _Still()
        self._still_asked.emit(still)
        if not still.done.wait(self.capture_timeout_s):
            self._still_dropped.emit(still)
            raise DeviceError(NO_PHOTO, fallback=FALLBACK)
        if still.image is None or still.image.isNull():
            log.warning("camera still failed: %s", still.error)
            raise DeviceError(still.error or NO_PHOTO, fallback=FALLBACK)
        return _page(image_array(still.image), quick=False)

    def _check(self) -> None:
        if not self._available:
            raise DeviceError(self._message, fallback=FALLBACK)

    def _latest_pixels(self) -> Pixels:
        self._check()
        with self._lock:
            frame = self._latest
        if frame is None:
            raise DeviceError(STARTING, fallback=FALLBACK)
        pixels = frame_pixels(frame)  # a shared frame, converted here on the caller's thread
        if pixels is None:
            raise DeviceError(NO_PHOTO, fallback=FALLBACK)
        return pixels

    # -- stills (GUI thread) --------------------------------------------------------------------
    @Slot(object)
    def _start_still(self, still: _Still) -> None:
        if self._still is not None or self._camera is None:
            still.answer(None, NO_PHOTO if self._camera is None else "上一张还在拍，请稍等再拍。")
            return
        self._still = still
        wanted, current = self._formats.still, self._formats.preview
        device = self._qt_devices.get(self._device.id if self._device else "")
        if wanted is not None and wanted != current and device is not None:
            still.waiting_for, still.skip = (wanted.width, wanted.height), SETTLE_FRAMES
            self._camera.setCameraFormat(self._qt_format(device, wanted))
        else:
            self._shoot()

    def _shoot(self) -> None:
        if self._stills is not None and self._stills.capture() < 0:
            log.info("camera not ready for a still; its error follows")

    @Slot(int, QImage)
    def _captured(self, _id: int, image: QImage) -> None:
        still, self._still = self._still, None
        if still is not None:
            still.answer(image)  # shared, not copied: nobody changes it
        self._back_to_preview()

    @Slot(int, QImageCapture.Error, str)
    def _capture_failed(self, _id: int, _error: QImageCapture.Error, text: str) -> None:
        log.warning("camera still: %s", text)
        still, self._still = self._still, None
        if still is not None:
            still.answer(None, NO_PHOTO)
        self._back_to_preview()

    @Slot(object)
    def _drop_still(self, still: _Still) -> None:
        if self._still is still:
            self._still = None
            self._back_to_preview()

    def _back_to_preview(self) -> None:
        device = self._qt_devices.get(self._device.id if self._device else "")
        preview = self._formats.preview
        if self._camera is None or device is None or preview is None:
            return
        wanted = self._qt_format(device, preview)
        if self._camera.cameraFormat() != wanted:
            self._camera.setCameraFormat(wanted)


def _page(pixels: Pixels, *, quick: bool) -> Page:
    try:
        data = png(pixels, quick=quick)
    except ValueError:
        raise DeviceError(NO_PHOTO, fallback=FALLBACK) from None
    return Page(data, pixels.shape[1], pixels.shape[0])


def with_camera(
    devices: Devices, settings: DeviceSettings, parent: QObject | None = None
) -> Devices:
    """The terminal's devices with its camera when the settings choose one (``capture =
    "camera"``): built here, on the GUI thread once the application exists, and its pages made
    good (found on the desk, straightened, checked) like a scanner's. ``camera = "file:PATH"``
    plays a video instead (training, and checking a terminal without its camera)."""
    if settings.capture == "camera":
        wanted = settings.camera
        camera = (
            QtCamera.from_file(wanted.removeprefix("file:"), parent)
            if wanted.startswith("file:")
            else QtCamera(wanted, parent)
        )
        devices.capture = MadeGood(camera, "camera")
    return devices


def camera_list() -> list[dict[str, object]]:
    """The cameras plugged in, for ``onestop devices list`` (needs a Qt application)."""
    infos, _qt = camera_infos()
    found: list[dict[str, object]] = []
    for info in infos:
        formats = choose_formats(info)
        still = formats.still
        found.append(
            {
                "id": info.id,
                "description": info.description,
                "still": f"{still.width}×{still.height}" if still else "",
                "preview": (
                    f"{formats.preview.width}×{formats.preview.height} "
                    f"{formats.preview.pixel} {formats.preview.fps:g} fps"
                )
                if formats.preview
                else "",
            }
        )
    return found
