"""pydantic's validation errors in Chinese, for the settings file and the catalog files.

pydantic's own messages are English ("Input should be a valid integer"); a hall's IT staff and a
catalog author read Chinese. Every error type gets a Chinese reason; a type without one here gets
a general Chinese sentence, never the English text. Our own validators raise Chinese messages
(``PydanticCustomError`` or ``ValueError`` with Chinese words), which are kept as they are.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

_FIXED = {
    "missing": "缺少必填项",
    "extra_forbidden": "没有这个设置项（请检查拼写）",
    "string_type": "应为文字（加引号）",
    "string_unicode": "应为文字",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对",
    "string_not_ascii": "只能用英文字母、数字和符号",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "数字太大",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "none_required": "这里不能写值",
    "dict_type": "应为一组设置（表 [..] 或 {键 = 值}）",
    "model_type": "应为一组设置（表 [..] 或 {键 = 值}）",
    "model_attributes_type": "应为一组设置（表 [..] 或 {键 = 值}）",
    "mapping_type": "应为一组设置（表 [..] 或 {键 = 值}）",
    "list_type": "应为列表 [ ]",
    "tuple_type": "应为列表 [ ]",
    "set_type": "应为列表 [ ]",
    "frozen_set_type": "应为列表 [ ]",
    "iterable_type": "应为列表 [ ]",
    "set_item_not_hashable": "列表中的值应为文字或数字",
    "date_type": "应为日期，如 2026-10-09（不加引号）",
    "date_parsing": "应为日期，如 2026-10-09",
    "date_from_datetime_parsing": "应为日期，如 2026-10-09",
    "date_from_datetime_inexact": "应为日期，不带时间",
    "datetime_type": "应为日期和时间，如 2026-10-09T08:30:00",
    "datetime_parsing": "应为日期和时间，如 2026-10-09T08:30:00",
    "time_type": "应为时间，如 08:30",
    "time_parsing": "应为时间，如 08:30",
    "path_type": "应为文件或文件夹的路径（文字）",
    "bytes_type": "应为文字",
    "url_parsing": "应为网址",
    "url_type": "应为网址",
    "union_tag_invalid": "类型不对",
    "union_tag_not_found": "缺少说明类型的键",
    "frozen_field": "不能修改",
    "frozen_instance": "不能修改",
    "invalid_key": "键只能是文字",
    "recursion_loop": "有循环引用",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
}


def _expected(context: dict[str, Any]) -> str:
    return str(context.get("expected", "")).replace(" or ", " 或 ").replace("'", "")


_BOUNDS = {
    "greater_than": ("gt", "应大于 {}"),
    "greater_than_equal": ("ge", "应不小于 {}"),
    "less_than": ("lt", "应小于 {}"),
    "less_than_equal": ("le", "应不大于 {}"),
    "multiple_of": ("multiple_of", "应为 {} 的倍数"),
    "too_short": ("min_length", "至少 {} 项"),
    "too_long": ("max_length", "最多 {} 项"),
    "string_too_long": ("max_length", "太长，最多 {} 个字"),
}


def _bounded(kind: str, context: dict[str, Any]) -> str | None:
    if kind not in _BOUNDS:
        return None
    key, words = _BOUNDS[kind]
    return words.format(context.get(key, ""))


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def reason_zh(error: ErrorDetails) -> str:
    """What is wrong with one value, in Chinese."""
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("literal_error", "enum"):
        return f"应为 {_expected(context)} 之一"
    bounded = _bounded(kind, context)
    if bounded is not None:
        return bounded
    if kind in _FIXED:
        return _FIXED[kind]
    own = str(context.get("error", "")) if kind == "value_error" else str(error.get("msg", ""))
    own = own.removeprefix("Value error, ")
    if has_chinese(own):
        return own
    return "取值不合规，请对照说明中的示例改正"
