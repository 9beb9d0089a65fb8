"""Flatbed and sheet-fed scanners on Linux, through SANE's own command-line frontend ``scanimage``
(Debian package sane-utils).

Why ``scanimage`` in a subprocess rather than python-sane: a scanner backend is vendor C code
that talks USB, and a hung or crashing one would freeze or kill the whole app if loaded into it;
in a child process it is killed when its time is up (the whole process group, since some
backends fork), and the app only sees a :class:`DeviceError`. It also needs no build step
(python-sane compiles against libsane-dev). What it costs — a process start and the device
being opened for each scan — is small beside a scan itself.

Pages come as PNG straight from ``scanimage --format=png``: it writes each row as the scanner
delivers it, so encoding overlaps the mechanical scan, and far fewer bytes are written and read
back than with PNM (2.4 MB for a 200 dpi 200×200 mm grey page), which Pillow would then need another
12–19 ms to re-encode after the scan ends (measured here).

A feeder source (ADF, duplex) scans in ``--batch`` mode into a temporary folder until the feeder
is empty; ``timeout_s`` then bounds each page, not the batch. Messages are read from scanimage's
stderr, which carries SANE's status strings (``sane_strstatus``); it runs with ``LC_ALL=C`` so
they and its numbers stay in the form parsed here.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.devices.protocols import DeviceError, Page

log = logging.getLogger(__name__)

FALLBACK = "可以改用高拍仪拍摄，或选择扫描好的文件。"
_SEP = "\x1f"  # between the fields of `scanimage -f`; no device name or model carries it
_LIST_FORMAT = f"%d{_SEP}%v{_SEP}%m{_SEP}%t%n"
_MODE_NAMES = {"gray": "灰度", "color": "彩色", "lineart": "黑白", "halftone": "半色调"}
_FEEDER_WORDS = ("adf", "feeder", "duplex")
_GRACE_S = 1.0  # after SIGTERM (scanimage then cancels the scan) before SIGKILL


@dataclass(frozen=True)
class ScannerInfo:
    device: str  # what `-d` takes, e.g. "epson2:libusb:001:004"
    vendor: str
    model: str
    type: str  # "flatbed scanner", "sheetfed scanner" …


@dataclass(frozen=True)
class ScannerOptions:
    """What a device offers for the settings OneStop makes, with its current (default) values."""

    names: frozenset[str] = frozenset()  # every option the device has, without dashes
    resolutions: tuple[float, ...] = ()  # a listed set of resolutions …
    resolution_range: tuple[float, float, float] | None = None  # … or (low, high, step)
    modes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    resolution: str = ""
    mode: str = ""
    source: str = ""

    def offers_resolution(self, dpi: int) -> bool:
        if dpi in self.resolutions:
            return True
        if self.resolution_range is None:
            return False
        low, high, step = self.resolution_range
        return low <= dpi <= high and (step <= 0 or abs((dpi - low) / step % 1) < 1e-6)

    def resolutions_text(self) -> str:
        if self.resolution_range is not None:
            low, high, step = self.resolution_range
            steps = f"，以 {_number(step)} 为步长" if step > 1 else ""
            return f"{_number(low)} 到 {_number(high)} dpi{steps}"
        return "、".join(_number(value) for value in self.resolutions) + " dpi"


def is_feeder(source: str) -> bool:
    """Whether a source name (they differ per backend) is a document feeder."""
    return any(word in source.lower() for word in _FEEDER_WORDS)


def _number(value: float) -> str:
    return f"{value:g}"


def _mode_text(mode: str) -> str:
    chinese = _MODE_NAMES.get(mode.lower())
    return f"{mode}（{chinese}）" if chinese else mode


# --- parsing scanimage's output -----------------------------------------------------------------


def parse_device_list(text: str) -> list[ScannerInfo]:
    """The devices from ``scanimage -f`` in :data:`_LIST_FORMAT`; other lines are skipped."""
    found = []
    for line in text.splitlines():
        fields = line.split(_SEP)
        if len(fields) == 4 and fields[0].strip():
            found.append(ScannerInfo(*(field.strip() for field in fields)))
    return found


_OPTION = re.compile(r"^ {4}(?:--|-)(?P<name>[A-Za-z0-9][\w-]*)(?P<rest>.*)$")
_FLAG = re.compile(r"\s\[(?:inactive|hardware|read-only|advanced)\]$")
_CURRENT = re.compile(r"\s\[(?P<value>[^\[\]]*)\]$")
_STEPS = re.compile(r"\s\(in steps of (?P<step>[-+0-9.eE]+)\)")
_UNIT = re.compile(r"(?:pel|bit|mm|dpi|%|us)$")


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _choices(rest: str) -> tuple[tuple[str, ...], tuple[float, float, float] | None, str]:
    """An option line's text after its name: (listed values, numeric range, current value)."""
    rest = rest.rstrip()
    while _FLAG.search(rest):
        rest = _FLAG.sub("", rest)
    current = ""
    match = _CURRENT.search(rest)
    if match:
        current, rest = match["value"], rest[: match.start()]
    step = 0.0
    match = _STEPS.search(rest)
    if match:
        step = _float(match["step"]) or 0.0
        rest = rest[: match.start()] + rest[match.end() :]
    rest = rest.strip().removesuffix(",...")
    rest = _UNIT.sub("", rest)
    if ".." in rest and "|" not in rest:
        low, _, high = rest.partition("..")
        low_value, high_value = _float(low), _float(high)
        if low_value is not None and high_value is not None:
            return (), (low_value, high_value, step), current
    return tuple(value for value in rest.split("|") if value), None, current


