"""The facts the guide reads by name, and how a person is told where a fact came from."""

from __future__ import annotations

FACT_SOURCES = {
    "id_card": "身份证读卡",
    "shared_data": "共享数据",
    "hall": "本厅设置",
    "e_licence": "电子证照库",
}
E_LICENCES_FACT = "e_licences"
# Per verified e-licence type, its number and issuer ("430104-2019-0031877，长沙市公安局岳麓分局"):
# the exempt material's reason names them, so the case says which licence spared the paper.
E_LICENCE_NUMBERS_FACT = "e_licence_numbers"
# The ID card read on the reader (its chip checked by the reader's security module) is the
# original of the 居民身份证 seen and checked: the counter, the kiosk and the guide all say so.
ID_CARD_LICENCE = "居民身份证"
CARD_READ_FACT = "id_card.id_number"  # set by app.identity.card.facts_from_card
