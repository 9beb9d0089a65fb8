"""Verifying the audit chain (``onestop audit verify``): every link, every hash with the key in
force from each switch point, the head, and the anchors — the heads recorded outside the chain,
here and at the platform (:mod:`app.cases.anchors`) — so an edit, an insertion, a deletion inside
or at the end, a truncation, a head moved back and a chain rewritten from some point are each
reported, in words that say which entry. Entries whose personal data the hall's retention
period cleared (format 2, :mod:`app.cases.audit`) are verified through their markers' digests and
counted, not reported."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.audit import FORMAT, GENESIS, KEYED, audit_keys, entry_hash, is_purged
from app.db.models import AuditAnchorRow, AuditEntry, AuditHead
from app.security.keys import KeyRing

WHAT_TO_DO = (
    "请不要再改动数据库，保留现状（先备份数据库文件）并立即报告大厅信息管理员核查；"
    "问题中的条目号可用于对照备份和平台上的锚点。"
)


@dataclass(frozen=True)
class AnchorPoint:
    """A head of the chain as recorded outside it: the entry and its hash, the key in force,
    and (for the platform's) the chain it was sent for."""

    entry_id: int
    entry_hash: str
    key_id: str
    source: str  # who holds it, in words: "平台上的最新锚点", "本机记录的锚点" …
    chain: str = ""  # the chain's id ("": not known)


@dataclass(frozen=True)
class AuditReport:
    entries: int
    problems: tuple[str, ...]
    more: int = 0  # problems beyond those listed
    head_id: int = 0
    key_id: str = ""  # the key in force at the end of the chain ("" unkeyed)
    keyed_from: int | None = None  # the first switch point
    chain_id: str = ""  # the chain's own id, from its first switch point
    anchors: tuple[AnchorPoint, ...] = ()  # what the chain was checked against
    purged: int = 0  # entries whose personal data retention cleared (verified by their digests)
    chains: tuple[ChainReport, ...] = ()  # each chain's walk, by terminal

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def hint(self) -> str:
        return "" if self.ok else WHAT_TO_DO


RUNS = {
    "unkeyed": "第 {first} 至 {last} 条记录（共 {count} 条）在审计链启用大厅密钥（第 {keyed_from} "
    "条起）之后，哈希却是不用密钥算出的：它们是没有大厅密钥的人改写或伪造的。",
    "changed": "第 {first} 至 {last} 条记录（共 {count} 条）的内容被改动过，"
    "或它们的哈希被用别的密钥重新计算过。",
}


@dataclass
class _Run:
    """Consecutive entries with the same hash problem, reported as one."""

    kind: str
    chain: str
    first: int
    last: int
    step: int  # the walk's count at the last entry
    count: int
    single: str  # the words for one entry alone
    keyed_from: int | None


@dataclass
class _Problems:
    limit: int
    listed: list[str] = field(default_factory=list)
    more: int = 0
    run: _Run | None = None

    def add(self, text: str, *, ends_run: bool = True) -> None:
        """A problem; one about an anchor (``ends_run=False``) leaves a run of entries open."""
        if ends_run:
            self.flush()
        if len(self.listed) < self.limit:
            self.listed.append(text)
        else:
            self.more += 1

    def entry(
        self,
        kind: str,
        chain: str,
        entry_id: int,
        *,
        step: int,
        single: str,
        keyed_from: int | None,
    ) -> None:
        """A hash problem of one entry: joins the run of the entry before in its chain when of
        the same kind."""
        run = self.run
        if run is not None and (run.kind, run.chain) == (kind, chain) and run.step == step - 1:
            run.last, run.step, run.count = entry_id, step, run.count + 1
            return
        self.flush()
        self.run = _Run(kind, chain, entry_id, entry_id, step, 1, single, keyed_from)

    def flush(self) -> None:
        run, self.run = self.run, None
        if run is None:
            return
        text = run.single if run.count == 1 else RUNS[run.kind].format(**vars(run))
        self.add(text)


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def local_anchors(session: Session) -> list[AnchorPoint]:
    """The anchors this hall's database recorded (acknowledged by the platform or not yet)."""
    rows = session.execute(
        select(
            AuditAnchorRow.entry_id,
            AuditAnchorRow.entry_hash,
            AuditAnchorRow.key_id,
            AuditAnchorRow.state,
            AuditAnchorRow.chain_id,
        ).order_by(AuditAnchorRow.entry_id)
    ).all()
    return [
        AnchorPoint(
            r.entry_id,
            r.entry_hash,
            r.key_id,
            "平台已确认的锚点" if r.state == "acknowledged" else "本机记录的锚点",
            r.chain_id,
        )
        for r in rows
    ]


def _hash_of(entry: AuditEntry, key: bytes | None, format: int = 1) -> str:
    return entry_hash(
        entry.prev_hash,
        at=entry.at,
        actor=entry.actor,
        terminal=entry.terminal,
        case_id=entry.case_id,
        receipt_no=entry.receipt_no,
        action=entry.action,
        before=entry.before,
        after=entry.after,
        key=key,
        format=format,
    )


def _described(entry: AuditEntry) -> str:
    return (
        f"第 {entry.id} 条记录（{entry.at:%Y-%m-%d %H:%M:%S}，{entry.action}，"
        f"办件 {entry.receipt_no or '无'}）"
    )


def chains_of(session: Session) -> list[str]:
    """The ids of the database's chains, as their first switch points name them (a head's while
    its chain has none): the platform's anchors to check against are those of these chains."""
    named: dict[str, str] = {}
    rows = session.execute(
        select(AuditEntry.chain, AuditEntry.after)
        .where(AuditEntry.action == KEYED)
        .order_by(AuditEntry.id)
    ).all()
    for row in rows:
        chain = row.after.get("chain") if isinstance(row.after, dict) else None
        if isinstance(chain, str) and chain:
            named.setdefault(row.chain, chain)
    for head in session.scalars(select(AuditHead)):
        if head.chain_id:
            named.setdefault(head.terminal, head.chain_id)
    return list(dict.fromkeys(named.values()))


@dataclass(frozen=True)
class ChainReport:
    """One chain's walk: whose it is ("" the hall's from before chains per terminal)."""

    terminal: str
    chain_id: str
    entries: int
    head_id: int
    key_id: str
    keyed_from: int | None


def verify(
    session: Session,
    keys: KeyRing | None = None,
    *,
    platform: Sequence[AnchorPoint] = (),
    limit: int = 100,
) -> AuditReport:
    """Walk every chain (one per terminal, and the hall's from before): each link, each hash
    (with the key in force from each switch point), each head, and every anchor — the ones
    recorded here and ``platform``'s, the platform's latest of each chain
    (:func:`chains_of`). ``keys`` defaults to the audit keys the database was opened with. At
    most ``limit`` problems are listed, the rest counted."""
    if keys is None and (opened := audit_keys(session)) is not None:
        keys = opened.ring()
    anchors = [*local_anchors(session), *platform]
    hall = _Hall(keys, _Problems(limit), anchors)
    for entry in _entries(session):
        hall.step(entry)
    hall.finish(session)
    walks = sorted(hall.walks.values(), key=lambda w: w.last_id)
    newest = walks[-1] if walks else _Walk("", hall)
    firsts = [w.keyed_from for w in walks if w.keyed_from is not None]
    return AuditReport(
        sum(w.count for w in walks),
        tuple(hall.problems.listed),
        hall.problems.more,
        head_id=newest.last_id,
        key_id=newest.key_id,
        keyed_from=min(firsts) if firsts else None,
        chain_id=newest.chain,
        anchors=tuple(anchors),
        purged=sum(w.purged for w in walks),
        chains=tuple(
            ChainReport(w.terminal, w.chain, w.count, w.last_id, w.key_id, w.keyed_from)
            for w in sorted(walks, key=lambda w: w.terminal)
        ),
    )


def _whose(terminal: str) -> str:
    return f"终端 {terminal} 的审计链" if terminal else "升级前的全大厅审计链"


class _Hall:
    """The walk over every chain at once, in entry order: a walk per chain, the anchors."""

    def __init__(self, keys: KeyRing | None, problems: _Problems, anchors: list[AnchorPoint]):
        self.keys = keys
        self.problems = problems
        self.anchors = anchors
        self.points: dict[int, list[AnchorPoint]] = {}
        for point in anchors:
            self.points.setdefault(point.entry_id, []).append(point)
        self.walks: dict[str, _Walk] = {}

    def step(self, entry: AuditEntry) -> None:
        walk = self.walks.get(entry.chain)
        if walk is None:
            walk = self.walks[entry.chain] = _Walk(entry.chain, self)
        if entry.chain and entry.chain != entry.terminal:
            self.problems.add(
                f"{_described(entry)}记着终端 {entry.terminal}，却在{_whose(entry.chain)}中："
                "它是从别的链挪过来的。"
            )
        walk.step(entry)
        for point in self.points.pop(entry.id, ()):
            walk.check_point(point, entry)

    def finish(self, session: Session) -> None:
        self.problems.flush()
        held = {h.terminal: h for h in session.scalars(select(AuditHead))}
        for terminal, walk in sorted(self.walks.items()):
            walk.finish(held.pop(terminal, None))
        for terminal, head in sorted(held.items()):
            if head.last_id:
                self.problems.add(
                    f"{_whose(terminal)}的链头记下最后一条是第 {head.last_id} 条，链中却没有记录："
                    "这条链的记录被删除了。"
                )
        by_chain: dict[str, _Walk] = {}
        for walk in self.walks.values():
            if walk.chain and walk.chain in by_chain:
                self.problems.add(
                    f"{_whose(walk.terminal)}和{_whose(by_chain[walk.chain].terminal)}的编号"
                    f"都是 {walk.chain}：其中一条是从另一条复制或拼接的。"
                )
            by_chain.setdefault(walk.chain, walk)
        for entry_id, points in sorted(self.points.items()):
            for point in points:
                self._left(point, entry_id, by_chain)

    def _left(self, point: AnchorPoint, entry_id: int, by_chain: dict[str, _Walk]) -> None:
        """An anchor whose entry the walk did not meet."""
        walk = by_chain.get(point.chain) if point.chain else None
        if point.chain and walk is None:
            self.problems.add(
                f"{point.source}记下审计链 {point.chain} 已到第 {entry_id} 条，这个数据库中却"
                "没有这条链的记录：整条链被清空过、删除或替换过。"
            )
        elif walk is not None and entry_id > walk.last_id:
            self.problems.add(
                f"{point.source}记下审计记录已到第 {entry_id} 条，现在的链只到第 "
                f"{walk.last_id} 条：末尾的记录被删除、链头被移回，或整条链被清空过。"
            )
        else:
            self.problems.add(f"{point.source}记下的第 {entry_id} 条记录不在链中：它被删除了。")


class _Walk:
    """The state of a walk along one chain, and what each step checks."""

    def __init__(self, terminal: str, hall: _Hall):
        self.terminal = terminal
        self.keys = hall.keys
        self.problems = hall.problems
        self.prev = GENESIS
        self.key_id = ""
        self.secret: bytes | None = None
        self.chain = ""
        self.count = self.last_id = 0
        self.keyed_from: int | None = None
        self.missing_keys: set[str] = set()
        self.format = 1
        self.purged = 0

    def step(self, entry: AuditEntry) -> None:
        self.count += 1
        if entry.prev_hash != self.prev:
            self.problems.add(
                f"第 {entry.id} 条记录的前一条哈希对不上：它之前的记录被删除、插入或改动过。"
            )
        if entry.action == KEYED:
            self._switch(entry)
        if not self.key_id or self.secret is not None:
            self._check_hash(entry)
        self.prev, self.last_id = entry.hash, entry.id

    def _check_hash(self, entry: AuditEntry) -> None:
        if entry.hash == _hash_of(entry, self.secret, self.format):
            if self.format >= FORMAT and (is_purged(entry.before) or is_purged(entry.after)):
                self.purged += 1
            return
        if self.secret is not None and entry.hash == _hash_of(entry, None):
            single = (
                f"{_described(entry)}在审计链启用大厅密钥（第 {self.keyed_from} 条起）之后，"
                "哈希却是不用密钥算出的：它是没有大厅密钥的人改写或伪造的。"
            )
            kind = "unkeyed"
        else:
            single, kind = f"{_described(entry)}的内容被改动过。", "changed"
        self.problems.entry(
            kind,
            self.terminal,
            entry.id,
            step=self.count,
            single=single,
            keyed_from=self.keyed_from,
        )

    def _switch(self, entry: AuditEntry) -> None:
        after = entry.after or {}
        named, chain = after.get("key_id"), after.get("chain")
        if not isinstance(named, str) or not named or not isinstance(chain, str) or not chain:
            self.problems.add(f"{_described(entry)}声称启用审计密钥，却没有写明密钥或链的编号。")
            return
        if self.chain and chain != self.chain:
            self.problems.add(
                f"{_described(entry)}换了审计链编号（{self.chain} → {chain}）：从这里起的记录"
                "是从别处拼接或重写的。"
            )
        form = after.get("format", 1)
        if form not in (1, FORMAT) or form < self.format:
            self.problems.add(
                f"{_described(entry)}把审计链的格式从 {self.format} 改为 {form}："
                "本程序不会这样写，这条记录是改写或伪造的。"
            )
        else:
            self.format = form
        self.key_id, self.chain = named, self.chain or chain
        self.keyed_from = self.keyed_from or entry.id
        self.secret = self.keys.secret(named) if self.keys else None
        if self.secret is None and named not in self.missing_keys:
            self.missing_keys.add(named)
            self.problems.add(
                f"第 {entry.id} 条起的记录用审计密钥 {named} 保护，本机密钥文件中没有这把密钥，"
                "无法校验：请从本大厅最近轮换过密钥的终端复制密钥文件后再校验。"
            )

    def check_point(self, point: AnchorPoint, entry: AuditEntry) -> None:
        if point.chain and self.chain and point.chain != self.chain:
            self.problems.add(
                f"{point.source}记下的第 {entry.id} 条记录属于审计链 {point.chain}，"
                f"链中这条记录却在链 {self.chain} 中：审计表被改动过。",
                ends_run=False,
            )
        elif point.entry_hash != entry.hash:
            self.problems.add(
                f"{point.source}记下第 {entry.id} 条记录的哈希为 {point.entry_hash[:12]}…，"
                f"链中现在是 {entry.hash[:12]}…：这条或它之前的记录被改写过"
                "（从某处起重新计算过哈希）。",
                ends_run=False,
            )
        elif point.key_id != self.key_id:
            self.problems.add(
                f"{point.source}记下第 {entry.id} 条记录时使用审计密钥"
                f"“{point.key_id or '无'}”，链中此处却是“{self.key_id or '无'}”。",
                ends_run=False,
            )

    def finish(self, head: AuditHead | None) -> None:
        self._check_head(head)
        if head is not None and head.chain_id != self.chain and self.chain:
            self.problems.add(
                f"{_whose(self.terminal)}的链头记下的编号是“{head.chain_id or '无'}”，"
                f"链中是“{self.chain}”：审计表被改动过。"
            )
        if self.chain == "" and head is not None:
            self.chain = head.chain_id
        if self.keys is not None and self.count and not self.key_id:
            self.problems.add(
                f"{_whose(self.terminal)}的 {self.count} 条记录都没有用大厅审计密钥保护："
                "启用密钥的记录被删除后整条链被重写过，或者这个数据库升级后还没有启用密钥"
                "（运行 onestop db upgrade 会启用）。"
            )

    def _check_head(self, head: AuditHead | None) -> None:
        whose, last_id, problems = _whose(self.terminal), self.last_id, self.problems
        if head is None:
            if last_id:
                problems.add(f"{whose}的链头记录不见了：审计表被改动过。")
            return
        if head.last_id < last_id:
            problems.add(
                f"{whose}的链头停在第 {head.last_id} 条，链中却有到第 {last_id} 条的记录："
                "链头被移回过。"
            )
        elif head.last_id > last_id:
            problems.add(
                f"{whose}的链头记下最后一条是第 {head.last_id} 条，链中只到第 {last_id} 条："
                "末尾的记录被删除了。"
            )
        elif head.last_hash != self.prev:
            problems.add(f"{whose}的最后一条记录与链头不符：末尾的记录被改动过。")
        if head.key_id != self.key_id:
            problems.add(
                f"{whose}的链头记下的审计密钥是“{head.key_id or '无'}”，链中最后启用的是"
                f"“{self.key_id or '无'}”：审计表被改动过。"
            )
