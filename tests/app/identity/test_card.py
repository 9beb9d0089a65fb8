from __future__ import annotations

from datetime import date

from app.identity.card import ID_CARD_KEYS, IdCardData, address_province, facts_from_card

CARD = IdCardData(
    name="李芳",
    sex="女",
    ethnicity="汉",
    birth_date=date(1992, 3, 15),
    address="湖南省长沙市岳麓区金星中路一段20号",
    id_number="43010419920315204X",
    authority="长沙市公安局岳麓分局",
    valid_from=date(2018, 4, 2),
    valid_until=date(2038, 4, 2),
    photo=b"WLT",
)


def test_facts_for_auto_answers_and_prefill() -> None:
    facts = facts_from_card(CARD, today=date(2026, 11, 23), hall_province="430000")
    assert facts["applicant.age"] == 34
    assert facts["applicant.sex"] == "女"
    assert facts["applicant.hukou_province"] == "430000"
    assert facts["applicant.hukou_in_province"] is True
    assert facts["applicant.id_card_valid"] is True
    assert facts["id_card.name"] == "李芳"
    assert facts["id_card.birth_date"] == "1992-03-15"
    assert {f"id_card.{k}" for k in ID_CARD_KEYS} <= facts.keys()
    assert "id_card.photo" not in facts


def test_hukou_elsewhere_and_expired_card() -> None:
    card = IdCardData(
        name="张三",
        sex="男",
        ethnicity="汉",
        birth_date=date(1949, 12, 31),
        address="北京市朝阳区某路1号",
        id_number="11010519491231002X",
        authority="北京市公安局朝阳分局",
        valid_from=date(2005, 1, 1),
        valid_until=date(2025, 1, 1),
    )
    facts = facts_from_card(card, today=date(2026, 11, 23), hall_province="430000")
    assert facts["applicant.hukou_in_province"] is False
    assert facts["applicant.id_card_valid"] is False


def test_address_province_accepts_short_names() -> None:
    assert address_province("湖南长沙市芙蓉区") == "430000"
    assert address_province("广西壮族自治区南宁市") == "450000"
    assert address_province("某地") == ""


def test_long_term_card() -> None:
    card = IdCardData(
        name="王建国",
        sex="男",
        ethnicity="汉",
        birth_date=date(1966, 6, 7),
        address="湖南省长沙市",
        id_number="430102196606070016",
        authority="长沙市公安局",
        valid_from=date(2010, 5, 1),
        valid_until=None,
    )
    assert card.is_valid_on(date(2099, 1, 1))
    assert card.to_dict()["valid_until"] == "长期"
