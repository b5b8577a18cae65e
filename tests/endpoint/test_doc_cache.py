"""``/doc/…`` RDF documents are serialized once per served release and carry an ``ETag``;
``If-None-Match`` gives 304 (endpoint/routes/resources.py, ``app.state.doc_cache``, one per release)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.endpoint.test_resources import REPORT_001
from tests.endpoint.test_sparql import MakeClient


def test_rdf_document_has_etag_and_answers_304(client: TestClient) -> None:
    first = client.get(f"/doc/{REPORT_001}.ttl")
    assert first.status_code == 200
    etag = first.headers["etag"]
    again = client.get(f"/doc/{REPORT_001}.ttl")
    assert again.content == first.content and again.headers["etag"] == etag
    cached = client.get(f"/doc/{REPORT_001}.ttl", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    other = client.get(f"/doc/{REPORT_001}.nt", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_negotiated_document_is_the_same_bytes(client: TestClient) -> None:
    by_suffix = client.get(f"/doc/{REPORT_001}.ttl")
    negotiated = client.get(f"/doc/{REPORT_001}", headers={"Accept": "text/turtle"})
    assert negotiated.content == by_suffix.content
    assert negotiated.headers["content-location"].endswith(".ttl")


def test_head_of_a_cached_document(client: TestClient) -> None:
    body = client.get(f"/doc/{REPORT_001}.ttl").content
    head = client.head(f"/doc/{REPORT_001}.ttl")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(body))


def test_kept_document_is_answered_like_a_built_one(make_client: MakeClient) -> None:
    """The second request is answered from the kept serialization (on the event loop, without the
    store); it must carry the same body and headers as the first, built one."""
    with make_client(response_cache_mb=0) as c:
        built = c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/turtle"})
        kept = c.get(f"/doc/{REPORT_001}", headers={"Accept": "text/turtle"})
        assert c.app.state.doc_cache.get((REPORT_001, "ttl")) == built.content  # type: ignore[attr-defined]
    assert built.status_code == kept.status_code == 200
    assert kept.content == built.content
    for name in ("content-type", "etag", "vary", "link", "content-location"):
        assert kept.headers[name] == built.headers[name], name
