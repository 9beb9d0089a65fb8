"""Reading one catalog file safely: the catalog comes from people and from the platform
(``catalog pull``), so a file that is too large, an alias bomb, a key that is a list, bytes that are
not UTF-8 or a tag no one knows is refused with a Chinese reason and a line — never a crash, and
never unbounded memory or time.

Bounds, chosen from the built-in catalog (largest file 50 KB, 2,000 YAML nodes, 12 levels deep):
2 MB per file and 100,000 nodes after aliases are expanded (each about 40 times the largest real
scenario, a 14-item one), 64 levels of nesting. Nodes are counted as aliases are expanded, while
values are built, so an alias bomb stops after 100,000 values — no more than a file within the
bounds may hold.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64
Loc = tuple[str | int, ...]

try:
    _Parser: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader
_TEXT = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_LIST = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_MAPPING = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG


class _Composer(_Parser):  # type: ignore[misc]
    """libyaml's composer with SafeLoader's tags, found with less work for the common case.

    libyaml asks Python for the tag of every scalar, and SafeLoader's answer walks its YAML 1.1
    implicit types (null, bool, int, float, timestamp, merge, value) by first character. A
    scalar that is quoted, or plain and starting with a character none of them starts with (most
    of a catalog: Chinese text, ids), is text either way, so it is answered at once, as is a list
    or a mapping; every other scalar goes to SafeLoader's own rules. The implicit types are
    SafeLoader's as this module loads, in a copy of this class's own, and there are no path
    resolvers: what other code registers on PyYAML's shared classes later does not change how a
    catalog reads.
    """

    yaml_implicit_resolvers = {
        first: list(resolvers)
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    yaml_path_resolvers: dict[Any, Any] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:  # no path resolvers: a list or a mapping as it is
            return _LIST if kind is yaml.SequenceNode else _MAPPING
        if not implicit[0] or value[:1] not in self.yaml_implicit_resolvers:
            return _TEXT
        tag: str = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to follow."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to follow."""


