"""Every A4 document: embedded fonts, Chinese that comes back out, page numbers, repeated table
headers, the same bytes twice, and a QR code that tells a genuine receipt from a forged one."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.cases.demo import NEWBORN
from app.cases.receipts import YearSerial
from app.catalog.catalog import Catalog
from app.errors import InvalidInput
from app.guide.promise import promise_for
from app.settings import HallSettings, Settings
from printing import qr
from printing.a4 import Letterhead
from printing.documents import DOCUMENTS, Context, render_case
from printing.samples import PDF_NAMES, sample_case, sample_pdf
from tests.helpers.keys import ring

KEY = ring(b"test-hall-secret")
SERIAL = YearSerial(2026, 17)
HALL = Letterhead("测试市政务服务中心", "一网通办综合窗口（测试）", "0731-12345678", "测试路 1 号")
EXPECTED = {
    "acceptance": ("受理通知书", "第三十二条第一款第（五）项", "申请材料接收清单"),
    "commitment": ("告知承诺书", "承诺后补", "不实承诺的法律责任"),
    "reminder": ("容缺材料补交提醒", "已超过补交期限2天", "终止办理"),
    "not_accepted": ("不予受理通知书", "行政复议", "广东省广州市天河区"),
    "supplement": ("补正材料一次性告知书", "第三十二条第一款第（四）项", "补正要求"),
    "delivery": ("办理结果送达回执", "出生医学证明", "领取人签名"),
    "withdrawal": ("撤回申请及材料退还回执", "退还材料清单", "申请人主动撤回"),
    "plan": ("办事指南（个人清单）", "需要准备的材料", "承诺办结时限"),
}


def poppler(tool: str, *args: str) -> str:
    done = subprocess.run([tool, *args], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def text_of(pdf: Path) -> str:
    return re.sub(r"\s+", "", poppler("pdftotext", "-layout", str(pdf), "-"))


def pages_of(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]


@pytest.mark.parametrize("name", PDF_NAMES)
def test_every_document_renders_with_embedded_chinese(name: str, tmp_path: Path) -> None:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(sample_pdf(name, HALL, KEY))
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts
    text = text_of(pdf)
    assert all(fragment in text for fragment in EXPECTED[name]), text[:400]
    assert "测试市政务服务中心" in text and f"第1页共{pages_of(pdf)}页" in text
    poppler("pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / name))  # for a look
    assert sorted(tmp_path.glob(f"{name}-*.png"))
    assert sample_pdf(name, HALL, KEY) == pdf.read_bytes()  # byte-identical reprint


def test_a_long_material_list_flows_onto_numbered_pages(catalog: Catalog, tmp_path: Path) -> None:
    case = sample_case("acceptance", catalog)
    many = tuple(
        replace(m, name=f"{m.name}（第 {n} 份）") for n in range(6) for m in case.materials
    )
    long_case = replace(case, materials=many)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(
        render_case("acceptance", Context(long_case, catalog.scenario(NEWBORN), HALL, KEY, SERIAL))
    )
    pages = pages_of(pdf)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = re.sub(
            r"\s+", "", poppler("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")
        )
        assert f"第{page}页共{pages}页" in text
        if 1 < page < pages:
            assert "材料名称" in text and "收取情况" in text  # the header row, repeated
    assert "（第5份）" in text_of(pdf)


def test_the_receipt_qr_is_signed_and_verifiable(tmp_path: Path) -> None:
    pdf = tmp_path / "acceptance.pdf"
    pdf.write_bytes(sample_pdf("acceptance", HALL, KEY))
    poppler("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    (image,) = tmp_path.glob("page-*.png")
    (symbol,) = zxingcpp.read_barcodes(Image.open(image))
    assert symbol.format == zxingcpp.BarcodeFormat.QRCode
    scanned = symbol.text
    assert scanned.isascii()
    checked = qr.verify(scanned, KEY)
    assert checked.genuine and checked.receipt_no.startswith("430100001-20261123-")
    assert not qr.verify(scanned, ring(b"another hall")).genuine
    forged = scanned.replace(checked.receipt_no, checked.receipt_no[:-1] + "9")
    assert "伪造" in qr.verify(forged, KEY).reason
    assert "不是本系统" in qr.verify("https://example.com", KEY).reason


def test_documents_only_for_cases_in_the_right_state(catalog: Catalog) -> None:
    case = sample_case("not_accepted", catalog)
    with pytest.raises(InvalidInput, match="只有已受理的办件才能打印受理通知书"):
        render_case("acceptance", Context(case, None, HALL, KEY, SERIAL))
    with pytest.raises(InvalidInput, match="没有文书"):
        render_case("nothing", Context(case, None, HALL, KEY, SERIAL))
    assert set(DOCUMENTS) | {"plan"} == set(PDF_NAMES)


def test_the_letterhead_comes_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(hall=HallSettings(name="岳麓区政务服务中心", phone="0731-88888888"))
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(sample_pdf("acceptance", Letterhead.of(settings), KEY))
    text = text_of(pdf)
    assert "岳麓区政务服务中心" in text and "0731-88888888" in text


def test_each_delivered_result_has_its_own_number_or_none(catalog: Catalog, tmp_path: Path) -> None:
    """证照编号: the department's number of each result, never one shared or made up."""
    case = sample_case("delivery", catalog)
    kinds = {i.id: i.result.kind for i in catalog.scenario(NEWBORN).items}
    numbers = {i.item_id: (i.decision or {}).get("result_no", "") for i in case.items}
    given = [n for n in numbers.values() if n]
    assert given and len(given) == len(set(given))
    assert all(re.fullmatch(r"[0-9A-Z][0-9A-Z-]*[0-9A-Z]", n) for n in given), given
    for item_id, number in numbers.items():
        assert bool(number) == (kinds[item_id] in ("certificate", "e_licence")), item_id
    pdf = tmp_path / "delivery.pdf"
    pdf.write_bytes(sample_pdf("delivery", HALL, KEY))
    printed = poppler("pdftotext", "-layout", str(pdf), "-")
    for item_id, number in numbers.items():  # an e-licence's also in the list of e-licences
        if number:
            assert printed.count(number) == (2 if kinds[item_id] == "e_licence" else 1), number
    assert not re.search(r"(^|\s)-\d{4}-", printed)


