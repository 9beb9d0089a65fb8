"""Fault switches for tests and demos: the reference platform misbehaving on purpose.

A pure ASGI middleware in front of the API (never ``/health`` or ``/admin``). For each request it
draws, in this order: an outage window (503 with Retry-After), an error (500), a hang (sleeps past
the client's timeout, then processes the request), a drop (processes the request, then closes the
connection in the middle of the answer, so the client cannot know it worked) and a malformed answer
(200 with HTML instead of JSON). Added latency applies to every request.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.db.base import utcnow
from sync.contract import API

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Fault = Literal["outage", "error", "hang", "drop", "malformed"]
EXEMPT = (f"{API}/health", f"{API}/admin", "/openapi.json", "/docs")


class Faults(BaseModel):
    """What to break, as rates between 0 and 1 per request, and fixed windows."""

    model_config = ConfigDict(extra="forbid")

    error_rate: float = Field(0.0, ge=0, le=1)
    hang_rate: float = Field(0.0, ge=0, le=1)
    hang_s: float = Field(10.0, ge=0, le=600)
    drop_rate: float = Field(0.0, ge=0, le=1)
    malformed_rate: float = Field(0.0, ge=0, le=1)
    latency_ms: float = Field(0.0, ge=0, le=60_000)
    outage_s: float = Field(0.0, ge=0, le=86_400, description="an outage from now, this long")
    reject_receipts: list[str] = Field(default_factory=list, max_length=10_000)
    seed: int | None = None


class FaultState:
    """The switches in force; changed at run time through ``PUT /admin/faults``."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._lock = threading.Lock()
        self.faults = Faults()
        self.outage_until: datetime | None = None
        self._random = random.Random()
        self.set(faults or Faults())

    def set(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults
            self._random = random.Random(faults.seed)
            self.outage_until = (
                utcnow() + timedelta(seconds=faults.outage_s) if faults.outage_s else None
            )

    def draw(self) -> Fault | None:
        with self._lock:
            f = self.faults
            if self.outage_until is not None and utcnow() < self.outage_until:
                return "outage"
            rates: tuple[tuple[Fault, float], ...] = (
                ("error", f.error_rate),
                ("hang", f.hang_rate),
                ("drop", f.drop_rate),
                ("malformed", f.malformed_rate),
            )
            for fault, rate in rates:
                if rate and self._random.random() < rate:
                    return fault
            return None

    def retry_after_s(self) -> int:
        if self.outage_until is None:
            return 1
        return max(1, int((self.outage_until - utcnow()).total_seconds()) + 1)


class FaultMiddleware:
    def __init__(self, app: ASGIApp, state: FaultState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API) or path.startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        faults = self.state.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        fault = self.state.draw()
        if fault == "outage":
            await _problem(
                send,
                503,
                "outage",
                "平台维护中（模拟停机）。",
                {"retry-after": str(self.state.retry_after_s())},
            )
        elif fault == "error":
            await _problem(send, 500, "internal", "平台内部错误（模拟）。")
        elif fault == "hang":
            await asyncio.sleep(faults.hang_s)
            await self.app(scope, receive, send)
        elif fault in ("drop", "malformed"):
            status, headers, body = await _run(self.app, scope, receive)
            if fault == "malformed":
                await _send(
                    send,
                    200,
                    [(b"content-type", b"text/html")],
                    b"<html><body>502 Bad Gateway</body></html>",
                )
                return
            # The request was processed; answer half and hang up.
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            raise ConnectionAbortedError("fault injection: connection dropped after processing")
        else:
            await self.app(scope, receive, send)


async def _run(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, list[Any], bytes]:
    """Run the app to the end and keep its answer instead of sending it."""
    status, headers, chunks = 500, [], []

    async def keep(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return status, headers, b"".join(chunks)


async def _problem(
    send: Send, status: int, code: str, message: str, extra: dict[str, str] | None = None
) -> None:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json")]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await _send(send, status, headers, body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
