"""The importer on the platform's own guides: figures as the guide gives them, every key either
mapped or reported, the same bytes on a re-import, and a Chinese refusal for anything else."""

from __future__ import annotations

import copy
import functools
import json
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.base import BaseScenario, Figure
from app.catalog.base_files import area_code, base_file_name, base_yaml
from app.catalog.guide_codes import BOOKKEEPING
from app.catalog.importer import GuideRejected, Imported, import_guide
from app.catalog.keys import slug
from app.errors import CatalogError
from app.validation_zh import has_chinese

GUIDES = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
CITY, FURONG = "43PCN0009-430101000000.json", "43PCN0009-430102999000.json"
GRADUATES = "43PCC0001-430101000000.json"  # 大学生就业创业落户: the curated copy with a charge


class Figures(NamedTuple):
    """What a guide file holds, counted in its JSON (``len`` of each list; bookkeeping keys
    anywhere), not by the importer; for the four curated copies, the reference README's table."""

    materials: int
    items: int
    conditions: int
    faq: int
    points: int
    charges: int
    internal: int = 0


FIGURES = {
    CITY: Figures(14, 7, 4, 6, 1, 0),
    FURONG: Figures(14, 7, 4, 6, 1, 0),
    "43TCN0003-430101000000.json": Figures(10, 6, 1, 3, 1, 0),
    "43PCC0001-430101000000.json": Figures(20, 10, 8, 2, 1, 1),
    # raw copies of the 2024 national key items' 长沙市直 guides, bookkeeping keys kept
    "43PCN0010-430101000000.json": Figures(5, 5, 1, 3, 1, 0, internal=59),
    "43PCN0011-430101000000.json": Figures(1, 4, 1, 23, 1, 0, internal=106),
    "43PCN0012-430101000000.json": Figures(10, 12, 15, 35, 1, 0, internal=210),
    "43PCN0013-430101000000.json": Figures(8, 11, 1, 34, 1, 0, internal=192),
    "43PCP0008-430101000000.json": Figures(8, 14, 1, 1, 2, 1, internal=107),
    "43TCN0001-430101000000.json": Figures(7, 19, 1, 0, 1, 0, internal=65),
    "43TCN0002-430101000000.json": Figures(15, 3, 2, 20, 1, 0, internal=177),
    "43TCN0004-430101000000.json": Figures(14, 6, 1, 20, 1, 0, internal=157),
    "43TCN0006-430101000000.json": Figures(0, 49, 2, 21, 1, 0, internal=76),
    "43TCN0007-430101000000.json": Figures(4, 10, 3, 4, 1, 0, internal=61),
    "43TCP0014-430101000000.json": Figures(11, 7, 2, 6, 2, 0, internal=183),
}
RAW = sorted(name for name, figures in FIGURES.items() if figures.internal)

