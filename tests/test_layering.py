"""The core never imports a UI, a printer library, a barcode reader or an HTTP client."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

FORBIDDEN = ("PySide6", "reportlab", "escpos", "pyzbar", "httpx")
PACKAGES = ("app", "kiosk", "counter", "printing", "sync")


def _modules(package: str) -> list[str]:
    """Every module of the package; Alembic's scripts only run inside a migration."""
    root = importlib.import_module(package)
    found = [m.name for m in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")]
    return [package] + [m for m in found if ".migrations." not in m]


def test_core_imports_no_ui_or_io_library() -> None:
    core = [m for m in _modules("app") if not m.startswith("app.widgets")]
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        f"print(','.join(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_imports(package: str) -> None:
    for name in _modules(package):
        importlib.import_module(name)


def test_kiosk_and_counter_do_not_import_each_other() -> None:
    for package, other in (("kiosk", "counter"), ("counter", "kiosk")):
        for name in _modules(package):
            module = importlib.import_module(name)
            source = getattr(module, "__file__", None)
            if source:
                with open(source, encoding="utf-8") as handle:
                    text = handle.read()
                assert f"import {other}" not in text and f"from {other}" not in text, name
