"""Real X windows for the tests that offscreen Qt cannot stand in for (window geometry, keyboard
focus without a window manager): a script runs in its own process under ``xvfb-run`` with the
xcb platform, and key presses come from xdotool through the X server, as a clerk's would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOW_TO_ENABLE = (
    "没有 xvfb-run 或 xdotool，真实窗口的测试被跳过"
    "（apt-get install --no-install-recommends xvfb xauth xdotool）。"
)
ROOT = Path(__file__).resolve().parent.parent


def require() -> None:
    """Skip without Xvfb and xdotool, except under ``make test`` (ONESTOP_REQUIRE_XVFB)."""
    if shutil.which("xvfb-run") and shutil.which("xdotool"):
        return
    if os.environ.get("ONESTOP_REQUIRE_XVFB"):
        pytest.fail(HOW_TO_ENABLE.replace("被跳过", "不能跳过"))
    pytest.skip(HOW_TO_ENABLE)


def run_script(
    script: Path, *args: str, home: Path, screen: str = "1920x1080", timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python script args…`` on a fresh X server of ``screen`` size with no window manager."""
    return run_python(str(script), *args, home=home, screen=screen, timeout_s=timeout_s)


def run_python(
    *args: str, home: Path, screen: str = "1920x1080", timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python args…`` (a script, or ``-m module``) on a fresh X server of ``screen`` size."""
    require()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = {key: value for key, value in os.environ.items() if not key.startswith("QT_")}
    env.update(
        QT_QPA_PLATFORM="xcb",
        PYTHONPATH=str(ROOT),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_RUNTIME_DIR=str(home),
    )
    env.pop("QT_IM_MODULE", None)
    env.pop("DISPLAY", None)
    return subprocess.run(
        ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout_s,
        cwd=ROOT,
        check=False,
    )
