"""The camera pipeline with a video file in the camera's place (an MJPG .avi written by OpenCV,
played by Qt Multimedia into the same sink), the camera and format choices on plain data, and a
real-camera QtCamera on a machine without a camera."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat
from pytestqt.qtbot import QtBot

from app.devices.cameras import (
    CameraInfo,
    VideoFormat,
    choose_camera,
    choose_formats,
    follow_choice,
)
from app.devices.protocols import DeviceError, DocumentCapture, LivePreview, Page
from app.widgets.camera import FALLBACK, NOT_FOUND, UNPLUGGED, QtCamera
from app.widgets.video_frames import frame_pixels, grey_picture, image_array

# Qt's FFmpeg backend looks for VA-API (hardware decoding) once, when it is first loaded; a frame
# converted on a thread without a GPU (offscreen) is converted on the CPU, said once per thread.
QT_NOISE = (
    r"^Couldn't (load|resolve) va(-x11|-drm|\(in plugin\))? (library|symbols)$",
    r"No RHI backend\. Using CPU conversion\.$",
)
pytestmark = pytest.mark.qt_log_ignore(*QT_NOISE)


def write_video(path: Path, width: int, height: int, frames: int = 20) -> Path:
    """A page on a grey desk with the frame's number on it, as MJPG (what UVC cameras send)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 20, (width, height))
    for number in range(frames):
        image = np.full((height, width, 3), 90, np.uint8)
        margin = width // 10
        image[margin // 2 : height - margin // 2, margin : width - margin] = 250
        cv2.putText(
            image,
            f"{number:02d}",
            (margin * 2, height // 2),
            cv2.FONT_HERSHEY_SIMPLEX,
            height / 120,
            (0, 0, 0),
            max(2, height // 100),
        )
        writer.write(image)
    writer.release()
    return path


@pytest.fixture(scope="module")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("camera") / "page.avi", 640, 480)


@pytest.fixture(scope="module")
def full_hd_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("camera") / "full-hd.avi", 1920, 1080)


T = TypeVar("T")


@pytest.fixture
def camera(qtbot: QtBot, small_video: Path) -> Iterator[QtCamera]:
    cam = QtCamera.from_file(small_video)
    frames: list[np.ndarray] = []
    cam.on_frame(frames.append)
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=4000)
    yield cam
    cam.follow([])  # stops the player before the object goes


