"""One applicant's case in hand, from "who are you" to the decision (GB/T 45836 §7.2–7.4).

:class:`CaseInHand` is the presenter without Qt that the counter's screens and the kiosk's share:
the screens show its state and forward what the clerk or the citizen does; every rule lives in
the core services it calls. It holds one applicant at a time and forgets everything on
:meth:`reset` (the next person in the queue, or the kiosk's next citizen). A counter's case starts
as a draft; a kiosk's is saved once, as a whole pre-application, when the citizen submits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.cases.applicant import (
    FROM_CARD,
    PERSON_FIELDS,
    Applicant,
    CardChange,
    card_changes,
    record_fields,
    record_values,
)
from app.cases.audit import Actor
from app.cases.intake import MaterialCheck, NewScan
from app.cases.receipts import hall_day
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, Party
from app.catalog.catalog import Catalog
from app.catalog.models import Scenario
from app.db.base import utcnow
from app.errors import InvalidIdNumber, InvalidInput
from app.guide.engine import Planner
from app.guide.facts import E_LICENCE_NUMBERS_FACT, E_LICENCES_FACT
from app.guide.form import FieldRule, check_value
from app.guide.plan import Plan, QuestionState
from app.guide.search import Found, search
from app.identity.card import IdCardData, facts_from_card
from app.identity.resident_id import (
    checked_number,
    is_foreign_permanent_2017,
    is_valid_resident_id,
    normalise,
    parse_resident_id,
)
from app.identity.uscc import parse_credit_code

SharedData = Callable[[str], tuple[dict[str, Any], str]]  # id number → (facts, source)


@dataclass(frozen=True)
class Licence:
    """An e-licence (电子证照) of the applicant, as the platform's licence library verified it."""

    kind: str  # the type: 居民户口簿
    number: str
    issuer: str

    @property
    def words(self) -> str:
        return "，".join(p for p in (self.number, self.issuer) if p)


# (id number, licence type) → the licence, or None when the library has none of that type
LicenceLookup = Callable[[str, str], Licence | None]


@dataclass(frozen=True)
class LicenceLook:
    """What checking the applicant's e-licences found: verified, not in the library, and the
    types that could not be checked now (the platform unreachable)."""

    found: tuple[Licence, ...] = ()
    missing: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    id_number: str = ""  # whose

    @property
    def words(self) -> str:
        """For the clerk: what is spared and what to collect on paper."""
        parts = []
        if self.found:
            named = "、".join(f"{f.kind}（{f.number}）" if f.number else f.kind for f in self.found)
            parts.append(f"已核验电子证照：{named}，相应材料免提交")
        if self.missing:
            parts.append(f"电子证照库没有：{'、'.join(self.missing)}，请收取纸质材料")
        if self.unchecked:
            parts.append(f"暂时无法核验：{'、'.join(self.unchecked)}（平台未连接）")
        return "；".join(parts)


QrCheck = Callable[[str], tuple[str, str]]  # scanned text → (receipt number, why not: "" if ours)
# A receipt number → its case: from this database, or a kiosk's pre-application fetched from the
# platform when the kiosk keeps its own database (sync.pickup.fetch_pre_application).
PickUp = Callable[[str], CaseView]


