"""The README tells the truth about its pictures: each one it shows exists, and each is named as
the screenshot walk (``make screenshots``) writes it, so running that command replaces them."""

from __future__ import annotations

import re
from pathlib import Path

from counter.screenshots import SHOTS, shot_file
from kiosk import screenshots as kiosk_shots

ROOT = Path(__file__).resolve().parent.parent
PICTURE = re.compile(r"\]\((docs/[^)\s]+\.png)\)")


def pictures() -> list[str]:
    return PICTURE.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_every_picture_the_readme_shows_exists() -> None:
    shown = pictures()
    assert len(shown) > 20
    missing = [p for p in shown if not (ROOT / p).is_file()]
    assert not missing, missing


def test_the_counters_pictures_are_named_as_the_walk_writes_them() -> None:
    counter = [p for p in pictures() if p.count("/") == 2]  # docs/screenshots/NN-name.png
    written = {f"docs/screenshots/{shot_file(name)}" for name in SHOTS}
    assert counter and set(counter) <= written, set(counter) - written


def test_the_kiosks_pictures_are_named_as_the_walk_writes_them() -> None:
    kiosk = [p for p in pictures() if p.startswith("docs/screenshots/kiosk/")]
    written = {
        f"docs/screenshots/kiosk/{kiosk_shots.shot_file(f'{shape}-{mode}', name)}"
        for shape in ("portrait", "landscape")
        for mode in ("normal", "elderly")
        for name in kiosk_shots.SHOTS
    }
    assert kiosk and set(kiosk) <= written, set(kiosk) - written


def test_make_screenshots_takes_them_again() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^screenshots:", makefile, re.M)
    assert "counter --screenshots docs/screenshots" in makefile
    assert "kiosk --screenshots docs/screenshots/kiosk" in makefile