def on_worker(qtbot: QtBot, work: Callable[[], T]) -> T:
    """Run ``work`` on another thread (as the screens' device lane does), the GUI thread turning."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(work)
        qtbot.waitUntil(future.done, timeout=4000)
        return future.result()


def decoded(png: bytes) -> QImage:
    image = QImage.fromData(png)
    assert not image.isNull()
    return image


def test_the_camera_is_a_document_capture_with_a_live_preview(camera: QtCamera) -> None:
    capture: DocumentCapture = camera
    assert isinstance(camera, LivePreview)
    assert capture.name == "视频文件 page.avi（摄像头）"
    assert camera.available and camera.message == ""


def test_a_preview_frame_from_a_worker_thread_has_the_asked_width(
    qtbot: QtBot, camera: QtCamera
) -> None:
    pages = on_worker(qtbot, lambda: [camera.frame(320) for _ in range(5)])
    for page in pages:
        image = decoded(page.png)
        assert (page.width, page.height) == (320, 240) == (image.width(), image.height())
    last = decoded(pages[-1].png)
    assert last.pixelColor(160, 30).lightness() > 200  # the page
    assert last.pixelColor(3, 3).lightness() < 120  # the desk


def test_a_preview_image_skips_the_png(qtbot: QtBot, camera: QtCamera) -> None:
    image = on_worker(qtbot, lambda: camera.preview_image(200))
    assert (image.width(), image.height()) == (200, 150)
    assert image.pixelColor(100, 20).lightness() > 200 and image.pixelColor(2, 2).lightness() < 120


def test_a_capture_from_a_worker_thread_is_full_size(qtbot: QtBot, camera: QtCamera) -> None:
    page = on_worker(qtbot, camera.capture)
    image = decoded(page.png)
    assert (page.width, page.height) == (640, 480) == (image.width(), image.height())
    assert image.pixelColor(320, 40).lightness() > 200


def test_listeners_get_grey_frames_until_they_stop(qtbot: QtBot, camera: QtCamera) -> None:
    got: list[np.ndarray] = []
    stop = camera.on_frame(got.append)
    qtbot.waitUntil(lambda: len(got) >= 3, timeout=4000)
    assert all(g.shape == (480, 640) and g.dtype == np.uint8 for g in got)
    assert got[-1][240, 320] > 200 and got[-1][2, 2] < 120  # page and desk, in grey
    stop()
    count = len(got)
    seen: list[np.ndarray] = []
    camera.on_frame(seen.append)
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=4000)
    assert len(got) == count


def test_a_failing_listener_does_not_stop_the_preview(qtbot: QtBot, camera: QtCamera) -> None:
    def broken(_gray: np.ndarray) -> None:
        raise ValueError("a decoder bug")

    camera.on_frame(broken)
    got: list[np.ndarray] = []
    camera.on_frame(got.append)
    with qtbot.captureExceptions():
        qtbot.waitUntil(lambda: len(got) >= 2, timeout=4000)


def test_the_grey_picture_of_a_full_hd_frame_is_cheap(qtbot: QtBot, full_hd_video: Path) -> None:
    cam = QtCamera.from_file(full_hd_video)
    times: list[float] = []
    shapes: list[tuple[int, ...]] = []

    def measure(frame: QVideoFrame) -> None:
        if frame.isValid():
            start = time.perf_counter()
            shapes.append(grey_picture(frame).shape)
            times.append(time.perf_counter() - start)

    cam.sink.videoFrameChanged.connect(measure)
    qtbot.waitUntil(lambda: len(times) >= 10, timeout=4000)
    cam.follow([])
    assert set(shapes) == {(1080, 1920)}
    assert statistics.median(times) < 0.005  # the luma plane, copied: about 0.3 ms


def test_an_unplugged_source_makes_the_camera_unavailable_until_it_is_back(
    qtbot: QtBot, camera: QtCamera, small_video: Path
) -> None:
    with qtbot.waitSignal(camera.state_changed, timeout=1000) as gone:
        camera.follow([CameraInfo("/dev/video9", "USB Camera")])
    assert gone.args == [False, UNPLUGGED] and not camera.available
    for call in (camera.capture, lambda: camera.frame(320)):
        with pytest.raises(DeviceError) as error:
            on_worker(qtbot, call)
        assert (error.value.message, error.value.fallback) == (UNPLUGGED, FALLBACK)
    with qtbot.waitSignal(camera.state_changed, timeout=1000) as back:
        camera.follow([QtCamera.file_info(small_video)])
    assert back.args == [True, ""]
    qtbot.waitUntil(lambda: _frame_or_none(camera) is not None, timeout=4000)


def _frame_or_none(camera: QtCamera) -> Page | None:
    try:
        return camera.frame(64)
    except DeviceError:
        return None


def test_without_any_camera_it_says_so_in_chinese(qtbot: QtBot) -> None:
    cam = QtCamera()  # QMediaDevices.videoInputs() is empty on the test machine
    assert not cam.available and cam.message == NOT_FOUND
    with pytest.raises(DeviceError) as error:
        on_worker(qtbot, cam.capture)
    assert (error.value.message, error.value.fallback) == (NOT_FOUND, FALLBACK)
    named = QtCamera("良田")
    assert "良田" in named.message and "设置" in named.message
    with pytest.raises(DeviceError):
        named.frame(320)


# -- choices on plain data ----------------------------------------------------------------------
MJPG_1080 = VideoFormat(1920, 1080, 30, "MJPG")
YUYV_1080 = VideoFormat(1920, 1080, 5, "YUYV")
YUYV_VGA = VideoFormat(640, 480, 30, "YUYV")
MJPG_5MP = VideoFormat(2592, 1944, 15, "MJPG")
WEBCAM = CameraInfo(
    "/dev/video0",
    "Integrated Camera",
    ((1280, 720),),
    (VideoFormat(1280, 720, 30, "MJPG"), YUYV_VGA),
)
DOC_CAM = CameraInfo(
    "/dev/video2", "S1000A3 Document Camera", (), (MJPG_5MP, MJPG_1080, YUYV_1080, YUYV_VGA)
)
BIG_WEBCAM = CameraInfo("/dev/video4", "USB 4K Camera", ((3840, 2160),), (MJPG_1080,))


def test_the_setting_names_a_camera_by_id_or_part_of_its_description() -> None:
    cameras = [WEBCAM, DOC_CAM, BIG_WEBCAM]
    assert choose_camera(cameras, "/dev/video0") == WEBCAM
    assert choose_camera(cameras, "integrated") == WEBCAM
    assert choose_camera(cameras, " 4K ") == BIG_WEBCAM
    assert choose_camera(cameras, "高拍仪") is None  # named but not plugged in: none, not another
    assert choose_camera([], "integrated") is None


def test_automatic_prefers_a_document_camera_then_the_largest_still() -> None:
    assert choose_camera([WEBCAM, DOC_CAM, BIG_WEBCAM], "") == DOC_CAM
    assert choose_camera([WEBCAM, BIG_WEBCAM], "") == BIG_WEBCAM  # 3840 × 2160 stills
    assert choose_camera([CameraInfo("x", "良田高拍仪"), WEBCAM], "") == CameraInfo(
        "x", "良田高拍仪"
    )
    assert choose_camera([], "") is None


def test_formats_preview_smooth_and_not_too_wide_stills_the_largest() -> None:
    formats = choose_formats(DOC_CAM)
    assert formats.preview == MJPG_1080  # MJPG at 30 frames/s, not raw at 5
    assert formats.still == MJPG_5MP
    assert choose_formats(DOC_CAM, max_preview_width=1280).preview == YUYV_VGA
    only_slow = CameraInfo("y", "slow", (), (YUYV_1080, VideoFormat(1280, 720, 10, "YUYV")))
    assert choose_formats(only_slow).preview == YUYV_1080  # nothing smooth: the largest
    only_huge = CameraInfo("z", "huge", (), (MJPG_5MP,))
    assert choose_formats(only_huge).preview == MJPG_5MP  # nothing narrow enough: still shown
    assert choose_formats(CameraInfo("w", "no formats")).preview is None


def test_hot_plug_keeps_the_camera_in_use_and_finds_it_under_a_new_path() -> None:
    assert follow_choice(None, [WEBCAM, DOC_CAM], "") == DOC_CAM
    assert follow_choice(DOC_CAM, [WEBCAM, DOC_CAM, BIG_WEBCAM], "") == DOC_CAM
    assert follow_choice(DOC_CAM, [WEBCAM], "") is None  # gone: not the webcam instead
    moved = CameraInfo("/dev/video3", DOC_CAM.description, (), DOC_CAM.formats)
    assert follow_choice(DOC_CAM, [WEBCAM, moved], "") == moved


formats_st = st.builds(
    VideoFormat,
    st.integers(1, 8000),
    st.integers(1, 6000),
    st.floats(0, 240, allow_nan=False),
    st.sampled_from(["MJPG", "YUYV", "NV12"]),
)
cameras_st = st.builds(
    CameraInfo,
    st.text(max_size=12),
    st.text(max_size=30),
    st.lists(st.tuples(st.integers(1, 9000), st.integers(1, 9000)), max_size=4).map(tuple),
    st.lists(formats_st, max_size=6).map(tuple),
)


@given(st.lists(cameras_st, max_size=5), st.text(max_size=10))
def test_any_device_list_gives_one_of_its_cameras_or_none(
    cameras: list[CameraInfo], wanted: str
) -> None:
    chosen = choose_camera(cameras, wanted)
    assert chosen is None or chosen in cameras
    assert chosen is not None or not cameras or wanted.strip()
    if chosen is not None:
        formats = choose_formats(chosen)
        assert formats.preview is None or formats.preview in chosen.formats
        assert formats.still is None or formats.still.area == max(f.area for f in chosen.formats)
    kept = follow_choice(chosen, cameras, wanted)
    assert kept is None or kept in cameras


# -- frames to pixels: what the camera saw, in each of the usual formats -------------------------
def _yuv_frame(
    pixel: QVideoFrameFormat.PixelFormat, full_range: bool
) -> tuple[QVideoFrame, np.ndarray, np.ndarray]:
    """A 64 × 48 colour gradient as a frame in ``pixel`` (planes written by hand), the picture,
    and its luma."""
    width, height = 64, 48
    x, y = np.meshgrid(np.arange(width), np.arange(height))
    bgr = np.dstack([x * 4, y * 5, 255 - x * 3]).astype(np.uint8)
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)  # video range
    if full_range:  # as MJPG cameras send it
        stretch = np.clip((i420[:height] - 16.0) * 255 / 219, 0, 255)
        chroma = np.clip((i420[height:] - 128.0) * 255 / 224 + 128, 0, 255)
        i420 = np.vstack([stretch, chroma]).round().astype(np.uint8)
    luma = i420[:height]
    u = i420[height : height + height // 4].reshape(height // 2, width // 2)
    v = i420[height + height // 4 :].reshape(height // 2, width // 2)
    planes = {
        QVideoFrameFormat.PixelFormat.Format_YUV420P: [luma, u, v],
        QVideoFrameFormat.PixelFormat.Format_YUV422P: [
            luma,
            np.repeat(u, 2, 0),
            np.repeat(v, 2, 0),
        ],
        QVideoFrameFormat.PixelFormat.Format_NV12: [
            luma,
            np.dstack([u, v]).reshape(height // 2, width),
        ],
        QVideoFrameFormat.PixelFormat.Format_YUYV: [
            np.dstack(
                [
                    luma.reshape(height, width // 2, 2)[:, :, 0],
                    np.repeat(u, 2, 0),
                    luma.reshape(height, width // 2, 2)[:, :, 1],
                    np.repeat(v, 2, 0),
                ]
            ).reshape(height, width * 2)
        ],
    }[pixel]
    surface = QVideoFrameFormat(QSize(width, height), pixel)
    surface.setColorRange(
        QVideoFrameFormat.ColorRange.ColorRange_Full
        if full_range
        else QVideoFrameFormat.ColorRange.ColorRange_Video
    )
    frame = QVideoFrame(surface)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for index, plane in enumerate(planes):
        stride = frame.bytesPerLine(index)
        target = np.frombuffer(frame.bits(index), np.uint8, count=stride * plane.shape[0])
        target.reshape(plane.shape[0], stride)[:, : plane.shape[1]] = plane
    frame.unmap()
    return frame, bgr, luma


@pytest.mark.parametrize("full_range", [False, True])
@pytest.mark.parametrize(
    "pixel",
    [
        QVideoFrameFormat.PixelFormat.Format_YUV420P,
        QVideoFrameFormat.PixelFormat.Format_YUV422P,
        QVideoFrameFormat.PixelFormat.Format_NV12,
        QVideoFrameFormat.PixelFormat.Format_YUYV,
    ],
)
def test_frames_become_the_pixels_the_camera_saw(
    pixel: QVideoFrameFormat.PixelFormat, full_range: bool
) -> None:
    frame, picture, luma = _yuv_frame(pixel, full_range)
    ours = frame_pixels(frame)
    assert ours is not None and ours.shape == (48, 64, 3)
    assert np.abs(ours.astype(int) - picture.astype(int)).mean() < 3
    assert np.array_equal(grey_picture(frame), luma)


def test_a_still_image_becomes_bgr_pixels() -> None:
    image = QImage(5, 3, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 20, 30))
    assert image_array(image).tolist() == [[[30, 20, 10]] * 5] * 3
    grey = QImage(5, 3, QImage.Format.Format_Grayscale8)
    grey.fill(QColor(77, 77, 77))
    assert image_array(grey).shape == (3, 5) and int(image_array(grey)[1, 1]) == 77


@pytest.mark.qt_log_ignore(*QT_NOISE, r"^Could not open media\. FFmpeg error description")
def test_a_missing_video_file_is_an_unavailable_camera(qtbot: QtBot, tmp_path: Path) -> None:
    cam = QtCamera.from_file(tmp_path / "gone.avi")
    qtbot.waitUntil(lambda: not cam.available, timeout=4000)
    assert cam.message.startswith("高拍仪出错") and "扫描好的文件" in cam.message
    with pytest.raises(DeviceError):
        cam.frame(320)
