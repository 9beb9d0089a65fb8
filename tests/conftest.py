"""Test set-up: Qt offscreen, a private HOME, and the built-in catalog loaded once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything imports Qt: without it the run aborts with a misleading xcb hint.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
_home = Path(tempfile.mkdtemp(prefix="onestop-test-home-"))
for _var, _sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                   ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"),
                   ("XDG_RUNTIME_DIR", "run")):  # fmt: skip
    (_home / _sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ[_var] = str(_home / _sub)

import pytest  # noqa: E402

from app.catalog.catalog import Catalog, load_catalog  # noqa: E402
from app.guide.engine import Guide  # noqa: E402


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def guide(catalog: Catalog) -> Guide:
    return Guide(catalog)
