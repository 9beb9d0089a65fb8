"""A hall's core (what ``onestop`` builds at start-up) on a fresh data folder of the test, closed
when the test ends — the one way tests get a core unless they test the settings file itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from app.bootstrap import Core, build_core
from app.catalog.catalog import Catalog
from app.db.base import utcnow
from app.settings import Settings


class Cores:
    """Builds cores under ``root``; :meth:`close` closes every one, the last built first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: list[Core] = []

    def __call__(
        self,
        folder: str = "data",
        *,
        catalog: Catalog | None = None,
        clock: Callable[[], datetime] = utcnow,
        **sections: Any,
    ) -> Core:
        """A core on ``root/folder`` with the given settings sections (``transfers={...}``)."""
        return self.of(Settings(data_dir=self.root / folder, **sections), catalog, clock=clock)

    def of(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> Core:
        """A core on settings made elsewhere (a settings file, a demo world)."""
        core = build_core(settings, catalog, clock=clock)
        self.built.append(core)
        return core

    def close(self) -> None:
        while self.built:
            self.built.pop().close()


@contextmanager
def statements(core: Core) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(core.db.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(core.db.engine, "before_cursor_execute", seen)
