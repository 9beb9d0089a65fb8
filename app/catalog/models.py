"""The catalog schema (GB/T 45836 §5): scenarios, items, questions, materials and form fields.

These pydantic models validate the YAML files in ``resources/catalog/`` and are exported as JSON
Schema for catalog authors. They are frozen: the guide engine reads them and never changes them.
Identifiers (``id``) are the catalog's own keys for references inside one scenario; platform codes
(基本编码, 实施编码, material codes) are kept beside them where the reference gives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.catalog.conditions import Condition, expand

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

PERSONAL_STAGES = ("出生", "教育", "就业", "生活", "置业", "出行", "就医", "救助", "养老", "身后")
ENTERPRISE_STAGES = ("准入准营", "招聘用工", "纳税缴费", "经营发展", "工程建设", "注销退出")
LifeStage = Literal[
    "出生", "教育", "就业", "生活", "置业", "出行", "就医", "救助", "养老", "身后",
    "准入准营", "招聘用工", "纳税缴费", "经营发展", "工程建设", "注销退出",
]  # fmt: skip

# GB/T 39554.1 shapes, inferred from real codes (reference/scenarios.md "Item codes").
BASIC_CODE = re.compile(r"^[0-9]{2}[0-9]{2}[0-9]{2}[0-9]{3}[0-9W][0-9]{2}$")
IMPLEMENTATION_CODE = re.compile(
    r"^[0-9A-HJ-NPQRTUWXY]{18}[1-6][0-9]{2}[0-9]{2}[0-9]{2}[0-9]{3}[0-9W][0-9]{2}$"
)
# A national standard material code: T/L/O/E and 7 digits, or, issued locally, the letter, the
# issuing body's 18-character unified social credit code and a 3-digit number (43PCN0012's
# L11100000000013127D002).
MATERIAL_CODE = re.compile(r"^[TLOE]([0-9]{7}|[0-9A-Z]{18}[0-9]{3})$")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class LocalMarks(Model):
    """Which values of an entity are local configuration (the reference is silent) and why."""

    local: dict[str, str] = Field(
        default_factory=dict,
        description="本地配置：字段名 → 说明。参考资料未给出、由本厅决定的值须在此标明",
    )


class Option(Model):
    value: Id
    label: str = Field(min_length=1)
    exclusive: bool = Field(default=False, description="多选题中与其他选项互斥（如“以上都不是”）")
    stop: Stop | None = Field(default=None, description="选中即不符合受理条件：原因与去处")


class Stop(Model):
    reason: str = Field(min_length=1, description="为何不能按本一件事办理")
    advice: str = Field(min_length=1, description="应当到哪里、怎么办（先办什么）")
    items: tuple[Id, ...] = Field(
        default=(),
        description="只有这些事项不能办理（事项的前提条件）；为空时整件事不能办理",
    )


class AutoAnswer(Model):
    """选项复用: answer a question from a known fact instead of asking."""

    fact: str = Field(description="事实键")
    map: dict[str, Id] = Field(
        default_factory=dict,
        description="事实值（写成字符串，布尔为 true/false）→ 选项值；为空时事实值即选项值",
    )


class Counting(Model):
    """What a counting question counts: several of a kind in one case (录用职工, 分支机构, 子女)."""

    entity: str = Field(min_length=1, description="数的是什么，如“录用职工”")
    unit: str = Field(default="名", min_length=1, max_length=2, description="量词：名、个、家")
    max: int = Field(ge=2, le=20, description="一件最多几个（更多的分几件办理）")


COUNT_PREFIX = "n"  # a counting question's options: n1, n2, … (option values are ids)


class Question(LocalMarks):
    id: Id
    text: str = Field(min_length=1)
    kind: Literal["single", "multi", "count"] = Field(
        default="single",
        description="single 单选；multi 多选；count 计数（选项按 counts 自动生成：1 名…max 名）",
    )
    options: tuple[Option, ...] = Field(min_length=2)
    counts: Counting | None = Field(default=None, description="计数问题数的是什么（kind: count）")
    help: str = ""
    show_when: Condition | None = Field(default=None, description="只有满足时才问")
    auto_answer: AutoAnswer | None = None
    source: str = Field(default="", description="出自指南哪一处（受理条件、填报须知、常见问题…）")

    @model_validator(mode="before")
    @classmethod
    def _count_options(cls, data: Any) -> Any:
        """A counting question's options are its numbers, 1 to ``counts.max``: written by no one."""
        if not isinstance(data, dict) or data.get("kind") != "count":
            return data
        if "options" in data:
            raise ValueError("计数问题（kind: count）的选项按 counts.max 自动生成，不要写 options")
        counts = data.get("counts")
        if not isinstance(counts, dict) or not isinstance(counts.get("max"), int):
            raise ValueError(
                "计数问题（kind: count）要写 counts：entity（数什么）、max（最多几个）"
            )
        unit = counts.get("unit") or "名"
        top = max(2, min(counts["max"], 20))  # out of range: Counting's own error says so
        options = [
            {"value": f"{COUNT_PREFIX}{n}", "label": f"{n} {unit}"} for n in range(1, top + 1)
        ]
        return {**data, "options": options}

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def count_of(self, value: object) -> int | None:
        """The number a counting question's answer stands for (None: not a count)."""
        if self.kind != "count" or not isinstance(value, str):
            return None
        digits = value.removeprefix(COUNT_PREFIX)
        return int(digits) if digits.isdigit() and self.option(value) is not None else None


