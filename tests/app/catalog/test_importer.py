"""The importer on the platform's own guides: figures as the guide gives them, every key either
mapped or reported, the same bytes on a re-import, and a Chinese refusal for anything else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.base import BaseScenario
from app.catalog.base_files import area_code, base_file_name, base_yaml
from app.catalog.importer import GuideRejected, Imported, import_guide
from app.errors import CatalogError
from app.validation_zh import has_chinese

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
CITY, FURONG = "43PCN0009-430101000000.json", "43PCN0009-430102999000.json"

# materials, items, conditions, FAQ — the reference README's table
FIGURES = {
    CITY: (14, 7, 4, 6),
    FURONG: (14, 7, 4, 6),
    "43TCN0003-430101000000.json": (10, 6, 1, 3),
    "43PCC0001-430101000000.json": (20, 10, 8, 2),
}

# What no fixture's key maps onto (meaning unknown or a platform-internal id); mapping one more key
# must remove it here on purpose.
UNMAPPED = {
    "data.basicInfo.aheadFrequency",
    "data.basicInfo.lbjgId",
    "data.basicInfo.reasonLink",
    "data.onethingCatalogStandServiceGuide.blxs",
    "data.onethingCatalogStandServiceGuide.bszt",
    "data.onethingCatalogStandServiceGuide.gqbjlx",
    "data.onethingCatalogStandServiceGuide.jsms",
    "data.onethingCatalogStandServiceGuide.lbjgId",
    "data.onethingCatalogStandServiceGuide.sfczlct",
    "data.onethingCatalogStandServiceGuide.sfjxtz",
    "data.onethingCatalogStandServiceGuide.sfzdtybj",
    "data.onethingCatalogStandServiceGuide.sfzdysl",
    "data.onethingCatalogStandServiceGuide.sfztxsbl",
    "data.onethingCatalogStandServiceGuide.sxlx",
    "data.onethingCatalogStandServiceGuide.xzbjlx",
    "data.onethingCatalogStandServiceGuide.ywzjfw",
    "data.materialList[].cljm",
    "data.materialList[].sfxtmb",
    "data.materialList[].sfykb",
    "data.materialList[].sfyslb",
    "data.materialList[].tgfs",
    "data.materialList[].type",
    "data.materialList[].zt",
    "data.guideCondition[].zt",
    "data.guidePoint[].zt",
}


def imported(name: str) -> Imported:
    return import_guide((GUIDES / name).read_bytes(), name)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_guide_imports_with_the_figures_it_publishes(name: str) -> None:
    result = imported(name)
    base, counts = result.base, result.report.counts
    materials, items, conditions, faq = FIGURES[name]
    assert (len(base.materials), len(base.items), len(base.conditions), len(base.faq)) == (
        materials,
        items,
        conditions,
        faq,
    )
    assert (counts["materials"], counts["items"]) == (materials, items)
    assert base.header.theme_code == name[:9]
    raw = json.loads((GUIDES / name).read_text(encoding="utf-8"))["data"]
    assert [m.name for m in base.materials] == [m["clmc"] for m in raw["materialList"]]
    assert [i.name for i in base.items] == [a["tyywblxName"] for a in raw["approveList"]]
    assert len({m.key for m in base.materials}) == len(base.materials)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_report_lists_exactly_the_keys_not_mapped(name: str) -> None:
    report = imported(name).report
    assert {u.path for u in report.unmapped} == UNMAPPED
    assert report.notes == ()
    counts = {u.path: u.count for u in report.unmapped}
    assert counts["data.materialList[].tgfs"] == FIGURES[name][0]


def test_newborn_header_materials_and_reform_as_the_guide_says() -> None:
    base = imported(CITY).base
    header = base.header
    assert header.name == "新生儿出生一件事"
    assert (header.checklist_code, header.area_code, header.area_name) == (
        "43PCN0009225J0100",
        "430100",
        "长沙市",
    )
    assert header.departments.lead == "长沙市卫生健康委员会"
    assert header.departments.cooperating == ("公安部门", "人社部门", "卫健部门", "医保部门")
    assert (header.phones.consult, header.phones.complaint) == ("0731-88665266", "0731-12345")
    assert header.promised_days == 5 and header.charged is False
    assert [c.meaning for c in header.channels.online] == ["网站", "湘易办APP"]
    assert header.channels.trips == 0 and header.channels.trips_reason == "可全程网办"
    reform = header.reform
    assert reform.materials and (reform.materials.before, reform.materials.after) == (22, 4)
    assert reform.days and (reform.days.before, reform.days.after) == (72, 5)
    assert reform.trips and (reform.trips.before, reform.trips.after) == (4, 0)
    assert reform.steps and (reform.steps.before, reform.steps.after) == (7, 1)
    assert len(header.flowcharts) == 3

    form = next(m for m in base.materials if m.key == "t1000020")
    assert form.name == "新生儿出生一件事申请表" and form.order == 15
    assert form.exemption and form.exemption.code == "1"
    assert form.exemption_note and form.exemption_note.startswith("由绑定的标准材料系统模板")
    assert form.blank_forms and form.samples
    ethnic = next(m for m in base.materials if m.name == "新生儿民族成份申请")
    assert ethnic.key == "xinshengerminzuchengfenshenqing"
    assert ethnic.required and (ethnic.required.code, ethnic.required.meaning) == (
        "2",
        "非必要（情形性）",
    )
    assert ethnic.filling_notes == "父母双方是不同民族时提供。"
    assert ethnic.material_code is None  # the guide binds none: absent, not invented
    assert ethnic.paper_size == "A4" and ethnic.paper_copies == 1

    birth = base.items[0]
    assert (birth.name, birth.promised_days, birth.result) == (
        "出生医学证明首次签发",
        5,
        "出生医学证明",
    )
    assert base.items[1].result is None  # resultSampleName "" says nothing
    assert base.conditions[0].text == "六个月内在本省助产机构内出生的新生儿"
    assert base.conditions[0].note is None  # smmc "/"
    assert base.faq[0].question == "《出生医学证明》是否可以邮寄？"
    point = base.service_points[0]
    assert (point.name, point.address) == ("长沙市各分娩机构", "全市各分娩机构")
    assert point.hours and point.hours.startswith("法定工作日夏季")
    assert base.charges == ()


def test_charges_and_material_sources_of_the_graduates_guide() -> None:
    base = imported("43PCC0001-430101000000.json").base
    (charge,) = base.charges
    assert (charge.name, charge.standard, charge.item_name) == (
        "邮寄速递费",
        "20元",
        "自贸区人才引进落户",
    )
    assert base.header.charged is True
    sources = {m.source.code for m in base.materials if m.source}
    assert sources == {"10", "20", "99"}
    assert {m.material_code for m in base.materials if m.material_code} == {
        "L1000005",
        "L2000016",
        "L2000017",
        "T0000015",
    }


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_a_re_import_gives_the_same_bytes_and_the_yaml_reads_back(name: str) -> None:
    first, second = base_yaml(imported(name).base), base_yaml(imported(name).base)
    assert first == second
    assert BaseScenario.model_validate(yaml.safe_load(first)) == imported(name).base
    assert "新生儿" in first or "餐饮" in first or "大学生" in first  # Chinese kept, not escaped


def test_two_areas_of_one_theme_differ_only_where_the_reference_says() -> None:
    city = imported(CITY).base.model_dump()
    furong = imported(FURONG).base.model_dump()
    header_changes = {key for key in city["header"] if city["header"][key] != furong["header"][key]}
    assert header_changes == {"checklist_code", "area_code", "area_name", "departments", "phones"}
    assert (
        city["header"]["departments"]["cooperating"]
        == furong["header"]["departments"]["cooperating"]
    )
    assert city["header"]["phones"]["complaint"] == furong["header"]["phones"]["complaint"]
    assert city["service_points"] != furong["service_points"]
    for part in ("items", "conditions", "faq", "charges"):
        assert city[part] == furong[part], part
    assert [m["key"] for m in city["materials"]] != [m["key"] for m in furong["materials"]]
    by_key = {m["key"]: m for m in furong["materials"]}
    assert all(by_key[m["key"]] == m for m in city["materials"])  # same materials, other order
    assert base_file_name(imported(CITY).base) == "43PCN0009-430100.base.yaml"
    assert base_file_name(imported(FURONG).base) == "43PCN0009-430102.base.yaml"


@pytest.mark.parametrize(
    ("code", "area"),
    [("430100", "430100"), ("430101000000", "430100"), ("430102999000", "430102")],
)
def test_area_codes_a_hall_types(code: str, area: str) -> None:
    assert area_code(code) == area


def test_an_unknown_area_code_is_refused_in_chinese() -> None:
    with pytest.raises(CatalogError) as caught:
        area_code("长沙")
    assert "430100" in str(caught.value)


def envelope(data: Any, **top: Any) -> bytes:
    return json.dumps({"code": 0, "data": data, "msg": "ok", **top}, ensure_ascii=False).encode()


def fixture_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GUIDES / CITY).read_text(encoding="utf-8"))["data"]
    return data


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"<html>502</html>", "不是 JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[1, 2]", "应为对象"),
        (b'{"data": {}}', "缺少平台返回码"),
        (b'{"code": 500, "msg": "\xe7\xb3\xbb\xe7\xbb\x9f\xe5\xbc\x82\xe5\xb8\xb8"}', "不是 0"),
        (b'{"code": 0}', "缺少指南内容"),
        (b'{"code": 0, "data": "x"}', "应为对象"),
        (b'{"code": 0, "code": 0, "data": {}}', "重复"),
        (b'{"code": 0, "data": {"sxmc": NaN}}', "不是合法"),
        (b'{"code": 0, "data": {"sxmc": "\\ud800"}}', "无法表示的字符"),
        (envelope({"yjsSsqdbm": "43PCN0009225J0100"}), "缺少一件事名称"),
        (envelope({"sxmc": "x", "yjsSsqdbm": "ABC"}), "实施清单编码"),
        (envelope({**fixture_data(), "materialList": {"a": 1}}), "应为列表"),
        (
            envelope({**fixture_data(), "approveList": [{"cnsxsx": "五天", "tyywblxName": "x"}]}),
            "应为数字",
        ),
        (envelope({**fixture_data(), "basicInfo": {"isCharge": "是"}}), "0 或 1"),
        (envelope({**fixture_data(), "sxmc": ["x"]}), "应为文字"),
    ],
)
def test_bad_input_is_refused_naming_the_file_and_the_place(raw: bytes, words: str) -> None:
    with pytest.raises(GuideRejected) as caught:
        import_guide(raw, "guide.json")
    message = str(caught.value)
    assert "guide.json" in message and words in message, message


def test_a_filled_key_the_importer_does_not_know_is_reported_not_dropped() -> None:
    data = fixture_data()
    data["materialList"][0]["attachList"].append({"fjbm": "100009", "fjmc": "说明.pdf"})
    data["intermediarylist"] = [{"zjmc": "某中介"}]
    data["newKey"] = "新值"
    result = import_guide(envelope(data), "x.json")
    assert result.base.materials[0].other_attachments[0].name == "说明.pdf"
    paths = {u.path for u in result.report.unmapped}
    assert {"data.intermediarylist", "data.newKey"} <= paths


# st.text() leaves out lone surrogates ("\\ud800" in JSON); a guide can hold them
ANY_TEXT = st.lists(st.characters() | st.characters(categories=["Cs"]), max_size=6).map("".join)
JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["", "/", "1", "0", "5.0"])
    | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["sxmc", "yjsSsqdbm", "materialList", "approveList", "guideCondition", "questionInfo",
     "guidePoint", "chargelist", "basicInfo", "onethingCatalogStandServiceGuide", "attachInfo",
     "intermediarylist", "pxh", "clmc", "cnsxsx", "zzclfs", "bltj", "wt", "FEENAME", "isCharge"]
)  # fmt: skip


def _mutate(document: Any, path: list[int], value: Any, delete: bool) -> Any:
    """Replace (or delete) one node of ``document``, chosen by ``path``."""
    document = copy.deepcopy(document)
    node: Any = document
    parent: Any = None
    key: Any = None
    for step in path:
        if isinstance(node, dict) and node:
            parent, key = node, sorted(node)[step % len(node)]
        elif isinstance(node, list) and node:
            parent, key = node, step % len(node)
        else:
            break
        node = parent[key]
    if parent is None or key is None:
        return value
    if delete and isinstance(parent, dict):
        del parent[key]
    else:
        parent[key] = value
    return document


def assert_imports_or_refuses(raw: bytes) -> None:
    try:
        result = import_guide(raw, "fuzz.json")
        base_yaml(result.base).encode("utf-8")
        json.dumps(result.report.to_dict(), ensure_ascii=False).encode("utf-8")
    except CatalogError as exc:
        assert has_chinese(str(exc)) and "fuzz.json" in str(exc), str(exc)


FIXTURE_DOCUMENT = json.loads((GUIDES / CITY).read_text(encoding="utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(KEYS, JSONISH, max_size=8), code=st.sampled_from([0, "0", 1, None]))
def test_fuzz_arbitrary_guides_import_or_are_refused(data: dict[str, Any], code: Any) -> None:
    assert_imports_or_refuses(json.dumps({"code": code, "data": data}).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
    value=JSONISH,
    delete=st.booleans(),
)
def test_fuzz_mutated_fixtures_import_or_are_refused(
    path: list[int], value: Any, delete: bool
) -> None:
    assert_imports_or_refuses(json.dumps(_mutate(FIXTURE_DOCUMENT, path, value, delete)).encode())


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _leaves(value, (*path, key))]
    if isinstance(node, list):
        return [p for n, value in enumerate(node) for p in _leaves(value, (*path, n))]
    return [path]


LEAVES = _leaves(FIXTURE_DOCUMENT)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    leaf=st.sampled_from(LEAVES),
    text=ANY_TEXT,
)
def test_fuzz_any_text_in_any_field_imports_or_is_refused(leaf: tuple[Any, ...], text: str) -> None:
    """Any one value of the guide replaced by any text: surrogates, spaces, 无, nothing."""
    document = copy.deepcopy(FIXTURE_DOCUMENT)
    node = document
    for step in leaf[:-1]:
        node = node[step]
    node[leaf[-1]] = text
    assert_imports_or_refuses(json.dumps(document).encode())


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=200))
def test_fuzz_bytes_import_or_are_refused(raw: bytes) -> None:
    assert_imports_or_refuses(raw)
