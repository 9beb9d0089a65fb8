"""Bad responses: malformed JSON, wrong content type, huge bodies, a slow-loris server: the sender
neither crashes nor loses messages, and says what happened.

The misbehaving platform is a few lines of stdlib ``socketserver`` on a free loopback port, with
one mode per kind of bad answer. Every request gets that answer; every server thread is stopped
and joined when its test ends, and every wait is bounded.
"""

from __future__ import annotations

import gzip
import re
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from app.catalog.catalog import Catalog
from app.db.base import utcnow
from sync.client import AuthFailed, HttpPlatform, PlatformError, Refused, Unreachable
from sync.contract import API, EncodedEnvelope, Envelope
from sync.sender import Sender
from tests.helpers.cases import open_newborn
from tests.sync.conftest import Hall, Served, submission

MB = 1024 * 1024
HUGE = 20 * MB  # what the "huge" server would send; the client may take 1 MB
TRICKLE_S = 0.3  # a slow-loris server's pause between two bytes
TIMEOUT_S, DEADLINE_S = 1.0, 2.0  # the client's per-read timeout and whole-answer deadline
CJK = re.compile(r"[\u4e00-\u9fff]")
ENVELOPE = EncodedEnvelope.of(
    Envelope(
        idempotency_key="T-1/1/submission",
        receipt_no="T-1",
        seq=1,
        kind="submission",
        body=submission("T-1"),
    )
)


# -- a platform that answers badly ---------------------------------------------------------------
class BadPlatform:
    """Answers every request in one bad way (``mode``, a key of :data:`ANSWERS`)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[str] = []  # "METHOD /path" of each request it read
        self.sent = 0  # body bytes the client took (or the kernel buffered) before hanging up
        self.hung_up = threading.Event()  # the client closed the connection on us
        self.stop = threading.Event()
        self.errors: list[BaseException] = []  # anything the server itself got wrong
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"bad-{mode}"
        )
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def __enter__(self) -> BadPlatform:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()  # a trickling handler stops at its next pause
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads (block_on_close)
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the bad platform did not stop"
        assert not self.errors, f"the bad platform itself failed: {self.errors!r}"

    def pause(self) -> bool:
        """Wait between two trickled bytes; False once the test is over."""
        return not self.stop.wait(TRICKLE_S)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, platform: BadPlatform) -> None:
        self.platform = platform
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        self.platform.errors.append(sys.exc_info()[1] or RuntimeError("unknown"))


class _Handler(socketserver.BaseRequestHandler):
    server: _Server
    request: socket.socket

    def handle(self) -> None:
        bad = self.server.platform
        self.request.settimeout(5)  # never wait forever on a client that stopped reading
        bad.requests.append(_read_request(self.request))
        try:
            ANSWERS[bad.mode](bad, self.request)
        except (BrokenPipeError, ConnectionResetError):
            bad.hung_up.set()  # what a misbehaving server must expect


def _read_request(sock: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the client went away mid-request")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the client went away mid-body")
        body += chunk
    method, path, _ = lines[0].split(" ", 2)
    return f"{method} {path}"


def _head(status: str, content_type: str | None, length: int | None, *extra: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Connection: close", *extra]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _respond(
    sock: socket.socket,
    status: str,
    body: bytes,
    content_type: str | None = "application/json",
    *extra: str,
) -> None:
    sock.sendall(_head(status, content_type, len(body), *extra) + body)


Answer = Callable[[BadPlatform, socket.socket], None]
ANSWERS: dict[str, Answer] = {}


def answer(mode: str) -> Callable[[Answer], Answer]:
    def register(function: Answer) -> Answer:
        ANSWERS[mode] = function
        return function

    return register


@answer("malformed_json")
def _malformed_json(bad: BadPlatform, sock: socket.socket) -> None:
    _respond(sock, "200 OK", b'{"results": [{"idempotency_key": "T-1/1/subm')


@answer("truncated")
def _truncated(bad: BadPlatform, sock: socket.socket) -> None:
    """Promises 400 bytes, sends 20, hangs up."""
    sock.sendall(_head("200 OK", "application/json", 400) + b'{"results": [{"idemp')


@answer("html")
def _html(bad: BadPlatform, sock: socket.socket) -> None:
    page = "<html><body><h1>502 网关错误</h1></body></html>".encode()
    _respond(sock, "200 OK", page, "text/html; charset=utf-8")


@answer("huge")
def _huge(bad: BadPlatform, sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    sock.sendall(_head("200 OK", "application/json", HUGE) + b'{"results": "')
    chunk = b"x" * (64 * 1024)
    while bad.sent < HUGE and not bad.stop.is_set():
        sock.sendall(chunk)
        bad.sent += len(chunk)


@answer("gzip_bomb")
def _gzip_bomb(bad: BadPlatform, sock: socket.socket) -> None:
    """About 20 KB on the wire that inflate to 20 MB."""
    body = gzip.compress(b'{"results": "' + b"x" * HUGE, compresslevel=9)
    _respond(sock, "200 OK", body, "application/json", "Content-Encoding: gzip")


@answer("bad_gzip")
def _bad_gzip(bad: BadPlatform, sock: socket.socket) -> None:
    _respond(sock, "200 OK", b'{"results": []}', "application/json", "Content-Encoding: gzip")


@answer("slow_body")
def _slow_body(bad: BadPlatform, sock: socket.socket) -> None:
    """Status line and headers at once, then the body one byte at a time."""
    body = b'{"results": [' + b" " * 200 + b"]}"
    sock.sendall(_head("200 OK", "application/json", len(body)))
    for byte in body:
        if not bad.pause():
            return
        sock.sendall(bytes([byte]))
        bad.sent += 1


@answer("slow_head")
def _slow_head(bad: BadPlatform, sock: socket.socket) -> None:
    """The status line, then the headers one byte at a time: a read never times out."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n")
    for byte in b"X-Slow: " + b"z" * 16:  # 7 s at most
        if not bad.pause():
            return
        sock.sendall(bytes([byte]))
        bad.sent += 1


