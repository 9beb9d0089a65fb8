"""The published contract: the reference platform's OpenAPI document, ``sync/openapi.json``.

Provinces write their adapters against the checked-in file, so it is generated, never edited::

    python -m sync.openapi

A test fails when the file and the server's document differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("openapi.json")


def document() -> dict[str, Any]:
    """The OpenAPI document the reference platform serves at ``/openapi.json``."""
    from sync.server.app import unbound_app

    return unbound_app().openapi()


def render() -> str:
    """The document as the checked-in file has it: sorted keys, indented, UTF-8 text."""
    return json.dumps(document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    PATH.write_text(render(), encoding="utf-8")