def parse_options(text: str) -> ScannerOptions:
    """The settings a device offers, from ``scanimage -d DEV -A`` (or ``--help``)."""
    names: set[str] = set()
    found: dict[str, tuple[tuple[str, ...], tuple[float, float, float] | None, str]] = {}
    for line in text.splitlines():
        match = _OPTION.match(line)
        if not match:
            continue
        name = match["name"]
        names.add(name)
        if name in {"resolution", "mode", "source"} and name not in found:
            found[name] = _choices(match["rest"])
    listed, span, resolution = found.get("resolution", ((), None, ""))
    numbers = (_float(value) for value in listed if value != "auto")
    modes, _, mode = found.get("mode", ((), None, ""))
    sources, _, source = found.get("source", ((), None, ""))
    return ScannerOptions(
        frozenset(names),
        tuple(n for n in numbers if n is not None),
        span,
        modes,
        sources,
        resolution,
        mode,
        source,
    )


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header, without decoding it."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise DeviceError("扫描仪送来的图像不完整：请再扫一次。", fallback=FALLBACK)
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- what scanimage's stderr means ---------------------------------------------------------------

_CHECK_POWER = "请检查扫描仪的电源和 USB 线，再扫一次。"
# SANE status strings (sane_strstatus) as scanimage prints them, and what a person should do.
_STATUS = (
    ("Document feeder out of documents", "进纸器里没有材料：请把材料放进进纸器，再扫一次。"),
    (
        "Document feeder jammed",
        "扫描仪卡纸了：请打开进纸器取出卡住的纸，把材料理齐后全部放回，再扫一次。",
    ),
    ("Scanner cover is open", "扫描仪的盖子开着：请盖好盖子再扫。"),
    ("Device busy", "扫描仪正被别的程序或另一次扫描占用：请稍等一会儿再扫。"),
    ("Error during device I/O", "扫描仪没有响应，可能被拔掉或断电了：" + _CHECK_POWER),
    (
        "Access to resource has been denied",
        "本机账户没有使用扫描仪的权限：请让管理员把它加入 scanner 组。",
    ),
    ("Out of memory", "扫描时内存不足：请在设置中降低扫描分辨率，再扫一次。"),
    ("Operation was canceled", "扫描被取消了（可能按了扫描仪上的取消键）：请再扫一次。"),
    ("Scanner mechanism locked for transport", "扫描仪的运输锁还锁着：请按说明书打开再扫。"),
    ("Lamp not ready", "扫描仪的灯管还在预热：请稍等片刻再扫。"),
    ("Operation not supported", "扫描仪不支持这样扫描：请检查设置中的扫描来源和模式。"),
)


def failure(stderr: str, returncode: int, device: str = "") -> DeviceError:
    """The :class:`DeviceError` for a scanimage run that failed, from what it printed."""
    log.warning("scanimage failed (exit %s): %s", returncode, stderr.strip()[-2000:])
    shown = f"「{device}」" if device else ""
    if "no SANE devices found" in stderr:
        return DeviceError(
            "没有找到扫描仪：请检查扫描仪是否开机、USB 线是否插好。", fallback=FALLBACK
        )
    if "open of device" in stderr and "failed" in stderr:
        return DeviceError(
            f"打不开扫描仪{shown}：请检查扫描仪是否开机、USB 线是否插好，或在设置"
            "中重新选择扫描仪。",
            fallback=FALLBACK,
        )
    setting = re.search(r"setting of option --([\w-]+) failed", stderr)
    if setting:
        return DeviceError(
            f"扫描仪不接受设置 --{setting[1]}：请在设置中改选它支持的值。", fallback=FALLBACK
        )
    for status, message in _STATUS:
        if status in stderr:
            return DeviceError(message, fallback=FALLBACK)
    if "Invalid argument" in stderr:
        return DeviceError(
            f"扫描仪{shown}不接受这次的设置：请检查设置中的扫描仪、分辨率、模式和来源。",
            fallback=FALLBACK,
        )
    return DeviceError(
        f"扫描仪出错了（scanimage 退出码 {returncode}）：" + _CHECK_POWER, fallback=FALLBACK
    )


