"""Personal data sealed at rest (SM4-GCM under the hall's data key, wrapped by the key file's
key-encryption key; HMAC-SM3 blind indexes): what the database and the file store hold, what
the services read back, lookups, keys that are wrong or missing, rotation, and sealing a
database from before in place, resumably."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from app.bootstrap import Core
from app.cases.queries import CaseQuery
from app.cases.snapshots import Party
from app.db.sealed import SealedJSON
from app.errors import KeysError
from app.security.data_keys import DataKeys
from app.security.keys import load_keys, rotate
from app.security.resealing import reseal
from app.security.sealing import PREFIX, Sealer
from tests.cli.test_cli import run
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.helpers.cores import Cores

NAME, NUMBER, PHONE = "欧阳明月", "430104198805211233", "13912345678"
AGENT, AGENT_NUMBER = "司马青云", "110101198503074567"
PAGE = b"%PDF-1.7 birth certificate page of " + NAME.encode() + bytes(range(256)) * 8


def sealer(seed: bytes = b"a") -> Sealer:
    return Sealer("DTEST", {"DTEST": seed * 16}, (seed * 32)[:16])


def raw_rows(core: Core, sql: str) -> list[tuple[object, ...]]:
    path = core.settings.data_dir / "onestop.sqlite3"
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def holds(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def seeded(core: Core) -> str:
    """A case of the applicant with an agent and a scan; its receipt number."""
    applicant = Party(NAME, NUMBER, phone=PHONE, address="长沙市岳麓区桐梓坡路 1 号")
    agent = Party(AGENT, AGENT_NUMBER, phone="13800000000")
    case = open_newborn(core.cases, core.catalog, applicant=applicant, agent=agent)
    material = case.materials[0].material_id
    core.cases.attach_scan(CLERK, case.receipt_no, material, PAGE, file_name="出生证.pdf")
    return case.receipt_no


# -- the sealer -------------------------------------------------------------------------------


def test_a_sealed_text_opens_only_in_its_own_column_and_hall() -> None:
    mine = sealer()
    value = mine.seal(NAME, "cases.applicant_name")
    assert value.startswith(f"{PREFIX}DTEST:") and NAME not in value
    assert mine.seal(NAME, "cases.applicant_name") != value  # a nonce of its own every time
    assert mine.open(value, "cases.applicant_name") == NAME
    with pytest.raises(KeysError, match="无法解密"):
        mine.open(value, "cases.agent_name")  # moved to another column
    with pytest.raises(KeysError, match="无法解密"):
        sealer(b"b").open(value, "cases.applicant_name")  # another hall's key of the same id
    body = base64.b64decode(value.split(":", 2)[2])
    flipped = bytes([body[0], body[1] ^ 1, *body[2:]])
    tampered = f"{PREFIX}DTEST:{base64.b64encode(flipped).decode()}"
    with pytest.raises(KeysError, match="无法解密") as refused:
        mine.open(tampered, "cases.applicant_name")
    assert "大厅密钥文件" in refused.value.hint
    with pytest.raises(KeysError, match="数据密钥 DOTHER"):
        mine.open(value.replace("DTEST", "DOTHER"), "cases.applicant_name")
    assert mine.open("张三", "cases.applicant_name") == "张三"  # written before sealing


def test_blind_indexes_are_keyed_and_per_context() -> None:
    mine = sealer()
    assert mine.index(NUMBER, "id_number") == mine.index(NUMBER, "id_number")
    assert mine.index(NUMBER, "id_number") != mine.index(NUMBER, "phone")
    assert mine.index(NUMBER, "id_number") != sealer(b"b").index(NUMBER, "id_number")
    assert NUMBER not in mine.index(NUMBER, "id_number")
    assert hashlib.sha256(PAGE).hexdigest() != mine.file_name(hashlib.sha256(PAGE).hexdigest())


@given(st.text(max_size=200))
def test_any_stored_text_opens_or_is_refused_in_chinese(stored: str) -> None:
    """What a column holds is outside input: it opens, passes as clear text, or is refused with a
    message a person can act on — never another exception."""
    try:
        opened = sealer().open(stored, "cases.applicant_name")
    except KeysError as exc:
        assert exc.message and exc.hint
    else:
        assert opened == stored and not stored.startswith(PREFIX)


@given(st.binary(max_size=300))
def test_any_stored_file_opens_or_is_refused_in_chinese(stored: bytes) -> None:
    with pytest.raises(KeysError, match="扫描件无法解密"):
        sealer().open_file(stored, "0" * 64)


@given(st.text(max_size=100), st.sampled_from(["cases.form_data", "audit_log.after"]))
def test_sealed_json_round_trips_any_text(value: str, context: str) -> None:
    class Dialect:
        onestop_sealer = sealer()

    column = SealedJSON(context)
    stored = column.process_bind_param({"v": value}, Dialect())  # type: ignore[arg-type]
    assert isinstance(stored, str) and stored.startswith(PREFIX)
    assert column.process_result_value(stored, Dialect()) == {"v": value}  # type: ignore[arg-type]


# -- a hall's core ----------------------------------------------------------------------------


def test_the_database_and_the_file_store_hold_no_personal_data_in_clear(cores: Cores) -> None:
    core = cores("hall")
    receipt = seeded(core)
    (row,) = raw_rows(
        core,
        "SELECT applicant_name, applicant_id_number, applicant_phone, agent_name, form_data,"
        " applicant_id_index FROM cases",
    )
    assert all(str(v).startswith((PREFIX, f'"{PREFIX}')) for v in row[:5]), row
    assert row[5] and len(str(row[5])) == 32
    wal = core.settings.data_dir / "onestop.sqlite3-wal"
    for needle in (NAME, NUMBER, PHONE, AGENT, AGENT_NUMBER):
        assert not holds(core.settings.data_dir, needle.encode()), needle
    assert wal.exists()  # searched too: the pages not yet in the main file
    assert not holds(core.settings.files_dir, PAGE[40:80])
    sha = hashlib.sha256(PAGE).hexdigest()
    assert not any(sha in str(p) for p in core.settings.files_dir.rglob("*"))
    case = core.cases.get(receipt)  # the services see it all
    assert (case.applicant.name, case.applicant.id_number, case.applicant.phone) == (
        NAME,
        NUMBER,
        PHONE,
    )
    assert case.agent is not None and case.agent.name == AGENT
    assert core.files.read(sha) == PAGE


def test_a_case_is_found_by_number_phone_and_part_of_a_name(cores: Cores) -> None:
    core = cores("hall")
    receipt = seeded(core)
    open_newborn(core.cases, core.catalog)  # someone else's

    def found(**query: str) -> list[str]:
        return [c.receipt_no for c in core.queries.find(CaseQuery(**query))]  # type: ignore[arg-type]

    assert found(id_number=NUMBER) == [receipt]
    assert found(id_number="４３０１０４ １９８８０５２１１２３３") == [receipt]  # as typed
    assert found(id_number=AGENT_NUMBER) == [receipt]  # the agent's
    assert found(phone=PHONE) == [receipt]
    assert found(name="明月") == [receipt]
    assert found(name=NAME) == [receipt]
    assert found(id_number="110101199003071234") == []
    assert found(name="诸葛") == []


def test_a_wrong_key_file_is_refused_with_what_to_do(cores: Cores, tmp_path: Path) -> None:
    core = cores("hall")
    seeded(core)
    settings = core.settings
    core.close()
    other = tmp_path / "other-keys.toml"
    from app.security.keys import init_keys

    init_keys(other)
    with pytest.raises(KeysError, match="数据密钥由密钥 K.* 保护，本机的密钥文件中没有它") as no:
        DataKeys(cores("hall").db, load_keys(other).data).sealer()
    assert "复制最新的密钥文件" in no.value.hint
    del settings


def test_rotating_the_key_file_rewraps_and_rekey_reseals_everything(
    cores: Cores, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    core = cores("hall")
    receipt = seeded(core)
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        f'data_dir = "{core.settings.data_dir}"\n[security]\nkey_file = "{core.settings.key_file}"\n',
        encoding="utf-8",
    )
    first = core.db.sealer
    assert first is not None
    code, out, _ = run(capsys, "keys", "rotate", "data", "--settings", str(settings_file))
    assert code == 0 and "2 把数据密钥已改用它保护" in out
    kek = load_keys(core.settings.key_file).data.current
    assert {r[0] for r in raw_rows(core, "SELECT kek_id FROM data_keys")} == {kek}
    code, out, _ = run(capsys, "db", "rekey", "--settings", str(settings_file))
    assert code == 0 and "新的数据密钥" in out and "旧的数据密钥已删除" in out, out
    keys = raw_rows(core, "SELECT key_id, purpose, state FROM data_keys ORDER BY purpose")
    (new_key, _, _), (index_key, _, _) = keys
    assert new_key != first.current and len(keys) == 2
    names = [str(r[0]) for r in raw_rows(core, "SELECT applicant_name FROM cases")]
    assert all(n.startswith(f"{PREFIX}{new_key}:") for n in names)
    again = cores("hall")  # a terminal started after: it reads every value with the new key
    assert again.cases.get(receipt).applicant.name == NAME
    assert again.files.read(hashlib.sha256(PAGE).hexdigest()) == PAGE
    assert [c.receipt_no for c in again.queries.find(CaseQuery(id_number=NUMBER))] == [receipt]
    del index_key


def test_sealing_in_place_is_resumable_and_leaves_nothing_in_clear(cores: Cores) -> None:
    """A database written before sealing (here: opened without the keys' sealer) is sealed by
    batches; one stopped half-way goes on where it stopped."""
    core = cores("old")
    core.db.seal_with(None)  # as a version before sealing wrote
    clear_files = type(core.files)(core.settings.files_dir)
    core.files.sealer, core.files.refusal = None, None
    receipts = [seeded(core)] + [
        open_newborn(core.cases, core.catalog).receipt_no for _ in range(5)
    ]
    assert holds(core.settings.data_dir, NAME.encode())
    with core.db.transaction() as session:  # as a database from before sealing: never walked
        session.execute(text("UPDATE data_keys SET sealed_all_at = NULL"))
    sealer_now = DataKeys(core.db, load_keys(core.settings.key_file).data).sealer()
    core.db.seal_with(sealer_now)
    core.files.sealer = sealer_now
    data_keys = DataKeys(core.db, load_keys(core.settings.key_file).data)
    part = reseal(core.db, data_keys, core.files, batch=2, stop_after=2)
    assert not part.complete and 0 < part.total <= 4  # two batches of two rows
    assert data_keys.needs_resealing(sealer_now)
    rest = reseal(core.db, data_keys, core.files, batch=2)
    cases = part.rows.get("cases", 0) + rest.rows.get("cases", 0)
    assert rest.complete and cases == len(receipts) and rest.files == 1
    assert not reseal(core.db, data_keys, core.files).total  # nothing is done twice
    assert not data_keys.needs_resealing(sealer_now)
    for needle in (NAME, NUMBER, PHONE, AGENT):
        assert not holds(core.settings.data_dir, needle.encode()), needle
    assert core.cases.get(receipts[0]).applicant.name == NAME
    found = core.queries.find(CaseQuery(id_number=NUMBER))
    assert [c.receipt_no for c in found] == [receipts[0]]
    del clear_files


def test_without_the_key_file_personal_data_is_neither_written_nor_shown(
    cores: Cores, tmp_path: Path
) -> None:
    core = cores("hall")
    receipt = seeded(core)
    receive_all(core.cases, core.cases.get(receipt))
    core.cases.accept(CLERK, receipt)
    core.close()
    missing = tmp_path / "nowhere.toml"
    blind = cores("hall", security={"key_file": missing})
    with pytest.raises(KeysError, match="本机没有大厅密钥文件"):
        blind.cases.get(receipt)
    with pytest.raises(KeysError):
        open_newborn(blind.cases, blind.catalog)
    with blind.db.read() as session:  # what needs no personal data still works
        assert session.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
    from datetime import date, timedelta

    from app.reports.effectiveness import effectiveness_report
    from app.reports.evaluations import evaluation_report
    from app.reports.figures import Period
    from app.reports.periods import period_report

    today = date.today()
    period = Period(today - timedelta(days=1), today + timedelta(days=1))
    for by in ("scenario", "clerk", "channel"):  # the reports: figures, no keys needed
        (row,) = period_report(blind.db, blind.calendar, period, by=by).rows
        assert row.accepted == 1
        evaluation_report(blind.db, period, by=by)
    effectiveness_report(blind.db, blind.catalog, blind.calendar, period)


def test_an_older_key_file_gets_its_data_ring_by_command(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    from app.security.keys import init_keys

    init_keys(path)
    kek = rotate(path, "data")
    assert load_keys(path).data.current == kek


def test_db_upgrade_seals_a_database_from_before_and_the_audit_chain_still_verifies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A database written by a version without sealing (no data keys, no blind indexes, every
    value and scan in clear) is sealed by ``onestop db upgrade``; the audit trail, whose hashes
    cover the values, still verifies."""
    from app.cases.files import FileStore
    from app.cases.service import CaseService
    from app.catalog.catalog import load_catalog
    from app.db.engine import Database, make_engine
    from app.db.migrate import upgrade
    from app.security.keys import init_keys

    data, key_file = tmp_path / "data", tmp_path / "keys" / "hall-keys.toml"
    data.mkdir()
    engine = make_engine(f"sqlite:///{data / 'onestop.sqlite3'}")
    upgrade(engine)
    catalog = load_catalog()
    service = CaseService(
        Database(engine), catalog, FileStore(data / "files"), hall_code="430100001"
    )
    applicant = Party(NAME, NUMBER, phone=PHONE, address="长沙市岳麓区桐梓坡路 1 号")
    case = open_newborn(service, catalog, applicant=applicant)
    service.attach_scan(
        CLERK, case.receipt_no, case.materials[0].material_id, PAGE, file_name="a.pdf"
    )
    engine.dispose()
    assert holds(data, NAME.encode()) and holds(data / "files", PAGE[40:80])
    init_keys(key_file)
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'data_dir = "{data}"\n[security]\nkey_file = "{key_file}"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "db", "upgrade", "--settings", str(settings))
    assert code == 0 and "这次加密了" in out and "1 个扫描件" in out, out
    for needle in (NAME.encode(), NUMBER.encode(), PHONE.encode(), PAGE[40:80]):
        assert not holds(data, needle), needle
    code, out, _ = run(capsys, "db", "upgrade", "--settings", str(settings))
    assert code == 0 and "这次加密了" not in out and "加密保存" in out  # nothing left to do
    code, out, _ = run(capsys, "audit", "verify", "--offline", "--settings", str(settings))
    assert code == 0 and "审计记录完整" in out, out
    code, out, _ = run(capsys, "audit", "verify", "--offline", "--settings", str(settings))
    from app.bootstrap import open_database
    from app.settings import load_settings

    db = open_database(load_settings(settings))
    try:
        found = CaseQuery(id_number=NUMBER)
        from app.cases.queries import CaseQueries

        assert [c.receipt_no for c in CaseQueries(db).find(found)] == [case.receipt_no]
        with db.read() as session:
            sealed = session.execute(
                text("SELECT after FROM audit_log WHERE action = 'data_sealed'")
            )
            assert sealed.scalar_one()  # the run left its entry
    finally:
        db.dispose()


def test_after_a_full_demo_seed_no_personal_data_is_found_by_a_byte_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo hall seeded as ``make demo`` seeds it (cases in every state, the back office's
    batches with pick-up persons, signatures and signed receipts as scans), with the log and the
    temporary folder of the run: no name, ID number, phone or scan page is in any of them."""
    import logging
    import tempfile

    from app.bootstrap import build_core
    from app.logs import setup_logging
    from sync.demo import demo_world

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", None)
    logs = tmp_path / "demo" / "hall" / "logs"
    root = logging.getLogger()
    handlers = list(root.handlers)
    setup_logging(logs)
    try:
        with demo_world(tmp_path / "demo", cases=40) as demo:
            core = build_core(demo.settings)
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
    try:
        people = core.queries.find(CaseQuery(limit=1000))
        with core.db.read() as session:
            shas = [r[0] for r in session.execute(text("SELECT sha256 FROM stored_files"))]
        pages = [core.files.read(sha) for sha in shas]
    finally:
        core.close()
    needles = {p.applicant_name for p in people} | {p.applicant_id_number for p in people}
    needles |= {p.applicant_phone for p in people if p.applicant_phone}
    assert len(people) >= 40 and len(pages) >= 2  # a signature, a signed receipt
    searched = [tmp_path / "demo" / "hall", temporary]  # not the platform's: it is not a terminal
    assert (logs / "onestop.log").stat().st_size > 0
    for folder in searched:
        blobs = [p.read_bytes() for p in folder.rglob("*") if p.is_file()]
        for needle in needles:
            forms = {needle.encode(), needle.encode("unicode_escape")}
            assert not any(f in blob for f in forms for blob in blobs), (needle, folder)
        for page in pages:
            middle = page[len(page) // 2 : len(page) // 2 + 32]
            assert not any(middle in blob for blob in blobs), folder
