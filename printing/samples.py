"""Sample cases for every document (``onestop print sample``), made by the real case service on a
throw-away database with a fixed clock, so a sample prints the same bytes every time."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.cases.audit import Actor
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.files import FileStore
from app.cases.intake import MaterialCheck
from app.cases.receipts import YearSerial
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, Party
from app.catalog.catalog import Catalog, load_catalog
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.errors import InvalidInput
from app.guide.engine import Planner
from app.guide.plan import Plan
from app.security.keys import KeyRing
from printing.a4 import Letterhead
from printing.documents import Context, render_case, render_plan
from printing.thermal import ticket_bytes
from printing.tickets import (
    Profile,
    Ticket,
    acceptance_slip,
    material_list,
    pre_application_ticket,
)

ANSWERS = NEWBORN_ANSWERS
MOTHER = Party(
    "李芳", "43010419920315204X", phone="13800138000", address="长沙市岳麓区桐梓坡路 88 号"
)
CLERK = Actor("张敏", "counter-03")
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Changsha


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=3)
        return self.now


@contextmanager
def _service(catalog: Catalog) -> Iterator[CaseService]:
    with tempfile.TemporaryDirectory(prefix="onestop-sample-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'sample.sqlite3'}")
        upgrade(engine)
        try:
            yield CaseService(
                Database(engine),
                catalog,
                FileStore(Path(folder) / "files"),
                hall_code="430100001",
                clock=_Clock(),
            )
        finally:
            engine.dispose()


def _form(catalog: Catalog) -> dict[str, str]:
    fields = Planner(catalog).plan(NEWBORN, ANSWERS).fields
    return {f.key: value_for(f, MOTHER) for f in fields}


def _received(service: CaseService, catalog: Catalog) -> CaseView:
    case = service.open_case(
        CLERK,
        channel="counter",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=_form(catalog),
    )
    return service.record_materials(
        CLERK,
        case.receipt_no,
        [
            MaterialCheck(
                m.material_id, "received_original" if n % 3 else "received_copy", ("清晰无涂改",)
            )
            for n, m in enumerate(case.materials)
            if m.status == "missing"
        ],
    )


def acceptance(service: CaseService, catalog: Catalog) -> CaseView:
    return service.accept(CLERK, _received(service, catalog).receipt_no)


REMINDED = date(2026, 12, 9)  # the sample reminder: two days after the promised date


def commitment(service: CaseService, catalog: Catalog) -> CaseView:
    """The built-in scenarios have no tolerable material, so the sample marks one itself."""
    case = acceptance(service, catalog)
    late = case.materials[-1]
    return replace(
        case.moved("accepted_on_commitment"),
        commitment={
            "materials": [late.material_id],
            "due_date": (date(2026, 12, 7)).isoformat(),
            "signed_by": MOTHER.name,
            "signature_sha256": None,
            "text": "",
        },
        materials=tuple(m.moved("on_commitment") if m is late else m for m in case.materials),
    )


def not_accepted(service: CaseService, catalog: Catalog) -> CaseView:
    case = _received(service, catalog)
    return service.not_accept(
        CLERK,
        case.receipt_no,
        ground="2",
        reasons=["申请人户籍不在本省，新生儿出生一件事应向户籍所在地申请"],
        office="广东省广州市天河区政务服务中心（户籍所在地）",
    )


def supplement(service: CaseService, catalog: Catalog) -> CaseView:
    case = service.open_case(
        CLERK,
        channel="counter",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=_form(catalog),
    )
    missing = [m.material_id for m in case.materials if m.status == "missing"][:3]
    return service.not_accept(
        CLERK,
        case.receipt_no,
        ground="4",
        supplement=missing,
        reasons=["申请材料不齐全，需补正后再申请"],
    )


def delivery(service: CaseService, catalog: Catalog) -> CaseView:
    """Every item approved; the ones whose result is a certificate get a number of their own,
    the others none (a number is never made up for a result that has none)."""
    case = acceptance(service, catalog)
    kinds = {i.id: i.result.kind for i in catalog.scenario(case.scenario_code).items}
    numbered = 0
    while pending := [i for i in case.items if i.state == "dispatched"]:
        for item in pending:
            certificate = kinds.get(item.item_id) in ("certificate", "e_licence")
            numbered += certificate
            case = service.record_item_decision(
                Actor("部门", "platform"),
                case.receipt_no,
                item.item_id,
                approved=True,
                result_name=item.result,
                result_no=f"HN2026{numbered:06d}" if certificate else "",
            )
    return service.deliver(
        CLERK,
        case.receipt_no,
        method="pickup",
        recipient=MOTHER.name,
        recipient_id_number=MOTHER.id_number,
        signature_sha256="0" * 64,
    )


def withdrawal(service: CaseService, catalog: Catalog) -> CaseView:
    case = acceptance(service, catalog)
    return service.withdraw(
        CLERK, case.receipt_no, reason="申请人主动撤回申请", returned_to=MOTHER.name
    )


CASES: dict[str, Callable[[CaseService, Catalog], CaseView]] = {
    "acceptance": acceptance,
    "commitment": commitment,
    "reminder": commitment,
    "not_accepted": not_accepted,
    "supplement": supplement,
    "delivery": delivery,
    "withdrawal": withdrawal,
}


def sample_case(name: str, catalog: Catalog | None = None) -> CaseView:
    return _sample(name, catalog or load_catalog())[0]


def _sample(name: str, catalog: Catalog) -> tuple[CaseView, YearSerial | None]:
    """The sample case and its number in the year (read from its throw-away database)."""
    with _service(catalog) as service:
        case = CASES[name](service, catalog)
        return case, service.serial_in_year(case.receipt_no)


def sample_plan(catalog: Catalog | None = None) -> Plan:
    return Planner(catalog or load_catalog()).plan(NEWBORN, ANSWERS)


TICKET_NAMES = ("ticket_acceptance", "ticket_pre_application", "ticket_material_list")
PDF_NAMES = (*CASES, "plan")
DOCUMENT_NAMES = (*PDF_NAMES, *TICKET_NAMES)


def ticket_for(
    name: str, case: CaseView | None, plan: Plan | None, letterhead: Letterhead, keys: KeyRing
) -> Ticket:
    """A ticket by name, from a case (or, for the material list, a plan); refused when the
    case is not one it can be printed for."""
    if name == "ticket_material_list" and plan is not None:
        return material_list(plan, letterhead.hall, letterhead.phone)
    if case is not None:
        if name == "ticket_acceptance" and case.accepted_at is not None:
            return acceptance_slip(case, letterhead.hall, keys)
        if name == "ticket_pre_application" and case.state == "pre_application":
            return pre_application_ticket(case, letterhead.hall, keys)
        raise InvalidInput(f"办件 {case.receipt_no} 当前为“{case.state_label}”，不能打印 {name}。")
    raise InvalidInput(f"没有凭条“{name}”。", hint=f"可选：{'、'.join(TICKET_NAMES)}。")


def sample_ticket(name: str, letterhead: Letterhead, keys: KeyRing, profile: Profile) -> bytes:
    """The ESC/POS bytes of a sample ticket, as a printer with ``profile`` would get them."""
    catalog = load_catalog()
    case = sample_case("acceptance", catalog)
    if name == "ticket_pre_application":
        case = case.moved("pre_application", channel="kiosk", accepted_at=None)
    return ticket_bytes(ticket_for(name, case, sample_plan(catalog), letterhead, keys), profile)


def sample_pdf(name: str, letterhead: Letterhead, keys: KeyRing) -> bytes:
    """The PDF of document ``name`` for its sample case (``plan``: the kiosk's material list)."""
    catalog = load_catalog()
    scenario = catalog.scenario(NEWBORN)
    if name == "plan":
        return render_plan(sample_plan(catalog), scenario, letterhead, at=START)
    if name not in CASES:
        raise InvalidInput(f"没有样例文书“{name}”。", hint=f"可选：{'、'.join(DOCUMENT_NAMES)}。")
    # (tickets: sample_ticket)
    case, serial = _sample(name, catalog)
    today = REMINDED if name == "reminder" else None
    return render_case(name, Context(case, scenario, letterhead, keys, serial, today))


def throwaway_keys() -> KeyRing:
    """A key made for one sample and forgotten: a sample's QR code never verifies as a receipt."""
    return KeyRing("sample", {"sample": secrets.token_bytes(32)})
