"""Catalog updates from the platform (GB/T 45836 §5.4): ``onestop catalog pull`` and the periodic
check of ``onestop sync run`` fetch a newer published catalog and install it between cases
(:class:`app.catalog.versions.CatalogStore` verifies and checks it first)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.catalog.catalog import load_catalog
from app.catalog.versions import CatalogRejected, CatalogStore, catalog_files, files_digest
from sync import contract
from sync.client import Platform


@dataclass(frozen=True)
class Pulled:
    version: str
    changed: bool  # False: this terminal already had it


def bundle_of(directory: Path) -> contract.CatalogBundle:
    """A catalog folder as a bundle to publish (its version from ``_catalog.yaml``)."""
    catalog = load_catalog(directory)
    files = catalog_files(directory)
    return contract.CatalogBundle(version=catalog.version, sha256=files_digest(files), files=files)


def pull(platform: Platform, store: CatalogStore) -> Pulled | None:
    """Fetch the platform's newest catalog if this terminal lacks it; None: none published."""
    latest = platform.latest_catalog()
    if latest is None:
        return None
    if latest.version == store.current_version():
        return Pulled(latest.version, changed=False)
    bundle = platform.catalog(latest.version)
    if bundle.sha256 != latest.sha256:
        raise CatalogRejected("平台公布的校验和与下载的目录不一致，已拒收；稍后再试。")
    store.install(bundle.version, bundle.files, bundle.sha256)
    return Pulled(latest.version, changed=True)
