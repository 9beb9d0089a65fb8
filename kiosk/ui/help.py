"""帮助: the common questions of the scenario the citizen is in (常见问题, from the catalog), the
kiosk's own questions, and 请工作人员协助 — a call that reaches every counter of the hall with the
kiosk's name and the step, never who the citizen is. The call is withdrawn when the session ends.

An older citizen (长辈模式 on, or a card showing 60 or older: GB/T 45836 §7.4.4) is offered 陪同办
instead: the same call, its step saying 长辈陪同办理 so the clerk who goes knows to stay through."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.cases.assistance import recognised
from app.cases.receipts import hall_day
from app.catalog.models import Faq
from app.db.base import utcnow
from app.help import HelpRequest
from kiosk.ui.parts import Screen, body, button, card, clear, heading, reason, row, scrolling
from kiosk.ui.station import Station

# The step staff read beside the kiosk's name (一楼自助机（填写申请表）).
STEPS = {
    "start": "首页", "find": "查找事项", "question": "回答问题", "plan": "查看所需材料",
    "identify": "核验身份", "form": "填写申请表", "capture": "拍摄材料", "review": "核对提交",
    "ticket": "领取凭条", "progress": "查询进度", "rate": "评价服务",
}  # fmt: skip

ASK = "不会操作、遇到问题，可以点下面的按钮，工作人员会到这台机器旁协助您。"
CALL = "请工作人员协助"
ASK_OLDER = "长辈可以请工作人员陪同办理：点下面的按钮，工作人员会到这台机器旁，陪您一步一步办完。"
CALL_OLDER = "请工作人员陪同办理"
ACCOMPANY = "长辈陪同办理"  # added to the step staff read


def older(station: Station) -> bool:
    """陪同办 is offered: 长辈模式 is on, or the applicant's ID shows 60 or older."""
    if station.elderly():
        return True
    applicant = station.journey.in_hand.applicant
    return applicant is not None and bool(recognised(applicant.party, hall_day(utcnow())))


# What anyone at a self-service terminal may ask, whatever the scenario.
KIOSK_FAQ = (
    Faq(
        q="没带身份证，或身份证读不出来怎么办？",
        a="在“核验身份”一步点“输入证件号码”，输入姓名和身份证号码即可继续；到窗口时请带上身份证原件。",
    ),
    Faq(
        q="凭条没有打印出来怎么办？",
        a="屏幕上会显示凭条二维码，请用手机拍下，到综合窗口出示即可；也可以记下受理编号。",
    ),
    Faq(
        q="我的信息会留在这台机器上吗？",
        a="不会。点“完成”或“退出”，或一段时间没有操作，本次填写的信息、拍摄的材料都会立即清除。",
    ),
    Faq(q="字太小、看不清怎么办？", a="点屏幕上方的“长辈模式”，字会变大，并有语音读出每一步。"),
    Faq(
        q="怎样查询办理进度、评价服务？",
        a="把受理凭条上的二维码对准扫码口，就能看到进度；在窗口办完后也可以在这里评价。",
    ),
)


class HelpScreen(Screen):
    name = "help"
    long = True  # a citizen waiting for staff is not wiped after a minute

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.came_from = "start"  # the screen the citizen asked for help on: 返回 goes there
        self.asked = False  # a call for staff waits for this session (withdrawn by the wipe)
        self.title = heading("帮助", "help_title")
        self.status = body(ASK, "help_status")
        self.call = button(CALL, "help_call", self.ask_staff, kind="primary")
        self.back = button("返回", "help_back", lambda: station.go(self.came_from))
        content = QWidget()
        self.answers = QVBoxLayout(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addLayout(row(self.call, self.back))
        layout.addWidget(scrolling(content), 1)

    def set_query(self, query: str) -> None:
        if query and query != self.name:
            self.came_from = query

    def enter(self) -> None:
        if not self.asked:
            accompany = older(self.station)
            self.status.setText(ASK_OLDER if accompany else ASK)
            self.call.setText(CALL_OLDER if accompany else CALL)
        clear(self.answers)
        scenario = self.station.journey.in_hand.scenario
        groups: list[tuple[str, tuple[Faq, ...]]] = [("使用自助终端", KIOSK_FAQ)]
        if scenario is not None and scenario.faq:
            groups.insert(0, (f"{scenario.name}：常见问题", scenario.faq))
        for number, (title, faqs) in enumerate(groups):
            self.answers.addWidget(heading(title, f"help_group_{number}"))
            for index, faq in enumerate(faqs):
                name = f"help_faq_{number}_{index}"
                self.answers.addWidget(
                    card(
                        body(f"问：{faq.q}", f"{name}_q", kind="strong"),
                        body(f"答：{faq.a}", f"{name}_a"),
                    )
                )
        self.answers.addStretch(1)

    def speech(self) -> str:
        return f"{self.title.text()}。{self.status.text()}"

    @property
    def step(self) -> str:
        step = STEPS.get(self.came_from, "")
        return f"{step}·{ACCOMPANY}" if step and older(self.station) else step

    def ask_staff(self) -> None:
        settings = self.station.core.settings
        kiosk, terminal, step = settings.kiosk.name, settings.terminal.name, self.step
        self.station.tell("正在呼叫工作人员……", False)
        self.station.work.run(
            lambda: self.station.core.help.ask(kiosk, terminal, step),
            done=self._asked,
            failed=self._not_asked,
            label="请工作人员协助",
        )

    def _asked(self, request: HelpRequest) -> None:
        self.asked = True
        self.station.tell("", False)
        self.status.setText("已通知工作人员，请在这台机器旁稍候，工作人员马上过来。")
        self.call.setText("再次呼叫")
        self.station.say(self.status.text())

    def _not_asked(self, exc: BaseException) -> None:
        self.station.tell(f"{reason(exc)} 请到综合窗口或咨询台找工作人员。", True)

    def wipe(self) -> None:
        """The citizen left: staff no longer need to come (the call is withdrawn)."""
        if self.asked:
            terminal = self.station.core.settings.terminal.name
            self.station.work.run(
                lambda: self.station.core.help.withdraw(terminal), label="撤回求助"
            )
        self.asked = False
        self.came_from = "start"
        self.status.setText(ASK)
        self.call.setText(CALL)
        clear(self.answers)
