"""The cycle collector of the counter and the kiosk runs on the GUI thread only: cycles a worker
thread leaves behind are freed by the GUI thread's timer, never by the worker."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from app.widgets.collector import GuiCollector


class Node:
    """A cycle that records the thread it is freed on."""

    freed_on: list[str] = []  # noqa: RUF012 (shared on purpose)

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Node.freed_on.append(threading.current_thread().name)


def test_cycles_a_worker_leaves_are_freed_on_the_gui_thread(qtbot: QtBot) -> None:
    gc.collect()
    Node.freed_on.clear()
    collector = GuiCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        made = 3 * gc.get_threshold()[0]  # enough to have set off the automatic collector

        def work() -> None:
            for _ in range(made):
                Node()

        worker = threading.Thread(target=work, name="worker")
        worker.start()
        worker.join()
        assert Node.freed_on == []  # nothing was collected on the worker
        qtbot.waitUntil(lambda: len(Node.freed_on) >= made, timeout=5000)
        assert set(Node.freed_on) == {threading.main_thread().name}
    finally:
        collector.stop()
    assert gc.isenabled()
