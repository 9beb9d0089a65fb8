"""The demo hall's examples of the ways a hall serves people beyond "a citizen comes, a clerk
accepts" (issue 25), made through the real services after :func:`app.cases.demo.seed_cases`.

容缺受理: no guide the province publishes names a tolerable material — a hall publishes its own
容缺受理清单. The demo hall's list is a catalog version of its own (the built-in catalog with
:data:`DEMO_TOLERANT` marked, version :data:`DEMO_VERSION`), which the demo's reference platform
publishes and the demo terminal installs, so a clerk can try 容缺受理 in the demo; and
:func:`seed_commitments` leaves promises kept, kept late, missed and stopped, overdue and due
soon, for the 容缺补交 tab, the reminder and the reports.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.cases.demo import (
    CLERKS,
    NEWBORN,
    NEWBORN_ANSWERS,
    SURNAMES,
    SeedClock,
    id_number,
    value_for,
)
from app.cases.intake import MaterialCheck
from app.cases.receipts import hall_day
from app.cases.service import CaseService
from app.cases.snapshots import Party
from app.catalog.catalog import Catalog
from app.catalog.loader import builtin_catalog_dir
from app.catalog.versions import catalog_files
from app.guide.engine import Planner

DEMO_VERSION = "2026.11.1-demo"
# scenario → material id → what a missed date leads to (exemption.missed)
DEMO_TOLERANT: Mapping[str, Mapping[str, str]] = {
    NEWBORN: {"expense_list": "stop", "bank_card_copy": "remind"},
}
DEMO_NOTE = "演示大厅自定的容缺受理清单（示例）：省平台指南未列容缺材料，容缺清单由各地发布"


def demo_catalog_files(folder: Path | None = None) -> dict[str, str]:
    """The built-in catalog's files with the demo hall's 容缺受理清单 marked and its own version."""
    files = catalog_files(folder or builtin_catalog_dir())
    head = yaml.safe_load(files["_catalog.yaml"])
    old = str(head["version"])
    files["_catalog.yaml"] = files["_catalog.yaml"].replace(
        f'version: "{old}"', f'version: "{DEMO_VERSION}"', 1
    )
    for code, materials in DEMO_TOLERANT.items():
        name = next(n for n in files if n.startswith(f"{code}-") and n.endswith(".overlay.yaml"))
        overlay: dict[str, Any] = yaml.safe_load(files[name])
        for entry in overlay["materials"].values():
            missed = materials.get(str(entry.get("id", "")))
            if missed is None:
                continue
            entry["exemption"] = {
                **entry.get("exemption", {}),
                "tolerable_missing": True,
                "missed": missed,
            }
            entry["local"] = {**entry.get("local", {}), "exemption": DEMO_NOTE}
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
        service.record_materials(
            clerk,
            case.receipt_no,
            [
                MaterialCheck(m.material_id, "received_original", ("清晰无涂改",))
                for m in case.materials
                if m.status == "missing" and m.material_id not in promised
            ],
        )
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
