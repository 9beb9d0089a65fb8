"""Reading one catalog file: what it gives for a good file (values, the line of every place, repeated
keys) and the exact words and line of each refusal, including which of two problems is named first.
These pin the reader's results so that it can be made faster without a person seeing a change."""

from __future__ import annotations

import contextlib
import gc
import math
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.loader import builtin_catalog_dir
from app.catalog.reading import Parsed, Refused, _Composer, read_yaml

SYNTAX = "。请对照相邻的条目检查缩进、冒号和引号"
NESTED = "嵌套超过 64 层（或锚点引用了自身）"
TOO_MANY = (
    "文件展开后超过 100000 个数据项（可能是层层引用的锚点 &/*）：请去掉这些引用，把内容直接写出"
)
LIST_KEY = "键只能是文字，这里的键是列表或键值对"


def _bomb(first: str = "") -> str:
    return (
        first
        + "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 9) + "]\n"
            for n in range(9)
        )
    )


def _read(tmp_path: Path, text: str) -> Parsed | None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path)


def test_a_good_file_gives_values_lines_and_repeated_keys(tmp_path: Path) -> None:
    parsed = _read(
        tmp_path,
        "base: &b\n"
        "  name: 名称\n"
        "  days: 3\n"
        "copy: *b\n"
        "flags: [yes, no, ~, 0x1F, 017, 1_000, 1:20, .5, .inf, 2026-01-02, '07', \"yes\"]\n"
        "dup: 1\n"
        "dup: 2\n"
        "nested:\n"
        "  - x: 1\n"
        "    x: 2\n"
        "  - [a, [b]]\n"
        "1: 数字键\n",
    )
    assert parsed is not None
    assert parsed.data == {
        "base": {"name": "名称", "days": 3},
        "copy": {"name": "名称", "days": 3},
        "flags": [True, False, None, 31, 15, 1000, 80, 0.5, float("inf"), date(2026, 1, 2)]
        + ["07", "yes"],
        "dup": 2,
        "nested": [{"x": 2}, ["a", ["b"]]],
        1: "数字键",
    }
    flags: dict[tuple[str | int, ...], int] = {("flags", n): 5 for n in range(12)}
    lines: dict[tuple[str | int, ...], int] = {
        (): 1,
        ("base",): 1,
        ("base", "name"): 2,
        ("base", "days"): 3,
        ("copy",): 4,
        ("copy", "name"): 2,
        ("copy", "days"): 3,
        ("flags",): 5,
        **flags,
        ("dup",): 7,
        ("nested",): 8,
        ("nested", 0): 9,
        ("nested", 0, "x"): 10,
        ("nested", 1): 11,
        ("nested", 1, 0): 11,
        ("nested", 1, 1): 11,
        ("nested", 1, 1, 0): 11,
        (1,): 12,
    }
    assert list(parsed.lines.items()) == list(lines.items())  # in the file's order
    assert parsed.duplicates == [(("dup",), "dup"), (("nested", 0, "x"), "x")]


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("", None),
        ("# 只有注释\n", None),
        ("~\n", "null"),
        ("just text\n", "just text"),
        ("- 1\n- two\n", [1, "two"]),
        ("a: !!binary '%%%'\n", {"a": b""}),
        ("a: !!omap x\n", {"a": []}),
        ("a: !!set x\n", {"a": set()}),
    ],
)
def test_odd_but_readable_files(tmp_path: Path, text: str, data: object) -> None:
    parsed = _read(tmp_path, text)
    if data is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert parsed.data == (None if data == "null" else data)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb\nc: 2\n", 3, "YAML 语法错误：缺少冒号“:”" + SYNTAX),
        ("a: b: c\n", 1, "YAML 语法错误：写法不对" + SYNTAX),
        ("a:\n\tb: 1\n", 2, "YAML 语法错误：有不能出现在这里的字符（制表符请换成空格）" + SYNTAX),
        ("a: *nope\n", 1, "YAML 语法错误：引用了没有定义的锚点（*名称）" + SYNTAX),
        ("a: &x 1\nb: &x 2\n", 2, "YAML 语法错误：锚点（&名称）重复定义" + SYNTAX),
        ("a: [1, 2\nb: 3\n", 2, "YAML 语法错误：列表 [ ] 没有闭合" + SYNTAX),
        ("a: {x: 1\nb: 3\n", 2, "YAML 语法错误：键值对 { } 没有闭合" + SYNTAX),
        ("a: 'abc\n", 2, "YAML 语法错误：文件意外结束（引号或括号没有闭合？）" + SYNTAX),
        ('a: "\\q"\n', 1, "YAML 语法错误：引号内有不认识的转义字符（反斜杠 \\）" + SYNTAX),
        (
            "a: 1\n---\nb: 2\n",
            2,
            "YAML 语法错误：一个文件只能有一个文档（去掉多余的 ---）" + SYNTAX,
        ),
        ("a:\n  - 1\n b: 2\n", 3, "YAML 语法错误：缺少键，或缩进不一致" + SYNTAX),
        ("a: \x07\n", 1, "文件中有不允许的控制字符（U+0007）：请删除它"),
        (
            "a: 1\nwhen: 2026-13-45\n",
            2,
            "值“2026-13-45”写法不对（例如不存在的日期）：请改正，或加引号当作文字",
        ),
        ("a: !!int abc\n", 1, "值“abc”写法不对（例如不存在的日期）：请改正，或加引号当作文字"),
        ("a: !!float xyz\n", 1, "值“xyz”写法不对（例如不存在的日期）：请改正，或加引号当作文字"),
        (
            "a: 1\ntagged: !python/object x\n",
            2,
            "有不认识的标签“!python/object”：目录文件不用 ! 开头的标签，请删除它",
        ),
        ("a: !t x\n", 1, "有不认识的标签“!t”：目录文件不用 ! 开头的标签，请删除它"),
        (
            "x: &x {a: 1}\ny:\n  <<: *x\n",
            3,
            "有不认识的标签“tag:yaml.org,2002:merge”：目录文件不用 ! 开头的标签，请删除它",
        ),
        (
            "a: =\n",
            1,
            "有不认识的标签“tag:yaml.org,2002:value”：目录文件不用 ! 开头的标签，请删除它",
        ),
        ("a: 1\n? [1, 2]\n: 3\n", 2, LIST_KEY),
        ("a: 1\n? {b: 1}\n: 3\n", 2, LIST_KEY),
        ("a: 1\n? !!map x\n: 3\n", 2, "键只能是文字"),
        ("deep: " + "[" * 200 + "]" * 200 + "\n", 1, NESTED),
        ("d: " + "[" * 64 + "]" * 64 + "\n", 1, NESTED),
        ("loop: &x {a: *x}\n", 1, NESTED),
        (_bomb(), 1, TOO_MANY),
        # two problems in one file: a bound or a key that is not text anywhere is named before a
        # value written wrong; of two bounds or keys, the later in the file; of two values, the first
        ("a: 2026-02-30\n? [1]\n: 2\n", 2, LIST_KEY),
        ("a: !foo x\nd: " + "[" * 70 + "]" * 70 + "\n", 2, NESTED),
        (_bomb("z: 2026-02-30\n"), 2, TOO_MANY),
        ("? [1]\n: 2\nd: " + "[" * 70 + "]" * 70 + "\n", 1, LIST_KEY),
        ("d: " + "[" * 70 + "]" * 70 + "\n? [1]\n: 2\n", 2, LIST_KEY),
        (
            "a: 2026-02-30\nb: 2026-02-31\n",
            1,
            "值“2026-02-30”写法不对（例如不存在的日期）：请改正，或加引号当作文字",
        ),
        (
            "2026-02-30: x\n",
            1,
            "值“2026-02-30”写法不对（例如不存在的日期）：请改正，或加引号当作文字",
        ),
    ],
)
def test_each_refusal_in_its_words_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    with pytest.raises(Refused) as caught:
        _read(tmp_path, text)
    assert (caught.value.line, caught.value.message) == (line, message)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!bool maybe\n",
        "? !!bool 1\n: x\n",
        "a: !!int ''\n",
        "a: !!float ''\n",
        "a: !!timestamp x\n",
    ],
)
def test_a_tagged_value_written_wrong_is_refused_not_a_crash(tmp_path: Path, text: str) -> None:
    with pytest.raises(Refused) as caught:
        _read(tmp_path, text)
    assert caught.value.line == 1
    assert caught.value.message.endswith("写法不对（例如不存在的日期）：请改正，或加引号当作文字")


