"""Which camera and which of its formats: a document camera (高拍仪) or a kiosk camera chosen
from the devices plugged in, as plain data, so the choices and hot-plug are tested without a
camera (the Qt side is :mod:`app.widgets.camera`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Descriptions that suggest a document camera (brands sold to service halls included).
DOCUMENT_WORDS = (
    "高拍",
    "document",
    "doc cam",
    "doccam",
    "visualizer",
    "visualiser",
    "scanner",
    "book",
    "eloam",
    "czur",
    "良田",
    "捷宇",
    "汉王",
)
PREVIEW_MAX_WIDTH = 1920
SMOOTH_FPS = 15.0


@dataclass(frozen=True)
class VideoFormat:
    width: int
    height: int
    fps: float
    pixel: str  # "MJPG", "YUYV", "NV12" …

    @property
    def area(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class CameraInfo:
    """A camera as the operating system lists it (or a video file standing in for one)."""

    id: str
    description: str
    photo_sizes: tuple[tuple[int, int], ...] = ()
    formats: tuple[VideoFormat, ...] = ()

    @property
    def still_area(self) -> int:
        sizes = [w * h for w, h in self.photo_sizes] + [f.area for f in self.formats]
        return max(sizes, default=0)


@dataclass(frozen=True)
class Formats:
    preview: VideoFormat | None  # the stream while a person looks
    still: VideoFormat | None  # the stream a page is taken from: the largest


def looks_like_document_camera(description: str) -> bool:
    text = description.casefold()
    return any(word in text for word in DOCUMENT_WORDS)


def choose_camera(devices: Sequence[CameraInfo], wanted: str) -> CameraInfo | None:
    """The camera the setting ``wanted`` names (an id, or part of the description); when empty,
    a document camera if one is plugged in, else the camera with the largest still."""
    wanted = wanted.strip()
    if wanted:
        exact = [d for d in devices if d.id == wanted]
        named = [d for d in devices if wanted.casefold() in d.description.casefold()]
        return next(iter(exact or named), None)
    documents = [d for d in devices if looks_like_document_camera(d.description)]
    return max(documents or devices, key=lambda d: d.still_area, default=None)


def choose_formats(camera: CameraInfo, max_preview_width: int = PREVIEW_MAX_WIDTH) -> Formats:
    """A smooth preview (at most ``max_preview_width`` wide, ≥ 15 frames/s when offered, MJPG
    before raw at the same size: raw 1080p does not fit USB 2 at speed) and the largest format
    for stills."""
    if not camera.formats:
        return Formats(None, None)

    def mjpg(f: VideoFormat) -> bool:
        return f.pixel == "MJPG"

    narrow = [f for f in camera.formats if f.width <= max_preview_width] or list(camera.formats)
    preview = max(narrow, key=lambda f: (f.fps >= SMOOTH_FPS, f.area, mjpg(f), f.fps))
    still = max(camera.formats, key=lambda f: (f.area, mjpg(f), f.fps))
    return Formats(preview, still)


def follow_choice(
    current: CameraInfo | None, devices: Sequence[CameraInfo], wanted: str
) -> CameraInfo | None:
    """The camera to use after the list of devices changed: the one in use while it is there
    (or back again, perhaps under a new device path), else the setting's choice when none was
    in use yet."""
    if current is None:
        return choose_camera(devices, wanted)
    same = [d for d in devices if d.id == current.id]
    renamed = [d for d in devices if d.description == current.description]
    return next(iter(same or renamed), None)
