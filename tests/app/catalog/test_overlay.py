"""Base + overlay: a province's guide and a hall's own work make one scenario; what the overlay
does not take up, or refers to in vain, is an error at the overlay's own line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.base import BaseScenario
from app.catalog.base_files import base_file_name, base_yaml
from app.catalog.catalog import load_catalog, problems_of
from app.catalog.importer import import_guide
from app.catalog.loader import builtin_catalog_dir, load_dir
from app.catalog.overlay import Overlay, compose, overlay_file_name

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
CITY = "43PCN0009-430101000000.json"
ITEM = "chushengyixuezhengmingshouciqianfa"  # 出生医学证明首次签发
DIAGNOSIS = "zhenduanzhengming"  # 诊断证明: source code 99 (其他)


def base_of(name: str = CITY) -> BaseScenario:
    return import_guide((GUIDES / name).read_bytes(), name).base


def plain_overlay(base: BaseScenario) -> dict[str, Any]:
    """The least an overlay must say: a department per item, the items a material serves, and
    the source of the materials whose guide code means 其他."""
    return {
        "format": "onestop-overlay/1",
        "base": base_file_name(base),
        "reviewed_guide": base.guide_sha256,
        "scenario": {"audience": "personal", "life_stage": "出生"},
        "items": {i.key: {"department": "测试部门"} for i in base.items},
        "materials": {
            m.key: {"items": [ITEM]} | ({"source": "institution"} if m.source.code == "99" else {})
            for m in base.materials
            if m.source is not None
        },
    }


def folder_with(tmp_path: Path, base: BaseScenario, overlay: dict[str, Any] | str) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir(exist_ok=True)
    shutil.copy(builtin_catalog_dir() / "_catalog.yaml", folder / "_catalog.yaml")
    (folder / base_file_name(base)).write_text(base_yaml(base), encoding="utf-8")
    text = overlay if isinstance(overlay, str) else yaml.safe_dump(overlay, allow_unicode=True)
    (folder / overlay_file_name(base_file_name(base))).write_text(text, encoding="utf-8")
    return folder


def rendered(folder: Path, severity: str = "error") -> list[str]:
    return [p.render() for p in problems_of(folder)[1] if p.severity == severity]


def test_the_guide_says_what_it_says_and_the_overlay_the_rest(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    overlay["items"][ITEM] |= {"id": "birth_certificate", "item_type": "公共服务"}
    overlay["materials"]["fumushenfenzheng"] = {
        "id": "parents_id",
        "items": ["birth_certificate"],
        "exemption": {"e_licence": "居民身份证"},
        "local": {"exemption": "指南写“父母身份证”，电子证照类型为居民身份证"},
    }
    for entry in overlay["materials"].values():
        entry["items"] = ["birth_certificate"]
    scenario = load_catalog(folder_with(tmp_path, base, overlay)).scenario("43PCN0009")

    assert scenario.name == "新生儿出生一件事" and scenario.region == "长沙市"
    assert scenario.lead_department == "长沙市卫生健康委员会"
    assert scenario.cooperating_departments == ("公安部门", "人社部门", "卫健部门", "医保部门")
    assert scenario.promised_days == 5
    assert (scenario.reform.before.materials, scenario.reform.after.materials) == (22, 4)
    assert scenario.guide.contacts.consult == ("0731-88665266",)
    assert len(scenario.guide.conditions) == 4 and len(scenario.faq) == 6
    first = scenario.items[0]
    assert (first.id, first.name, first.promised_days, first.result.name) == (
        "birth_certificate",
        "出生医学证明首次签发",
        5,
        "出生医学证明",
    )
    assert first.item_type == "公共服务" and first.department == "测试部门"
    by_name = {m.name: m for m in scenario.materials}
    # mtjfs 1 (系统模板自动生成申请表): the system makes it
    form = by_name["新生儿出生一件事申请表"]
    assert (form.id, form.platform_code, form.source, form.exemption.generated) == (
        "t1000020",
        "T1000020",
        "system",
        True,
    )
    assert form.blank_form.startswith("“新生儿出生一件事一次办”申请表")
    # clbyx 2 (非必要) without a condition: optional; cllyqd 20: issued by a department
    assert by_name["新生儿民族成份申请"].required is False
    assert by_name["居民户口簿"].source == "government"
    assert by_name["居民户口簿"].exemption.e_licence == "居民户口簿"  # mtjfs 3: verified licence
    # the overlay's value replaces the guide's; its local mark says why
    parents = by_name["父母身份证"]
    assert (parents.id, parents.exemption.e_licence) == ("parents_id", "居民身份证")
    assert parents.local == {"exemption": "指南写“父母身份证”，电子证照类型为居民身份证"}
    assert by_name["诊断证明"].source == "institution"
    assert by_name["新生儿出生医学记录"].review.formal == ("①清晰无涂改；②加盖单位公章",)
    # the guide's own order (排序号 pxh), not the order of its list
    orders = {m.name: m.order or 0 for m in base.materials}
    listed = [orders[m.name] for m in scenario.materials]
    assert listed == sorted(listed)


def test_a_guide_material_the_overlay_does_not_take_up_stops_the_scenario(
    tmp_path: Path,
) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    del overlay["materials"]["juminhukoubu"]
    folder = folder_with(tmp_path, base, overlay)
    (message,) = rendered(folder)
    assert "指南中的材料“居民户口簿”（键 juminhukoubu）在叠加文件中没有对应条目" in message
    assert "E-OVERLAY-UNHANDLED" in message
    assert load_dir(folder).scenarios == ()


def test_omit_leaves_a_part_out_with_its_reason(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    overlay["materials"]["juminhukoubu"] = {"omit": "本厅通过数据共享核验户籍，不收户口簿"}
    folder = folder_with(tmp_path, base, overlay)
    assert rendered(folder) == []
    names = [m.name for m in load_catalog(folder).scenario("43PCN0009").materials]
    assert "居民户口簿" not in names and len(names) == 13
    overlay["materials"]["juminhukoubu"] = {"omit": "", "items": [ITEM]}
    (message,) = rendered(folder_with(tmp_path, base, overlay))
    assert "omit 须单独写一句不提供的原因" in message


def test_a_key_the_guide_no_longer_has_is_named_at_its_line(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    overlay["materials"]["jiumingcheng"] = {"items": [ITEM]}
    text = yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False)
    folder = folder_with(tmp_path, base, text)
    (problem,) = [p for p in problems_of(folder)[1] if p.severity == "error"]
    assert problem.code == "E-OVERLAY-DANGLING"
    assert "叠加文件引用的材料键“jiumingcheng”在指南中不存在" in problem.message
    assert problem.line == text.splitlines().index("  jiumingcheng:") + 1
    assert problem.file.endswith("43PCN0009-430100.overlay.yaml")


def test_the_overlay_must_say_what_a_code_without_a_meaning_means(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    del overlay["materials"][DIAGNOSIS]["source"]
    (message,) = rendered(folder_with(tmp_path, base, overlay))
    assert "材料“诊断证明”的来源渠道为“其他”或含义不明，请写明 source" in message


def test_a_typo_in_an_entry_is_reported_at_the_overlay_line(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    overlay["items"][ITEM] = {"department": "卫健", "promised_dayz": 3}
    text = yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False)
    (problem,) = [
        p for p in problems_of(folder_with(tmp_path, base, text))[1] if p.severity == "error"
    ]
    assert problem.path == f"items.{ITEM}.promised_dayz"
    assert "不认识的键" in problem.message
    assert problem.line == text.splitlines().index("    promised_dayz: 3") + 1


def test_the_checker_names_overlay_places_on_a_composed_scenario(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    overlay["materials"]["juminhukoubu"] = {"items": ["no_such_item"]}
    text = yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False)
    (problem,) = [
        p for p in problems_of(folder_with(tmp_path, base, text))[1] if p.severity == "error"
    ]
    assert problem.path == "materials.juminhukoubu.items[0]"
    assert "引用了不存在的事项“no_such_item”" in problem.message
    assert problem.line == text.splitlines().index("    - no_such_item") + 1


def test_a_reimported_guide_asks_for_the_overlay_to_be_reviewed(tmp_path: Path) -> None:
    base = base_of()
    overlay = plain_overlay(base) | {"reviewed_guide": "0" * 64}
    warnings = rendered(folder_with(tmp_path, base, overlay), "warning")
    (message,) = [w for w in warnings if "W-OVERLAY-UNREVIEWED" in w]
    assert base.guide_sha256 in message
    assert not any(
        "W-OVERLAY-UNREVIEWED" in w
        for w in rendered(folder_with(tmp_path, base, plain_overlay(base)), "warning")
    )


def test_an_imported_guide_without_overlay_is_not_silently_dropped(tmp_path: Path) -> None:
    base = base_of()
    folder = folder_with(tmp_path, base, plain_overlay(base))
    other = base_of("43TCN0003-430101000000.json")
    (folder / base_file_name(other)).write_text(base_yaml(other), encoding="utf-8")
    (message,) = [w for w in rendered(folder, "warning") if "W-BASE-UNUSED" in w]
    assert "43TCN0003-430100.base.yaml" in message
    assert "43TCN0003-430100.overlay.yaml" in message


def test_an_overlay_naming_no_base_in_its_folder(tmp_path: Path) -> None:
    base = base_of()
    folder = folder_with(
        tmp_path, base, plain_overlay(base) | {"base": "43XXX0001-430100.base.yaml"}
    )
    assert any(
        "基础事项文件“43XXX0001-430100.base.yaml”不在同一文件夹中" in m for m in rendered(folder)
    )


def test_a_hand_edited_base_is_refused(tmp_path: Path) -> None:
    base = base_of()
    folder = folder_with(tmp_path, base, plain_overlay(base))
    path = folder / base_file_name(base)
    path.write_text(path.read_text(encoding="utf-8").replace("header:", "headr:"), "utf-8")
    assert any("基础事项文件不应手工修改" in m for m in rendered(folder))


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    part=st.sampled_from(
        ["scenario", "items", "materials", "questions", "fields", "faq", "extra_materials"]
    ),
    value=_values,
    key=st.sampled_from([ITEM, "juminhukoubu", "id", "items", "when", "omit", "guide"]),
)
def test_any_overlay_gives_problems_in_chinese_never_a_crash(
    tmp_path: Path, part: str, value: Any, key: str
) -> None:
    base = base_of()
    overlay = plain_overlay(base)
    target = overlay.setdefault(part, {})
    if isinstance(target, dict):
        entry = target.get(key)
        if isinstance(entry, dict) and isinstance(value, dict):
            entry.update(value)
        else:
            target[key] = value
    else:
        overlay[part] = value
    folder = folder_with(tmp_path, base, overlay)
    for problem in problems_of(folder)[1]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message), problem.render()


def test_compose_is_pure_and_the_same_twice() -> None:
    base = base_of()
    overlay = Overlay.model_validate(plain_overlay(base))
    assert compose(base, overlay).data == compose(base, overlay).data


@pytest.mark.parametrize("name", ["43PCN0009-430101000000.json", "43TCN0003-430101000000.json"])
def test_every_guide_value_lands_somewhere_a_clerk_sees(name: str) -> None:
    """The composed scenario keeps each material's filling notes, review standard and forms."""
    base = base_of(name)
    overlay = plain_overlay(base)
    if name.startswith("43TCN"):
        overlay["scenario"] = {"audience": "enterprise", "life_stage": "准入准营"}
        first = base.items[0].key
        for entry in overlay["materials"].values():
            entry["items"] = [first]
        overlay["items"] = {i.key: {"department": "测试部门"} for i in base.items}
        overlay["materials"] = {k: {**v, "items": [first]} for k, v in overlay["materials"].items()}
    data = compose(base, Overlay.model_validate(overlay)).data
    by_name = {m["name"]: m for m in data["materials"]}
    for material in base.materials:
        composed = by_name[material.name]
        if material.filling_notes:
            assert composed["notes"] == material.filling_notes
        if material.review_standard:
            assert material.review_standard in composed["review"]["formal"]
        if material.blank_forms:
            assert composed["blank_form"] == material.blank_forms[0]