def test_sixty_three_levels_are_read(tmp_path: Path) -> None:
    parsed = _read(tmp_path, "d: " + "[" * 62 + "]" * 62 + "\n")
    assert parsed is not None
    assert len(parsed.lines) == 63


def test_bytes_that_are_not_utf8_and_a_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n" + "b: 测试\n".encode("gbk"))
    with pytest.raises(Refused) as caught:
        read_yaml(path)
    assert (caught.value.line, caught.value.message) == (
        2,
        "文件不是 UTF-8 编码的文字（第一处在本行）：请在编辑器中以 UTF-8 编码另存",
    )
    path.write_bytes(b"a: " + b"x" * (2 * 1024 * 1024 + 5))
    with pytest.raises(Refused) as caught:
        read_yaml(path)
    assert (caught.value.line, caught.value.message) == (
        None,
        "文件有 2.0 MB，超过一个目录文件的上限 2 MB：请检查是否放错了文件，或把一件事拆开",
    )


def _nodes_alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, yaml.Node))


def test_reading_keeps_nothing_of_the_file_it_read() -> None:
    """Each value the reader made, and the node it came from, goes when the caller lets go of
    the result: reading the whole built-in catalog twice leaves no YAML node behind."""
    folder = builtin_catalog_dir()
    before = _nodes_alive()
    for _ in range(2):
        for path in sorted(folder.glob("*.yaml")):
            assert read_yaml(path) is not None
    assert _nodes_alive() == before


