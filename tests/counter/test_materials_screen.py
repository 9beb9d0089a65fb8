"""The materials checklist through the real widgets: review points, statuses, capture with the
simulated document camera, turning and deleting pages, one PDF per material, a failing camera
and an unreadable file."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.demo import value_for
from app.cases.pages import pages_to_pdf
from app.cases.snapshots import CaseView, Party
from app.devices.simulated import SimulatedCapture
from counter.session import Session
from counter.ui import materials
from counter.ui.station import Station
from tests.counter.conftest import activate

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

Settle = Callable[[], None]


# -- counter.ui.materials: the checklist with its review groups and per-material pages ------------


@pytest.fixture
def screen(qtbot: QtBot, station: Station, draft: CaseView) -> materials.MaterialsScreen:
    screen = materials.MaterialsScreen(station)
    qtbot.addWidget(screen)
    screen.resize(1100, 600)
    screen.enter()
    return screen


def current(screen: materials.MaterialsScreen) -> str:
    material = screen.selected()
    assert material is not None
    return material.material_id


def _png(tmp_path: Path, name: str = "scan.png") -> Path:
    path = tmp_path / name
    path.write_bytes(SimulatedCapture().capture().png)
    return path


def _pdf_pages(core: Core, sha256: str) -> list[tuple[float, float]]:
    document = pypdfium2.PdfDocument(core.files.read(sha256))
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def test_starts_at_the_first_missing_material(screen: materials.MaterialsScreen) -> None:
    material = screen.selected()
    assert material is not None and material.material_id == "birth_record"
    assert "原件 1 份" in screen.heading.text()
    assert screen.formal.isVisibleTo(screen) and not screen.substantive.isVisibleTo(screen)
    assert [b.property("point") for b in screen.review] == ["清晰无涂改", "加盖单位公章"]
    assert screen.count.text().startswith("需提交 8 种，尚缺 8 种")
    generated = [m for m in screen.model.rows if m.plan_status == "generated"][0]
    screen.select(generated.material_id)
    assert not screen.original.isEnabled() and not screen.scans.capture_button.isEnabled()
    assert "无需申请人提交" in screen.heading.text()
    row = screen.model.rows.index(generated)
    assert screen.model.index(row, 1).data() == "无需提交"
    assert screen.model.index(row, 2).data().startswith("○ 免提交")


def test_original_copy_exempt_and_missing(
    screen: materials.MaterialsScreen, core: Core, draft: CaseView, qtbot: QtBot, settle: Settle
) -> None:
    screen.review[1].setChecked(True)
    with qtbot.waitSignal(screen.changed, timeout=5000):
        screen.original.click()
    settle()
    birth = core.cases.get(draft.receipt_no).material("birth_record")
    assert (birth.status, birth.reviewed) == ("received_original", ("加盖单位公章",))
    assert "已登记“新生儿出生医学记录”：已收原件" in screen.station.bar.text()
    assert current(screen) == "parents_id"
    screen.review[0].setChecked(True)
    screen.copy.click()
    settle()
    assert current(screen) == "household_register"
    screen.exempt.click()  # no reason typed: the core refuses, nothing changes
    settle()
    assert screen.station.bar.kind == "error" and "免提交必须写明原因" in screen.station.bar.text()
    assert core.cases.get(draft.receipt_no).material("household_register").status == "missing"
    screen.exempt_reason.setText("已核验电子证照：居民户口簿")
    screen.exempt.click()
    settle()
    screen.select("birth_record")
    screen.missing.click()  # taken back: it stays selected
    settle()
    assert current(screen) == "birth_record"
    case = core.cases.get(draft.receipt_no)
    assert case.material("parents_id").status == "received_copy"
    assert case.material("parents_id").reviewed == ("完整清晰无涂改",)
    register = case.material("household_register")
    assert (register.status, register.exempt_reason) == ("exempt", "已核验电子证照：居民户口簿")
    assert case.material("birth_record").status == "missing"
    trail = [e.after for e in core.cases.timeline(draft.receipt_no) if e.action == "material"]
    assert [(a["material"], a["status"]) for a in trail if a] == [
        ("birth_record", "received_original"),
        ("parents_id", "received_copy"),
        ("household_register", "exempt"),
        ("birth_record", "missing"),
    ]
    row = [m.material_id for m in screen.model.rows].index("parents_id")
    assert screen.model.index(row, 2).data() == "√ 已收复印件"


def test_keys_and_all_received(
    qtbot: QtBot, screen: materials.MaterialsScreen, core: Core, draft: CaseView, settle: Settle
) -> None:
    activate(qtbot, screen)
    assert screen.table.hasFocus()
    QTest.keyClick(screen.table, Qt.Key.Key_Down)
    assert current(screen) == "parents_id"
    QTest.keyClick(screen, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert core.cases.get(draft.receipt_no).material("parents_id").status == "received_copy"
    screen.review[0].setChecked(True)  # the screen moved on to 居民户口簿
    activate(qtbot, screen)  # the message bar is a window of its own in this test
    QTest.keyClick(
        screen,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle()
    case = core.cases.get(draft.receipt_no)
    assert not [m for m in case.materials if m.status == "missing"]
    assert case.material("parents_id").status == "received_copy"  # kept as recorded
    assert case.material("household_register").reviewed == (
        "申请人及相关证明材料出具人应当对本条规定的证明材料的真实性、合法性负责。",
    )
    assert "可以作出受理决定" in screen.station.bar.text()
    screen.receive_all()
    assert screen.station.bar.text() == "没有未收取的材料。"


def test_capture_turn_delete_and_save_one_pdf(
    screen: materials.MaterialsScreen, core: Core, draft: CaseView, settle: Settle
) -> None:
    scans = screen.scans
    screen.capture()
    settle()
    screen.capture()
    settle()
    assert scans.model.rowCount() == 2 and len(scans.pages) == 2
    assert "2 页未保存" in screen.station.bar.text() and "2 页扫描未保存" in screen.count.text()
    scans.thumbs.setCurrentIndex(scans.model.index(0))
    scans.right_button.click()
    assert scans.pages[0].rotation == 90
    scans.thumbs.setCurrentIndex(scans.model.index(1))
    scans.delete_button.click()
    assert len(scans.pages) == 1
    scans.save_button.click()
    settle()
    birth = core.cases.get(draft.receipt_no).material("birth_record")
    assert birth.status == "missing"  # saving pages is not receiving the material
    (scan,) = birth.scans
    assert (scan.file_name, scan.pages) == ("新生儿出生医学记录.pdf", 1)
    assert core.files.has(scan.sha256)
    ((width, height),) = _pdf_pages(core, scan.sha256)
    assert width > height  # the page was turned
    assert scans.pages == [] and "已保存：新生儿出生医学记录.pdf（1 页" in scans.saved.text()
    assert "scan" in [e.action for e in core.cases.timeline(draft.receipt_no)]
    assert current(screen) == "birth_record"
    screen.save_pages()  # nothing left to save
    assert "还没有未保存的页面" in screen.station.bar.text()


def test_pages_stay_with_their_material(
    screen: materials.MaterialsScreen, core: Core, draft: CaseView, settle: Settle
) -> None:
    screen.capture()
    settle()
    screen.select("parents_id")
    assert screen.scans.pages == []
    screen.capture()
    settle()
    screen.capture()
    settle()
    screen.select("birth_record")
    assert len(screen.scans.pages) == 1 and "3 页扫描未保存" in screen.count.text()
    screen.select("parents_id")
    screen.review[0].setChecked(True)
    screen.receive_and_save()
    settle()
    ids = core.cases.get(draft.receipt_no).material("parents_id")
    assert (ids.status, ids.reviewed) == ("received_original", ("完整清晰无涂改",))
    assert [s.pages for s in ids.scans] == [2]
    screen.select("birth_record")
    assert len(screen.scans.pages) == 1  # still waiting to be saved


def test_failing_camera_and_a_file_instead(
    screen: materials.MaterialsScreen, session: Session, tmp_path: Path, settle: Settle
) -> None:
    camera = session.devices.capture
    assert isinstance(camera, SimulatedCapture)
    camera.fail = True
    screen.scans.capture_button.click()
    settle()
    bar = screen.station.bar
    assert bar.kind == "error" and "高拍仪没有响应" in bar.text() and "选择文件" in bar.text()
    chosen = _png(tmp_path)
    screen.scans.ask_files = lambda parent: [chosen]
    screen.scans.files_button.click()
    settle()
    assert len(screen.scans.pages) == 1
    session.devices.capture = None
    screen.capture()
    assert "没有连接高拍仪" in bar.text()


def test_unreadable_file_loses_nothing(
    screen: materials.MaterialsScreen, tmp_path: Path, settle: Settle
) -> None:
    screen.capture()
    settle()
    garbage = tmp_path / "scan.png"
    garbage.write_bytes(b"not an image")
    screen.add_files([garbage])
    settle()
    bar = screen.station.bar
    assert bar.kind == "error" and "“scan.png”不是能识别的图片" in bar.text()
    assert "没有添加任何页面" in bar.text() and len(screen.scans.pages) == 1
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (800, 600), "white").save(photo)
    screen.add_files([garbage, photo, tmp_path / "gone.png"])
    settle()
    assert "其他文件：已添加 1 页" in bar.text() and len(screen.scans.pages) == 2


def test_a_chosen_pdf_is_stored_as_it_is(
    screen: materials.MaterialsScreen,
    core: Core,
    draft: CaseView,
    tmp_path: Path,
    qtbot: QtBot,
    settle: Settle,
) -> None:
    pdf = tmp_path / "医学记录.pdf"
    out = io.BytesIO()
    Image.new("L", (200, 300), 255).save(out, format="PNG")
    pdf.write_bytes(pages_to_pdf([out.getvalue()] * 3))
    screen.review[0].setChecked(True)
    with qtbot.waitSignal(screen.changed, timeout=5000):
        screen.add_files([pdf])
    settle()
    (scan,) = core.cases.get(draft.receipt_no).material("birth_record").scans
    assert (scan.file_name, scan.pages) == ("医学记录.pdf", 3)
    assert core.files.read(scan.sha256) == pdf.read_bytes()
    assert "已保存 PDF“医学记录.pdf”（3 页）" in screen.station.bar.text()
    assert screen.scans.pages == []
    assert screen.review[0].isChecked()  # the refresh kept the tick not yet recorded


def test_fits_the_page_area(qtbot: QtBot, screen: materials.MaterialsScreen) -> None:
    activate(qtbot, screen)
    for material in screen.model.rows:
        screen.select(material.material_id)  # rendered while shown, as in the window
        QApplication.processEvents()  # what was queued for the new tick boxes
        hint = screen.minimumSizeHint()
        assert hint.width() <= 1100 and hint.height() <= 600, material.name
        inner = screen.points.widget()
        assert inner is not None
        needed = min(inner.sizeHint().height(), materials.MAX_POINTS_HEIGHT)
        assert screen.points.height() >= needed, material.name  # no tick box cut off


def test_the_models(
    qtmodeltester: ModelTester,
    screen: materials.MaterialsScreen,
    settle: Settle,
) -> None:
    qtmodeltester.check(screen.model)
    screen.capture()
    settle()
    screen.capture()
    settle()
    screen.scans.turn(90)
    qtmodeltester.check(screen.scans.model)


def test_the_card_read_is_the_id_cards_checked_original(
    qtbot: QtBot, station: Station, draft_read: CaseView
) -> None:
    """The card was on the reader: its material is not asked for again, as `onestop guide demo`
    says for the same person."""
    screen = materials.MaterialsScreen(station)
    qtbot.addWidget(screen)
    screen.enter()
    card = next(m for m in screen.model.rows if m.name == "父母身份证")
    assert card.plan_status == "e_licence"
    row = screen.model.rows.index(card)
    assert screen.model.index(row, 1).data() == "无需提交"
    assert "读取身份证原件" in screen.model.index(row, 2).data()


def test_a_card_shown_and_given_back_is_a_thing_not_paper(
    qtbot: QtBot, station: Station, session: Session, core: Core, settle: Settle
) -> None:
    """社会保障卡居民服务: the card is looked at and handed back (issue 24, capability 6): the
    window takes no copy of it, and it goes nowhere."""
    in_hand = session.in_hand
    applicant = session.devices.id_reader.read() if session.devices.id_reader else None
    assert applicant is not None
    in_hand.read_card(applicant)
    in_hand.choose("43PCN0011")
    for question, value in {"card": "third_gen", "finance_activated": "yes"}.items():
        in_hand.answer(question, value)
    person = Party(applicant.name, applicant.id_number)
    for spec in in_hand.plan().fields:
        if not spec.value:
            in_hand.set_field(spec.key, value_for(spec, person))
    draft = in_hand.open()
    screen = materials.MaterialsScreen(station)
    qtbot.addWidget(screen)
    screen.resize(1100, 600)
    screen.enter()
    screen.select("social_security_card")
    assert screen.heading.text() == ("社会保障卡：卡证原物 1 件（不复印），窗口核验后当场交还")
    assert not screen.copy.isEnabled() and screen.original.text() == "收到原物 (Ctrl+1)"
    row = [m.material_id for m in screen.model.rows].index("social_security_card")
    assert screen.model.index(row, 1).data() == "原物 1 件"
    with qtbot.waitSignal(screen.changed, timeout=5000):
        screen.original.click()
    settle()
    card = core.cases.get(draft.receipt_no).material("social_security_card")
    assert (card.status, card.form) == ("received_original", "thing")
    screen.select("social_security_card")
    screen.copy.click()  # disabled: nothing happens
    screen.record("received_copy")  # what Ctrl+2 does: the core refuses it
    settle()
    assert core.cases.get(draft.receipt_no).material("social_security_card").status == (
        "received_original"
    )
    assert "是物品，交原物，不收复印件" in station.bar.text()
