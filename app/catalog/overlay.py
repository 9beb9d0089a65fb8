"""The overlay: a hall's own work on a base scenario, and the scenario the two make together.

A base (``<theme>-<area>.base.yaml``) says what the province's guide says and is rewritten by every
import. The overlay (``<theme>-<area>.overlay.yaml``) beside it holds what the guide cannot say:
the questionnaire, which items need which material and in which situations, departments of items,
auto-answers, local decisions. It refers to the base's items and materials by their stable keys.

Composition is plain and predictable:

- every item and material of the base must be taken up by the overlay — an entry under its key
  (which may be empty for a material when the overlay gives nothing more than ``items``) or
  ``omit: 原因`` — so a guide that gains a material after a re-import cannot slip into a plan
  unreviewed;
- a key written in an overlay entry *replaces* the value the guide gives for it (``local`` marks
  are merged); ``id`` renames the entity for the rest of the scenario (questions, ``needs``,
  ``items`` and conditions use these ids), so stored cases keep their ids across re-imports;
- ``extra_items`` and ``extra_materials`` are things the guide does not list, written in full;
- ``questions``, ``constraints``, ``fields`` and ``decisions`` are the overlay's own; ``faq`` adds
  to the guide's.

The result is an ordinary :class:`~app.catalog.models.Scenario`, so the engine, the checker, the
counter and the kiosk do not know whether a scenario was typed or imported. How each value of the
guide becomes a value of the scenario is in :func:`_material_from_guide` and its neighbours; every
mapping there follows a code meaning the reference gives (``guide_codes.py``), and where a code has
no such meaning the overlay must say what it means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.catalog.base import BaseScenario, Key, Number
from app.catalog.base import Item as BaseItem
from app.catalog.base import Material as BaseMaterial

OVERLAY_FORMAT = "onestop-overlay/1"
OVERLAY_SUFFIX = ".overlay.yaml"

Loc = tuple[str | int, ...]
Entry = dict[str, Any]

SOURCE_OF = {"10": "applicant", "20": "government"}  # cllyqd; 99 (其他) must be said by the overlay
GENERATED = "1"  # mtjfs 系统模板自动生成申请表
BY_E_LICENCE = {"2", "3"}  # mtjfs 电子证照关联免提交 / 受理表单证照核验免提交
SUBMITTED = {"4", "5"}  # mtjfs 申请人提交 / 取个人中心已上传材料
SCENARIO_KEYS = frozenset(
    {
        "code",
        "name",
        "audience",
        "life_stage",
        "region",
        "source",
        "keywords",
        "lead_department",
        "cooperating_departments",
        "promised_days",
        "guide",
        "reform",
        "local",
    }
)


class Overlay(BaseModel):
    """The overlay file. Entries stay plain mappings here; they are validated as parts of the
    composed scenario, and their errors are reported at the overlay's own lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["onestop-overlay/1"] = Field(
        description="叠加文件格式，固定为 onestop-overlay/1"
    )
    base: str = Field(pattern=r"^[^/\\]+\.base\.yaml$", description="同一文件夹中的基础事项文件名")
    reviewed_guide: str = Field(
        default="",
        description="本叠加文件最后一次对照复核的指南 SHA-256（即基础事项文件的 guide_sha256）",
    )
    scenario: Entry = Field(default_factory=dict, description="一件事层面的设置与改写")
    items: dict[Key, Entry | None] = Field(default_factory=dict, description="指南事项：键 → 改写")
    materials: dict[Key, Entry | None] = Field(
        default_factory=dict, description="指南材料：键 → 改写"
    )
    extra_items: tuple[Entry, ...] = Field(default=(), description="指南未列的事项（完整写出）")
    extra_materials: tuple[Entry, ...] = Field(default=(), description="指南未列的材料（完整写出）")
    named: tuple[Any, ...] = Field(default=(), description="命名条件")
    questions: tuple[Any, ...] = ()
    constraints: tuple[Any, ...] = ()
    fields: tuple[Any, ...] = ()
    faq: tuple[Any, ...] = Field(default=(), description="指南常见问题之外补充的问答")
    decisions: tuple[Any, ...] = ()


def overlay_file_name(base_name: str) -> str:
    return base_name.removesuffix(".base.yaml") + OVERLAY_SUFFIX


@dataclass(frozen=True)
class Finding:
    """A problem of composition, at a place of the overlay (or of the base when ``in_base``)."""

    severity: str  # "error" | "warning"
    loc: Loc
    message: str
    code: str = ""
    in_base: bool = False


