"""``onestop devices list|test``: what is attached to this terminal and usable — serial ports,
cameras, scanners, printers — and what the settings would pick; and one read of a device, its
result printed masked (a hall's IT staff run it while setting up a counter, never with a person's
card left on the reader)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from app.cli.common import add_settings_option, emit_json
from app.devices.drivers import Devices, devices_of
from app.devices.protocols import Batch, DeviceError
from app.devices.states import device_states
from app.identity.masking import mask_name, mask_number
from app.settings import Settings, load_settings

TESTS = ("reader", "capture", "qr", "code-scanner")
T = TypeVar("T")


def register(commands: Any) -> None:
    parser = commands.add_parser("devices", help="设备：列出本机连接的设备，逐个测试")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    listing = sub.add_parser("list", help="串口、摄像头、扫描仪、打印机，以及设置选用的设备")
    add_settings_option(listing)
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(run=run_list)
    test = sub.add_parser("test", help="按设置读一次设备并显示结果（个人信息打码）")
    test.add_argument(
        "name",
        choices=TESTS,
        metavar="设备",
        help="reader 读身份证；capture 拍（扫）一页；qr 从拍到的画面识别二维码；"
        "code-scanner 等串口扫码枪扫一个码",
    )
    test.add_argument("--timeout", type=float, default=10.0, metavar="秒", help="最多等多久")
    test.add_argument(
        "--out", type=Path, default=None, metavar="文件", help="capture：把拍到的第一页存为 PNG"
    )
    add_settings_option(test)
    test.set_defaults(run=run_test)


# -- list ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SerialPort:
    device: str
    description: str
    usb: str  # "1a86:7523" when the port is a USB device
    serial_number: str


def serial_ports() -> list[SerialPort]:
    from serial.tools import list_ports

    found = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        usb = f"{port.vid:04x}:{port.pid:04x}" if port.vid is not None else ""
        found.append(SerialPort(port.device, port.description or "", usb, port.serial_number or ""))
    by_id = Path("/dev/serial/by-id")  # udev's stable names: what a setting should use
    if by_id.is_dir():
        for link in sorted(by_id.iterdir()):
            target = os.path.realpath(link)
            found = [
                SerialPort(str(link), p.description, p.usb, p.serial_number)
                if p.device == target
                else p
                for p in found
            ]
    return found


def printers(timeout_s: float = 5.0) -> list[dict[str, Any]]:
    """CUPS queues and which is the default (``lpstat``; none when CUPS is not installed)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    english = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        queues, default = (
            subprocess.run(
                [lpstat, option],
                check=False,
                capture_output=True,
                text=True,
                env=english,
                timeout=timeout_s,
            ).stdout
            for option in ("-e", "-d")
        )
    except (OSError, subprocess.SubprocessError):
        return []
    chosen = default.rsplit(":", 1)[-1].strip() if "destination:" in default else ""
    return [{"queue": queue, "default": queue == chosen} for queue in queues.split()]


def scanners() -> tuple[list[dict[str, str]], str]:
    from app.devices.sane_scanner import list_scanners

    try:
        return [asdict(found) for found in list_scanners(timeout_s=30)], ""
    except DeviceError as exc:
        return [], exc.message


def qt_application() -> Any:
    """Qt Multimedia needs an application; on a machine without a screen, an offscreen one."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")  # its chatter is not ours
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def cameras() -> tuple[list[dict[str, Any]], str]:
    try:
        qt_application()
        from app.widgets.camera import camera_list
    except ImportError as exc:  # Qt Multimedia's libraries are missing on this machine
        return [], f"读不到摄像头列表（{exc}）。"
    return camera_list(), ""


def terminal_devices(settings: Settings, *, wait_s: float = 5.0) -> Devices:
    """The devices as the counter or kiosk would build them, the camera included (it is opened
    and given ``wait_s`` to send its first picture)."""
    devices = devices_of(settings)
    if settings.devices.capture == "camera":
        app = qt_application()
        from app.widgets.camera import with_camera

        devices = with_camera(devices, settings.devices)
        pictures: list[object] = []
        stop = devices.capture.on_frame(pictures.append)  # type: ignore[union-attr]
        deadline = time.monotonic() + wait_s
        while not pictures and time.monotonic() < deadline and not devices.capture.check():  # type: ignore[union-attr]
            app.processEvents()
            time.sleep(0.01)
        stop()
    return devices


def close_camera(device: object) -> None:
    """A camera opened for the command is stopped when the command is done with it."""
    close = getattr(device, "close", None)
    if callable(close):
        close()


def on_worker(work: Callable[[], T]) -> T:
    """``work`` on a thread of its own while Qt's events turn here (a camera's still needs both)."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is None:
        return work()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(work)
        while not future.done():
            app.processEvents()
            time.sleep(0.005)
        return future.result()


def survey(settings: Settings) -> dict[str, Any]:
    found_scanners, scanner_problem = scanners()
    found_cameras, camera_problem = cameras()
    devices = terminal_devices(settings)
    chosen = settings.devices
    ticket = settings.printing.ticket
    found = {
        "serial_ports": [asdict(port) for port in serial_ports()],
        "cameras": found_cameras,
        "cameras_problem": camera_problem,
        "scanners": found_scanners,
        "scanners_problem": scanner_problem,
        "printers": printers(),
        "ticket_printer": {"kind": ticket.kind, "address": ticket.address},
        "settings": {
            "id_reader": chosen.id_reader,
            "id_reader_port": chosen.reader_port,
            "capture": chosen.capture,
            "camera": chosen.camera,
            "scanner": chosen.scanner,
            "code_scanner_port": chosen.code_scanner_port,
            "a4_printer": settings.printing.a4_printer,
        },
        "states": [asdict(state) for state in device_states(devices)],
    }
    close_camera(devices.capture)
    return found


