"""Python's cycle collector run on the GUI thread only, as long as the app runs.

Left to itself the collector runs on whichever thread happens to allocate when its thresholds
are passed — in the counter and the kiosk that may be a worker (the case lane, the devices lane,
the status poll, the sync worker). A cycle it breaks there may hold a Qt widget, which is then
destroyed off the GUI thread, and Qt does not allow that: the process can die with a segmentation
fault long after the cycle was made. So the automatic collector is switched off and a timer on the
GUI thread does its work: every ``interval_ms`` it collects the generations whose thresholds were
passed, as the automatic collector would have (the recipe pyqtgraph and others use)."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.collected = 0  # objects found unreachable so far (for a test to see it works)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect what the automatic collector would have collected by now."""
        young, middle, old = gc.get_count()
        if young <= self.threshold[0]:
            return
        generation = 0
        if middle > self.threshold[1]:
            generation = 2 if old > self.threshold[2] else 1
        self.collected += gc.collect(generation)

    def stop(self) -> None:
        """The automatic collector back (the app is closing, or a test is done)."""
        self.timer.stop()
        gc.enable()
