"""What the guide engine returns: the questionnaire's state and the plan. Plain frozen data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from app.catalog.conditions import AnswerValue
from app.guide.promise import PromisedTime
from app.guide.several import Count

QuestionStatus = Literal["pending", "answered", "auto"]
ChosenBecause = Literal["applicant", "dependency", "mandatory"]
MaterialStatus = Literal[
    "produced", "e_licence", "generated", "commitment", "tolerable", "submit", "optional"
]

MATERIAL_STATUS_LABELS: dict[MaterialStatus, str] = {
    "produced": "免提交（由本一件事中其他事项的办理结果内部流转）",
    "e_licence": "免提交（电子证照核验）",
    "generated": "免提交（系统根据申请表自动生成，签字确认即可）",
    "commitment": "可以告知承诺代替",
    "tolerable": "容缺（可先受理，后补交）",
    "submit": "须提交",
    "optional": "可选",  # the reason says why: 指南标为非必要材料…
}
FORM_LABELS = {
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件和复印件",
    "thing": "原物",  # a seal, a card, a licence's original: handed over as it is
}


def quantity_words(form: str, copies: int) -> str:
    """How much of a material: "原件 1 份", "复印件 2 份", "原物 1 件" (a thing, not paper)."""
    unit = "件" if form == "thing" else "份"
    return f"{FORM_LABELS.get(form, form)} {copies} {unit}"


MEDIUM_LABELS = {"paper": "纸质", "electronic": "电子", "paper_or_electronic": "纸质或电子"}


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    stops: bool


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    kind: str
    options: tuple[OptionView, ...]
    help: str
    status: QuestionStatus
    answer: AnswerValue | None
    answer_label: str
    source: str  # for auto answers: where the value came from
    auto_value: AnswerValue | None  # what the facts say, also when the person overrode it


@dataclass(frozen=True)
class DroppedAnswer:
    question: str
    text: str
    value: AnswerValue
    reason: str


@dataclass(frozen=True)
class Block:
    """An answer that ends the application here (``items`` empty), or that one or more items
    cannot be done with (``items``): the rest of the 一件事 goes on without them."""

    question: str
    answer_label: str
    reason: str
    advice: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionState:
    scenario: str
    questions: tuple[QuestionView, ...]
    next: QuestionView | None
    dropped: tuple[DroppedAnswer, ...]
    blocked: tuple[Block, ...]  # the whole 一件事
    answers: dict[str, AnswerValue]  # effective answers, auto ones included
    item_blocks: tuple[Block, ...] = ()  # some items only

    @property
    def complete(self) -> bool:
        return self.next is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "complete": self.complete,
            "eligible": not self.blocked,
            "next": _jsonable(self.next),
            "questions": _jsonable(self.questions),
            "auto_answers": [
                {
                    "question": q.id,
                    "text": q.text,
                    "answer": _jsonable(q.answer),
                    "answer_label": q.answer_label,
                    "source": q.source,
                }
                for q in self.questions
                if q.status == "auto"
            ],
            "dropped": _jsonable(self.dropped),
            "blocked": _jsonable(self.blocked),
            "item_blocks": _jsonable(self.item_blocks),
            "answers": _jsonable(self.answers),
        }


@dataclass(frozen=True)
class PlanItem:
    id: str
    code: str  # 实施编码, or 基本编码 where the guide gives no implementation code
    name: str
    department: str
    promised_days: int
    statutory_days: int | None
    result: str
    needs: tuple[str, ...]
    chosen: ChosenBecause
    reason: str
    stage: int
    calendar_days: int = 0  # waiting periods in calendar days, on top of ``promised_days``
    waits: tuple[str, ...] = ()  # its waiting periods in words (公示期 5 个工作日…)

    @property
    def time_words(self) -> str:
        """ "15 个工作日" / "10 个工作日另加 20 个自然日"."""
        extra = f"另加 {self.calendar_days} 个自然日" if self.calendar_days else ""
        return f"{self.promised_days} 个工作日{extra}"


@dataclass(frozen=True)
class SkippedItem:
    id: str
    name: str
    reason: str


@dataclass(frozen=True)
class Route:
    """A named condition that holds and is told to the applicant: "您适用简易程序"."""

    id: str
    label: str
    text: str


@dataclass(frozen=True)
class ExcludedItem:
    """An item the applicant's situation does not meet the conditions of: left out of the plan,
    with why and what to do first; the rest of the 一件事 goes on."""

    id: str
    name: str
    reason: str
    advice: str


@dataclass(frozen=True)
class PlanMaterial:
    id: str
    name: str
    status: MaterialStatus
    status_label: str
    reason: str
    form: str
    copies: int
    medium: str
    paper_size: str
    items: tuple[str, ...]
    e_licence: str  # a type the clerk may verify to exempt it
    commitment_allowed: bool
    tolerable_missing: bool
    notes: str
    formal_review: tuple[str, ...]
    substantive_review: tuple[str, ...]
    thing: str = ""  # 印章, 卡证…: a thing handed over as it is (form "thing"); "" for a document
    handover: str = ""  # where the thing goes: "由窗口转交开户银行，交回后不退还"
    per: str = ""  # one for each of these (录用职工): ``copies`` is ``each`` times their number
    per_unit: str = ""  # 名, 个
    each: int = 0

    @property
    def need_words(self) -> str:
        """What to bring: "原件 1 份" / "每名录用职工原件 1 份，共 3 份" / "卡证原物 1 件
        （不复印），窗口核验后当场交还"."""
        if self.per:
            each = quantity_words(self.form, self.each)
            unit = "件" if self.form == "thing" else "份"
            amount = f"每{self.per_unit}{self.per}{each}，共 {self.copies} {unit}"
        else:
            amount = quantity_words(self.form, self.copies)
        if not self.thing:
            return amount
        return f"{self.thing}{amount}（不复印），{self.handover}"

    @property
    def to_submit(self) -> bool:
        return self.status in ("submit", "tolerable", "commitment")

    @property
    def optional(self) -> bool:
        """The guide marks it 非必要 and the catalog names no situation that makes it needed:
        the applicant may bring it; acceptance does not wait for it."""
        return self.status == "optional"


