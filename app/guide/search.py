"""Finding a scenario the way people ask for it: by Chinese name or keyword (新生儿), full pinyin
(xinshenger), pinyin initials (xse), or an item's code — for the counter's search box and the
kiosk's on-screen keyboard."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from app.catalog.catalog import Catalog
from app.catalog.models import Scenario

LATIN = re.compile(r"^[a-z0-9]+$")


@dataclass(frozen=True)
class Found:
    scenario: Scenario
    score: int  # higher first
    why: str  # what matched, in Chinese


@functools.cache
def _spellings(text: str) -> tuple[str, str]:
    """Full pinyin and initials of ``text`` (letters and digits kept as they are)."""
    full = "".join(lazy_pinyin(text)).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    return re.sub(r"[^a-z0-9]", "", full), re.sub(r"[^a-z0-9]", "", initials)


def _terms(scenario: Scenario) -> list[tuple[str, str]]:
    return [
        (scenario.name, "名称"),
        *((k, "关键词") for k in scenario.keywords),
        *((i.name, "事项") for i in scenario.items),
    ]


def search(catalog: Catalog, query: str, *, limit: int = 20) -> list[Found]:
    """Scenarios matching ``query``, best first; empty query: every scenario."""
    wanted = query.strip().lower().replace(" ", "")
    if not wanted:
        return [Found(s, 0, "") for s in catalog.scenarios.values()][:limit]
    found = []
    for scenario in catalog.scenarios.values():
        best = _score(scenario, wanted)
        if best is not None:
            found.append(Found(scenario, *best))
    found.sort(key=lambda f: (-f.score, f.scenario.code))
    return found[:limit]


def _score(scenario: Scenario, wanted: str) -> tuple[int, str] | None:
    codes = [scenario.code.lower()] + [
        c.lower() for i in scenario.items for c in (i.basic_code, i.implementation_code) if c
    ]
    if any(wanted == c or (len(wanted) >= 6 and c.startswith(wanted)) for c in codes):
        return 100, "编码"
    best: tuple[int, str] | None = None
    latin = bool(LATIN.match(wanted))
    for term, kind in _terms(scenario):
        score = 0
        if wanted in term.lower():
            score = 90 if term.lower().startswith(wanted) else 80
        elif latin:
            full, initials = _spellings(term)
            if full.startswith(wanted):
                score = 70
            elif initials.startswith(wanted):
                score = 65
            elif wanted in full:
                score = 50
            elif len(wanted) >= 2 and wanted in initials:
                score = 45
        if kind != "名称":
            score -= 10 if score else 0
        if score and (best is None or score > best[0]):
            best = (score, kind)
    return best