class Fee(Model):
    charged: bool = False
    text: str = ""


class ItemResult(Model):
    name: str = Field(default="", description="结果名称；参考资料为空时留空")
    kind: Literal["certificate", "e_licence", "document", "none"] = "document"
    e_licence_type: str = Field(default="", description="电子证照类型，如“出生医学证明”")


class Wait(LocalMarks):
    """A period an item waits for after its own processing and before its result — a public
    notice (公示期), an objection period (异议期), "within 30 days after …" — counted in calendar
    days (自然日) or working days (工作日) as the guide says. It is part of the item's time and of
    every promise that includes the item: added to the item's days, or, where the guide says its
    days already count it (``included``), named in the promise without adding to it."""

    name: str = Field(min_length=1, description="名称，如“评残结论公示”")
    days: int = Field(gt=0, le=366, description="天数")
    unit: Literal["calendar", "working"] = Field(
        default="calendar", description="calendar 自然日；working 工作日（按指南的说法）"
    )
    when: Condition | None = Field(
        default=None, description="只在这些情形下等待；只能引用问题的回答（受理时按办件的回答计算）"
    )
    included: bool = Field(
        default=False,
        description="指南公布的事项承诺时限已含这段等待：承诺时告知，不另加天数",
    )
    source: str = Field(default="", description="出自指南哪一处")

    @property
    def words(self) -> str:
        return f"{self.name} {self.days} " + ("个工作日" if self.unit == "working" else "日")

    @property
    def added_days(self) -> tuple[int, int]:
        """The working and calendar days this wait adds to its item's days."""
        if self.included:
            return 0, 0
        return (self.days, 0) if self.unit == "working" else (0, self.days)


class Item(LocalMarks):
    id: Id
    name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    basic_code: str | None = Field(default=None, description="基本编码（12位）")
    implementation_code: str | None = Field(default=None, description="实施编码（31位）")
    item_type: str = Field(default="", description="事项类型，如 行政许可、公共服务")
    legal_basis: tuple[str, ...] = ()
    statutory_days: int | None = Field(default=None, ge=0, description="法定办结时限（工作日）")
    promised_days: int = Field(ge=0, description="承诺办结时限（工作日）")
    fee: Fee = Fee()
    result: ItemResult = ItemResult()
    needs: tuple[Id, ...] = Field(default=(), description="串联：需要这些事项的结果才能办理")
    when: Condition | None = Field(default=None, description="在哪些情形下适用")
    waits: tuple[Wait, ...] = Field(
        default=(), description="办理中的等待期（公示、异议期等），计入办结时限"
    )
    optional: bool = Field(default=True, description="申请人可以不选")

    @field_validator("basic_code")
    @classmethod
    def _basic_code(cls, value: str | None) -> str | None:
        if value is not None and not BASIC_CODE.match(value):
            raise ValueError("基本编码应为12位：2位区划+2位事项类型+2位部门+3位主项+3位子项")
        return value

    @field_validator("implementation_code")
    @classmethod
    def _implementation_code(cls, value: str | None) -> str | None:
        if value is not None and not IMPLEMENTATION_CODE.match(value):
            raise ValueError("实施编码应为31位：18位统一社会信用代码+1位行使层级+12位基本编码")
        return value


