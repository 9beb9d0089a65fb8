"""Before the pre-application is sent: everything on one page — who, what, the form, the pages
per material — with a way back to each part; then 提交, saved whole in one transaction."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.cases.snapshots import CaseView
from app.identity.masking import mask_name, mask_number, mask_value
from kiosk.journey import plain_status
from kiosk.ui.parts import Screen, body, button, card, clear, heading, reason, scrolling
from kiosk.ui.station import Station
from sync.worker import status as sync_status

QUEUED_NOTE = "网络暂时中断：预申请已保存在本大厅，恢复后自动上报；到窗口出示凭条即可办理。"


class ReviewScreen(Screen):
    name = "review"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.title = heading("请核对，无误后提交", "review_title")
        content = QWidget()
        self.parts = QVBoxLayout(content)
        self.edit_form = button("修改申请表", "review_form", lambda: station.go("form"))
        self.edit_pages = button("重拍材料", "review_capture", lambda: station.go("capture"))
        self.submit = button("提交预申请", "review_submit", self.send, kind="primary")
        nav = QHBoxLayout()
        nav.addWidget(self.edit_form)
        nav.addWidget(self.edit_pages)
        nav.addStretch(1)
        nav.addWidget(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(scrolling(content), 1)
        layout.addLayout(nav)

    def enter(self) -> None:
        journey = self.station.journey
        in_hand, plan = journey.in_hand, journey.plan()
        clear(self.parts)
        who = in_hand.applicant.party if in_hand.applicant else None
        if who is not None:
            self.parts.addWidget(
                card(
                    heading("申请人", "review_who_heading"),
                    body(f"{mask_name(who.name)}（{mask_number(who.id_number)}）", "review_who"),
                )
            )
        items = "\n".join(f"· {i.name}（{i.department}）" for i in plan.items)
        self.parts.addWidget(
            card(heading(plan.scenario_name, "review_scenario"), body(items, "review_items"))
        )
        values = in_hand.form_values()
        # Numbers masked as everywhere on a screen others may see; the form shows them whole.
        lines = [
            f"{f.label}：{mask_value(f.type, values.get(f.key, ''), f.label) or '（未填）'}"
            for f in plan.fields
        ]
        self.parts.addWidget(
            card(heading("申请表", "review_form_heading"), body("\n".join(lines), "review_values"))
        )
        materials = []
        for material in plan.materials:
            taken = len(journey.pages.get(material.id, []))
            if taken:
                state = f"已拍 {taken} 页，到窗口时请带原件核对"
            elif material.to_submit:
                state = "未拍，到窗口时提交"
            else:
                state = plain_status(material)
            materials.append(f"· {material.name}：{state}")
        self.parts.addWidget(
            card(
                heading("材料", "review_materials_heading"),
                body("\n".join(materials), "review_materials"),
            )
        )
        self.parts.addStretch(1)
        self.edit_pages.setVisible(bool(journey.to_capture()))
        self.submit.setEnabled(True)

    def speech(self) -> str:
        return "请核对申请表和材料。没有问题就点“提交预申请”。"

    def send(self) -> None:
        journey, core = self.station.journey, self.station.core
        self.submit.setEnabled(False)  # one touch, one pre-application
        self.station.tell("正在提交，请稍候……", False)

        def save() -> tuple[CaseView, str]:
            case = journey.submit()
            found = sync_status(core)
            offline = bool(found["platform"] and found["last_error"] and not found["online"])
            return case, QUEUED_NOTE if offline else ""

        self.station.work.run(save, done=self._sent, failed=self._not_sent, label="提交预申请")

    def _sent(self, result: tuple[CaseView, str]) -> None:
        _case, note = result  # the ticket screen reads the case from the case in hand
        self.station.tell("", False)
        self.station.go(f"ticket:{note}")

    def _not_sent(self, exc: BaseException) -> None:
        self.submit.setEnabled(True)
        self.station.tell(
            f"没有提交成功：{reason(exc)} 您填写的内容都还在，"
            "请再点一次“提交预申请”；"
            "仍不成功请点“请工作人员协助”。",
            True,
        )

    def wipe(self) -> None:
        clear(self.parts)
