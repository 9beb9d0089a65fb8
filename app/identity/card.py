"""What an ID card reader returns, and the facts derived from it for auto-answers and prefill."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from app.identity.regions import province_names
from app.identity.resident_id import parse_resident_id

# The kinds of card a GA/T 467 reader reads, by the type flag the card's text carries.
CARD_KINDS = {
    "": "居民身份证",
    "J": "港澳台居民居住证",
    "I": "外国人永久居留身份证",  # the 2017 card
    "Y": "外国人永久居留身份证",  # the 2023 card
}


@dataclass(frozen=True)
class IdCardData:
    """One read of a second-generation resident ID card, a residence permit for Hong Kong, Macao
    and Taiwan residents (kind J) or a foreigner's permanent residence card (kinds I and Y)."""

    name: str
    sex: str
    ethnicity: str
    birth_date: date
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_until: date | None  # None: 长期
    photo: bytes = b""
    kind: str = ""  # "" resident, "J", "I", "Y": see CARD_KINDS
    english_name: str = ""  # I, Y
    nationality: str = ""  # I, Y: ISO 3166-1 alpha-3 as on the card
    pass_number: str = ""  # J: the 通行证 number
    issue_count: str = ""  # J: 签发次数; Y: 换证次数
    photo_note: str = ""  # why the card read without its photo, for the screen

    @property
    def kind_label(self) -> str:
        return CARD_KINDS.get(self.kind, self.kind)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else "长期",
            "has_photo": bool(self.photo),
            "kind": self.kind_label,
            **{
                key: value
                for key, value in (
                    ("english_name", self.english_name),
                    ("nationality", self.nationality),
                    ("pass_number", self.pass_number),
                    ("issue_count", self.issue_count),
                )
                if value
            },
        }


def card_summary(card: IdCardData, today: date) -> tuple[str, bool]:
    """What the clerk reads after a card was read: its kind, whose it is, what is missing (the
    photo) and whether it has expired; ``True`` when something needs the clerk's attention."""
    who = card.name
    if card.english_name and card.english_name != card.name:
        who += f"（{card.english_name}）"
    extra = [f"国籍 {card.nationality}"] if card.nationality else []
    if card.pass_number:
        extra.append(f"通行证号码 {card.pass_number}")
    text = f"已读取{card.kind_label}：{who}" + (f"，{'，'.join(extra)}" if extra else "") + "。"
    if card.photo_note:
        text += card.photo_note
    expired = not card.is_valid_on(today)
    if expired:
        until = card.valid_until.isoformat() if card.valid_until else "长期"
        text += f"证件已于 {until} 过期：请核对其他有效证件。"
    return text, expired


ID_CARD_KEYS = frozenset(
    f.name for f in fields(IdCardData) if f.name not in ("photo", "photo_note")
)


def address_province(address: str) -> str:
    """The province-level code an address starts with (the hukou address on the card), or ''."""
    for code, name in province_names().items():
        short = name.removesuffix("省").removesuffix("市").removesuffix("特别行政区")
        if address.startswith(name) or (len(short) >= 2 and address.startswith(short)):
            return code
    return ""


def facts_from_card(card: IdCardData, *, today: date, hall_province: str = "") -> dict[str, Any]:
    """Facts for conditions and prefill; ``hall_province`` is the hall's province code (430000)."""
    if card.kind == "I":  # its number encodes no birth date: the card's fields say it
        birth, sex, id_number = card.birth_date, card.sex, card.id_number.upper()
    else:
        number = parse_resident_id(card.id_number, today=today)
        birth, sex, id_number = number.birth_date, number.sex, number.number
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    hukou = address_province(card.address)
    facts: dict[str, Any] = {
        "applicant.name": card.name,
        "applicant.sex": sex,
        "applicant.ethnicity": card.ethnicity,
        "applicant.age": today.year - birth.year - before_birthday,
        "applicant.birth_date": birth.isoformat(),
        "applicant.id_number": id_number,
        "applicant.id_kind": card.kind_label,
        "applicant.address": card.address,
        "applicant.id_card_valid": card.is_valid_on(today),
        "applicant.hukou_province": hukou,
    }
    for key in ID_CARD_KEYS:
        value = getattr(card, key)
        facts[f"id_card.{key}"] = value.isoformat() if isinstance(value, date) else value
    if facts["id_card.valid_until"] is None:
        facts["id_card.valid_until"] = "长期"
    if hall_province and hukou:
        facts["applicant.hukou_in_province"] = hukou == hall_province
    return facts
