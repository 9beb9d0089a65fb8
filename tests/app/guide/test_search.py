"""Scenario search: Chinese, full pinyin, pinyin initials, keywords, item names and codes."""

from __future__ import annotations

import pytest

from app.catalog.catalog import Catalog
from app.guide.search import search


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("新生儿", "43PCN0009"), ("xse", "43PCN0009"), ("xinshenger", "43PCN0009"),
        ("XSE", "43PCN0009"), ("上户口", "43PCN0009"), ("tx", "43PCN0013"),
        ("养老金", "43PCN0013"), ("去世", "43PCP0008"), ("grsh", "43PCP0008"),
        ("餐饮", "43TCN0003"), ("kbcyd", "43TCN0003"), ("43pcn0013", "43PCN0013"),
        ("出生医学证明", "43PCN0009"),
    ],
)  # fmt: skip
def test_finds_the_scenario(catalog: Catalog, query: str, code: str) -> None:
    found = search(catalog, query)
    assert found and found[0].scenario.code == code, [(f.scenario.code, f.score) for f in found]


def test_nothing_and_everything(catalog: Catalog) -> None:
    assert search(catalog, "zzzz") == []
    assert len(search(catalog, "  ")) == len(catalog.scenarios)
    assert search(catalog, "xse")[0].why == "名称"
