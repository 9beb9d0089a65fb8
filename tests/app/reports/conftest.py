"""A hall with a small catalog and a known set of cases in November 2026, made through the real
case service with a hand-moved clock, so every figure of the reports is known exactly.

November 2026 has no public holiday: its working days are Monday to Friday (2 Nov is a Monday).

| case | scenario | how it went (hall-local times)                                         |
|------|----------|------------------------------------------------------------------------|
| A    | S1       | 张敏 accepts Mon 2 Nov, due 11 Nov; done 11 Nov (on time); mailed; 5, 4 |
| B    | S1       | 李娜 accepts on commitment 2 Nov, due 11 Nov; done 16 Nov (late); pickup; 1 |
| C    | S1       | 张敏 does not accept on 3 Nov, ground 4; rated 2                         |
| D    | S1       | kiosk pre-application 4 Nov, 李娜 accepts 5 Nov (due 16 Nov); done Dec   |
| E    | S1       | 张敏 accepts 6 Nov, withdrawn 9 Nov                                       |
| F    | S1       | kiosk 31 Oct, 李娜 accepts Sat 31 Oct 23:50 (due 10 Nov), done 5 Nov; 3 in Oct |
| G    | S2       | 张敏 accepts 9 Nov, due 11 Nov; done 12 Nov 00:30 (late); electronic; 3 |
| H1   | S1       | 张敏 accepts Mon 30 Nov 23:30 (in November)                              |
| H2   | S1       | 张敏 accepts Tue 1 Dec 00:10 (still 30 Nov in UTC: not in November)     |
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.intake import MaterialCheck
from app.cases.receipts import HALL_TZ
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, Party
from app.catalog.catalog import Catalog, load_catalog
from app.reports.figures import Period
from app.settings import DatabaseSettings, Settings
from tests.helpers.catalogs import MINIMAL, replaced
from tests.helpers.clock import WallClock

S1, S2 = "99TEST0001", "99TEST0002"
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
ZHANG = Actor("张敏", "counter-01")
LI = Actor("李娜", "counter-02")
KIOSK = Actor("一楼自助机", "kiosk-01")
DEPARTMENT = Actor("部门", "platform")
APPLICANT = Party("李芳", "43010419920315204X", phone="13800138000", address="长沙市岳麓区")
ANSWERS = {"q1": "yes", "q2": "a"}
FORM = {"applicant.name": "李芳"}

# The minimal scenario with what the reports count: a lead department that is also an item's,
# reform figures, a result, a tolerable material and one produced by the first item.
SCENARIO_ONE = replaced(
    MINIMAL,
    (
        "lead_department: 测试局\n",
        """lead_department: 甲局
reform:
  before: {materials: 6, days: 20, trips: 3, steps: 4}
  after: {materials: 2, days: 7, trips: 1, steps: 1}
""",
    ),
    (
        "department: 甲局, promised_days: 3}",
        "department: 甲局, promised_days: 3, result: {name: 第一项结果}}",
    ),
    (
        "  - {id: m1, name: 材料一, items: [first, second]}\n",
        """  - {id: m1, name: 材料一, items: [first, second]}
  - {id: m2, name: 材料二, items: [first], exemption: {tolerable_missing: true}}
  - {id: m3, name: 第一项结果, items: [second], exemption: {produced_by: first}}
""",
    ),
)
SCENARIO_TWO = """\
code: 99TEST0002
name: 第二件事
audience: personal
life_stage: 生活
lead_department: 丙局
items:
  - {id: third, name: 第三项, department: 丙局, promised_days: 2}
materials:
  - {id: n1, name: 材料三, items: [third]}
fields:
  - {key: applicant.name, items: [third]}
