"""The hall's key file: made owner-only, never overwritten, refused when missing, readable by
others or damaged (each with what to do), rotated with the old keys kept; the programs refuse to
start without it, and no receipt verifies under the key the source once carried."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db.models import CaseRow
from app.errors import KeysError, OneStopError
from app.security.keys import KeyRing, init_keys, load_keys, rotate
from app.settings import Settings
from printing import qr
from sync.demo import demo_world
from tests.cli.test_cli import run
from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form
from tests.helpers.cores import Cores

OLD_PUBLIC_KEY = b"onestop-demo-key-not-secret"  # what receipts fell back to before this


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_makes_an_owner_only_file_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "config" / "hall-keys.toml"
    keys = init_keys(path)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert len(keys.receipt.keys[keys.receipt.current]) == 32
    before = path.read_bytes()
    with pytest.raises(KeysError, match="已经存在") as refused:
        init_keys(path)
    assert "rotate" in refused.value.hint and path.read_bytes() == before


def test_a_missing_or_shared_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "hall-keys.toml"
    with pytest.raises(KeysError, match="没有大厅密钥文件") as missing:
        load_keys(path)
    assert "onestop keys init" in missing.value.hint
    init_keys(path)
    path.chmod(0o640)
    with pytest.raises(KeysError, match="其他账号也能读取") as shared:
        load_keys(path)
    assert f"chmod 600 {path}" in shared.value.hint


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_a_damaged_file_is_refused_never_a_crash(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hall-keys.toml"
    path.unlink(missing_ok=True)
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeysError) as refused:
        load_keys(path)
    assert refused.value.hint


@pytest.mark.parametrize(
    "text",
    [
        '[receipt]\ncurrent = "A"\n[receipt.keys]\nB = "' + "A" * 44 + '"\n',  # current missing
        '[receipt]\ncurrent = "A"\n[receipt.keys]\nA = "c2hvcnQ="\n',  # 5 bytes
        '[receipt]\ncurrent = "A"\n[receipt.keys]\nA = "not base64!"\n',
        "[receipt]\ncurrent = 3\n",
    ],
)
def test_a_file_with_a_wrong_receipt_ring_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "hall-keys.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(KeysError, match=r"\[receipt\]"):
        load_keys(path)


def test_rotation_signs_with_the_new_key_and_keeps_the_old(tmp_path: Path) -> None:
    path = tmp_path / "hall-keys.toml"
    first = init_keys(path).receipt
    old_receipt = qr.sign("430100001-20261207-00001", first)
    new_id = rotate(path)
    second = load_keys(path).receipt
    assert second.current == new_id != first.current and mode(path) == 0o600
    assert second.keys[first.current] == first.keys[first.current]
    assert qr.verify(old_receipt, second).genuine
    assert qr.sign("430100001-20261207-00001", second).startswith(f"OS2:{new_id}:")
    with pytest.raises(KeysError, match="没有“data”这种密钥"):
        rotate(path, "data")


def test_the_command_line_makes_rotates_and_lists_keys_without_their_secrets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = tmp_path / "settings.toml"
    key_file = tmp_path / "keys" / "hall-keys.toml"
    settings.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[security]\nkey_file = "{key_file}"\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "keys", "show", "--settings", str(settings))
    assert code == 1 and "onestop keys init" in err
    code, out, _ = run(capsys, "keys", "init", "--settings", str(settings))
    assert code == 0 and str(key_file) in out and mode(key_file) == 0o600
    code, _, err = run(capsys, "keys", "init", "--settings", str(settings))
    assert code == 1 and "没有覆盖" in err
    code, out, _ = run(capsys, "keys", "rotate", "receipt", "--settings", str(settings))
    assert code == 0 and "已启用" in out
    code, out, _ = run(capsys, "keys", "show", "--settings", str(settings), "--json")
    keys = load_keys(key_file).receipt
    assert code == 0 and keys.current in out
    for secret in keys.keys.values():
        assert base64.b64encode(secret).decode() not in out


def test_the_counter_and_the_kiosk_refuse_to_start_without_the_hall_key(tmp_path: Path) -> None:
    from counter.main import CounterApp
    from kiosk.main import KioskApp

    settings = Settings(data_dir=tmp_path / "hall", security={"key_file": tmp_path / "none"})
    for app in (CounterApp, KioskApp):
        with pytest.raises(KeysError, match="没有大厅密钥文件") as refused:
            app(settings)
        assert isinstance(refused.value, OneStopError) and "onestop keys init" in str(refused.value)


def test_no_receipt_verifies_under_the_key_the_source_once_carried(cores: Cores) -> None:
    """Forged with the formerly public fallback key, in the old form and the new: 0 of 200."""
    core = cores()
    keys, legacy = core.receipt_keys, core.settings.printing.legacy_key
    genuine = 0
    for n in range(100):
        receipt = f"430100001-20261207-{n:05d}"
        mac = hmac.new(OLD_PUBLIC_KEY, f"OS1:{receipt}".encode(), hashlib.sha256).digest()[:16]
        old_form = f"OS1:{receipt}:{base64.b32encode(mac).decode().rstrip('=')}"
        new_form = qr.sign(receipt, KeyRing(keys.current, {keys.current: OLD_PUBLIC_KEY}))
        genuine += qr.verify(old_form, keys, legacy=legacy).genuine
        genuine += qr.verify(new_form, keys, legacy=legacy).genuine
    assert genuine == 0


def test_each_demo_hall_makes_its_own_key(tmp_path: Path) -> None:
    made = []
    for name in ("a", "b"):
        with demo_world(tmp_path / name, cases=0) as demo:
            made.append(load_keys(demo.settings.key_file).receipt)
            assert demo.settings.key_file.parent == tmp_path / name
    assert made[0].keys[made[0].current] != made[1].keys[made[1].current]


RECEIPT_ONLY = (  # a key file as the version before the audit key wrote it
    '[receipt]\ncurrent = "R20261207AAAA"\n[receipt.keys]\nR20261207AAAA = "'
    + base64.b64encode(b"r" * 32).decode()
    + '"\n'
)


def test_init_writes_an_audit_key_and_rotating_one_ring_keeps_the_other(tmp_path: Path) -> None:
    path = tmp_path / "hall-keys.toml"
    made = init_keys(path)
    assert made.audit.current.startswith("A") and len(made.audit.keys[made.audit.current]) == 32
    assert made.audit.keys[made.audit.current] != made.receipt.keys[made.receipt.current]
    new_receipt = rotate(path, "receipt")
    after = load_keys(path)
    assert after.audit == made.audit and after.receipt.current == new_receipt
    new_audit = rotate(path, "audit")
    again = load_keys(path)
    assert again.receipt == after.receipt and again.audit.current == new_audit
    assert made.audit.current in again.audit.keys and mode(path) == 0o600


def test_an_older_file_without_the_audit_key_says_to_add_it(tmp_path: Path) -> None:
    path = tmp_path / "hall-keys.toml"
    path.write_text(RECEIPT_ONLY, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(KeysError, match=r"没有审计密钥 \[audit\]") as refused:
        load_keys(path)
    assert "onestop keys rotate audit" in refused.value.hint
    key_id = rotate(path, "audit")
    keys = load_keys(path)
    assert keys.audit.current == key_id and keys.receipt.current == "R20261207AAAA"
    assert keys.receipt.keys["R20261207AAAA"] == b"r" * 32


def test_the_command_line_shows_and_adds_the_audit_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = tmp_path / "settings.toml"
    key_file = tmp_path / "keys" / "hall-keys.toml"
    settings.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[security]\nkey_file = "{key_file}"\n', encoding="utf-8"
    )
    key_file.parent.mkdir(mode=0o700)
    key_file.write_text(RECEIPT_ONLY, encoding="utf-8")
    key_file.chmod(0o600)
    code, out, _ = run(capsys, "keys", "show", "--settings", str(settings))
    assert code == 0 and "审计链：尚未生成，请运行 onestop keys rotate audit" in out
    code, out, _ = run(capsys, "db", "upgrade", "--settings", str(settings))
    assert code == 0 and "还没有启用密钥保护" in out  # the schema is upgraded; the chain waits
    code, out, _ = run(capsys, "keys", "rotate", "audit", "--settings", str(settings))
    assert code == 0 and "审计链密钥" in out and "已启用" in out
    code, out, _ = run(capsys, "keys", "show", "--settings", str(settings), "--json")
    shown = json.loads(out)
    assert shown["audit"]["current"] == load_keys(key_file).audit.current
    for secret in load_keys(key_file).audit.keys.values():
        assert base64.b64encode(secret).decode() not in out


def test_a_program_writes_nothing_without_the_audit_key(cores: Cores, tmp_path: Path) -> None:
    """A key file without [audit]: the first change is refused with what to do, nothing kept."""
    key_file = tmp_path / "hall-keys.toml"
    key_file.write_text(RECEIPT_ONLY, encoding="utf-8")
    key_file.chmod(0o600)
    core = cores("hall", security={"key_file": key_file})
    with pytest.raises(KeysError, match="没有审计密钥") as refused:
        core.cases.open_case(
            CLERK,
            channel="counter",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            form=filled_form(core.catalog, NEWBORN, ANSWERS),
        )
    assert "onestop keys rotate audit" in refused.value.hint
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 0
