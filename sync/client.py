"""Talking to the platform: one interface, and the HTTP client for OneStop's own contract.

Every failure becomes a :class:`PlatformError` with a Chinese message and whether trying again
later can help. The client never trusts an answer: it reads at most ``max_body`` bytes within
``deadline_s`` (a slow-loris server is cut off), wants JSON, and validates it against the
contract before anyone uses it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync import contract
from sync.contract import API

M = TypeVar("M", bound=BaseModel)
CHUNK = 1024 * 1024  # upload chunk: a broken link loses at most this much


class PlatformError(Exception):
    """Something the platform (or the way to it) did; ``transient`` says whether to retry."""

    transient = True

    def __init__(self, message: str, *, status: int | None = None, retry_after_s: float = 0):
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class Unreachable(PlatformError):
    """Network down, timeout, 5xx, a broken or garbled answer: try again later."""


class AuthFailed(PlatformError):
    """401/403: this terminal's credential is wrong or switched off; a person must fix it."""

    transient = False


class Refused(PlatformError):
    """A 4xx answer to a request (not to one message): the request itself was wrong."""

    transient = False


class NotFound(PlatformError):
    transient = False


class Platform(Protocol):
    """What OneStop needs from a provincial platform; a province plugs in by implementing it."""

    def send(self, messages: Sequence[contract.Envelope]) -> list[contract.MessageResult]: ...
    def upload(self, sha256: str, path: Path, mime: str) -> contract.FileStatus: ...
    def events(self, after: int, limit: int = 200) -> contract.EventPage: ...
    def latest_catalog(self) -> contract.CatalogInfo | None: ...
    def catalog(self, version: str) -> contract.CatalogBundle: ...
    def publish_catalog(self, bundle: contract.CatalogBundle) -> contract.CatalogInfo: ...
    def licence(self, id_number: str, licence: str) -> contract.LicenceCheck: ...
    def facts(self, id_number: str) -> contract.Facts: ...
    def health(self) -> contract.Health: ...
    def close(self) -> None: ...


class HttpPlatform:
    """The reference contract over HTTP/1.1 with keep-alive."""

    def __init__(
        self, base_url: str, token: str, *, timeout_s: float = 10.0, deadline_s: float = 30.0,
        max_body: int = 16 * 1024 * 1024, transport: httpx.BaseTransport | None = None,
    ) -> None:  # fmt: skip
        self.deadline_s = deadline_s
        self.max_body = max_body
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "OneStop"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=httpx.Limits(max_keepalive_connections=4, max_connections=8),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    # -- the operations ---------------------------------------------------------------------------
    def send(self, messages: Sequence[contract.Envelope]) -> list[contract.MessageResult]:
        batch = contract.MessageBatch(messages=list(messages))
        result = self._call("POST", f"{API}/messages", contract.BatchResult,
                            json=batch.model_dump(mode="json"))  # fmt: skip
        keys = [m.idempotency_key for m in messages]
        if [r.idempotency_key for r in result.results] != keys:
            raise Unreachable("平台的回答与发送的消息对不上，这批消息稍后重发。")
        return result.results

    def upload(self, sha256: str, path: Path, mime: str) -> contract.FileStatus:
        """Upload a file, resuming from what the platform already has."""
        size = path.stat().st_size
        status = self._call("POST", f"{API}/files/{sha256}", contract.FileStatus,
                            json={"size": size, "mime": mime})  # fmt: skip
        with path.open("rb") as data:
            while not status.complete:
                data.seek(status.received)
                chunk = data.read(CHUNK)
                if not chunk and status.received < size:
                    raise Refused(f"本地文件 {path.name} 比登记的短，无法上传。")
                status = self._call(
                    "PATCH", f"{API}/files/{sha256}", contract.FileStatus, content=chunk,
                    headers={"Upload-Offset": str(status.received),
                             "Content-Type": "application/offset+octet-stream"},
                )  # fmt: skip
        return status

    def events(self, after: int, limit: int = 200) -> contract.EventPage:
        return self._call("GET", f"{API}/events", contract.EventPage,
                          params={"after": after, "limit": limit})  # fmt: skip

    def latest_catalog(self) -> contract.CatalogInfo | None:
        try:
            return self._call("GET", f"{API}/catalogs/latest", contract.CatalogInfo)
        except NotFound:
            return None

    def catalog(self, version: str) -> contract.CatalogBundle:
        return self._call("GET", f"{API}/catalogs/{version}", contract.CatalogBundle)

    def publish_catalog(self, bundle: contract.CatalogBundle) -> contract.CatalogInfo:
        return self._call("POST", f"{API}/catalogs", contract.CatalogInfo,
                          json=bundle.model_dump(mode="json"))  # fmt: skip

    def licence(self, id_number: str, licence: str) -> contract.LicenceCheck:
        return self._call("GET", f"{API}/persons/{id_number}/licences/{licence}",
                          contract.LicenceCheck)  # fmt: skip

    def facts(self, id_number: str) -> contract.Facts:
        return self._call("GET", f"{API}/persons/{id_number}/facts", contract.Facts)

    def health(self) -> contract.Health:
        return self._call("GET", f"{API}/health", contract.Health)

    # -- one request, every way it can go wrong ---------------------------------------------------
    def _call(self, method: str, path: str, model: type[M], **options: Any) -> M:
        status, content_type, body, retry_after = self._exchange(method, path, **options)
        if status >= 400:
            raise _error(status, _problem_message(body), retry_after)
        if "json" not in content_type:
            raise Unreachable(
                f"平台返回的不是 JSON（{content_type or '无类型'}），可能是网关出错，稍后重试。",
                status=status,
            )
        try:
            return model.model_validate_json(body)
        except ValidationError:
            raise Unreachable("平台的回答不符合接口规范（可能被截断），稍后重试。") from None

    def _exchange(self, method: str, path: str, **options: Any) -> tuple[int, str, bytes, float]:
        deadline = time.monotonic() + self.deadline_s
        try:
            with self._http.stream(method, path, **options) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_body:
                        raise Unreachable(f"平台返回的数据超过 {self.max_body >> 20} MB，已中止。")
                    if time.monotonic() > deadline:
                        raise Unreachable(f"平台在 {self.deadline_s:g} 秒内没有答完，已中止。")
                    chunks.append(chunk)
                return (response.status_code, response.headers.get("content-type", ""),
                        b"".join(chunks),
                        _retry_after(response.headers.get("retry-after")))  # fmt: skip
        except httpx.TimeoutException:
            raise Unreachable("连接平台超时，稍后重试。") from None
        except httpx.TransportError as exc:
            raise Unreachable(f"与平台的连接中断（{type(exc).__name__}），稍后重试。") from None


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


def _problem_message(body: bytes) -> str:
    try:
        return contract.Problem.model_validate_json(body).message
    except ValidationError:
        return ""


def _error(status: int, message: str, retry_after: float) -> PlatformError:
    if status in (401, 403):
        return AuthFailed(
            f"平台拒绝了本终端的凭证（{status}）：{message or '凭证无效或已停用'}"
            "。请联系大厅信息管理员重新配置终端凭证。",
            status=status,
        )
    if status == 429 or status >= 500:
        return Unreachable(f"平台暂时不可用（{status}）：{message or '请稍后重试'}",
                           status=status, retry_after_s=retry_after)  # fmt: skip
    if status == 404:
        return NotFound(message or "平台上没有找到。", status=status)
    return Refused(f"平台拒绝了请求（{status}）：{message or '原因未说明'}", status=status)
