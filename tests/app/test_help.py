"""Help requests from the kiosks: one per terminal while it waits, oldest first, answered once,
and nothing about the citizen stored."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect

from app.cases.audit import Actor
from app.db.engine import Database, make_engine
from app.db.migrate import alembic_config, upgrade
from app.db.models import HelpRequestRow
from app.errors import InvalidInput
from app.help import HelpDesk, HelpError, HelpRequest
from tests.helpers.clock import WallClock

HALL = "430100001"
ZHANG = Actor("张敏", "counter-01")
LI = Actor("李强", "counter-02")


@pytest.fixture
def clock() -> WallClock:
    return WallClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00 in Changsha


@pytest.fixture
def desk(db: Database, clock: WallClock) -> HelpDesk:
    return HelpDesk(db, hall_code=HALL, clock=clock)


def test_ask_pages_staff_with_the_kiosk_and_its_step(desk: HelpDesk, clock: WallClock) -> None:
    asked = desk.ask("一楼自助机", "kiosk-01", "填写申请表")
    assert (asked.kiosk, asked.terminal, asked.step, asked.where) == (
        "一楼自助机",
        "kiosk-01",
        "填写申请表",
        "一楼自助机（填写申请表）",
    )
    assert (asked.asked_at, asked.answered_at, asked.answered_by) == (clock.now, None, None)
    assert desk.waiting() == [asked]


def test_pressing_twice_pages_once_with_the_newer_step(desk: HelpDesk, clock: WallClock) -> None:
    first = desk.ask("一楼自助机", "kiosk-01", "填写申请表")
    clock.advance(minutes=2)
    again = desk.ask("一楼自助机", "kiosk-01", "拍摄材料")
    assert again.id == first.id
    assert again.step == "拍摄材料"
    assert again.asked_at == first.asked_at  # the citizen's whole wait
    assert desk.waiting() == [again]


def test_waiting_is_oldest_first_and_only_this_hall(
    db: Database, desk: HelpDesk, clock: WallClock
) -> None:
    desk.ask("二楼自助机", "kiosk-02", "选择事项")
    clock.advance(seconds=30)
    desk.ask("一楼自助机", "kiosk-01", "填写申请表")
    clock.advance(seconds=30)
    desk.ask("二楼自助机", "kiosk-02", "核对信息")  # still the first one
    HelpDesk(db, hall_code="430200001", clock=clock).ask("别的大厅", "kiosk-09", "首页")
    assert [(r.terminal, r.step) for r in desk.waiting()] == [
        ("kiosk-02", "核对信息"),
        ("kiosk-01", "填写申请表"),
    ]


def test_answer_once_and_a_second_clerk_is_told_who_went(desk: HelpDesk, clock: WallClock) -> None:
    asked = desk.ask("一楼自助机", "kiosk-01", "填写申请表")
    clock.advance(minutes=3)
    answered = desk.answer(asked.id, ZHANG)
    assert (answered.answered_by, answered.answered_at) == ("张敏", clock.now)
    assert answered.waited_s(clock.now + timedelta(hours=1)) == 180  # until answered
    assert desk.waiting() == []
    with pytest.raises(HelpError, match="一楼自助机（填写申请表）的求助已由 张敏 在 10:03 接下"):
        desk.answer(asked.id, LI)
    assert desk.answer(asked.id, ZHANG) == answered  # a double click
    with pytest.raises(HelpError, match="没有这条求助"):
        desk.answer(asked.id + 100, LI)


def test_a_new_call_after_an_answer_is_a_new_request(desk: HelpDesk, clock: WallClock) -> None:
    first = desk.ask("一楼自助机", "kiosk-01", "填写申请表")
    desk.answer(first.id, ZHANG)
    clock.advance(minutes=10)
    second = desk.ask("一楼自助机", "kiosk-01", "首页")
    assert second.id != first.id
    assert desk.waiting() == [second]


def test_another_halls_request_cannot_be_answered_here(db: Database, desk: HelpDesk) -> None:
    elsewhere = HelpDesk(db, hall_code="430200001").ask("别的大厅", "kiosk-09", "首页")
    with pytest.raises(HelpError, match="没有这条求助"):
        desk.answer(elsewhere.id, ZHANG)


def test_withdrawn_when_the_citizen_leaves(desk: HelpDesk) -> None:
    asked = desk.ask("一楼自助机", "kiosk-01", "填写申请表")
    assert desk.withdraw("kiosk-01")
    assert not desk.withdraw("kiosk-01")
    assert desk.waiting() == []
    with pytest.raises(HelpError, match="市民可能已经离开"):
        desk.answer(asked.id, ZHANG)


def test_a_kiosk_without_a_name_is_refused(desk: HelpDesk) -> None:
    with pytest.raises(InvalidInput, match="没有名称"):
        desk.ask("  ", "kiosk-01", "填写申请表")
    assert desk.waiting() == []


def test_the_step_stays_short_and_holds_no_number(desk: HelpDesk) -> None:
    long = desk.ask("一楼自助机", "kiosk-01", "填" * 60)
    assert long.step == "填" * 40
    masked = desk.ask("一楼自助机", "kiosk-01", "核对 43010419920315204X 的信息")
    assert masked.step == "核对 ＊ 的信息"
    assert desk.ask("一楼自助机", "kiosk-01", "").where == "一楼自助机"


def test_waited_never_runs_backwards(desk: HelpDesk, clock: WallClock) -> None:
    asked = desk.ask("一楼自助机", "kiosk-01", "首页")
    assert asked.waited_s(clock.now + timedelta(seconds=90)) == 90
    assert asked.waited_s(clock.now - timedelta(seconds=5)) == 0  # the counter's clock is behind


def test_nothing_about_the_citizen_is_kept() -> None:
    columns = {column.name for column in HelpRequestRow.__table__.columns}
    assert columns == {
        "id",
        "hall_code",
        "kiosk",
        "terminal",
        "step",
        "asked_at",
        "answered_at",
        "answered_by",
    }
    fields = {field.name for field in dataclasses.fields(HelpRequest)}
    assert fields == {"id", "kiosk", "terminal", "step", "asked_at", "answered_at", "answered_by"}


def test_migration_0005_adds_and_removes_the_table(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0004_evaluation_reasons")
        assert "help_requests" not in inspect(engine).get_table_names()
        assert upgrade(engine, "0005_help_requests") == (
            "0004_evaluation_reasons",
            "0005_help_requests",
        )
        assert "help_requests" in inspect(engine).get_table_names()
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("help_requests")}
        assert indexes["ix_help_requests_waiting"]["unique"]
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004_evaluation_reasons")
        assert "help_requests" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
