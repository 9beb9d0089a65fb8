"""A case as most tests need one: the 新生儿出生 scenario opened for 李芳 with a filled form, its
materials received, accepted — through the real case service, or at the counter's window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.cases import demo
from app.cases.audit import Actor
from app.cases.evaluation import AfterEvaluate
from app.cases.files import FileStore
from app.cases.intake import MaterialCheck
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, Party
from app.catalog.catalog import Catalog
from app.db.engine import Database
from app.guide.engine import Planner
from app.guide.plan import PlanField
from tests.helpers.clock import WallClock

if TYPE_CHECKING:
    from counter.session import Session

NEWBORN = demo.NEWBORN
ANSWERS = demo.NEWBORN_ANSWERS
MOTHER = Party("李芳", "43010419920315204X", phone="13800138000", address="长沙市岳麓区")
CLERK = Actor("clerk-zhang", "counter-01", "clerk")
MANAGER = Actor("manager-wang", "counter-01", "manager")
SAMPLE = {
    "text": "测试",
    "phone": "13800138000",
    "id_number": "11010519491231002X",
    "uscc": "91350100M000100Y43",
    "bank_account": "6222021234567890128",
    "date": "2026-11-01",
    "number": "1",
}


def sample_value(field: PlanField) -> str:
    if field.type == "enum":
        return field.options[0]
    return SAMPLE.get(field.type, "测试")


def filled_form(catalog: Catalog, code: str, answers: dict[str, str]) -> dict[str, str]:
    plan = Planner(catalog).plan(code, answers)
    return {f.key: f.value or sample_value(f) for f in plan.fields}


def make_service(
    db: Database,
    catalog: Catalog,
    tmp_path: Path,
    clock: WallClock,
    *,
    after_evaluate: AfterEvaluate | None = None,
) -> CaseService:
    """A case service on ``db``, with a listener as the composition root passes it."""
    return CaseService(
        db,
        catalog,
        FileStore(tmp_path / "files"),
        hall_code="430100001",
        clock=clock,
        after_evaluate=after_evaluate,
    )


def open_newborn(
    service: CaseService,
    catalog: Catalog,
    *,
    channel: str = "counter",
    answers: dict[str, str] | None = None,
    applicant: Party = MOTHER,
    agent: Party | None = None,
) -> CaseView:
    answers = answers or ANSWERS
    return service.open_case(
        CLERK,
        channel=channel,
        scenario=NEWBORN,
        applicant=applicant,
        agent=agent,
        answers=answers,
        form=filled_form(catalog, NEWBORN, answers),
    )


def receive_all(service: CaseService, case: CaseView, *, skip: tuple[str, ...] = ()) -> CaseView:
    """Every material still missing received as an original, reviewed, in one change — but those
    in ``skip``."""
    checks = [
        MaterialCheck(m.material_id, "received_original", ("清晰无涂改",))
        for m in case.materials
        if m.status == "missing" and m.material_id not in skip
    ]
    return service.record_materials(CLERK, case.receipt_no, checks) if checks else case


def accepted(service: CaseService, catalog: Catalog) -> CaseView:
    """A 新生儿出生 case with every material received, accepted by :data:`CLERK`."""
    case = receive_all(service, open_newborn(service, catalog))
    return service.accept(CLERK, case.receipt_no)


def accepted_at_window(session: Session) -> CaseView:
    """The case in hand at the counter, every material received, accepted."""
    session.in_hand.receive_all()
    return session.in_hand.accept()