# What no curated fixture's key maps onto (meaning unknown, or an id the reference keeps); mapping
# one more key must remove it here on purpose. Bookkeeping keys are counted apart (BOOKKEEPING).
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
GUIDE = "data.onethingCatalogStandServiceGuide."
# A guide's own differences from UNMAPPED: keys it lacks, and keys only it has (jdtsdz holds a phone
# number in 社保卡 and an address elsewhere; zzzdtzdz is a link the reference does not name).
UNMAPPED_ABSENT = {
    "43PCN0010-430101000000.json": {
        "data.materialList[].sfxtmb",
        "data.materialList[].type",
        GUIDE + "ywzjfw",
    },
    "43PCN0011-430101000000.json": {GUIDE + "ywzjfw"},
    "43TCN0006-430101000000.json": {p for p in UNMAPPED if p.startswith("data.materialList[]")},
    "43TCN0007-430101000000.json": {"data.materialList[].sfxtmb", "data.materialList[].type"},
}
UNMAPPED_EXTRA = {
    "43PCN0011-430101000000.json": {GUIDE + "jdtsdz", GUIDE + "zzzdtzdz"},
    "43TCN0007-430101000000.json": {GUIDE + "jdtsdz"},
    "43TCP0014-430101000000.json": {GUIDE + "jdtsdz", GUIDE + "zzzdtzdz"},
}
NOTES = {
    "43PCN0011-430101000000.json": (  # two FAQ entries ask the same question, answers differ
        "键 shebaokashifouxuyaogenghuan 重复，第 2 个记为 shebaokashifouxuyaogenghuan_2",
    ),
    "43PCN0012-430101000000.json": (  # the same FAQ entry twice (pxh 1 and 4)
        "键 gaoxiaobanchengcanjirenfuwuyijianshishis_d14c8f 重复，"
        "第 2 个记为 gaoxiaobanchengcanjirenfuwuyijianshishis_d14c8f_2",
    ),
    "43PCP0008-430101000000.json": (
        "材料“湖南省个人身后“一件事”承诺函”的标准材料编码“T1000NaN”不完整，键改由材料名称生成",
    ),
    "43TCN0006-430101000000.json": ("指南没有列出申请材料（data.materialList 为空或缺少）",),
    "43TCP0014-430101000000.json": (
        "办理地点 data.guidePoint[0] 的名称只是数字“1”，像是占位内容，请核对",
    ),
}


def bookkeeping_in(node: Any) -> Counter[str]:
    """Every bookkeeping key in a JSON document, wherever it sits."""
    found: Counter[str] = Counter()
    if isinstance(node, dict):
        found.update(key for key in node if key in BOOKKEEPING)
        for value in node.values():
            found += bookkeeping_in(value)
    elif isinstance(node, list):
        for value in node:
            found += bookkeeping_in(value)
    return found


@functools.cache
def imported(name: str) -> Imported:
    """One import per fixture for the whole module: the result is frozen."""
    return import_guide((GUIDES / name).read_bytes(), name)


def test_the_figures_are_what_the_guide_files_hold() -> None:
    """The pins below are the files' own counts: a fixture edited by mistake fails here."""
    assert sorted(p.name for p in GUIDES.glob("*.json")) == sorted(FIGURES)
    for name, figures in FIGURES.items():
        document = json.loads((GUIDES / name).read_text(encoding="utf-8"))
        data = document["data"]
        lists = ("materialList", "approveList", "guideCondition", "questionInfo", "guidePoint")
        materials, items, conditions, faq, points = (len(data[key]) for key in lists)
        charges, internal = len(data["chargelist"] or []), sum(bookkeeping_in(document).values())
        held = Figures(materials, items, conditions, faq, points, charges, internal)
        assert held == figures, name


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_guide_imports_with_the_figures_it_publishes(name: str) -> None:
    result = imported(name)
    base, counts = result.base, result.report.counts
    figures = FIGURES[name]
    assert (
        len(base.materials),
        len(base.items),
        len(base.conditions),
        len(base.faq),
        len(base.service_points),
        len(base.charges),
    ) == figures[:6]
    assert (counts["materials"], counts["items"], counts["faq"]) == (
        figures.materials,
        figures.items,
        figures.faq,
    )
    assert base.header.theme_code == name[:9]
    assert base.header.area_code == area_code(name[10:22])  # the file name's 12-digit code
    raw = json.loads((GUIDES / name).read_text(encoding="utf-8"))["data"]
    assert [m.name for m in base.materials] == [m["clmc"] for m in raw["materialList"]]
    assert [i.name for i in base.items] == [a["tyywblxName"] for a in raw["approveList"]]
    assert len({m.key for m in base.materials}) == len(base.materials)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_report_lists_exactly_the_keys_not_mapped(name: str) -> None:
    report = imported(name).report
    expected = UNMAPPED - UNMAPPED_ABSENT.get(name, set()) | UNMAPPED_EXTRA.get(name, set())
    assert {u.path for u in report.unmapped} == expected
    assert report.notes == NOTES.get(name, ())
    counts = {u.path: u.count for u in report.unmapped}
    assert counts.get("data.materialList[].tgfs", 0) == FIGURES[name].materials


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_bookkeeping_keys_are_counted_once_in_the_report_never_listed(name: str) -> None:
    report = imported(name).report
    document = json.loads((GUIDES / name).read_text(encoding="utf-8"))
    assert dict(report.internal) == dict(bookkeeping_in(document))
    assert report.internal_count == FIGURES[name].internal
    assert [key for key, _ in report.internal] == [
        k for k in BOOKKEEPING if k in dict(report.internal)
    ]
    assert not [u.path for u in report.unmapped if u.path.rsplit(".", 1)[-1] in BOOKKEEPING]
    assert report.to_dict()["internal"] == {
        "count": FIGURES[name].internal,
        "keys": dict(report.internal),
    }


