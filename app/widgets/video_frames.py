"""Camera frames as numpy arrays and PNGs, converted by OpenCV.

Why not ``QVideoFrame.toImage()`` and ``QImage.save()`` on the worker thread: PySide6 holds
Python's lock (the GIL) through those calls, so while a worker converts or encodes a frame
(5–10 ms for a 1920 × 1080 frame, a tenth of a second to encode a large still) the GUI thread
cannot run a single Python slot, and the preview stutters. OpenCV lets go of the lock while it
converts, scales and encodes; the few copies left to numpy take well under a millisecond.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QtVideo, QVideoFrame, QVideoFrameFormat

Pixels = npt.NDArray[np.uint8]  # height × width (grey) or height × width × 3 (BGR)
Format = QVideoFrameFormat.PixelFormat

# Formats whose first plane is the luma (Y) at full size, one byte a pixel.
_LUMA_PLANE = {
    Format.Format_YUV420P,
    Format.Format_YUV422P,
    Format.Format_YV12,
    Format.Format_NV12,
    Format.Format_NV21,
    Format.Format_IMC1,
    Format.Format_IMC2,
    Format.Format_IMC3,
    Format.Format_IMC4,
    Format.Format_Y8,
}
# Packed 4:2:2: the luma is every other byte, from this offset.
_PACKED_LUMA = {Format.Format_YUYV: 0, Format.Format_UYVY: 1}
# Planar and semi-planar 4:2:0 (planes in memory order) and packed 4:2:2, as OpenCV names them.
_PLANAR = {
    Format.Format_YUV420P: cv2.COLOR_YUV2BGR_I420,
    Format.Format_YV12: cv2.COLOR_YUV2BGR_YV12,
}
_SEMI_PLANAR = {
    Format.Format_NV12: cv2.COLOR_YUV2BGR_NV12,
    Format.Format_NV21: cv2.COLOR_YUV2BGR_NV21,
}
_PACKED = {Format.Format_YUYV: cv2.COLOR_YUV2BGR_YUYV, Format.Format_UYVY: cv2.COLOR_YUV2BGR_UYVY}
# Planar 4:2:2 (MJPG cameras often send it) is packed as YUYV first.
_BY_OPENCV = {*_PLANAR, *_SEMI_PLANAR, *_PACKED, Format.Format_YUV422P, Format.Format_Jpeg}


def grey_picture(frame: QVideoFrame) -> Pixels:
    """The frame in grey, height × width, a copy: the luma plane as it is when the frame has
    one (about 0.2 ms at 1920 × 1080), else through a QImage."""
    pixel = frame.pixelFormat()
    if (pixel in _LUMA_PLANE or pixel in _PACKED_LUMA) and frame.map(QVideoFrame.MapMode.ReadOnly):
        try:
            rows = _plane(frame, 0, frame.height())
            start = _PACKED_LUMA.get(pixel)
            width = frame.width()
            luma = rows[:, :width] if start is None else rows[:, start : start + 2 * width : 2]
            return luma.copy()
        finally:
            frame.unmap()
    image = frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return image_array(image)


def frame_pixels(frame: QVideoFrame) -> Pixels | None:
    """The frame in colour (BGR) at full size, or None when it holds no picture. The usual
    camera formats (4:2:0, 4:2:2, MJPG) go through OpenCV; others, and frames to be turned or
    mirrored, through Qt."""
    pixel = frame.pixelFormat()
    width, height = frame.width(), frame.height()
    plain = frame.rotation() == QtVideo.Rotation.None_ and not frame.mirrored()
    even = width % 2 == 0 and height % 2 == 0
    if plain and even and pixel in _BY_OPENCV and frame.map(QVideoFrame.MapMode.ReadOnly):
        try:
            if pixel == Format.Format_Jpeg:
                data = np.frombuffer(frame.bits(0), np.uint8, count=frame.mappedBytes(0)).copy()
                decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
                return None if decoded is None else np.asarray(decoded, np.uint8)
            if pixel in _PACKED:
                raw = _plane(frame, 0, height)[:, : 2 * width].reshape(height, width, 2)
                yuv = raw.copy()  # a copy before unmapping (a contiguous view would not be one)
            elif pixel == Format.Format_YUV422P:
                yuv, pixel = _as_yuyv(frame, width, height), Format.Format_YUYV
            else:
                yuv = _planes(frame, pixel, width, height)
        finally:
            frame.unmap()
        if frame.surfaceFormat().colorRange() == QVideoFrameFormat.ColorRange.ColorRange_Full:
            yuv = _to_video_range(yuv, pixel, height)
        code = _PLANAR.get(pixel) or _SEMI_PLANAR.get(pixel) or _PACKED[pixel]
        return np.asarray(cv2.cvtColor(yuv, code))
    image = frame.toImage()
    if image.isNull():
        return None
    return image_array(image.convertToFormat(QImage.Format.Format_BGR888))


def _as_yuyv(frame: QVideoFrame, width: int, height: int) -> Pixels:
    """A mapped planar 4:2:2 frame's planes interleaved as YUYV."""
    yuyv = np.empty((height, width, 2), np.uint8)
    yuyv[:, :, 0] = _plane(frame, 0, height)[:, :width]
    yuyv[:, 0::2, 1] = _plane(frame, 1, height)[:, : width // 2]
    yuyv[:, 1::2, 1] = _plane(frame, 2, height)[:, : width // 2]
    return yuyv


def _planes(frame: QVideoFrame, pixel: Format, width: int, height: int) -> Pixels:
    """A mapped 4:2:0 frame's planes, strides dropped, one after the other as OpenCV has them."""
    chroma_planes = (1, 2) if pixel in _PLANAR else (1,)
    parts = [_plane(frame, 0, height)[:, :width]]
    chroma_width = width // 2 if pixel in _PLANAR else width
    parts += [_plane(frame, i, height // 2)[:, :chroma_width] for i in chroma_planes]
    return np.concatenate([part.ravel() for part in parts]).reshape(height * 3 // 2, width)


def image_array(image: QImage) -> Pixels:
    """A copy of a grey, BGR888 or RGB32 QImage's pixels (RGB32 lies in memory as B, G, R, x)."""
    depth = {QImage.Format.Format_Grayscale8: 1, QImage.Format.Format_BGR888: 3}.get(
        image.format(), 4
    )
    if depth == 4 and image.format() not in (
        QImage.Format.Format_RGB32,
        QImage.Format.Format_ARGB32,
    ):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    height, stride = image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    pixels = rows[:, : image.width() * depth]
    if depth == 1:
        return pixels.copy()
    # Always a copy: the image's memory goes with the image (often a temporary conversion), and
    # ascontiguousarray gives a view when the rows happen to have no padding.
    return pixels.reshape(height, image.width(), depth)[:, :, :3].copy()


def scaled(pixels: Pixels, width: int) -> Pixels:
    """Smaller, for a preview: averaged down by a whole factor first (OpenCV's fast path),
    then to the width."""
    height = max(1, round(pixels.shape[0] * width / pixels.shape[1]))
    factor = pixels.shape[1] // width
    if factor >= 2:
        pixels = np.asarray(
            cv2.resize(pixels, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
        )
    return np.asarray(cv2.resize(pixels, (width, height), interpolation=cv2.INTER_LINEAR))


def png(pixels: Pixels, *, quick: bool) -> bytes:
    """PNG bytes; ``quick`` (zlib level 1) for a preview that lives a moment, level 3 for a page
    that is kept."""
    ok, data = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 1 if quick else 3])
    if not ok:
        raise ValueError("PNG encoding failed")
    return bytes(data)


def _plane(frame: QVideoFrame, plane: int, rows: int) -> Pixels:
    """A mapped plane's rows, stride included (a view: copy before unmapping)."""
    stride = frame.bytesPerLine(plane)
    return np.frombuffer(frame.bits(plane), np.uint8, count=stride * rows).reshape(rows, stride)


def _to_video_range(yuv: Pixels, pixel: Format, height: int) -> Pixels:
    """Full-range (JPEG) YUV to the 16–235 video range that OpenCV's conversion expects: MJPG
    cameras send full range."""
    if pixel in _PACKED:  # two channels: Y and alternating U/V, in the format's order
        tables = (_LUMA, _CHROMA) if pixel == Format.Format_YUYV else (_CHROMA, _LUMA)
        return np.asarray(cv2.LUT(yuv, np.dstack(tables)))
    return np.vstack([cv2.LUT(yuv[:height], _LUMA), cv2.LUT(yuv[height:], _CHROMA)])


_LUMA = np.round(16 + np.arange(256) * 219 / 255).astype(np.uint8).reshape(1, 256)
_CHROMA = np.round(128 + (np.arange(256) - 128) * 224 / 255).astype(np.uint8).reshape(1, 256)
