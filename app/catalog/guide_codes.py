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

# The platform's own bookkeeping, wherever it occurs: record ids, creator/editor ids,
# created/updated timestamps and stored-file details (the reference README's list of the keys its
# curated copies drop). They say nothing a hall can use, so the importer leaves them out of the
# base and counts them in one line of its report instead of listing each as unmapped. The notes
# below are inferred from the values.
BOOKKEEPING = (
    "cjsj",  # 创建时间 (ms timestamp)
    "gxsj",  # 更新时间 (ms timestamp)
    "fjId",
    "fjlj",  # 附件存储路径
    "fjdx",  # 附件大小
    "fjlx",  # 附件扩展名
    "s3tmc",  # 存储桶名
    "sfyx",  # 是否有效 (Y)
    "ywdxId",
    "ywzjId",
    "yjsBldId",
    "yjsBsznbltjId",
    "yjsbsznId",
    "yjsMlSsqdClId",
    "yjsSsqdId",
    "yjsMlSsqdQuestionId",
    "yjsMlBzhId",
    "bzclId",
    "cjrId",
    "gxrId",
    "qtbmId",
    "yjsssqdbsznid",
)
