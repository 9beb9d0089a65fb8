"""The hall's paper: A4 documents as PDF through CUPS (receipts, notices, lists) and thermal
tickets over ESC/POS.

python-escpos parses its printer database (a 1 MB YAML file, about 0.4 s) at every import unless
it may keep a pickle of it, and by default it keeps that in a new temporary folder each time — so
every start paid for it and left a folder behind. It keeps the pickle in the user's cache instead
(where it is reused until the package's file is newer), unless the environment names a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir


def _escpos_cache() -> None:
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    folder = Path(user_cache_dir("onestop", appauthor=False)) / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: the library's own temporary folder, as before
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)


_escpos_cache()
