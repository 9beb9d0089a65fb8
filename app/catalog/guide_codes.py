"""The Hunan platform's guide codes and the meanings the reference gives them.

Every meaning here is *inferred* from the data (``reference/hunan/README.md``, "Field codes"), not
taken from platform documentation; codes whose meaning could not be read from the data (材料形式
``clxs``, 材料类型 ``cllx``) have no table and are kept as raw codes only.
"""

from __future__ import annotations

FLOWCHART = "100001"  # attachInfo: 流程图
BLANK_FORM = "100002"  # attachList: 空白表
SAMPLE = "100003"  # attachList: 样例表

REQUIRED = {"1": "必要", "2": "非必要（情形性）"}  # clbyx

NATURE = {"1": "表格/申请书", "2": "证照", "3": "证明/文书", "9": "其他"}  # clxz

SOURCE = {"10": "申请人自备", "20": "政府部门核发", "99": "其他"}  # cllyqd

EXEMPTION = {  # mtjfs; 1–3 and 5 from the explanations the guides give in mtjfssm
    "1": "系统模板自动生成申请表",
    "2": "电子证照关联免提交",
    "3": "受理表单证照核验免提交",
    "4": "申请人提交",
    "5": "取个人中心已上传材料",
}

CHANNEL = {"1": "网站", "2": "湘易办APP"}  # xsblqd / zcblqd; 4 (线下?) uncertain
