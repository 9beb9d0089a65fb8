"""Administrative division codes (GB/T 2260), from the data set python-stdnum maintains.

The data keeps historical names with the years they were valid, so an old ID number still names the
county it was issued in. A code that existed at any time is accepted: a person who moved gets a new
number with the new county's code, even when that county was created after their birth, so a check
against the birth year would refuse real citizens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_LINE = re.compile(r'^(\s*)(\d{2,4}) (?:province|county)="([^"]*)"')
_SPAN = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class NameSpan:
    name: str
    start: int | None
    end: int | None

    def covers(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


@dataclass(frozen=True)
class Region:
    code: str
    province: str
    prefecture: str
    names: tuple[NameSpan, ...]

    def county(self, year: int | None = None) -> str:
        """The county's name in ``year`` (its latest name when not given or not covered)."""
        if year is not None:
            for span in self.names:
                if span.covers(year):
                    return span.name
        return self.names[-1].name

    def full_name(self, year: int | None = None) -> str:
        parts = [self.province]
        if self.prefecture and self.prefecture not in parts:
            parts.append(self.prefecture)
        county = self.county(year)
        if county not in parts and county not in {"市辖区", "县"}:
            parts.append(county)
        return "".join(parts)

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


def _spans(text: str) -> tuple[NameSpan, ...]:
    spans = []
    for part in text.split(","):
        match = _SPAN.match(part)
        if match:
            start, end, name = match.groups()
            spans.append(NameSpan(name, int(start) if start else None, int(end) if end else None))
        else:
            spans.append(NameSpan(part, None, None))
    return tuple(spans)


# Names in the data set are as Wikipedia writes them: Hong Kong and Macao in traditional script.
_SIMPLIFIED = {"香港特別行政區": "香港特别行政区", "澳門特別行政區": "澳门特别行政区"}


@cache
def regions() -> dict[str, Region]:
    """Every six-digit division code the data set knows."""
    text = (files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    raw: dict[str, str] = {}
    provinces: dict[str, str] = {}
    province = ""
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        indent, code, name = match.groups()
        if not indent:
            province = code
            provinces[code] = _SIMPLIFIED.get(name, name)
        else:
            raw[province + code] = name
    result: dict[str, Region] = {}
    for code, names in raw.items():
        spans = _spans(names)
        prefecture_code = code[:4] + "00"
        prefecture = ""
        if code[2:4] != "00" and prefecture_code != code and prefecture_code in raw:
            pref = _spans(raw[prefecture_code])[-1].name
            prefecture = "" if pref in {"市辖区", "县", "省直辖县级行政区划"} else pref
        result[code] = Region(code, provinces[code[:2]], prefecture, spans)
    return result


def province_names() -> dict[str, str]:
    """Province-level code → name, e.g. ``430000`` → ``湖南省``."""
    return {code: region.province for code, region in regions().items() if code.endswith("0000")}


def lookup(code: str) -> Region | None:
    return regions().get(code)
