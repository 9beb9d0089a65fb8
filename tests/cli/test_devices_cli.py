"""``onestop devices list|test`` as a hall's IT staff run them while setting up a counter: the
list names what is attached and what the settings would pick, each test reads the real driver
once (the reader emulator on a pseudo-terminal, SANE's test backend, a scanner on a pty) and prints
what came back with the person's name and number masked."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.app.test_camera import QT_NOISE
from tests.app.test_serial_scanner import ScannerPty
from tests.cli.test_cli import run
from tests.id_cards import FOREIGN_Y
from tests.id_reader_emulator import ReaderEmulator
from tests.kiosk.test_camera import video


def settings_file(tmp_path: Path, devices: str) -> str:
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n[devices]\n{devices}', encoding="utf-8")
    return str(path)


@pytest.fixture
def sane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "sane"
    config.mkdir()
    (config / "dll.conf").write_text("test\n")
    shutil.copy("/etc/sane.d/test.conf", config)
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))


def test_list_names_what_is_attached_and_what_the_settings_pick(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sane: None
) -> None:
    with ReaderEmulator(FOREIGN_Y) as reader:
        path = settings_file(
            tmp_path,
            f'id_reader = "serial"\nid_reader_port = "{reader.port}"\n'
            'capture = "scanner"\nscanner = "test:0"\n',
        )
        code, out, _ = run(capsys, "devices", "list", "--settings", path, "--json")
    assert code == 0
    found = json.loads(out)
    assert "test:0" in [s["device"] for s in found["scanners"]]
    states = {state["key"]: state for state in found["states"]}
    assert states["id_reader"]["ok"] and states["capture"]["ok"]
    assert found["settings"]["id_reader_port"] == reader.port
    path = settings_file(tmp_path, 'id_reader = "serial"\nid_reader_port = "/dev/ttyNOPE"\n')
    code, out, _ = run(capsys, "devices", "list", "--settings", path)
    assert code == 0 and "✗ 身份证阅读器：打不开身份证阅读器的串口 /dev/ttyNOPE" in out
    assert "扫描仪（SANE）：" in out and "摄像头（高拍仪）：" in out


def test_reading_a_card_prints_it_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with ReaderEmulator(FOREIGN_Y, chunk=20) as reader:
        path = settings_file(tmp_path, f'id_reader = "serial"\nid_reader_port = "{reader.port}"\n')
        code, out, _ = run(capsys, "devices", "test", "reader", "--settings", path)
    assert code == 0 and "读到外国人永久居留身份证：" in out
    assert FOREIGN_Y.id_number not in out and FOREIGN_Y.name not in out
    assert FOREIGN_Y.id_number[:4] in out and "有效期至 2034-03-01" in out
    with ReaderEmulator(None) as reader:  # the reader answers, but no card is on it
        path = settings_file(tmp_path, f'id_reader = "serial"\nid_reader_port = "{reader.port}"\n')
        code, out, _ = run(
            capsys, "devices", "test", "reader", "--timeout", "0.5", "--settings", path
        )
    assert code == 1 and "感应区没有证件" in out


def test_a_scan_prints_its_pages_and_their_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sane: None
) -> None:
    path = settings_file(
        tmp_path, 'capture = "scanner"\nscanner = "test:0"\nscanner_resolution = 75\n'
    )
    out_png = tmp_path / "page.png"
    code, out, _ = run(
        capsys, "devices", "test", "capture", "--settings", path, "--out", str(out_png)
    )
    assert code == 0 and "得到 1 页" in out and "第 1 页：" in out
    assert out_png.read_bytes().startswith(b"\x89PNG")
    path = settings_file(tmp_path, 'capture = "scanner"\nscanner = "test:9"\n')
    code, out, _ = run(capsys, "devices", "test", "capture", "--settings", path)
    assert code == 1 and out.startswith("✗ ") and "test:9" in out


def test_a_serial_code_scanner_scans_one_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = ScannerPty()
    try:
        path = settings_file(tmp_path, f'code_scanner_port = "{line.port}"\n')
        done = threading.Event()

        def scan_until_read() -> None:  # opening the port empties it: scan again, as people do
            while not done.wait(0.1):
                line.send("受理回执 HN-2026-000123\r\n".encode())

        sender = threading.Thread(target=scan_until_read, daemon=True)
        sender.start()
        code, out, _ = run(
            capsys, "devices", "test", "code-scanner", "--timeout", "5", "--settings", path
        )
    finally:
        done.set()
        sender.join(timeout=5)  # its last write is over before the line goes
        line.unplug()
    assert code == 0 and "收到：受理回执 HN-2026-000123" in out
    path = settings_file(tmp_path, 'code_scanner_port = "/dev/ttyNOPE"\n')
    code, out, _ = run(capsys, "devices", "test", "code-scanner", "--settings", path)
    assert code == 1 and "打不开扫码枪的串口 /dev/ttyNOPE" in out
    assert os.path.exists(tmp_path / "settings.toml")


@pytest.mark.qt_log_ignore(*QT_NOISE)
def test_a_camera_page_and_a_qr_code_through_the_camera(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    film = video(tmp_path / "receipt.avi", code="HN-2026-000123")
    path = settings_file(tmp_path, f'capture = "camera"\ncamera = "file:{film}"\n')
    code, out, _ = run(capsys, "devices", "test", "capture", "--settings", path)
    assert code == 0 and "得到 1 页" in out and "清晰可用" in out
    code, out, _ = run(capsys, "devices", "test", "qr", "--settings", path)
    assert code == 0 and "QRCode：HN-2026-000123" in out
    code, out, _ = run(capsys, "devices", "list", "--settings", path, "--json")
    states = {state["key"]: state for state in json.loads(out)["states"]}
    assert code == 0 and states["capture"]["ok"]