def test_the_receipt_gives_the_promise_with_its_basis(catalog: Catalog, tmp_path: Path) -> None:
    """The acceptance receipt says why that many days, as the applicant's list did."""
    case = sample_case("acceptance", catalog)
    scenario = catalog.scenario(NEWBORN)
    promise = promise_for(scenario, [i.item_id for i in case.items])
    assert promise.days == case.promised_days and promise.basis == "decision"
    pdf = tmp_path / "acceptance.pdf"
    pdf.write_bytes(render_case("acceptance", Context(case, scenario, HALL, KEY, SERIAL)))
    text = re.sub(r"\s+", "", poppler("pdftotext", str(pdf), "-"))  # reading order, not layout
    assert f"{case.promised_days}个工作日" in text
    assert re.sub(r"\s+", "", promise.basis_words) in text
    newer = replace(case, promised_days=case.promised_days + 1)  # days from another version
    pdf.write_bytes(render_case("acceptance", Context(newer, scenario, HALL, KEY, SERIAL)))
    assert "依据：" not in text_of(pdf)


def test_the_receipt_says_how_the_hall_helped_but_not_who_the_applicant_is(
    catalog: Catalog, tmp_path: Path
) -> None:
    """帮办代办 is part of the handover: the receipt names the mode, the staff member and what
    was offered; the special group (a 残疾人 here) and the minutes stay in the hall's records."""
    case = sample_case("acceptance", catalog)
    record = {
        "mode": "peitong",
        "helper": "刘洋",
        "minutes": 20,
        "groups": ["disabled"],
        "recognised": "clerk",
        "offered": ["priority", "accompany"],
    }
    helped = replace(case, assistance=record)
    pdf = tmp_path / "acceptance.pdf"
    scenario = catalog.scenario(NEWBORN)
    pdf.write_bytes(render_case("acceptance", Context(helped, scenario, HALL, KEY, SERIAL)))
    text = re.sub(r"\s+", "", poppler("pdftotext", str(pdf), "-"))
    assert "陪同办（工作人员陪同申请人办理，刘洋）；本中心提供优先办、陪同办" in text
    assert "残疾人" not in text and "20分钟" not in text
    pdf.write_bytes(render_case("acceptance", Context(case, scenario, HALL, KEY, SERIAL)))
    assert "帮办代办" not in text_of(pdf)  # a case nobody helped has no such line


