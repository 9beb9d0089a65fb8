"""Who may import whom, read from the source (every import statement, at the top or inside a
function, run or not):

- the core (``app/`` but its composition root and its shared widgets) imports no UI, printer
  library, HTTP client or server, and none of ``counter``, ``kiosk``, ``printing`` or ``sync``;
- the composition root — the command line ``app/cli/`` and ``app/bootstrap.py`` — is the one
  part of ``app/`` that reaches the UIs, printing and sync, and nothing imports the command line;
- the shared widgets (``app/widgets/``) use Qt but neither UI, printing nor sync;
- decoders, serial ports and image arrays stay in the drivers (``app/devices/``) and widgets;
- the kiosk and the counter never import each other.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "kiosk", "counter", "printing", "sync")
UIS_AND_IO = (
    "PySide6",
    "shiboken6",
    "reportlab",
    "escpos",
    "httpx",
    "uvicorn",
    "fastapi",
    "counter",
    "kiosk",
    "printing",
    "sync",
)
DEVICE_LIBRARIES = ("zxingcpp", "serial", "cv2", "sane", "numpy", "pyzbar")
COMPOSITION_ROOT = ("app/cli/", "app/bootstrap.py")


@dataclass(frozen=True)
class Violation:
    path: str  # relative to the tree, with forward slashes
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.imported}: {self.rule}"


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module an import statement in ``path`` names, and its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def _top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def violations(root: Path) -> list[Violation]:
    """What breaks the rules in the tree at ``root`` (the repository, or a planted copy)."""
    found: list[Violation] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative:
                continue
            for name, line in imports(path):
                top = _top(name)
                rule = _rule(relative, package, name, top)
                if rule:
                    found.append(Violation(relative, line, name, rule))
    return found


def _rule(relative: str, package: str, name: str, top: str) -> str:
    """The rule an import breaks, or ''."""
    if (name == "app.cli" or name.startswith("app.cli.")) and not relative.startswith("app/cli/"):
        return "nothing imports the command line"
    if package == "app":
        if relative.startswith(COMPOSITION_ROOT):
            return ""
        if relative.startswith("app/widgets/"):
            if top in UIS_AND_IO and top not in ("PySide6", "shiboken6"):
                return "the shared widgets use Qt, never a UI, printing or sync"
            return ""
        if top in UIS_AND_IO:
            return "the core imports no UI, printer library, HTTP client, printing or sync"
        if top in DEVICE_LIBRARIES and not relative.startswith("app/devices/"):
            return "decoders, ports and image arrays stay in the drivers"
    for ui, other in (("kiosk", "counter"), ("counter", "kiosk")):
        if package == ui and top == other:
            return "the kiosk and the counter never import each other"
    return ""


def test_the_source_keeps_its_layers() -> None:
    assert [str(v) for v in violations(ROOT)] == []


def test_a_planted_lazy_import_is_caught(tmp_path: Path) -> None:
    """The rules read import statements, not what happened to be imported: a function-level
    import that never ran is still found."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    planted = tmp_path / "app" / "cases" / "planted.py"
    planted.parent.mkdir()
    planted.write_text(
        "def later() -> None:\n    from counter.ui.window import MainWindow\n", encoding="utf-8"
    )
    (tmp_path / "app" / "cli").mkdir()
    (tmp_path / "app" / "cli" / "fine.py").write_text("def run():\n    import kiosk.main\n")
    (tmp_path / "sync" / "uses_cli.py").write_text("from app.cli.main import main\n")
    (tmp_path / "kiosk" / "peek.py").write_text("import counter.ui\n")
    found = {(v.path, v.line, v.imported) for v in violations(tmp_path)}
    assert found == {
        ("app/cases/planted.py", 2, "counter.ui.window"),
        ("sync/uses_cli.py", 1, "app.cli.main"),
        ("kiosk/peek.py", 1, "counter.ui"),
    }


def _modules(package: str) -> list[str]:
    """Every module of the package; Alembic's scripts only run inside a migration."""
    root = importlib.import_module(package)
    found = [m.name for m in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")]
    return [package] + [m for m in found if ".migrations." not in m]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_imports(package: str) -> None:
    for name in _modules(package):
        importlib.import_module(name)
