"""Shared data answers questions; a verified e-licence spares a paper material."""

from __future__ import annotations

import pytest

from app.cases.demo import NEWBORN_ANSWERS
from app.cases.in_hand import CaseInHand, Licence
from app.catalog.catalog import Catalog
from app.errors import InvalidInput
from app.guide.engine import Planner
from sync.client import HttpPlatform
from sync.server.seed import SOURCE, seed
from sync.shared import exempt_by_licence, facts_for, licence_lookup
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


def test_the_applicants_licences_are_checked_once_and_spare_their_materials(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    """Issue 25, 6: as soon as the applicant and the scenario are known, every e-licence its
    materials may be spared by is checked with the platform's library (each once); a verified
    one exempts its material, the reason naming the licence's number and issuer."""
    seed(served.store)
    asked: list[str] = []
    lookup = licence_lookup(http)

    def counted(id_number: str, kind: str) -> Licence | None:
        asked.append(kind)
        return lookup(id_number, kind)

    in_hand = CaseInHand(
        hall.service, catalog, CLERK, hall_province="430000", check_qr=lambda _: ("", ""),
        licences=counted,
    )  # fmt: skip
    in_hand.type_id(MOTHER.name, MOTHER.id_number)
    in_hand.choose(NEWBORN)
    look = in_hand.check_licences()
    assert [f.kind for f in look.found] == ["居民户口簿"]
    assert look.found[0].number == "430104-2019-0031877"
    assert set(look.missing) == {"居民身份证", "出生医学证明"}
    assert "已核验电子证照：居民户口簿（430104-2019-0031877）" in look.words
    in_hand.check_licences()
    assert sorted(asked) == sorted(["居民身份证", "居民户口簿", "出生医学证明"])  # once each

    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in in_hand.questions().questions):
            in_hand.answer(question, value)
    planned = next(m for m in in_hand.plan().materials if m.id == "household_register")
    assert planned.status == "e_licence"
    assert "430104-2019-0031877，长沙市公安局岳麓分局" in planned.reason
    case = in_hand.open()
    saved = case.material("household_register")
    assert saved.status == "exempt" and "430104-2019-0031877" in saved.exempt_reason


def test_a_platform_out_of_reach_leaves_the_paper_and_says_so(hall: Hall, catalog: Catalog) -> None:
    def down(id_number: str, kind: str) -> Licence | None:
        raise ConnectionError("平台不可达")

    in_hand = CaseInHand(
        hall.service, catalog, CLERK, hall_province="430000", check_qr=lambda _: ("", ""),
        licences=down,
    )  # fmt: skip
    in_hand.type_id(MOTHER.name, MOTHER.id_number)
    in_hand.choose(NEWBORN)
    look = in_hand.check_licences()
    assert look.found == () and "居民户口簿" in look.unchecked
    assert "暂时无法核验" in look.words
    planned = next(m for m in in_hand.plan().materials if m.id == "household_register")
    assert planned.status == "submit"
