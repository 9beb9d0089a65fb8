"""The kiosk's pictures: icons from a maintained icon font (qtawesome's Material Design Icons),
never drawn by hand. Which icon a life stage, a scenario or a button shows is data — the maps
below, a scenario's code first, then its life stage, then :data:`DEFAULT` — so a new scenario
in the catalog gets a picture without code, and a better one by adding a line here."""

from __future__ import annotations

import os

from PySide6.QtGui import QIcon

os.environ.setdefault("QT_API", "pyside6")  # qtawesome speaks to Qt through qtpy: ours is PySide6
import qtawesome  # noqa: E402 (after the binding is chosen)

DEFAULT = "mdi6.file-document-multiple"

STAGES = {
    "出生": "mdi6.baby-carriage", "教育": "mdi6.school", "就业": "mdi6.briefcase",
    "生活": "mdi6.home-heart", "置业": "mdi6.home-city", "出行": "mdi6.bus",
    "就医": "mdi6.hospital-box", "救助": "mdi6.hand-heart", "养老": "mdi6.human-cane",
    "身后": "mdi6.flower-tulip-outline",
    "准入准营": "mdi6.store", "招聘用工": "mdi6.account-hard-hat", "纳税缴费": "mdi6.cash",
    "经营发展": "mdi6.chart-line", "工程建设": "mdi6.crane", "注销退出": "mdi6.store-remove",
}  # fmt: skip

SCENARIOS = {
    "43PCN0009": "mdi6.baby-face-outline",  # 新生儿出生一件事
    "43PCN0013": "mdi6.human-cane",  # 退休一件事
    "43PCP0008": "mdi6.flower-tulip-outline",  # 个人身后一件事
    "43TCN0003": "mdi6.silverware-fork-knife",  # 开办餐饮店一件事
    "43PCC0001": "mdi6.briefcase-outline",  # 大学生就业创业落户“一件事”
    "43PCN0010": "mdi6.school-outline",  # 教育入学一件事
    "43PCN0011": "mdi6.card-account-details-star-outline",  # 社会保障卡居民服务“一件事”
    "43PCN0012": "mdi6.wheelchair-accessibility",  # 残疾人服务一件事
    "43TCN0001": "mdi6.file-document-edit-outline",  # 企业信息变更一件事
    "43TCN0002": "mdi6.truck",  # 开办运输企业一件事
    "43TCN0006": "mdi6.chart-line",  # 企业上市合法合规信息核查一件事
    "43TCN0007": "mdi6.scale-balance",  # 企业破产信息核查一件事
    "43TCN0004": "mdi6.transmission-tower-import",  # 水电气网联合报装“一件事”
    "43TCP0014": "mdi6.account-plus",  # 员工录用“一件事”
}

BUTTONS = {
    "elderly": "mdi6.format-size",
    "help": "mdi6.help-circle-outline",
    "home": "mdi6.home",
    "exit": "mdi6.logout",
    "demo_scan": "mdi6.qrcode-scan",
    "read_card": "mdi6.card-account-details",
    "scan_hint": "mdi6.qrcode-scan",
    "find": "mdi6.magnify",
    "audience_personal": "mdi6.account",
    "audience_enterprise": "mdi6.domain",
}


def stage_icon(stage: str) -> str:
    return STAGES.get(stage, DEFAULT)


def scenario_icon(code: str, stage: str = "") -> str:
    """A scenario's own icon, else its life stage's, else :data:`DEFAULT`."""
    return SCENARIOS.get(code) or STAGES.get(stage) or DEFAULT


def icon(name: str, colour: str, on_colour: str | None = None) -> QIcon:
    """The icon ``name`` in ``colour``; ``on_colour`` when its button is checked. An unknown
    name (a typo in a map) falls back to :data:`DEFAULT` rather than failing the screen."""
    options = {
        "color": colour,
        "color_on": on_colour or colour,
        "color_active": colour,
        "color_on_active": on_colour or colour,
    }
    try:
        found: QIcon = qtawesome.icon(name, **options)
    except Exception:  # qtawesome raises bare Exception for an unknown name
        found = qtawesome.icon(DEFAULT, **options)
    return found