@dataclass
class Composition:
    """The scenario's data (validate it as a ``Scenario``) and where each part came from."""

    data: dict[str, Any]
    origins: dict[Loc, Loc] = field(default_factory=dict)  # composed prefix → overlay prefix
    findings: list[Finding] = field(default_factory=list)

    def overlay_loc(self, loc: Loc) -> Loc | None:
        """The overlay place a composed place was written at, if the overlay wrote it."""
        for length in range(len(loc), 0, -1):
            origin = self.origins.get(loc[:length])
            if origin is not None:
                return origin + loc[length:]
        return None

    def lines(self, overlay_lines: dict[Loc, int]) -> dict[Loc, int]:
        """Line numbers for composed places, from the overlay's own."""
        reverse = {origin: prefix for prefix, origin in self.origins.items()}
        # the longest overlay prefix first, trying only the lengths of the origins that begin
        # with the place's first step (one or two lengths, of 1 to 3 steps)
        lengths: dict[str | int, list[int]] = {}
        for origin in reverse:
            lengths.setdefault(origin[0], []).append(len(origin))
        for found in lengths.values():
            found[:] = sorted(set(found), reverse=True)
        mapped: dict[Loc, int] = {}
        for loc, line in overlay_lines.items():
            for length in lengths.get(loc[0], ()) if loc else ():
                prefix = reverse.get(loc[:length]) if length <= len(loc) else None
                if prefix is not None:
                    mapped[prefix + loc[length:]] = line
                    break
        return mapped


def _whole(value: Number | None) -> int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() and value >= 0 else None


def _join(*parts: str | None) -> str:
    return "，".join(p for p in parts if p)


def _scenario_from_guide(base: BaseScenario) -> dict[str, Any]:
    h = base.header
    guide: dict[str, Any] = {}
    if h.departments.lead:
        cooperating = "、".join(h.departments.cooperating)
        guide["responsible"] = h.departments.lead + (
            f"（牵头），{cooperating}配合" if cooperating else ""
        )
    conditions = [
        c.text + (f"：{c.note}" if c.note and c.note not in c.text else "") for c in base.conditions
    ]
    if conditions:
        guide["conditions"] = conditions
    channels = [c.meaning or c.code for c in h.channels.online]
    if h.channels.offline_note:
        channels.append(h.channels.offline_note)
    if channels:
        guide["channels"] = channels
    days = _whole(h.promised_days)
    if days is not None:  # cnbjsx, counted in working days as Scenario.promised_days is
        guide["time_limit"] = f"承诺办结时限{days}个工作日（各具体事项另有承诺时限，见事项列表）"
    for key, value in (
        ("process", h.channels.process_note),
        ("online_url", h.channels.online_url),
        ("delivery", h.channels.delivery_note),
    ):
        if value:
            guide[key] = value
    if base.service_points:
        guide["locations"] = [
            {k: v for k, v in (("name", p.name), ("address", p.address), ("hours", p.hours)) if v}
            for p in base.service_points
        ]
    contacts = {  # "0731-96321，0731-88665266": one number per entry
        k: [n for n in re.split(r"[，,、；;\s]+", v) if n]
        for k, v in (("consult", h.phones.consult), ("complaint", h.phones.complaint))
        if v
    }
    if contacts:
        guide["contacts"] = contacts
    if base.charges:
        guide["fees"] = [c.name + (f"（{c.standard}）" if c.standard else "") for c in base.charges]
    reform: dict[str, dict[str, int]] = {"before": {}, "after": {}}
    for name in ("materials", "days", "trips", "steps"):
        figure = getattr(h.reform, name)
        for side in ("before", "after"):
            whole = _whole(getattr(figure, side)) if figure is not None else None
            if whole is not None:
                reform[side][name] = whole
    data: dict[str, Any] = {
        "code": h.theme_code,
        "name": h.name,
        "source": f"湖南省一体化政务服务平台 办事指南 {h.checklist_code}",
        "guide": guide,
        "reform": reform,
    }
    if h.area_name:
        data["region"] = h.area_name
    if h.departments.lead:
        data["lead_department"] = h.departments.lead
    if h.departments.cooperating:
        data["cooperating_departments"] = list(h.departments.cooperating)
    if _whole(h.promised_days) is not None:
        data["promised_days"] = _whole(h.promised_days)
    return data


