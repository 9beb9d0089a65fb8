"""Catalog files from people and from the platform cannot crash or exhaust the loader: each bad
file is refused with a Chinese reason and, where there is one, its line."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.catalog import load_catalog, problems_of
from app.catalog.reading import MAX_FILE_BYTES
from app.catalog.versions import CatalogRejected, CatalogStore, files_digest
from app.errors import CatalogError
from app.validation_zh import has_chinese
from tests.helpers.catalogs import MINIMAL

MakeCatalog = Callable[..., Path]

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
    f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
    f"*{chr(97 + n)}]\n"
    for n in range(9)
)


def errors(folder: Path) -> list[str]:
    return [p.render() for p in problems_of(folder)[1] if p.severity == "error"]


def test_an_alias_bomb_is_refused_before_it_grows(make_catalog: MakeCatalog) -> None:
    started = time.perf_counter()
    found = errors(make_catalog(ALIAS_BOMB))
    assert time.perf_counter() - started < 5
    assert any("s0.yaml:" in e and "超过 100000 个数据项" in e for e in found), found


def test_a_list_used_as_a_key_is_refused_with_its_line(make_catalog: MakeCatalog) -> None:
    found = errors(make_catalog(MINIMAL + "? [1, 2]\n: 3\n"))
    assert any("键只能是文字" in e and ":21:" in e for e in found), found


def test_a_huge_file_is_not_read_whole(make_catalog: MakeCatalog) -> None:
    found = errors(make_catalog(MINIMAL + "# " + "长" * (MAX_FILE_BYTES // 3) + "\n"))
    assert any("超过一个目录文件的上限 2 MB" in e for e in found), found


def test_bytes_that_are_not_utf8_are_reported_with_their_line(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(MINIMAL)
    (folder / "s0.yaml").write_bytes(MINIMAL.encode("utf-8") + "name2: 测试\n".encode("gbk"))
    found = errors(folder)
    assert any("s0.yaml:21:" in e and "不是 UTF-8" in e for e in found), found


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("when: 2026-13-45\n", "写法不对"),
        ("deep: " + "[" * 200 + "]" * 200 + "\n", "嵌套超过"),
        ("loop: &x {a: *x}\n", "嵌套超过"),
        ("tagged: !python/object x\n", "不认识的标签"),
        ("\tcode: x\n", "制表符"),
        ("ctl: \x07\n", "控制字符"),
    ],
)
def test_odd_yaml_is_refused_in_chinese(
    make_catalog: MakeCatalog, extra: str, expected: str
) -> None:
    found = errors(make_catalog(MINIMAL + extra))
    assert any(expected in e for e in found), found


def test_catalog_pull_goes_through_the_same_bounds(tmp_path: Path) -> None:
    """A platform that publishes an alias bomb does not take ``sync run`` down."""
    files = {"_catalog.yaml": "version: '9'\n", "s.yaml": ALIAS_BOMB}
    store = CatalogStore(tmp_path / "catalogs")
    with pytest.raises(CatalogRejected, match="超过 100000 个数据项"):
        store.install("9", files, files_digest(files))
    assert store.current_version() is None


_yaml_bits = st.sampled_from(
    ["a", "- ", ": ", "&x ", "*x ", "[", "]", "{", "}", "? ", "!!binary ", "!t ", "'", '"', "\n",
     "  ", "\t", "#", "2026-02-30", "1e999", "~", "<<: *x", "---\n", "\\u", "长", "\x00", "\ufeff",
     "code: ", "items:\n", "  - id: ", "yes", "0x1F", "%YAML 1.1\n", "!!bool ", "!!int ",
     "!!timestamp ", "''"]
)  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.lists(_yaml_bits, max_size=40).map("".join) | st.text(max_size=200),
    junk=st.binary(max_size=40),
)
def test_fuzz_any_file_gives_chinese_problems(
    make_catalog: MakeCatalog, text: str, junk: bytes
) -> None:
    folder = make_catalog(MINIMAL)
    (folder / "s1.yaml").write_bytes(text.encode("utf-8", "surrogatepass") + junk)
    for problem in problems_of(folder)[1]:
        assert has_chinese(problem.message), problem.render()
        assert "Input should" not in problem.message
    try:
        load_catalog(folder)
    except CatalogError as exc:
        assert has_chinese(exc.message)
