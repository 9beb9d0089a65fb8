"""Catalog versions on this terminal (GB/T 45836 §5.4 dynamic management).

Versions published by the platform live in ``<data>/catalogs/<version>/``; ``current.json`` names
the one new cases use. A bundle is verified (checksum of its files), written to a temporary folder
and checked with the same loader and static checker as the built-in catalog — only then moved into
place and made current. A broken catalog is refused with the checker's messages and the one in use
stays. Older versions are kept, because a case keeps the version it was started under.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from app.catalog.catalog import Catalog, load_catalog
from app.errors import CatalogError, OneStopError

SAFE_NAME = re.compile(r"^[\w\u4e00-\u9fff.-]{1,120}\.yaml$")
SAFE_VERSION = re.compile(r"^[\w.-]{1,40}$")


def files_digest(files: Mapping[str, str]) -> str:
    """SHA-256 of the canonical JSON of a catalog's files (name → text; sorted keys, UTF-8, no
    spaces): the checksum a published catalog travels with."""
    canonical = json.dumps(dict(files), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def catalog_files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))}


class CatalogRejected(OneStopError):
    """A catalog from the platform is broken; the terminal keeps using the one it has."""


class CatalogStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def _pointer(self) -> Path:
        return self.folder / "current.json"

    def current_version(self) -> str | None:
        try:
            version = json.loads(self._pointer.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return version if isinstance(version, str) and (self.folder / version).is_dir() else None

    def versions(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if p.is_dir() and not p.name.startswith(".") and SAFE_VERSION.match(p.name)
        )

    def catalogs(self) -> tuple[Catalog | None, list[Catalog]]:
        """The current catalog (None: use the built-in one) and every other installed version,
        for the cases started under them. A version that no longer loads is left out."""
        current_version = self.current_version()
        current, older = None, []
        for version in self.versions():
            try:
                catalog = load_catalog(self.folder / version)
            except CatalogError:
                continue
            if version == current_version:
                current = catalog
            else:
                older.append(catalog)
        return current, older

    def install(self, version: str, files: Mapping[str, str], sha256: str) -> Catalog:
        """Verify, check and store a published catalog, and make it current."""
        if not SAFE_VERSION.match(version):
            raise CatalogRejected(f"目录版本号“{version}”不合规，已拒收。")
        if files_digest(files) != sha256:
            raise CatalogRejected(
                f"目录 {version} 版的校验和不符（传输出错或被篡改），已拒收；继续使用当前目录。"
            )
        bad = [name for name in files if not SAFE_NAME.match(name)]
        if bad:
            raise CatalogRejected(f"目录中的文件名不合规：{'、'.join(bad[:5])}，已拒收。")
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=self.folder))
        try:
            for name, text in files.items():
                (staging / name).write_text(text, encoding="utf-8")
            try:
                catalog = load_catalog(staging)
            except CatalogError as exc:
                raise CatalogRejected(
                    f"平台发布的目录 {version} 版有错误，已拒收，继续使用当前目录。\n{exc}",
                    hint="请联系平台的目录维护人员。",
                ) from None
            if catalog.version != version:
                raise CatalogRejected(
                    f"目录内容的版本（{catalog.version}）与发布的版本（{version}）不一致，已拒收。"
                )
            target = self.folder / version
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        self._make_current(version)
        return load_catalog(self.folder / version)

    def _make_current(self, version: str) -> None:
        temporary = self._pointer.with_suffix(".tmp")
        temporary.write_text(json.dumps({"version": version}), encoding="utf-8")
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.replace(self._pointer)
