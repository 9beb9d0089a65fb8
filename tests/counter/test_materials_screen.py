"""The materials checklist through the real widgets: review points, statuses, capture with the
simulated document camera, turning and deleting pages, one PDF per material, a failing camera
and an unreadable file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.views import CaseView
from app.devices.simulated import SimulatedCapture
from app.guide.engine import Guide
from counter.session import Session
from counter.ui.checklist import MaterialsScreen
from counter.ui.desk import Desk

Settle = Callable[[], None]


@pytest.fixture
def checklist(qtbot: QtBot, desk: Desk, draft: CaseView) -> MaterialsScreen:
    screen = MaterialsScreen(desk)
    qtbot.addWidget(screen)
    screen.enter()
    return screen


def checklist_points(core: Core, draft: CaseView, material_id: str) -> list[str]:
    """The review points of a material, as the plan lists them (形式 first)."""
    case = core.cases.get(draft.receipt_no)
    plan = Guide(core.catalog).plan(case.scenario_code, case.answers, {}, case.chosen_items)
    material = next(m for m in plan.materials if m.id == material_id)
    return [*material.formal_review, *material.substantive_review]


def test_record_with_review_points(checklist: MaterialsScreen, session: Session, core: Core,
                                   draft: CaseView, settle: Settle) -> None:  # fmt: skip
    material = checklist.selected()
    assert material is not None and material.status == "missing"
    assert checklist.review, "新生儿出生医学记录 has review points"
    checklist.review[0].setChecked(True)
    checklist.original.click()
    settle()
    saved = core.cases.get(draft.receipt_no).material(material.material_id)
    assert saved.status == "received_original"
    ticked = checklist_points(core, draft, material.material_id)[0]
    assert saved.reviewed == (ticked,)
    moved_on = checklist.selected()
    assert moved_on is not None and moved_on.material_id != material.material_id
    checklist.exempt_reason.setText("已核验电子证照：居民户口簿")
    checklist.exempt.click()
    settle()
    actions = [e.action for e in core.cases.timeline(draft.receipt_no)]
    assert actions.count("material") == 2


def test_checklist_model(qtmodeltester, checklist: MaterialsScreen) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(checklist.model)


def test_capture_turn_delete_save(checklist: MaterialsScreen, core: Core, draft: CaseView,
                                  settle: Settle) -> None:  # fmt: skip
    material = checklist.selected()
    assert material is not None
    checklist.capture()
    settle()
    checklist.capture()
    settle()
    assert checklist.thumbs.count() == 2
    checklist.thumbs.setCurrentRow(0)
    checklist.turn(90)
    assert (checklist.pages[0].width, checklist.pages[0].height) == (1754, 1240)
    checklist.thumbs.setCurrentRow(1)
    checklist.delete_page()
    assert len(checklist.pages) == 1
    checklist.save_pages()
    settle()
    scans = core.cases.get(draft.receipt_no).material(material.material_id).scans
    assert len(scans) == 1 and scans[0].pages == 1
    pdf = pypdfium2.PdfDocument(core.files.path(scans[0].sha256).read_bytes())
    try:
        assert len(pdf) == 1
        width, height = pdf[0].get_size()
        assert width > height  # the page was turned
    finally:
        pdf.close()


def test_failing_camera_then_a_file(checklist: MaterialsScreen, session: Session,
                                    tmp_path: Path, settle: Settle) -> None:  # fmt: skip
    camera = session.devices.capture
    assert isinstance(camera, SimulatedCapture)
    camera.fail = True
    checklist.capture()
    settle()
    assert "高拍仪没有响应" in checklist.desk.bar.text() and "选择文件" in checklist.desk.bar.text()
    garbage = tmp_path / "scan.png"
    garbage.write_bytes(b"not an image")
    checklist.add_files([garbage])
    assert "不是能识别的图片" in checklist.desk.bar.text()
    assert checklist.pages == []
    camera.fail = False
    good = tmp_path / "good.png"
    good.write_bytes(camera.capture().png)
    checklist.add_files([good])
    assert len(checklist.pages) == 1
