"""The core never imports a UI, a printer library or an HTTP client, and only its device drivers
import decoders, serial ports and image arrays."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN = ("PySide6", "reportlab", "escpos", "httpx")
# Decoders, ports and image arrays belong to the drivers (app/devices) and the widgets; the
# domain (catalog, guide, identity, cases, transfers, db …) never imports them, not even lazily.
DEVICE_LIBRARIES = ("zxingcpp", "serial", "cv2", "sane", "numpy")
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


def test_device_libraries_stay_in_the_drivers() -> None:
    """Read from the source, lazy imports included."""
    import app

    root = Path(app.__file__).parent
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in ("devices", "widgets", "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in DEVICE_LIBRARIES, f"app/{relative}: {name}"