class Review(Model):
    """§5.2.7 review points: the clerk sees each as a tick box."""

    formal: tuple[str, ...] = Field(default=(), description="形式审核要点")
    substantive: tuple[str, ...] = Field(default=(), description="实质审核要点")


class Exemption(Model):
    produced_by: tuple[Id, ...] = Field(
        default=(),
        description="由本一件事中这些事项之一的结果内部流转（可写一个事项，或几个可相互替代的事项）",
    )
    e_licence: str = Field(default="", description="可核验的电子证照类型")
    generated: bool = Field(default=False, description="系统根据一表申请自动生成")
    commitment: bool = Field(default=False, description="可以告知承诺代替")
    verify_days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="告知承诺后部门核查的期限（受理后工作日）；不写时用本厅设置",
    )
    tolerable_missing: bool = Field(default=False, description="容缺：可先受理后补")
    missed: Literal["stop", "remind"] = Field(
        default="stop",
        description="容缺或承诺后补的材料逾期未补交时：stop 需要它的事项终止办理并告知部门；"
        "remind 只继续催补，事项照常办理（材料在出件时才需要的情形）",
    )

    @field_validator("produced_by", mode="before")
    @classmethod
    def _one_or_several(cls, value: object) -> object:
        """``produced_by: item`` or ``produced_by: [item, other]`` (whichever applies)."""
        return (value,) if isinstance(value, str) else value


THING_LABELS = {
    "seal": "印章",
    "licence": "证照原件",
    "cheque": "空白支票",
    "card": "卡证",
    "device": "设备",
    "other": "物品",
}
RETURNED_LABELS = {
    "at_once": "窗口核验后当场交还",
    "with_result": "办结后随结果退还",
    "kept": "交回后不退还",
}


class Handover(LocalMarks):
    """A material that is a thing, not a document — a seal, a licence's original handed back, blank
    cheques, a card, a tax device: handed over as it is, never photocopied or photographed, and
    going where the catalog says (a department, the bank, a seal-engraving company). The transfer
    ledger tracks it like paper unless the window gives it back at once."""

    thing: Literal["seal", "licence", "cheque", "card", "device", "other"] = Field(
        description=(
            "seal 印章；licence 证照原件；cheque 空白支票；card 卡证；device 设备；other 物品"
        )
    )
    count: int = Field(default=1, ge=1, le=99, description="几件（如印章几枚）")
    to: str = Field(
        default="",
        description="交到哪里：部门、开户银行、刻章企业；不写为需要它的第一个事项的承办部门",
    )
    returned: Literal["at_once", "with_result", "kept"] = Field(
        default="kept",
        description="at_once 窗口核验后当场交还；with_result 办结后随结果退还；kept 交回后不退还",
    )

    @property
    def label(self) -> str:
        return THING_LABELS[self.thing]

    def words(self, destination: str) -> str:
        """Where it goes, for the applicant's list: "窗口核验后当场交还" / "由窗口转交开户银行，
        交回后不退还"."""
        if self.returned == "at_once":
            return RETURNED_LABELS["at_once"]
        return f"由窗口转交{destination or '承办部门'}，{RETURNED_LABELS[self.returned]}"


