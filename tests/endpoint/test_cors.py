"""CORS by Starlette's ``CORSMiddleware`` (endpoint.guards.PublicCORS), held to the published
contract (docs/endpoint.md, "Limits and guards"): the data is public and the service read-only, so
``Access-Control-Allow-Origin: *`` is on every response, asked for or not, and a preflight for
GET, HEAD or POST gets 204.

A small app behind the real guards, so these run without a store; test_guards_http.py and
test_sparql.py check the same on the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from endpoint.guards import CORS_EXPOSE_HEADERS, install_guards


async def document(request: Request) -> Response:
    body = await request.body() if request.method == "POST" else b"@prefix gk: <https://w3id.org/gongkai/def#> ."
    return Response(body, 200, {"Vary": "Accept"}, media_type="text/turtle")


def guarded_app(rate_limit_per_s: float = 0.0) -> Starlette:
    app = Starlette(routes=[Route("/doc/x", document, methods=["GET", "HEAD", "POST"])])
    install_guards(app, max_body_bytes=100, rate_limit_per_s=rate_limit_per_s, rate_limit_burst=3)
    return app


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    with TestClient(guarded_app()) as client:
        yield client


def test_every_response_allows_any_origin_and_does_not_vary_on_it(guarded: TestClient) -> None:
    for headers in ({}, {"Origin": "https://example.org"}):
        r = guarded.get("/doc/x", headers=headers)
        assert r.status_code == 200
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert r.headers["Access-Control-Expose-Headers"] == ", ".join(CORS_EXPOSE_HEADERS)
        # one copy for every origin: shared caches need no Vary: Origin (Starlette's default adds it)
        assert r.headers["Vary"] == "Accept"
        assert "Access-Control-Allow-Credentials" not in r.headers


def test_a_preflight_for_a_read_gets_204_without_a_body(guarded: TestClient) -> None:
    r = guarded.options(
        "/doc/x",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, if-none-match",
        },
    )
    assert r.status_code == 204
    assert r.content == b""
    assert "content-length" not in r.headers and "content-type" not in r.headers
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")} >= {"GET", "HEAD", "POST"}
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "accept-language", "content-type", "if-none-match"} <= allowed
    assert r.headers["Access-Control-Max-Age"] == "86400"
    assert r.headers["X-Content-Type-Options"] == "nosniff"  # the security headers wrap CORS


def test_a_preflight_for_a_write_is_refused(guarded: TestClient) -> None:
    r = guarded.options("/doc/x", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 400
    assert "method" in r.text


def test_the_guards_own_answers_carry_cors(guarded: TestClient) -> None:
    too_big = guarded.post("/doc/x", content=b"x" * 500, headers={"Origin": "https://example.org"})
    assert too_big.status_code == 413
    assert too_big.headers["Access-Control-Allow-Origin"] == "*"
    with TestClient(guarded_app(rate_limit_per_s=0.001)) as limited:
        statuses = [limited.get("/doc/x").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = limited.get("/doc/x", headers={"Origin": "https://example.org"})
        assert refused.status_code == 429 and refused.headers["Access-Control-Allow-Origin"] == "*"
        # a preflight is answered before the rate limit: a browser's request is refused, not its preflight
        preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
        assert limited.options("/doc/x", headers=preflight).status_code == 204
