"""The kiosk's station: what every kiosk screen is handed — the presenters, the devices, the paper,
the background lanes and the way to the other screens — built once by the window, the same for
every screen (as :class:`counter.ui.station.Station` is for the counter's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.bootstrap import Core
from app.devices.drivers import Devices
from app.widgets.tasks import Tasks
from kiosk.evaluation import Evaluating
from kiosk.journey import Journey
from kiosk.papers import KioskPapers
from kiosk.progress import Progress
from kiosk.ui.theme import Theme


@dataclass
class Station:
    core: Core
    journey: Journey
    devices: Devices
    papers: KioskPapers
    work: Tasks  # the case: saving, searching, printing
    device_lane: Tasks  # the card reader and the camera
    go: Callable[[str], None]  # bring a screen forward by its name
    tell: Callable[[str, bool], None]  # a message on the message strip (text, is it a problem)
    say: Callable[[str], None]  # read aloud in 长辈模式 (what changed on the screen in view)
    theme: Callable[[], Theme]
    finish: Callable[[], None]  # 完成 / 退出: the session ends and everything is wiped
    progress: Progress  # 办件进度查询
    evaluating: Evaluating  # 好差评
    elderly: Callable[[], bool] = lambda: False  # 长辈模式 is on
