"""Always visible at the bottom of the window: a kiosk's call for help (a click says this clerk
goes), the devices (reader, camera or scanner: a problem in red, a click says what to do), online
or offline, the outbox (waiting, failing, returned by the platform — a click opens
it to resend or cancel), the catalog version in use, today's count at this window, and who is
signed in. Read every few seconds on its own lane."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget
from shiboken6 import isValid

from app.bootstrap import Core
from app.cases.receipts import hall_day
from app.db.base import utcnow
from app.devices.states import DeviceState, device_states
from app.help import HelpRequest
from app.widgets.tasks import Tasks
from counter.ui.outbox import OutboxDialog
from counter.ui.station import Station
from sync.worker import status as sync_status

ONLINE = "color:#1b5e20; font-weight:bold;"
OFFLINE = "color:#b00020; font-weight:bold;"
HELP = "color:#ffffff; background:#b00020; font-weight:bold; padding:2px 8px;"


@dataclass(frozen=True)
class Snapshot:
    online: bool
    contacted: bool  # the platform answered or failed at least once since the data began
    configured: bool
    last_error: str
    waiting: int
    failing: int
    attention: int
    oldest_age_s: float | None
    catalog_version: str
    today: int
    help: tuple[HelpRequest, ...] = ()  # waiting, the longest first


def waited(request: HelpRequest, now: datetime) -> str:
    minutes = int(request.waited_s(now) // 60)
    return f"已等 {minutes} 分钟" if minutes else "刚刚求助"


def help_text(waiting: Sequence[HelpRequest], now: datetime) -> str:
    """The help button's words, for the longest-waiting request (the one a click answers)."""
    first = waiting[0]
    if len(waiting) == 1:
        return f"🙋 自助终端求助：{first.where}，{waited(first, now)} — 前往协助"
    return f"🙋 自助终端求助 {len(waiting)} 处：最早 {first.where}，{waited(first, now)} — 前往协助"


def help_tip(waiting: Sequence[HelpRequest], now: datetime) -> str:
    lines = [f"{request.where}：{waited(request, now)}" for request in waiting]
    return "\n".join([*lines, "点击表示您前往协助最早的一处，其他柜台将不再提示它。"])


def snapshot(core: Core, terminal: str, today: date) -> Snapshot:
    """What the status bar shows, read in one go (on a worker)."""
    found: dict[str, Any] = sync_status(core)
    counts = found["messages"]
    return Snapshot(
        online=bool(found["online"]),
        configured=bool(found["platform"]),
        contacted=bool(found["last_contact"] or found["last_error"]),
        last_error=found["last_error"] or "",
        waiting=counts.get("pending", 0) + counts.get("in_flight", 0),
        failing=counts.get("retrying", 0),
        attention=counts.get("attention", 0),
        oldest_age_s=found["oldest_unsent_age_s"],
        catalog_version=found["catalog_version"],
        today=len(core.queries.today(terminal, today)),
        help=tuple(core.help.waiting()),
    )


