"""Stable keys for the parts of a base scenario, so that an overlay can refer to them.

A key depends only on what the guide says about the part itself (its national material code, or
its name or text), never on its position, so the same guide always gives the same keys and the
same material keeps its key when a county's guide lists it in another order.
"""

from __future__ import annotations

import hashlib
import re

from pypinyin import lazy_pinyin

MAX_SLUG = 40


def slug(text: str) -> str:
    """Toneless pinyin of ``text``, letters and digits only; a long text is cut and a short hash
    of the whole text added so two texts with the same beginning still differ."""
    plain = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(text)).lower())
    if not plain or not plain[0].isalpha():
        plain = "k" + plain
    if len(plain) > MAX_SLUG:
        plain = f"{plain[:MAX_SLUG]}_{hashlib.sha1(text.encode()).hexdigest()[:6]}"
    return plain


def material_key(material_code: str | None, name: str) -> str:
    """The national material code where the guide binds one (``T1000020`` → ``t1000020``), else
    the slug of the material's name."""
    code = re.sub(r"[^a-z0-9]", "", (material_code or "").lower())
    if not code:
        return slug(name)
    return code if code[0].isalpha() else "c" + code


def unique_keys(keys: list[str], notes: list[str]) -> list[str]:
    """``keys`` with repeats numbered (``_2``, ``_3`` in list order), each repeat noted."""
    seen: dict[str, int] = {}
    result = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            notes.append(f"键 {key} 重复，第 {seen[key]} 个记为 {key}_{seen[key]}")
            result.append(f"{key[:60]}_{seen[key]}")
        else:
            result.append(key)
    return result


def material_keys(parts: list[tuple[str | None, str]], notes: list[str]) -> list[str]:
    """Keys for (material code, name) pairs: two materials bound to one standard material (the
    father's and the mother's ID card) are told apart by name, not by position."""
    keys = [material_key(code, name) for code, name in parts]
    shared = {k for k in keys if keys.count(k) > 1}
    keys = [
        f"{key}_{slug(name)}"[:64] if key in shared and code else key
        for key, (code, name) in zip(keys, parts, strict=True)
    ]
    return unique_keys(keys, notes)
