"""A case whose retention period ended, at the counter: its facts say when its personal data
was cleared instead of showing an empty name (and a picture of it for a person to look at)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.retention import Retention
from counter.case_lookup import case_facts
from counter.ui.case_detail import CaseDetail
from tests.helpers.cases import CLERK
from tests.helpers.clock import MONDAY, WallClock
from tests.helpers.cores import Cores
from tests.helpers.retention import ROUTES, deliver_messages, finished

CLEARED = "个人信息已按保存期限于 2027-06-11 清除"


def test_the_counter_says_when_a_case_was_cleared(
    cores: Cores, qtbot: QtBot, tmp_path: Path
) -> None:
    clock = WallClock(MONDAY)
    core: Core = cores("hall", clock=clock, transfers={"routes": ROUTES})
    case = finished(core)
    deliver_messages(core, {case.receipt_no})
    clock.now = MONDAY + timedelta(days=200)
    Retention(core.db, core.files, clock, 180).run(CLERK)
    purged = core.cases.get(case.receipt_no)
    facts = dict(case_facts(purged))
    assert facts["申请人"] == CLEARED and "代办人" not in facts
    assert facts["状态"] == "已送达" and facts["评价"] == "受理：非常不满意"
    detail = CaseDetail()
    qtbot.addWidget(detail)
    detail.resize(1200, 460)
    detail.show_case(purged, core.cases.timeline(case.receipt_no))
    assert CLEARED in detail.facts.text() and "李芳" not in detail.facts.text()
    trail = [detail.trail.index(r, 4).data() for r in range(detail.trail.rowCount())]
    assert not any("李芳" in str(cell) for cell in trail)
    picture = Path(os.environ.get("ONESTOP_SHOT_DIR", tmp_path)) / "purged-case.png"
    assert detail.grab().save(str(picture))
