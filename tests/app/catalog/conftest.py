from __future__ import annotations

MINIMAL = """\
code: 99TEST0001
name: 测试一件事
audience: personal
life_stage: 生活
lead_department: 测试局
questions:
  - id: q1
    text: 第一问
    options: [{value: "yes", label: 是}, {value: "no", label: 否}]
  - id: q2
    text: 第二问
    show_when: {answer: q1, equals: "yes"}
    options: [{value: a, label: 甲}, {value: b, label: 乙}]
items:
  - {id: first, name: 第一项, department: 甲局, promised_days: 3}
  - {id: second, name: 第二项, department: 乙局, promised_days: 4, needs: [first], when: {answer: q2, equals: a}}
materials:
  - {id: m1, name: 材料一, items: [first, second]}
fields:
  - {key: applicant.name, items: [first]}
"""
