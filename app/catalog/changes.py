"""What differs between two bases: a newer guide against the one imported before (re-import), or
two areas' guides of one theme (``onestop catalog diff``).

Parts are matched by their stable key; a part whose key disappeared while a part with a similar
name appeared is reported as reworded (its key changed with its name, so an overlay entry under
the old key must move to the new one). Long texts are shortened in the messages; the change still
says which attribute changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from pydantic import BaseModel

from app.catalog.base import BaseScenario, Code

SIMILAR = 0.6
SHORT = 40


@dataclass(frozen=True)
class Change:
    kind: str  # "added" | "removed" | "reworded" | "changed"
    part: str  # "header" | "items" | "materials" | "conditions" | "faq" | "service_points" | …
    key: str
    message: str
    old_key: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "part": self.part,
            "key": self.key,
            "old_key": self.old_key,
            "message": self.message,
        }


PART_WORDS = {
    "items": "事项",
    "materials": "材料",
    "conditions": "受理条件",
    "faq": "常见问题",
    "service_points": "办理地点",
    "charges": "收费项目",
}

ITEM_ATTRIBUTES = {"promised_days": "承诺时限", "result": "结果物", "service_name": "联办事项名称"}
MATERIAL_ATTRIBUTES = {
    "name": "名称",
    "material_code": "标准材料编码",
    "required": "必要性",
    "form": "材料形式",
    "nature": "材料性质",
    "kind": "材料类型",
    "source": "来源渠道",
    "source_note": "来源说明",
    "exemption": "免提交方式",
    "exemption_note": "免提交说明",
    "paper_copies": "纸质份数",
    "paper_size": "纸质规格",
    "review_standard": "受理标准",
    "filling_notes": "填报须知",
    "legal_basis": "提供依据",
    "blank_forms": "空白表",
    "samples": "样例表",
}
OTHER_ATTRIBUTES = {
    "conditions": {"text": "条件", "note": "说明"},
    "faq": {"answer": "答案"},
    "service_points": {"address": "地址", "hours": "办公时间"},
    "charges": {"standard": "收费标准", "basis": "收费依据"},
}


def shorten(value: Any) -> str:
    if value is None or value in ((), [], ""):
        return "（无）"
    if isinstance(value, Code):
        text = value.meaning or value.code
        return f"{text}（{value.code}）" if value.meaning else text
    if isinstance(value, tuple | list):
        return "、".join(shorten(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _name(part: str, entry: BaseModel) -> str:
    for attribute in ("name", "text", "question"):
        value = getattr(entry, attribute, None)
        if value:
            return str(value)
    return str(getattr(entry, "key", ""))


def changes(old: BaseScenario, new: BaseScenario) -> list[Change]:
    """Everything a maintainer must know to bring an overlay from ``old`` to ``new``."""
    found = _header(old, new)
    found += _parts("items", old.items, new.items, ITEM_ATTRIBUTES)
    found += _parts("materials", old.materials, new.materials, MATERIAL_ATTRIBUTES)
    for part, attributes in OTHER_ATTRIBUTES.items():
        found += _parts(part, getattr(old, part), getattr(new, part), attributes)
    return found


def _header(old: BaseScenario, new: BaseScenario) -> list[Change]:
    found: list[Change] = []
    a, b = old.header, new.header

    def compare(label: str, before: Any, after: Any) -> None:
        if before != after:
            message = f"{label}：{shorten(before)} → {shorten(after)}"
            found.append(Change("changed", "header", label, message))

    compare("名称", a.name, b.name)
    compare("地区", a.area_name, b.area_name)
    compare("牵头部门", a.departments.lead, b.departments.lead)
    gone = [d for d in a.departments.cooperating if d not in b.departments.cooperating]
    came = [d for d in b.departments.cooperating if d not in a.departments.cooperating]
    if gone or came:
        parts = ([f"增加 {'、'.join(came)}"] if came else []) + (
            [f"减少 {'、'.join(gone)}"] if gone else []
        )
        found.append(Change("changed", "header", "配合部门", "配合部门：" + "；".join(parts)))
    compare("承诺办结时限", a.promised_days, b.promised_days)
    compare("咨询电话", a.phones.consult, b.phones.consult)
    compare("投诉电话", a.phones.complaint, b.phones.complaint)
    compare("到现场次数", a.channels.trips, b.channels.trips)
    compare("办理流程说明", a.channels.process_note, b.channels.process_note)
    for name, label in (
        ("materials", "改革后材料数"),
        ("days", "改革后时限"),
        ("trips", "改革后跑动次数"),
        ("steps", "改革后环节数"),
    ):
        before, after = getattr(a.reform, name), getattr(b.reform, name)
        compare(label, before.after if before else None, after.after if after else None)
    return found


def _parts(
    part: str,
    old: Sequence[BaseModel],
    new: Sequence[BaseModel],
    attributes: dict[str, str],
) -> list[Change]:
    word = PART_WORDS[part]

    def key_of(entry: BaseModel) -> str:
        return str(getattr(entry, "key", _name(part, entry)))

    before = {key_of(e): e for e in old}
    after = {key_of(e): e for e in new}
    removed = [k for k in before if k not in after]
    added = [k for k in after if k not in before]
    found: list[Change] = []
    for old_key, new_key in _pairs(removed, added, before, after, part):
        removed.remove(old_key)
        added.remove(new_key)
        was, now = _name(part, before[old_key]), _name(part, after[new_key])
        found.append(
            Change(
                "reworded",
                part,
                new_key,
                f"{word}改名：“{shorten(was)}” → “{shorten(now)}”（键 {old_key} → {new_key}）",
                old_key,
            )
        )
        found += _attributes(
            part,
            new_key,
            was=before[old_key],
            now=after[new_key],
            attributes=attributes,
            name=now,
            reworded=True,
        )
    for key in removed:
        name = shorten(_name(part, before[key]))
        found.append(Change("removed", part, key, f"删除{word}“{name}”（键 {key}）"))
    for key in added:
        name = shorten(_name(part, after[key]))
        found.append(Change("added", part, key, f"新增{word}“{name}”（键 {key}）"))
    for key in before.keys() & after.keys():
        found += _attributes(
            part,
            key,
            was=before[key],
            now=after[key],
            attributes=attributes,
            name=_name(part, after[key]),
        )
    order = {k: i for i, k in enumerate([*after, *before])}
    return sorted(found, key=lambda c: order.get(c.key, len(order)))


def _pairs(
    removed: Iterable[str],
    added: Iterable[str],
    before: dict[str, BaseModel],
    after: dict[str, BaseModel],
    part: str,
) -> list[tuple[str, str]]:
    """Removed and added parts that are one part reworded, most similar first."""
    scored = sorted(
        (
            (SequenceMatcher(None, _name(part, before[a]), _name(part, after[b])).ratio(), a, b)
            for a in removed
            for b in added
        ),
        reverse=True,
    )
    taken: set[str] = set()
    pairs = []
    for ratio, a, b in scored:
        if ratio >= SIMILAR and a not in taken and b not in taken:
            taken |= {a, b}
            pairs.append((a, b))
    return pairs


def _attributes(
    part: str,
    key: str,
    *,
    was: BaseModel,
    now: BaseModel,
    attributes: dict[str, str],
    name: str,
    reworded: bool = False,
) -> list[Change]:
    word = PART_WORDS[part]
    found = []
    for attribute, label in attributes.items():
        if attribute == "name" and part == "materials":
            continue  # a renamed material with the same code: reported below as a change
        before, after = getattr(was, attribute, None), getattr(now, attribute, None)
        if before != after:
            found.append(
                Change(
                    "changed",
                    part,
                    key,
                    f"{word}“{shorten(name)}”的{label}：{shorten(before)} → {shorten(after)}",
                )
            )
    renamed = getattr(was, "name", None) != getattr(now, "name", None)
    if part == "materials" and renamed and not reworded:
        found.append(
            Change(
                "changed",
                part,
                key,
                f"材料改名：“{shorten(getattr(was, 'name', ''))}” → “{shorten(name)}”"
                f"（键 {key} 不变）",
            )
        )
    return found


def render(found: list[Change]) -> list[str]:
    return [change.message for change in found]