def test_the_commitment_letter_of_a_proof_replaced_says_when_it_is_checked(
    catalog: Catalog, tmp_path: Path
) -> None:
    """证明事项告知承诺制: the letter names the proof the commitment replaces and the date the
    department checks by, and the applicant promises what it proves is true — no 容缺 promise."""
    case = sample_case("acceptance", catalog)
    materials = tuple(
        m.moved("committed") if m.name == "中华人民共和国结婚证" else m for m in case.materials
    )
    pledged = replace(
        case,
        materials=materials,
        verification={"status": "pending", "due_date": "2026-12-21", "materials": ["marriage"]},
    )
    pdf = tmp_path / "commitment.pdf"
    scenario = catalog.scenario(NEWBORN)
    pdf.write_bytes(render_case("commitment", Context(pledged, scenario, HALL, KEY, SERIAL)))
    text = re.sub(r"\s+", "", poppler("pdftotext", str(pdf), "-"))
    assert "实行证明事项告知承诺制" in text and "中华人民共和国结婚证" in text
    assert "于2026-12-21前对承诺内容进行核查" in text
    assert "中华人民共和国结婚证所证明的事项属实" in text
    assert "容缺受理" not in text and "补交上述材料" not in text
    with pytest.raises(InvalidInput, match="告知承诺代替证明材料"):
        render_case("commitment", Context(case, scenario, HALL, KEY, SERIAL))  # neither kind


def test_results_issued_as_e_licences_carry_their_number_and_a_qr(
    catalog: Catalog, tmp_path: Path
) -> None:
    """The delivery receipt lists the results the catalog says are e-licences, each with its
    number, its issuer and a QR a phone reads — to the hall's viewing address when set."""
    case = sample_case("delivery", catalog)
    scenario = catalog.scenario(NEWBORN)
    pdf = tmp_path / "delivery.pdf"
    pdf.write_bytes(render_case("delivery", Context(case, scenario, HALL, KEY, SERIAL)))
    text = re.sub(r"\s+", "", poppler("pdftotext", str(pdf), "-"))
    assert "已签发电子证照" in text and "卫生健康部门（分娩机构）" in text
    poppler("pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page"))
    codes = {
        symbol.text
        for page in sorted(tmp_path.glob("page-*.png"))
        for symbol in zxingcpp.read_barcodes(Image.open(page))
    }
    birth = next(i for i in case.items if i.item_id == "birth_certificate")
    number = str((birth.decision or {})["result_no"])
    assert f"电子证照：出生医学证明\n证照编号：{number}\n发证机关：{birth.department}" in codes
    assert len(codes) == 2  # 出生医学证明 and 居民户口簿; the others are paper or none

    linked = replace(HALL, licence_url="https://zwfw.example.cn/licence?type={type}&no={number}")
    pdf.write_bytes(render_case("delivery", Context(case, scenario, linked, KEY, SERIAL)))
    for old in tmp_path.glob("page-*.png"):
        old.unlink()
    poppler("pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page"))
    urls = {
        symbol.text
        for page in sorted(tmp_path.glob("page-*.png"))
        for symbol in zxingcpp.read_barcodes(Image.open(page))
    }
    assert (
        f"https://zwfw.example.cn/licence?type=%E5%87%BA%E7%94%9F%E5%8C%BB%E5%AD%A6%E8%AF%81%E6%98%8E&no={number}"
        in urls
    )
