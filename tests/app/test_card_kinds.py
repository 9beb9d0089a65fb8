"""Every kind of card a GA/T 467 reader reads, from its 256 bytes of text to the facts a case
uses: the resident ID card, the residence permit for Hong Kong, Macao and Taiwan residents (J) and
the foreigners' permanent residence cards of 2017 (I) and 2023 (Y)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.devices import gat467
from app.devices.protocols import DeviceError
from app.identity.card import IdCardData, facts_from_card
from app.identity.resident_id import is_foreign_permanent_2017, parse_resident_id
from tests.id_cards import EVERY_KIND, FOREIGN_I, FOREIGN_Y, PERMIT_J, RESIDENT

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize("card", EVERY_KIND, ids=lambda c: c.kind or "resident")
def test_each_kind_reads_back_as_written(card: IdCardData) -> None:
    text = gat467.base_text(card)
    assert len(text) == gat467.TEXT_SIZE
    assert gat467.card_kind(text) == card.kind
    assert gat467.parse_base_text(text) == card


def test_a_residence_permit_carries_its_pass_number_and_issue_count() -> None:
    card = gat467.parse_base_text(gat467.base_text(PERMIT_J))
    assert (card.kind_label, card.pass_number, card.issue_count) == (
        "港澳台居民居住证",
        "H12345678",
        "01",
    )
    assert parse_resident_id(card.id_number).kind == "hk_permit"


def test_a_2017_foreign_card_reads_its_english_name_and_nationality() -> None:
    text = bytearray(gat467.base_text(FOREIGN_I))
    card = gat467.parse_base_text(bytes(text))
    assert card.kind_label == "外国人永久居留身份证"
    assert (card.name, card.english_name, card.nationality) == (
        "John Michael SMITH",
        "John Michael SMITH",
        "CAN",
    )
    # the English name fills the first 120 bytes; the Chinese name is at 158
    assert text[:8].decode("utf-16-le") == "John"
    assert is_foreign_permanent_2017(card.id_number)


def test_a_2023_foreign_card_joins_an_english_name_longer_than_35_letters() -> None:
    card = gat467.parse_base_text(gat467.base_text(FOREIGN_Y))
    assert card.english_name == "ANNA MARIA KATHARINA VON DER LEYEN SCHMIDTBAUR"
    assert card.english_name[34] == " "  # the space where the name goes on is kept
    assert (card.name, card.nationality, card.issue_count) == ("史密斯", "DEU", "00")
    assert parse_resident_id(card.id_number).kind == "foreign_permanent"


def test_facts_for_each_kind_give_age_sex_and_the_kind() -> None:
    expected = {"": (34, "女"), "J": (41, "男"), "I": (46, "男"), "Y": (36, "女")}
    for card in EVERY_KIND:
        facts = facts_from_card(card, today=TODAY, hall_province="430000")
        assert (facts["applicant.age"], facts["applicant.sex"]) == expected[card.kind]
        assert facts["applicant.id_kind"] == card.kind_label
    facts = facts_from_card(FOREIGN_Y, today=TODAY)
    assert facts["id_card.english_name"] == FOREIGN_Y.english_name
    assert facts["id_card.nationality"] == "DEU"
    assert facts_from_card(PERMIT_J, today=TODAY)["id_card.pass_number"] == "H12345678"


def test_an_expired_card_is_flagged() -> None:
    facts = facts_from_card(PERMIT_J, today=TODAY)  # valid until 2025-01-02
    assert facts["applicant.id_card_valid"] is False
    assert facts_from_card(RESIDENT, today=TODAY)["applicant.id_card_valid"] is True


def test_2023_numbers_need_a_province_and_a_nationality() -> None:
    with pytest.raises(Exception, match="地址码"):
        parse_resident_id("999999194912310021")  # 99 is no province, 999 no country
    assert not is_foreign_permanent_2017("XXX110080020301")
    assert not is_foreign_permanent_2017("CAN11008002030")


kinds = st.sampled_from(["J", "I", "Y", " ", "Z"])


@given(st.binary(min_size=256, max_size=256), kinds)
def test_any_text_of_any_kind_gives_card_data_or_a_typed_error(text: bytes, kind: str) -> None:
    block = text[:248] + kind.encode("utf-16-le") + text[250:]
    try:
        card = gat467.parse_base_text(block)
    except DeviceError as exc:
        assert exc.message and exc.fallback
    else:
        assert card.name and card.id_number and card.kind in ("", "J", "I", "Y")
