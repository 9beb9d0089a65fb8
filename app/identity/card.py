"""What an ID card reader returns, and the facts derived from it for auto-answers and prefill."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from app.identity.regions import province_names
from app.identity.resident_id import parse_resident_id


@dataclass(frozen=True)
class IdCardData:
    """One read of a second-generation resident ID card (or a residence permit)."""

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
        }


ID_CARD_KEYS = frozenset(f.name for f in fields(IdCardData) if f.name != "photo")


def address_province(address: str) -> str:
    """The province-level code an address starts with (the hukou address on the card), or ''."""
    for code, name in province_names().items():
        short = name.removesuffix("省").removesuffix("市").removesuffix("特别行政区")
        if address.startswith(name) or (len(short) >= 2 and address.startswith(short)):
            return code
    return ""


def facts_from_card(card: IdCardData, *, today: date, hall_province: str = "") -> dict[str, Any]:
    """Facts for conditions and prefill; ``hall_province`` is the hall's province code (430000)."""
    number = parse_resident_id(card.id_number, today=today)
    hukou = address_province(card.address)
    facts: dict[str, Any] = {
        "applicant.name": card.name,
        "applicant.sex": number.sex,
        "applicant.ethnicity": card.ethnicity,
        "applicant.age": number.age_on(today),
        "applicant.birth_date": number.birth_date.isoformat(),
        "applicant.id_number": number.number,
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
