"""What staff see on the kiosk's staff screen, without Qt: the PIN's lock after wrong tries,
and one line per device — the card reader, the camera, the printers (paper, CUPS), the outbox —
each saying what is wrong and what to do. The slow lines are read off the GUI thread."""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.accounts import check_password
from app.cases.outbox import Outbox
from app.devices.drivers import Devices
from app.devices.states import state_of
from app.errors import describe
from app.settings import Settings
from printing.a4_printer import A4Printer, CupsPrinter, cups_state
from printing.thermal import Paper, PrinterUnavailable, ReceiptPrinter, TicketPrinter

log = logging.getLogger(__name__)

MAX_WRONG = 5
LOCK_S = 60.0
NO_PIN = (
    "本机未设置工作人员密码，请在设置的 [kiosk] staff_pin_hash 中设置："
    "用 app.accounts.hash_password 生成密码的哈希填入，然后重新启动终端。"
)
PAPER: dict[Paper, tuple[str, bool]] = {
    "ok": ("纸张正常。", False),
    "low": ("纸快用完了，请及时换纸。", True),
    "out": ("缺纸，请装纸；装好前群众可扫屏幕上的二维码代替凭条。", True),
    "unknown": ("已设置，纸张状态读不到（打印机不支持查询）。", False),
}


class PinLock:
    """Wrong PINs in a row, and the pause after :data:`MAX_WRONG` of them.

    With a ``store`` (a file in the data folder) both survive a restart of the kiosk: pulling
    the plug is not a way to more tries. ``clock`` is wall time for that reason; a pause read
    back longer than :data:`LOCK_S` (the clock was set back) is cut to :data:`LOCK_S`.
    """

    def __init__(self, clock: Callable[[], float], store: Path | None = None) -> None:
        self.clock = clock
        self.store = store
        self.wrong = 0
        self.until = float("-inf")
        self._load()

    def refusal(self) -> str:
        """Why no PIN is taken now ("" when one is)."""
        left = self.until - self.clock()
        if left <= 0:
            return ""
        return f"连续输错 {MAX_WRONG} 次，请 {int(left + 0.999)} 秒后再试。"

    def record(self, right: bool) -> str:
        """Count one answer; what the person reads after a wrong one."""
        if right:
            self.wrong = 0
            self._save()
            return ""
        self.wrong += 1
        if self.wrong >= MAX_WRONG:
            self.wrong = 0
            self.until = self.clock() + LOCK_S
            self._save()
            return self.refusal()
        self._save()
        return f"密码不对，请重新输入（还可以再试 {MAX_WRONG - self.wrong} 次）。"

    def _load(self) -> None:
        if self.store is None:
            return
        try:
            saved = json.loads(self.store.read_text(encoding="utf-8"))
            wrong, until = int(saved["wrong"]), float(saved["until"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError):
            # Unreadable: the safe side is a fresh pause, not a fresh count.
            log.warning("staff PIN lock file unreadable: %s; pausing the PIN", self.store)
            self.until = self.clock() + LOCK_S
            self._save()
            return
        self.wrong = min(max(wrong, 0), MAX_WRONG - 1)
        self.until = min(until, self.clock() + LOCK_S) if math.isfinite(until) else self.until

    def _save(self) -> None:
        if self.store is None:
            return
        until = self.until if math.isfinite(self.until) else 0.0
        try:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.store.with_suffix(".tmp")
            temporary.write_text(
                json.dumps({"wrong": self.wrong, "until": until}), encoding="utf-8"
            )
            os.replace(temporary, self.store)
        except OSError:
            log.exception("could not save the staff PIN lock to %s", self.store)


def pin_matches(pin: str, stored: str) -> bool:
    try:
        return check_password(pin, stored)
    except ValueError:  # a hash that is not valid base64
        return False


# -- what staff read: plain data, the slow parts read on a worker ---------------------------------
@dataclass(frozen=True)
class StatusLine:
    key: str
    title: str
    text: str
    problem: bool = False

    @property
    def shown(self) -> str:
        return f"{self.title}：{self.text}"


TITLES = {
    "terminal": "终端",
    "database": "数据",
    "reader": "身份证读卡器",
    "camera": "高拍仪",
    "a4": "A4 打印机",
    "ticket": "凭条打印机",
    "outbox": "发送队列",
}
SLOW = ("reader", "camera", "a4", "ticket", "outbox")
MISSING = {
    "reader": "未连接：群众只能手动输入证件号码。请检查读卡器连线和设置 [devices] id_reader，"
    "然后重新启动终端。",
    "camera": "未连接：群众不能拍材料，需带原件到窗口提交。请检查高拍仪连线和设置 "
    "[devices] capture，然后重新启动终端。",
}


def line(key: str, text: str, problem: bool = False) -> StatusLine:
    return StatusLine(key, TITLES[key], text, problem)


def quick_lines(settings: Settings) -> list[StatusLine]:
    url = settings.database_url
    local = url.startswith("sqlite")
    database = f"本机数据库 {url.removeprefix('sqlite:///')}" if local else "大厅共享数据库"
    return [
        line("terminal", f"{settings.kiosk.name}（{settings.terminal.name}）"),
        line("database", database),
    ]


def device_line(key: str, device: object) -> StatusLine:
    """The reader's or the camera's line: asked whether it answers (it may take a moment)."""
    if device is None:
        return line(key, MISSING[key], True)
    state = state_of("id_reader" if key == "reader" else "capture", device)
    if state.ok:
        return line(key, f"已连接（{state.name}）。")
    return line(key, f"{state.text}（{state.name}）", True)


def slow_lines(
    devices: Devices, a4: A4Printer | None, tickets: ReceiptPrinter | None, outbox: Outbox
) -> list[StatusLine]:
    """The devices, the printers and the outbox: each may take seconds (call it off the GUI
    thread, on the devices' lane: a check never talks to a reader while it reads)."""
    return [
        device_line("reader", devices.id_reader),
        device_line("camera", devices.capture),
        a4_line(a4),
        ticket_line(tickets),
        outbox_line(outbox),
    ]


def a4_line(a4: A4Printer | None) -> StatusLine:
    if a4 is None:
        return line("a4", "未设置：群众可扫屏幕上的二维码带走清单。", True)
    if not isinstance(a4, CupsPrinter):
        return line("a4", f"{a4.name or '默认打印机'}（状态查询不到）。")
    return line("a4", *cups_state(a4.queue))


def ticket_line(tickets: ReceiptPrinter | None) -> StatusLine:
    if tickets is None:
        return line(
            "ticket", "未设置（[printing.ticket] kind）：群众可扫屏幕上的二维码代替凭条。", True
        )
    paper: Paper = "unknown"
    if isinstance(tickets, TicketPrinter):
        try:
            paper = tickets.paper()
        except PrinterUnavailable as exc:
            return line("ticket", str(exc), True)
    return line("ticket", *PAPER[paper])


def outbox_line(outbox: Outbox) -> StatusLine:
    try:
        counts = outbox.counts()
    except Exception as exc:  # the other lines are still worth showing
        text, unexpected = describe(exc)
        if unexpected:
            log.error("the staff screen could not read the outbox", exc_info=exc)
        return line("outbox", f"读不到：{text}", True)
    waiting = counts["pending"] + counts["in_flight"] + counts["retrying"]
    text = f"待发送 {waiting} 条"
    if counts["retrying"]:
        text += f"（其中 {counts['retrying']} 条发送失败、等待重试）"
    if counts["attention"]:
        text += f"；平台退回 {counts['attention']} 条，请在窗口端的发送队列中处理"
    return line("outbox", text + "。", bool(counts["attention"]))
