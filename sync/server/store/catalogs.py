"""The service catalogs the platform publishes to the halls: a version once, with one content."""

from __future__ import annotations

from sqlalchemy import insert, select

from app.catalog.versions import files_digest
from app.db.base import utcnow
from sync import contract
from sync.server.store.errors import Rejected
from sync.server.store.schema import Storage, catalogs


def publish_catalog(storage: Storage, bundle: contract.CatalogBundle) -> contract.CatalogInfo:
    if files_digest(bundle.files) != bundle.sha256:
        raise Rejected("目录文件的 SHA-256 与声明的不一致。")
    with storage.tx() as connection:
        row = connection.execute(
            select(catalogs).where(catalogs.c.version == bundle.version)
        ).first()
        if row is not None:
            if row.sha256 != bundle.sha256:
                raise Rejected(f"目录 {bundle.version} 版已发布过且内容不同；请使用新的版本号。")
            return contract.CatalogInfo(
                version=row.version, sha256=row.sha256, published_at=row.published_at
            )
        now = utcnow()
        connection.execute(
            insert(catalogs),
            {
                "version": bundle.version,
                "sha256": bundle.sha256,
                "files": bundle.files,
                "published_at": now,
            },
        )
    return contract.CatalogInfo(version=bundle.version, sha256=bundle.sha256, published_at=now)


def latest_catalog(storage: Storage) -> contract.CatalogInfo | None:
    with storage.read() as connection:
        row = connection.execute(
            select(catalogs.c.version, catalogs.c.sha256, catalogs.c.published_at)
            .order_by(catalogs.c.published_at.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return contract.CatalogInfo(
        version=row.version, sha256=row.sha256, published_at=row.published_at
    )


def catalog(storage: Storage, version: str) -> contract.CatalogBundle | None:
    with storage.read() as connection:
        row = connection.execute(select(catalogs).where(catalogs.c.version == version)).first()
    if row is None:
        return None
    return contract.CatalogBundle(version=row.version, sha256=row.sha256, files=row.files)
