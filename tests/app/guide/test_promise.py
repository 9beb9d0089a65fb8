"""The promise's rule (app.guide.promise): the published figure while it covers the items, the
critical path where it does not, and the catalog's recorded decision wherever there is one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.models import Scenario
from app.guide.promise import promise_for

ITEMS: list[dict[str, Any]] = [
    {"id": "a", "name": "甲", "department": "一局", "promised_days": 5},
    {"id": "b", "name": "乙", "department": "二局", "promised_days": 10, "needs": ["a"]},
    {"id": "c", "name": "丙", "department": "三局", "promised_days": 3},
]


def scenario(published: int | None, *, decided: bool = False) -> Scenario:
    data: dict[str, Any] = {
        "code": "TEST01",
        "name": "测试一件事",
        "audience": "personal",
        "life_stage": "生活",
        "lead_department": "一局",
        "items": ITEMS,
        "promised_days": published,
    }
    if decided:
        data["decisions"] = [
            {
                "topic": "承诺办结时限",
                "reference": "公布的短于事项",
                "decision": "按关键路径如实告知",
                "settles": ["W-PROMISED-DAYS"],
            }
        ]
    return Scenario.model_validate(data)


def test_the_items_path_within_the_published_figure() -> None:
    """A published figure longer than the chosen items take is a ceiling, not the promise: an
    applicant taking one short item of a long 一件事 is promised that item's days."""
    promise = promise_for(scenario(20), ["a", "b"])
    assert (promise.days, promise.basis, promise.path_days) == (15, "critical_path", 15)
    assert promise.words == "承诺 15 个工作日办结"
    assert (
        promise.basis_words == "依据：所办事项的关键路径（甲 → 乙），在指南公布的 20 个工作日之内。"
    )
    assert promise_for(scenario(20), ["c"]).days == 3
    assert (
        promise_for(scenario(20)).words == "视所办事项而定，最长 15 个工作日"
    )  # the whole scenario


def test_the_published_figure_when_the_items_take_exactly_that() -> None:
    promise = promise_for(scenario(15), ["a", "b"])
    assert (promise.days, promise.basis) == (15, "published")
    assert promise.words == "承诺 15 个工作日办结"
    assert promise.basis_words == "依据：指南公布的承诺时限。"
    assert promise_for(scenario(15)).words == "承诺 15 个工作日办结"


def test_the_critical_path_where_the_published_figure_is_short_and_nothing_was_decided() -> None:
    promise = promise_for(scenario(4), ["a", "b", "c"])
    assert (promise.days, promise.basis, promise.path) == (15, "critical_path", ("甲", "乙"))
    assert "指南公布 4 个工作日，短于各事项所需，目录尚未记录决定" in promise.basis_words
    assert promise_for(scenario(None), ["c"]).basis_words == "依据：所办事项的关键路径（丙）。"


def test_the_recorded_decision_wins() -> None:
    short = promise_for(scenario(4, decided=True), ["c"])
    assert (short.days, short.basis, short.decision) == (3, "decision", "按关键路径如实告知")
    whole = promise_for(scenario(4, decided=True))
    assert (whole.days, whole.scope) == (15, "scenario")
    assert whole.words == "视所办事项而定，最长 15 个工作日"
    assert (
        whole.basis_words
        == "依据：所办事项的关键路径（甲 → 乙）和本目录记录的决定；指南公布的 4 个工作日仅作参考。"
    )


@pytest.mark.parametrize("decided", [False, True])
@given(
    published=st.none() | st.integers(0, 40),
    chosen=st.lists(st.sampled_from("abc"), unique=True, min_size=1),
)
def test_never_less_than_the_items_take(
    decided: bool, published: int | None, chosen: list[str]
) -> None:
    promise = promise_for(scenario(published, decided=decided), chosen)
    assert (
        promise.days
        >= promise.path_days
        >= max(i["promised_days"] for i in ITEMS if i["id"] in chosen)
    )
    assert promise.days <= promise_for(scenario(published, decided=decided)).days
    assert promise.to_dict()["days"] == promise.days and promise.basis_words.startswith("依据：")
