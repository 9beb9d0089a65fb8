"""The applicant's one record (and the agent's): the form fields it feeds, and what a clerk typed
over that the ID card said — kept apart from the case in hand that uses them
(:mod:`app.cases.in_hand`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cases.snapshots import Party
from app.identity.card import IdCardData
from app.identity.resident_id import normalise

# One record of the applicant (and of the agent) feeds the form and every document: these form
# fields show the record, and what is typed into them changes the record. Attributes of a person
# read from the ID card change only when the clerk confirms it, and the change is audited.
PERSON_FIELDS = {
    "applicant.name": "name",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
}
ENTERPRISE_FIELDS = {
    "enterprise.name": "name",
    "enterprise.uscc": "id_number",
    "enterprise.contact_phone": "phone",
}
AGENT_FIELDS = {"agent.name": "name", "agent.id_number": "id_number", "agent.phone": "phone"}
FROM_CARD = {"name": "姓名", "id_number": "公民身份号码"}


@dataclass(frozen=True)
class CardChange:
    """A value read from the ID card that the clerk typed over: taken only once confirmed."""

    key: str
    label: str
    card: str
    typed: str


@dataclass
class Applicant:
    party: Party
    card: IdCardData | None  # None: typed by hand (the original was checked by the clerk)
    facts: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # where the facts came from, for the clerk


def record_fields(kind: str) -> dict[str, tuple[str, str]]:
    """Form key → (whose: "applicant" | "agent", the Party attribute it shows)."""
    own = ENTERPRISE_FIELDS if kind == "enterprise" else PERSON_FIELDS
    fields = {key: ("applicant", attr) for key, attr in own.items()}
    fields.update({key: ("agent", attr) for key, attr in AGENT_FIELDS.items()})
    return fields


def record_values(applicant: Applicant | None, agent: Party | None) -> dict[str, str]:
    """The form values that come from the applicant's (and the agent's) record."""
    values = {}
    kind = applicant.party.kind if applicant else "person"
    for key, (whose, attr) in record_fields(kind).items():
        party = (
            applicant.party
            if whose == "applicant" and applicant
            else (agent if whose == "agent" else None)
        )
        value = getattr(party, attr) if party is not None else ""
        if value:
            values[key] = value
    return values


def card_changes(applicant: Applicant | None, edited: Mapping[str, str]) -> list[CardChange]:
    """Values read from the card that differ in ``edited`` (form key or step-1 attribute →
    text)."""
    if applicant is None or applicant.card is None:
        return []
    changes = []
    for key, text in edited.items():
        attr = PERSON_FIELDS.get(key, key)
        if attr not in FROM_CARD:
            continue
        card = getattr(applicant.party, attr)
        typed = normalise(text) if attr == "id_number" else text.strip()
        if typed != card:
            changes.append(CardChange(key, FROM_CARD[attr], card, typed))
    return changes
