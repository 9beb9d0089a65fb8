"""A SQLite database serves one terminal, on that terminal's own disk.

Several terminals writing one SQLite file — a data folder on a network share, or two programs of
different terminals pointed at one file — "works" with multi-second waits, unfair shares and
"database is busy" refusals, and on a network share SQLite's locks are not to be trusted at all
(https://www.sqlite.org/useovernet.html). A hall of several terminals uses PostgreSQL. So:

* a SQLite file on a network file system is refused before SQLite opens it
  (:func:`network_share`, read from the kernel's mount table);
* the terminal that writes a SQLite database claims it (``sync_state`` key ``sqlite_terminal``:
  terminal name and host). Another terminal is refused at start while the claim is fresh (its
  holder wrote within :data:`FRESH`); past that the newcomer takes the database over (a PC
  replaced, a database moved) and the former holder's next write is refused — so two terminals
  never both write, whichever starts or writes first. The programs of one terminal (counter, sync
  worker, back office, commands) share its name and host, and its claim.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from app.db.base import table, utcnow
from app.db.models import SyncStateRow
from app.errors import SharedDatabase

log = logging.getLogger(__name__)
CLAIM = "sqlite_terminal"
FRESH = timedelta(minutes=10)  # a holder that wrote this recently is still there
BEAT = timedelta(minutes=1)  # how often a holder's writes refresh its claim
MOUNTS = Path("/proc/self/mountinfo")
# File systems whose locks SQLite cannot rely on: network and host-shared folders.
NETWORK = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "9p",  # WSL's Windows drives, QEMU shared folders
        "afs",
        "coda",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "ocfs2",
        "gfs2",
        "davfs",
        "vboxsf",
        "vmhgfs",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.cephfs",
        "fuse.s3fs",
        "fuse.rclone",
        "fuse.vmhgfs-fuse",
        "fuse.davfs2",
    }
)
POSTGRES = (
    "大厅有多台终端时请使用 PostgreSQL"
    "（在设置文件的 [database] url 填大厅数据库的地址，见说明书“配置与部署”）"
)


def _unescape(field: str) -> str:
    r"""A mount table path: the kernel writes space, tab, newline and backslash as \040 etc."""
    out, i = [], 0
    while i < len(field):
        code = field[i + 1 : i + 4]
        if field[i] == "\\" and len(code) == 3 and all(c in "01234567" for c in code):
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) of each well-formed line of a ``mountinfo`` table, in
    order (a later mount on the same point hides an earlier one); other lines are skipped."""
    found = []
    for line in text.splitlines():
        fields = line.split(" ")
        try:
            separator = fields.index("-", 6)
        except ValueError:
            continue
        if separator + 1 >= len(fields) or not fields[4].startswith("/"):
            continue
        found.append((_unescape(fields[4]), fields[separator + 1]))
    return found


def file_system(path: Path, table_text: str) -> tuple[str, str] | None:
    """(mount point, type) of the mount that holds ``path`` (absolute, resolved)."""
    best: tuple[str, str] | None = None
    for point, kind in mounts(table_text):
        inside = path.as_posix() == point or path.is_relative_to(point)
        if inside and (best is None or len(point) >= len(best[0])):
            best = (point, kind)
    return best


def network_share(path: Path, table: Path | None = None) -> tuple[str, str] | None:
    """(mount point, type) when ``path`` lies on a network file system, read from the kernel's
    mount table (None where there is none to read: not Linux)."""
    try:
        text = (table or MOUNTS).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    where = path.absolute()
    while not where.exists() and where != where.parent:  # the file and its folder may be new
        where = where.parent
    return on_network(where.resolve(), text)


def on_network(path: Path, table_text: str) -> tuple[str, str] | None:
    """(mount point, type) when the mount holding ``path`` is a network file system."""
    found = file_system(path, table_text)
    if found is not None and (found[1] in NETWORK or found[1].split(".")[-1] in NETWORK):
        return found
    return None


