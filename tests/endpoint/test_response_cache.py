"""Repeated requests are answered from the responses of the served release
(endpoint/response_cache.py): the same bytes and headers, an ETag and 304, never across a
release switch, never for answers that change between evaluations, errors, HEAD or POST."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from endpoint.app import create_app, reload_release
from endpoint.response_cache import SizedLRU
from endpoint.settings import Settings
from endpoint.sparql.guard import query_words
from endpoint.sparql.results import _within_rows
from tests.conftest import gongkai
from tests.endpoint.test_resources import REPORT_001

MakeClient = Callable[..., AbstractContextManager[TestClient]]
TABLE_QUERY = "SELECT ?o ?v WHERE { ?o <http://purl.org/linked-data/cube#dataSet> ?d } ORDER BY ?o LIMIT 20"


async def _refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("the store was asked although the answer was cached")


def test_a_repeated_query_is_answered_without_the_store(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = client.get("/sparql", params={"query": TABLE_QUERY}, headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == 200
    assert len(json.loads(first.content)["results"]["bindings"]) == 20
    monkeypatch.setattr(client.app.state.sparql, "run_async", _refuse)  # type: ignore[attr-defined]
    again = client.get("/sparql", params={"query": TABLE_QUERY}, headers={"Accept": "application/sparql-results+json"})
    assert again.status_code == 200 and again.content == first.content
    for name in ("content-type", "etag", "vary", "x-gongkai-truncated", "x-gongkai-row-limit"):
        assert again.headers[name] == first.headers[name], name
    # the guards still add their headers to an answer from the cache
    assert again.headers["access-control-allow-origin"] == "*"
    assert again.headers["x-content-type-options"] == "nosniff"
    not_modified = client.get(
        "/sparql",
        params={"query": TABLE_QUERY},
        headers={"Accept": "application/sparql-results+json", "If-None-Match": first.headers["etag"]},
    )
    assert not_modified.status_code == 304 and not_modified.content == b""
    # another Accept is another answer: it is not served from the JSON one
    with pytest.raises(AssertionError, match="cached"):
        client.get("/sparql", params={"query": TABLE_QUERY}, headers={"Accept": "text/csv"})


def test_answers_that_change_per_evaluation_are_not_kept(client: TestClient) -> None:
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    answers = {client.get("/sparql", params={"query": query}).content for _ in range(2)}
    assert len(answers) == 2

    def deterministic(text: str) -> bool:
        return query_words(text, max_length=1000).deterministic

    assert not deterministic("SELECT (now() AS ?t) {}")
    assert not deterministic("SELECT (\\u0052AND() AS ?r) {}")  # an escaped RAND
    assert deterministic('SELECT ?s { ?s ?p "RAND" } # NOW')  # in a string and a comment: words, not calls


def test_errors_post_and_head_go_to_the_routes(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with make_client() as c:
        assert c.get("/sparql", params={"query": "SELECT * WHERE {"}).status_code == 400
        assert c.post("/sparql", data={"query": TABLE_QUERY}).status_code == 200
        assert c.head(f"/doc/{REPORT_001}.ttl").status_code == 200
        assert len(c.app.state.response_cache) == 0  # type: ignore[attr-defined]
        monkeypatch.setattr(c.app.state.sparql, "run_async", _refuse)  # type: ignore[attr-defined]
        with pytest.raises(AssertionError, match="cached"):
            c.post("/sparql", data={"query": TABLE_QUERY})


def test_documents_and_redirects_are_kept_per_request_line_and_language(make_client: MakeClient) -> None:
    with make_client() as c:
        cache = c.app.state.response_cache  # type: ignore[attr-defined]
        html_zh = c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html", "Accept-Language": "zh"})
        html_en = c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert html_zh.content != html_en.content
        assert 'lang="en"' in html_en.text and 'lang="zh' in html_zh.text
        assert c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html", "Accept-Language": "en"}).content == (
            html_en.content
        )
        assert c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html", "Accept-Language": "zh"}).content == (
            html_zh.content
        )
        hit = c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert "script-src" not in hit.headers["content-security-policy"]  # guards apply to hits
        redirect = c.get(f"/id/{REPORT_001}", follow_redirects=False)
        assert redirect.status_code == 303
        again = c.get(f"/id/{REPORT_001}", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == redirect.headers["location"]
        assert len(cache) == 3


def test_no_cache_when_turned_off(make_client: MakeClient) -> None:
    with make_client(response_cache_mb=0) as c:
        assert c.app.state.response_cache is None  # type: ignore[attr-defined]
        assert c.get("/sparql", params={"query": TABLE_QUERY}).status_code == 200


def test_a_new_release_is_never_answered_from_the_old_one(tmp_path: Path, seeds_nq: Path, settings: Settings) -> None:
    """Change one number of one report, load it, reload: the document and the query say the new one."""
    lines = [f"{line}\n" for line in seeds_nq.read_text(encoding="utf-8").split("\n") if line]
    measure = "<https://w3id.org/gongkai/def#count>"
    target = next(i for i, line in enumerate(lines) if line.split(" ")[1] == measure and REPORT_001 in line)
    subject = lines[target].split(" ", 1)[0]
    graph = lines[target].rsplit(" ", 2)[-2]
    old_value = lines[target].split(measure, 1)[1].rsplit(" ", 2)[0].strip()
    new_value = '"987654"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert old_value != new_value
    changed = [line for line in lines if line.rstrip().endswith(f"{graph} .")]
    changed[changed.index(lines[target])] = lines[target].replace(old_value, new_value)
    report_nq = tmp_path / "report.nq"
    report_nq.write_text("".join(changed), encoding="utf-8")

    store = tmp_path / "store"
    gongkai("load", seeds_nq, "--store", store)
    doc = "/doc/" + subject.strip("<>").split("/id/", 1)[1] + ".nt"
    query = f"SELECT ?v WHERE {{ {subject} {measure} ?v }}"
    with TestClient(create_app(replace(settings, store=store))) as c:
        before = c.get(doc)
        assert before.status_code == 200 and old_value in before.text
        assert json.loads(c.get("/sparql", params={"query": query}).content)["results"]["bindings"]
        assert c.get(doc).content == before.content  # from the cache
        gongkai("load", report_nq, "--store", store)
        assert c.get(doc).content == before.content  # still the old release until the reload
        assert reload_release(c.app)  # type: ignore[arg-type]
        after = c.get(doc)
        assert after.status_code == 200 and new_value in after.text and old_value not in after.text
        assert after.headers["etag"] != before.headers["etag"]
        rows = json.loads(c.get("/sparql", params={"query": query}).content)["results"]["bindings"]
        assert [r["v"]["value"] for r in rows] == ["987654"]
        assert c.get(doc, headers={"If-None-Match": before.headers["etag"]}).status_code == 200


def test_row_limit_check_without_parsing() -> None:
    row = b'{"x":{"type":"literal","value":"a},{b"}}'
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[' + b",".join([row] * 3) + b"]}}"
    assert _within_rows(body, 3)  # the bound (6) is over 3, so it parses: exactly 3 rows
    assert not _within_rows(body, 2)
    assert _within_rows(body, 6)  # the bound alone decides
    assert _within_rows(b'{"head":{"vars":["x"]},"results":{"bindings":[]}}', 0)
    assert not _within_rows(b'{"head":{"vars":[]},"results":{"bindings":[{},{}]}}', 1)


def test_sized_lru_evicts_the_least_recently_used() -> None:
    lru = SizedLRU[str, bytes](64, len)
    assert lru.put("a", b"x" * 4) and lru.put("b", b"y" * 4)
    assert not lru.put("big", b"z" * 5)  # over 1/16 of the bound
    assert lru.get("a") == b"x" * 4
    for i in range(20):
        lru.put(f"k{i}", b"w" * 4)
    assert lru.size <= 64 and lru.get("b") is None and lru.get("k19") == b"w" * 4
