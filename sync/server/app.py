"""The reference platform: the whole contract over HTTP, for the demo and the tests.

``create_app`` builds the ASGI application on a :class:`PlatformStore`; :func:`serve` runs it
with uvicorn and a departments thread that decides dispatched items when their time comes. Every
error is a :class:`~sync.contract.Problem` with a Chinese message; nothing answers with a trace.

Halls are kept apart: a hall terminal's token says its hall, and everything it sends or asks for
is that hall's — another hall's case, file, idempotency key or audit anchor answers exactly as
one that does not exist (:data:`HALLS` says it in the published document). A platform admin
terminal belongs to no hall: it publishes catalogs and runs the platform, and gets no hall's
cases or files.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db.base import utcnow
from app.logs import mask_handlers
from sync import contract
from sync.contract import API, Problem
from sync.server.faults import FaultMiddleware, Faults, FaultState
from sync.server.json_body import JsonRoute
from sync.server.store import (
    AuthError,
    NotPreApplication,
    OffsetMismatch,
    PlatformStore,
    Rejected,
    Terminal,
)

log = logging.getLogger(__name__)
SHA256_PATH = Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256, lower-case hex")
RECEIPT_PATH = Path(
    min_length=1,
    max_length=40,
    description="办件编号: the hall's 受理编号, beginning with the hall's code and a hyphen",
)
OCTETS = "application/octet-stream"
MAX_CHUNK = 8 * 1024 * 1024
NO_UPLOAD = "本大厅没有在平台登记这个文件的上传，请先登记文件（POST）再上传。"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document the errors an operation answers, all Problems: 400 a body that cannot be read as
    JSON (not UTF-8), 422 a body or parameter that does not fit the contract (this replaces
    FastAPI's own 422 schema, which the platform never sends), 401/403 the credential."""
    return {status: {"model": Problem} for status in statuses}


@dataclass
class Platform:
    store: PlatformStore
    faults: FaultState


router = APIRouter(route_class=JsonRoute)


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


# Reads the token and states it in the document (``components.securitySchemes``), but never
# refuses by itself (auto_error=False): without a valid token the answer is ours, a Problem.
BEARER = HTTPBearer(
    scheme_name="TerminalToken",
    auto_error=False,
    description=(
        "终端凭证：平台登记终端时发给的令牌，每个请求（/health 除外）都要带上。"
        "令牌确定终端所属的大厅：终端只能收发、查询本大厅的办件、消息、文件和事件。"
    ),
)
HALLS = (
    "Every object on the platform belongs to a hall, and a terminal's token says which: a hall "
    "terminal reads and writes only its own hall's. Receipt numbers, idempotency keys, file "
    "names (SHA-256), event ids and audit anchors are scoped by hall — two halls may use the "
    "same key, hold the same file or anchor the same entry number independently, "
    "and nothing one hall sends changes or reveals anything of "
    "another's. Another hall's receipt number, file, case or pre-application answers exactly "
    "like one that does not exist (the same status and body). A message whose `receipt_no` is "
    "not the hall's (it must begin with the hall's code and a hyphen) or whose `hall_code` is "
    "not the hall's is `rejected`, with the reason, and never applied. A platform admin terminal "
    "belongs to no hall: it publishes catalogs and gets 403 from every hall operation."
)
NOT_A_HALL = (
    "平台管理终端不属于任何大厅，不能收发、查询大厅的办件、文件、事件、审计锚点和共享数据；"
    "请使用大厅终端的凭证。"
)


def _terminal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Terminal:
    authorization = f"Bearer {credentials.credentials}" if credentials else None
    try:
        return _platform(request).store.authenticate(authorization)
    except AuthError as exc:
        code = "unauthenticated" if exc.status == 401 else "forbidden"
        raise ApiError(exc.status, code, str(exc)) from None


# The dependencies that only look at what they are given are coroutines: a plain function would
# be run on the thread pool, a hand-over between threads for each on every request.
async def _admin(who: Annotated[Terminal, Depends(_terminal)]) -> Terminal:
    if who.role != "admin":
        raise ApiError(403, "forbidden", "只有平台管理终端可以这样做。")
    return who


async def _hall(who: Annotated[Terminal, Depends(_terminal)]) -> Terminal:
    """A terminal of a hall, acting for it; an admin terminal is no hall's."""
    if who.role != "terminal":
        raise ApiError(403, "forbidden", NOT_A_HALL)
    return who


async def _store(request: Request) -> PlatformStore:
    return _platform(request).store