@dataclass(frozen=True)
class PlanField:
    key: str
    label: str
    type: str
    options: tuple[str, ...]
    required: bool
    max_length: int | None
    section: str
    items: tuple[str, ...]
    value: str | None
    source: str  # where the prefilled value came from


@dataclass(frozen=True)
class Stage:
    index: int
    items: tuple[str, ...]
    parallel: bool
    days: int


@dataclass(frozen=True)
class Counts:
    materials: int
    fields: int
    days: int
    windows: int


@dataclass(frozen=True)
class Effectiveness:
    """§8.1: the separate items added up versus the merged plan."""

    separate: Counts
    merged: Counts
    materials_to_submit: int
    fields_to_fill: int
    published_before: dict[str, int | None]
    published_after: dict[str, int | None]


@dataclass(frozen=True)
class Plan:
    scenario: str
    scenario_name: str
    catalog_version: str
    complete: bool
    pending_questions: tuple[str, ...]
    blocked: tuple[Block, ...]
    answers: dict[str, AnswerValue]
    items: tuple[PlanItem, ...]
    not_chosen: tuple[SkippedItem, ...]
    not_applicable: tuple[SkippedItem, ...]
    excluded: tuple[ExcludedItem, ...]
    routes: tuple[Route, ...]
    notices: tuple[str, ...]
    materials: tuple[PlanMaterial, ...]
    fields: tuple[PlanField, ...]
    stages: tuple[Stage, ...]
    promise: PromisedTime  # the one promise every screen and paper shows (app.guide.promise)
    effectiveness: Effectiveness
    counts: tuple[Count, ...] = ()  # several of a kind, as answered: 录用职工 3 名

    @property
    def eligible(self) -> bool:
        return not self.blocked

    @property
    def promised_days(self) -> int:
        return self.promise.days

    @property
    def counts_words(self) -> str:
        """ "本次为录用职工 3 名办理" (several of a kind), or ""."""
        return f"本次为{'、'.join(c.words for c in self.counts)}办理" if self.counts else ""

    def to_dict(self) -> dict[str, Any]:
        data = _jsonable(self)
        data["eligible"] = self.eligible
        data["promise"] = self.promise.to_dict()
        data["promised_days"] = self.promise.days
        for material, out in zip(self.materials, data["materials"], strict=True):
            out["form_label"] = FORM_LABELS[material.form]
            out["medium_label"] = MEDIUM_LABELS[material.medium]
            out["to_submit"] = material.to_submit
            out["need_words"] = material.need_words
        return dict(data)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