@answer("silent")
def _silent(bad: BadPlatform, sock: socket.socket) -> None:
    """Reads the request and never says a word (until the test ends)."""
    bad.stop.wait(10)


@answer("closed")
def _closed(bad: BadPlatform, sock: socket.socket) -> None:
    """Reads the request and hangs up without a response (EOF)."""


@answer("reset")
def _reset(bad: BadPlatform, sock: socket.socket) -> None:
    """Reads the request and resets the connection (RST instead of FIN)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@answer("maintenance")
def _maintenance(bad: BadPlatform, sock: socket.socket) -> None:
    body = '{"code": "x", "message": "维护中"}'.encode()
    _respond(sock, "503 Service Unavailable", body, "application/json", "Retry-After: 7")


@answer("absurd_retry_after")
def _absurd_retry_after(bad: BadPlatform, sock: socket.socket) -> None:
    _respond(sock, "503 Service Unavailable", b"", None, "Retry-After: 1e300")


@answer("unauthorized")
def _unauthorized(bad: BadPlatform, sock: socket.socket) -> None:
    _respond(sock, "401 Unauthorized", b"", None)


@answer("bad_request")
def _bad_request(bad: BadPlatform, sock: socket.socket) -> None:
    _respond(sock, "400 Bad Request", b"<h1>Bad Request</h1>", "text/html")


@answer("off_contract")
def _off_contract(bad: BadPlatform, sock: socket.socket) -> None:
    _respond(sock, "200 OK", b'{"results": "nope"}')


@answer("other_messages")
def _other_messages(bad: BadPlatform, sock: socket.socket) -> None:
    """Valid JSON, valid contract, but answers for messages nobody sent."""
    _respond(sock, "200 OK", b'{"results": [{"idempotency_key": "other", "outcome": "applied"}]}')


def client(url: str) -> HttpPlatform:
    return HttpPlatform(url, "token", timeout_s=TIMEOUT_S, deadline_s=DEADLINE_S, max_body=MB)


@contextmanager
def platform(mode: str) -> Iterator[tuple[BadPlatform, HttpPlatform]]:
    with BadPlatform(mode) as bad, closing(client(bad.url)) as http:
        yield bad, http


# -- the client: every bad answer is a PlatformError that says what happened ---------------------
@dataclass(frozen=True)
class Bad:
    mode: str
    error: type[PlatformError]
    says: tuple[str, ...]  # fragments of the message
    within_s: float = 1.5  # the call must end this soon

    def check(self, exc: PlatformError) -> None:
        message = str(exc)
        assert type(exc) is self.error, f"{type(exc).__name__}: {message}"
        assert CJK.search(message), message
        for fragment in self.says:
            assert fragment in message, message


CASES = [
    Bad("malformed_json", Unreachable, ("不符合接口规范",)),
    Bad("truncated", Unreachable, ("连接中断",)),
    Bad("html", Unreachable, ("不是 JSON", "text/html")),
    Bad("huge", Unreachable, ("超过 1 MB", "已中止")),
    Bad("gzip_bomb", Unreachable, ("超过 1 MB", "已中止")),
    Bad("bad_gzip", Unreachable, ("无法解码",)),
    Bad("slow_body", Unreachable, ("2 秒内没有答完",), DEADLINE_S + 1),
    Bad("slow_head", Unreachable, ("2 秒内没有答完",), DEADLINE_S + 1),
    Bad("silent", Unreachable, ("超时",), TIMEOUT_S + 1),
    Bad("closed", Unreachable, ("连接中断",)),
    Bad("reset", Unreachable, ("连接中断",)),
    Bad("maintenance", Unreachable, ("暂时不可用（503）", "维护中")),
    Bad("absurd_retry_after", Unreachable, ("暂时不可用（503）",)),
    Bad("unauthorized", AuthFailed, ("凭证", "401")),
    Bad("bad_request", Refused, ("拒绝了请求（400）", "原因未说明")),
    Bad("off_contract", Unreachable, ("不符合接口规范",)),
    Bad("other_messages", Unreachable, ("对不上",)),
]


def test_every_mode_is_tried() -> None:
    assert sorted(c.mode for c in CASES) == sorted(ANSWERS)


@pytest.mark.parametrize("bad", CASES, ids=lambda c: c.mode)
def test_the_client_says_what_went_wrong(bad: Bad) -> None:
    with platform(bad.mode) as (server, http):
        started = time.monotonic()
        with pytest.raises(PlatformError) as caught:
            http.send([ENVELOPE])
        took = time.monotonic() - started
    bad.check(caught.value)
    assert took < bad.within_s, f"{bad.mode} took {took:.1f} s"
    assert server.requests == [f"POST {API}/messages"]


def test_a_huge_answer_is_cut_off_early() -> None:
    with platform("huge") as (server, http):
        started = time.monotonic()
        with pytest.raises(Unreachable, match="超过 1 MB"):
            http.send([ENVELOPE])
        took = time.monotonic() - started
        assert server.hung_up.wait(5), "the client kept the connection open"
    assert took < 1.0
    assert server.sent < HUGE // 2  # the client hung up long before the end (about 1 MB)


def test_a_slow_loris_is_cut_off_at_the_deadline() -> None:
    with platform("slow_body") as (server, http):
        started = time.monotonic()
        with pytest.raises(Unreachable, match="没有答完"):
            http.send([ENVELOPE])
        took = time.monotonic() - started
    assert DEADLINE_S <= took < DEADLINE_S + 1
    assert 1 <= server.sent <= DEADLINE_S / TRICKLE_S + 1  # a few bytes, never the whole body


def test_maintenance_says_when_to_come_back() -> None:
    with platform("maintenance") as (_, http), pytest.raises(Unreachable) as caught:
        http.health()
    assert caught.value.retry_after_s == 7 and caught.value.status == 503
    assert caught.value.transient
    assert "维护中" in str(caught.value)


def test_an_absurd_retry_after_is_capped() -> None:
    with platform("absurd_retry_after") as (_, http), pytest.raises(Unreachable) as caught:
        http.health()
    assert 0 < caught.value.retry_after_s <= 24 * 3600


def test_credential_and_request_errors_are_not_retried_blindly() -> None:
    for mode, error in (("unauthorized", AuthFailed), ("bad_request", Refused)):
        with platform(mode) as (_, http), pytest.raises(error) as caught:
            http.health()
        assert not caught.value.transient


# -- the sender: the message goes back to "retrying" with the reason, nothing is lost -------------
SENDER_CASES = [c for c in CASES if c.mode not in ("unauthorized", "bad_request", "silent")]


@pytest.mark.parametrize("bad", SENDER_CASES, ids=lambda c: c.mode)
def test_the_sender_keeps_the_message(hall: Hall, catalog: Catalog, bad: Bad) -> None:
    case = open_newborn(hall.service, catalog, channel="kiosk")
    (queued,) = hall.outbox.messages(states=("pending",))
    assert queued.receipt_no == case.receipt_no and queued.kind == "submission"
    before = hall.outbox.counts()

    with platform(bad.mode) as (server, http):
        started = time.monotonic()
        done = hall.sender(http).send_once()
        took = time.monotonic() - started

    assert took < bad.within_s + 0.5, f"{bad.mode} took {took:.1f} s"
    assert server.requests == [f"POST {API}/messages"]
    assert (done.claimed, done.delivered, done.retrying, done.rejected) == (1, 0, 1, 0)
    after = hall.outbox.counts()
    assert sum(after.values()) == sum(before.values())  # nothing lost, nothing invented
    assert after["retrying"] == 1
    assert after["delivered"] == after["in_flight"] == after["attention"] == 0
    (kept,) = hall.outbox.messages(states=("retrying",))
    assert (kept.id, kept.idempotency_key, kept.payload_json) == (
        queued.id,
        queued.idempotency_key,
        queued.payload_json,
    )
    assert kept.attempts == 1
    bad.check(Unreachable(kept.last_error))  # Chinese, and says what happened
    assert done.error == kept.last_error
    assert hall.notes.read()["last_error"]["message"] == kept.last_error


def test_the_sender_waits_as_long_as_the_platform_asks(hall: Hall, catalog: Catalog) -> None:
    open_newborn(hall.service, catalog, channel="kiosk")
    with platform("maintenance") as (_, http):
        started = utcnow()
        hall.sender(http).send_once()
    (kept,) = hall.outbox.messages(states=("retrying",))
    due = kept.next_attempt_at.replace(tzinfo=started.tzinfo)
    assert due >= started + timedelta(seconds=7)  # not the outbox's own 1-2 s backoff


def test_after_bad_answers_the_message_still_goes_through_once(
    hall: Hall, catalog: Catalog, served: Served
) -> None:
    open_newborn(hall.service, catalog, channel="kiosk")
    later = iter(range(1, 100))

    def clock() -> datetime:
        return utcnow() + timedelta(minutes=next(later))  # every round: the retry is due

    for mode in ("malformed_json", "html", "closed", "maintenance", "off_contract"):
        with platform(mode) as (_, http):
            sender = Sender(hall.outbox, http, hall.files, hall.notes, name="s", clock=clock)
            assert sender.send_once().retrying == 1, mode
    (kept,) = hall.outbox.messages(states=("retrying",))
    assert kept.attempts == 5

    with closing(HttpPlatform(served.platform.url, served.token, timeout_s=5)) as good:
        sender = Sender(hall.outbox, good, hall.files, hall.notes, name="s", clock=clock)
        assert sender.send_once().delivered == 1
    assert hall.outbox.counts()["delivered"] == 1 and sum(hall.outbox.counts().values()) == 1
    assert served.store.stats()["messages_applied"] == 1
