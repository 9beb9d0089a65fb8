"""Talking to the platform: one interface, and the HTTP client for OneStop's own contract.

Every failure becomes a :class:`PlatformError` with a Chinese message and whether trying again
later can help. The client never trusts an answer: it reads at most ``max_body`` bytes within
``deadline_s`` (a slow-loris server is cut off), wants JSON, and validates it against the
contract before anyone uses it.
"""

from __future__ import annotations

import math
import ssl
import time
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpcore
import httpx
from pydantic import BaseModel, ValidationError

from app.errors import OneStopError
from sync import contract
from sync.contract import API

M = TypeVar("M", bound=BaseModel)
CHUNK = 1024 * 1024  # upload chunk: a broken link loses at most this much
MAX_RETRY_AFTER_S = 24 * 3600.0  # a longer (or absurd) Retry-After counts as one day


class PlatformError(OneStopError):
    """Something the platform (or the way to it) did; ``transient`` says whether to retry.
    The message is Chinese and safe to show, like every :class:`OneStopError`."""

    transient = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float = 0,
        hint: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
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
    """What OneStop needs from a provincial platform; a province plugs in by implementing it.

    Every call acts for the terminal's hall, the one its credential was issued for: it sends
    that hall's messages and files and gets that hall's events, pre-applications and scans;
    another hall's are not found (:exc:`NotFound`), exactly like ones that do not exist."""

    def send(
        self, messages: Sequence[contract.EncodedEnvelope]
    ) -> list[contract.MessageResult]: ...
    def upload(self, sha256: str, data: bytes, mime: str) -> contract.FileStatus: ...
    def events(self, after: int, limit: int = 200) -> contract.EventPage: ...
    def latest_catalog(self) -> contract.CatalogInfo | None: ...
    def catalog(self, version: str) -> contract.CatalogBundle: ...
    def publish_catalog(self, bundle: contract.CatalogBundle) -> contract.CatalogInfo: ...
    def licence(self, id_number: str, licence: str) -> contract.LicenceCheck: ...
    def facts(self, id_number: str) -> contract.Facts: ...
    def pre_application(self, receipt_no: str) -> contract.PreApplication: ...
    def download(self, sha256: str) -> bytes: ...
    def health(self) -> contract.Health: ...
    def anchor(self, anchor: contract.AuditAnchor) -> contract.AnchorReceipt: ...
    def audit_chains(self) -> list[contract.AnchorRecord]: ...
    def close(self) -> None: ...


