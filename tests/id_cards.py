"""Cards of every kind a GA/T 467 reader reads, for the reader emulators and the SDK stand-in:
a resident ID card (the demo's test persons), a residence permit for a Hong Kong resident (J),
and foreigners' permanent residence cards of 2017 (I) and 2023 (Y). The numbers are well formed
(check digits right) and belong to no one."""

from __future__ import annotations

from datetime import date

from app.devices.simulated import TEST_PERSONS
from app.identity.card import IdCardData

RESIDENT = TEST_PERSONS[0]
PERMIT_J = IdCardData(
    "陈大文",
    "男",
    "",
    date(1985, 6, 1),
    "广东省深圳市福田区福华路1号",
    "81000019850601001X",
    "深圳市公安局福田分局",
    date(2020, 1, 2),
    date(2025, 1, 2),
    kind="J",
    pass_number="H12345678",
    issue_count="01",
)
FOREIGN_I = IdCardData(
    "John Michael SMITH",
    "男",
    "",
    date(1980, 2, 3),
    "",
    "CAN110080020301",
    "中华人民共和国公安部",
    date(2017, 7, 1),
    date(2027, 7, 1),
    kind="I",
    english_name="John Michael SMITH",
    nationality="CAN",
)
FOREIGN_Y = IdCardData(
    "史密斯",
    "女",
    "",
    date(1990, 1, 1),
    "",
    "91127619900101002X",
    "中华人民共和国国家移民管理局",
    date(2024, 3, 1),
    date(2034, 3, 1),
    kind="Y",
    english_name="ANNA MARIA KATHARINA VON DER LEYEN SCHMIDTBAUR",
    nationality="DEU",
    issue_count="00",
)
EVERY_KIND = (RESIDENT, PERMIT_J, FOREIGN_I, FOREIGN_Y)
