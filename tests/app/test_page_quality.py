"""The page made good automatically (app.devices.page_quality): generated pages and stills, each with
the verdict a person would give it, the sheet found and straightened, a skewed scan turned level,
and no image — however odd — making it raise anything but a DeviceError."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from app.devices import page_quality as pages
from app.devices.protocols import DeviceError, Page
from tests import page_samples as samples

PAGE = samples.text_page()
HALF = (2104, 1560)  # a smaller still keeps the tests quick; one test takes the full 13 MP


def _codes(verdict: pages.Verdict) -> tuple[str, ...]:
    return tuple(p.code for p in verdict.problems)


def _decoded(page: Page) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(page.png, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None and (image.shape[1], image.shape[0]) == (page.width, page.height)
    return image


# -- check: what a person would say about each page --------------------------------------------


def test_a_sharp_page_in_grey_or_colour_passes() -> None:
    for page in (PAGE, samples.text_page(colour=True), samples.text_page((2480, 3508))):
        verdict = pages.check(page)
        assert verdict.ok and verdict.problems == (), verdict
        assert verdict.measures["sharpness"] > 10 * pages.SHARPNESS_MIN
        assert verdict.measures["ink"] > 0.05


@pytest.mark.parametrize(
    ("name", "image", "codes"),
    [
        ("blurred", samples.blurred(PAGE, 3.0), ("blurred",)),
        ("blank", samples.blank(), ("blank",)),
        ("dusty blank", samples.blank(dusty=True), ("blank",)),
        ("too dark", samples.dark(PAGE), ("dark",)),
        ("black", np.zeros((600, 400), np.uint8), ("dark",)),
        ("burnt out", samples.burnt_out(PAGE), ("bright",)),
        ("cut at the edge", PAGE[400:, 350:], ("cut_off",)),
    ],
)
def test_each_fault_gets_its_verdict(name: str, image: np.ndarray, codes: tuple[str, ...]) -> None:
    verdict = pages.check(image)
    assert _codes(verdict) == codes, (name, verdict.measures)
    assert not verdict.ok
    for problem in verdict.problems:
        assert "请" in problem.message  # says what to do
    assert set(verdict.measures) >= {"sharpness", "ink", "paper", "ink_level", "edge_ink"}


def test_slightly_soft_and_sparse_pages_are_not_called_blurred() -> None:
    assert pages.check(samples.blurred(PAGE, 1.5)).ok  # readable: no retake for that
    sparse = PAGE.copy()
    sparse[400:] = 250  # a title and a few lines
    assert pages.check(sparse).ok


def test_messages_fit_the_device() -> None:
    camera = pages.check(samples.blurred(PAGE, 3.0))
    scanner = pages.check(samples.blurred(PAGE, 3.0), source="scanner")
    assert camera.problems[0].message == "照片模糊：请把材料放平、拿稳，再拍一次。"
    assert "扫描" in scanner.problems[0].message


# -- scanner: the skew of the text ------------------------------------------------------------


@pytest.mark.parametrize("degrees", [3.0, -7.3, 0.6, 14.0, -12.5])
def test_a_skewed_scan_is_turned_level(degrees: float) -> None:
    turned, angle = pages.deskew(samples.rotated(PAGE, degrees))
    assert angle == pytest.approx(degrees, abs=0.5)
    assert turned.shape == PAGE.shape
    _, again = pages.deskew(turned)
    assert abs(again) < 0.5
    assert pages.check(turned).ok


def test_a_straight_or_empty_scan_is_left_alone() -> None:
    for image in (PAGE, samples.blank(dusty=True)):
        turned, angle = pages.deskew(image)
        assert turned is image and angle == 0.0


# -- camera: the sheet on the desk -------------------------------------------------------------


def test_the_sheet_is_found_and_straightened() -> None:
    corners = samples.TILTED / 2
    colour = samples.text_page(colour=True)
    still = samples.on_desk(colour, corners, HALF)
    found = pages.find_document(still)
    assert found is not None
    side = np.hypot(*(corners[0] - corners[3]))
    assert np.abs(found - corners).max() < 0.02 * side
    flat = pages.straighten(still, found)
    assert flat.shape[0] > flat.shape[1]  # upright, as the sheet lies
    # the same page again: compared with the original at the same size, lines blurred into bands
    again, original = (
        cv2.GaussianBlur(cv2.resize(image, samples.A4), (0, 0), 4.0).ravel()
        for image in (flat, colour)
    )
    assert np.corrcoef(again.astype(float), original.astype(float))[0, 1] > 0.9


def test_a_sheet_partly_out_of_the_frame() -> None:
    still = samples.on_desk(PAGE, samples.OUT_OF_FRAME / 2, HALF)
    assert pages.find_document(still) is None
    page, verdict = pages.make_good(still, source="camera")
    assert (page.width, page.height) == (1754, 1300)  # kept whole (at most A4 at 150 dpi)
    assert _codes(verdict) == ("cut_off",) and verdict.measures["sheet_found"] == 0.0
    assert "画面外" in verdict.problems[0].message


def test_an_empty_desk_has_nothing_on_it() -> None:
    empty = samples.on_desk(PAGE, np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32) - 10, HALF)
    assert pages.find_document(empty) is None
    _, verdict = pages.make_good(empty, source="camera")
    assert _codes(verdict) == ("blank",)


def test_a_13_megapixel_still_becomes_an_a4_page() -> None:
    colour = samples.text_page(colour=True)
    still = samples.on_desk(colour, samples.TILTED)
    data = cv2.imencode(".jpg", still, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    page, verdict = pages.make_good(data, source="camera")
    assert verdict.ok, verdict
    assert verdict.measures["sheet_found"] == 1.0
    assert max(page.width, page.height) == pages.PAGE_SIDE  # A4 at 150 dpi, as cases keep it
    image = _decoded(page)
    assert image.ndim == 3  # colour stays colour: the red seal
    red = (image[:, :, 2] > 150) & (image[:, :, 1] < 100)
    assert red.mean() > 0.001


def test_a_scan_stays_grey_and_is_deskewed() -> None:
    data = cv2.imencode(".png", samples.rotated(PAGE, -4.0))[1].tobytes()
    page, verdict = pages.make_good(data, source="scanner")
    assert verdict.ok and verdict.measures["skew"] == pytest.approx(-4.0, abs=0.5)
    assert _decoded(page).ndim == 2 and (page.width, page.height) == samples.A4


def test_a_blurred_photo_is_kept_with_its_verdict() -> None:
    still = samples.blurred(samples.on_desk(PAGE, samples.TILTED / 2, HALF), 2.5)
    page, verdict = pages.make_good(still, source="camera")
    assert _codes(verdict) == ("blurred",) and verdict.measures["sheet_found"] == 1.0
    assert page.height > page.width


# -- whatever comes in ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + bytes(40)])
def test_undecodable_bytes_say_what_to_do(data: bytes) -> None:
    with pytest.raises(DeviceError, match="图像无法识别") as raised:
        pages.make_good(data, source="camera")
    assert "请" in raised.value.message


@pytest.mark.parametrize(
    "array",
    [
        np.zeros((0, 5), np.uint8),
        np.zeros((4, 4, 2), np.uint8),
        np.zeros((4, 4), np.int32),
        np.zeros((2, 2, 2, 2), np.uint8),
        np.zeros((4, 4), np.complex64),
    ],
)
def test_arrays_it_cannot_take(array: np.ndarray) -> None:
    with pytest.raises(DeviceError):
        pages.check(array)


_shapes = st.tuples(st.integers(1, 48), st.integers(1, 48), st.sampled_from([0, 1, 3, 4]))
_dtypes = st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, np.bool_])


@st.composite
def _images(draw: st.DrawFn) -> np.ndarray:
    height, width, channels = draw(_shapes)
    shape = (height, width) if channels == 0 else (height, width, channels)
    dtype = draw(_dtypes)
    fill = draw(st.sampled_from(["random", "zeros", "ones", "max"]))
    if fill == "random":
        return draw(hnp.arrays(dtype, shape))
    value = {
        "zeros": 0,
        "ones": 1,
        "max": np.iinfo(dtype).max if dtype in (np.uint8, np.uint16) else 1,
    }
    return np.full(shape, value[fill], dtype)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_images(), st.sampled_from(["camera", "scanner"]))
def test_no_small_image_makes_it_raise(image: np.ndarray, source: str) -> None:
    verdict = pages.check(image)
    assert isinstance(verdict, pages.Verdict)
    page, made = pages.make_good(image, source=source)  # type: ignore[arg-type]
    assert page.width >= 1 and page.height >= 1 and _decoded(page) is not None
    assert all(np.isfinite(v) for v in made.measures.values())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_page_or_a_device_error(data: bytes) -> None:
    try:
        page, _ = pages.make_good(data, source="scanner")
    except DeviceError as error:
        assert "请" in error.message
    else:
        assert page.width >= 1