def _without_bookkeeping(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_bookkeeping(v) for k, v in node.items() if k not in BOOKKEEPING}
    if isinstance(node, list):
        return [_without_bookkeeping(v) for v in node]
    return node


@pytest.mark.parametrize("name", RAW)
def test_a_raw_guide_imports_as_its_copy_without_bookkeeping_keys(name: str) -> None:
    """The reference's curated copies drop exactly these keys: importing either gives one base."""
    raw = imported(name)
    document = json.loads((GUIDES / name).read_text(encoding="utf-8"))
    curated = import_guide(envelope_of(_without_bookkeeping(document)), name)
    assert raw.base.model_copy(update={"guide_sha256": ""}) == curated.base.model_copy(
        update={"guide_sha256": ""}
    )
    assert (raw.report.unmapped, raw.report.notes) == (
        curated.report.unmapped,
        curated.report.notes,
    )
    assert curated.report.internal == ()


def envelope_of(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


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


def test_a_version_of_letters_in_the_checklist_code_is_accepted() -> None:
    header = imported("43PCN0012-430101000000.json").base.header
    assert (header.checklist_code, header.theme_code, header.area_code) == (
        "43PCN0012B24J0100",
        "43PCN0012",
        "430100",
    )
    assert header.departments.lead == "长沙市残联"
    assert (header.promised_days, header.completed_limit) == (37, 37)


def test_the_guide_headers_own_contacts_are_kept_apart_from_the_local_phones() -> None:
    header = imported("43PCN0011-430101000000.json").base.header
    assert (header.phones.consult, header.phones.complaint) == ("0731-84907798", "0731-84907966")
    contacts = header.guide_contacts
    assert (contacts.consult_phone, contacts.consult_address, contacts.complaint_phone) == (
        "12333",
        "湖南省长沙市天心区银杏路6号",
        "0731-82212345",
    )
    assert imported(CITY).base.header.guide_contacts == type(contacts)()


def test_another_online_channel_is_named() -> None:
    channels = imported("43TCN0002-430101000000.json").base.header.channels
    assert [c.code for c in channels.online] == ["1", "2", "3"]
    assert channels.online_other == "道运通APP"


def test_a_broken_material_code_is_kept_but_not_used_as_the_key() -> None:
    base = imported("43PCP0008-430101000000.json").base
    pledge = next(m for m in base.materials if m.material_code == "T1000NaN")
    assert pledge.key.startswith("hunanshenggerenshenhouyijianshichengnuoh")  # its name
    ids = sorted(m.key for m in base.materials if m.material_code == "L2000016")
    assert ids == ["l2000016_shenqingrenshenfenzheng", "l2000016_siwangrenyuanshenfenzheng"]
    (charge,) = base.charges
    assert (charge.name, charge.item_name, base.header.charged) == (
        "邮寄速递费",
        "死亡人员户口注销",
        True,
    )


def test_a_guide_without_materials_imports_and_says_so() -> None:
    result = imported("43TCN0006-430101000000.json")
    assert result.base.materials == ()
    assert result.base.header.reform.materials == Figure(before=20, after=0)
    data = fixture_data()
    del data["materialList"], data["approveList"]
    notes = import_guide(envelope(data), "x.json").report.notes
    assert notes == (
        "指南没有列出联办事项（data.approveList 为空或缺少）",
        "指南没有列出申请材料（data.materialList 为空或缺少）",
    )


def test_numbers_written_as_text_are_numbers_and_a_missing_promise_is_noted() -> None:
    data = fixture_data()
    data["approveList"][0]["cnsxsx"] = "15"
    data["approveList"][1]["cnsxsx"] = ""
    data["materialList"][0]["pxh"] = "2.0"
    result = import_guide(envelope(data), "x.json")
    first, second = result.base.items[:2]
    assert (first.promised_days, second.promised_days) == (15, None)
    assert result.base.materials[0].order == 2
    assert result.report.notes == (
        f"事项“{second.name}”没有承诺时限（data.approveList[1].cnsxsx）",
    )


def test_the_new_header_fields_and_notes_on_a_made_up_guide() -> None:
    data = fixture_data()
    data["onethingCatalogStandServiceGuide"].update(
        zxdh="12333",
        zxdz="湖南省长沙市天心区银杏路6号",
        jdtsdh="0731-82212345",
        xsblqdQt="信用中国",
    )
    data["materialList"][0]["materialCode"] = "T1000NaN"
    data["guidePoint"][0].update(bldmc="1", pointName="1")
    result = import_guide(envelope(data), "x.json")
    header = result.base.header
    assert header.guide_contacts.model_dump() == {
        "consult_phone": "12333",
        "consult_address": "湖南省长沙市天心区银杏路6号",
        "complaint_phone": "0731-82212345",
    }
    assert header.channels.online_other == "信用中国"
    material = result.base.materials[0]
    assert (material.material_code, material.key) == ("T1000NaN", slug(material.name))
    assert result.base.service_points[0].name == "1"
    assert result.report.notes == (
        f"材料“{material.name}”的标准材料编码“T1000NaN”不完整，键改由材料名称生成",
        "办理地点 data.guidePoint[0] 的名称只是数字“1”，像是占位内容，请核对",
    )


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_a_re_import_gives_the_same_bytes_and_the_yaml_reads_back(name: str) -> None:
    first, second = base_yaml(imported(name).base), base_yaml(imported(name).base)
    assert first == second
    assert BaseScenario.model_validate(yaml.safe_load(first)) == imported(name).base
    assert f"name: {imported(name).base.header.name}\n" in first  # Chinese kept, not escaped


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
        (envelope({"data": fixture_data()}), "缺少一件事名称"),  # data nested once more
        (envelope({**fixture_data(), "basicInfo": [fixture_data()["basicInfo"]]}), "应为对象"),
        (envelope({**fixture_data(), "yjsSsqdbm": "43PCN0009-225J0100"}), "实施清单编码"),
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
     "intermediarylist", "pxh", "clmc", "cnsxsx", "zzclfs", "bltj", "wt", "FEENAME", "isCharge",
     "cjsj", "yjsSsqdId", "qtbmId"]
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
# a raw guide too, so the fuzz also mutates bookkeeping keys, charges and two service points
RAW_DOCUMENT = json.loads((GUIDES / "43PCP0008-430101000000.json").read_text(encoding="utf-8"))
DOCUMENTS = st.sampled_from([FIXTURE_DOCUMENT, RAW_DOCUMENT])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(KEYS, JSONISH, max_size=8), code=st.sampled_from([0, "0", 1, None]))
def test_fuzz_arbitrary_guides_import_or_are_refused(data: dict[str, Any], code: Any) -> None:
    assert_imports_or_refuses(json.dumps({"code": code, "data": data}).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=DOCUMENTS,
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
    value=JSONISH,
    delete=st.booleans(),
)
def test_fuzz_mutated_fixtures_import_or_are_refused(
    document: Any, path: list[int], value: Any, delete: bool
) -> None:
    assert_imports_or_refuses(json.dumps(_mutate(document, path, value, delete)).encode())


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _leaves(value, (*path, key))]
    if isinstance(node, list):
        return [p for n, value in enumerate(node) for p in _leaves(value, (*path, n))]
    return [path]


