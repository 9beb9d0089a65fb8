"""The idle rule: countdown, extension, the longer limits, the quiet start screen."""

from __future__ import annotations

from app.settings import KioskSettings
from kiosk.idle import Idle, IdleWatch, Phase
from tests.helpers.clock import Clock


def test_countdown_then_wipe_unless_touched() -> None:
    clock = Clock()
    watch = IdleWatch(KioskSettings(idle_s=60, countdown_s=20), clock)
    assert watch.state() == Idle(Phase.QUIET, 0.0)
    clock.now += 3600  # the start screen may stay untouched all day
    watch.begin()
    assert watch.state() == Idle(Phase.ACTIVE, 60.0)
    clock.now += 59
    assert watch.state().phase is Phase.ACTIVE
    clock.now += 1
    assert watch.state() == Idle(Phase.WARNING, 20.0)
    watch.touch()  # "还需要更多时间" — one touch
    assert watch.state() == Idle(Phase.ACTIVE, 60.0)
    clock.now += 79.5
    assert watch.state() == Idle(Phase.WARNING, 0.5)
    clock.now += 0.5
    assert watch.state().phase is Phase.EXPIRED
    watch.end()
    assert watch.state().phase is Phase.QUIET


def test_form_camera_and_elderly_limits() -> None:
    clock = Clock()
    watch = IdleWatch(
        KioskSettings(idle_s=60, long_idle_s=180, countdown_s=30, elderly_factor=2), clock
    )
    watch.begin(long=True)
    assert watch.limit_s == 180 and watch.countdown_s == 30
    clock.now += 100
    watch.begin(long=True)  # another step of the form: the time runs on
    assert watch.state().seconds_left == 80
    watch.begin(long=False)  # a change of limit starts afresh
    assert watch.state().seconds_left == 60
    watch.elderly = True
    assert watch.limit_s == 120 and watch.countdown_s == 60
