"""What changed between two guides: a county's guide against the city's, and a newer guide
against the one imported before — with the overlay entries the change leaves dangling."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.base import BaseScenario
from app.catalog.changes import changes
from app.catalog.importer import import_guide

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
CITY, FURONG = "43PCN0009-430101000000.json", "43PCN0009-430102999000.json"


def guide(name: str = CITY) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GUIDES / name).read_bytes())
    return loaded


def imported(data: dict[str, Any]) -> BaseScenario:
    return import_guide(json.dumps(data, ensure_ascii=False).encode(), "guide.json").base


def test_two_areas_of_one_theme() -> None:
    found = changes(imported(guide(CITY)), imported(guide(FURONG)))
    assert [c.message for c in found] == [
        "地区：长沙市 → 芙蓉区",
        "牵头部门：长沙市卫生健康委员会 → 芙蓉区卫生健康局",
        "咨询电话：0731-88665266 → 0731-84885760",
        "新增办理地点“湖南省长沙市芙蓉区火炬中路8号长沙市芙蓉区卫生健康局202室”"
        "（键 hunanshengzhangshashifurongquhuojuzhongl_dd5a83）",
        "删除办理地点“长沙市各分娩机构”（键 changshashigefenmianjigou）",
    ]
    # the same 14 materials, listed in another order, are not a change
    assert not [c for c in found if c.part == "materials"]


def test_a_newer_guide_reworded_removed_added_and_changed() -> None:
    old = guide()
    new = copy.deepcopy(old)
    data = new["data"]
    materials = data["materialList"]
    by_name = {m["clmc"]: m for m in materials}
    by_name["诊断证明"]["clmc"] = "疾病诊断证明"
    materials.remove(by_name["费用清单"])
    added = copy.deepcopy(by_name["本人银行卡复印件"])
    added["clmc"] = "出院记录"
    materials.append(added)
    by_name["中华人民共和国结婚证"]["tbxz"] = "新生儿父母的结婚证原件。"
    next(a for a in data["approveList"] if a["tyywblxName"] == "出生登记")["cnsxsx"] = 7
    data["basicInfo"]["qtbmmc"] = "长沙市卫生健康委"
    found = {c.message: c for c in changes(imported(old), imported(new))}
    assert set(found) == {
        "牵头部门：长沙市卫生健康委员会 → 长沙市卫生健康委",
        "事项“出生登记”的承诺时限：10 → 7",
        "材料改名：“诊断证明” → “疾病诊断证明”（键 zhenduanzhengming → jibingzhenduanzhengming）",
        "删除材料“费用清单”（键 feiyongqingdan）",
        "新增材料“出院记录”（键 chuyuanjilu）",
        "材料“中华人民共和国结婚证”的填报须知：新生儿父母的结婚证。 → 新生儿父母的结婚证原件。",
    }
    renamed = found[
        "材料改名：“诊断证明” → “疾病诊断证明”（键 zhenduanzhengming → jibingzhenduanzhengming）"
    ]
    assert (renamed.kind, renamed.old_key, renamed.key) == (
        "reworded",
        "zhenduanzhengming",
        "jibingzhenduanzhengming",
    )


def test_the_same_guide_has_no_changes() -> None:
    assert changes(imported(guide()), imported(guide())) == []


@settings(max_examples=40, deadline=None)
@given(
    drop=st.lists(st.integers(0, 13), max_size=4, unique=True),
    rename=st.dictionaries(st.integers(0, 13), st.text(min_size=1, max_size=12), max_size=3),
)
def test_any_edit_of_the_material_list_is_accounted_for(
    drop: list[int], rename: dict[int, str]
) -> None:
    """Every material of either guide is in the list of changes or the same in both."""
    old = guide()
    new = copy.deepcopy(old)
    materials = new["data"]["materialList"]
    for index, name in rename.items():
        if name.strip() and name.strip() not in {"/", "无", "暂无", "暂无。"}:
            materials[index]["clmc"] = name
    new["data"]["materialList"] = [m for i, m in enumerate(materials) if i not in drop]
    a, b = imported(old), imported(new)
    found = changes(a, b)
    keys_before = {m.key for m in a.materials}
    keys_after = {m.key for m in b.materials}
    mentioned = {c.key for c in found} | {c.old_key for c in found}
    assert keys_before ^ keys_after <= mentioned
    for material in b.materials:
        if material.key in keys_before and material.key not in mentioned:
            assert material == next(m for m in a.materials if m.key == material.key)
