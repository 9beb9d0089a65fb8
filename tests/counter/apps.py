"""One way to stand up the whole counter app for a test (the real composition root): a fresh hall
database, the simulated card reader, and one clerk who signs in with a password."""

from __future__ import annotations

from pathlib import Path

from app.accounts import Accounts
from app.bootstrap import build_core
from app.cases.audit import Actor
from app.settings import Settings
from counter.main import CounterApp
from tests.helpers.keys import set_up

CLERK, PASSWORD = "zhangmin", "counter-secret"


def counter_with_a_clerk(folder: Path) -> CounterApp:
    settings = Settings(data_dir=folder / "hall", devices={"id_reader": "simulated"})
    set_up(settings.key_file)
    core = build_core(settings)
    Accounts(core.db).add(CLERK, "张敏", PASSWORD, by=Actor("admin", "t"))
    core.close()
    return CounterApp(settings)
