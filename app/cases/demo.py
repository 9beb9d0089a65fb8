"""Realistic cases made through the case service, for demos and benchmarks (``onestop demo
seed``): applicants with valid ID numbers, every built-in scenario answered the way most
applicants answer, materials received, and a spread of outcomes — accepted (most), pre-applications
from the kiosk, not accepted, withdrawn, with evaluations. Deterministic for a given ``seed``."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from app.cases.audit import Actor
from app.cases.intake import MaterialCheck
from app.cases.service import CaseService
from app.cases.views import Party
from app.catalog.catalog import Catalog
from app.guide.engine import Guide
from app.guide.plan import PlanField

WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # GB 11643 check digit weights
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")
REGIONS = ("430102", "430103", "430104", "430105", "430111", "430112", "430121")
SAMPLES = {
    "phone": "13800138000", "id_number": "11010519491231002X", "uscc": "91350100M000100Y43",
    "bank_account": "6222021234567890128", "date": "2026-11-01", "number": "1",
}  # fmt: skip
# What people write in the text fields of the built-in scenarios: the demo, the screenshots and
# the sample documents read like a real hall's cases, not like placeholders.
DEMO_TEXT = {
    "newborn.name": "王小明", "newborn.ethnicity": "汉族",
    "newborn.birth_place": "湖南省长沙市岳麓区",
    "other_parent.name": "王建国", "other_parent.id_number": "430104199001011230",
    "bank.branch": "中国工商银行长沙岳麓支行", "bank.name": "中国工商银行",
    "pension.insured_region": "长沙市岳麓区", "pension.agency_name": "长沙市岳麓区社会保险服务中心",
    "housing_fund.employer_name": "长沙湘江科技有限公司",
    "housing_fund.employer_account": "430100123456",
    "housing_fund.debit_bank": "中国建设银行长沙河西支行", "deceased.name": "王德厚",
    "enterprise.name": "长沙市岳麓区湘味小厨餐饮店", "food.business_items": "热食类食品制售",
    "signboard.text": "湘味小厨", "signboard.location": "门店正上方", "signboard.size": "6×1.2",
}  # fmt: skip
CLERKS = (Actor("张敏", "counter-01", "clerk"), Actor("李娜", "counter-02", "clerk"))
# 新生儿出生一件事 as most parents answer it: the samples of printed documents and the tests use it.
NEWBORN = "43PCN0009"
NEWBORN_ANSWERS = {
    "within_six_months": "yes", "province_facility": "yes", "hukou": "yes", "marriage": "yes",
    "same_ethnicity": "yes", "applicant": "mother", "reimbursement": "yes", "account": "no",
    "photo": "no",
}  # fmt: skip


def id_number(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def answers_for(guide: Guide, code: str, rng: random.Random) -> dict[str, Any]:
    """Answer each next question with an option that does not stop the case (mostly the first,
    as most applicants answer), until none is left."""
    answers: dict[str, Any] = {}
    for _ in range(100):
        state = guide.questions(code, answers)
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


def seed_cases(
    service: CaseService, catalog: Catalog, count: int, *, seed: int = 20261123
) -> dict[str, int]:
    """``count`` cases; returns how many ended in each state."""
    rng = random.Random(seed)
    guide = Guide(catalog)
    codes = sorted(catalog.scenarios)
    made: Counter[str] = Counter()
    for n in range(count):
        clerk = CLERKS[n % len(CLERKS)]
        person = Party(f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}",
                       id_number(rng), phone=f"139{rng.randrange(10**8):08d}",
                       address="长沙市岳麓区桐梓坡路")  # fmt: skip
        code = codes[n % len(codes)]
        answers = answers_for(guide, code, rng)
        plan = guide.plan(code, answers)
        form = {f.key: value_for(f, person) for f in plan.fields}
        roll = rng.random()
        channel = "kiosk" if roll < 0.1 else "counter"
        case = service.open_case(clerk, channel=channel, scenario=code, applicant=person,
                                 answers=answers, form=form)  # fmt: skip
        if channel == "kiosk":
            made[case.state] += 1
            continue
        case = service.record_materials(clerk, case.receipt_no, [
            MaterialCheck(m.material_id, "received_original", ("清晰无涂改",))
            for m in case.materials if m.status == "missing"
        ])  # fmt: skip
        if roll < 0.15:
            case = service.not_accept(clerk, case.receipt_no, ground="2",
                                      reasons=["申请事项不属于本中心受理范围"],
                                      office="长沙市岳麓区政务服务中心")  # fmt: skip
        else:
            case = service.accept(clerk, case.receipt_no)
            if roll < 0.2:
                case = service.withdraw(clerk, case.receipt_no, reason="申请人主动撤回",
                                        returned_to=person.name)  # fmt: skip
            elif roll < 0.6:
                level = rng.choice((5, 5, 5, 4, 3))
                case = service.evaluate(clerk, case.receipt_no, stage="accept", level=level,
                                        channel="hall_pad")  # fmt: skip
        made[case.state] += 1
    return dict(made)