def _item_from_guide(item: BaseItem) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.key, "name": item.name}
    if _whole(item.promised_days) is not None:
        data["promised_days"] = _whole(item.promised_days)
    # a guide that names no result object: the item hands out nothing to keep (a payment, a
    # registration); one that names it: a document, its kind said by the overlay if it is more
    data["result"] = {"name": item.result} if item.result else {"kind": "none"}
    return data


def _material_from_guide(material: BaseMaterial) -> tuple[dict[str, Any], list[str]]:
    """The scenario's material as far as the guide says it, and what the overlay must say."""
    data: dict[str, Any] = {"id": material.key, "name": material.name}
    needs: list[str] = []
    if material.material_code:
        data["platform_code"] = material.material_code
    if material.required is not None:
        if material.required.code in ("1", "2"):
            data["required"] = material.required.code == "1"
        else:
            needs.append("required")
    exemption = material.exemption.code if material.exemption else None
    if exemption == GENERATED:
        data["source"] = "system"
        data["exemption"] = {"generated": True}
    else:
        source = material.source.code if material.source else None
        if source in SOURCE_OF:
            data["source"] = SOURCE_OF[source]
        elif source is not None:
            needs.append("source")
        if exemption in BY_E_LICENCE:
            data["exemption"] = {"e_licence": material.material_title or material.name}
        elif exemption is not None and exemption not in SUBMITTED:
            needs.append("exemption")
    copies = _whole(material.paper_copies)
    if copies is not None:
        data["copies"] = copies
    for key, value in (
        ("paper_size", material.paper_size),
        ("source_text", material.source_note),
        ("notes", material.filling_notes),
        ("blank_form", material.blank_forms[0] if material.blank_forms else None),
        ("sample", material.samples[0] if material.samples else None),
    ):
        if value:
            data[key] = value
    if material.review_standard:  # 受理标准: what the window checks when it accepts
        data["review"] = {"formal": [material.review_standard]}
    if material.legal_basis:  # one basis per line, as the guide lists them
        data["legal_basis"] = [b.strip() for b in material.legal_basis.splitlines() if b.strip()]
    return data, needs


_NEED_ZH = {
    "required": "必要性代码含义不明，请写明 required",
    "source": "来源渠道为“其他”或含义不明，请写明 source"
    "（applicant/government/institution/system）",
    "exemption": "免提交方式代码含义不明，请写明 exemption",
}


def _apply(target: dict[str, Any], entry: Entry) -> None:
    """An overlay entry's keys replace the guide's; ``local`` marks are merged."""
    for key, value in entry.items():
        if key == "local" and isinstance(value, dict) and isinstance(target.get("local"), dict):
            target["local"] = {**target["local"], **value}
        else:
            target[key] = value


def compose(base: BaseScenario, overlay: Overlay) -> Composition:
    """The scenario a base and its overlay make. Findings name overlay places; the caller
    validates ``data`` as a ``Scenario`` and maps its errors back with :meth:`overlay_loc`."""
    result = Composition(data={})
    data = _scenario_from_guide(base)
    result.data = data
    unknown = sorted(set(overlay.scenario) - SCENARIO_KEYS)
    for key in unknown:
        result.findings.append(
            Finding("error", ("scenario", key), f"scenario 下不认识的键“{key}”（拼写错误？）")
        )
    for key, value in overlay.scenario.items():
        if key in unknown:
            continue
        if key == "guide" and isinstance(value, dict):
            data["guide"] = {**data["guide"], **value}
            for sub in value:
                result.origins[("guide", sub)] = ("scenario", "guide", sub)
        else:
            data[key] = value
            result.origins[(key,)] = ("scenario", key)
    if overlay.reviewed_guide != base.guide_sha256:
        result.findings.append(
            Finding(
                "warning",
                ("reviewed_guide",),
                "指南已重新导入，叠加文件尚未对照新指南复核：请按导入时列出的变更检查问卷、"
                f"条件和材料，然后把 reviewed_guide 改为 {base.guide_sha256}",
                "W-OVERLAY-UNREVIEWED",
            )
        )

    data["items"] = _compose_part(
        result,
        "items",
        from_guide=[(i.key, i.name, _item_from_guide(i), []) for i in base.items],
        entries=overlay.items,
        what="事项",
        advice="请写明承办部门（department），或用 omit 说明本厅为何不提供",
    )
    materials = sorted(
        enumerate(base.materials),
        key=lambda pair: (pair[1].order is None, pair[1].order or 0, pair[0]),
    )
    data["materials"] = _compose_part(
        result,
        "materials",
        from_guide=[(m.key, m.name, *_material_from_guide(m)) for _, m in materials],
        entries=overlay.materials,
        what="材料",
        advice="请写明哪些事项需要它（items）与适用情形，或用 omit 说明本厅为何不收",
    )
    for part, extras in (("items", overlay.extra_items), ("materials", overlay.extra_materials)):
        for index, extra in enumerate(extras):
            result.origins[(part, len(data[part]))] = (f"extra_{part}", index)
            data[part].append(dict(extra) if isinstance(extra, dict) else extra)

    guide_faq = [{"q": f.question, "a": f.answer or ""} for f in base.faq]
    for index in range(len(overlay.faq)):
        result.origins[("faq", len(guide_faq) + index)] = ("faq", index)
    data["faq"] = guide_faq + list(overlay.faq)
    for part in ("named", "questions", "constraints", "fields", "decisions"):
        data[part] = list(getattr(overlay, part))
        result.origins[(part,)] = (part,)
    return result


