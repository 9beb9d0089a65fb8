"""The paper trail's hall: a back-office clerk and how each department of a newborn's case takes
its papers (at the desk, picked up, by courier, through the platform)."""

from __future__ import annotations

from app.cases.audit import Actor

BACK = Actor("刘洋", "back-01", "backoffice")
HEALTH, POLICE, MEDICAL = "卫生健康部门（分娩机构）", "公安部门（落户地派出所）", "医疗保障部门"
MARKET = "市场监督管理部门"  # a department of other scenarios: none of a newborn's papers go there
ROUTES = {
    HEALTH: "desk",
    POLICE: "pickup",
    MEDICAL: "courier",
    MARKET: "courier",
    "人力资源和社会保障部门": "platform",
}