class Material(LocalMarks):
    id: Id
    name: str = Field(min_length=1)
    platform_code: str = Field(default="", description="平台材料编码（materialCode）")
    form: Literal["original", "copy", "original_and_copy"] = "original"
    copies: int = Field(default=1, ge=0)
    medium: Literal["paper", "electronic", "paper_or_electronic"] = "paper_or_electronic"
    paper_size: str = ""
    source: Literal["applicant", "government", "institution", "system"] = "applicant"
    source_text: str = Field(default="", description="来源说明（cllyqdsm）")
    items: tuple[Id, ...] = Field(min_length=1, description="哪些事项需要它")
    when: Condition | None = Field(default=None, description="在哪些情形下需要")
    required: bool = Field(default=True, description="指南是否标为必要（clbyx 1）")
    exemption: Exemption = Exemption()
    notes: str = Field(default="", description="填报须知（tbxz）")
    review: Review = Review()
    legal_basis: tuple[str, ...] = ()
    blank_form: str = Field(default="", description="空表文件名")
    sample: str = Field(default="", description="样表文件名")
    handover: Handover | None = Field(
        default=None, description="不是文书而是物品（印章、证照原件、支票、卡证）：交原物，不复印"
    )
    per: Id | None = Field(
        default=None,
        description="每个都要一份：计数问题的 id（如每名录用职工），份数乘以回答的个数",
    )


FieldType = Literal[
    "text", "number", "date", "enum", "phone", "id_number", "uscc", "bank_account", "address"
]


class Prefill(Model):
    source: Literal["id_card", "facts"]
    key: str


class FieldSpec(Model):
    """A field of the field dictionary (字段字典, §5.2.5 b): what a key means everywhere."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
    label: str = Field(min_length=1)
    type: FieldType = "text"
    options: tuple[str, ...] = ()
    max_length: int | None = Field(default=None, gt=0)
    prefill: Prefill | None = None


class FormField(LocalMarks):
    """A field of one scenario's merged form; unset values come from the field dictionary."""

    key: str
    label: str = ""
    type: FieldType | None = None
    options: tuple[str, ...] = ()
    required: bool = True
    items: tuple[Id, ...] = Field(min_length=1)
    when: Condition | None = None
    prefill: Prefill | None = None
    section: str = Field(default="", description="纸质表上的栏目，决定 Tab 顺序")
    per: Id | None = Field(
        default=None, description="每个都要填：计数问题的 id（如每名录用职工），按回答的个数重复"
    )


class Location(Model):
    name: str
    address: str = ""
    hours: str = ""


class Contacts(Model):
    consult: tuple[str, ...] = ()
    complaint: tuple[str, ...] = ()


class Guide(Model):
    """§5.3.1.2 办事指南 content."""

    responsible: str = Field(default="", description="责任部门")
    legal_basis: tuple[str, ...] = Field(default=(), description="设定依据")
    conditions: tuple[str, ...] = Field(default=(), description="受理条件")
    process: str = Field(default="", description="办理流程")
    time_limit: str = Field(default="", description="办理时限")
    channels: tuple[str, ...] = Field(default=(), description="办理渠道")
    online_url: str = ""
    locations: tuple[Location, ...] = Field(default=(), description="办理地点与服务时间")
    service_hours: str = Field(default="", description="服务时间")
    contacts: Contacts = Contacts()
    fees: tuple[str, ...] = Field(default=(), description="收费；空为不收费")
    delivery: str = Field(default="", description="结果送达说明")


class Figures(Model):
    materials: int | None = Field(default=None, ge=0)
    days: int | None = Field(default=None, ge=0)
    trips: int | None = Field(default=None, ge=0)
    steps: int | None = Field(default=None, ge=0)


class Reform(Model):
    before: Figures = Figures()
    after: Figures = Figures()


class Faq(Model):
    q: str
    a: str


class Decision(Model):
    """Where the reference contradicts itself: what it says, and what this catalog decided."""

    topic: str
    reference: str = Field(description="参考资料怎么说")
    decision: str = Field(description="本目录的决定")
    settles: tuple[str, ...] = Field(default=(), description="该决定回应的检查器警告代码")
    free: bool = Field(
        default=False,
        description="自主决定：不回应任何检查器警告（如本厅的办理安排）；否则须写 settles",
    )