_FIRSTS = sorted(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)
_YAML11 = st.one_of(
    st.from_regex(
        r"\A[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)\Z"
    ),
    st.from_regex(r"\A[-+]?(\.[0-9]+|[0-9][0-9_]*)(\.[0-9_]*)?([eE][-+][0-9]+)?(:[0-5][0-9])?\Z"),
    st.from_regex(r"\A[-+]?\.(inf|Inf|INF)\Z|\A\.(nan|NaN|NAN)\Z"),
    st.from_regex(
        r"\A[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?([Tt ]+[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\.[0-9]*)?"
        r"([ ]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)?\Z"
    ),
    st.sampled_from(
        [
            "yes",
            "Yes",
            "YES",
            "no",
            "No",
            "NO",
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
            "on",
            "On",
            "ON",
            "off",
            "Off",
            "OFF",
            "y",
            "n",
            "~",
            "null",
            "Null",
            "NULL",
            "",
            "<<",
            "=",
            "!",
            "&",
            "*",
            "0o17",
            "1__0",
            "0x_",
            "190:20:30.15",
            "1_000.5e+3",
            "2026-1-2",
        ]
    ),  # fmt: skip
)
SCALARS = st.one_of(
    _YAML11,
    st.text(max_size=12),
    st.tuples(st.sampled_from(_FIRSTS), st.text(max_size=8)).map("".join),
)


@settings(max_examples=1000, deadline=None)
@given(value=SCALARS, plain=st.booleans(), quoted=st.booleans())
def test_a_scalar_gets_the_tag_safe_loader_gives_it(value: str, plain: bool, quoted: bool) -> None:
    """The reader answers most scalars' tags without asking PyYAML's resolver: its answer is
    SafeLoader's for every YAML 1.1 form (ints in every base, sexagesimals, floats, .inf, .nan,
    bools, nulls, timestamps, merge and value keys) and for any other text."""
    ours = _Composer("").resolve(yaml.ScalarNode, value, (plain, quoted))
    assert ours == yaml.SafeLoader("").resolve(yaml.ScalarNode, value, (plain, quoted))
    for kind in (yaml.SequenceNode, yaml.MappingNode):
        assert _Composer("").resolve(kind, None, plain) == yaml.SafeLoader("").resolve(
            kind, None, plain
        )


def _same(a: object, b: object) -> bool:
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return both_nan or (type(a) is type(b) and a == b)


@settings(max_examples=300, deadline=None)
@given(value=SCALARS)
def test_a_value_reads_as_safe_loader_reads_it(value: str) -> None:
    """End to end, over libyaml's scanner as the reader uses it: the same value of the same type,
    or a refusal where SafeLoader cannot make the value."""
    text = f"k: {value}\n"
    try:
        expected: object = yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, OverflowError, LookupError, AttributeError):
        expected = Refused  # 2026-02-30, a time zone of -48 hours: values SafeLoader cannot make
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            parsed = read_yaml(path)
            got: object = parsed.data if parsed else None
        except Refused:
            got = Refused
    if Refused in (expected, got):
        assert expected is got
    else:
        assert isinstance(expected, dict) and isinstance(got, dict)
        assert expected.keys() == got.keys() == {"k"}
        assert _same(expected["k"], got["k"]), (expected, got)


@pytest.mark.parametrize("text", ["a: 1\n", "a: [\n", "a: &x [*x]\n", "a: !!int x\n", ""])
def test_reading_leaves_garbage_collection_as_it_found_it(tmp_path: Path, text: str) -> None:
    """The reader pauses cyclic garbage collection while it builds one file, and turns it back
    on after a good file, a refusal and an empty file alike; one left off stays off."""
    assert gc.isenabled()
    with contextlib.suppress(Refused):
        _read(tmp_path, text)
    assert gc.isenabled()
    gc.disable()
    try:
        with contextlib.suppress(Refused):
            _read(tmp_path, text)
        assert not gc.isenabled()
    finally:
        gc.enable()
