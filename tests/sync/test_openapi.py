"""The published contract: ``sync/openapi.json`` is current, and the live server keeps to it.

The property-based part is Schemathesis: for every operation of the document it generates
requests (the documented examples, boundary and invalid values, then random ones) and sends
them to a reference platform on a loopback port, checking each answer: no server error, a
documented status code, the documented content type, a body that fits the documented schema.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case

from sync import openapi
from sync.contract import API
from tests.sync.conftest import Served

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
ADMIN_ONLY = {f"POST {API}/catalogs"}  # with a terminal's token these only ever answer 403

# Uploads go as tus-style ``application/offset+octet-stream``: raw bytes, like octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
# The schema is needed when pytest collects the tests, before any server runs, so it is the
# checked-in document (the one provinces get); test_server_serves_the_published_document shows
# the live server's /openapi.json is the same. (schemathesis.pytest.from_fixture would load it
# from the live server, but Schemathesis 4.32 uses ``Node._nodeid``, which pytest 9.2 dropped.)
schema = schemathesis.openapi.from_path(openapi.PATH)


def published() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi.PATH.read_text(encoding="utf-8"))
    return document


def test_checked_in_document_is_current() -> None:
    assert openapi.PATH.read_text(encoding="utf-8") == openapi.render(), (
        "sync/openapi.json is out of date with the server: run `python -m sync.openapi`"
    )


def test_server_serves_the_published_document(served: Served) -> None:
    response = httpx.get(f"{served.platform.url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == published()


def test_document_states_the_bearer_scheme() -> None:
    document = published()
    schemes = document["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    (name,) = schemes
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == f"{API}/health":
                assert "security" not in operation
                continue
            assert operation["security"] == [{name: []}], f"{method} {path}"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"


@schema.parametrize()
# One platform per operation, shared by its examples: that is the point, not an accident.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_platform_keeps_to_its_contract(case: Case[Any], served: Served) -> None:
    token = served.admin_token if case.operation.label in ADMIN_ONLY else served.token
    case.call_and_validate(
        base_url=served.platform.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )


def test_a_request_without_credential_gets_the_documented_401(served: Served) -> None:
    operation = schema[f"{API}/events"]["GET"]
    assert "401" in operation.definition.raw["responses"]
    case = operation.Case()
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        response = httpx.get(f"{served.platform.url}{API}/events", headers=headers, timeout=10)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == "application/json"
        assert response.json()["code"] == "unauthenticated"
        case.validate_response(response, checks=CHECKS)