LEAVES = [(FIXTURE_DOCUMENT, leaf) for leaf in _leaves(FIXTURE_DOCUMENT)] + [
    (RAW_DOCUMENT, leaf) for leaf in _leaves(RAW_DOCUMENT)
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    leaf=st.sampled_from(LEAVES),
    text=ANY_TEXT,
)
def test_fuzz_any_text_in_any_field_imports_or_is_refused(
    leaf: tuple[Any, tuple[Any, ...]], text: str
) -> None:
    """Any one value of a guide replaced by any text: surrogates, spaces, 无, nothing."""
    original, leaf_path = leaf
    document = copy.deepcopy(original)
    node = document
    for step in leaf_path[:-1]:
        node = node[step]
    node[leaf_path[-1]] = text
    assert_imports_or_refuses(json.dumps(document).encode())


def _objects_read(document: Any) -> list[tuple[Any, ...]]:
    """Paths of every object the importer reads: the envelope, ``data``, its two header objects
    and each entry of its lists (with each material's attachments)."""
    data = document["data"]
    paths: list[tuple[Any, ...]] = [(), ("data",)]
    paths += [("data", key) for key in ("basicInfo", "onethingCatalogStandServiceGuide")]
    lists = ("materialList", "approveList", "guideCondition", "questionInfo", "guidePoint")
    for key in (*lists, "chargelist", "attachInfo"):
        for n, entry in enumerate(data[key] or []):
            paths.append(("data", key, n))
            if key == "materialList":
                paths += [
                    ("data", key, n, "attachList", m) for m in range(len(entry["attachList"]))
                ]
    return paths