class HttpPlatform:
    """The reference contract over HTTP/1.1 with keep-alive."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 10.0,
        deadline_s: float = 30.0,
        max_body: int = 16 * 1024 * 1024,
        max_file: int = 256 * 1024 * 1024,
        file_deadline_s: float = 300.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.deadline_s = deadline_s
        self.max_body = max_body
        self.max_file = max_file  # a download: a scan, bigger than any answer
        self.file_deadline_s = file_deadline_s
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "OneStop"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=httpx.Limits(max_keepalive_connections=4, max_connections=8),
            transport=transport,
        )
        _enforce_deadlines(self._http)

    def close(self) -> None:
        self._http.close()

    # -- the operations ---------------------------------------------------------------------------
    def send(self, messages: Sequence[contract.EncodedEnvelope]) -> list[contract.MessageResult]:
        result = self._call(
            "POST",
            f"{API}/messages",
            contract.BatchResult,
            content=contract.batch_json(messages),  # the bodies as encoded, not encoded again
            headers={"Content-Type": "application/json"},
        )
        keys = [m.idempotency_key for m in messages]
        if [r.idempotency_key for r in result.results] != keys:
            raise Unreachable("平台的回答与发送的消息对不上，这批消息稍后重发。")
        return result.results

    def upload(self, sha256: str, data: bytes, mime: str) -> contract.FileStatus:
        """Upload a file's bytes (opened from the sealed store), resuming from what the platform
        already has."""
        size = len(data)
        status = self._call(
            "POST", f"{API}/files/{sha256}", contract.FileStatus, json={"size": size, "mime": mime}
        )
        while not status.complete:
            chunk = data[status.received : status.received + CHUNK]
            if not chunk:  # the platform waits for more than the file has
                raise Refused(f"平台登记的文件 {sha256[:12]}… 比本地的长，无法上传。")
            status = self._call(
                "PATCH",
                f"{API}/files/{sha256}",
                contract.FileStatus,
                content=chunk,
                headers={
                    "Upload-Offset": str(status.received),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
        return status

    def events(self, after: int, limit: int = 200) -> contract.EventPage:
        return self._call(
            "GET", f"{API}/events", contract.EventPage, params={"after": after, "limit": limit}
        )

    def latest_catalog(self) -> contract.CatalogInfo | None:
        try:
            return self._call("GET", f"{API}/catalogs/latest", contract.CatalogInfo)
        except NotFound:
            return None

    def catalog(self, version: str) -> contract.CatalogBundle:
        return self._call("GET", f"{API}/catalogs/{version}", contract.CatalogBundle)

    def publish_catalog(self, bundle: contract.CatalogBundle) -> contract.CatalogInfo:
        return self._call(
            "POST", f"{API}/catalogs", contract.CatalogInfo, json=bundle.model_dump(mode="json")
        )

    def licence(self, id_number: str, licence: str) -> contract.LicenceCheck:
        return self._call(
            "GET", f"{API}/persons/{id_number}/licences/{licence}", contract.LicenceCheck
        )

    def facts(self, id_number: str) -> contract.Facts:
        return self._call("GET", f"{API}/persons/{id_number}/facts", contract.Facts)

    def pre_application(self, receipt_no: str) -> contract.PreApplication:
        found = self._call(
            "GET",
            f"{API}/cases/{quote(receipt_no, safe='')}/pre-application",
            contract.PreApplication,
        )
        if found.receipt_no != receipt_no:
            raise Unreachable("平台返回的预申请与所查的受理编号对不上，稍后重试。")
        return found

    def download(self, sha256: str) -> bytes:
        """A whole file's bytes as the platform sends them; the caller checks them against
        ``sha256`` (:mod:`sync.pickup` does)."""
        status, content_type, body, retry_after = self._exchange(
            "GET",
            f"{API}/files/{sha256}/content",
            max_body=self.max_file,
            deadline_s=self.file_deadline_s,
        )
        if status >= 400:
            raise _error(status, _problem_message(body), retry_after)
        if not content_type.startswith("application/octet-stream"):
            raise Unreachable(
                f"平台返回的不是文件内容（{content_type or '无类型'}），可能是网关出错，稍后重试。",
                status=status,
            )
        return body

    def health(self) -> contract.Health:
        return self._call("GET", f"{API}/health", contract.Health)

    def anchor(self, anchor: contract.AuditAnchor) -> contract.AnchorReceipt:
        """Give the platform the audit chain's head; a platform holding another hash for the
        entry refuses it (:exc:`Refused`, 409)."""
        receipt = self._call(
            "POST",
            f"{API}/audit/anchors",
            contract.AnchorReceipt,
            json=anchor.model_dump(mode="json"),
        )
        sent = (anchor.chain, anchor.entry_id, anchor.entry_hash)
        if (receipt.chain, receipt.entry_id, receipt.entry_hash) != sent:
            raise Unreachable("平台对审计锚点的回答与发送的对不上，稍后重发。")
        return receipt

    def audit_chains(self) -> list[contract.AnchorRecord]:
        """The latest anchor the platform holds of each of the hall's audit trails."""
        found = self._call("GET", f"{API}/audit/chains", contract.AuditChains)
        chains = [c.chain for c in found.chains]
        if len(set(chains)) != len(chains):
            raise Unreachable("平台返回的审计链重复，回答不可信，稍后重试。")
        return found.chains

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

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        max_body: int | None = None,
        deadline_s: float | None = None,
        **options: Any,
    ) -> tuple[int, str, bytes, float]:
        max_body = max_body or self.max_body
        deadline_s = deadline_s or self.deadline_s
        deadline = time.monotonic() + deadline_s
        too_slow = f"平台在 {deadline_s:g} 秒内没有答完，已中止。"
        cutoff = _DEADLINE.set(deadline)
        try:
            with self._http.stream(method, path, **options) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_body:
                        raise Unreachable(f"平台返回的数据超过 {max_body >> 20} MB，已中止。")
                    if time.monotonic() > deadline:
                        raise Unreachable(too_slow)
                    chunks.append(chunk)
                return (
                    response.status_code,
                    response.headers.get("content-type", ""),
                    b"".join(chunks),
                    _retry_after(response.headers.get("retry-after")),
                )
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:
                raise Unreachable(too_slow) from None
            raise Unreachable("连接平台超时，稍后重试。") from None
        except httpx.DecodingError:
            raise Unreachable("平台返回的数据无法解码（压缩格式有误），稍后重试。") from None
        except httpx.RequestError as exc:  # the connection broke, or a garbled answer
            raise Unreachable(f"与平台的连接中断（{type(exc).__name__}），稍后重试。") from None
        finally:
            _DEADLINE.reset(cutoff)


# -- the deadline for every read and write, headers included -------------------------------------
# httpx only has a timeout per read, so a server that sends its status line and headers one byte
# at a time would never be cut off. The deadline of the call under way (set by ``_exchange``, per
# thread) shortens every socket operation's timeout, so nothing waits past it.
_DEADLINE: ContextVar[float | None] = ContextVar("platform_deadline", default=None)


def _time_left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._backend.connect_tcp(host, port, left, local_address, socket_options)
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _enforce_deadlines(client: httpx.Client) -> None:
    """Put :class:`_DeadlineBackend` under the connection pools of ``client``'s transports (its
    own and those for proxies). This reaches into httpx's internals; should they change, only the
    check between body chunks in ``_exchange`` is left (test_bad_responses.py notices)."""
    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.ConnectionPool) and not isinstance(
            pool._network_backend, _DeadlineBackend
        ):
            pool._network_backend = _DeadlineBackend(pool._network_backend)


def _retry_after(value: str | None) -> float:
    """Seconds to wait, from ``Retry-After``; a date, garbage or NaN is 0 and anything past
    :data:`MAX_RETRY_AFTER_S` (``1e300``, ``inf``) is capped, so a bad answer cannot overflow the
    outbox's next-attempt time."""
    try:
        seconds = float(value) if value else 0.0
    except ValueError:
        return 0.0
    return 0.0 if math.isnan(seconds) else min(max(0.0, seconds), MAX_RETRY_AFTER_S)


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
        return Unreachable(
            f"平台暂时不可用（{status}）：{message or '请稍后重试'}",
            status=status,
            retry_after_s=retry_after,
        )
    if status == 404:
        return NotFound(message or "平台上没有找到。", status=status)
    return Refused(f"平台拒绝了请求（{status}）：{message or '原因未说明'}", status=status)
