"""Test set-up: Qt offscreen, a private HOME, and the built-in catalog loaded once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything imports Qt: without it the run aborts with a misleading xcb hint.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
_home = Path(tempfile.mkdtemp(prefix="onestop-test-home-"))
for _var, _sub in (
    ("HOME", ""),
    ("XDG_CONFIG_HOME", ".config"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_DATA_HOME", ".local/share"),
    ("XDG_STATE_HOME", ".local/state"),
    ("XDG_RUNTIME_DIR", "run"),
):
    (_home / _sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ[_var] = str(_home / _sub)

# The kiosk's on-screen keyboard is an input method, chosen before the QApplication exists, as
# `onestop kiosk` does (its desktop window stays off, so the counter's fields are not disturbed).
from kiosk.keyboard import configure_environment  # noqa: E402

configure_environment()

# Set up like a hall's terminal: the hall's key file in the (private) user configuration folder.
from app.security.keys import default_key_file, init_keys  # noqa: E402

init_keys(default_key_file())

import functools  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

from app.catalog.catalog import Catalog, load_catalog  # noqa: E402
from app.guide.engine import Planner  # noqa: E402
from tests.helpers.catalogs import catalog_folder  # noqa: E402
from tests.helpers.cores import Cores  # noqa: E402


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def planner(catalog: Catalog) -> Planner:
    return Planner(catalog)


@pytest.fixture
def cores(tmp_path: Path) -> Iterator[Cores]:
    """Cores built in the test's folder, closed at its end."""
    made = Cores(tmp_path)
    yield made
    made.close()


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[..., Path]:
    """A catalog folder with the built-in _catalog.yaml and the given scenario files."""
    return functools.partial(catalog_folder, tmp_path / "catalog")


# -- databases: every storage test runs on SQLite and on a real PostgreSQL server -------------------
import itertools  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from sqlalchemy import create_engine, text  # noqa: E402

from app.db.engine import Database, make_engine  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from tests import postgres  # noqa: E402

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if postgres.server_bin() is None:
        if os.environ.get("ONESTOP_REQUIRE_POSTGRES"):
            pytest.fail(postgres.HOW_TO_ENABLE.replace("跳过", "不能跳过"))
        pytest.skip(postgres.HOW_TO_ENABLE)
    with postgres.running_server() as url:
        yield url


@contextmanager
def _fresh_database(server: str) -> Iterator[str]:
    name = f"t{os.getpid()}_{next(_databases)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onestop.sqlite3'}"
        return
    with _fresh_database(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def hall_database_url(postgres_url: str) -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, for a hall of several terminals (a SQLite
    file serves one terminal and refuses a second)."""
    with _fresh_database(postgres_url) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on each engine (SQLite and the test PostgreSQL server)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield Database(engine)
    engine.dispose()


import gc  # noqa: E402

from tests.sdk_stand_in import libs, present  # noqa: E402, F401  (the stand-in SDK's fixtures)


@pytest.fixture(autouse=True)
def qt_objects_freed_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test starts by collecting, here on the GUI thread, what earlier tests left in
    reference cycles (pytest-qt closes a test's widgets after its fixtures are gone), and runs
    with the automatic collector off, as the apps do (app.widgets.collector.GuiCollector):
    left to it, a cycle holding a widget may be freed on a worker thread, which Qt does not
    allow — a full run crashed so, as one counter test followed another."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    # The young generations only: what a Qt test leaves is young (nothing is collected, so
    # nothing promoted, while it runs), and a full collection of the whole heap before each of
    # some 900 Qt tests cost minutes of the run.
    gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
