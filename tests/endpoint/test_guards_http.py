"""HTTP guards in-process (``endpoint.guards`` + the JSON truncation member): body limit
(declared and chunked), query length, rate limit, security and CORS headers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from endpoint.guards import CONTENT_SECURITY_POLICY, RateLimit

MakeClient = Callable[..., contextlib.AbstractContextManager[TestClient]]
ALL_TRIPLES = "SELECT * WHERE { ?s ?p ?o }"


def _chunks(total: int, size: int = 1000) -> Iterator[bytes]:
    yield b"query="
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size


def test_body_limit_declared_and_chunked(make_client: MakeClient) -> None:
    with make_client(max_body_bytes=2_000) as c:
        declared = c.post(
            "/sparql", content=b"query=" + b"a" * 5_000, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert declared.status_code == 413
        assert "2000" in declared.text
        # A generator body goes out with Transfer-Encoding: chunked and no Content-Length.
        chunked = c.post(
            "/sparql", content=_chunks(50_000), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert chunked.status_code == 413
        assert "over 2000 bytes" in chunked.text
        # Not only /sparql: every route is behind the same limit.
        other = c.post("/dumps/", content=_chunks(50_000))
        assert other.status_code == 413
        small = c.post("/sparql", content=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"})
        assert small.status_code == 200


def test_chunked_body_under_the_limit_reaches_the_route(make_client: MakeClient) -> None:
    def body() -> Iterator[bytes]:
        yield b"query=ASK"
        yield b"%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"

    with make_client(max_body_bytes=2_000) as c:
        r = c.post("/sparql", content=body(), headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 200
        assert json.loads(r.content)["boolean"] is True


def test_query_length_limit(make_client: MakeClient) -> None:
    with make_client(max_query_length=100) as c:
        long_query = "ASK { ?s ?p ?o }" + " " * 200
        r = c.get("/sparql", params={"query": long_query})
        assert r.status_code == 413
        assert "at most 100" in r.text


def test_truncation_is_in_the_json_body(make_client: MakeClient) -> None:
    with make_client(max_result_rows=3) as c:
        r = c.get("/sparql", params={"query": ALL_TRIPLES}, headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200
        doc = json.loads(r.content)
        assert len(doc["results"]["bindings"]) == 3
        assert sorted(doc["head"]["vars"]) == ["o", "p", "s"]
        assert doc["gongkai"] == {"truncated": True, "limit": 3}
        assert r.headers["X-Gongkai-Truncated"] == "true"
        whole = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
        assert "gongkai" not in json.loads(whole.content)
        assert whole.headers["X-Gongkai-Truncated"] == "false"


def test_security_headers(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src" not in csp and "default-src 'none'" in csp  # no script may run
    assert "<script" not in page.text.lower()
    for r in (page, client.get("/sparql", params={"query": "ASK {}"}), client.get("/no/such/page")):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"]
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Security-Policy" not in client.get("/sparql", params={"query": "ASK {}"}).headers


def test_cors_preflight(client: TestClient) -> None:
    r = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()
    get = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert get.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Gongkai-Truncated" in get.headers["Access-Control-Expose-Headers"]


def test_rate_limit(make_client: MakeClient) -> None:
    with make_client(rate_limit_per_s=0.01, rate_limit_burst=3) as c:
        statuses = [c.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = c.get("/sparql", params={"query": "ASK {}"})
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert "per second" in refused.text


def test_rate_limit_is_off_by_default(client: TestClient) -> None:
    assert all(client.get("/sparql", params={"query": "ASK {}"}).status_code == 200 for _ in range(30))


def test_token_bucket_refills() -> None:
    bucket = RateLimit(app=None, per_s=2.0, burst=2)  # type: ignore[arg-type]
    assert bucket.take("a", now=0.0) == 0
    assert bucket.take("a", now=0.0) == 0
    assert bucket.take("a", now=0.0) == pytest.approx(0.5)
    assert bucket.take("b", now=0.0) == 0  # per client
    assert bucket.take("a", now=0.5) == 0  # one token back after 1/rate s
