"""JSON Schema for catalog authors (``resources/catalog/schema.json``), made from the models."""

from __future__ import annotations

import json
from typing import Any

from app.catalog.models import CatalogMeta, Scenario

SCHEMA_FILE = "schema.json"


def catalog_schema() -> dict[str, Any]:
    """The schema of a scenario file, with the catalog file's schema under ``$defs``."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    meta = CatalogMeta.model_json_schema(by_alias=True, mode="validation")
    defs = schema.setdefault("$defs", {})
    defs.update(meta.pop("$defs", {}))
    defs["CatalogMeta"] = meta
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://onestop.invalid/catalog/schema.json",
        "title": "OneStop 一件事目录（每个一件事一个 YAML 文件）",
        "description": "一件事场景文件的结构；目录文件 _catalog.yaml 的结构见 $defs/CatalogMeta。",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(catalog_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