class Named(LocalMarks):
    """A condition defined once and used by name (``{named: id}``) — a route decided by several
    answers, such as a simplified or an ordinary procedure — and, with ``tell``, shown to the
    applicant when it holds ("您适用简易程序")."""

    id: Id
    label: str = Field(min_length=1, description="名称，如“简易注销程序”")
    when: Condition = Field(description="何时成立；可引用排在前面的命名条件")
    tell: str = Field(default="", description="成立时告诉申请人的话；为空则不显示")
    source: str = Field(default="", description="出自指南哪一处")


class Constraint(Model):
    """Answers that cannot be true together; ``when`` describes the contradiction."""

    when: Condition
    message: str


class Scenario(LocalMarks):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{5,20}$")]
    name: str = Field(min_length=1)
    audience: Literal["personal", "enterprise"]
    life_stage: LifeStage
    region: str = ""
    source: str = Field(default="", description="数据出处")
    keywords: tuple[str, ...] = ()
    lead_department: str
    cooperating_departments: tuple[str, ...] = ()
    promised_days: int | None = Field(
        default=None, ge=0, description="公布的承诺办结时限（工作日）"
    )
    guide: Guide = Guide()
    reform: Reform = Reform()
    named: tuple[Named, ...] = Field(default=(), description="命名条件：定义一次，按名引用")
    questions: tuple[Question, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    materials: tuple[Material, ...] = ()
    fields: tuple[FormField, ...] = ()
    faq: tuple[Faq, ...] = ()
    decisions: tuple[Decision, ...] = ()

    def missed_stops(self, material_id: str) -> bool:
        """Whether a promised material that did not come by its due date stops the items that
        need it (``exemption.missed``); one the scenario no longer lists stops them too."""
        rule = next((m for m in self.materials if m.id == material_id), None)
        return rule is None or rule.exemption.missed == "stop"

    def items_needing(self, material_ids: Iterable[str]) -> tuple[str, ...]:
        """The ids of the scenario's items that need any of these materials, in catalog order;
        a material the scenario no longer lists counts as needed by every item."""
        rules = {m.id: m for m in self.materials}
        needing: set[str] = set()
        for material_id in material_ids:
            rule = rules.get(material_id)
            needing |= set(rule.items) if rule else {i.id for i in self.items}
        return tuple(i.id for i in self.items if i.id in needing)

    @model_validator(mode="after")
    def _expand_named(self) -> Scenario:
        """Every ``{named: N}`` replaced by its definition, so the engine evaluates plain trees
        (an unknown name stays and is reported by the checker)."""
        if not self.named:
            return self
        defined: dict[str, Condition] = {}
        named = []
        for entry in self.named:
            when = expand(entry.when, defined)
            assert when is not None
            defined[entry.id] = when
            named.append(entry.model_copy(update={"when": when}))

        def each(parts: tuple[Any, ...], attribute: str) -> tuple[Any, ...]:
            return tuple(  # a part whose condition names nothing is kept, not copied
                part
                if (after := expand(before := getattr(part, attribute), defined)) is before
                else part.model_copy(update={attribute: after})
                for part in parts
            )

        items = tuple(
            item.model_copy(update={"waits": each(item.waits, "when")}) if item.waits else item
            for item in each(self.items, "when")
        )
        return self.model_copy(
            update={
                "named": tuple(named),
                "questions": each(self.questions, "show_when"),
                "constraints": each(self.constraints, "when"),
                "items": items,
                "materials": each(self.materials, "when"),
                "fields": each(self.fields, "when"),
            }
        )


class FactSpec(Model):
    key: str
    label: str
    type: Literal["bool", "int", "str", "date", "list"]
    source: Literal["id_card", "shared_data", "hall", "e_licence"]
    values: tuple[str, ...] = Field(default=(), description="可能的取值（枚举）")


class CatalogMeta(Model):
    """The catalog's own file (``resources/catalog/_catalog.yaml``): its version, the shared field
    dictionary and the facts conditions may use."""

    version: str
    fields: tuple[FieldSpec, ...]
    facts: tuple[FactSpec, ...]


Option.model_rebuild()
