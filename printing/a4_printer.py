"""Sending A4 documents to the system's printers through CUPS (``lp``), on the counter with a
preview first and on kiosks silently. A printer problem is a Chinese message for the clerk; the
document can be printed again, and every print and reprint is written to the case's audit trail
with who, which terminal, which printer and — for a reprint — why."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Protocol

from app.errors import OneStopError


class A4PrinterUnavailable(OneStopError):
    """CUPS or the printer cannot take the document now."""


class A4Printer(Protocol):
    """Where a window's A4 documents go; a fake stands in for it in tests."""

    @property
    def name(self) -> str:
        """The queue's name, written to the case's print journal."""
        ...

    def send(self, pdf: bytes, *, title: str) -> str:
        """Queue the PDF; returns the job id. Raises :class:`A4PrinterUnavailable`."""
        ...


@dataclass
class CupsPrinter:
    """A CUPS queue (empty: the system's default printer) through ``lp``."""

    queue: str = ""

    @property
    def name(self) -> str:
        return self.queue

    def send(self, pdf: bytes, *, title: str) -> str:
        return send_pdf(pdf, title=title, printer=self.queue)


def send_pdf(
    data: bytes, *, title: str, printer: str = "", copies: int = 1, timeout_s: float = 30
) -> str:
    """Queue ``data`` (a PDF) on ``printer`` (empty: the system's default); returns the job id."""
    lp = shutil.which("lp")
    if lp is None:
        raise A4PrinterUnavailable(
            "本机没有安装打印服务（CUPS），无法打印。", hint="请联系信息管理员安装并配置打印机。"
        )
    command = [lp, "-t", title, "-n", str(copies), "-o", "media=A4"]
    if printer:
        command += ["-d", printer]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise A4PrinterUnavailable(
            "打印服务没有响应。", hint="请稍后再试或联系信息管理员。"
        ) from None
    error = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise A4PrinterUnavailable(_why(error, printer), hint="文书没有打印，可以稍后重新打印。")
    found = re.search(r"request id is (\S+)", done.stdout.decode("utf-8", "replace"))
    return found.group(1) if found else ""


def _why(error: str, printer: str) -> str:
    text = error.lower()
    name = printer or "默认打印机"
    if "does not exist" in text or "no default destination" in text:
        return f"打印机“{name}”不存在或没有设置默认打印机。"
    if "not accepting" in text:
        return f"打印机“{name}”暂停接收打印任务。"
    if "connect" in text or "scheduler" in text:
        return "打印服务（CUPS）没有运行。"
    return f"打印失败：{error.strip()[:200] or '原因不明'}"


def cups_state(queue: str, *, timeout_s: float = 5.0) -> tuple[str, bool]:
    """The CUPS queue's state from ``lpstat`` (empty ``queue``: the default printer)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return "本机没有安装打印服务（CUPS）：请联系信息管理员安装并设置打印机。", True
    english = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # lpstat's words are read below

    def ask(*arguments: str) -> str:
        done = subprocess.run(
            [lpstat, *arguments], capture_output=True, timeout=timeout_s, env=english, check=False
        )
        return (done.stdout + done.stderr).decode("utf-8", "replace").strip()

    try:
        if "not running" in ask("-r"):
            return "打印服务（CUPS）没有运行：请启动打印服务。", True
        name = queue or ask("-d").partition("destination:")[2].strip()
        said = ask("-p", name).lower() if name else ""
    except (OSError, subprocess.TimeoutExpired):
        return "打印服务（CUPS）没有响应：请检查打印服务是否在运行。", True
    if not name:
        return "没有默认打印机：请在 CUPS 中设置，或在设置 [printing] a4_printer 中填写。", True
    if not said.startswith("printer "):
        return f"找不到打印机“{name}”：请检查设置 [printing] a4_printer。", True
    if "disabled" in said:
        return f"{name}：已暂停，请在 CUPS 中恢复（cupsenable {name}）。", True
    if "now printing" in said:
        return f"{name}：正在打印。", False
    if "is idle" in said:
        return f"{name}：就绪。", False
    return f"{name}：状态不明，请试打一页。", False