"""


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A hall-local moment, as the UTC time the service stores."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HALL_TZ).astimezone(UTC)


@dataclass
class Hall:
    core: Core
    service: CaseService
    clock: WallClock
    catalog: Catalog
    receipts: dict[str, str] = field(default_factory=dict)  # the known cases, by letter

    def on(self, day: date, hour: int = 10, minute: int = 0) -> None:
        self.clock.now = at(day, hour, minute)

    def open(
        self,
        actor: Actor,
        scenario: str = S1,
        *,
        channel: str = "counter",
        applicant: Party = APPLICANT,
    ) -> CaseView:
        answers = ANSWERS if scenario == S1 else {}
        return self.service.open_case(
            actor,
            channel=channel,
            scenario=scenario,
            applicant=applicant,
            answers=answers,
            form=FORM,
        )

    def receive(self, actor: Actor, receipt_no: str, *, skip: tuple[str, ...] = ()) -> None:
        """Every material still missing is received, but those in ``skip``."""
        case = self.service.get(receipt_no)
        checks = [
            MaterialCheck(m.material_id, "received_original", ("清晰无涂改",))
            for m in case.materials
            if m.status == "missing" and m.material_id not in skip
        ]
        self.service.record_materials(actor, receipt_no, checks)

    def accepted(self, actor: Actor, scenario: str = S1) -> str:
        receipt_no = self.open(actor, scenario).receipt_no
        self.receive(actor, receipt_no)
        return self.service.accept(actor, receipt_no).receipt_no

    def decide(self, receipt_no: str, item: str, day: date) -> None:
        self.on(day)
        self.service.record_item_decision(DEPARTMENT, receipt_no, item, approved=True)

    def rate(self, receipt_no: str, stage: str, level: int, channel: str) -> None:
        text = "等候太久，材料要求没有一次说清" if level <= 2 else ""
        self.service.evaluate(
            ZHANG, receipt_no, stage=stage, level=level, channel=channel, text=text
        )


def known_cases(hall: Hall) -> dict[str, str]:
    """The cases of the table above; returns their receipt numbers by letter."""
    nov = (2026, 11)
    # F: a kiosk pre-application of Saturday 31 October, accepted late that evening.
    hall.on(date(2026, 10, 31), 9)
    f = hall.open(KIOSK, channel="kiosk").receipt_no
    hall.on(date(2026, 10, 31), 23, 50)
    hall.service.record_material(LI, f, "m1", "exempt", exempt_reason="已核验电子证照")
    hall.receive(LI, f)
    hall.service.accept(LI, f)
    hall.rate(f, "accept", 3, "hall_pad")

    hall.on(date(*nov, 2))
    a = hall.accepted(ZHANG)
    hall.rate(a, "accept", 5, "hall_pad")
    b = hall.open(LI).receipt_no
    hall.receive(LI, b, skip=("m2",))
    hall.service.accept_on_commitment(
        LI, b, materials=["m2"], due_date=date(*nov, 6), signed_by="李芳"
    )
    hall.rate(b, "accept", 1, "qr")

    hall.on(date(*nov, 3))
    c = hall.open(ZHANG).receipt_no
    hall.service.not_accept(ZHANG, c, ground="4", reasons=["缺材料一"], supplement=["m1"])
    hall.rate(c, "accept", 2, "hall_pad")
    hall.decide(a, "first", date(*nov, 3))

    hall.on(date(*nov, 4))
    d = hall.open(KIOSK, channel="kiosk").receipt_no
    hall.decide(f, "first", date(*nov, 4))
    hall.decide(f, "second", date(*nov, 5))
    hall.on(date(*nov, 5), 11)
    hall.receive(LI, d)
    hall.service.accept(LI, d)
    hall.service.supplement(LI, b, ["m2"])

    hall.on(date(*nov, 6))
    e = hall.accepted(ZHANG)
    hall.on(date(*nov, 9))
    hall.service.withdraw(ZHANG, e, reason="申请人主动撤回", returned_to="李芳")
    g = hall.accepted(ZHANG, S2)
    hall.decide(b, "first", date(*nov, 10))

    hall.decide(a, "second", date(*nov, 11))  # the promised date itself: on time
    hall.service.deliver(
        ZHANG,
        a,
        method="mail",
        recipient="李芳",
        phone="13800138000",
        address="长沙市岳麓区",
        tracking_no="EA123456789CN",
    )
    hall.rate(a, "complete", 4, "pc")
    hall.on(date(*nov, 12), 0, 30)  # half an hour after G's promised date: late
    hall.service.record_item_decision(DEPARTMENT, g, "third", approved=True)
    hall.service.deliver(ZHANG, g, method="electronic", note="湘易办 电子证照库")
    hall.rate(g, "complete", 3, "sms")

    hall.decide(b, "second", date(*nov, 16))
    hall.service.deliver(LI, b, method="pickup", recipient="李芳", note="纸质签收")

    hall.on(date(*nov, 30), 23, 30)
    h1 = hall.accepted(ZHANG)
    hall.on(date(2026, 12, 1), 0, 10)
    h2 = hall.accepted(ZHANG)
    hall.decide(d, "first", date(2026, 12, 2))
    hall.decide(d, "second", date(2026, 12, 3))
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "H1": h1, "H2": h2}


@pytest.fixture
def make_hall(
    tmp_path: Path, make_catalog: Callable[..., Path], database_url: str
) -> Iterator[Callable[[], Hall]]:
    """A hall on a fresh database (SQLite, and PostgreSQL where the server is installed)."""
    cores: list[Core] = []

    def make(*scenarios: str) -> Hall:
        """With the two scenarios above, or the ones given."""
        catalog = load_catalog(make_catalog(*(scenarios or (SCENARIO_ONE, SCENARIO_TWO))))
        settings = Settings(data_dir=tmp_path / "data", database=DatabaseSettings(url=database_url))
        core = build_core(settings, catalog)
        cores.append(core)
        clock = WallClock(at(date(2026, 10, 31)))
        service = CaseService(
            core.db, catalog, core.files, hall_code="430100001", calendar=core.calendar, clock=clock
        )
        return Hall(core, service, clock, catalog)

    yield make
    for core in cores:
        core.close()


@pytest.fixture
def hall(make_hall: Callable[[], Hall]) -> Hall:
    made = make_hall()
    made.receipts = known_cases(made)
    return made
