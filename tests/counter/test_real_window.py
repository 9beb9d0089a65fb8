"""The counter in a real X window without a window manager (tests/counter/real_window.py): it
covers the screen, takes the keyboard after sign-in and after the lock screen, and answers the
keys the README lists without a click; the applicant panel follows the card read."""

from __future__ import annotations

import json
from pathlib import Path

from tests import xvfb

DRIVER = Path(__file__).with_name("real_window.py")


def test_a_counter_pc_without_a_window_manager(tmp_path: Path) -> None:
    done = xvfb.run_script(DRIVER, str(tmp_path), home=tmp_path / "home", screen="1920x1080")
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["window"] == seen["screen"] and seen["screen"][2:] == [1920, 1080], seen
    assert seen["font_px"] >= 13, seen  # larger than the 1366×768 layout's 12 px
    assert seen["sign_in_active"] and seen["signed_in"], seen
    assert seen["active_after_sign_in"], seen
    assert seen["focus_after_sign_in"] == "id_number", seen
    assert seen["f2_read_card"], seen
    assert "李芳" in seen["panel_after_f2"] and "等待申请人" not in seen["panel_after_f2"], seen
    assert seen["ctrl_l_locked"], seen
    assert seen["active_after_lock"], seen
    assert seen["dialog_active"] and seen["dialog_closed"], seen
    assert seen["active_after_dialog"], seen
    assert seen["ctrl_n_next"], seen
    assert seen["digits_in_number_field"] and not seen["scanner_complaint"], seen
