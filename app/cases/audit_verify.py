"""Verifying the audit chain (``onestop audit verify``): every link, every hash with the key in
force from each switch point, the head, and the anchors — the heads recorded outside the chain,
here and at the platform (:mod:`app.cases.anchors`) — so an edit, an insertion, a deletion inside
or at the end, a truncation, a head moved back and a chain rewritten from some point are each
reported, in words that say which entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.audit import GENESIS, KEYED, audit_keys, entry_hash
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
    chain: str = ""  # "": this database's own record


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
        self, kind: str, entry_id: int, step: int, single: str, keyed_from: int | None
    ) -> None:
        """A hash problem of one entry: joins the run of the entry before when of the same kind."""
        run = self.run
        if run is not None and run.kind == kind and run.step == step - 1:
            run.last, run.step, run.count = entry_id, step, run.count + 1
            return
        self.flush()
        self.run = _Run(kind, entry_id, entry_id, step, 1, single, keyed_from)

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
        ).order_by(AuditAnchorRow.entry_id)
    ).all()
    return [
        AnchorPoint(
            r.entry_id,
            r.entry_hash,
            r.key_id,
            "平台已确认的锚点" if r.state == "acknowledged" else "本机记录的锚点",
        )
        for r in rows
    ]


def _hash_of(entry: AuditEntry, key: bytes | None) -> str:
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
    )


def _described(entry: AuditEntry) -> str:
    return (
        f"第 {entry.id} 条记录（{entry.at:%Y-%m-%d %H:%M:%S}，{entry.action}，"
        f"办件 {entry.receipt_no or '无'}）"
    )


def chain_of(session: Session) -> str:
    """The chain's id as its first switch point names it (the head's while it has none): the
    platform's anchors to check against are those of this chain."""
    first = session.scalar(
        select(AuditEntry.after).where(AuditEntry.action == KEYED).order_by(AuditEntry.id).limit(1)
    )
    named = first.get("chain") if isinstance(first, dict) else None
    if isinstance(named, str) and named:
        return named
    head = session.get(AuditHead, 1)
    return head.chain_id if head is not None else ""


def verify(
    session: Session,
    keys: KeyRing | None = None,
    *,
    platform: AnchorPoint | None = None,
    limit: int = 100,
) -> AuditReport:
    """Walk the chain: each link, each hash (with the key in force from each switch point), the
    head, and every anchor — the ones recorded here and ``platform``'s, the platform's latest of
    this chain (:func:`chain_of`). ``keys`` defaults to the audit keys the database was opened
    with. At most ``limit`` problems are listed, the rest counted."""
    if keys is None and (opened := audit_keys(session)) is not None:
        keys = opened.ring()
    anchors = [*local_anchors(session), *([platform] if platform else [])]
    walk = _Walk(keys, _Problems(limit), anchors)
    for entry in _entries(session):
        walk.step(entry)
    walk.finish(session)
    return AuditReport(
        walk.count,
        tuple(walk.problems.listed),
        walk.problems.more,
        head_id=walk.last_id,
        key_id=walk.key_id,
        keyed_from=walk.keyed_from,
        chain_id=walk.chain,
        anchors=tuple(anchors),
    )


class _Walk:
    """The state of a walk along the chain, and what each step checks."""

    def __init__(self, keys: KeyRing | None, problems: _Problems, anchors: list[AnchorPoint]):
        self.keys = keys
        self.problems = problems
        self.anchors = anchors
        self.points: dict[int, list[AnchorPoint]] = {}
        for point in anchors:
            self.points.setdefault(point.entry_id, []).append(point)
        self.prev = GENESIS
        self.key_id = ""
        self.secret: bytes | None = None
        self.chain = ""
        self.count = self.last_id = 0
        self.keyed_from: int | None = None
        self.missing_keys: set[str] = set()

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
        for point in self.points.pop(entry.id, ()):
            self._check_point(point, entry)
        self.prev, self.last_id = entry.hash, entry.id

    def _check_hash(self, entry: AuditEntry) -> None:
        if entry.hash == _hash_of(entry, self.secret):
            return
        if self.secret is not None and entry.hash == _hash_of(entry, None):
            single = (
                f"{_described(entry)}在审计链启用大厅密钥（第 {self.keyed_from} 条起）之后，"
                "哈希却是不用密钥算出的：它是没有大厅密钥的人改写或伪造的。"
            )
            kind = "unkeyed"
        else:
            single, kind = f"{_described(entry)}的内容被改动过。", "changed"
        self.problems.entry(kind, entry.id, self.count, single, self.keyed_from)

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
        self.key_id, self.chain = named, self.chain or chain
        self.keyed_from = self.keyed_from or entry.id
        self.secret = self.keys.secret(named) if self.keys else None
        if self.secret is None and named not in self.missing_keys:
            self.missing_keys.add(named)
            self.problems.add(
                f"第 {entry.id} 条起的记录用审计密钥 {named} 保护，本机密钥文件中没有这把密钥，"
                "无法校验：请从本大厅最近轮换过密钥的终端复制密钥文件后再校验。"
            )

    def _check_point(self, point: AnchorPoint, entry: AuditEntry) -> None:
        if point.entry_hash != entry.hash:
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

    def finish(self, session: Session) -> None:
        self.problems.flush()
        head = _check_head(session, self.last_id, self.prev, self.key_id, self.problems)
        if head is not None and head.chain_id != self.chain and self.chain:
            self.problems.add(
                f"链头记下的审计链编号是“{head.chain_id or '无'}”，链中是“{self.chain}”："
                "审计表被改动过。"
            )
        chain = self.chain or (head.chain_id if head is not None else "")
        for point in self.anchors:
            if point.chain and point.chain != chain:
                self.problems.add(
                    f"{point.source}属于审计链 {point.chain}，这个数据库的链是 {chain or '无'}。"
                )
        for entry_id, held in sorted(self.points.items()):
            for point in held:
                self.problems.add(
                    f"{point.source}记下审计记录已到第 {entry_id} 条，现在的链只到第 "
                    f"{self.last_id} 条：末尾的记录被删除、链头被移回，或整条链被清空过。"
                    if entry_id > self.last_id
                    else f"{point.source}记下的第 {entry_id} 条记录不在链中：它被删除了。"
                )
        if self.keys is not None and self.count and not self.key_id:
            self.problems.add(
                f"审计链的 {self.count} 条记录都没有用大厅审计密钥保护：启用密钥的记录被删除后"
                "整条链被重写过，或者这个数据库升级后还没有启用密钥"
                "（运行 onestop db upgrade 会启用）。"
            )


def _check_head(
    session: Session, last_id: int, last_hash: str, key_id: str, problems: _Problems
) -> AuditHead | None:
    head = session.get(AuditHead, 1)
    if head is None:
        if last_id:
            problems.add("链头记录不见了：审计表被改动过。")
        return None
    if head.last_id < last_id:
        problems.add(
            f"链头停在第 {head.last_id} 条，链中却有到第 {last_id} 条的记录：链头被移回过。"
        )
    elif head.last_id > last_id:
        problems.add(
            f"链头记下最后一条是第 {head.last_id} 条，链中只到第 {last_id} 条：末尾的记录被删除了。"
        )
    elif head.last_hash != last_hash:
        problems.add("最后一条记录与链头不符：末尾的记录被改动过。")
    if head.key_id != key_id:
        problems.add(
            f"链头记下的审计密钥是“{head.key_id or '无'}”，链中最后启用的是“{key_id or '无'}”："
            "审计表被改动过。"
        )
    return head
