"""The four built-in scenarios hold what the reference guides say (shared/reference/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalog.catalog import Catalog, problems_of
from app.guide.engine import Planner

# name → promised working days, verbatim from the guides' approveList.
ITEMS = {
    "43PCN0009": {
        "出生医学证明首次签发": 5, "预防接种证办理": 1, "出生登记": 10,
        "社会保障卡申领（邮寄卡不激活金融账户）": 30, "生育医疗待遇支付": 20, "城乡居民参保登记": 1,
        "科学育儿指导服务登记": 15,
    },
    "43TCN0003": {
        "企业营业执照信息核验": 1, "《食品小经营许可证》新办": 10,
        "公众聚集场所投入使用、营业前消防安全检查（告知承诺制流程）": 1,
        "公众聚集场所投入使用、营业前消防安全检查（一般流程）": 10, "《食品经营许可证》新办": 10,
        "户外招牌设施规范管理": 1,
    },
    "43PCN0013": {
        "企业职工基本养老保险养老金申领": 20, "参保人员达到法定退休年龄领取基本养老保险待遇资格确认": 15,
        "基本养老保险视同缴费年限认定": 15, "特殊工种提前退休核准": 15, "新增退休人员养老保险待遇核定发放": 15,
        "基本医疗保险视同缴费年限核定": 35, "在职转退休": 5, "住房公积金提取业务-正常退休提取住房公积金": 1,
        "城镇独生子女父母奖励金": 35, "城镇独生子女父母奖励对象申请": 15, "户籍信息确认": 35,
    },
    "43PCP0008": {
        "遗体火化证明开具": 1, "企业职工养老保险待遇暂停": 1, "企业退休职工(无工伤信息)遗属待遇": 30,
        "企业退休职工(无工伤信息)个人账户余额申领": 30, "基本医疗保险减少登记（终止参保）": 5,
        "参保人员个人账户一次性支取": 10, "驾驶证注销": 3, "已故人员股权登记信息查询(继承人查询)": 2,
        "死亡或被宣告死亡提取住房公积金": 3, "遗嘱公证信息核查": 3, "户口注销": 1, "死亡证办理（正常）": 5,
        "出具死亡证明(非正常死亡)": 2, "已故存款人小额存款提取(继承人提取)": 30,
    },
    "43PCN0012": {
        "残疾人证新办": 22, "残疾人证换领": 22, "残疾人证迁移": 22, "残疾人证挂失补办": 8,
        "残疾人证注销": 6, "残疾类别/等级变更": 22, "重度残疾人护理补贴发放": 15,
        "困难残疾人生活补贴发放": 15, "残疾人就业培训": 3, "残疾人就业咨询与职业介绍服务": 7,
        "城乡居民养老保险参保登记": 3, "城乡居民参保登记": 1,
    },
}  # fmt: skip

HEADER = {
    # code: (lead department, promised days, before (materials, days, trips, steps), after)
    "43PCN0009": ("长沙市卫生健康委员会", 5, (22, 72, 4, 7), (4, 5, 0, 1)),
    "43TCN0003": ("长沙市市场监督管理局", 4, (32, 37, 5, 4), (10, 4, 1, 1)),
    "43PCN0013": ("长沙市人力资源和社会保障局", 22, (23, 110, 6, 16), (3, 22, 0, 3)),
    "43PCP0008": ("长沙市民政局", 30, (27, 60, 14, 35), (7, 30, 0, 5)),
    "43PCN0012": ("长沙市残联", 37, (48, 130, 7, 7), (10, 30, 1, 1)),
}

MATERIALS = {
    "43TCN0003": [
        "开办餐饮店“一件事”申请书",
        "开办餐饮店“一件事”承诺书",
        "场所合法使用证明",
        "与食品经营相适应的主要设各设施布局、操作流程等文件",
        "消防安全检查申报表 （一般流程）",
    ],
    "43PCN0013": [
        "退休一件事申请表",
        "养老金申领承诺书",
        "银行卡信息",
        "公示证明或公示表",
        "申请人影像",
    ],
    "43PCP0008": ["死亡人员身份证", "申请人身份证", "亲属关系证明", "公证书或法院生效判决书"],
    "43PCN0009": ["新生儿出生医学记录", "中华人民共和国结婚证", "出生医学证明签发知情告知书"],
    "43PCN0012": [
        "证件照片",
        "户口迁移证明/迁入地户口本",
        "残疾人注销申明",
        "银行卡信息",
        "证件遗失声明",
        "法定监护人证明材料",
    ],
}


def test_four_scenarios_and_no_problem_left_open() -> None:
    result, problems = problems_of()
    assert {s.scenario.code for s in result.scenarios} == set(ITEMS)
    open_problems = [p.render() for p in problems if p.severity in ("error", "warning")]
    assert open_problems == []


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_items_and_promised_days_are_the_guides(catalog: Catalog, code: str) -> None:
    scenario = catalog.scenario(code)
    assert {i.name: i.promised_days for i in scenario.items} == ITEMS[code]


@pytest.mark.parametrize("code", sorted(HEADER))
def test_header_and_reform_figures(catalog: Catalog, code: str) -> None:
    lead, days, before, after = HEADER[code]
    scenario = catalog.scenario(code)
    assert scenario.lead_department == lead
    assert scenario.promised_days == days
    reform = scenario.reform
    assert (
        reform.before.materials,
        reform.before.days,
        reform.before.trips,
        reform.before.steps,
    ) == before
    assert (
        reform.after.materials,
        reform.after.days,
        reform.after.trips,
        reform.after.steps,
    ) == after


@pytest.mark.parametrize("code", sorted(MATERIALS))
def test_materials_named_as_in_the_guides(catalog: Catalog, code: str) -> None:
    names = {m.name for m in catalog.scenario(code).materials}
    assert set(MATERIALS[code]) <= names


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_guide_content_of_section_5_3_1_2(catalog: Catalog, code: str) -> None:
    guide = catalog.scenario(code).guide
    assert guide.responsible and guide.conditions and guide.process and guide.channels
    assert guide.locations and guide.contacts.consult
    assert guide.service_hours or all(place.hours for place in guide.locations)
    assert guide.time_limit


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_every_review_point_and_decision_is_real(catalog: Catalog, code: str) -> None:
    scenario = catalog.scenario(code)
    submitted = [m for m in scenario.materials if not m.exemption.generated]
    assert all(m.review.formal or m.review.substantive for m in submitted), "审核要点缺失"
    result, problems = problems_of()
    raised = {p.code for p in problems if p.scenario == code and p.code}
    for decision in scenario.decisions:
        for settles in decision.settles:
            assert any(c == settles or c.split(":")[0] == settles for c in raised), (
                f"decision settles {settles}, which the checker no longer raises"
            )


def test_fee_of_the_funeral_scenario(catalog: Catalog) -> None:
    assert any("20元" in fee for fee in catalog.scenario("43PCP0008").guide.fees)


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_a_complete_eligible_walk_exists(planner: Planner, code: str) -> None:
    """Answering every question with its first eligible option gives a complete plan."""
    answers: dict[str, object] = {}
    for _ in range(50):
        state = planner.questions(code, answers)
        assert not state.blocked
        if state.next is None:
            break
        option = next(o for o in state.next.options if not o.stops)
        answers[state.next.id] = [option.value] if state.next.kind == "multi" else option.value
    plan = planner.plan(code, answers)
    assert plan.complete and plan.eligible and plan.items and plan.materials and plan.fields


def test_each_built_in_base_is_its_guide_imported_again() -> None:
    """The built-in catalog's bases are the importer's output on the guides kept as fixtures: a
    change to the importer or a hand edit of a base shows here."""
    from app.catalog.base_files import area_code, base_yaml
    from app.catalog.importer import import_guide
    from app.catalog.loader import builtin_catalog_dir

    guides = Path(__file__).resolve().parents[2] / "fixtures" / "guides"
    bases = sorted(builtin_catalog_dir().glob("*.base.yaml"))
    assert len(bases) >= 2
    by_base = {
        f"{g.name[:9]}-{area_code(g.stem.split('-')[1])}.base.yaml": g
        for g in guides.glob("*.json")
    }
    for base in bases:
        guide = by_base[base.name]
        imported = import_guide(guide.read_bytes(), guide.name).base
        assert base_yaml(imported) == base.read_text(encoding="utf-8"), base.name