Store = Annotated[PlatformStore, Depends(_store)]
Caller = Annotated[Terminal, Depends(_terminal)]  # any terminal: platform-wide things
HallTerminal = Annotated[Terminal, Depends(_hall)]  # a hall's terminal: that hall's things
Admin = Annotated[Terminal, Depends(_admin)]


@router.get(f"{API}/health", response_model=contract.Health, tags=["platform"])
def health(store: Store) -> contract.Health:
    latest = store.latest_catalog()
    return contract.Health(
        status="ok", time=utcnow(), catalog_version=latest.version if latest else ""
    )


@router.post(
    f"{API}/messages",
    response_model=contract.BatchResult,
    tags=["cases"],
    responses=_errors(400, 401, 403, 422),
)
def messages(batch: contract.MessageBatch, who: HallTerminal, store: Store) -> contract.BatchResult:
    """Submit messages of the hall's cases (办事申请, 受理, 办结 …); each is answered by its key.

    Keys and cases are the hall's: a key another hall used is new here, and a message whose
    ``receipt_no`` does not begin with the hall's code and a hyphen, or whose submission names
    another ``hall_code``, is ``rejected`` with the reason and never applied. A ``material``
    message names a file the hall itself uploaded whole."""
    return contract.BatchResult(results=store.apply(who, batch.messages))


@router.post(
    f"{API}/files/{{sha256}}",
    response_model=contract.FileStatus,
    tags=["files"],
    responses=_errors(400, 401, 403, 409, 422),
)
def start_file(
    sha256: Annotated[str, SHA256_PATH],
    start: contract.FileStart,
    who: HallTerminal,
    store: Store,
) -> contract.FileStatus:
    """Announce an upload of the hall's (again, harmlessly): the answer says how much the
    platform has of it. 409 only when the hall itself announced the file with another size;
    another hall's upload of the same SHA-256 is its own and changes nothing here."""
    with _rejected(409):
        return store.start_file(who.hall_code, sha256, start.size, start.mime)


@router.get(
    f"{API}/files/{{sha256}}",
    response_model=contract.FileStatus,
    tags=["files"],
    responses=_errors(401, 403, 404, 422),
)
def file_status(
    sha256: Annotated[str, SHA256_PATH], who: HallTerminal, store: Store
) -> contract.FileStatus:
    """How much the platform has of the hall's upload; 404 when the hall announced none
    (whether or not another hall holds the same file)."""
    status = store.file_status(who.hall_code, sha256)
    if status is None:
        raise ApiError(404, "not_found", NO_UPLOAD)
    return status


@router.patch(
    f"{API}/files/{{sha256}}",
    response_model=contract.FileStatus,
    tags=["files"],
    responses=_errors(401, 403, 404, 409, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/offset+octet-stream": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    },
)
async def append_file(
    sha256: Annotated[str, SHA256_PATH],
    upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0)],
    request: Request,
    who: HallTerminal,
    store: Store,
) -> contract.FileStatus:
    """Send bytes of the hall's upload from ``Upload-Offset`` on; a broken upload resumes where
    it stopped. 404 when the hall announced no such upload."""
    chunk = await _read_body(request, MAX_CHUNK)
    try:
        return store.append_file(who.hall_code, sha256, upload_offset, chunk)
    except KeyError:
        raise ApiError(404, "not_found", NO_UPLOAD) from None
    except OffsetMismatch as exc:
        raise ApiError(409, "offset", str(exc)) from None
    except Rejected as exc:
        raise ApiError(422, "rejected", str(exc)) from None


@router.get(
    f"{API}/files/{{sha256}}/content",
    response_class=FileResponse,
    tags=["files"],
    responses={
        200: {
            "description": "the file's bytes",
            "content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}},
        },
        **_errors(401, 403, 404, 422),
    },
)
def download_file(
    sha256: Annotated[str, SHA256_PATH], who: HallTerminal, store: Store
) -> FileResponse:
    """A whole file the hall uploaded and one of its cases holds as a material scan (scans are
    personal documents: knowing a hash is no reason to get one); 404 otherwise, the same for a
    file another hall holds as for none. The terminal checks the bytes against the SHA-256."""
    path = store.case_file(who.hall_code, sha256)
    if path is None:
        raise ApiError(404, "not_found", "平台没有本大厅办件的这个材料文件（或还没有传完）。")
    return FileResponse(path, media_type=OCTETS)


