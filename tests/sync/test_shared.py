"""Shared data answers questions; a verified e-licence spares a paper material."""

from __future__ import annotations

import pytest

from app.catalog.catalog import Catalog
from app.errors import InvalidInput
from app.guide.engine import Planner
from sync.client import HttpPlatform
from sync.server.seed import SOURCE, seed
from sync.shared import exempt_by_licence, facts_for
from tests.helpers.cases import CLERK, MOTHER, NEWBORN, open_newborn
from tests.sync.conftest import Hall, Served


def test_shared_data_answers_the_questionnaire(
    served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    seed(served.store)
    facts, source = facts_for(http, MOTHER.id_number)
    assert source == SOURCE and facts["parents.married"] is True
    state = Planner(catalog).questions(NEWBORN, {}, facts)
    auto = [q for q in state.questions if q.status == "auto"]
    assert auto and all(q.source for q in auto)
    assert facts_for(http, "11010519491231002X") == ({}, "")  # nobody the platform knows


def test_a_verified_licence_exempts_the_material(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    seed(served.store)
    case = open_newborn(hall.service, catalog)
    done = exempt_by_licence(
        hall.service,
        http,
        CLERK,
        case.receipt_no,
        material_id="household_register",
        licence="居民户口簿",
    )
    material = done.material("household_register")
    assert material.status == "exempt" and "430104-2019-0031877" in material.exempt_reason
    with pytest.raises(InvalidInput, match="没有申请人 李芳 的出生医学证明"):
        exempt_by_licence(
            hall.service,
            http,
            CLERK,
            case.receipt_no,
            material_id="marriage_certificate",
            licence="出生医学证明",
        )
    assert hall.service.get(case.receipt_no).material("marriage_certificate").status == "missing"


def test_the_demo_id_reader_and_the_platform_know_the_same_people() -> None:
    from app.devices.simulated import TEST_PERSONS
    from sync.server.seed import PERSONS

    assert {c.id_number: c.name for c in TEST_PERSONS} == {n: name for n, name, _, _ in PERSONS}
