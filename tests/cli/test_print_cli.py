"""``onestop print sample|case|verify`` as a clerk or the hall's IT staff run them."""

from __future__ import annotations

import base64
import hmac
import subprocess
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.security.keys import load_keys
from app.settings import load_settings
from printing import qr
from printing.samples import DOCUMENT_NAMES, acceptance
from tests.cli.test_cli import run
from tests.helpers.keys import ring


def test_sample_list_and_render(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "print", "sample", "--list")
    assert code == 0 and [line.split("\t")[1] for line in out.splitlines()] == list(DOCUMENT_NAMES)
    assert out.splitlines()[0] == "受理通知书\tacceptance"
    target = tmp_path / "受理通知书.pdf"
    code, out, _ = run(capsys, "print", "sample", "acceptance", "--out", str(target))
    assert code == 0 and "已生成" in out and target.read_bytes().startswith(b"%PDF")
    code, _, err = run(capsys, "print", "sample", "nothing")
    assert code == 1 and "没有样例文书" in err
    ticket = tmp_path / "slip.bin"
    code, _, _ = run(capsys, "print", "sample", "ticket_acceptance", "--out", str(ticket))
    data = ticket.read_bytes()
    assert code == 0 and data.startswith(b"\x1d") and b"\x1dV" in data[-8:]  # raster, then cut


def test_a_stored_case_and_its_qr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    settings_path = tmp_path / "settings.toml"
    settings_path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[hall]\nname = "岳麓区政务服务中心"\n'
        '[printing]\nqr_key = "岳麓-2026-secret"\n',
        encoding="utf-8",
    )
    settings = load_settings(settings_path)
    core = build_core(settings)
    try:
        case = acceptance(core.cases, core.catalog)
    finally:
        core.close()
    out_file = tmp_path / "case.pdf"
    code, _, _ = run(
        capsys,
        "print",
        "case",
        case.receipt_no,
        "acceptance",
        "--out",
        str(out_file),
        "--settings",
        str(settings_path),
    )
    assert code == 0
    text = subprocess.run(
        ["pdftotext", str(out_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "岳麓区政务服务中心" in text and case.receipt_no in text
    code, _, err = run(
        capsys, "print", "case", case.receipt_no, "withdrawal", "--settings", str(settings_path)
    )
    assert code == 1 and "只有已撤回的办件" in err
    slip = tmp_path / "slip.bin"
    code, _, _ = run(
        capsys,
        "print",
        "case",
        case.receipt_no,
        "ticket_acceptance",
        "--out",
        str(slip),
        "--settings",
        str(settings_path),
    )
    assert code == 0 and slip.read_bytes().endswith(b"\x1dV\x00")
    code, _, err = run(
        capsys,
        "print",
        "case",
        case.receipt_no,
        "ticket_pre_application",
        "--settings",
        str(settings_path),
    )
    assert code == 1 and "不能打印" in err
    guide = tmp_path / "guide.pdf"
    code, _, _ = run(
        capsys,
        "print",
        "case",
        case.receipt_no,
        "plan",
        "--out",
        str(guide),
        "--settings",
        str(settings_path),
    )
    assert code == 0 and guide.read_bytes().startswith(b"%PDF")
    keys = load_keys(settings.key_file).receipt
    signed = qr.sign(case.receipt_no, keys)
    code, out, _ = run(capsys, "print", "verify", signed, "--settings", str(settings_path))
    assert code == 0 and case.receipt_no in out
    forged = qr.sign(case.receipt_no, ring(b"x" * 32, keys.current))
    code, out, _ = run(capsys, "print", "verify", forged, "--settings", str(settings_path))
    assert code == 1 and "签名不符" in out
    # a receipt printed before the hall's key file: its old qr_key still verifies it
    mac = hmac.new("岳麓-2026-secret".encode(), f"OS1:{case.receipt_no}".encode(), "sha256")
    old = f"OS1:{case.receipt_no}:{base64.b32encode(mac.digest()[:16]).decode().rstrip('=')}"
    code, out, _ = run(capsys, "print", "verify", old, "--settings", str(settings_path))
    assert code == 0 and case.receipt_no in out


@pytest.mark.parametrize(
    ("name", "start"),
    [("受理通知书", b"%PDF"), ("告知承诺书", b"%PDF"), ("不予受理通知书", b"%PDF"),
     ("补正材料一次性告知书", b"%PDF"), ("办理结果送达回执", b"%PDF"),
     ("撤回及材料退还回执", b"%PDF"), ("办事指南", b"%PDF"), ("受理凭条", b"\x1d"),
     ("预申请凭条", b"\x1d"), ("材料清单", b"\x1d")],
)  # fmt: skip
def test_samples_by_the_names_the_readme_lists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, start: bytes
) -> None:
    target = tmp_path / "out.bin"
    code, _, err = run(capsys, "print", "sample", name, "--out", str(target))
    assert code == 0, err
    assert target.read_bytes().startswith(start)