@router.get(
    f"{API}/cases/{{receipt_no}}/pre-application",
    response_model=contract.PreApplication,
    tags=["cases"],
    responses=_errors(401, 403, 404, 409, 422),
)
def pre_application(
    receipt_no: Annotated[str, RECEIPT_PATH], who: HallTerminal, store: Store
) -> contract.PreApplication:
    """A pre-application (预申请) of the caller's hall by its receipt number, for a window to
    pick up when the kiosk keeps its own database: 404 for none — another hall's case answers
    the same — and 409 once it has been decided or withdrawn; ``complete`` is false while
    announced scans are on their way."""
    try:
        return store.pre_application(who.hall_code, receipt_no)
    except LookupError:
        raise ApiError(
            404, "not_found", f"平台上没有本大厅受理编号为 {receipt_no} 的预申请。"
        ) from None
    except NotPreApplication as exc:
        raise ApiError(409, "not_pre_application", str(exc)) from None


@router.get(
    f"{API}/events",
    response_model=contract.EventPage,
    tags=["events"],
    responses=_errors(401, 403, 422),
)
def events(
    who: HallTerminal,
    store: Store,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> contract.EventPage:
    """Decisions, results and status changes of the caller's hall, after the cursor. Event ids
    are the hall's own sequence: they say nothing of other halls."""
    return store.events_after(who.hall_code, after, limit)


@router.post(
    f"{API}/audit/anchors",
    response_model=contract.AnchorReceipt,
    tags=["audit"],
    responses=_errors(400, 401, 403, 409, 422),
)
def record_anchor(
    anchor: contract.AuditAnchor, who: HallTerminal, store: Store
) -> contract.AnchorReceipt:
    """Keep the head of an audit trail of the hall (an anchor). Anchors are kept one per entry of
    a chain and never changed: the same anchor again is a ``duplicate``; another hash (or key)
    for an entry the platform holds is refused with 409 — the trail was rewritten at the hall."""
    with _rejected(409):
        return store.record_anchor(who, anchor)


@router.get(
    f"{API}/audit/chains",
    response_model=contract.AuditChains,
    tags=["audit"],
    responses=_errors(401, 403),
)
def audit_chains(who: HallTerminal, store: Store) -> contract.AuditChains:
    """The latest anchor of each of the hall's audit trails (none: an empty list): what
    ``onestop audit verify`` checks its trail against. Another hall's are never seen."""
    return contract.AuditChains(chains=store.latest_anchors(who.hall_code))


@router.get(
    f"{API}/catalogs/latest",
    response_model=contract.CatalogInfo,
    tags=["catalogs"],
    responses=_errors(401, 403, 404),
)
def latest_catalog(who: Caller, store: Store) -> contract.CatalogInfo:
    """The catalog version the platform published last: the same for every hall."""
    latest = store.latest_catalog()
    if latest is None:
        raise ApiError(404, "not_found", "平台还没有发布事项目录。")
    return latest


@router.get(
    f"{API}/catalogs/{{version}}",
    response_model=contract.CatalogBundle,
    tags=["catalogs"],
    responses=_errors(401, 403, 404, 422),
)
def catalog(
    version: Annotated[str, Path(max_length=40)], who: Caller, store: Store
) -> contract.CatalogBundle:
    """A published catalog version: the same for every hall."""
    bundle = store.catalog(version)
    if bundle is None:
        raise ApiError(404, "not_found", f"平台没有 {version} 版事项目录。")
    return bundle


@router.post(
    f"{API}/catalogs",
    response_model=contract.CatalogInfo,
    tags=["catalogs"],
    responses=_errors(400, 401, 403, 409, 422),
)
def publish_catalog(
    bundle: contract.CatalogBundle, who: Admin, store: Store
) -> contract.CatalogInfo:
    """Publish a catalog version (§5.4), for every hall: a platform admin terminal only.
    Terminals switch to it between cases."""
    with _rejected(409):
        return store.publish_catalog(bundle)


@router.get(
    f"{API}/persons/{{id_number}}/facts",
    response_model=contract.Facts,
    tags=["shared data"],
    responses=_errors(401, 403, 422),
)
def facts(
    id_number: Annotated[str, Path(max_length=40)], who: HallTerminal, store: Store
) -> contract.Facts:
    """Shared data (数据共享) about the person a hall is serving. It is the province's, not a
    hall's: any hall's terminal may ask, an admin terminal may not."""
    return store.facts(id_number)


@router.get(
    f"{API}/persons/{{id_number}}/licences/{{licence}}",
    response_model=contract.LicenceCheck,
    tags=["shared data"],
    responses=_errors(401, 403, 422),
)
def licence(
    id_number: Annotated[str, Path(max_length=40)],
    licence: Annotated[str, Path(max_length=100)],
    who: HallTerminal,
    store: Store,
) -> contract.LicenceCheck:
    """Verify an e-licence of the person a hall is serving (used to mark a material exempt);
    like shared data, any hall's terminal may ask, an admin terminal may not."""
    return store.licence(id_number, licence)


@router.put(f"{API}/admin/faults", response_model=Faults, tags=["admin"], include_in_schema=False)
def set_faults(faults: Faults, who: Admin, request: Request) -> Faults:
    platform = _platform(request)
    platform.faults.set(faults)
    platform.store.reject_receipts = set(faults.reject_receipts)
    return faults


@router.get(f"{API}/admin/stats", tags=["admin"], include_in_schema=False)
def stats(who: Admin, store: Store) -> dict[str, Any]:
    return store.stats()


def create_app(store: PlatformStore, faults: FaultState | None = None) -> FastAPI:
    api = unbound_app()
    platform = Platform(store, faults or FaultState())
    api.state.platform = platform
    api.add_middleware(FaultMiddleware, state=platform.faults)
    return api


def unbound_app() -> FastAPI:
    """The routes and error answers without a store: enough for the OpenAPI document
    (:mod:`sync.openapi`); :func:`create_app` binds it to a store to serve."""
    api = FastAPI(
        title="OneStop platform contract",
        version="1.0.0",
        description=(
            "What a OneStop hall terminal and the provincial platform say to each other "
            "(GB/T 45836—2025 §6.4, data elements of GB/T 39046—2020). Every request but "
            "/health carries `Authorization: Bearer <terminal token>`.\n\n" + HALLS
        ),
    )
    api.include_router(router)
    api.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    api.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, _crash)
    return api


