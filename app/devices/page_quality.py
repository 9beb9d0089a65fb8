"""The page, made good automatically, as a document camera's own software does it: find the sheet
on the desk and straighten it (camera), or straighten a skewed scan (scanner), then check that a
person can read it — sharp, not blank, neither too dark nor burnt out, nothing cut off.

Pure functions on images (OpenCV and numpy, no Qt): the screens call them on a worker. Arrays are
in OpenCV's order: greyscale (H×W) or BGR/BGRA (H×W×3/4). Detection and checks work on small
copies; the one transform is applied to the full image once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast

import cv2
import numpy as np
import numpy.typing as npt

from app.devices.protocols import Batch, DeviceError, DocumentCapture, Page

Image = npt.NDArray[np.uint8]
AnyImage = npt.NDArray[Any]  # also 16-bit, float (0–1) or bool: see _as_image
Corners = npt.NDArray[np.float32]  # 4×2: top left, top right, bottom right, bottom left
Source = Literal["camera", "scanner"]
Code = Literal["blurred", "blank", "dark", "bright", "cut_off"]

# -- where the numbers come from ---------------------------------------------------------------
CHECK_SIDE = 1000  # the check measures a copy with this long side, so thresholds hold at any size
DETECT_SIDE = 800  # the sheet is looked for on a copy this size (±0.1 % of the side at 13 MP)
PAGE_SIDE = 1754  # a finished page's long side at most: A4 at 150 dpi, what app.cases.pages keeps
# Variance of the Laplacian (Pech-Pacheco et al. 2000), below 100 = blurred: the threshold of
# PyImageSearch's "Blur detection with OpenCV" (Rosebrock 2015) that document-check tools reuse.
# Measured in the tiles that hold text, so a sparse page is not called blurred. Generated A4
# pages at 150 dpi: sharp ~11000, Gaussian blur σ=2 ~520 (still readable), σ=3 ~80 (not).
SHARPNESS_MIN = 100.0
# NAPS2's blank-page detection (BlankDetectionImageOp, profile defaults WhiteThreshold 70 and
# CoverageThreshold 15): a pixel is ink below 1 + 0.70 × 254 = 179 of 255, and a page with ink
# on at most 0.15 % of it is blank; 1 % at each edge is ignored. Ours: 0.70 of the paper's level
# (= 179 on white paper), so a camera's greyer paper is judged the same way.
WHITE_FRACTION = 0.70
BLANK_COVERAGE = 0.0015
EDGE_IGNORE = 0.01
# Exposure (our own, to be tuned with real stills): the paper (90th percentile of luminance)
# below 100 of 255 is under-exposed: text then has less than 40 % of its normal contrast; a page
# whose darkest 0.1 % (its blackest ink) is lighter than 150 was burnt out (washed-out ink).
DARK_PAPER = 100.0
BLACK = 40.0  # nothing to see at all (a covered lens, no light): dark, whatever else
PAPER_MIN = 150.0  # a sheet under the camera's light is lighter than this; a bare desk is not
BRIGHT_INK = 150.0
FAINT_NOISE = 235.0  # scanner noise and dust stay above this: lighter is blank, not burnt out
# Cut off: ink on more than 1 % of one edge's length, in the outer EDGE_IGNORE band; a band
# inked along more than 60 % of its length is a frame or a shadow line, not cut-off content.
CUT_MIN, CUT_MAX = 0.01, 0.60
SKEW_MAX = 15.0  # degrees a scan is searched for; beyond that it was fed in sideways
SKEW_MIN = 0.2  # smaller skews are left alone (0.2° is 0.7 mm across A4): no needless resampling
SHEET_MIN = 0.05  # a sheet covers at least 5 % of the frame (an ID card under an A4 camera: ~8 %)
PNG_LEVEL = 1  # fast: the page is stored as JPEG inside the PDF; PNG only carries it there

_MESSAGES: dict[tuple[Code, Source], str] = {
    ("blurred", "camera"): "照片模糊：请把材料放平、拿稳，再拍一次。",
    ("blurred", "scanner"): "扫描件模糊：请把材料平贴在扫描玻璃上、盖好盖板，再扫一次。",
    ("blank", "camera"): "没有拍到内容：请把材料有字的一面朝上放在拍摄区域内，再拍一次。",
    ("blank", "scanner"): "这一页是空白的：请确认有字的一面朝向扫描玻璃；确是空白页可删去。",
    ("dark", "camera"): "照片太暗：请打开高拍仪的补光灯或改到光线充足处，再拍一次。",
    ("dark", "scanner"): "扫描件太暗：请调高扫描亮度或盖好盖板，再扫一次。",
    ("bright", "camera"): "照片太亮，字迹看不清：请调暗补光灯、避开反光，再拍一次。",
    ("bright", "scanner"): "扫描件太淡，字迹看不清：请调低扫描亮度，再扫一次。",
    ("cut_off", "camera"): "材料有一部分在画面外：请把整张材料放在拍摄区域内，再拍一次。",
    ("cut_off", "scanner"): "内容贴到了页面边缘，可能没有扫全：请把材料对齐扫描玻璃的边角再扫。",
}
_UNREADABLE = "高拍仪或扫描仪送来的图像无法识别：请再拍（扫）一次；一再出现请联系管理员。"


@dataclass(frozen=True)
class Problem:
    code: Code
    message: str  # what a person should do, in Chinese


@dataclass(frozen=True)
class Verdict:
    """What the check found, and the numbers it found it with (kept with the page)."""

    problems: tuple[Problem, ...] = ()
    measures: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def has(self, code: Code) -> bool:
        return any(p.code == code for p in self.problems)


# -- the sheet on the desk ---------------------------------------------------------------------


def find_document(image: AnyImage) -> Corners | None:
    """The corners of the light sheet on a darker desk, in ``image``'s pixels; None when there is
    no such sheet wholly inside the frame."""
    corners, _ = _find(_as_image(image))
    return corners


def straighten(image: AnyImage, corners: Corners, *, longest: int | None = None) -> Image:
    """The sheet inside ``corners`` seen from straight above: an upright rectangle of its
    proportion (opposite sides averaged), at its size in the frame or ``longest`` at most."""
    image = _as_image(image)
    quad: Corners = _points(corners).reshape(4, 2)
    width = (_dist(quad[0], quad[1]) + _dist(quad[3], quad[2])) / 2
    height = (_dist(quad[0], quad[3]) + _dist(quad[1], quad[2])) / 2
    scale = min(1.0, longest / max(width, height, 1.0)) if longest else 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if scale <= 0.5:  # a warp samples, it does not average: halve the sheet's part first
        x0, y0 = np.floor(quad.min(axis=0)).astype(int).clip(0)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
        image, quad = image[y0:y1, x0:x1], quad - _points([x0, y0])
        while scale <= 0.5 and min(image.shape[:2]) >= 2:
            image, quad, scale = _u8(cv2.pyrDown(image)), _points(quad / 2), scale * 2
    target = _points([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    matrix = cv2.getPerspectiveTransform(_points(quad), target)
    return _u8(
        cv2.warpPerspective(
            image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
    )


def _find(image: Image) -> tuple[Corners | None, bool]:
    """(corners, cut off): the sheet's corners, or None and whether a sheet runs off the frame."""
    grey, scale = _small_grey(image, DETECT_SIDE)
    if grey.shape[0] < 16 or grey.shape[1] < 16:
        return None, False
    blurred = cv2.GaussianBlur(grey, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = mask > 0
    if not paper.any() or paper.all():
        return None, False
    if np.median(blurred[paper]) - np.median(blurred[~paper]) < 30:
        return None, False  # one tone: a desk with nothing on it, or a sheet filling the frame
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    sheet = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(sheet)
    if area < SHEET_MIN * grey.size:
        return None, False
    x, y, w, h = cv2.boundingRect(sheet)
    if x <= 1 or y <= 1 or x + w >= grey.shape[1] - 1 or y + h >= grey.shape[0] - 1:
        return None, True
    hull = cv2.convexHull(sheet)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        quad = cv2.boxPoints(cv2.minAreaRect(hull))  # a curled or torn sheet: its box
    return _ordered(_points(quad).reshape(4, 2) / scale), False


def _ordered(quad: Corners) -> Corners:
    """Top left, top right, bottom right, bottom left (clockwise on screen from the top left)."""
    centre = quad.mean(axis=0)
    turn = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    ring = quad[np.argsort(turn)]  # clockwise on screen, y pointing down
    first = int(np.argmin(ring.sum(axis=1)))
    return _points(np.roll(ring, -first, axis=0))


def _dist(a: Corners, b: Corners) -> float:
    return float(np.hypot(*(a - b)))


# -- the skew of a scan ------------------------------------------------------------------------


def deskew(image: AnyImage) -> tuple[Image, float]:
    """A scanned page turned so its lines of text run level, and the skew that was found (degrees,
    counter-clockwise positive as OpenCV turns; within ±SKEW_MAX; 0 when there is no text)."""
    image = _as_image(image)
    angle = _skew(image)
    if abs(angle) < SKEW_MIN:
        return image, angle
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    small = _small(image, CHECK_SIDE)
    pixels = small.reshape(small.shape[0] * small.shape[1], -1)
    paper = [float(v) for v in np.percentile(pixels, 90, axis=0)]
    turned = cv2.warpAffine(
        image,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=paper,
    )
    return _u8(turned), angle


def _skew(image: Image) -> float:
    """The projection profile: turned by the right angle, ink piles up in few rows (lines of text)
    and the sum of squared row counts is largest. Coarse 0.5° steps, then 0.05° around the best."""
    grey, _ = _small_grey(image, CHECK_SIDE)
    paper = float(np.percentile(grey, 90))
    ys, xs = np.nonzero(grey < paper * WHITE_FRACTION)
    if len(xs) <= max(50, BLANK_COVERAGE * grey.size):
        return 0.0  # a blank page: a few specks of dust have no direction
    step = max(1, len(xs) // 40_000)  # every n-th ink pixel is plenty, and keeps it quick
    xs, ys = xs[::step].astype(np.float64), ys[::step].astype(np.float64)
    xs -= grey.shape[1] / 2
    ys -= grey.shape[0] / 2
    span = int(np.hypot(*grey.shape)) + 2

    def score(degrees: float) -> float:
        theta = np.deg2rad(degrees)
        rows = (ys * np.cos(theta) + xs * np.sin(theta) + span / 2).astype(np.intp)
        counts = np.bincount(rows, minlength=span).astype(np.float64)
        return float(np.dot(counts, counts))

    coarse = np.arange(-SKEW_MAX, SKEW_MAX + 0.25, 0.5)
    best = float(coarse[int(np.argmax([score(a) for a in coarse]))])
    fine = np.arange(best - 0.5, best + 0.525, 0.05)
    scores = [score(a) for a in fine]
    best = float(fine[int(np.argmax(scores))])
    if max(scores) < 1.05 * score(0.0):
        return 0.0  # no lines to speak of (a photo, a stamp): leave it as it is
    return round(float(np.clip(best, -SKEW_MAX, SKEW_MAX)), 2)


# -- can a person read it ----------------------------------------------------------------------


def check(image: AnyImage, *, source: Source = "camera") -> Verdict:
    """The quality of one page. Only the telling problems are named: a dark or burnt-out page is
    not also called blurred or blank, a blank one not also blurred."""
    measures = _measure(image)
    codes: list[Code] = []
    if measures["paper"] < BLACK:
        codes.append("dark")
    elif measures["ink"] <= BLANK_COVERAGE:
        burnt = measures["ink_level"] < FAINT_NOISE and measures["paper"] >= 250
        codes.append("bright" if burnt else "blank")
    elif measures["paper"] < DARK_PAPER:
        codes.append("dark")
    else:
        if measures["ink_level"] > BRIGHT_INK:
            codes.append("bright")
        elif measures["sharpness"] < SHARPNESS_MIN:
            codes.append("blurred")
        if CUT_MIN < measures["edge_ink"] <= CUT_MAX:
            codes.append("cut_off")
    return Verdict(tuple(problem(code, source) for code in codes), measures)


def problem(code: Code, source: Source = "camera") -> Problem:
    return Problem(code, _MESSAGES[code, source])


def _measure(image: Image) -> dict[str, float]:
    grey, _ = _small_grey(_as_image(image), CHECK_SIDE)
    height, width = grey.shape
    levels = np.cumsum(np.bincount(grey.ravel(), minlength=256)) / grey.size
    paper, ink_level = (float(np.searchsorted(levels, q)) for q in (0.90, 0.001))
    inked = grey < paper * WHITE_FRACTION
    dy, dx = int(height * EDGE_IGNORE), int(width * EDGE_IGNORE)
    inner = inked[dy : height - dy, dx : width - dx]
    ink = float(inner.mean()) if inner.size else 0.0
    return {
        "paper": paper,
        "ink_level": ink_level,
        "mean": round(float(grey.mean()), 1),
        "ink": round(ink, 5),
        "sharpness": round(_sharpness(grey, inked), 1),
        "edge_ink": round(_edge_ink(inked, max(1, dy), max(1, dx)), 4),
    }


def _sharpness(grey: Image, inked: npt.NDArray[np.bool_]) -> float:
    """Variance of the Laplacian, the median over the 8×8 tiles that hold text (some ink, not
    all ink: a tile of text is what the published threshold was set on)."""
    if min(grey.shape) < 24:
        return 0.0
    laplacian = cast(npt.NDArray[np.float32], cv2.Laplacian(grey, cv2.CV_32F))
    mean, square = _tiles(laplacian), _tiles(laplacian * laplacian)
    share = _tiles(inked.astype(np.float32))
    text = (share > 0.005) & (share <= 0.5)
    if not text.any():
        return 0.0
    return float(np.median((square - mean * mean)[text]))


def _tiles(values: npt.NDArray[np.float32], count: int = 8) -> npt.NDArray[np.float32]:
    """The mean of each of count × count tiles (the last rows and columns left over, if any)."""
    height, width = (side - side % count for side in values.shape[:2])
    blocks = values[:height, :width].reshape(count, height // count, count, width // count)
    return cast(npt.NDArray[np.float32], blocks.mean(axis=(1, 3), dtype=np.float32))


def _edge_ink(inked: npt.NDArray[np.bool_], dy: int, dx: int) -> float:
    """The largest share of one edge's length with ink in its outer band, frames left out."""
    bands = (
        inked[:dy].any(axis=0),
        inked[-dy:].any(axis=0),
        inked[:, :dx].any(axis=1),
        inked[:, -dx:].any(axis=1),
    )
    shares = [float(b.mean()) for b in bands if b.size]
    return max((s for s in shares if s <= CUT_MAX), default=0.0)


# -- the whole way from a still to a page ------------------------------------------------------


def make_good(still: bytes | AnyImage, *, source: Source) -> tuple[Page, Verdict]:
    """A captured still (image bytes or an array) as the page to keep, and its check. A camera's
    sheet is found and straightened (kept whole when none is found); a scan is deskewed. Colour
    stays colour (seals, photos, certificates), grey stays grey; at most A4 at 150 dpi."""
    image = _decode(still) if isinstance(still, bytes) else _as_image(still)
    extra: dict[str, float] = {}
    cut = False
    if source == "camera":
        corners, cut = _find(image)
        extra["sheet_found"] = float(corners is not None)
        if corners is not None:
            image = straighten(image, _inset(corners), longest=PAGE_SIDE)
    else:
        image, angle = deskew(image)
        extra["skew"] = angle
    image = _small(image, PAGE_SIDE)
    verdict = check(image, source=source)
    problems = verdict.problems
    if cut and not verdict.has("cut_off") and not verdict.has("blank"):
        problems = (*problems, problem("cut_off", source))
    desk = source == "camera" and extra["sheet_found"] == 0 and not cut
    if desk and verdict.measures["paper"] < PAPER_MIN and not verdict.has("dark"):
        problems = (problem("blank", source),)  # no sheet, and too grey to be one: an empty desk
    verdict = Verdict(problems, verdict.measures | extra)
    ok, png = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 grey or BGR image
        raise DeviceError(_UNREADABLE)
    kept = Page(
        png.tobytes(),
        image.shape[1],
        image.shape[0],
        tuple(found.message for found in verdict.problems),
        tuple(sorted(verdict.measures.items())),
    )
    return kept, verdict


class MadeGood:
    """A camera or scanner whose pages come out cropped, straightened and checked; everything
    else (its name, preview, check) is the device's own."""

    def __init__(self, device: DocumentCapture, source: Source) -> None:
        self.device = device
        self.source: Source = source

    def __getattr__(self, name: str) -> Any:
        return getattr(self.device, name)

    def capture(self) -> Page:
        return make_good(self.device.capture().png, source=self.source)[0]

    def scan(self) -> list[Page]:
        pages = self.device.scan() if isinstance(self.device, Batch) else [self.device.capture()]
        return [make_good(page.png, source=self.source)[0] for page in pages]


def _inset(corners: Corners) -> Corners:
    """The corners moved 0.4 % towards the centre, so no sliver of desk stays at the edges."""
    centre = corners.mean(axis=0)
    return _points(centre + (corners - centre) * 0.992)


def _decode(data: bytes) -> Image:
    buffer = np.frombuffer(data, np.uint8)
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED) if buffer.size else None
    if image is None:
        raise DeviceError(_UNREADABLE, fallback="可以改用扫描好的文件（选择文件）。")
    return _as_image(image)


def _as_image(image: AnyImage) -> Image:
    """Grey or BGR, 8 bits: 16-bit and float (0–1) images are scaled, alpha is laid on white."""
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    channels = array.shape[2] if array.ndim == 3 else 1
    if array.size == 0 or array.ndim not in (2, 3) or channels not in (1, 3, 4):
        raise DeviceError(_UNREADABLE)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype == np.uint16:
        array = (array >> 8).astype(np.uint8)
    elif array.dtype in (np.float32, np.float64):
        array = (np.nan_to_num(array.astype(np.float64), nan=0.0).clip(0, 1) * 255).round()
        array = array.astype(np.uint8)
    elif array.dtype != np.uint8:
        raise DeviceError(_UNREADABLE)
    if array.ndim == 3 and array.shape[2] == 4:
        alpha = array[:, :, 3:].astype(np.float32) / 255
        array = (array[:, :, :3] * alpha + 255 * (1 - alpha)).round().astype(np.uint8)
    return np.ascontiguousarray(array)


def _u8(image: Any) -> Image:
    """What OpenCV returned for an 8-bit image (its stubs say only "a Mat or an array")."""
    return cast(Image, image)


def _points(values: Any) -> Corners:
    return np.asarray(values, dtype=np.float32)


def _small_grey(image: Image, longest: int) -> tuple[Image, float]:
    """A grey copy no longer than ``longest``, and its scale."""
    grey = _u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)) if image.ndim == 3 else image
    small = _small(grey, longest)
    return small, small.shape[1] / image.shape[1]


def _small(image: Image, longest: int) -> Image:
    """``image`` no longer than ``longest``, or itself: halved with a Gaussian (no aliasing) while
    that is too big, then linear for the rest (OpenCV's INTER_AREA is ten times slower)."""
    while max(image.shape[:2]) >= 2 * longest:
        image = _u8(cv2.pyrDown(image))
    scale = longest / max(image.shape[:2])
    if scale >= 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return _u8(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR))
