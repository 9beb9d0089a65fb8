"""Import a Hunan platform guide (its API response, ``{"code":0,"data":{…}}``) as a base scenario.

Pure: bytes in, a ``BaseScenario`` and an ``ImportReport`` out; the command line reads and writes
the files. Every key of the guide is either mapped onto the base or listed in the report with its
path and values — nothing is dropped silently — so mapping one more key shrinks the report on
purpose (the tests pin it per fixture). The platform's bookkeeping keys
(``guide_codes.BOOKKEEPING``: record ids, timestamps, stored-file details) are the exception: they
are counted, not listed, so the report of a raw guide stays readable. Any input that is not such
a guide is refused with ``GuideRejected``, a Chinese message naming the file and the place, never
another exception.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.catalog.base import (
    Attachment,
    BaseScenario,
    Channels,
    Charge,
    Code,
    Condition,
    Department,
    Faq,
    Figure,
    GuideContacts,
    Header,
    Item,
    Material,
    Number,
    Phones,
    Reform,
    ServicePoint,
)
from app.catalog.guide_codes import (
    BLANK_FORM,
    BOOKKEEPING,
    CHANNEL,
    EXEMPTION,
    FLOWCHART,
    NATURE,
    REQUIRED,
    SAMPLE,
    SOURCE,
)
from app.catalog.keys import material_keys, slug, unique_keys
from app.errors import CatalogError

MAX_GUIDE_BYTES = 2 * 1024 * 1024
NONE_WORDS = frozenset({"", "/", "无", "暂无", "暂无。"})
# the version is three digits or capitals: 43PCN0012B24J0100 (残疾人服务), 43TCN0006D25J0100; a
# theme is 43PCN0012 or, in the province's older numbering, 43TC1700200Y (经营性项目验收开业:
# 43TC1700200YA25J0100) and 43TC18001000 (大件运输)
CHECKLIST = re.compile(
    r"^(?P<theme>[0-9]{2}[A-Z]{2}(?:[A-Z][0-9]{4}|[0-9]{7}[0-9A-Z]))"
    r"(?P<version>[0-9A-Z]{3})J(?P<area>[0-9]{4})$"
)
# a material code the platform built from a missing number (T1000NaN in 个人身后): not a code
BROKEN_CODE = re.compile(r"NaN|undefined|null|None")
DIGITS_ONLY = re.compile(r"^[0-9]+$")
NUMERIC = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
T = TypeVar("T", bound=BaseModel)


class GuideRejected(CatalogError):
    """A file that cannot be imported as a platform guide; the message names the file and place."""


@dataclass(frozen=True)
class Unmapped:
    """A key of the guide the importer does not map: where, how often, which values."""

    path: str
    count: int
    values: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "count": self.count, "values": list(self.values)}


@dataclass(frozen=True)
class ImportReport:
    label: str
    counts: dict[str, int]
    unmapped: tuple[Unmapped, ...]
    notes: tuple[str, ...]
    internal: tuple[tuple[str, int], ...] = ()
    """How often each bookkeeping key occurred, in ``BOOKKEEPING`` order; none were imported."""

    @property
    def internal_count(self) -> int:
        return sum(count for _, count in self.internal)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.label,
            "counts": self.counts,
            "unmapped": [u.to_dict() for u in self.unmapped],
            "internal": {"count": self.internal_count, "keys": dict(self.internal)},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Imported:
    base: BaseScenario
    report: ImportReport


@dataclass
class _Context:
    label: str
    unmapped: dict[str, list[Any]] = field(default_factory=dict)
    internal: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def refuse(self, path: str, what: str) -> GuideRejected:
        where = f"（{path}）" if path else ""
        return GuideRejected(
            f"指南文件 {self.label} 无法导入：{what}{where}",
            hint="请确认这是湖南省政务服务平台办事指南接口的原始返回（JSON），未经改动。",
        )


class _Object:
    """One JSON object of the guide: values are taken by key; what is left is reported."""

    def __init__(self, value: Any, path: str, context: _Context) -> None:
        if not isinstance(value, dict):
            raise context.refuse(path, "这里应为对象（{…}）")
        self.value: dict[str, Any] = value
        self.path = path
        self.context = context
        self.taken: set[str] = set()

    def _take(self, key: str) -> Any:
        self.taken.add(key)
        return self.value.get(key)

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def text(self, key: str, *, none_words: bool = True) -> str | None:
        value = self._take(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.context.refuse(self.at(key), "这里应为文字")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.context.refuse(self.at(key), "这里应为文字")
        text = value.strip() if isinstance(value, str) else _number_text(value)
        if none_words and text in NONE_WORDS:
            return None
        return text

    def texts(self, first: str, second: str) -> str | None:
        """A value the platform sends twice under two keys (``bltj`` = ``processingConditions``)."""
        one, other = self.text(first), self.text(second)
        if one is not None and other is not None and one != other:
            self.context.notes.append(f"{self.at(first)} 与 {second} 不一致，取 {first}")
        return one if one is not None else other

    def number(self, key: str) -> Number | None:
        value = self._take(key)
        if value is None or (isinstance(value, str) and value.strip() in NONE_WORDS):
            return None
        if isinstance(value, str) and NUMERIC.match(value.strip()):
            value = float(value.strip())
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.context.refuse(self.at(key), f"这里应为数字，实际是“{_short(value)}”")
        if not math.isfinite(value) or abs(value) > 1e9:
            raise self.context.refuse(self.at(key), f"数字“{_short(value)}”超出范围")
        return int(value) if float(value).is_integer() else value

    def flag(self, key: str) -> bool | None:
        value = self.text(key)
        if value is None:
            return None
        if value not in ("0", "1"):
            raise self.context.refuse(self.at(key), f"这里应为 0 或 1，实际是“{_short(value)}”")
        return value == "1"

    def code(self, key: str, meanings: dict[str, str] | None = None) -> Code | None:
        value = self.text(key)
        if value is None:
            return None
        return Code(code=value, meaning=(meanings or {}).get(value))

    def codes(self, key: str, meanings: dict[str, str]) -> tuple[Code, ...]:
        value = self.text(key)
        if value is None:
            return ()
        parts = [p.strip() for p in re.split(r"[,，]", value) if p.strip()]
        return tuple(Code(code=p, meaning=meanings.get(p)) for p in parts)

    def objects(self, key: str, *, empty_text_is_none: bool = False) -> Iterator[_Object]:
        value = self._take(key)
        if value is None or (empty_text_is_none and value == ""):
            return
        if not isinstance(value, list):
            raise self.context.refuse(self.at(key), "这里应为列表（[…]）")
        for n, entry in enumerate(value):
            yield _Object(entry, f"{self.at(key)}[{n}]", self.context)

    def child(self, key: str) -> _Object | None:
        value = self._take(key)
        return None if value is None else _Object(value, self.at(key), self.context)

    def done(self) -> None:
        """Report every key not taken, under its path with list positions folded to ``[]``; a
        bookkeeping key is only counted."""
        for key, value in self.value.items():
            if key in self.taken:
                continue
            if key in BOOKKEEPING:
                self.context.internal[key] += 1
            else:
                path = re.sub(r"\[[0-9]+\]", "[]", self.at(key))
                self.context.unmapped.setdefault(path, []).append(value)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return f"对象（{len(value)} 个键）"
    if isinstance(value, list):
        return f"列表（{len(value)} 项）"
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"键“{_short(key)}”重复出现")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} 不是合法的 JSON 数字")


def _parse(raw: bytes, context: _Context) -> Any:
    if len(raw) > MAX_GUIDE_BYTES:
        raise context.refuse("", f"文件超过 {MAX_GUIDE_BYTES // 1024 // 1024} MB，不像一份办事指南")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise context.refuse("", f"第 {exc.start + 1} 个字节起不是 UTF-8 编码的文字") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise context.refuse("", f"不是 JSON：第 {exc.lineno} 行第 {exc.colno} 列有错") from None
    except ValueError as exc:
        raise context.refuse("", f"不是合法的 JSON：{exc}") from None
    except RecursionError:
        raise context.refuse("", "JSON 嵌套层数过多") from None
    _check_text(document, context)
    return document


def _check_text(document: Any, context: _Context) -> None:
    """Refuse a lone surrogate (``"\\ud800"``): it cannot be written to a UTF-8 base file."""
    waiting = [document]
    while waiting:
        node = waiting.pop()
        if isinstance(node, dict):
            waiting.extend(node.keys())
            waiting.extend(node.values())
        elif isinstance(node, list):
            waiting.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise context.refuse("", "含有无法表示的字符（孤立的 \\u 转义）") from None


def _envelope(document: Any, context: _Context) -> _Object:
    top = _Object(document, "", context)
    code = top._take("code")
    if code is None:
        raise context.refuse("", "缺少平台返回码 code")
    if isinstance(code, bool) or code not in (0, "0"):
        msg = top.text("msg") or "（无说明）"
        raise context.refuse("code", f"平台返回码是 {_short(code)}，不是 0（成功）：{msg}")
    if top._take("success") is False or top._take("error") is True:
        raise context.refuse("success", "平台返回表明查询失败")
    top.text("msg")
    data = top.child("data")
    if data is None:
        raise context.refuse("data", "缺少指南内容 data")
    top.done()
    return data


def _header(data: _Object, context: _Context) -> Header:
    name = data.text("sxmc")
    if name is None:
        raise context.refuse("data.sxmc", "缺少一件事名称")
    checklist = data.text("yjsSsqdbm")
    match = CHECKLIST.match(checklist or "")
    if checklist is None or match is None:
        raise context.refuse(
            "data.yjsSsqdbm",
            f"实施清单编码“{_short(checklist)}”不是“主题编码 + 3 位版本 + J + 4 位地区”的格式",
        )
    theme = match["theme"]
    basic = data.child("basicInfo") or _Object({}, "data.basicInfo", context)
    guide = data.child("onethingCatalogStandServiceGuide") or _Object(
        {}, "data.onethingCatalogStandServiceGuide", context
    )
    lead = basic.text("qtbmmc")
    cooperating = basic.codes("cooperateName", {})
    header = Header(
        name=name,
        theme_code=theme,
        checklist_code=checklist,
        area_code=theme[:2] + match["area"],
        area_name=basic.text("areaName"),
        departments=Department(lead=lead, cooperating=tuple(c.code for c in cooperating)),
        phones=Phones(consult=basic.text("zxdh"), complaint=basic.text("jdtsdh")),
        guide_contacts=GuideContacts(
            consult_phone=guide.text("zxdh"),
            consult_address=guide.text("zxdz"),
            complaint_phone=guide.text("jdtsdh"),
        ),
        promised_days=guide.number("cnbjsx"),
        completed_limit=basic.number("completedLimit"),
        charged=basic.flag("isCharge"),
        intermediary=basic.flag("isIntermediary"),
        logistics=basic.flag("isLogistics"),
        channels=Channels(
            online=guide.codes("xsblqd", CHANNEL),
            supported=guide.codes("zcblqd", CHANNEL),
            online_other=guide.text("xsblqdQt"),
            online_url=guide.text("zcblqdWbdz"),
            pc_url=guide.text("dndtzdz"),
            mobile_url=guide.text("yddtzdz"),
            window_url=guide.text("xxcktzdz"),
            offline_note=guide.text("xxbldsm"),
            trips=guide.number("dbsxccs"),
            trips_reason=guide.text("dbsxcyyhhj"),
            delivery_note=guide.text("jgsdsm"),
            process_note=guide.text("bllctsm"),
        ),
        reform=Reform(
            materials=_figure(guide, "gqsbcl", "xzsbcl"),
            days=_figure(guide, "gqblsx", "xzblsx"),
            trips=_figure(guide, "gqpdcs", "xzpdcs"),
            steps=_figure(guide, "hjsgq", "hjsxz"),
        ),
        flowcharts=_flowcharts(data),
    )
    basic.done()
    guide.done()
    return header


def _figure(guide: _Object, before: str, after: str) -> Figure | None:
    pair = Figure(before=guide.number(before), after=guide.number(after))
    return None if pair.before is None and pair.after is None else pair


def _flowcharts(data: _Object) -> tuple[str, ...]:
    names = []
    for entry in data.objects("attachInfo"):
        kind = entry.text("fjbm")
        if kind == FLOWCHART:
            name = entry.text("fjmc")
            if name is not None:
                names.append(name)
            entry.done()
        else:  # a guide-level attachment of another kind: reported whole
            entry.taken.clear()
            entry.done()
    return tuple(names)


def _items(data: _Object) -> list[dict[str, Any]]:
    rows = []
    for entry in data.objects("approveList"):
        name = entry.text("tyywblxName") or entry.text("lbsxfwmc")
        if name is None:
            raise entry.context.refuse(entry.path, "联办事项没有名称")
        row = {
            "name": name,
            "service_name": entry.text("lbsxfwmc"),
            "promised_days": entry.number("cnsxsx"),
            "result": entry.text("resultSampleName"),
        }
        if row["promised_days"] is None:
            entry.context.notes.append(f"事项“{_short(name)}”没有承诺时限（{entry.at('cnsxsx')}）")
        rows.append(row)
        entry.done()
    if not rows:
        data.context.notes.append("指南没有列出联办事项（data.approveList 为空或缺少）")
    return rows


def _materials(data: _Object) -> list[dict[str, Any]]:
    rows = []
    for entry in data.objects("materialList"):
        name = entry.text("clmc")
        if name is None:
            raise entry.context.refuse(entry.path, "材料没有名称 clmc")
        blank, sample, other = _attachments(entry)
        code = entry.text("materialCode")
        if code is not None and BROKEN_CODE.search(code):
            entry.context.notes.append(
                f"材料“{_short(name)}”的标准材料编码“{_short(code)}”不完整，键改由材料名称生成"
            )
        rows.append(
            {
                "name": name,
                "order": entry.number("pxh"),
                "material_code": code,
                "material_title": entry.text("materialTitle"),
                "required": entry.code("clbyx", REQUIRED),
                "form": entry.code("clxs"),
                "nature": entry.code("clxz", NATURE),
                "kind": entry.code("cllx"),
                "source": entry.code("cllyqd", SOURCE),
                "source_note": entry.text("cllyqdsm"),
                "exemption": entry.code("mtjfs", EXEMPTION),
                "exemption_note": entry.text("mtjfssm"),
                "paper_copies": entry.number("zzclfs"),
                "paper_size": entry.text("zzclgg"),
                "review_standard": entry.text("clbz"),
                "filling_notes": entry.text("tbxz"),
                "legal_basis": entry.text("yqtgyj"),
                "blank_forms": blank,
                "samples": sample,
                "other_attachments": other,
            }
        )
        entry.done()
    if not rows:
        data.context.notes.append("指南没有列出申请材料（data.materialList 为空或缺少）")
    return rows


def _attachments(
    material: _Object,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Attachment, ...]]:
    blank: list[str] = []
    sample: list[str] = []
    other: list[Attachment] = []
    for entry in material.objects("attachList"):
        kind, name = entry.text("fjbm"), entry.text("fjmc")
        entry.done()
        if name is None:
            continue  # an empty slot (its bookkeeping keys were dropped): says nothing
        if kind == BLANK_FORM:
            blank.append(name)
        elif kind == SAMPLE:
            sample.append(name)
        else:
            other.append(Attachment(kind=kind or "", name=name))
    return tuple(blank), tuple(sample), tuple(other)


def _conditions(data: _Object) -> list[dict[str, Any]]:
    rows = []
    for entry in data.objects("guideCondition"):
        text = entry.texts("bltj", "processingConditions")
        if text is None:
            raise entry.context.refuse(entry.path, "办理条件没有内容")
        rows.append({"text": text, "note": entry.text("smmc"), "order": entry.number("pxh")})
        entry.done()
    return rows


def _faq(data: _Object) -> list[dict[str, Any]]:
    rows = []
    for entry in data.objects("questionInfo"):
        question = entry.texts("wt", "problem")
        if question is None:
            raise entry.context.refuse(entry.path, "常见问题没有问题文字")
        rows.append(
            {
                "question": question,
                "answer": entry.texts("da", "answer"),
                "order": entry.number("pxh"),
            }
        )
        entry.done()
    return rows


def _points(data: _Object) -> list[dict[str, Any]]:
    rows = []
    for entry in data.objects("guidePoint"):
        name = entry.texts("bldmc", "pointName")
        if name is None:
            raise entry.context.refuse(entry.path, "办理地点没有名称")
        if DIGITS_ONLY.match(name):
            entry.context.notes.append(
                f"办理地点 {entry.path} 的名称只是数字“{_short(name)}”，像是占位内容，请核对"
            )
        rows.append(
            {
                "name": name,
                "address": entry.texts("xxdz", "infoAddr"),
                "hours": entry.texts("blsj", "processingTime"),
                "order": entry.number("pxh"),
            }
        )
        entry.done()
    return rows


def _charges(data: _Object) -> tuple[Charge, ...]:
    rows = []
    for entry in data.objects("chargelist", empty_text_is_none=True):
        name = entry.text("FEENAME")
        if name is None:
            raise entry.context.refuse(entry.path, "收费项目没有名称")
        rows.append(
            Charge(
                name=name,
                standard=entry.text("FEESTAND"),
                basis=entry.text("CHARGE_BYLAW"),
                reducible=entry.text("IS_MINUS"),
                item_name=entry.text("UNIFY_NAME"),
                item_platform_id=entry.text("UNIFY_ID"),
                platform_id=entry.text("CHARGE_ID"),
            )
        )
        entry.done()
    return tuple(rows)


def _key_code(code: str | None) -> str | None:
    return None if code is None or BROKEN_CODE.search(code) else code


def _keyed(model: type[T], rows: list[dict[str, Any]], keys: list[str]) -> tuple[T, ...]:
    return tuple(model(key=key, **row) for key, row in zip(keys, rows, strict=True))


def _report(context: _Context, base: BaseScenario) -> ImportReport:
    unmapped = tuple(
        Unmapped(path, len(values), tuple(sorted({_short(v) for v in values}))[:5])
        for path, values in context.unmapped.items()
    )
    counts = {
        "items": len(base.items),
        "materials": len(base.materials),
        "conditions": len(base.conditions),
        "faq": len(base.faq),
        "service_points": len(base.service_points),
        "charges": len(base.charges),
    }
    internal = tuple((key, context.internal[key]) for key in BOOKKEEPING if context.internal[key])
    return ImportReport(context.label, counts, unmapped, tuple(context.notes), internal)


def import_guide(raw: bytes, label: str) -> Imported:
    """The base scenario of one guide file's bytes; ``label`` names the file in messages."""
    context = _Context(label)
    data = _envelope(_parse(raw, context), context)
    try:
        header = _header(data, context)
        items = _items(data)
        materials = _materials(data)
        conditions = _conditions(data)
        faq = _faq(data)
        points = _points(data)
        charges = _charges(data)
        if data.value.get("intermediarylist") in (None, "", []):
            data.taken.add("intermediarylist")  # none listed; a filled one is reported
        data.done()
        base = BaseScenario(
            guide_sha256=hashlib.sha256(raw).hexdigest(),
            header=header,
            items=_keyed(Item, items, unique_keys([slug(r["name"]) for r in items], context.notes)),
            materials=_keyed(
                Material,
                materials,
                material_keys(
                    [(_key_code(r["material_code"]), r["name"]) for r in materials], context.notes
                ),
            ),
            conditions=_keyed(
                Condition,
                conditions,
                unique_keys([slug(r["text"]) for r in conditions], context.notes),
            ),
            faq=_keyed(Faq, faq, unique_keys([slug(r["question"]) for r in faq], context.notes)),
            service_points=_keyed(
                ServicePoint, points, unique_keys([slug(r["name"]) for r in points], context.notes)
            ),
            charges=charges,
        )
    except ValidationError as exc:  # a shape the readers above let through: still the file's fault
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        raise context.refuse(place, "内容不符合基础事项的格式") from None
    return Imported(base, _report(context, base))
