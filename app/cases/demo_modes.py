"""The demo hall's examples of the ways a hall serves people beyond "a citizen comes, a clerk
accepts" (issue 25), made through the real services after :func:`app.cases.demo.seed_cases`.

容缺受理 and 告知承诺制: no guide the province publishes names a tolerable material or a proof a
commitment may replace — each area publishes its own lists. The demo hall's lists are a catalog
version of its own (the built-in catalog with :data:`DEMO_EXEMPTIONS` marked, version
:data:`DEMO_VERSION`), which the demo's reference platform publishes and the demo terminal
installs, so a clerk can try both in the demo. :func:`seed_commitments` leaves promises kept, kept
late, missed and stopped, overdue and due soon, for the 容缺补交 tab, the reminder and the reports;
:func:`seed_verifications` leaves commitments checked true and false, overdue and pending.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.cases.audit import Actor
from app.cases.demo import (
    CLERKS,
    NEWBORN,
    NEWBORN_ANSWERS,
    SURNAMES,
    SeedClock,
    id_number,
    receive_all,
    value_for,
)
from app.cases.intake import MaterialCheck
from app.cases.kiosk_sessions import KioskSessions
from app.cases.receipts import hall_day
from app.cases.service import CaseService
from app.cases.snapshots import Party
from app.cases.unresolved import Unresolved
from app.catalog.catalog import Catalog
from app.catalog.loader import builtin_catalog_dir
from app.catalog.versions import catalog_files
from app.guide.engine import Planner

DEMO_VERSION = "2026.11.1-demo"
TOLERANT_NOTE = "演示大厅自定的容缺受理清单（示例）：省平台指南未列容缺材料，容缺清单由各地发布"
PLEDGE_NOTE = "演示大厅自定的告知承诺事项清单（示例）：实行告知承诺制的证明事项由各地、各部门公布"
# scenario → material id → the demo hall's own exemption (容缺 with what a missed date leads to;
# 证明事项告知承诺制 with the days the department checks within), and why it is there
DEMO_EXEMPTIONS: Mapping[str, Mapping[str, tuple[Mapping[str, object], str]]] = {
    NEWBORN: {
        "expense_list": ({"tolerable_missing": True, "missed": "stop"}, TOLERANT_NOTE),
        "bank_card_copy": ({"tolerable_missing": True, "missed": "remind"}, TOLERANT_NOTE),
        "marriage_certificate": ({"commitment": True, "verify_days": 10}, PLEDGE_NOTE),
    },
}


def demo_catalog_files(folder: Path | None = None) -> dict[str, str]:
    """The built-in catalog's files with the demo hall's 容缺受理清单 marked and its own version."""
    files = catalog_files(folder or builtin_catalog_dir())
    head = yaml.safe_load(files["_catalog.yaml"])
    old = str(head["version"])
    files["_catalog.yaml"] = files["_catalog.yaml"].replace(
        f'version: "{old}"', f'version: "{DEMO_VERSION}"', 1
    )
    for code, materials in DEMO_EXEMPTIONS.items():
        name = next(n for n in files if n.startswith(f"{code}-") and n.endswith(".overlay.yaml"))
        overlay: dict[str, Any] = yaml.safe_load(files[name])
        for entry in overlay["materials"].values():
            marked = materials.get(str(entry.get("id", "")))
            if marked is None:
                continue
            exemption, note = marked
            entry["exemption"] = {**entry.get("exemption", {}), **exemption}
            entry["local"] = {**entry.get("local", {}), "exemption": note}
        files[name] = yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False, width=100)
    return files


def seed_commitments(
    service: CaseService, catalog: Catalog, clock: SeedClock, *, seed: int = 20261207
) -> dict[str, int]:
    """新生儿出生 cases accepted on commitment over the seeding's past days, then followed
    through at the seeding's day: kept, kept late, missed and stopped (the catalog says so for
    费用清单), missed but only reminded (本人银行卡复印件), overdue, due soon and later."""
    rng = random.Random(seed)
    planner = Planner(catalog)
    today = clock.days_ago(0)
    # (working days before today it was accepted, calendar days from then to its due date, fate)
    plans = (
        (7, 3, "kept"),
        (7, 2, "late"),
        (8, 3, "lapse"),
        (6, 2, "overdue"),
        (6, 3, "overdue_remind"),
        (2, 6, "soon"),
        (1, 12, "later"),
    )
    made: Counter[str] = Counter()
    for n, (ago, days, fate) in enumerate(plans):
        clerk = CLERKS[n % len(CLERKS)]
        person = Party(
            f"{rng.choice(SURNAMES)}{rng.choice('芳娜敏静丽艳娟')}",
            id_number(rng),
            phone=f"137{rng.randrange(10**8):08d}",
            address="长沙市岳麓区桐梓坡路",
        )
        clock.set(clock.days_ago(ago), 3600 * (1 + n % 5))
        accepted_on: date = hall_day(clock())
        answers = {**NEWBORN_ANSWERS, "account": "yes"}  # bank details new: 本人银行卡复印件
        plan = planner.plan(NEWBORN, answers)
        case = service.open_case(
            clerk,
            channel="counter",
            scenario=NEWBORN,
            applicant=person,
            answers=answers,
            form={f.key: value_for(f, person) for f in plan.fields},
        )
        promised = ["bank_card_copy"] if fate == "overdue_remind" else ["expense_list"]
        receive_all(service, clerk, case, but=promised)
        service.accept_on_commitment(
            clerk,
            case.receipt_no,
            materials=promised,
            due_date=accepted_on + timedelta(days=days),
            signed_by=person.name,
        )
        due = accepted_on + timedelta(days=days)
        if fate == "kept":
            clock.set(due - timedelta(days=1) if due - timedelta(days=1) > accepted_on else due)
            service.supplement(clerk, case.receipt_no, promised)
        elif fate == "late":
            clock.set(min(due + timedelta(days=2), today))
            service.supplement(clerk, case.receipt_no, promised, status="received_copy")
        elif fate == "lapse":
            clock.set(today, 600)
            service.lapse(clerk, case.receipt_no)
        made[fate] += 1
    clock.set(today, 8 * 3600)
    return dict(made)


ELDER = Party("赵秀英", "430102195508080023", phone="13707310000", address="长沙市开福区")
AGENT = Party("王建国", "430104196411152016", phone="13907310000")


def seed_assistance(
    service: CaseService,
    catalog: Catalog,
    clock: SeedClock,
    *,
    kiosk: str = "一楼自助机",
    sessions: KioskSessions | None = None,
) -> dict[str, int]:
    """帮办代办 and special groups: an older applicant accompanied, a form filled in for
    another, a case handled by an agent with the authorisation, a pregnant applicant given
    priority — and a fortnight of kiosk sessions, some in 长辈模式."""
    made: Counter[str] = Counter()
    planner = Planner(catalog)
    answers = dict(NEWBORN_ANSWERS)
    fields = planner.plan(NEWBORN, answers).fields
    plans: tuple[tuple[int, Party, Party | None, dict[str, Any]], ...] = (
        (
            4,
            ELDER,
            None,
            {
                "mode": "peitong",
                "helper": "刘洋",
                "minutes": 35,
                "offered": ["priority", "accompany"],
                "note": "老人行动不便，陪同到各窗口",
            },
        ),
        (
            3,
            Party("孙丽", "430104198806060043", phone="13607310000"),
            None,
            {
                "mode": "bangban",
                "helper": "张敏",
                "minutes": 15,
                "groups": ["pregnant"],
                "offered": ["priority"],
            },
        ),
        (
            2,
            Party("陈静", "430104199105050023", phone="13507310000"),
            AGENT,
            {"mode": "daiban", "minutes": 20},
        ),
        (
            1,
            Party("周强", "430104198202020016", phone="13407310000"),
            None,
            {"groups": ["military"], "offered": ["priority"]},
        ),
    )
    for n, (ago, person, agent, record) in enumerate(plans):
        clerk = CLERKS[n % len(CLERKS)]
        clock.set(clock.days_ago(ago), 3600 * (2 + n))
        case = service.open_case(
            clerk,
            channel="counter",
            scenario=NEWBORN,
            applicant=person,
            agent=agent,
            answers=answers,
            form={f.key: value_for(f, person) for f in fields},
        )
        service.assist(clerk, case.receipt_no, **record)
        receive_all(service, clerk, case)
        service.accept(clerk, case.receipt_no)
        made[str(record.get("mode") or "group")] += 1
    if sessions is not None:
        rng = random.Random(20261208)
        for ago in range(10, 0, -1):
            day = clock.days_ago(ago)
            for k in range(rng.randint(3, 8)):
                clock.set(day, 1800 * (k + 1))
                start = clock()
                elderly = rng.random() < 0.3
                sessions.record(
                    kiosk,
                    start,
                    start + timedelta(minutes=rng.randint(2, 15)),
                    elderly=elderly,
                    submitted=rng.random() < 0.4,
                )
                made["kiosk_elderly" if elderly else "kiosk"] += 1
    clock.set(clock.days_ago(0), 8 * 3600)
    return dict(made)


BACK_OFFICE = Actor("刘洋", "backoffice-01", "backoffice")


def seed_verifications(
    service: CaseService, catalog: Catalog, clock: SeedClock, *, seed: int = 20261208
) -> dict[str, int]:
    """新生儿出生 cases whose 结婚证 the parents' commitment replaced (the demo hall's 告知承诺
    list), accepted over the past weeks: one checked and true, one found untrue (its results
    revoked, a credit record), one past its check date and two still within it."""
    rng = random.Random(seed)
    fields = Planner(catalog).plan(NEWBORN, NEWBORN_ANSWERS).fields
    # (working days before today it was accepted, what the department found, days after)
    plans: tuple[tuple[int, str, int], ...] = (
        (14, "true", 6),
        (13, "false", 8),
        (12, "", 0),  # past its 10 working days: overdue on the tab
        (4, "", 0),
        (1, "", 0),
    )
    made: Counter[str] = Counter()
    for n, (ago, outcome, after) in enumerate(plans):
        clerk = CLERKS[n % len(CLERKS)]
        person = Party(
            f"{rng.choice(SURNAMES)}{rng.choice('芳娜敏静丽艳娟')}",
            id_number(rng),
            phone=f"136{rng.randrange(10**8):08d}",
            address="长沙市岳麓区银盆岭街道",
        )
        clock.set(clock.days_ago(ago), 3600 * (2 + n % 4))
        case = service.open_case(
            clerk,
            channel="counter",
            scenario=NEWBORN,
            applicant=person,
            answers=NEWBORN_ANSWERS,
            form={f.key: value_for(f, person) for f in fields},
        )
        pledged = [m.material_id for m in case.materials if m.plan_status == "commitment"]
        if not pledged:  # a catalog without the demo hall's list: nothing to show
            return dict(made)
        receive_all(service, clerk, case, but=pledged)
        service.record_materials(
            clerk, case.receipt_no, [MaterialCheck(m, "committed") for m in pledged]
        )
        service.accept(clerk, case.receipt_no)
        if outcome:
            clock.set(clock.days_ago(ago - after), 3600 * 7)
            service.verify(
                BACK_OFFICE,
                case.receipt_no,
                outcome=outcome,
                checked_on=hall_day(clock()),
                department="长沙市岳麓区民政局",
                note=""
                if outcome == "true"
                else "经婚姻登记信息系统核查，申请人婚姻状况与承诺不符",
                credit_no="" if outcome == "true" else f"CS-XY-2026-{1200 + n:05d}",
            )
        made[outcome or "pending"] += 1
    clock.set(clock.days_ago(0), 8 * 3600)
    return dict(made)


def seed_unresolved(desk: Unresolved, clock: SeedClock) -> dict[str, int]:
    """办不成事 反映 over the past days: answered in time and closed, answered late, one from
    12345 handed on, and two still open past their deadlines (one urgent)."""
    staff = Actor("刘洋", "backoffice-01", "backoffice")
    clerk = CLERKS[0]
    plans: tuple[tuple[int, dict[str, str], tuple[tuple[str, int, dict[str, Any]], ...]], ...] = (
        (
            5,
            {"grade": "urgent", "what": "新生儿落户，派出所要求先回户籍地开具证明，已跑三次",
             "name": "罗丽", "phone": "13607311234", "scenario_code": NEWBORN,
             "scenario_name": "新生儿出生一件事", "department": "公安部门（落户地派出所）"},
            (("assign", 20, {"to": "岳麓区公安分局户政科"}),
             ("call_back", 70, {"reached": True, "note": "户政科已核实，可凭本中心证明直接办理"}),
             ("close", 240, {"outcome": "solved", "note": "次日上午办结落户"})),
        ),
        (
            4,
            {"grade": "ordinary", "what": "退休资格认证在手机上一直失败，窗口让回单位办",
             "name": "赵秀英", "phone": "13707310000", "source": "hotline",
             "order_no": "GD202612030015", "department": "人社部门"},
            (("call_back", 60 * 30, {"reached": True, "note": "已解释人脸认证流程，约到窗口办理"}),
             ("close", 60 * 32, {"outcome": "explained", "note": "窗口现场完成认证"})),
        ),
        (
            3,
            {"grade": "ordinary", "what": "企业开办时银行开户预约不上",
             "name": "陈", "phone": "13507310000", "department": "开户银行"},
            (("call_back", 300, {"reached": False, "note": "两次拨打无人接听，已发短信"}),
             ("close", 600, {"outcome": "referred", "note": "已转开户银行网点跟进"})),
        ),
        (2, {"grade": "ordinary", "what": "残疾人证换领要求重新鉴定，不理解为什么",
             "name": "周", "phone": "13407310000", "department": "残联"}, ()),
        (1, {"grade": "urgent", "what": "医保报销被告知材料不全但说不清缺什么",
             "name": "孙", "phone": "13307310000", "department": "医保部门"}, ()),
    )  # fmt: skip
    made: Counter[str] = Counter()
    for n, (ago, fields, steps) in enumerate(plans):
        clock.set(clock.days_ago(ago), 3600 * (1 + n % 3))
        given = {"source": "window", **fields}
        report = desk.report(clerk, **given)
        for kind, minutes, data in steps:
            clock.set(clock.days_ago(ago), 3600 * (1 + n % 3) + 60 * minutes)
            if kind == "assign":
                desk.assign(staff, report.ref_no, to=data["to"])
            elif kind == "call_back":
                desk.call_back(staff, report.ref_no, reached=data["reached"], note=data["note"])
            else:
                desk.close(staff, report.ref_no, outcome=data["outcome"], note=data["note"])
        made["closed" if steps else "open"] += 1
    clock.set(clock.days_ago(0), 8 * 3600)
    return dict(made)