# PyYAML's reasons, in the words a catalog author understands (the rest: a general hint).
_YAML_ZH = (
    ("could not find expected ':'", "缺少冒号“:”"),
    ("mapping values are not allowed here", "这里不能出现“键: 值”（缩进不对？值里的冒号要加引号）"),
    ("found character that cannot start any token", "有不能出现在这里的字符（制表符请换成空格）"),
    ("found undefined alias", "引用了没有定义的锚点（*名称）"),
    ("found duplicate anchor", "锚点（&名称）重复定义"),
    ("did not find expected key", "缺少键，或缩进不一致"),
    ("did not find expected node content", "缺少值"),
    ("did not find expected ',' or ']'", "列表 [ ] 没有闭合"),
    ("did not find expected ',' or '}'", "键值对 { } 没有闭合"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合？）"),
    ("found unknown escape character", "引号内有不认识的转义字符（反斜杠 \\）"),
    ("could not determine a constructor for the tag", "有不认识的标签（!…）"),
    ("expected a single document", "一个文件只能有一个文档（去掉多余的 ---）"),
    ("found unexpected ':'", "冒号“:”出现的位置不对"),
    ("expected <block end>", "缩进不一致"),
)


class Refused(Exception):
    """The file cannot be read as a catalog file; ``message`` is Chinese, ``line`` 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Parsed:
    data: Any
    lines: dict[Loc, int]
    duplicates: list[tuple[Loc, str]]


def _line_at(text: bytes | str, position: int) -> int:
    if isinstance(text, bytes):
        return text[:position].count(b"\n") + 1
    return text[:position].count("\n") + 1


def _zh_reason(exc: yaml.YAMLError) -> str:
    words = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    reason = next((zh for en, zh in _YAML_ZH if en in words), "写法不对")
    return f"YAML 语法错误：{reason}。请对照相邻的条目检查缩进、冒号和引号"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(
            "文件不是 UTF-8 编码的文字（第一处在本行）：请在编辑器中以 UTF-8 编码另存",
            _line_at(raw, exc.start),
        ) from None


def _too_many(node: yaml.Node) -> Refused:
    return Refused(
        f"文件展开后超过 {MAX_NODES} 个数据项（可能是层层引用的锚点 &/*）：请去掉这些引用，"
        "把内容直接写出",
        node.start_mark.line + 1,
    )


def _too_deep(node: yaml.Node) -> Refused:
    return Refused(f"嵌套超过 {MAX_DEPTH} 层（或锚点引用了自身）", node.start_mark.line + 1)


def _not_text(key: yaml.Node) -> Refused:
    return Refused("键只能是文字，这里的键是列表或键值对", key.start_mark.line + 1)


def _count(node: yaml.Node) -> None:
    """Walk the node graph as the data would be expanded, stopping at the bounds: of several
    problems of a file, the bound or key this walk meets first is the one reported."""
    seen = 0
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise _too_many(current)
        if depth > MAX_DEPTH:
            raise _too_deep(current)
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise _not_text(key)
                stack += ((key, depth + 1), (value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack += ((child, depth + 1) for child in current.value)


def _scalar(node: yaml.Node, constructor: yaml.constructor.SafeConstructor) -> Any:
    try:
        return constructor.construct_object(node)
    except yaml.constructor.ConstructorError:
        raise Refused(
            f"有不认识的标签“{node.tag[:40]}”：目录文件不用 ! 开头的标签，请删除它",
            node.start_mark.line + 1,
        ) from None
    except (ValueError, OverflowError, LookupError, AttributeError, yaml.YAMLError):
        # PyYAML's constructors fail on some tagged values with a KeyError (!!bool maybe), an
        # IndexError (!!int '') or an AttributeError (!!timestamp x): each is a value written wrong
        raise Refused(
            f"值“{str(node.value)[:40]}”写法不对（例如不存在的日期）：请改正，或加引号当作文字",
            node.start_mark.line + 1,
        ) from None


def _build(root: yaml.Node) -> Parsed:
    """The values of a composed node graph and the line of each place, in one walk that counts
    nodes and levels as it goes (the count and depth :func:`_count` takes, in another order).

    Text, most of a catalog, is the node's own string; other scalars are made by a
    ``SafeConstructor`` of this file's own (one shared by every read kept each value it made,
    and its node, for ever). On any problem the caller lets :func:`_count` name the one to
    report, so a file with several problems is reported as it always was."""
    constructor = yaml.constructor.SafeConstructor()
    lines: dict[Loc, int] = {}
    duplicates: list[tuple[Loc, str]] = []
    seen = 0
    scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode

    def build(node: yaml.Node, loc: Loc, depth: int) -> Any:
        nonlocal seen
        seen += 1
        if seen > MAX_NODES:
            raise _too_many(node)
        if depth > MAX_DEPTH:
            raise _too_deep(node)
        lines[loc] = node.start_mark.line + 1
        if type(node) is scalar_node:
            return node.value if node.tag == _TEXT else _scalar(node, constructor)
        depth += 1
        if type(node) is sequence_node:
            return [build(child, (*loc, i), depth) for i, child in enumerate(node.value)]
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            seen += 1
            if type(key_node) is not scalar_node:
                raise _not_text(key_node)
            if key_node.tag == _TEXT:
                key = key_node.value
            else:
                key = _scalar(key_node, constructor)
                try:
                    hash(key)
                except TypeError:
                    raise Refused("键只能是文字", key_node.start_mark.line + 1) from None
            place = (*loc, key)
            if key in result:
                duplicates.append((place, str(key)))
            result[key] = build(value_node, place, depth)
            lines[place] = key_node.start_mark.line + 1  # the key's, not its block's
        return result

    return Parsed(build(root, (), 1), lines, duplicates)


def read_yaml(path: Path) -> Parsed | None:
    """The data of one catalog file with the line of each place; None for an empty file.
    Raises :class:`Refused` for anything that is not a readable, bounded YAML document."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Refused(
                f"文件有 {size / 1024 / 1024:.1f} MB，超过一个目录文件的上限 "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB：请检查是否放错了文件，或把一件事拆开"
            )
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Refused(f"无法读取文件：{exc.strerror or '文件系统错误'}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise Refused(f"文件超过一个目录文件的上限 {MAX_FILE_BYTES // 1024 // 1024} MB")
    text = _decode(raw)
    with _collection_paused():
        node = _compose(text)
        if node is None:
            return None
        try:
            return _build(node)
        except Refused:
            _count(node)  # a bound or a key that is not text, anywhere, is named before a bad value
            raise
        finally:
            del node  # freed while collection is still paused: the collector never sees it


def _compose(text: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise Refused(_zh_reason(exc), mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise Refused(
            f"文件中有不允许的控制字符（U+{char:04X}）：请删除它",
            _line_at(text, exc.position),
        ) from None
    except yaml.YAMLError as exc:
        raise Refused(_zh_reason(exc)) from None
    except RecursionError:
        raise Refused(f"嵌套超过 {MAX_DEPTH} 层") from None
    return node


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while one file is composed and built.

    Composing makes about four objects the collector tracks for each YAML node (the node, its two
    marks, a list or a pair), all alive until the file is built and then freed at once by
    reference counting; the collector would walk them again and again on the way, promoting them
    to older generations and starting full collections of the whole process (a third of a cold
    catalog load). Nothing here makes reference cycles except a self-referring anchor, whose
    nodes, a single file's (bounded), are collected after the file as any other garbage. Only
    the state it found is restored, so a program that keeps collection off keeps it off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
