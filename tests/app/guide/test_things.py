"""Things that are not documents (issue 24, capability 6): a seal, a card, a licence's original is
handed over as it is — never photocopied or photographed — and goes where the catalog says; the
plan, the kiosk, the counter and the transfer ledger all treat it so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest

from app.bootstrap import Core
from app.cases.snapshots import CaseView
from app.catalog.catalog import load_catalog, problems_of
from app.errors import InvalidInput
from app.guide.engine import Planner
from kiosk.journey import plain_status
from printing.a4 import Letterhead
from printing.transfer_slip import render_slip
from tests.helpers.cases import CLERK, MOTHER
from tests.helpers.catalogs import MINIMAL, replaced
from tests.helpers.clock import MONDAY, WallClock
from tests.helpers.cores import Cores
from tests.helpers.transfers import BACK

MakeCatalog = Callable[..., Path]

# 材料一 stays paper; 公章 goes to the bank and stays there; 营业执照正本 goes to 乙局 (the
# department of 第二项, the first item needing it) and comes back with the result; 社保卡 is
# looked at and given back on the spot.
THINGS = replaced(
    MINIMAL,
    (
        "  - {id: m1, name: 材料一, items: [first, second]}",
        "  - {id: m1, name: 材料一, items: [first, second]}\n"
        "  - {id: seal, name: 公章, items: [first], copies: 0,"
        " handover: {thing: seal, count: 2, to: 开户银行}}\n"
        "  - {id: licence, name: 营业执照正本, items: [second],"
        " handover: {thing: licence, returned: with_result}}\n"
        "  - {id: card, name: 社会保障卡, items: [first],"
        " handover: {thing: card, returned: at_once}}",
    ),
)
BOTH = {"q1": "yes", "q2": "a"}


@pytest.fixture
def things(make_catalog: MakeCatalog) -> Path:
    folder = make_catalog(THINGS)
    assert [p.render() for p in problems_of(folder)[1] if p.severity == "error"] == []
    return folder


def test_the_plan_says_what_each_thing_is_and_where_it_goes(things: Path) -> None:
    plan = Planner(load_catalog(things)).plan("99TEST0001", BOTH)
    by_id = {m.id: m for m in plan.materials}
    assert by_id["m1"].need_words == "原件 1 份"
    assert (by_id["seal"].form, by_id["seal"].copies, by_id["seal"].thing) == ("thing", 2, "印章")
    assert by_id["seal"].need_words == "印章原物 2 件（不复印），由窗口转交开户银行，交回后不退还"
    assert by_id["licence"].need_words == (
        "证照原件原物 1 件（不复印），由窗口转交乙局，办结后随结果退还"
    )
    assert by_id["card"].need_words == "卡证原物 1 件（不复印），窗口核验后当场交还"
    assert plain_status(by_id["card"]) == "需带来卡证原物 1 件（不复印），窗口核验后当场交还"
    data = plan.to_dict()["materials"]
    assert [m["need_words"] for m in data] == [m.need_words for m in plan.materials]


def test_the_checker_refuses_a_copied_an_electronic_or_a_forwarded_given_back_thing(
    make_catalog: MakeCatalog,
) -> None:
    text = replaced(
        THINGS,
        ("name: 公章, items: [first],", "name: 公章, items: [first], form: copy,"),
        (
            "name: 营业执照正本, items: [second],",
            "name: 营业执照正本, items: [second], medium: electronic,",
        ),
        ("returned: at_once}", "returned: at_once, to: 开户银行}"),
    )
    errors = [p.render() for p in problems_of(make_catalog(text))[1] if p.severity == "error"]
    assert any("materials[1].form" in e and "只交原物" in e for e in errors), errors
    assert any("materials[2].medium" in e and "没有电子形式" in e for e in errors), errors
    assert any("materials[3].handover.to" in e and "当场交还" in e for e in errors), errors


@pytest.fixture
def core(cores: Cores, things: Path) -> Core:
    return cores(
        "hall",
        catalog=load_catalog(things),
        clock=WallClock(MONDAY),
        transfers={"routes": {"甲局": "platform"}},
    )


def _opened(core: Core) -> CaseView:
    return core.cases.open_case(
        CLERK,
        channel="counter",
        scenario="99TEST0001",
        applicant=MOTHER,
        answers=BOTH,
        form={"applicant.name": "李芳"},
    )


def test_things_travel_in_the_ledger_as_pieces_and_a_given_back_card_does_not(core: Core) -> None:
    service, case = core.cases, _opened(core)
    forms = {m.material_id: (m.form, m.copies) for m in case.materials}
    assert forms == {
        "m1": ("original", 1),
        "seal": ("thing", 2),
        "licence": ("thing", 1),
        "card": ("thing", 1),
    }
    with pytest.raises(InvalidInput, match="“公章”是物品，交原物，不收复印件"):
        service.record_material(CLERK, case.receipt_no, "seal", "received_copy")
    for material in ("m1", "seal", "licence", "card"):
        service.record_material(CLERK, case.receipt_no, material, "received_original")
    service.accept(CLERK, case.receipt_no)
    waiting = {
        w.ref: (w.kind, w.department, w.originals, w.copies) for w in core.transfers.waiting()
    }
    assert waiting == {
        "m1": ("material", "乙局", 1, 0),  # 甲局 takes everything through the platform
        "seal": ("thing", "开户银行", 2, 0),  # a seal does not travel through the platform
        "licence": ("thing", "乙局", 1, 0),
    }  # the card went back to the applicant at the window
    shown = {w.ref: w.shown_name for w in core.transfers.waiting()}
    assert shown["seal"] == "公章（原物）" and shown["m1"] == "材料一"


def test_the_slip_counts_things_apart_from_paper(core: Core) -> None:
    service, case = core.cases, _opened(core)
    for material in ("m1", "seal", "licence", "card"):
        service.record_material(CLERK, case.receipt_no, material, "received_original")
    service.accept(CLERK, case.receipt_no)
    ledger = core.transfers
    batch = ledger.open_batch(BACK, "乙局")
    batch = ledger.add_case(BACK, batch.batch_no, case.receipt_no)
    pdf = render_slip(batch, ledger.applicants(batch), Letterhead.of(core.settings))
    document = pypdfium2.PdfDocument(pdf)
    try:
        squeezed = "".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    assert "1件办件，原件1份，复印件0份，原物1件" in squeezed
    assert "营业执照正本（原物）" in squeezed
