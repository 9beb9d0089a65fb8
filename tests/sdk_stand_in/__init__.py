"""A stand-in for ID card readers' vendor libraries, compiled here with gcc from idreader.c (both
API families, sdtapi and termb, in one .so, as some vendors ship them) and wlt.c (the photo
decoder); the fixtures ``libs`` (compiled once a session) and ``present`` (the card on the
reader) are registered in tests/conftest.py."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.devices import gat467
from app.identity.card import IdCardData

STAND_IN = Path(__file__).parent
PHOTO = bytes(range(256)) * 4  # 1024 bytes of "WLT"
Present = Callable[..., None]


@dataclass(frozen=True)
class Libraries:
    reader: str  # both families, termb with the older names (InitComm …)
    cvr: str  # the same with the newer termb names (CVR_InitComm …)
    wlt: str  # the photo decoder


@pytest.fixture(scope="session")
def libs(tmp_path_factory: pytest.TempPathFactory) -> Libraries:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail(
            "gcc is missing: these tests compile a stand-in vendor library. Install it "
            "(apt-get install --no-install-recommends gcc; make test does)."
        )
    out = tmp_path_factory.mktemp("sdk")

    def build(name: str, source: str, *flags: str) -> str:
        target = out / f"lib{name}.so"
        subprocess.run(
            [gcc, *flags, "-shared", "-fPIC", "-O1", "-o", str(target), str(STAND_IN / source)],
            check=True,
        )
        return str(target)

    return Libraries(
        build("idreader", "idreader.c"),
        build("cvr", "idreader.c", "-DCVR_NAMES"),
        build("wlt", "wlt.c"),
    )


@pytest.fixture
def present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Present:
    """Puts a card (or none) on the stand-in reader; the working directory is a fresh one, as
    termb libraries write their files there."""
    monkeypatch.chdir(tmp_path)
    card_file = tmp_path / "card.bin"
    card_file.write_bytes(b"")
    monkeypatch.setenv("STANDIN_CARD", str(card_file))

    def put(card: IdCardData | None, photo: bytes = PHOTO) -> None:
        card_file.write_bytes(b"" if card is None else gat467.base_text(card) + photo)

    return put
