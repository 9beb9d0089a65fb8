"""社会保障卡居民服务“一件事” (43PCN0011, 长沙市直) as the built-in catalog holds it: the guide and
the hall's overlay. Holding a Hunan social security card is the guide's one condition; which card
is held and whether its financial account is active only change what the applicant is told."""

from __future__ import annotations

import pytest

from app.catalog.catalog import Catalog
from app.guide.engine import Planner

CODE = "43PCN0011"
ITEMS = {
    "culture": "文旅部门（公共文化场馆）",
    "transport": "交通部门（公共交通）",
    "medical": "医保部门（定点医药机构结算）",
    "employment_social": "人社部门（社会保障卡服务机构）",
}


def test_a_third_generation_card_gives_every_service(planner: Planner) -> None:
    plan = planner.plan(CODE, {"card": "third_gen", "finance_activated": "yes"})
    assert plan.eligible and plan.complete
    assert {i.id: i.department for i in plan.items} == ITEMS
    assert [s.parallel for s in plan.stages] == [True]
    ((material_id, status),) = [(m.id, m.status) for m in plan.materials]
    assert (material_id, status) == ("social_security_card", "submit")
    # a card, shown and given back: not a document to copy, going nowhere (capability 6)
    (card,) = plan.materials
    assert (card.form, card.thing) == ("thing", "卡证")
    assert card.need_words == "卡证原物 1 件（不复印），窗口核验后当场交还"
    assert plan.routes == ()


def test_no_card_refuses_the_whole_scenario_with_the_guides_condition(planner: Planner) -> None:
    plan = planner.plan(CODE, {"card": "none"})
    assert not plan.eligible
    (block,) = plan.blocked
    assert block.question == "card" and block.items == ()
    assert "持有实体社保卡或电子社保卡的群众" in block.reason
    assert "银行即时制卡服务网点" in block.advice


@pytest.mark.parametrize(
    ("answers", "told"),
    [
        ({"card": "third_gen", "finance_activated": "yes"}, set()),
        ({"card": "earlier", "finance_activated": "yes"}, {"earlier_card"}),
        ({"card": "electronic", "finance_activated": "yes"}, {"electronic_only"}),
        ({"card": "third_gen", "finance_activated": "no"}, {"finance_inactive"}),
        ({"card": "earlier", "finance_activated": "no"}, {"earlier_card", "finance_inactive"}),
    ],
)
def test_what_the_applicant_is_told_follows_the_card(
    planner: Planner, answers: dict[str, str], told: set[str]
) -> None:
    plan = planner.plan(CODE, answers)
    assert plan.eligible and {i.id for i in plan.items} == set(ITEMS)  # no service is lost
    assert {r.id for r in plan.routes} == told
    if "finance_inactive" in told:
        (route,) = [r for r in plan.routes if r.id == "finance_inactive"]
        assert "需本人到合作银行现场办理" in route.text


def test_the_promise_is_the_chosen_services_not_the_published_day(planner: Planner) -> None:
    answers = {"card": "third_gen", "finance_activated": "yes"}
    short = planner.plan(CODE, answers, items=["culture", "transport"])
    assert (short.promised_days, short.promise.basis) == (15, "decision")
    assert planner.plan(CODE, answers).promised_days == 35
    assert short.promise.published_days == 1


def test_the_card_is_shown_not_a_form(catalog: Catalog) -> None:
    (card,) = catalog.scenario(CODE).materials
    assert card.blank_form == ""  # the guide attaches an unrelated 医保 registration form
    assert card.sample == "社会保障卡.pdf"
    assert "当场交还" in card.notes and card.copies == 1