def _compose_part(
    result: Composition,
    part: str,
    *,
    from_guide: list[tuple[str, str, dict[str, Any], list[str]]],
    entries: dict[str, Entry | None],
    what: str,
    advice: str,
) -> list[Any]:
    composed: list[Any] = []
    keys = {key for key, *_ in from_guide}
    for key in entries:
        if key not in keys:
            result.findings.append(
                Finding(
                    "error",
                    (part, key),
                    f"叠加文件引用的{what}键“{key}”在指南中不存在（指南更新后删除或改名了？）："
                    "请对照导入时列出的变更改写或删去此条",
                    "E-OVERLAY-DANGLING",
                )
            )
    for key, name, data, needs in from_guide:
        if key not in entries:
            result.findings.append(
                Finding(
                    "error",
                    (part,),
                    f"指南中的{what}“{name}”（键 {key}）在叠加文件中没有对应条目：{advice}",
                    "E-OVERLAY-UNHANDLED",
                )
            )
            continue
        entry = entries[key] or {}
        if not isinstance(entry, dict):
            result.findings.append(Finding("error", (part, key), "应为键值对"))
            continue
        if "omit" in entry:
            reason = entry["omit"]
            if not isinstance(reason, str) or not reason.strip() or len(entry) > 1:
                result.findings.append(
                    Finding(
                        "error",
                        (part, key, "omit"),
                        "omit 须单独写一句不提供的原因（如：本厅不受理此事项，请到某处办理）",
                    )
                )
            continue
        for need in needs:
            if need not in entry:
                result.findings.append(
                    Finding("error", (part, key), f"{what}“{name}”的{_NEED_ZH[need]}")
                )
        _apply(data, entry)
        result.origins[(part, len(composed))] = (part, key)
        composed.append(data)
    return composed


def validation_findings(exc: ValidationError, composition: Composition) -> list[Finding]:
    """A composed scenario's validation errors, at the overlay's places where it wrote them."""
    from app.catalog.loader import _PYDANTIC_ZH
    from app.validation_zh import reason_zh

    found = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        message = _PYDANTIC_ZH.get(err["type"]) or reason_zh(err)
        got = err.get("input")
        if err["type"] != "missing" and isinstance(got, str | int | float):
            message += f"，实际为“{got}”"
        where = composition.overlay_loc(loc)
        if where is None:
            described = _describe(composition.data, loc)
            found.append(Finding("error", _part_loc(composition, loc), described + message))
        else:
            found.append(Finding("error", where, message))
    return found


def _part_loc(composition: Composition, loc: Loc) -> Loc:
    """The overlay entry of the part a composed place belongs to, else the overlay's top."""
    if len(loc) >= 2:
        where = composition.overlay_loc(loc[:2])
        if where is not None:
            return where
    return ()


def _describe(data: dict[str, Any], loc: Loc) -> str:
    """``材料“诊断证明”的 department：`` for a composed place the overlay did not write."""
    if len(loc) >= 2 and loc[0] in ("items", "materials") and isinstance(loc[1], int):
        parts = data.get(str(loc[0]), [])
        name = parts[loc[1]].get("name", "") if loc[1] < len(parts) else ""
        what = "事项" if loc[0] == "items" else "材料"
        rest = ".".join(str(s) for s in loc[2:])
        return f"{what}“{name}”的 {rest}（来自指南或须由叠加文件写明）："
    return ".".join(str(s) for s in loc) + "："
