"""The built-in scenarios hold what the guides they are imported from say (tests/fixtures/guides/)."""

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
    "43PCC0001": {
        "就业登记": 5, "职工参保登记（灵活就业人员参保）": 1, "档案的接收（个人存档）": 3,
        "档案的转出": 10, "企业参保信息录入": 5, "创业补贴申领": 10, "单位参保登记": 5,
        "自贸区人才引进落户": 10, "就业创业证申领": 5, "住房公积金单位缴存登记": 1,
    },
    "43PCN0010": {
        "居住证": 15, "新生入学信息采集": 15, "不动产权证书": 15, "户籍类证明": 15,
        "社会保险参保缴费记录核查": 5,
    },
    "43PCN0011": {"文化体验": 15, "交通出行": 15, "就医购药": 15, "就业和人力资源服务、社保服务": 35},
    "43TCN0001": {
        "个人独资企业分支机构变更登记": 3, "普通合伙企业变更登记": 3, "有限合伙企业变更登记": 3,
        "非公司企业法人分支机构变更登记": 3, "合伙企业分支机构变更登记": 3, "个人独资企业变更登记": 3,
        "一人有限责任公司变更登记": 3, "非公司企业法人变更登记": 3, "特殊普通合伙企业变更登记": 3,
        "有限（责任）公司变更登记": 3, "股份有限公司变更登记": 3, "分公司变更登记": 3,
        "增值税税控系统专用设备变更发行": 1, "公章刻制备案": 1, "企业参保信息录入": 5,
        "住房公积金缴存业务-住房公积金单位及个人缴存信息变更": 1,
        "农民专业合作社（联合社）分支机构变更登记": 3, "农民专业合作社（联合社）变更登记": 3,
        "基本账户变更": 15,
    },
    "43TCN0002": {
        "企业营业执照信息核验": 2, "道路货物运输经营许可（含普货运输、专用运输、大件运输和网络货运）": 5,
        "货运道路运输证核发": 5,
    },
    "43TCP0014": {
        "职工参保登记（企业在职员工）": 1, "就业登记": 5, "劳动用工备案": 3,
        "档案的接收（单位集体委托存档）": 3, "社会保障卡申领（邮寄卡不激活金融账户）": 30,
        "职工增加登记": 1, "住房公积金缴存业务-个人账户设立": 1,
    },
    "43TCN0007": {
        "企业海关税款缴纳、货物通关信息核查": 5, "企业注册、登记等基本信息核查": 3,
        "统筹相关申请核查信息的受理、分派、汇总和结果送达": 3, "企业不动产登记信息核查": 3,
        "企业车辆信息核查": 3, "社会保险参保缴费记录核查": 3, "企业人员医保缴存信息核查": 3,
        "企业纳税缴税情况信息核查": 5, "企业房产信息核查": 3, "企业人员住房公积金缴存信息核查": 3,
    },
    "43TCN0006": {
        "企业城市管理领域无违法违规信息核查": 1, "企业规划自然资源领域无违法违规信息核查": 1,
        "企业违反劳动保障法律法规信息核查": 1, "企业生态环境保护领域无违法违规信息核查": 1,
        "企业文化和旅游市场领域无违法违规信息核查": 1, "企业市场监管领域无违法违规信息核查": 1,
        "企业应急管理领域无违法违规信息核查": 1, "企业卫生和人员健康领域无违法违规信息核查": 1,
        "企业住房、工程建设领域无违法违规信息核查": 1, "企业水资源保护领域无违法违规信息核查": 1,
        "企业人员住房公积金缴存信息核查": 3, "企业科技领域无违法违规信息核查": 1,
        "企业交通运输领域无违法违规信息核查": 1, "企业知识产权领域无违法违规信息核查": 1,
        "企业合法纳税情况无违法违规信息核查": 1, "刑事犯罪领域无违法违规信息核查": 1,
        "检察公诉领域无违法违规信息核查": 1, "电信监管领域无行政处罚信息核查": 1,
        "发展改革领域无违法违规信息核查": 1, "企业消防安全无违法违规信息核查": 1,
        "司法诉讼领域无违法违规信息核查": 1, "统筹相关申请核查信息的受理、分派、汇总和结果送达": 3,
        "企业民族宗教领域无违法违规信息核查": 1, "公安(含犯罪记录)领域无违法违规信息核查": 1,
        "企业教育领域无违法违规信息核查": 1, "企业工业和信息化管理领域无违法违规信息核查": 1,
        "企业民政领域无违法违规信息核查": 1, "企业商务领域无违法违规信息核查": 1,
        "退役军人管理领域无违法违规信息核查": 1, "企业国资监管领域无违法违规信息核查": 1,
        "企业审计领域无违法违规信息核查": 1, "企业档案管理领域无违法违规信息核查": 1,
        "企业地震领域无违法违规信息核查": 1, "企业气象领域无违法违规信息核查": 1,
        "企业烟草专卖领域无违法违规信息核查": 1, "企业林业领域无违法违规信息核查": 1,
        "企业电影领域无违法违规信息核查": 1, "企业体育领域无违法违规信息核查": 1,
        "企业统计领域无违法违规信息核查": 1, "企业国防动员领域无违法违规信息核查": 1,
        "企业地方金融监管领域无违法违规信息核查": 1, "企业广播电视领域无违法违规信息核查": 1,
        "企业医疗保障领域无违法违规信息核查": 1, "企业邮政管理领域无违法违规信息核查": 1,
        "企业药品监管管理领域无违法违规信息核查": 1, "企业粮食储备领域无违法违规信息核查": 1,
        "企业农业农村领域无违法违规信息核查": 1, "企业新闻出版领域无违法违规信息核查": 1,
        "企业财政领域无违法违规信息核查": 1,
    },
    "43PCN0012": {
        "残疾人证新办": 22, "残疾人证换领": 22, "残疾人证迁移": 22, "残疾人证挂失补办": 8,
        "残疾人证注销": 6, "残疾类别/等级变更": 22, "重度残疾人护理补贴发放": 15,
        "困难残疾人生活补贴发放": 15, "残疾人就业培训": 3, "残疾人就业咨询与职业介绍服务": 7,
        "城乡居民养老保险参保登记": 3, "城乡居民参保登记": 1,
    },
    "43TCN0004": {
        "供排水报装": 1, "供电报装": 1, "燃气报装": 1, "通信报装": 1, "广播电视报装": 1,
        "水电气网接入外线工程联合审批": 5,
    },
}  # fmt: skip