CURATED = {
    name: json.loads((GUIDES / name).read_text(encoding="utf-8")) for name in (CITY, GRADUATES)
}
OBJECTS_READ = [
    (name, path) for name, document in CURATED.items() for path in _objects_read(document)
]
# any JSON value a UTF-8 file can hold (a lone surrogate anywhere refuses the whole file)
STORED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(OBJECTS_READ), key=st.sampled_from(BOOKKEEPING), value=STORED)
def test_fuzz_a_bookkeeping_key_anywhere_changes_nothing_but_its_count(
    place: tuple[str, tuple[Any, ...]], key: str, value: Any
) -> None:
    """Whatever a bookkeeping key holds and wherever it sits, the base and the listed keys stay as
    they were and the key is counted once."""
    name, path = place
    document = copy.deepcopy(CURATED[name])
    node = document
    for step in path:
        node = node[step]
    assert key not in node  # the curated copies hold none
    node[key] = value
    result = import_guide(json.dumps(document).encode(), name)
    before = imported(name)
    assert result.base.model_copy(update={"guide_sha256": ""}) == before.base.model_copy(
        update={"guide_sha256": ""}
    )
    assert (result.report.unmapped, result.report.notes) == (
        before.report.unmapped,
        before.report.notes,
    )
    assert result.report.internal == ((key, 1),)


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=200))
def test_fuzz_bytes_import_or_are_refused(raw: bytes) -> None:
    assert_imports_or_refuses(raw)


@pytest.mark.parametrize(
    ("checklist", "theme"),
    [
        ("43PCN0009225J0100", "43PCN0009"),
        # gov-wiki/raw/onething/guides/43TC1700200Y/049AD17BC49C4455923E5910F5AED137.json
        # (经营性项目验收开业, hunan-gov-wiki-data): the province's older theme numbering
        ("43TC1700200YA25J0100", "43TC1700200Y"),
        ("43TC18001000A25J0100", "43TC18001000"),  # 大件运输一件事
    ],
)
def test_both_kinds_of_theme_code_are_read_from_the_checklist(checklist: str, theme: str) -> None:
    result = import_guide(envelope({**fixture_data(), "yjsSsqdbm": checklist}), "x.json")
    assert (result.base.header.theme_code, result.base.header.area_code) == (theme, "430100")