def refuse_network_share(database: Path, table: Path | None = None) -> None:
    found = network_share(database, table)
    if found is not None:
        point, kind = found
        raise SharedDatabase(
            f"数据库文件 {database} 在网络共享上（{point}，{kind}）。"
            "SQLite 在网络共享上的文件锁不可靠，多台终端同时写入会损坏数据库，"
            "所以本终端没有打开它。",
            hint=f"请把数据目录（设置文件中的 data_dir）设在本机磁盘上；{POSTGRES}。",
        )


@dataclass(frozen=True)
class Holder:
    terminal: str
    host: str
    seen: datetime

    def __str__(self) -> str:
        return f"终端 {self.terminal}（主机 {self.host}）"


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return "刚刚" if minutes < 1 else f"{minutes} 分钟前"


class TerminalClaim:
    """This terminal's claim on its SQLite database: taken at start, checked (and now and then
    refreshed) in every writing transaction."""

    def __init__(self, terminal: str, host: str | None = None, clock: Any = utcnow) -> None:
        self.terminal = terminal
        self.host = host or socket.gethostname() or "localhost"
        self.clock = clock

    def mine(self, holder: Holder) -> bool:
        return (holder.terminal, holder.host) == (self.terminal, self.host)

    def take(self, connection: Connection) -> Holder | None:
        """Claim the database; returns the holder it was taken over from (a stale one), if any.
        Refused while another terminal's claim is fresh."""
        now = self.clock()
        held = self.free(connection)
        if held is not None:
            log.warning("taking over the SQLite database from %s", held)
        self._write(connection, now)
        return held

    def free(self, connection: Connection) -> Holder | None:
        """Refuse while another terminal's claim is fresh; returns a stale other holder."""
        now = self.clock()
        held = self.holder(connection)
        if held is None or self.mine(held):
            return None
        if now - held.seen < FRESH:
            minutes = int((FRESH - (now - held.seen)).total_seconds() // 60) + 1
            raise SharedDatabase(
                f"这个 SQLite 数据库正由{held}使用（{_ago(now - held.seen)}还在写入），"
                "本终端没有启动，以免两台终端同时写入一个数据库文件。",
                hint=f"SQLite 数据库只供一台终端使用；{POSTGRES}。"
                f"若那台终端已经停用、数据库是搬到本机来的，请约 {minutes} 分钟后再启动本终端。",
            )
        return held

    def check(self, connection: Connection) -> None:
        """At the start of a writing transaction: refuse when another terminal took the database
        over; refresh the claim when it is older than :data:`BEAT`."""
        held = self.holder(connection)
        now = self.clock()
        if held is not None and not self.mine(held):
            raise SharedDatabase(
                f"{held}已开始使用这个 SQLite 数据库，为免两台终端同时写入，这次操作没有保存。",
                hint="请关闭本终端，手头的纸质材料先留存；"
                f"SQLite 数据库只供一台终端使用，{POSTGRES}。",
            )
        if held is None or not timedelta(0) <= now - held.seen < BEAT:
            self._write(connection, now)

    @staticmethod
    def holder(connection: Connection) -> Holder | None:
        state = table(SyncStateRow)
        row = connection.execute(
            select(state.c.value, state.c.updated_at).where(state.c.key == CLAIM)
        ).first()
        if row is None or not isinstance(row.value, dict):
            return None
        seen = row.updated_at
        if seen.tzinfo is None:  # SQLite gives back naive UTC
            seen = seen.replace(tzinfo=utcnow().tzinfo)
        value = row.value
        return Holder(str(value.get("terminal", "")), str(value.get("host", "")), seen)

    def _write(self, connection: Connection, now: datetime) -> None:
        state = table(SyncStateRow)
        value = {"terminal": self.terminal, "host": self.host}
        connection.execute(
            insert(state)
            .values(key=CLAIM, value=value, updated_at=now)
            .on_conflict_do_update(
                index_elements=[state.c.key], set_={"value": value, "updated_at": now}
            )
        )
