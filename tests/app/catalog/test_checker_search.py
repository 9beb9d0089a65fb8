"""The checker's search for a way of answering that meets some conditions skips the ways that
answers already given rule out; it must find exactly what trying every way finds."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.checker import _assign, _choices_when_asked, _meets, _some_way_meets
from app.catalog.conditions import (
    AllCondition,
    AnswerCondition,
    AnyCondition,
    Condition,
    FactCondition,
    NotCondition,
)
from app.catalog.models import Option, Question, Stop

VALUES = ("a", "b", "c")
STOP = Stop(reason="不符合", advice="请到别处办理")


@st.composite
def questionnaires(draw: Any) -> list[Question]:
    """Up to five questions; each may be shown only on earlier answers, may be a multiple
    choice with an exclusive option, and may have options that stop the applicant."""
    questions: list[Question] = []
    for n in range(draw(st.integers(1, 5))):
        options = tuple(
            Option(
                value=value,
                label=value,
                exclusive=draw(st.booleans()),
                stop=draw(st.sampled_from([None, None, STOP])),
            )
            for value in VALUES[: draw(st.integers(2, 3))]
        )
        kind = draw(st.sampled_from(["single", "multi"]))
        if kind == "single":
            options = tuple(o.model_copy(update={"exclusive": False}) for o in options)
        shown = draw(conditions_on(questions)) if questions and draw(st.booleans()) else None
        questions.append(
            Question(id=f"q{n}", text="问", kind=kind, options=options, show_when=shown)
        )
    return questions


def conditions_on(questions: list[Question]) -> st.SearchStrategy[Condition]:
    ids = [q.id for q in questions]
    leaves = st.one_of(
        st.builds(
            lambda q, v: AnswerCondition(answer=q, equals=v),
            st.sampled_from(ids),
            st.sampled_from(VALUES),
        ),
        st.builds(
            lambda q, v: AnswerCondition(answer=q, contains=v),
            st.sampled_from(ids),
            st.sampled_from(VALUES),
        ),
        st.builds(
            lambda q, vs: AnswerCondition.model_validate({"answer": q, "in": vs}),
            st.sampled_from(ids),
            st.lists(st.sampled_from(VALUES), min_size=1, max_size=2).map(tuple),
        ),
        st.builds(lambda p: FactCondition(fact="f", present=p), st.booleans()),
        st.just(FactCondition(fact="f", equals=1)),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda c: AllCondition(all=tuple(c))),
            st.lists(inner, min_size=1, max_size=3).map(lambda c: AnyCondition(any=tuple(c))),
            inner.map(lambda c: NotCondition.model_validate({"not": c})),
        ),
        max_leaves=6,
    )


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_skipping_ruled_out_answers_finds_what_trying_every_way_finds(data: Any) -> None:
    questions = data.draw(questionnaires())
    conditions = tuple(
        data.draw(st.one_of(st.none(), conditions_on(questions)))
        for _ in range(data.draw(st.integers(1, 2)))
    )
    asked = {q.id: _choices_when_asked(q) for q in questions}
    every_way = any(_meets(conditions, answers) for answers in _assign(questions, 0, {}, asked))
    assert _some_way_meets(questions, 0, {}, conditions, asked) is every_way
