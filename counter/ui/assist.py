"""帮办代办 and special groups at the window (GB/T 45836 §7.4.3–7.4.4): the mode (帮办、代办、
陪同办 or none), who helped and for how many minutes (proposed: since the case was opened), the
applicant's special groups — 老年人 ticked and fixed when the card shows it — and what the hall
offered. The core checks and records it (:mod:`app.cases.assistance`)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.cases.assistance import (
    GROUPS,
    MAX_MINUTES,
    MAX_NOTE,
    MODE_WORDS,
    MODES,
    OFFERS,
    recognised,
)
from app.cases.receipts import hall_day
from app.cases.snapshots import CaseView
from counter.ui.case_dialogs import ActionDialog, form_rows


class AssistDialog(ActionDialog):
    submitted = Signal()

    def __init__(
        self, case: CaseView, helper: str, now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"帮办代办与特殊群体 — {case.receipt_no}", "保存", parent)
        earlier = case.assistance or {}
        self.modes: dict[str, QRadioButton] = {}
        mode_box = QGroupBox("服务方式")
        line = QHBoxLayout(mode_box)
        group = QButtonGroup(self)
        for value, label in (("", "无"), *MODES.items()):
            button = QRadioButton(label)
            button.setObjectName(f"mode_{value or 'none'}")
            button.setToolTip(MODE_WORDS.get(value, "申请人自己办理"))
            button.setChecked(value == (earlier.get("mode") or ""))
            button.toggled.connect(self._mode_changed)
            if value == "daiban" and case.agent is None:
                button.setEnabled(False)
                button.setToolTip("本办件没有代办人：请在“申请人”一步读代办人的身份证")
            group.addButton(button)
            self.modes[value] = button
            line.addWidget(button)
        self.helper = QLineEdit(earlier.get("helper") or helper)
        self.helper.setObjectName("helper")
        self.minutes = QSpinBox()
        self.minutes.setObjectName("minutes")
        self.minutes.setRange(1, MAX_MINUTES)
        self.minutes.setSuffix(" 分钟")
        since = int((now - case.created_at).total_seconds() // 60)
        self.minutes.setValue(earlier.get("minutes") or max(1, min(since, MAX_MINUTES)))
        by_card = recognised(case.applicant, hall_day(now))
        self.groups: dict[str, QCheckBox] = {}
        group_box = QGroupBox("特殊群体")
        grid = QGridLayout(group_box)
        for n, (value, label) in enumerate(GROUPS.items()):
            box = QCheckBox(label + ("（身份证识别）" if value in by_card else ""))
            box.setObjectName(f"group_{value}")
            box.setChecked(value in by_card or value in (earlier.get("groups") or []))
            box.setEnabled(value not in by_card)
            self.groups[value] = box
            grid.addWidget(box, 0, n)
        self.offers: dict[str, QCheckBox] = {}
        offer_box = QGroupBox("提供的服务")
        offer_line = QHBoxLayout(offer_box)
        for value, label in OFFERS.items():
            box = QCheckBox(label)
            box.setObjectName(f"offer_{value}")
            box.setChecked(value in (earlier.get("offered") or []))
            self.offers[value] = box
            offer_line.addWidget(box)
        self.note = QLineEdit(earlier.get("note") or "")
        self.note.setObjectName("assist_note")
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText("如：老人腿脚不便，陪同到各窗口")
        self.details = form_rows(("工作人员", self.helper), ("用时", self.minutes))
        self.finish(mode_box, self.details, group_box, offer_box, form_rows(("说明", self.note)))
        self._mode_changed()

    def mode(self) -> str:
        return next((value for value, button in self.modes.items() if button.isChecked()), "")

    def _mode_changed(self) -> None:
        helped = bool(self.mode())
        self.details.setEnabled(helped)
        self.helper.setEnabled(self.mode() in ("bangban", "peitong"))

    def record(self) -> dict[str, object]:
        mode = self.mode()
        return {
            "mode": mode,
            "helper": self.helper.text() if mode in ("bangban", "peitong") else "",
            "minutes": self.minutes.value() if mode else None,
            "groups": [g for g, box in self.groups.items() if box.isChecked()],
            "offered": [o for o, box in self.offers.items() if box.isChecked()],
            "note": self.note.text(),
        }

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit()