def run_list(args: argparse.Namespace) -> int:
    found = survey(load_settings(args.settings))
    if args.json:
        emit_json(found)
        return 0
    lines = ["串口："]
    lines += [
        f"  {p['device']}  {p['description']}" + (f"  USB {p['usb']}" if p["usb"] else "")
        for p in found["serial_ports"]
        if p["description"] != "n/a" or p["usb"]
    ] or ["  （没有）"]
    lines.append("摄像头（高拍仪）：")
    lines += [
        f"  {c['description']}  最高 {c['still']}  id={c['id']}" for c in found["cameras"]
    ] or [f"  （没有）{found['cameras_problem']}"]
    lines.append("扫描仪（SANE）：")
    lines += [
        f"  {s['device']}  {s['vendor']} {s['model']}（{s['type']}）" for s in found["scanners"]
    ] or [f"  （没有）{found['scanners_problem']}"]
    lines.append("打印机（CUPS）：")
    lines += [
        f"  {p['queue']}" + ("（默认）" if p["default"] else "") for p in found["printers"]
    ] or ["  （没有）"]
    ticket = found["ticket_printer"]
    lines.append(f"凭条打印机：{ticket['kind']} {ticket['address']}".rstrip())
    lines.append("按当前设置：")
    for state in found["states"]:
        mark = "✓" if state["ok"] else "✗"
        lines.append(f"  {mark} {state['title']}：{state['text']}")
    print("\n".join(lines))
    return 0


# -- test ---------------------------------------------------------------------------------------
def run_test(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    try:
        return TEST_RUNS[args.name](settings, args)
    except DeviceError as exc:
        print(f"✗ {exc.message}{exc.fallback}")
        return 1


def test_reader(settings: Settings, args: argparse.Namespace) -> int:
    reader = devices_of(settings).id_reader
    if reader is None:
        print("✗ 没有设置身份证阅读器：在设置 [devices] id_reader 中选择。")
        return 1
    print(f"请把证件放在{reader.name}上（最多等 {args.timeout:g} 秒）……")
    started = time.monotonic()
    card = reader.read(timeout_s=args.timeout)
    if card is None:
        print("✗ 没有读到证件：阅读器有应答，但感应区没有证件。")
        return 1
    took = time.monotonic() - started
    print(
        f"✓ {took:.2f} 秒读到{card.kind_label}：{mask_name(card.name)} "
        f"{mask_number(card.id_number)}，有效期至 "
        f"{card.valid_until.isoformat() if card.valid_until else '长期'}"
        f"{'，有相片' if card.photo else '，' + (card.photo_note or '无相片')}"
    )
    return 0


def test_capture(settings: Settings, args: argparse.Namespace) -> int:
    capture = terminal_devices(settings).capture
    if capture is None:
        print("✗ 没有设置高拍仪或扫描仪：在设置 [devices] capture 中选择。")
        return 1
    started = time.monotonic()
    try:
        pages = on_worker(
            lambda: capture.scan() if isinstance(capture, Batch) else [capture.capture()]
        )
    finally:
        close_camera(capture)
    took = time.monotonic() - started
    print(f"✓ {took:.2f} 秒从{capture.name}得到 {len(pages)} 页。")
    for number, page in enumerate(pages, start=1):
        verdict = "；".join(page.problems) or "清晰可用"
        print(f"  第 {number} 页：{page.width}×{page.height}，{verdict}")
    if args.out is not None:
        args.out.write_bytes(pages[0].png)
        print(f"  第 1 页已存为 {args.out}")
    return 0


def test_qr(settings: Settings, args: argparse.Namespace) -> int:
    from app.devices.codes import codes_in_png

    capture = terminal_devices(settings).capture
    if capture is None:
        print("✗ 没有设置摄像头：在设置 [devices] capture 中选择。")
        return 1
    try:
        codes = codes_in_png(on_worker(capture.capture).png)
    finally:
        close_camera(capture)
    if not codes:
        print("✗ 画面中没有识别到二维码或条码。")
        return 1
    for code in codes:
        print(f"✓ {code.format}：{code.text}")
    return 0


def test_code_scanner(settings: Settings, args: argparse.Namespace) -> int:
    from app.devices.serial_scanner import first_code

    port = settings.devices.code_scanner_port
    if not port:
        print("✗ 没有设置串口扫码枪：在设置 [devices] code_scanner_port 中填写串口。")
        return 1
    print(f"请用扫码枪扫一个码（{port}，最多等 {args.timeout:g} 秒）……")
    text = first_code(port, settings.devices.code_scanner_baudrate, args.timeout)
    if text is None:
        print("✗ 没有收到扫码：请检查扫码枪是否设为串口（USB-CDC）模式、波特率是否一致。")
        return 1
    print(f"✓ 收到：{text}")
    return 0


TEST_RUNS = {
    "reader": test_reader,
    "capture": test_capture,
    "qr": test_qr,
    "code-scanner": test_code_scanner,
}
