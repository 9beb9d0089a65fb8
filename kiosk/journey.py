"""A citizen's own way through a scenario at the kiosk (GB/T 45836 §7.2.4): one question per
screen, the personalised list of what to bring (一次告知), and the pre-application with the one
form and the captured pages (一表申请).

:class:`Journey` is the presenter without Qt. It keeps the case in hand shared with the counter
(:class:`app.cases.in_hand.CaseInHand`, channel "kiosk") and adds what a touch screen needs: where
the citizen is in the questionnaire, the pages taken per material, and the words a person
without a clerk beside them understands. Nothing is saved until the citizen submits; then the
pre-application is saved whole with its pages (or not at all). :meth:`wipe` forgets everything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from app.cases.in_hand import CaseInHand
from app.cases.intake import NewScan
from app.cases.pages import pages_to_pdf, quality_record, scan_name
from app.cases.snapshots import CaseView
from app.catalog.catalog import Catalog
from app.catalog.models import LifeStage, Scenario
from app.devices.protocols import Page
from app.errors import InvalidInput, describe
from app.guide.form import check_form
from app.guide.places import HALL_ROLE, ServicePoint, where_to_go
from app.guide.plan import FORM_LABELS, Plan, PlanField, PlanMaterial, QuestionView
from app.guide.promise import PromisedTime
from app.guide.search import Found

log = logging.getLogger(__name__)

PERSONAL_STAGES: tuple[LifeStage, ...] = (
    "出生", "教育", "就业", "生活", "置业", "出行", "就医", "救助", "养老", "身后",
)  # fmt: skip
ENTERPRISE_STAGES: tuple[LifeStage, ...] = (
    "准入准营",
    "招聘用工",
    "纳税缴费",
    "经营发展",
    "工程建设",
    "注销退出",
)
AUDIENCES = {"personal": ("个人", PERSONAL_STAGES), "enterprise": ("企业", ENTERPRISE_STAGES)}


def plain_status(material: PlanMaterial) -> str:
    """What a citizen reads beside a material: 需提交原件 / 免提交：… / 可告知承诺 / 容缺."""
    if material.status == "submit" and material.thing:
        return f"需带来{material.need_words}"
    if material.status == "submit":
        hint = f"（{material.reason}）" if material.reason else ""
        if material.per:  # one for each employee, child…
            return f"需提交：{material.need_words}{hint}"
        form = FORM_LABELS.get(material.form, "原件")
        copies = f" {material.copies} 份" if material.copies > 1 else ""
        return f"需提交{form}{copies}{hint}"
    words = {
        "produced": f"免提交：{material.reason}，自动获取",
        "e_licence": "免提交：电子证照核验",
        "generated": "免提交：根据申请表自动生成，签字确认即可",
        "commitment": "可告知承诺：签署承诺书即可代替",
        "tolerable": "容缺：可先受理，之后补交",
        "optional": "可选：非必要材料，可以提供，不交不影响受理",
    }
    return words[material.status]


# The list's QR code when no paper comes out: a phone must read it at a glance from a screen, so
# it carries the essentials and a link, never the whole list (1,500 bytes make a QR of version 30
# that phones struggle with; 300 bytes stay at version 13 or below).
QR_BYTES = 300


_WHAT_TO_DO = {
    "清单": "请用手机扫描屏幕上的二维码带走清单，或请工作人员帮忙。",
    "凭条": "请用手机拍下屏幕上的二维码，到综合窗口出示；也可以只报预申请号，或请工作人员帮忙。",
}


def printer_words(exc: BaseException, paper: Literal["清单", "凭条"]) -> str:
    """What a citizen reads when ``paper`` did not come out: what to do now. The printer's own
    words (its address, the driver's error, how to fix it) are for staff: logged, and shown on
    the staff screen's device status."""
    text, unexpected = describe(exc)
    log.warning("kiosk %s not printed: %s", paper, text, exc_info=exc if unexpected else None)
    return f"{paper}没有打印出来（打印机暂时不能用）。{_WHAT_TO_DO[paper]}"


@dataclass(frozen=True)
class Where:
    """Where to go, in order (this hall's window first), whom to call, and the promise."""

    places: tuple[ServicePoint, ...]
    phone: str
    promise: PromisedTime


@dataclass
class Journey:
    in_hand: CaseInHand
    hall_phone: str
    hall_place: str
    hall: ServicePoint | None = None  # this hall's window with its address and hours (settings)
    guide_url: str = ""  # the page a phone opens for a scenario ("{code}"), see [kiosk] guide_url
    position: int = 0  # the question on screen, in the order of the questions that apply
    pages: dict[str, list[Page]] = field(default_factory=dict)  # material id → pages taken

    @property
    def catalog(self) -> Catalog:
        return self.in_hand.catalog

    # -- finding a scenario ---------------------------------------------------------------------
    def tiles(self, audience: str) -> list[tuple[LifeStage, list[Scenario]]]:
        """The life stages of ``audience`` ("personal" / "enterprise") that have a scenario."""
        stages = AUDIENCES[audience][1]
        scenarios = [s for s in self.catalog.scenarios.values() if s.audience == audience]
        return [
            (stage, [s for s in scenarios if s.life_stage == stage])
            for stage in stages
            if any(s.life_stage == stage for s in scenarios)
        ]

    def find(self, text: str) -> list[Found]:
        return self.in_hand.find(text) if text.strip() else []

    def choose(self, code: str) -> Scenario:
        self.position = 0
        self.pages = {}
        return self.in_hand.choose(code)

    # -- one question per screen ----------------------------------------------------------------
    def _applying(self) -> tuple[QuestionView, ...]:
        return self.in_hand.questions().questions

    def question(self) -> QuestionView | None:
        """The question on screen, or None when every question is answered."""
        questions = self._applying()
        return questions[self.position] if self.position < len(questions) else None

    def progress(self) -> tuple[int, int]:
        """(this question's number, how many apply now) — the count may change with answers."""
        total = len(self._applying())
        return min(self.position + 1, total), total

    def source_words(self, question: QuestionView) -> str:
        """Where a filled-in answer came from, in words for the citizen ("" when they chose)."""
        if question.status != "auto":
            return ""
        return f"已为您选好（来源：{question.source or '共享数据'}）。如不对，请点选正确的答案。"

    def answer(self, value: str | list[str]) -> QuestionView | None:
        """Answer the question on screen (or confirm the filled-in one) and go to the next."""
        current = self.question()
        if current is None:
            return None
        state = self.in_hand.answer(current.id, value)
        ids = [q.id for q in state.questions]
        self.position = ids.index(current.id) + 1 if current.id in ids else self.position
        return self.question()

    def back(self) -> QuestionView | None:
        self.position = max(0, self.position - 1)
        return self.question()

    def restart(self) -> QuestionView | None:
        """重新开始: the answers the citizen gave are forgotten; facts from the card stay."""
        self.in_hand.answers = {}
        self.in_hand.items = None
        self.position = 0
        return self.question()

    def blocked(self) -> str:
        """Why the scenario cannot go on with these answers, with the advice ("" when it can)."""
        state = self.in_hand.questions()
        return "；".join(f"{b.reason}{b.advice}" for b in state.blocked)

    # -- what you need (一次告知) ---------------------------------------------------------------
    def plan(self) -> Plan:
        return self.in_hand.plan()

    def leave_out(self, item_id: str, leave: bool) -> Plan:
        """The citizen leaves an item out (or takes it back); dependencies stay, explained."""
        chosen = [i.id for i in self.plan().items if i.chosen != "dependency"]
        if leave:
            chosen = [i for i in chosen if i != item_id]
        elif item_id not in chosen:
            chosen.append(item_id)
        return self.in_hand.choose_items(chosen)

    def where(self, plan: Plan | None = None) -> Where:
        """``plan``: the one already computed for this screen (else computed here)."""
        scenario = self.in_hand.scenario
        hall = self.hall or ServicePoint(self.hall_place, phone=self.hall_phone, role=HALL_ROLE)
        consult = "、".join(scenario.guide.contacts.consult) if scenario else ""
        return Where(
            where_to_go(scenario, hall),
            hall.phone or consult or self.hall_phone,
            (plan or self.plan()).promise,
        )

    def link(self) -> str:
        """The page a phone opens for this scenario ("" when the hall and the guide give none)."""
        scenario = self.in_hand.scenario
        if scenario is None:
            return ""
        if self.guide_url:
            return self.guide_url.replace("{code}", scenario.code)
        return scenario.guide.online_url

    def phone_text(self, limit: int = QR_BYTES) -> str:
        """The list's essentials for a QR code a phone reads (at most ``limit`` UTF-8 bytes):
        what to bring, the first place to go, the phone, the promise and the guide's link."""
        plan = self.plan()
        where = self.where(plan)
        first = where.places[0]
        bring = [m.name for m in plan.materials if m.to_submit]
        tail = [f"去：{first.name}", f"电话：{where.phone}", where.promise.words, self.link()]
        tail = [line for line in tail if line]

        def text(shown: int) -> str:
            names = "；".join(f"{n}.{name}" for n, name in enumerate(bring[:shown], 1))
            more = f" 等{len(bring)}项" if shown < len(bring) else ""
            return "\n".join([plan.scenario_name, f"须带材料{len(bring)}项：{names}{more}", *tail])

        shown = len(bring)
        while shown > 0 and len(text(shown).encode("utf-8")) > limit:
            shown -= 1
        found = text(shown)
        if len(found.encode("utf-8")) > limit:  # a long link or place name: the essentials only
            found = "\n".join([plan.scenario_name, *tail])
        return found.encode("utf-8")[:limit].decode("utf-8", "ignore")

    # -- pre-application (一表申请) -------------------------------------------------------------
    def fields(self) -> tuple[PlanField, ...]:
        return self.plan().fields

    def value_of(self, spec: PlanField) -> str:
        return self.in_hand.form.get(spec.key, spec.value or "")

    def set_field(self, key: str, value: str) -> str:
        """Check one value as typed; the message to show beside it ("" when right)."""
        return self.in_hand.set_field(key, value)

    def form_problems(self) -> dict[str, str]:
        """Per field key, what is wrong with a required field left empty or a wrong value
        (empty: ready to submit)."""
        in_hand = self.in_hand
        _, problems = check_form(self.fields(), in_hand.form_values(), today=in_hand.today())
        return problems

    def to_capture(self) -> list[PlanMaterial]:
        """The materials the citizen hands in: those to photograph at the kiosk (a seal or a card
        is handed over at the window as it is, not photographed)."""
        return [m for m in self.plan().materials if m.to_submit and not m.thing]

    def add_page(self, material_id: str, page: Page) -> int:
        self.pages.setdefault(material_id, []).append(page)
        return len(self.pages[material_id])

    def retake(self, material_id: str, index: int, page: Page) -> None:
        self.pages[material_id][index] = page

    def drop_page(self, material_id: str, index: int) -> None:
        del self.pages[material_id][index]

    def page_count(self) -> int:
        return sum(len(p) for p in self.pages.values())

    def scans(self) -> list[NewScan]:
        """One PDF per material with pages, in the order of the list."""
        names = {m.id: m.name for m in self.plan().materials}
        return [
            NewScan(
                material,
                pages_to_pdf([p.png for p in pages]),
                scan_name(names[material], 0),
                pages=len(pages),
                quality=quality_record(pages),
            )
            for material, pages in self.pages.items()
            if pages and material in names
        ]

    def submit(self) -> CaseView:
        """Save the pre-application with its pages in one go (queued for the platform)."""
        if self.in_hand.applicant is None:
            raise InvalidInput(
                "预申请需要先读取身份证或输入证件号码。",
                hint="请在读卡区放上身份证，或点“输入证件号码”。",
            )
        problems = self.form_problems()
        if problems:
            raise InvalidInput(next(iter(problems.values())), hint="请返回申请表补充后再提交。")
        return self.in_hand.open(self.scans())

    def unsent(self) -> bool:
        """A pre-application under way: typed into the form or pages taken, not yet submitted."""
        return self.in_hand.case is None and (bool(self.in_hand.form) or self.page_count() > 0)

    # -- the end of a session -------------------------------------------------------------------
    def wipe(self) -> None:
        """Forget the citizen: what is in hand (card, answers, form, case), the pages, the place."""
        self.in_hand.reset()
        for pages in self.pages.values():
            pages.clear()
        self.pages = {}
        self.position = 0