class CaseInHand:
    def __init__(
        self,
        cases: CaseService,
        catalog: Catalog,
        actor: Actor,
        *,
        hall_province: str,
        check_qr: QrCheck,
        shared: SharedData | None = None,
        licences: LicenceLookup | None = None,
        today: Callable[[], date] = lambda: hall_day(utcnow()),
        channel: str = "counter",
        pick_up: PickUp | None = None,
    ) -> None:
        self.cases = cases
        self.channel = channel
        self.catalog = catalog
        self.planner = Planner(catalog)
        self.actor = actor
        self.hall_province = hall_province
        self.check_qr = check_qr
        self.shared = shared
        self.licences = licences
        self.pick_up = pick_up or cases.get
        self.today = today
        self.reset()

    def use_catalog(self, catalog: Catalog) -> None:
        """A newer catalog (pulled from the platform) for the next applicant."""
        self.catalog = catalog
        self.planner = Planner(catalog)

    def reset(self) -> None:
        """The next applicant: nothing of this one is kept."""
        self.applicant: Applicant | None = None
        self.agent: Party | None = None
        self.scenario: Scenario | None = None
        self.answers: dict[str, Any] = {}
        self.items: list[str] | None = None
        self.form: dict[str, str] = {}
        self.case: CaseView | None = None
        self.notes: list[str] = []  # what the clerk should know (shared data unreachable …)
        self.pending: dict[str, CardChange] = {}  # card values typed over, not confirmed yet
        self.corrections: list[dict[str, str]] = []  # confirmed, for the audit trail
        # (id number, e-licence type) → what the library said: each asked once per person
        self.checked: dict[tuple[str, str], Licence | None] = {}

    # -- 2. who is it -----------------------------------------------------------------------------
    def read_card(self, card: IdCardData) -> Applicant:
        today = self.today()
        if not card.is_valid_on(today):
            self.notes.append("身份证已过有效期，请核对其他有效证件。")
        party = Party(card.name, card.id_number, phone="", address=card.address)
        facts = facts_from_card(card, today=today, hall_province=self.hall_province)
        self.applicant = Applicant(party, card, facts, ["身份证读卡"])
        self._add_shared(card.id_number)
        return self.applicant

    def type_id(
        self, name: str, id_number: str, *, phone: str = "", address: str = ""
    ) -> Applicant:
        """An applicant typed by hand (no reader, or a card that does not read)."""
        if not name.strip():
            raise InvalidInput("请输入申请人姓名。")
        number = checked_number(id_number, self.today())
        party = Party(name.strip(), number, phone=phone.strip(), address=address.strip())
        self.applicant = Applicant(party, None, {}, ["手工输入"])
        self._add_shared(number)
        return self.applicant

    def type_enterprise(
        self, name: str, credit_code: str, *, phone: str = "", address: str = ""
    ) -> Applicant:
        """An enterprise applicant by its unified social credit code (GB 32100)."""
        if not name.strip():
            raise InvalidInput("请输入企业名称（与营业执照一致）。")
        code = parse_credit_code(credit_code).code
        party = Party(name.strip(), code, "enterprise", phone.strip(), address.strip())
        self.applicant = Applicant(party, None, {}, ["手工输入（营业执照）"])
        return self.applicant

    def id_hint(self, text: str) -> tuple[str, bool]:
        """Live check of an ID number as it is typed: what it says (birth date, sex, region) or
        what is wrong; ``True`` when valid. A partial number gets a neutral count."""
        number = normalise(text)
        if not number:
            return "", False
        if is_foreign_permanent_2017(number):
            return f"外国人永久居留身份证（2017 年版）号码，国籍 {number[:3]}", True
        if len(number) < 18 and number.isascii() and number.isdigit():
            return f"已输入 {len(number)} 位，共 18 位。", False
        try:
            parsed = parse_resident_id(number, today=self.today())
        except InvalidIdNumber as exc:  # its message names the wrong part
            return str(exc), False
        region = parsed.region.full_name(parsed.birth_date.year) if parsed.region else ""
        return f"{parsed.birth_date:%Y-%m-%d} 出生，{parsed.sex}，{region}", True

    def set_contact(self, *, phone: str = "", address: str = "") -> None:
        if self.applicant is None:
            raise InvalidInput("请先读取或输入申请人身份证件。")
        party = self.applicant.party
        self.applicant.party = Party(
            party.name,
            party.id_number,
            party.kind,
            phone.strip() or party.phone,
            address.strip() or party.address,
        )

    # -- the applicant's one record ---------------------------------------------------------------
    def _record_fields(self) -> dict[str, tuple[str, str]]:
        return record_fields(self.applicant.party.kind if self.applicant else "person")

    def record_values(self) -> dict[str, str]:
        """The form values that come from the applicant's (and the agent's) record."""
        return record_values(self.applicant, self.agent)

    def card_changes(self, edited: Mapping[str, str]) -> list[CardChange]:
        """Values read from the card that differ in ``edited`` (form key or step-1 attribute →
        text): each needs the clerk's confirmation (:meth:`confirm`) or goes back (:meth:`keep`)."""
        return card_changes(self.applicant, edited)

    def from_card(self, key: str) -> bool:
        """The form field ``key`` shows what the ID card on the reader said."""
        applicant = self.applicant
        return (
            applicant is not None
            and applicant.card is not None
            and PERSON_FIELDS.get(key, "") in FROM_CARD
        )

    def confirm(self, change: CardChange) -> None:
        """The clerk confirmed that the card's value is wrong (or the person's is another):
        the record changes and the change goes into the case's audit trail when it is saved."""
        if self.applicant is None:
            raise InvalidInput("请先读取或输入申请人身份证件。")
        attr = PERSON_FIELDS.get(change.key, change.key)
        typed = change.typed
        if attr == "id_number":
            typed = checked_number(typed, self.today())
        elif not typed:
            raise InvalidInput("请输入申请人姓名。")
        self.applicant.party = replace(self.applicant.party, **{attr: typed})
        self.pending.pop(change.key, None)
        self.corrections.append(
            {
                "field": change.label,
                "from": change.card,
                "to": typed,
                "confirmed_by": self.actor.name,
            }
        )

    def keep(self, change: CardChange) -> str:
        """The card's value stays; returns it (to put back where it was typed over)."""
        self.pending.pop(change.key, None)
        return change.card

    def _set_record(self, key: str, value: str) -> bool:
        """A record field typed in the form: into the record (True), or held for confirmation
        when it changes what the card said."""
        whose, attr = self._record_fields()[key]
        if whose == "agent":
            if self.agent is not None:
                self.agent = replace(self.agent, **{attr: value})
            return True
        if self.applicant is None:
            return True
        changes = self.card_changes({key: value}) if key in PERSON_FIELDS else []
        if changes:
            self.pending[key] = changes[0]
            return False
        self.pending.pop(key, None)
        self.applicant.party = replace(self.applicant.party, **{attr: value})
        return True

    def set_agent(
        self,
        card: IdCardData | None = None,
        *,
        name: str = "",
        id_number: str = "",
        phone: str = "",
    ) -> Party:
        """代办人: read from their card or typed."""
        if card is not None:
            self.agent = Party(card.name, card.id_number, phone=phone)
        else:
            if not name.strip():
                raise InvalidInput("请输入代办人姓名。", hint="没有代办人时请取消勾选“代办人”。")
            number = checked_number(id_number, self.today())
            self.agent = Party(name.strip(), number, phone=phone.strip())
        return self.agent

    def _add_shared(self, id_number: str) -> None:
        if self.shared is None or self.applicant is None:
            return
        try:
            facts, source = self.shared(id_number)
        except Exception:  # the platform is down: the clerk asks instead of the data answering
            self.notes.append("暂时无法获取共享数据，相关问题请询问申请人。")
            return
        if facts:
            self.applicant.facts.update(facts)
            self.applicant.sources.append(source)

    def check_licences(self) -> LicenceLook:
        """:meth:`look_up_licences` and :meth:`use_licences` in one go (one thread)."""
        look = self.look_up_licences()
        self.use_licences(look)
        return look

    def look_up_licences(self) -> LicenceLook:
        """The applicant's e-licences the chosen scenario's materials may be spared by, asked
        of the platform's licence library — each type once per applicant. Changes nothing here:
        a worker runs it, and the GUI thread then hands the result to :meth:`use_licences`."""
        if self.licences is None or self.applicant is None or self.scenario is None:
            return LicenceLook()
        if self.applicant.party.kind != "person":
            return LicenceLook()
        number = self.applicant.party.id_number
        kinds = list(
            dict.fromkeys(
                m.exemption.e_licence for m in self.scenario.materials if m.exemption.e_licence
            )
        )
        answered = {k: self.checked[number, k] for k in kinds if (number, k) in self.checked}
        unchecked: list[str] = []
        for kind in kinds:
            if kind in answered:
                continue
            try:
                answered[kind] = self.licences(number, kind)
            except Exception:  # the platform is down: paper instead, said to the clerk
                unchecked.append(kind)
        found = tuple(licence for k in kinds if (licence := answered.get(k)) is not None)
        missing = tuple(k for k in kinds if k in answered and answered[k] is None)
        return LicenceLook(found, missing, tuple(unchecked), number)

    def use_licences(self, look: LicenceLook) -> None:
        """What the library said, remembered for this applicant; the verified licences become
        facts the plan reads (their materials exempt, the reason naming number and issuer)."""
        if self.applicant is None or look.id_number != self.applicant.party.id_number:
            return  # another applicant by now: not theirs
        for licence in look.found:
            self.checked[look.id_number, licence.kind] = licence
        for kind in look.missing:
            self.checked[look.id_number, kind] = None
        facts = self.applicant.facts
        kinds = [f.kind for f in look.found]
        facts[E_LICENCES_FACT] = list(dict.fromkeys([*facts.get(E_LICENCES_FACT, []), *kinds]))
        facts[E_LICENCE_NUMBERS_FACT] = {
            **facts.get(E_LICENCE_NUMBERS_FACT, {}),
            **{f.kind: f.words for f in look.found},
        }

    def scanned_id(self, text: str) -> str:
        """An ID QR (an electronic ID's number, or a code that is just the number): the number,
        or "" when the text is something else."""
        number = normalise(text.strip())
        return number if is_valid_resident_id(number) else ""

    def scan(self, text: str) -> CaseView:
        """A QR code: a pre-application ticket from the kiosk (the case opens, filled in) or a
        receipt (the case is shown). A code that is not ours or is forged is refused."""
        receipt_no, why_not = self.check_qr(text)
        if why_not:
            raise InvalidInput(why_not, hint="请让申请人出示本厅打印的凭条，或按身份证号查找。")
        case = self.pick_up(receipt_no)
        if case.state == "pre_application":  # picked up here: it becomes the case in hand
            self.reset()
            self.case = case
            self._load(case, "自助终端预申请")
        return case

    def resume(self, receipt_no: str) -> CaseView:
        """A draft left when the app was closed or killed, taken up where it stopped."""
        self.reset()
        case = self.cases.get(receipt_no)
        if case.state not in ("draft", "pre_application"):
            raise InvalidInput(f"办件 {receipt_no} 已经{case.state_label}，不能继续录入。")
        self.case = case
        self._load(case, "未完成的办件")
        return case

    def _load(self, case: CaseView, source: str) -> None:
        self.applicant = Applicant(case.applicant, None, {}, [source])
        self.agent = case.agent
        self.scenario = self.catalog.scenarios.get(case.scenario_code)
        self.answers = dict(case.answers)
        self.items = list(case.chosen_items)
        self.form = dict(case.form_data)

    # -- 3.–6. scenario, questions, items, form ---------------------------------------------------
    def find(self, query: str) -> list[Found]:
        return search(self.catalog, query)

    def choose(self, code: str) -> Scenario:
        self.scenario = self.catalog.scenario(code)
        self.answers, self.items, self.form = {}, None, {}
        return self.scenario

    @property
    def facts(self) -> dict[str, Any]:
        facts = dict(self.applicant.facts) if self.applicant else {}
        facts["hall.province"] = self.hall_province
        return facts

    def questions(self) -> QuestionState:
        return self.planner.questions(self._code(), self.answers, self.facts)

    def answer(self, question: str, value: Any) -> QuestionState:
        """Answer (or override an auto answer); answers that no longer apply are dropped."""
        answers = {**self.answers, question: value}
        state = self.planner.questions(self._code(), answers, self.facts)  # refuses a bad value
        self.answers = {
            k: v for k, v in answers.items() if k not in {d.question for d in state.dropped}
        }
        return state

    def plan(self) -> Plan:
        return self.planner.plan(self._code(), self.answers, self.facts, self.items)

    def choose_items(self, items: Sequence[str]) -> Plan:
        self.items = list(items)
        return self.plan()

    def set_field(self, key: str, value: str) -> str:
        """Check one value as typed; returns the message to show beside it ("" when right)."""
        spec = next((f for f in self.plan().fields if f.key == key), None)
        if spec is None:
            raise InvalidInput(f"申请表中没有“{key}”。")
        self.form[key] = value
        try:
            self.form[key] = check_value(FieldRule.of(spec), value, today=self.today())
        except InvalidInput as exc:
            return str(exc)
        if key in self._record_fields() and self.form[key]:
            self._set_record(key, self.form[key])
        return ""

    def form_values(self) -> dict[str, str]:
        """The form as it will be saved: prefilled values, then what the clerk typed."""
        fields = self.plan().fields
        prefilled = {f.key: f.value for f in fields if f.value}
        record = self.record_values()
        shown = {f.key: record[f.key] for f in fields if f.key in record}
        return {**prefilled, **self.form, **shown}

    def _code(self) -> str:
        if self.scenario is None:
            raise InvalidInput("请先选择要办理的一件事。")
        return self.scenario.code

    # -- 7.–8. the case: materials and the decision -----------------------------------------------
    def open(self, scans: Sequence[NewScan] = ()) -> CaseView:
        """Save what is known as a draft (a pre-application from a kiosk, with its ``scans``), or
        update the draft or pre-application in hand."""
        if self.applicant is None:
            raise InvalidInput("请先读取或输入申请人身份证件。")
        if self.pending:
            change = next(iter(self.pending.values()))
            raise InvalidInput(f"申请表中的{change.label}与身份证不一致，请先确认是否修改。")
        corrections, self.corrections = self.corrections, []
        try:
            if self.case is not None and self.case.state in ("draft", "pre_application"):
                self.case = self.cases.update(
                    self.actor,
                    self.case.receipt_no,
                    answers=self.answers,
                    facts=self.facts,
                    items=self.items,
                    form=self.form_values(),
                    applicant=self.applicant.party,
                    agent=self.agent,
                    corrections=corrections,
                )
                return self.case
            self.case = self.cases.open_case(
                self.actor,
                channel=self.channel,
                scenario=self._code(),
                applicant=self.applicant.party,
                agent=self.agent,
                answers=self.answers,
                facts=self.facts,
                items=self.items,
                form=self.form_values(),
                scans=scans,
                corrections=corrections,
            )
        except BaseException:
            self.corrections = corrections + self.corrections  # not saved: kept for the next try
            raise
        return self.case

    def receive(self, checks: Sequence[MaterialCheck]) -> CaseView:
        self.case = self.cases.record_materials(self.actor, self._receipt(), checks)
        return self.case

    def receive_all(self, reviewed: Mapping[str, Sequence[str]] | None = None) -> CaseView:
        """Every material still missing received as an original (the clerk's "全部收齐")."""
        case = self.case or self.open()
        checks = [
            MaterialCheck(
                m.material_id, "received_original", tuple((reviewed or {}).get(m.material_id, ()))
            )
            for m in case.materials
            if m.status == "missing"
        ]
        return self.receive(checks) if checks else case

    def accept(self) -> CaseView:
        self.case = self.cases.accept(self.actor, self._receipt())
        return self.case

    def accept_on_commitment(self, materials: Sequence[str], due: date, signed_by: str) -> CaseView:
        self.case = self.cases.accept_on_commitment(
            self.actor, self._receipt(), materials=materials, due_date=due, signed_by=signed_by
        )
        return self.case

    def assist(self, **record: Any) -> CaseView:
        """帮办代办 and special groups for the case in hand (:meth:`Assisting.record`)."""
        self.case = self.cases.assist(self.actor, self._receipt(), **record)
        return self.case

    def not_accept(
        self,
        ground: str,
        reasons: Sequence[str],
        *,
        supplement: Sequence[str] = (),
        office: str = "",
    ) -> CaseView:
        self.case = self.cases.not_accept(
            self.actor,
            self._receipt(),
            ground=ground,
            reasons=reasons,
            supplement=supplement,
            office=office,
        )
        return self.case

    def _receipt(self) -> str:
        if self.case is None:
            raise InvalidInput("还没有保存办件。", hint="请先完成问卷并保存。")
        return self.case.receipt_no
