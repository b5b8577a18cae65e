"""The SPARQL endpoint over real HTTP: ``gongkai serve`` (uvicorn, on-disk store) + SPARQLWrapper."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
from collections.abc import Iterator
from xml.dom.minidom import Document

import httpx
import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.conftest import connections_seen

pytestmark = pytest.mark.slow

GK = "https://w3id.org/gongkai/def#"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
REPORTS = f"SELECT ?report ?year WHERE {{ ?report a <{GK}AnnualReport> ; <{GK}year> ?year }} ORDER BY ?report"
CONSTRUCT = (
    f"CONSTRUCT {{ ?r a <{GK}AnnualReport> ; <{GK}year> ?y }} WHERE {{ ?r a <{GK}AnnualReport> ; <{GK}year> ?y }}"
)


def wrapper(
    live_server: str, query: str, fmt: str, method: str | None = None, request_method: str | None = None
) -> SPARQLWrapper:
    sw = SPARQLWrapper(f"{live_server}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setTimeout(60)
    if method:
        sw.setMethod(method)
    if request_method:
        sw.setRequestMethod(request_method)
    return sw


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


def test_count_over_all_graphs(live_server: str) -> None:
    result = wrapper(live_server, COUNT_ALL, JSON).queryAndConvert()
    assert isinstance(result, dict)
    assert int(result["results"]["bindings"][0]["n"]["value"]) > 0


@pytest.mark.parametrize(
    ("method", "request_method"),
    [(None, None), (POST, URLENCODED), (POST, POSTDIRECTLY)],
    ids=["GET", "POST form", "POST direct"],
)
def test_select_json_by_every_method(live_server: str, method: str | None, request_method: str | None) -> None:
    result = wrapper(live_server, REPORTS, JSON, method, request_method).queryAndConvert()
    assert isinstance(result, dict)
    assert len(result["results"]["bindings"]) == 5


def test_select_xml(live_server: str) -> None:
    doc = wrapper(live_server, REPORTS, XML).queryAndConvert()
    assert isinstance(doc, Document)
    assert len(doc.getElementsByTagName("result")) == 5


@pytest.mark.parametrize(
    ("fmt", "delimiter", "content_type"), [(CSV, ",", "text/csv"), (TSV, "\t", "text/tab-separated-values")]
)
def test_select_csv_tsv(live_server: str, fmt: str, delimiter: str, content_type: str) -> None:
    response = wrapper(live_server, REPORTS, fmt).query()
    assert response.info()["content-type"].startswith(content_type)
    body = response.convert()
    assert isinstance(body, bytes)
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
    assert len(rows) == 6  # header + five reports


def test_ask(live_server: str) -> None:
    yes = wrapper(live_server, f"ASK {{ ?r a <{GK}AnnualReport> }}", JSON).queryAndConvert()
    no = wrapper(live_server, "ASK { <urn:x:none> ?p ?o }", XML).queryAndConvert()
    assert isinstance(yes, dict) and yes["boolean"] is True
    assert isinstance(no, Document)
    assert no.getElementsByTagName("boolean")[0].firstChild.data == "false"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_construct_with_sparqlwrapper(live_server: str, fmt: str) -> None:
    result = wrapper(live_server, CONSTRUCT, fmt).queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 10


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_formats_over_http(http: httpx.Client, accept: str, rdflib_format: str) -> None:
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    assert len(Graph().parse(data=r.content, format=rdflib_format)) == 10


def test_malformed_query_is_400(live_server: str, http: httpx.Client) -> None:
    with pytest.raises(QueryBadFormed):
        wrapper(live_server, "SELECT * WHERE { ?s ?p", JSON).query()
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert "error at" in r.text


def test_update_is_refused(live_server: str, http: httpx.Client) -> None:
    before = wrapper(live_server, COUNT_ALL, JSON).queryAndConvert()
    with pytest.raises(urllib.error.HTTPError) as err:
        wrapper(live_server, "CLEAR ALL", JSON, POST).query()
    assert 400 <= err.value.code < 500
    direct = http.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert 400 <= direct.status_code < 500
    assert wrapper(live_server, COUNT_ALL, JSON).queryAndConvert() == before


def test_service_is_refused_without_any_outbound_connection(
    live_server: str, http: httpx.Client, loopback_listener: object
) -> None:
    port = loopback_listener.getsockname()[1]  # type: ignore[attr-defined]
    queries = [
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?q ?x }} }} }}",
    ]
    for query in queries:
        with pytest.raises(QueryBadFormed):
            wrapper(live_server, query, JSON).query()
        r = http.post("/sparql", data={"query": query})
        assert r.status_code == 400
    assert connections_seen(loopback_listener) == 0  # type: ignore[arg-type]


def test_service_description(http: httpx.Client) -> None:
    r = http.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = Graph().parse(data=r.content, format="turtle")
    assert len(g) > 10


def test_json_error_for_api_callers(http: httpx.Client) -> None:
    r = http.get("/dumps/no-such-file.nq.gz", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert json.loads(r.content)["error"] == "not-found"


def test_large_results_arrive_whole_while_others_are_answered(http: httpx.Client) -> None:
    """Replies of a few MB cross the worker socket in many pieces while the event loop serves
    other requests (the loop waits for the worker's socket; the rest of the reply must still be
    read whole). Distinct LIMITs, so that none comes from the response cache."""
    import concurrent.futures

    def big(limit: int) -> int:
        r = http.get(
            "/sparql",
            params={"query": f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {limit}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.status_code == 200, r.text[:300]
        assert len(r.content) > 1_000_000
        return len(json.loads(r.content)["results"]["bindings"])

    def small() -> int:
        r = http.get(
            "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}
        )
        assert r.status_code == 200
        return 1

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        bigs = [pool.submit(big, 6000 + i) for i in range(6)]
        smalls = [pool.submit(small) for _ in range(12)]
        assert [f.result() for f in bigs] == [6000 + i for i in range(6)]
        assert sum(f.result() for f in smalls) == 12