HEADER = {
    # code: (lead department, promised days, before (materials, days, trips, steps), after)
    "43PCN0009": ("长沙市卫生健康委员会", 5, (22, 72, 4, 7), (4, 5, 0, 1)),
    "43TCN0003": ("长沙市市场监督管理局", 4, (32, 37, 5, 4), (10, 4, 1, 1)),
    "43PCN0013": ("长沙市人力资源和社会保障局", 22, (23, 110, 6, 16), (3, 22, 0, 3)),
    "43PCP0008": ("长沙市民政局", 30, (27, 60, 14, 35), (7, 30, 0, 5)),
    "43PCC0001": ("长沙市人力资源和社会保障局", 10, (15, 36, 8, 8), (1, 20, 0, 2)),
    "43PCN0010": ("长沙市教育局", 30, (10, 150, 4, 5), (2, 30, 0, 1)),
    "43PCN0011": ("长沙市人力资源和社会保障局", 1, (4, 25, 1, 1), (1, 1, 0, 0)),
    "43TCN0001": ("长沙市市场监督管理局", 6, (30, 34, 6, 6), (7, 6, 1, 1)),
    "43TCN0002": ("长沙市交通运输局", 5, (22, 30, 6, 7), (6, 5, 0, 2)),
    "43TCP0014": ("长沙市人力资源和社会保障局", 60, (14, 79, 7, 21), (7, 60, 0, 3)),
    "43TCN0007": ("长沙市行政审批服务局", 3, (26, 45, 9, 10), (4, 3, 0, 1)),
    "43TCN0006": (
        "长沙市发展和改革委员会（市粮食和物资储备局）",
        1,
        (20, 30, 20, 20),
        (0, 1, 0, 1),
    ),
    "43PCN0012": ("长沙市残联", 37, (48, 130, 7, 7), (10, 30, 1, 1)),
    "43TCN0004": ("长沙市住房和城乡建设局", 2, (12, 12, 5, 12), (2, 2, 1, 1)),
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
    "43PCC0001": [
        "个人创业一件事申请表",
        "一次性创业补贴申请表",
        "高校离校2年内毕业生证明",
        "劳动合同",
        "《调档函》",
        "营业执照",
        "住房公积金单位缴存登记表",
    ],
    "43PCN0010": [
        "户口簿",
        "不动产权证",
        "房屋买卖合同网签备案证明",
        "社会保险参保缴费记录",
        "居住证",
    ],
    "43PCN0011": ["社会保障卡"],
    "43TCN0001": [
        "《企业信息变更“一件事”申请书》",
        "公司章程",
        "变更事项相关证明文件",
        "批准文件或者许可证件复印件",
        "营业执照",
        "法定代表人身份证明",
        "委托人身份证明和授权委托书",
    ],
    "43TCN0002": [
        "申请开办道路货运企业申请表",
        "安全生产管理制度文本",
        "拟投入运输车辆的承诺书",
        "车辆45°角照片",
        "《道路运输证》配发表",
        "授权委托书",
    ],
    "43TCP0014": [
        "湖南省企业职工基本养老保险职工参保登记申请表",
        "社会保障卡申领个人授权同意书",
        "《拟存档人员名单》",
        "住房公积金汇缴变更清册",
        "《湖南省职工基本医疗保险参保登记表》（新增登记）",
        "个人照片",
        "申请人居民身份证",
        "单位开具的介绍信",
        "劳动合同",
        "原单位辞职、辞退或解除（终止）劳动合同（聘用合同）的证明材料",
        "经办人员有效身份证件",
    ],
    "43TCN0007": [
        "人民法院受理破产案件民事裁定书",
        "指定管理人(或清算组)决定书",
        "管理人(或清算组)授权委托书",
        "经办人员有效身份证件",
    ],
    "43PCN0012": [
        "证件照片",
        "户口迁移证明/迁入地户口本",
        "残疾人注销申明",
        "银行卡信息",
        "证件遗失声明",
        "法定监护人证明材料",
    ],
    "43TCN0004": [
        "法人或经办人（授权委托书）身份证",
        "统一社会信用代码证",
        "用气报装申请函",
        "室内外水、暖、电、道路平面图",
        "光纤到户及通信设施建设执行标准承诺函",
        "用电地址物业权属证明（房屋产权证明或土地权属证明文件等）",
        "建筑总平面图和工程项目弱电图纸",
        "建设工程规划许可证",
    ],
}


def test_every_scenario_is_listed_here_and_no_problem_left_open() -> None:
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
    assert plan.complete and plan.eligible and plan.items and plan.fields
    # materials too, unless the guide publishes that none is needed after the reform (43TCN0006:
    # 改革后材料数 0, 常见问题 “不需要提交资料”)
    assert plan.materials or planner.catalog.scenario(code).reform.after.materials == 0


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
