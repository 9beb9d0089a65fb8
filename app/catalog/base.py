"""The base scenario: what a province's published guide says, imported as it is (issue 24).

A base file (``<theme>-<area>.base.yaml``) is written by ``onestop catalog import`` from the
platform's guide and is never edited by hand: the hall's own work (questions, conditions, local
decisions) goes into an overlay beside it, which refers to the parts of the base by their ``key``.
Keys are stable across re-imports of the same guide: a material's is its national material code
(``materialCode``) where the guide binds one, else a slug of its name; items, conditions, FAQ
entries and service points are keyed by a slug of their name or text (the guide gives items no
code).

Nothing is invented: a value the guide does not give (or gives as empty, "/", "无" or "暂无") is
absent. Platform codes are kept raw in ``Code.code``; ``Code.meaning`` is filled only where the
reference (``reference/hunan/README.md``) gives one, and every such meaning is *inferred* from the
data, not taken from platform documentation — a maintainer must not treat it as authoritative.
These models are separate from ``Scenario`` (``models.py``) on purpose: nothing existing changes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

BASE_FORMAT = "onestop-base/1"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Number = int | float


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Code(Model):
    """A platform code as the guide gives it, and its meaning where the reference infers one."""

    code: str
    meaning: str | None = Field(default=None, description="含义（由数据推断，非平台文档）")


class Attachment(Model):
    """A file the guide attaches whose kind (``fjbm``) the importer has no list for."""

    kind: str = Field(description="附件类型 fjbm")
    name: str = Field(description="文件名 fjmc")


class Department(Model):
    lead: str | None = Field(default=None, description="牵头部门 basicInfo.qtbmmc")
    cooperating: tuple[str, ...] = Field(default=(), description="配合部门 basicInfo.cooperateName")


class Phones(Model):
    consult: str | None = Field(default=None, description="咨询电话 zxdh")
    complaint: str | None = Field(default=None, description="监督投诉电话 jdtsdh")


class GuideContacts(Model):
    """Contacts the standardised guide header gives besides ``basicInfo``'s local phones; in the
    guides seen they are often the province's (12333, the province's address), so they are kept
    apart from ``Phones``."""

    consult_phone: str | None = Field(default=None, description="咨询电话（标准化指南）zxdh")
    consult_address: str | None = Field(default=None, description="咨询地址（标准化指南）zxdz")
    complaint_phone: str | None = Field(
        default=None, description="监督投诉电话（标准化指南）jdtsdh"
    )


class Channels(Model):
    """How the guide says the thing is done: online channels, addresses, trips to a window."""

    online: tuple[Code, ...] = Field(default=(), description="线上办理渠道 xsblqd")
    supported: tuple[Code, ...] = Field(default=(), description="支持办理渠道 zcblqd")
    online_other: str | None = Field(
        default=None, description="其他线上办理渠道的名称 xsblqdQt（如 道运通APP）"
    )
    online_url: str | None = Field(default=None, description="网办地址 zcblqdWbdz")
    pc_url: str | None = Field(default=None, description="电脑端地址 dndtzdz")
    mobile_url: str | None = Field(default=None, description="移动端地址 yddtzdz")
    window_url: str | None = Field(default=None, description="线下窗口跳转地址 xxcktzdz")
    offline_note: str | None = Field(default=None, description="线下办理点说明 xxbldsm")
    trips: Number | None = Field(default=None, description="到办事现场次数 dbsxccs")
    trips_reason: str | None = Field(default=None, description="到现场原因或环节 dbsxcyyhhj")
    delivery_note: str | None = Field(default=None, description="结果送达说明 jgsdsm")
    process_note: str | None = Field(default=None, description="办理流程说明 bllctsm")


class Figure(Model):
    before: Number | None = Field(default=None, description="改革前")
    after: Number | None = Field(default=None, description="现在")


class Reform(Model):
    """The published before/after figures (all four pairs inferred from their codes)."""

    materials: Figure | None = Field(default=None, description="申报材料数 gqsbcl → xzsbcl")
    days: Figure | None = Field(default=None, description="办理时限（天）gqblsx → xzblsx")
    trips: Figure | None = Field(default=None, description="跑动次数 gqpdcs → xzpdcs")
    steps: Figure | None = Field(default=None, description="环节数 hjsgq → hjsxz")


class Header(Model):
    name: str = Field(description="一件事名称 sxmc")
    theme_code: str = Field(description="主题编码（实施清单编码的前 9 位）")
    checklist_code: str = Field(description="实施清单编码 yjsSsqdbm")
    area_code: str = Field(description="地区代码：由实施清单编码末 4 位推断（43 + 4 位）")
    area_name: str | None = Field(default=None, description="地区名称 basicInfo.areaName")
    departments: Department = Department()
    phones: Phones = Phones()
    guide_contacts: GuideContacts = GuideContacts()
    promised_days: Number | None = Field(default=None, description="承诺办结时限 cnbjsx")
    completed_limit: Number | None = Field(
        default=None, description="办结时限 basicInfo.completedLimit"
    )
    charged: bool | None = Field(default=None, description="是否收费 isCharge")
    intermediary: bool | None = Field(default=None, description="是否有中介服务 isIntermediary")
    logistics: bool | None = Field(default=None, description="是否支持物流 isLogistics")
    channels: Channels = Channels()
    reform: Reform = Reform()
    flowcharts: tuple[str, ...] = Field(default=(), description="流程图文件名 attachInfo 100001")


class Item(Model):
    key: Key
    name: str = Field(description="统一业务办理项名称 tyywblxName")
    service_name: str | None = Field(default=None, description="联办事项名称 lbsxfwmc")
    promised_days: Number | None = Field(default=None, description="承诺时限 cnsxsx")
    result: str | None = Field(default=None, description="结果物名称 resultSampleName")


class Material(Model):
    key: Key
    name: str = Field(description="材料名称 clmc")
    order: Number | None = Field(default=None, description="排序号 pxh")
    material_code: str | None = Field(default=None, description="绑定的标准材料编码 materialCode")
    material_title: str | None = Field(default=None, description="标准材料名称 materialTitle")
    required: Code | None = Field(default=None, description="必要性 clbyx（1 必要，2 非必要/情形）")
    form: Code | None = Field(default=None, description="材料形式 clxs（含义未知）")
    nature: Code | None = Field(default=None, description="材料性质 clxz")
    kind: Code | None = Field(default=None, description="材料类型 cllx（含义未知）")
    source: Code | None = Field(default=None, description="来源渠道 cllyqd")
    source_note: str | None = Field(default=None, description="来源渠道说明 cllyqdsm")
    exemption: Code | None = Field(default=None, description="免提交方式 mtjfs")
    exemption_note: str | None = Field(default=None, description="免提交方式说明 mtjfssm")
    paper_copies: Number | None = Field(default=None, description="纸质材料份数 zzclfs")
    paper_size: str | None = Field(default=None, description="纸质材料规格 zzclgg")
    review_standard: str | None = Field(default=None, description="受理标准 clbz")
    filling_notes: str | None = Field(default=None, description="填报须知 tbxz")
    legal_basis: str | None = Field(default=None, description="要求提供依据 yqtgyj")
    blank_forms: tuple[str, ...] = Field(default=(), description="空白表文件名 附件 100002")
    samples: tuple[str, ...] = Field(default=(), description="样例表文件名 附件 100003")
    other_attachments: tuple[Attachment, ...] = Field(default=(), description="其他附件")


class Condition(Model):
    key: Key
    text: str = Field(description="办理条件 bltj")
    note: str | None = Field(default=None, description="说明 smmc")
    order: Number | None = Field(default=None, description="排序号 pxh")


class Faq(Model):
    key: Key
    question: str = Field(description="问题 wt")
    answer: str | None = Field(default=None, description="答案 da")
    order: Number | None = Field(default=None, description="排序号 pxh")


class ServicePoint(Model):
    key: Key
    name: str = Field(description="办理点 bldmc")
    address: str | None = Field(default=None, description="地址 xxdz")
    hours: str | None = Field(default=None, description="办公时间 blsj")
    order: Number | None = Field(default=None, description="排序号 pxh")


class Charge(Model):
    name: str = Field(description="收费项目 FEENAME")
    standard: str | None = Field(default=None, description="收费标准 FEESTAND")
    basis: str | None = Field(default=None, description="收费依据 CHARGE_BYLAW")
    reducible: str | None = Field(default=None, description="是否减免 IS_MINUS（推断）")
    item_name: str | None = Field(default=None, description="所属事项 UNIFY_NAME")
    item_platform_id: str | None = Field(default=None, description="所属事项平台标识 UNIFY_ID")
    platform_id: str | None = Field(default=None, description="收费项平台标识 CHARGE_ID")


class BaseScenario(Model):
    """One guide, imported: the header, then its parts in the guide's own order."""

    format: str = BASE_FORMAT
    guide_sha256: str = Field(description="导入的指南文件的 SHA-256，用于判断指南是否更新")
    header: Header
    items: tuple[Item, ...] = ()
    materials: tuple[Material, ...] = ()
    conditions: tuple[Condition, ...] = ()
    faq: tuple[Faq, ...] = ()
    service_points: tuple[ServicePoint, ...] = ()
    charges: tuple[Charge, ...] = ()
