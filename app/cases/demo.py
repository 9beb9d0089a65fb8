"""Realistic cases made through the case service, for demos and benchmarks (``onestop demo
seed``): applicants with valid ID numbers, every built-in scenario answered the way most
applicants answer, materials received, and a spread of outcomes — accepted (most), pre-applications
from the kiosk, not accepted, withdrawn, with evaluations. Deterministic for a given ``seed``."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.calendar.workdays import WorkCalendar
from app.cases.audit import Actor
from app.cases.intake import MaterialCheck
from app.cases.receipts import HALL_TZ, hall_day
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, Party
from app.catalog.catalog import Catalog
from app.guide.engine import Planner
from app.guide.plan import PlanField

WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # GB 11643 check digit weights
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")
REGIONS = ("430102", "430103", "430104", "430105", "430111", "430112", "430121")
SAMPLES = {
    "phone": "13800138000",
    "id_number": "11010519491231002X",
    "uscc": "91350100M000100Y43",
    "bank_account": "6222021234567890128",
    "date": "2026-11-01",
    "number": "1",
}
# What people write in the text fields of the built-in scenarios: the demo, the screenshots and
# the sample documents read like a real hall's cases, not like placeholders.
DEMO_TEXT = {
    "newborn.name": "王小明",
    "newborn.ethnicity": "汉族",
    "newborn.birth_place": "湖南省长沙市岳麓区",
    "other_parent.name": "王建国",
    "other_parent.id_number": "430104199001011230",
    "bank.branch": "中国工商银行长沙岳麓支行",
    "bank.name": "中国工商银行",
    "pension.insured_region": "长沙市岳麓区",
    "pension.agency_name": "长沙市岳麓区社会保险服务中心",
    "housing_fund.employer_name": "长沙湘江科技有限公司",
    "housing_fund.employer_account": "430100123456",
    "housing_fund.debit_bank": "中国建设银行长沙河西支行",
    "deceased.name": "王德厚",
    "enterprise.name": "长沙市岳麓区湘味小厨餐饮店",
    "food.business_items": "热食类食品制售",
    "signboard.text": "湘味小厨",
    "signboard.location": "门店正上方",
    "signboard.size": "6×1.2",
}
CLERKS = (Actor("张敏", "counter-01", "clerk"), Actor("李娜", "counter-02", "clerk"))
# 新生儿出生一件事 as most parents answer it: the samples of printed documents and the tests use it.
NEWBORN = "43PCN0009"
NEWBORN_ANSWERS = {
    "within_six_months": "yes",
    "province_facility": "yes",
    "hukou": "yes",
    "marriage": "yes",
    "same_ethnicity": "yes",
    "applicant": "mother",
    "reimbursement": "yes",
    "account": "no",
    "photo": "no",
}


OPENED_FROM, OPENED_TO = 8, 5  # cases opened from 8 to 5 working days before the seeding


class SeedClock:
    """The demo hall's time while it is seeded: the services stamp what they do with it, so cases
    are opened over past working days and decided, delivered and rated days later — the demo's
    reports then show working days as a hall's would, not a whole history on one afternoon."""

    def __init__(self, calendar: WorkCalendar, now: datetime) -> None:
        self.calendar = calendar
        self.now = now
        self.moment = now

    def __call__(self) -> datetime:
        return self.moment

    def days_ago(self, working_days: int) -> date:
        day = hall_day(self.now)
        while working_days > 0:
            day -= timedelta(days=1)
            working_days -= self.calendar.is_workday(day)
        return day

    def set(self, day: date, seconds: float = 0) -> None:
        """``seconds`` after 09:00 hall time on ``day``, never later than the real now."""
        start = datetime.combine(day, time(9), tzinfo=HALL_TZ) + timedelta(seconds=seconds)
        self.moment = min(start.astimezone(UTC), self.now)

    def open_case(self, n: int, count: int) -> None:
        """The moment case ``n`` of ``count`` is opened: spread evenly over the opening days,
        between 09:00 and 16:00, in order."""
        span = OPENED_FROM - OPENED_TO + 1
        index = n * span // count
        first = -(-index * count // span)  # the first case of that day
        per_day = max(1, -(-(index + 1) * count // span) - first)
        self.set(self.days_ago(OPENED_FROM - index), (n - first) * 7 * 3600 / per_day)


def id_number(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def answers_for(planner: Planner, code: str, rng: random.Random) -> dict[str, Any]:
    """Answer each next question with an option that does not stop the case (mostly the first,
    as most applicants answer), until none is left."""
    answers: dict[str, Any] = {}
    for _ in range(100):
        state = planner.questions(code, answers)
        question = state.next
        if question is None:
            return answers
        going_on = [o for o in question.options if not o.stops] or list(question.options)
        pick = going_on[0] if rng.random() < 0.8 else rng.choice(going_on)
        answers[question.id] = [pick.value] if question.kind == "multi" else pick.value
    raise RuntimeError(f"{code}: the questionnaire did not end")


def value_for(field: PlanField, person: Party) -> str:
    if field.value:
        return field.value
    if field.key in DEMO_TEXT:
        return DEMO_TEXT[field.key]
    if field.type == "enum":
        return field.options[0]
    if field.key.endswith(".name"):
        return person.name
    if field.type == "id_number":
        return person.id_number
    return SAMPLES.get(field.type, "长沙市岳麓区") if field.type != "text" else "长沙市岳麓区"


def receive_all(
    service: CaseService, clerk: Actor, case: CaseView, *, but: Collection[str] = ()
) -> CaseView:
    """Every material the case still misses received as an original (those in ``but`` left
    missing — the ones to be promised at 容缺受理)."""
    return service.record_materials(
        clerk,
        case.receipt_no,
        [
            MaterialCheck(m.material_id, "received_original", ("清晰无涂改",))
            for m in case.materials
            if m.status == "missing" and m.material_id not in but
        ],
    )


def seed_cases(
    service: CaseService,
    catalog: Catalog,
    count: int,
    *,
    seed: int = 20261123,
    clock: SeedClock | None = None,
) -> dict[str, int]:
    """``count`` cases; returns how many ended in each state. With ``clock`` (the one the
    service stamps with) they are opened over past working days."""
    rng = random.Random(seed)
    planner = Planner(catalog)
    codes = sorted(catalog.scenarios)
    made: Counter[str] = Counter()
    for n in range(count):
        if clock is not None:
            clock.open_case(n, count)
        clerk = CLERKS[n % len(CLERKS)]
        person = Party(
            f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}",
            id_number(rng),
            phone=f"139{rng.randrange(10**8):08d}",
            address="长沙市岳麓区桐梓坡路",
        )
        code = codes[n % len(codes)]
        answers = answers_for(planner, code, rng)
        plan = planner.plan(code, answers)
        form = {f.key: value_for(f, person) for f in plan.fields}
        roll = rng.random()
        channel = "kiosk" if roll < 0.1 else "counter"
        case = service.open_case(
            clerk, channel=channel, scenario=code, applicant=person, answers=answers, form=form
        )
        if channel == "kiosk":
            made[case.state] += 1
            continue
        case = receive_all(service, clerk, case)
        if roll < 0.15:
            case = service.not_accept(
                clerk,
                case.receipt_no,
                ground="2",
                reasons=["申请事项不属于本中心受理范围"],
                office="长沙市岳麓区政务服务中心",
            )
        else:
            case = service.accept(clerk, case.receipt_no)
            if roll < 0.2:
                case = service.withdraw(
                    clerk, case.receipt_no, reason="申请人主动撤回", returned_to=person.name
                )
            elif roll < 0.6:
                level = rng.choice((5, 5, 5, 4, 3))
                case = service.evaluate(
                    clerk, case.receipt_no, stage="accept", level=level, channel="hall_pad"
                )
        made[case.state] += 1
    return dict(made)
