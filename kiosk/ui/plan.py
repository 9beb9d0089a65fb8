"""What you need (§7.2.4 c, 一次告知): the items (some may be left out, dependencies explained),
each material in plain words, where and when to go, the phone and the promised days; print the
list on A4 or as a short ticket, or take it away on a phone by its QR code."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.guide.plan import Plan
from kiosk.a11y import mark_target
from kiosk.journey import plain_status, printer_words
from kiosk.ui.parts import Screen, body, button, card, clear, heading, qr_pixmap, scrolling
from kiosk.ui.station import Station


class PlanScreen(Screen):
    name = "plan"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.plan: Plan | None = None
        self.title = heading("", "plan_title")
        content = QWidget()
        self.body = QVBoxLayout(content)
        self.qr = QLabel()
        self.qr.setObjectName("plan_qr")
        self.qr.setVisible(False)
        self.print_a4 = button("打印清单（A4）", "print_a4", self.on_a4)
        self.print_ticket = button("打印小票", "print_ticket", self.on_ticket)
        self.phone = button("手机扫码带走", "show_qr", self.show_qr)
        self.apply = button("现在预申请", "pre_apply", self.pre_apply, kind="primary")
        self.back = button("重新回答问题", "plan_back", self.answer_again)
        actions = QHBoxLayout()
        for push in (self.back, self.print_a4, self.print_ticket, self.phone):
            actions.addWidget(push)
        actions.addStretch(1)
        actions.addWidget(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(scrolling(content), 1)
        layout.addWidget(self.qr)
        layout.addLayout(actions)

    def enter(self) -> None:
        journey = self.station.journey
        plan = self.plan = journey.plan()
        self.title.setText(f"{plan.scenario_name}：您需要准备这些")
        self.qr.setVisible(False)
        clear(self.body)
        told = [body(route.text, f"route_{route.id}") for route in plan.routes]
        if plan.counts:  # several of a kind: the copies below are counted for all of them
            told.insert(0, body(f"{plan.counts_words}。", "counts"))
        if told:  # the route the answers decided comes first: it explains the list
            self.body.addWidget(card(*told))
        items = QVBoxLayout()
        items.addWidget(heading("要办理的事项", "items_heading"))
        for item in plan.items:
            box = QCheckBox(f"{item.name}\n{item.department}，{item.time_words}")
            box.setObjectName(f"item_{item.id}")
            box.setChecked(True)
            mark_target(box)
            if item.chosen != "applicant":
                box.setEnabled(False)
                box.setToolTip(item.reason)
            box.toggled.connect(lambda on, i=item.id: self.toggle(i, on))
            items.addWidget(box)
            if item.chosen == "dependency" and item.reason:
                items.addWidget(body(f"　必须办理：{item.reason}", kind="small"))
        for left in plan.not_chosen:  # left out by the citizen: a touch takes it back
            box = QCheckBox(f"{left.name}（不办理）")
            box.setObjectName(f"item_{left.id}")
            mark_target(box)
            box.toggled.connect(lambda on, i=left.id: self.toggle(i, on))
            items.addWidget(box)
        for skipped in plan.not_applicable:
            items.addWidget(body(f"无需办理：{skipped.name}（{skipped.reason}）", kind="small"))
        for out in plan.excluded:
            items.addWidget(
                body(
                    f"暂不能办理：{out.name}\n　{out.reason}\n　请先：{out.advice}",
                    f"excluded_{out.id}",
                )
            )
        self.body.addWidget(card(*_widgets(items)))
        self.body.addWidget(heading("材料", "materials_heading"))
        for number, material in enumerate(plan.materials, start=1):
            line = body(
                f"{number}. {material.name}\n　{plain_status(material)}", f"material_{material.id}"
            )
            self.body.addWidget(line)
        where = journey.where(plan)
        self.body.addWidget(heading("去哪里办", "where_heading"))
        for number, place in enumerate(where.places, start=1):
            name, *lines = place.lines()
            self.body.addWidget(
                card(
                    body(f"{number}. {name}", f"place_{number}"),
                    *([body(place.role, kind="small")] if place.role else []),
                    body("\n".join(lines), f"place_{number}_lines"),
                )
            )
        self.body.addWidget(heading(where.promise.words, "promise"))
        self.body.addWidget(body(where.promise.basis_words, "promise_basis", kind="small"))
        self.body.addStretch(1)
        self.apply.setEnabled(plan.complete)

    def speech(self) -> str:
        plan = self.plan
        if plan is None:
            return ""
        bring = [m.name for m in plan.materials if m.status == "submit"]
        optional = [m.name for m in plan.materials if m.optional]
        spared = len(plan.materials) - len(bring) - len(optional)
        first = self.station.journey.where(plan).places[0].name
        maybe = f"可以带也可以不带的有：{'；'.join(optional)}。" if optional else ""
        return (
            f"{plan.scenario_name}。需要带的材料有 {len(bring)} 项：{'；'.join(bring)}。"
            f"{maybe}另有 {spared} 项不用提交。请到{first}办理，{plan.promise.words}。"
            "可以打印清单，或用手机扫码带走。"
        )

    def toggle(self, item_id: str, on: bool) -> None:
        self.station.journey.leave_out(item_id, not on)
        self.enter()

    def on_a4(self) -> None:
        plan, scenario = self.plan, self.station.journey.in_hand.scenario
        if plan is None or scenario is None:
            return
        papers = self.station.papers
        self.station.tell("正在打印清单……", False)
        self.station.work.run(
            lambda: papers.list_a4(plan, scenario),
            done=lambda _: self.printed(),
            failed=self.not_printed,
            label="打印清单",
        )

    def on_ticket(self) -> None:
        plan = self.plan
        if plan is None:
            return
        papers = self.station.papers
        self.station.tell("正在打印小票……", False)
        self.station.work.run(
            lambda: papers.list_ticket(plan),
            done=lambda _: self.printed(),
            failed=self.not_printed,
            label="打印小票",
        )

    def printed(self) -> None:
        self.station.tell("已打印，请在出纸口取走清单。", False)

    def not_printed(self, exc: BaseException) -> None:
        """No paper: the QR code on screen instead, and what to do (the printer's own words go
        to the log and the staff's device status, not to the citizen)."""
        self.show_qr()
        self.station.tell(printer_words(exc, "清单"), True)

    def show_qr(self) -> None:
        self.qr.setPixmap(qr_pixmap(self.station.journey.phone_text(), scale=5))
        self.qr.setVisible(True)

    def pre_apply(self) -> None:
        self.station.go("identify" if self.station.journey.in_hand.applicant is None else "form")

    def answer_again(self) -> None:
        self.station.journey.restart()
        self.station.go("question")

    def wipe(self) -> None:
        self.plan = None
        clear(self.body)
        self.qr.clear()
        self.qr.setVisible(False)
        self.title.clear()


def _widgets(layout: QVBoxLayout) -> list[QWidget]:
    found = []
    while (item := layout.takeAt(0)) is not None:
        if (widget := item.widget()) is not None:
            found.append(widget)
    return found
