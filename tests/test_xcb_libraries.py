"""`make demo` on a desktop: Qt's xcb platform plugin loads only when every library it links is
installed, and Qt's own error then names only xcb-cursor0. The Makefile's list must name the
package of each X library the plugin links (read from ldd, mapped to packages by dpkg), so that
a fresh Debian desktop gets them all."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import PySide6
import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = Path(PySide6.__file__).parent / "Qt"
X_LIBRARY = re.compile(r"^lib(xcb-|xkbcommon-x11|X11-xcb)")


def linked(library: Path) -> dict[str, str]:
    """soname → the path it resolves to ("" when not found)."""
    done = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True)
    found = {}
    for line in done.stdout.splitlines():
        name, _, where = line.strip().partition(" => ")
        if where:
            found[name] = "" if where.startswith("not found") else where.split(" (")[0]
    return found


def makefile_packages() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    lists = re.findall(r"^(?:XCB_PACKAGES|SYSTEM_PACKAGES) :=(.*)$", text, re.M)
    return {word for line in lists for word in line.split() if not word.startswith("$(")}


@pytest.mark.skipif(not shutil.which("dpkg"), reason="不是 Debian 系统，无法按软件包核对")
def test_the_makefile_installs_every_x_library_the_xcb_plugin_links() -> None:
    plugin = QT / "plugins" / "platforms" / "libqxcb.so"
    libraries = {**linked(plugin), **linked(QT / "lib" / "libQt6XcbQpa.so.6")}
    missing = [name for name, where in libraries.items() if not where]
    assert not missing, f"Qt 的 xcb 插件缺少：{missing}"
    wanted = makefile_packages()
    for name, where in libraries.items():
        if not X_LIBRARY.match(name):
            continue
        owner = subprocess.run(
            ["dpkg", "-S", Path(where).resolve().as_posix()],
            capture_output=True,
            text=True,
            check=False,
        )
        package = owner.stdout.split(":", 1)[0]
        assert package in wanted, f"{name} 属于 {package}，Makefile 的软件包列表里没有"
