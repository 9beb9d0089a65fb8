"""People's data is the service user's alone: the data folder, the SQLite database and its WAL,
the file store and the logs are owner-only whatever the umask (and made so on the next start
when an older version left them open); settings are shown with every secret masked."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import LOG_NAME, setup_logging
from app.settings import SECRET_SET
from tests.cli.test_cli import run
from tests.helpers.cases import CLERK, open_newborn
from tests.helpers.cores import Cores


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """As if started by a service manager with the usual umask: new files 0644, folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_the_data_the_database_and_the_scans_are_owner_only(cores: Cores) -> None:
    core = cores("hall")
    case = open_newborn(core.cases, core.catalog)
    material = case.materials[0].material_id
    core.cases.attach_scan(CLERK, case.receipt_no, material, b"%PDF- page", file_name="scan.pdf")
    data = core.settings.data_dir
    assert mode(data) == 0o700
    for name in ("onestop.sqlite3", "onestop.sqlite3-wal", "onestop.sqlite3-shm"):
        assert mode(data / name) == 0o600, name
    stored = list((data / "files").rglob("*"))
    assert any(p.is_file() for p in stored)
    for path in [data / "files", *stored]:
        assert mode(path) == (0o600 if path.is_file() else 0o700), path


@pytest.mark.usefixtures("open_umask")
def test_what_an_older_version_left_open_is_closed_at_the_next_start(cores: Cores) -> None:
    first = cores("old")
    first.close()
    data = first.settings.data_dir
    data.chmod(0o755)
    (data / "onestop.sqlite3").chmod(0o644)
    cores("old")
    assert mode(data) == 0o700 and mode(data / "onestop.sqlite3") == 0o600


@pytest.mark.usefixtures("open_umask")
def test_the_log_and_every_rolled_over_log_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    path = setup_logging(folder)
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "baseFilename", "") == str(path))
    try:
        logging.getLogger("app.test").warning("a line")
        handler.doRollover()  # type: ignore[attr-defined]
        logging.getLogger("app.test").warning("another line")
        assert mode(folder) == 0o700
        for file in folder.glob(f"{LOG_NAME}*"):
            assert mode(file) == 0o600, file
        assert len(list(folder.glob(f"{LOG_NAME}*"))) == 2
    finally:
        root.removeHandler(handler)
        handler.close()


def test_the_program_creates_what_it_writes_owner_only(tmp_path: Path) -> None:
    """``onestop`` itself runs with umask 077: a sample written for a person to look at too."""
    out = tmp_path / "sample.pdf"
    command = ["print", "sample", "acceptance", "--out", str(out)]
    subprocess.run([sys.executable, "-m", "app.cli.main", *command], check=True, timeout=120)
    assert mode(out) == 0o600


def test_settings_are_shown_with_every_secret_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secrets = ("s3cret-db-password", "platform-token-123", "岳麓-qr-key", "scrypt$abc$def")
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        '[database]\nurl = "postgresql+psycopg://onestop:s3cret-db-password@10.0.0.5/hall"\n'
        '[platform]\nurl = "http://10.0.0.9"\ntoken = "platform-token-123"\n'
        '[printing]\nqr_key = "岳麓-qr-key"\n[kiosk]\nstaff_pin_hash = "scrypt$abc$def"\n',
        encoding="utf-8",
    )
    code, text, _ = run(capsys, "settings", "show", "--settings", str(settings))
    code_json, shown, _ = run(capsys, "settings", "show", "--settings", str(settings), "--json")
    assert code == code_json == 0
    for secret in secrets:
        assert secret not in text and secret not in shown
    data = json.loads(shown)
    assert data["platform"]["token"] == data["printing"]["qr_key"] == SECRET_SET
    assert data["kiosk"]["staff_pin_hash"] == SECRET_SET
    assert data["database"]["url"] == "postgresql+psycopg://onestop:***@10.0.0.5/hall"
