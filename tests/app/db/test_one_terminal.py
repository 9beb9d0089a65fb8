"""A SQLite database serves one terminal on its own disk: a second terminal is refused at start,
one that took a stale database over stops the former holder's writes, and a file on a network
share is refused before SQLite opens it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from app.bootstrap import Core
from app.db.base import table, utcnow
from app.db.engine import make_engine
from app.db.models import CaseRow, SyncStateRow
from app.db.one_terminal import (
    BEAT,
    CLAIM,
    FRESH,
    TerminalClaim,
    file_system,
    mounts,
    network_share,
    on_network,
    refuse_network_share,
)
from app.errors import SharedDatabase
from tests.helpers.cases import accepted
from tests.helpers.cores import Cores

# /proc/self/mountinfo as the kernel writes it (proc(5)), from machines with a hall's shares.
MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
25 22 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
61 22 0:52 / /mnt/hall rw,relatime shared:33 - nfs4 10.1.2.3:/export/hall rw,vers=4.2,rsize=1048576
62 22 0:53 / /mnt/共享\\040盘 rw,relatime shared:34 - cifs //fs01/onestop rw,vers=3.1.1,cache=strict
63 61 8:2 / /mnt/hall/local rw,relatime shared:35 - ext4 /dev/sdb1 rw
64 22 0:54 / /home/clerk/remote rw,nosuid,nodev,relatime shared:36 - fuse.sshfs clerk@fs01:/ rw
65 22 0:55 / /mnt/c rw,noatime - 9p C:\\134 rw,dirsync,aname=drvfs;path=C:\\;uid=1000
66 22 0:56 / /var/lib/onestop rw,relatime shared:37 - xfs /dev/sdc1 rw
"""


def claim_age(core: Core, age: timedelta) -> None:
    """Make the database's claim look as if its holder last wrote ``age`` ago."""
    state = table(SyncStateRow)
    with core.db.engine.begin() as connection:
        connection.execute(
            update(state).where(state.c.key == CLAIM).values(updated_at=utcnow() - age)
        )


def case_count(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(CaseRow)) or 0


def test_a_second_terminal_on_one_sqlite_file_is_refused(cores: Cores) -> None:
    counter = cores("hall")
    accepted(counter.cases, counter.catalog)
    with pytest.raises(SharedDatabase) as refused:
        cores("hall", terminal={"name": "kiosk-01", "channel": "kiosk"})
    assert "终端 counter-01" in refused.value.message
    assert "PostgreSQL" in refused.value.hint
    # the terminal's other programs (its sync worker, the back office) share its claim
    worker = cores("hall")
    accepted(worker.cases, worker.catalog)
    assert case_count(counter) == 2


def test_a_stale_database_is_taken_over_and_the_former_holder_stops_writing(
    cores: Cores,
) -> None:
    old = cores("hall")
    accepted(old.cases, old.catalog)
    claim_age(old, FRESH + timedelta(seconds=5))  # the old PC went quiet: replaced, moved
    new = cores("hall", terminal={"name": "counter-02"})
    accepted(new.cases, new.catalog)
    with pytest.raises(SharedDatabase) as refused:
        accepted(old.cases, old.catalog)
    assert "终端 counter-02" in refused.value.message
    assert "没有保存" in refused.value.message
    assert case_count(new) == 2  # the refused case was not kept
    accepted(new.cases, new.catalog)  # the new holder goes on


def test_writes_refresh_the_claim_but_not_on_every_transaction(cores: Cores) -> None:
    core = cores("hall")
    claim_age(core, BEAT + timedelta(seconds=1))
    accepted(core.cases, core.catalog)
    with core.db.read() as session:
        held = TerminalClaim.holder(session.connection())
    assert held is not None and utcnow() - held.seen < BEAT
    claim_age(core, BEAT / 2)
    with core.db.read() as session:
        before = TerminalClaim.holder(session.connection())
    accepted(core.cases, core.catalog)
    with core.db.read() as session:
        assert TerminalClaim.holder(session.connection()) == before


def test_a_terminal_refused_at_start_leaves_the_database_as_it_was(cores: Cores) -> None:
    counter = cores("hall")
    with counter.db.read() as session:
        before = TerminalClaim.holder(session.connection())
    with pytest.raises(SharedDatabase):
        cores("hall", terminal={"name": "counter-02"})
    with counter.db.read() as session:
        assert TerminalClaim.holder(session.connection()) == before


@pytest.mark.parametrize(
    ("path", "share"),
    [
        ("/mnt/hall/onestop/onestop.sqlite3", ("/mnt/hall", "nfs4")),
        ("/mnt/共享 盘/data/onestop.sqlite3", ("/mnt/共享 盘", "cifs")),
        ("/home/clerk/remote/onestop.sqlite3", ("/home/clerk/remote", "fuse.sshfs")),
        ("/mnt/c/Users/clerk/onestop.sqlite3", ("/mnt/c", "9p")),
        ("/mnt/hall/local/onestop.sqlite3", None),  # a local disk mounted inside the share
        ("/var/lib/onestop/onestop.sqlite3", None),
        ("/home/clerk/.local/share/onestop/onestop.sqlite3", None),
        ("/mnt/hallway/onestop.sqlite3", None),  # a prefix of the name is not the mount
    ],
)
def test_the_mount_table_tells_a_network_share(path: str, share: tuple[str, str] | None) -> None:
    assert on_network(Path(path), MOUNTINFO) == share


def test_a_sqlite_file_on_a_network_share_is_refused_before_it_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    table_file = tmp_path / "mountinfo"
    table_file.write_text(
        MOUNTINFO + f"70 22 0:60 / {share} rw,relatime - cifs //fs01/hall rw\n", encoding="utf-8"
    )
    with pytest.raises(SharedDatabase) as refused:
        refuse_network_share(share / "onestop.sqlite3", table_file)
    assert "网络共享" in refused.value.message and "cifs" in refused.value.message
    assert "data_dir" in refused.value.hint
    # and the engine asks the same question of the kernel's table before SQLite opens the file
    monkeypatch.setattr("app.db.one_terminal.MOUNTS", table_file)
    with pytest.raises(SharedDatabase):
        make_engine(f"sqlite:///{share / 'onestop.sqlite3'}")
    assert not (share / "onestop.sqlite3").exists()


def test_this_machines_own_disk_is_not_a_share(tmp_path: Path) -> None:
    assert network_share(tmp_path / "onestop.sqlite3") is None


@given(st.text(alphabet=st.sampled_from("/ -\\0123456789abcnfs4:\n\t共")), st.text(max_size=30))
def test_any_mount_table_is_read_without_error(text: str, name: str) -> None:
    for point, kind in mounts(text):
        assert point.startswith("/") and isinstance(kind, str)
    found = file_system(Path("/") / name.replace("\x00", ""), text)
    assert found is None or found[0].startswith("/")
