"""Shared data and e-licences of the platform's test persons, looked up by ID number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from sync import contract
from sync.server.store.schema import Storage, licences, persons


def seed_person(
    storage: Storage,
    id_number: str,
    facts: dict[str, Any],
    *,
    source: str,
    licences_: Sequence[tuple[str, str, str, str]],
) -> None:
    """A test person: shared facts, and e-licences as (licence, number, issuer, name)."""
    with storage.tx() as connection:
        connection.execute(persons.delete().where(persons.c.id_number == id_number))
        connection.execute(licences.delete().where(licences.c.id_number == id_number))
        connection.execute(
            insert(persons), {"id_number": id_number, "facts": facts, "source": source}
        )
        if licences_:
            connection.execute(
                insert(licences),
                [
                    {
                        "id_number": id_number,
                        "licence": lic,
                        "number": number,
                        "issuer": issuer,
                        "name": name,
                    }
                    for lic, number, issuer, name in licences_
                ],
            )


def facts(storage: Storage, id_number: str) -> contract.Facts:
    with storage.read() as connection:
        row = connection.execute(select(persons).where(persons.c.id_number == id_number)).first()
    if row is None:
        return contract.Facts(id_number=id_number, facts={}, source="")
    return contract.Facts(id_number=id_number, facts=row.facts, source=row.source)


def licence(storage: Storage, id_number: str, licence: str) -> contract.LicenceCheck:
    with storage.read() as connection:
        row = connection.execute(
            select(licences).where(licences.c.id_number == id_number, licences.c.licence == licence)
        ).first()
    if row is None:
        return contract.LicenceCheck(id_number=id_number, licence=licence, valid=False)
    return contract.LicenceCheck(
        id_number=id_number,
        licence=licence,
        valid=True,
        number=row.number,
        issuer=row.issuer,
        name=row.name,
    )