async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
    return _problem(exc.status, exc.code, exc.message)


async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return _problem(422, "invalid", f"请求不符合接口规范：{where} {first.get('msg', '')}")


async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    messages_ = {
        400: "请求体无法解析，请发送 UTF-8 编码的 JSON。",
        404: "没有这个地址。",
        405: "该地址不支持这种请求方法。",
    }
    return _problem(exc.status_code, "http", messages_.get(exc.status_code, str(exc.detail)))


async def _crash(_: Request, exc: Exception) -> JSONResponse:
    log.exception("platform error", exc_info=exc)
    return _problem(500, "internal", "平台内部错误，已记录。")


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(Problem(code=code, message=message).model_dump(), status_code=status)


@contextlib.contextmanager
def _rejected(status: int) -> Iterator[None]:
    try:
        yield
    except Rejected as exc:
        raise ApiError(status, "rejected", str(exc)) from None


async def _read_body(request: Request, limit: int) -> bytes:
    size = int(request.headers.get("content-length") or 0)
    if size > limit:
        raise ApiError(413, "too_large", f"一次最多上传 {limit >> 20} MB，请分块上传。")
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise ApiError(
                413, "too_large", f"一次最多上传 {limit // 1024 // 1024} MB，请分块上传。"
            )
        chunks.append(chunk)
    return b"".join(chunks)


class Departments:
    """The departments: every ``tick_s`` they decide the dispatched items whose time has come."""

    def __init__(self, store: PlatformStore, tick_s: float = 0.2) -> None:
        self.store = store
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="departments", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            try:
                self.store.decide_due()
            except Exception:  # keep deciding; the log says what went wrong
                log.exception("departments failed to decide")


class RunningPlatform:
    """The server on a port (0: any free one) in a thread of this process, with its departments:
    for the tests, the demo and ``onestop platform serve``."""

    def __init__(
        self,
        store: PlatformStore,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultState | None = None,
        tick_s: float = 0.2,
    ) -> None:
        self.store = store
        self.faults = faults or FaultState()
        config = uvicorn.Config(
            create_app(store, self.faults),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        mask_handlers("uvicorn", "uvicorn.error", "uvicorn.access")  # configured by Config
        self.server = uvicorn.Server(config)
        self.departments = Departments(store, tick_s)
        self._thread = threading.Thread(target=self.server.run, name="platform", daemon=True)
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 10.0) -> RunningPlatform:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise OSError(f"参考平台没能在 {self.host}:{self.port} 上启动（端口被占用？）。")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.departments.start()
        return self

    def stop(self) -> None:
        self.departments.stop()
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> RunningPlatform:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
