"""Who issues a document and its 文号: the organ and the number pattern from the settings, the
case's number in its year (never its whole receipt number), and the seal area."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pydantic import ValidationError

from app.cases.receipts import YearSerial
from app.errors import SettingsError
from app.settings import HallSettings, PrintingSettings, Settings, load_settings
from printing.a4 import Letterhead
from printing.samples import PDF_NAMES, sample_pdf
from tests.helpers.keys import ring

KEY = ring(b"test-hall-secret")
WORDS = {
    "acceptance": "受字",
    "commitment": "诺字",
    "reminder": "催字",
    "not_accepted": "不受字",
    "supplement": "补字",
    "delivery": "送字",
    "withdrawal": "撤字",
}


def _text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _settings(**printing: object) -> Settings:
    return Settings(
        hall=HallSettings(name="岳麓区政务服务中心", office="综合受理窗口"),
        printing=PrintingSettings.model_validate(printing),
    )


@pytest.mark.parametrize("name", [n for n in PDF_NAMES if n != "plan"])
def test_the_number_and_the_issuer_come_from_the_settings(name: str, tmp_path: Path) -> None:
    settings = _settings(
        organ="长沙市岳麓区行政审批服务局", number_pattern="岳审{kind}〔{year}〕{seq:04d}号"
    )
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(sample_pdf(name, Letterhead.of(settings), KEY))
    text = _text(pdf)
    assert f"岳审{WORDS[name]}〔2026〕0001号" in text  # the sample is the first case of its year
    body = text.split("\n", 1)[1]  # below the running header, which shows the receipt number
    assert not re.search(r"〔2026〕\S*430100001-20261123", body)
    seal = body[body.rindex("日期") :]  # the seal area closes the document
    assert "长沙市岳麓区行政审批服务局" in seal and "综合受理窗口" not in seal
    # a reminder is dated the day it is printed, the others the day of their decision
    assert ("2026年12月09日" if name == "reminder" else "2026年11月23日") in seal


def test_the_default_number_and_the_hall_as_issuer(tmp_path: Path) -> None:
    pdf = tmp_path / "acceptance.pdf"
    pdf.write_bytes(sample_pdf("acceptance", Letterhead.of(_settings()), KEY))
    text = re.sub(r"\s+", "", _text(pdf))
    assert "长政务受字〔2026〕第00001号" in text
    assert "受理机关岳麓区政务服务中心" in text and "受理窗口综合受理窗口" in text


def test_without_a_seal_image_the_place_to_stamp(tmp_path: Path) -> None:
    pdf = tmp_path / "acceptance.pdf"
    pdf.write_bytes(sample_pdf("acceptance", Letterhead.of(_settings()), KEY))
    assert "受理专用章" in _text(pdf) and "盖章处" in _text(pdf)
    assert _images(pdf) == 0


def test_the_seal_image_from_the_settings(tmp_path: Path) -> None:
    seal = tmp_path / "seal.png"
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 390, 390), outline=(220, 0, 0, 255), width=14)
    image.save(seal)
    pdf = tmp_path / "acceptance.pdf"
    pdf.write_bytes(sample_pdf("acceptance", Letterhead.of(_settings(seal_image=seal)), KEY))
    assert _images(pdf) >= 1 and "盖章处" not in _text(pdf)


def _images(pdf: Path) -> int:
    done = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    )
    return len(done.stdout.splitlines()[2:])


@pytest.mark.parametrize(
    "pattern",
    [
        "{kind}{year}",
        "第{seq:05d",
        "{seq.real}",
        "{serial}",
        "{seq:099999999d}",
        "{kind!r}{seq}",
        "{seq:s}",
    ],
)
def test_a_wrong_pattern_is_refused_in_chinese(pattern: str, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"[printing]\nnumber_pattern = '{pattern}'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="printing.number_pattern：文号格式") as caught:
        load_settings(path)
    assert "请写成如" in str(caught.value)


@given(st.text(max_size=40))
def test_any_pattern_is_taken_or_refused_with_a_reason(pattern: str) -> None:
    try:
        settings = PrintingSettings(number_pattern=pattern)
    except ValidationError as exc:
        (error,) = exc.errors()
        assert error["type"] == "number_pattern" and "文号格式" in error["msg"]
    else:
        letterhead = Letterhead("厅", "窗口", "", "", number_pattern=settings.number_pattern)
        assert "17" in letterhead.number("受字", YearSerial(2026, 17))