# --- running scanimage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ran:
    returncode: int
    stdout: str
    stderr: str


class _Scanimage:
    """Runs scanimage in its own process group, and kills that group when time is up."""

    def __init__(self, program: str, env: Mapping[str, str] | None) -> None:
        self.program = program
        self.env = {**(os.environ if env is None else env), "LC_ALL": "C", "LANGUAGE": ""}

    def start(
        self, args: Sequence[str], out: int | IO[bytes], err: int | IO[bytes]
    ) -> subprocess.Popen[bytes]:
        try:  # with env given, Popen looks the program up on env's PATH
            return subprocess.Popen(
                [self.program, *args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as exc:
            log.warning("cannot run %s: %s", self.program, exc)
            raise DeviceError(
                "本机没有安装扫描程序 scanimage：请让管理员安装 Debian 软件包 "
                "sane-utils（apt-get install sane-utils），再扫一次。",
                fallback=FALLBACK,
            ) from None

    def run(self, args: Sequence[str], timeout_s: float) -> _Ran:
        process = self.start(args, subprocess.PIPE, subprocess.PIPE)
        try:
            out, err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.stop(process)
            raise timed_out(timeout_s) from None
        return _Ran(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))

    @staticmethod
    def stop(process: subprocess.Popen[bytes]) -> None:
        """SIGTERM lets scanimage cancel the scan and release the device; a backend stuck in a
        USB call gets SIGKILL after a grace second. The whole group: some backends fork."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.communicate(timeout=_GRACE_S)
                return
            except subprocess.TimeoutExpired:
                continue
        process.wait()


def timed_out(timeout_s: float) -> DeviceError:
    return DeviceError(
        f"扫描仪 {_number(round(timeout_s, 1))} 秒内没有扫完一页，已停止扫描：请检查"
        "扫描仪是否卡纸、断电或被拔掉，再扫一次。",
        fallback=FALLBACK,
    )


def list_scanners(
    *, scanimage: str = "scanimage", env: Mapping[str, str] | None = None, timeout_s: float = 30
) -> list[ScannerInfo]:
    """The scanners SANE finds (network backends may take seconds to look)."""
    ran = _Scanimage(scanimage, env).run(["-f", _LIST_FORMAT], timeout_s)
    if ran.returncode != 0:
        raise failure(ran.stderr, ran.returncode)
    return parse_device_list(ran.stdout)


def scanner_options(
    device: str = "",
    *,
    scanimage: str = "scanimage",
    env: Mapping[str, str] | None = None,
    timeout_s: float = 30,
) -> ScannerOptions:
    """What ``device`` (or SANE's default device) offers, for checking settings and diagnostics."""
    args = (["-d", device] if device else []) + ["-A"]
    ran = _Scanimage(scanimage, env).run(args, timeout_s)
    if ran.returncode != 0:
        raise failure(ran.stderr, ran.returncode, device)
    return parse_options(ran.stdout)


class SaneScanner:
    """A scanner SANE knows; ``scan`` takes everything in the feeder (or the one page on the
    glass), ``capture`` one page. ``options`` are further scanimage options for the model (a
    page size, ``--swdeskew=yes`` …); ``env`` replaces the process environment (tests)."""

    name = "扫描仪（SANE）"

    def __init__(
        self,
        device: str = "",
        *,
        resolution: int = 200,
        mode: str = "Gray",
        source: str = "",
        timeout_s: float = 60,
        options: Sequence[str] = (),
        scanimage: str = "scanimage",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.device = device
        self.resolution = resolution
        self.mode = mode
        self.source = source
        self.timeout_s = timeout_s
        self.options = tuple(options)
        self._scanimage = _Scanimage(scanimage, env)
        self._offered: ScannerOptions | None = None

    def offered(self) -> ScannerOptions:
        """The device's options, asked once (opening a real scanner can take seconds)."""
        if self._offered is None:
            args = (["-d", self.device] if self.device else []) + ["-A"]
            ran = self._scanimage.run(args, self.timeout_s)
            if ran.returncode != 0:
                raise failure(ran.stderr, ran.returncode, self.device)
            self._offered = parse_options(ran.stdout)
        return self._offered

    def check(self) -> str:
        """Empty when the scanner is there and offers what the settings ask; else what to do."""
        self._offered = None  # asked afresh: it may have been unplugged or replaced
        try:
            self.arguments()
        except DeviceError as exc:
            return exc.message
        return ""

    def arguments(self) -> list[str]:
        """The settings as scanimage options, after checking the device offers them."""
        offered = self.offered()
        args = ["-d", self.device] if self.device else []
        if self.source:
            if self.source not in offered.sources:
                listed = "、".join(offered.sources) or "（无）"
                raise DeviceError(
                    f"扫描仪没有「{self.source}」这个扫描来源，它提供：{listed}。请在"
                    "设置中改选其中一个。",
                    fallback=FALLBACK,
                )
            args += ["--source", self.source]
        if "mode" in offered.names:
            chosen = next((m for m in offered.modes if m.lower() == self.mode.lower()), None)
            if chosen is None:
                listed = "、".join(map(_mode_text, offered.modes))
                raise DeviceError(
                    f"扫描仪没有「{_mode_text(self.mode)}」模式，它提供：{listed}。"
                    "请在设置中改选其中一种。",
                    fallback=FALLBACK,
                )
            args += ["--mode", chosen]
        if "resolution" in offered.names:
            if not offered.offers_resolution(self.resolution):
                raise DeviceError(
                    f"扫描仪不支持 {self.resolution} dpi 的分辨率，它支持："
                    f"{offered.resolutions_text()}。请在设置中改选。",
                    fallback=FALLBACK,
                )
            args += ["--resolution", str(self.resolution)]
        return args + ["--format=png", *self.options]

    def feeds(self) -> bool:
        """Whether this scan comes from a document feeder (the chosen or the device's source)."""
        return is_feeder(self.source or self.offered().source)

    def capture(self) -> Page:
        return self._batch(count=1)[0]

    def scan(self) -> list[Page]:
        return self._batch(count=None if self.feeds() else 1)

    def _batch(self, count: int | None) -> list[Page]:
        """Scans into a temporary folder; ``count`` None until the feeder is empty. Each page
        must arrive within ``timeout_s`` of the one before."""
        args = self.arguments()
        with tempfile.TemporaryDirectory(prefix="onestop-scan-") as folder:
            where = Path(folder)
            args += [f"--batch={where / 'page-%05d.png'}"]
            if count is not None:
                args.append(f"--batch-count={count}")
            with (where / "stderr.txt").open("w+b") as errors:
                process = self._scanimage.start(args, subprocess.DEVNULL, errors)
                returncode = self._wait(process, where, Path(errors.name))
                errors.seek(0)
                stderr = errors.read().decode(errors="replace")
            files = sorted(where.glob("page-*.png"))
            if returncode is None:  # hung after the batch: its stderr says how the batch ended
                error = re.search(r"sane_(?:start|read): (.*)", stderr)
                ran_out = error is not None and "out of documents" in error[1] and count is None
                returncode = 0 if error is None or (ran_out and files) else 1
            if returncode != 0:
                raise failure(stderr, returncode, self.device)
            if not files:  # the feeder ran out before the first page: scanimage says 0
                raise DeviceError(
                    "进纸器里没有材料：请把材料放进进纸器，再扫一次。", fallback=FALLBACK
                )
            pages = []
            for file in files:
                png = file.read_bytes()
                pages.append(Page(png, *png_size(png)))
            return pages

    def _wait(self, process: subprocess.Popen[bytes], folder: Path, errors: Path) -> int | None:
        """scanimage's exit status; None when it finished the batch but hung closing the device
        (SANE's test backend does, about one run in 50 after an error) and was stopped."""
        pages, deadline = 0, time.monotonic() + self.timeout_s
        finished: float | None = None
        while True:
            try:
                return process.wait(timeout=0.01)
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if finished is None and b"Batch terminated" in errors.read_bytes():
                finished = now
            if finished is not None and now - finished > _GRACE_S:
                log.warning("scanimage hung after its batch ended: stopped")
                _Scanimage.stop(process)
                return None
            done = sum(1 for _ in folder.glob("page-*.png"))  # renamed from .part when whole
            if done > pages:
                pages, deadline = done, now + self.timeout_s
            elif now > deadline:
                _Scanimage.stop(process)
                raise timed_out(self.timeout_s)