class StatusPanel(QStatusBar):
    def __init__(
        self,
        station: Station,
        parent: QWidget | None = None,
        *,
        every_ms: int = 3000,
        devices_every_ms: int = 15000,
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.lane = Tasks(self._failed, self, name="status")
        self.help = QPushButton("")
        self.help.setObjectName("help_button")
        self.help.setStyleSheet(HELP)
        self.help.clicked.connect(self.answer_help)
        self.help.setVisible(False)
        self.help_shown: HelpRequest | None = None  # what a click on the help button answers
        self.answering: int | None = None  # the request being answered: not shown again
        self.online = QLabel("…")
        self.online.setObjectName("online")
        self.outbox = QPushButton("队列：…")
        self.outbox.setObjectName("outbox_button")
        self.outbox.setFlat(True)
        self.outbox.clicked.connect(self.open_outbox)
        self.catalog = QLabel("")
        self.catalog.setObjectName("catalog_version")
        self.today = QLabel("")
        self.today.setObjectName("today_count")
        self.clerk = QLabel("")
        self.devices = QPushButton("设备 …")
        self.devices.setObjectName("devices_state")
        self.devices.setFlat(True)
        self.devices.clicked.connect(self.explain_devices)
        self.device_states: list[DeviceState] = []
        self.slips = QPushButton("")
        self.slips.setObjectName("retry_slips")
        self.slips.setStyleSheet("color:#b00020; font-weight:bold;")
        self.slips.clicked.connect(self.retry_slips)
        self.slips.setVisible(False)
        for widget in (
            self.help,
            self.slips,
            self.devices,
            self.online,
            self.outbox,
            self.catalog,
            self.today,
            self.clerk,
        ):
            self.addPermanentWidget(widget)
        self.last: Snapshot | None = None
        self.dialog: OutboxDialog | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.device_timer = QTimer(self)
        self.device_timer.setInterval(devices_every_ms)
        self.device_timer.timeout.connect(self.check_devices)
        self.device_timer.start()
        self.refresh()
        self.check_devices()

    # -- the devices: asked on the devices' own lane, between reads, never during one -------------
    def check_devices(self) -> None:
        lane = self.station.devices
        if lane.busy:
            return  # a card read or a capture is going on: it tells its own trouble
        devices = self.station.session.devices
        lane.run(
            lambda: device_states(devices),
            done=self.show_devices,
            failed=lambda _exc: None,
            label="设备状态",
        )

    def show_devices(self, states: list[DeviceState]) -> None:
        if not isValid(self.devices):
            return  # the window closed while the devices were asked (their lane outlives it)
        self.device_states = states
        problems = [state for state in states if not state.ok]
        if problems:
            self.devices.setText("设备：" + "、".join(f"{p.title}异常" for p in problems))
            self.devices.setStyleSheet("color:#b00020; font-weight:bold;")
        else:
            self.devices.setText("设备正常")
            self.devices.setStyleSheet("")
        self.devices.setToolTip("\n".join(f"{s.title}：{s.text}" for s in states))
        self.devices.setAccessibleName(self.devices.text())

    def explain_devices(self) -> None:
        """A click says what is wrong and what to do, and asks the devices again."""
        problems = [state for state in self.device_states if not state.ok]
        if problems:
            self.station.bar.error("；".join(f"{p.title}：{p.text}" for p in problems))
        else:
            self.station.bar.info(
                "设备正常："
                + "；".join(f"{s.title} {s.name}" for s in self.device_states if s.name)
            )
        self.check_devices()

    def refresh(self) -> None:
        session = self.station.session  # who is signed in shows at once, whatever the lane does
        self.clerk.setText(f"{session.operator.display_name}（{session.operator.role_label}）")
        if self.lane.busy:
            return  # the last read is still going (a slow database): skip, never pile up
        terminal = session.core.settings.terminal.name
        core, today = session.core, hall_day(utcnow())
        self.lane.run(
            lambda: snapshot(core, terminal, today), done=self.show_snapshot, label="状态"
        )

    def show_snapshot(self, found: Snapshot) -> None:
        self.last = found
        if self.station.session.core.settings.terminal.training:
            self.online.setText("● 培训模式（不报送平台）")
            self.online.setStyleSheet(OFFLINE)
            self.online.setToolTip("培训模式：办件留在本机的培训数据库，不发送到省级平台。")
        elif not found.configured:
            self.online.setText("● 未连接平台（单机）")
            self.online.setStyleSheet(OFFLINE)
            self.online.setToolTip("没有配置省级平台：办件都留在本机队列中。")
        elif not found.contacted:
            self.online.setText("● 正在连接平台…")
            self.online.setStyleSheet("color:#555;")
            self.online.setToolTip("还没有与省级平台联系过；办件照常受理。")
        elif found.online:
            self.online.setText("● 在线")
            self.online.setStyleSheet(ONLINE)
            self.online.setToolTip("与省级平台连接正常。")
        else:
            self.online.setText("● 离线")
            self.online.setStyleSheet(OFFLINE)
            self.online.setToolTip(f"{found.last_error}\n办件照常受理，网络恢复后自动发送。")
        parts = [f"待发送 {found.waiting}"]
        if found.failing:
            parts.append(f"重试中 {found.failing}")
        if found.attention:
            parts.append(f"需处理 {found.attention}")
        if self.station.session.core.settings.terminal.training:
            parts = ["培训，不发送"]  # the practice database's messages never leave it
        self.outbox.setText("队列：" + "　".join(parts))
        self.outbox.setStyleSheet("color:#b00020; font-weight:bold;" if found.attention else "")
        if found.oldest_age_s and found.oldest_age_s > 600:
            self.outbox.setToolTip(f"最早一条已等待 {int(found.oldest_age_s // 60)} 分钟")
        else:
            self.outbox.setToolTip("点击查看发送队列")
        self.catalog.setText(f"目录 {found.catalog_version}")
        tickets = self.station.session.papers.tickets
        waiting = len(tickets.waiting) if tickets is not None else 0
        self.slips.setText(f"凭条待打印 {waiting}：重新打印")
        self.slips.setVisible(waiting > 0)
        self.today.setText(f"今日办件 {found.today}")
        self.show_help(found.help)

    def show_help(self, found: Sequence[HelpRequest]) -> None:
        waiting = [request for request in found if request.id != self.answering]
        self.help_shown = waiting[0] if waiting else None
        self.help.setVisible(bool(waiting))
        if not waiting:
            return
        now = utcnow()
        self.help.setText(help_text(waiting, now))
        self.help.setAccessibleName(self.help.text())
        self.help.setToolTip(help_tip(waiting, now))

    def answer_help(self) -> None:
        """This clerk goes to the longest-waiting kiosk: the other counters stop showing it."""
        request = self.help_shown
        if request is None or self.answering is not None:
            return
        core, actor = self.station.session.core, self.station.session.actor
        self.answering = request.id
        self.show_help(self.last.help if self.last is not None else ())

        def done(answered: HelpRequest) -> None:
            self.answering = None
            self.station.bar.info(f"已告知其他柜台：您前往{answered.where}协助市民。")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.answering = None
            self.station.bar.show_exception(exc)
            self.refresh()

        self.lane.run(
            lambda: core.help.answer(request.id, actor), done=done, failed=failed, label="前往协助"
        )

    def retry_slips(self) -> None:
        """The slips a thermal printer could not print, now that it is back."""
        papers = self.station.session.papers

        def done(count: int) -> None:
            self.station.bar.info(f"已补打 {count} 张凭条。")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            self.refresh()

        self.station.work.run(papers.retry_slips, done=done, failed=failed, label="补打凭条")

    def _failed(self, exc: BaseException) -> None:
        self.online.setText("● 状态未知")
        self.online.setStyleSheet(OFFLINE)
        self.online.setToolTip(str(exc))

    def open_outbox(self) -> None:
        self.dialog = OutboxDialog(self.station, self.window())
        self.dialog.finished.connect(lambda _: self.refresh())
        self.dialog.open()
