"""Who looked at whose personal data (个人信息保护法 第五十一条): the counter's case lookup, a
document preview, the back office's trace and the command line record who, when and which case;
a manager lists it per case and per operator (prints come from the audit trail), a clerk may
not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.bootstrap import Core
from app.cases.access import AccessLog
from app.cases.audit import Actor
from app.db.models import AuditEntry
from app.roles import NotAllowed
from tests.helpers.cases import CLERK, MANAGER, accepted
from tests.helpers.clock import MONDAY, WallClock
from tests.helpers.cores import Cores

ZHANG = Actor("张敏", "counter-01", "clerk")
LI = Actor("李娜", "back-01", "backoffice")


@pytest.fixture
def core(cores: Cores, database_url: str) -> Core:
    return cores("hall", clock=WallClock(MONDAY), database={"url": database_url})


def test_looks_and_prints_are_listed_per_case_and_per_operator(core: Core) -> None:
    first = accepted(core.cases, core.catalog).receipt_no
    second = accepted(core.cases, core.catalog).receipt_no
    log, clock = core.access, core.access.clock
    assert isinstance(clock, WallClock)
    log.record(ZHANG, first, "view")
    clock.advance(minutes=1)
    log.record(ZHANG, first, "preview", "acceptance")
    clock.advance(minutes=1)
    core.cases.record_print(ZHANG, first, document="acceptance", printer="A4")
    log.record(LI, second, "trace")
    clock.advance(minutes=1)
    log.record(LI, first, "view")

    of_first = log.entries(MANAGER, receipt_no=first)
    assert [(e.actor, e.label) for e in of_first] == [
        ("李娜", "查看办件"),
        ("张敏", "打印文书"),
        ("张敏", "预览文书"),
        ("张敏", "查看办件"),
    ]
    assert of_first[2].detail == "acceptance" and of_first[0].terminal == "back-01"
    by_li = log.entries(MANAGER, operator="李娜")
    assert [(e.receipt_no, e.action) for e in by_li] == [(first, "view"), (second, "trace")]
    later = log.entries(MANAGER, since=MONDAY.replace(minute=2), receipt_no=first)
    assert [e.action for e in later] == ["view", "print"]


def test_only_a_manager_reads_the_list_and_a_refusal_is_audited(core: Core) -> None:
    receipt = accepted(core.cases, core.catalog).receipt_no
    core.access.record(ZHANG, receipt, "view")
    with pytest.raises(NotAllowed, match="查看个人信息的查阅记录"):
        core.access.entries(CLERK, receipt_no=receipt)
    with core.db.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.action, last.actor, last.receipt_no) == ("refused", CLERK.name, receipt)


def test_a_kind_of_look_that_does_not_exist_is_a_programming_error(core: Core) -> None:
    with pytest.raises(ValueError, match="not an access kind"):
        AccessLog(core.db).record(ZHANG, "x", "print")  # prints are the audit trail's
