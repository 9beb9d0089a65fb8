"""帮助 at the kiosk: the scenario's common questions from the catalog beside the kiosk's own, and
请工作人员协助 — the counter sees the kiosk's name and the step, never the citizen; the call goes
away when the citizen leaves. 返回 brings back the screen she was on, with what she had done."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.demo import NEWBORN
from kiosk.ui.window import KioskWindow
from tests.helpers.cases import MOTHER
from tests.kiosk.screens import idle, press, shown_text, to_plan, type_into


def test_help_without_a_scenario_has_the_kiosk_questions(window: KioskWindow) -> None:
    press(window, "help")
    assert window.current().name == "help"
    shown = shown_text(window)
    assert "使用自助终端" in shown and "没带身份证" in shown and "常见问题" not in shown
    press(window, "help_back")
    assert window.current().name == "start"


def test_the_scenarios_questions_and_a_call_for_staff(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    press(window, "read_card")
    idle(qtbot, window)
    to_plan(window)
    press(window, "help")
    shown = shown_text(window)
    faq = core.catalog.scenarios[NEWBORN].faq
    assert faq and faq[0].q in shown and faq[-1].a in shown
    assert "新生儿出生一件事：常见问题" in shown
    assert core.help.waiting() == []  # nothing is sent before the citizen asks

    press(window, "help_call")
    idle(qtbot, window)
    assert "已通知工作人员" in shown_text(window)
    press(window, "help_call")  # pressed again while waiting: still one call, paged once
    idle(qtbot, window)
    [call] = core.help.waiting()
    assert (call.kiosk, call.terminal, call.step) == ("自助终端", "kiosk-01", "查看所需材料")
    assert MOTHER.name not in call.where and MOTHER.id_number not in call.where

    press(window, "help_back")  # back where she was, the list still hers
    assert window.current().name == "plan"
    assert window.station.journey.in_hand.scenario is not None

    window.finish()  # she leaves before anyone came: nobody walks to an empty kiosk
    idle(qtbot, window)
    assert core.help.waiting() == []
    press(window, "help")
    shown = shown_text(window)
    assert "常见问题" not in shown and "已通知工作人员" not in shown


def test_a_call_answered_at_the_counter_is_not_withdrawn_twice(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    press(window, "help")
    press(window, "help_call")
    idle(qtbot, window)
    [call] = core.help.waiting()
    assert call.step == "首页"
    core.help.answer(call.id, Actor("王芳", "window-03"))
    window.finish()
    idle(qtbot, window)
    assert core.help.waiting() == []
    assert window.message.isHidden()  # nothing went wrong on the way out


def test_a_kiosk_without_a_name_says_where_to_go_instead(
    qtbot: QtBot, window: KioskWindow, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    nameless = core.settings.kiosk.model_copy(update={"name": ""})
    monkeypatch.setattr(core, "settings", core.settings.model_copy(update={"kiosk": nameless}))
    press(window, "help")
    press(window, "help_call")
    idle(qtbot, window)
    text = window.message.text()
    assert "没有名称" in text and "综合窗口" in text
    assert window.message.property("kind") == "warn"
    assert core.help.waiting() == []


OLDER_ID = "430104195206101012"  # born 1952: over 60


def call_text(window: KioskWindow) -> str:
    call = window.findChild(QAbstractButton, "help_call")
    assert call is not None
    return call.text()


def test_an_older_citizen_is_offered_to_be_accompanied(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    """§7.4.4 at the kiosk: an applicant whose ID shows 60 or older is told 陪同办 is there, and
    the help call asks for it, so the clerk who goes knows to stay through."""
    to_plan(window)
    press(window, "pre_apply")
    type_into(window, "typed_name", "周桂英")
    type_into(window, "typed_number", OLDER_ID)
    press(window, "identify_next")
    assert window.current().name == "form"
    assert "年满 60 周岁" in window.message.text() and "陪同办理" in window.message.text()

    press(window, "help")
    assert "长辈可以请工作人员陪同办理" in shown_text(window)
    press(window, "help_call")
    idle(qtbot, window)
    [call] = core.help.waiting()
    assert call.step == "填写申请表·长辈陪同办理" and OLDER_ID not in call.where
    assert "已通知工作人员" in shown_text(window)
    window.finish()
    idle(qtbot, window)

    press(window, "help")  # the next citizen, younger, gets the plain call
    assert "长辈可以" not in shown_text(window)
    assert call_text(window) == "请工作人员协助"


def test_in_elderly_mode_the_call_asks_to_be_accompanied(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    press(window, "elderly")
    press(window, "help")
    assert call_text(window) == "请工作人员陪同办理"
    press(window, "help_call")
    idle(qtbot, window)
    [call] = core.help.waiting()
    assert call.step == "首页·长辈陪同办理"
