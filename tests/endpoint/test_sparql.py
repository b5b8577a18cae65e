"""``/sparql`` through the app (TestClient over the converted seeds): protocol, formats,
negotiation, the guards (update, SERVICE, limits), the row cap and the time limit."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import DefaultGraph, QuerySolutions, RdfFormat, Store, parse
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from endpoint.errors import BadQuery, Forbidden, PayloadTooLarge
from endpoint.sparql.guard import WORDS_CACHED_UP_TO, QueryWords, _service_in_algebra, check_query, query_words
from tests.conftest import connections_seen

MakeClient = Callable[..., contextlib.AbstractContextManager[TestClient]]
GK = "https://w3id.org/gongkai/def#"
REPORTS = f"""PREFIX gk: <{GK}>
SELECT ?report ?year WHERE {{ ?report a gk:AnnualReport ; gk:year ?year }} ORDER BY ?report"""
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CONSTRUCT_REPORTS = f"""PREFIX gk: <{GK}>
CONSTRUCT {{ ?r a gk:AnnualReport ; gk:year ?y }} WHERE {{ ?r a gk:AnnualReport ; gk:year ?y }}"""
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def store(store_dir: Path) -> Store:
    """A second read-only handle on the served store, to compute expectations."""
    return Store.read_only(str(store_dir.resolve()))


def count_all(store: Store) -> int:
    results = store.query(COUNT_ALL)
    assert isinstance(results, QuerySolutions)
    return int(next(iter(results))["n"].value)


def report_graphs(store: Store) -> list[str]:
    results = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{GK}AnnualReport> }} }} ORDER BY ?g")
    assert isinstance(results, QuerySolutions)
    return [row["g"].value for row in results]


def json_rows(body: bytes) -> list[dict[str, dict[str, str]]]:
    rows: list[dict[str, dict[str, str]]] = json.loads(body)["results"]["bindings"]
    return rows


# ---------------------------------------------------------------------------------------------
# Query via GET, POST form, POST direct


def test_get_count(client: TestClient, store: Store) -> None:
    r = client.get("/sparql", params={"query": COUNT_ALL})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.headers["x-gongkai-truncated"] == "false"
    assert int(json_rows(r.content)[0]["n"]["value"]) == count_all(store) > 0


def test_post_form_and_direct_agree(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": REPORTS})
    form = client.post("/sparql", data={"query": REPORTS})
    direct = client.post("/sparql", content=REPORTS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert get.status_code == form.status_code == direct.status_code == 200
    assert json_rows(get.content) == json_rows(form.content) == json_rows(direct.content)
    assert len(json_rows(get.content)) == 5  # the five seed reports


def test_default_graph_is_union_of_report_graphs(client: TestClient, store: Store) -> None:
    """Without a protocol dataset, plain triple patterns see every named graph."""
    r = client.get("/sparql", params={"query": REPORTS})
    reports = {row["report"]["value"] for row in json_rows(r.content)}
    assert reports == set(report_graphs(store))


# ---------------------------------------------------------------------------------------------
# Result formats and negotiation

SELECT_FORMATS = [
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    ("application/json", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv; charset=utf-8"),
    ("text/tab-separated-values", None, "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", None, "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", None, "application/sparql-results+json"),
    (None, None, "application/sparql-results+json"),
    ("application/sparql-results+json", "csv", "text/csv; charset=utf-8"),  # format= wins
    (None, "tsv", "text/tab-separated-values; charset=utf-8"),
    (None, "xml", "application/sparql-results+xml"),
    (None, "text/csv", "text/csv; charset=utf-8"),
]


@pytest.mark.parametrize(("accept", "fmt", "content_type"), SELECT_FORMATS)
def test_select_formats(client: TestClient, accept: str | None, fmt: str | None, content_type: str) -> None:
    params = {"query": REPORTS, **({"format": fmt} if fmt else {})}
    r = client.get("/sparql", params=params, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == content_type
    assert "accept" in r.headers["vary"].lower()
    assert _count_rows(r.headers["content-type"], r.content) == 5


def _count_rows(content_type: str, body: bytes) -> int:
    media = content_type.split(";")[0]
    if media == "application/sparql-results+json":
        return len(json_rows(body))
    if media == "application/sparql-results+xml":
        return len(ET.fromstring(body).findall(f"{SRX}results/{SRX}result"))
    delimiter = "," if media == "text/csv" else "\t"
    return len(list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))) - 1


def test_csv_and_tsv_terms(client: TestClient) -> None:
    q = f"PREFIX gk: <{GK}> SELECT ?r ?y WHERE {{ ?r a gk:AnnualReport ; gk:year ?y }} ORDER BY ?r LIMIT 1"
    csv_body = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"}).text
    tsv_body = client.get("/sparql", params={"query": q}, headers={"Accept": "text/tab-separated-values"}).text
    assert csv_body.splitlines()[0] == "r,y"
    assert csv_body.splitlines()[1].startswith("http://localhost:8000/id/report/")
    assert tsv_body.splitlines()[0] == "?r\t?y"
    assert tsv_body.splitlines()[1].endswith("^^<http://www.w3.org/2001/XMLSchema#gYear>")


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_ask(client: TestClient, accept: str, media: str) -> None:
    yes = client.get("/sparql", params={"query": f"ASK {{ ?r a <{GK}AnnualReport> }}"}, headers={"Accept": accept})
    no = client.get("/sparql", params={"query": "ASK { <urn:x:nothing> ?p ?o }"}, headers={"Accept": accept})
    assert yes.headers["content-type"] == no.headers["content-type"] == media
    if media.endswith("json"):
        assert json.loads(yes.content)["boolean"] is True
        assert json.loads(no.content)["boolean"] is False
    else:
        assert ET.fromstring(yes.content).findtext(f"{SRX}boolean") == "true"
        assert ET.fromstring(no.content).findtext(f"{SRX}boolean") == "false"


GRAPH_FORMATS = [
    ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("text/html,*/*;q=0.8", "text/turtle; charset=utf-8", "turtle"),
]


@pytest.mark.parametrize(("accept", "content_type", "rdflib_format"), GRAPH_FORMATS)
def test_construct_formats(client: TestClient, accept: str, content_type: str, rdflib_format: str) -> None:
    reference = client.get("/sparql", params={"query": CONSTRUCT_REPORTS}, headers={"Accept": "application/n-triples"})
    expected = Graph().parse(data=reference.content, format="nt")
    assert len(expected) == 10  # five reports, two triples each
    r = client.post("/sparql", data={"query": CONSTRUCT_REPORTS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == content_type
    if rdflib_format == "nquads":  # every quad in the default graph; compare as N-Triples
        quads = list(parse(r.content, RdfFormat.N_QUADS))
        assert all(isinstance(q.graph_name, DefaultGraph) for q in quads)
        graph = Graph().parse(data="".join(f"{q.triple} .\n" for q in quads), format="nt")
    else:
        graph = Graph().parse(data=r.content, format=rdflib_format)
    assert isomorphic(graph, expected)


def test_describe(client: TestClient, store: Store) -> None:
    report = report_graphs(store)[0]
    r = client.get("/sparql", params={"query": f"DESCRIBE <{report}>"}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.content, format="turtle")
    assert (URIRef(report), None, None) in graph


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        (REPORTS, "image/png", None),
        (REPORTS, "text/turtle", None),  # an RDF type for SELECT results
        (CONSTRUCT_REPORTS, "application/sparql-results+json", None),
        (REPORTS, None, "bogus"),
    ],
)
def test_not_acceptable(client: TestClient, query: str, accept: str | None, fmt: str | None) -> None:
    params = {"query": query, **({"format": fmt} if fmt else {})}
    r = client.get("/sparql", params=params, headers={"Accept": accept} if accept else {})
    assert r.status_code == 406
    assert r.headers["content-type"] == "text/plain; charset=utf-8"


# ---------------------------------------------------------------------------------------------
# Protocol dataset


def test_default_graph_uri(client: TestClient, store: Store) -> None:
    graph = report_graphs(store)[0]
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": q, "default-graph-uri": graph})
    results = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(results, QuerySolutions)
    assert int(json_rows(r.content)[0]["n"]["value"]) == int(next(iter(results))["n"].value) > 0


def test_named_graph_uri(client: TestClient, store: Store) -> None:
    first, second, *_ = report_graphs(store)
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.post("/sparql", data={"query": q, "named-graph-uri": [first, second]})
    assert {row["g"]["value"] for row in json_rows(r.content)} == {first, second}
    # with only named graphs, the default graph is empty
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": first})
    assert json.loads(r.content)["boolean"] is False


def test_from_in_query(client: TestClient, store: Store) -> None:
    graph = report_graphs(store)[0]
    q = f"SELECT DISTINCT ?r FROM <{graph}> WHERE {{ ?r a <{GK}AnnualReport> }}"
    r = client.get("/sparql", params={"query": q})
    assert [row["r"]["value"] for row in json_rows(r.content)] == [graph]


def test_bad_graph_iri(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri>"})
    assert r.status_code == 400


# ---------------------------------------------------------------------------------------------
# Refusals


def test_malformed_query(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert "malformed query" in r.text and "error at 1:" in r.text  # the parser's own message


@pytest.mark.parametrize(
    "make_request",
    [
        pytest.param(lambda c: c.get("/sparql", params={"update": "CLEAR ALL"}), id="GET update="),
        pytest.param(lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}), id="POST form update="),
        pytest.param(
            lambda c: c.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}),
            id="POST direct update",
        ),
        pytest.param(
            lambda c: c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
            id="INSERT as query",
        ),
        pytest.param(
            lambda c: c.post("/sparql", data={"query": "PREFIX x: <urn:x:> DELETE WHERE { ?s ?p ?o }"}),
            id="DELETE as query",
        ),
        pytest.param(lambda c: c.post("/sparql", data={"query": "DROP ALL"}), id="DROP as query"),
    ],
)
def test_updates_are_refused(client: TestClient, store: Store, make_request: Callable[[TestClient], object]) -> None:
    before = count_all(store)
    r = make_request(client)
    assert getattr(r, "status_code") == 403  # noqa: B009 - r is an httpx.Response
    assert "read-only" in getattr(r, "text")  # noqa: B009
    assert count_all(store) == before


SERVICE_QUERIES = {
    "top level": "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "lower case": "select * where { service <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "in OPTIONAL": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:{port}/> { ?s ?q ?r } } } LIMIT 1",
    "in subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
    "in FILTER EXISTS": "ASK { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "variable endpoint": "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "codepoint escape": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "after comment": "SELECT * WHERE { # a comment }\n SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", sorted(SERVICE_QUERIES))
def test_service_is_refused_and_nothing_connects(client: TestClient, loopback_listener: object, name: str) -> None:
    port = loopback_listener.getsockname()[1]  # type: ignore[attr-defined]
    query = SERVICE_QUERIES[name].replace("{port}", str(port))
    for r in (client.get("/sparql", params={"query": query}), client.post("/sparql", data={"query": query})):
        assert r.status_code == 400, r.text
        assert "SERVICE" in r.text
    assert connections_seen(loopback_listener) == 0  # type: ignore[arg-type]


def test_loopback_listener_would_see_a_service_call(loopback_listener: object) -> None:
    """Control: pyoxigraph itself does connect for SERVICE, so the test above can see a leak."""
    from pyoxigraph import Store as MemoryStore

    listener = loopback_listener
    port = listener.getsockname()[1]  # type: ignore[attr-defined]
    done = threading.Event()

    def run() -> None:
        with contextlib.suppress(Exception):
            list(MemoryStore().query(f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"))
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    listener.setblocking(True)  # type: ignore[attr-defined]
    listener.settimeout(30)  # type: ignore[attr-defined]
    conn, _ = listener.accept()  # type: ignore[attr-defined]
    conn.close()  # the SERVICE call fails; SILENT makes the query finish
    assert done.wait(30)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/>" } LIMIT 1',
        "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
        "PREFIX SERVICE: <urn:x:> SELECT * WHERE { ?s SERVICE:p ?o } LIMIT 1",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/>\nLIMIT 1",
        "SELECT * WHERE { <urn:SERVICE> ?p ?o }",
    ],
)
def test_no_false_positive_service(client: TestClient, query: str) -> None:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text


def test_check_query_unit() -> None:
    assert check_query("SELECT * {}", max_length=100) == "select"
    assert check_query("PREFIX a: <urn:a> BASE <urn:b> ask {}", max_length=100) == "ask"
    assert check_query("CONSTRUCT WHERE {}", max_length=100) == "construct"
    assert check_query("garbage", max_length=100) is None
    with pytest.raises(PayloadTooLarge):
        check_query("SELECT * {}", max_length=5)
    with pytest.raises(Forbidden):
        check_query("PREFIX x: <urn:x> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", max_length=200)
    with pytest.raises(BadQuery):
        check_query("SELECT * { SeRvIcE <urn:x> {} }", max_length=100)


@pytest.mark.parametrize("padding", [0, WORDS_CACHED_UP_TO])  # read once and remembered, and read each time
def test_query_words_read_form_dataset_and_calls_in_one_pass(padding: int) -> None:
    pad = "#" + "x" * padding + "\n"

    def words(text: str) -> QueryWords:
        return query_words(pad + text, max_length=100_000)

    assert words("SELECT * {}") == QueryWords("select", deterministic=True, has_from=False)
    assert words("SELECT * FROM <urn:g> {}").has_from
    assert words("SELECT * FROM NAMED <urn:g> { GRAPH ?g {} }").has_from
    assert words("SELECT * \\u0046ROM <urn:g> {}").has_from  # an escaped FROM is a FROM
    assert not words('SELECT * { ?s ?p "FROM" } # FROM').has_from  # a string and a comment are not
    assert not words("SELECT (RAND() AS ?r) {}").deterministic
    assert words('SELECT ?s { ?s ?p "NOW" }').deterministic
    for _ in range(2):  # refusals are never remembered as answers
        with pytest.raises(BadQuery):
            words("SELECT * { SERVICE <urn:x> {} }")
        with pytest.raises(Forbidden):
            words("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_rdflib_layer_finds_service_the_lexer_is_not_asked_about() -> None:
    assert _service_in_algebra("SELECT * WHERE { OPTIONAL { SERVICE <http://x/> { ?s ?p ?o } } }", None) is True
    assert _service_in_algebra("SELECT * WHERE { ?s ?p ?o }", None) is False
    assert _service_in_algebra("this is not sparql, nor a service", None) is None
    # without the letters "service" anywhere (escapes undone), rdflib is not asked at all
    assert _service_in_algebra("this is not sparql", None) is False
    assert _service_in_algebra("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", None) is True


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b"ASK {}", 415),
        (None, b"ASK {}", 415),
        (None, b"query=ASK%20%7B%7D", 415),
        ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"), 415),
        ("application/sparql-query", b"ASK {\xff}", 400),
        ("application/x-www-form-urlencoded", b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", 400),
        ("application/x-www-form-urlencoded", b"default-graph-uri=urn%3Ax", 400),
        ("application/x-www-form-urlencoded", b"query=", 400),
    ],
)
def test_bad_posts(client: TestClient, content_type: str | None, body: bytes, status: int) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = client.post("/sparql", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "text/plain; charset=utf-8"


def test_bad_gets_and_methods(client: TestClient) -> None:
    assert client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert client.put("/sparql", params={"query": "ASK {}"}).status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_limits_on_size(make_client: MakeClient) -> None:
    with make_client(max_query_length=50, max_body_bytes=200) as c:
        assert c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1 " + "#" * 60}).status_code == 413
        r = c.post("/sparql", content=b"ASK {}" + b" " * 300, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413


# ---------------------------------------------------------------------------------------------
# Row cap and time limit


@pytest.fixture(scope="module")
def capped(make_client: MakeClient) -> Iterator[TestClient]:
    with make_client(max_result_rows=3) as c:
        yield c


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_row_cap_is_announced(capped: TestClient, accept: str) -> None:
    r = capped.get("/sparql", params={"query": REPORTS}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["x-gongkai-truncated"] == "true"
    assert r.headers["x-gongkai-row-limit"] == "3"
    assert _count_rows(r.headers["content-type"], r.content) == 3


def test_row_cap_not_reached(capped: TestClient) -> None:
    r = capped.get("/sparql", params={"query": REPORTS + " LIMIT 3"})
    assert r.headers["x-gongkai-truncated"] == "false"
    assert len(json_rows(r.content)) == 3


def test_row_cap_on_construct(capped: TestClient) -> None:
    r = capped.get("/sparql", params={"query": CONSTRUCT_REPORTS}, headers={"Accept": "application/n-triples"})
    assert r.headers["x-gongkai-truncated"] == "true"
    assert len(Graph().parse(data=r.content, format="nt")) == 3


CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_time_limit(make_client: MakeClient) -> None:
    """A query that cannot finish is stopped at the limit; the endpoint keeps working after."""
    with make_client(query_timeout_s=1.0) as c:
        r = c.get("/sparql", params={"query": CROSS_JOIN})
        assert r.status_code == 503
        assert "time limit" in r.text and "1 s" in r.text
        again = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert again.status_code == 200
        assert json.loads(again.content)["boolean"] is True


def test_a_dead_worker_is_replaced(make_client: MakeClient) -> None:
    with make_client() as c:
        pool = c.app.state.sparql.pool  # type: ignore[attr-defined]
        for worker in list(pool._idle.queue):
            worker.process.kill()
            worker.process.wait()
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200
        assert json.loads(r.content)["boolean"] is True


def test_query_workers_setting(make_client: MakeClient) -> None:
    """``query_workers`` sets the pool size; 0 (the default) means two per core, 2 to 32."""
    import os

    from endpoint.settings import Settings, query_workers

    assert query_workers(Settings()) == min(32, max(2, 2 * (os.cpu_count() or 1)))
    assert query_workers(Settings(query_workers=3)) == 3
    with make_client(query_workers=3) as c:
        pool = c.app.state.sparql.pool  # type: ignore[attr-defined]
        assert pool.size == 3 and pool._idle.qsize() == 3
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_inline_mode_without_time_limit(make_client: MakeClient) -> None:
    with make_client(query_timeout_s=0) as c:
        r = c.get("/sparql", params={"query": REPORTS}, headers={"Accept": "text/csv"})
        assert r.status_code == 200
        assert _count_rows(r.headers["content-type"], r.content) == 5
        assert c.get("/sparql", params={"query": "ASK {"}).status_code == 400


# ---------------------------------------------------------------------------------------------
# Service description and error rendering

SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("*/*", "text/turtle; charset=utf-8", "turtle"),
        ("text/*", "text/turtle; charset=utf-8", "turtle"),
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("text/html;q=0.5, text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/rdf+xml, text/html", "application/rdf+xml", "xml"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_service_description(client: TestClient, accept: str | None, content_type: str, rdflib_format: str) -> None:
    r = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    g = Graph().parse(data=r.content, format=rdflib_format)
    service = next(g.subjects(URIRef(f"{SD}endpoint"), URIRef("http://localhost:8000/sparql")))
    assert (service, URIRef(f"{SD}supportedLanguage"), URIRef(f"{SD}SPARQL11Query")) in g
    assert (service, URIRef(f"{SD}feature"), URIRef(f"{SD}UnionDefaultGraph")) in g
    formats = set(g.objects(service, URIRef(f"{SD}resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert len(formats) == 9
    dataset = g.value(service, URIRef(f"{SD}defaultDataset"))
    assert g.value(dataset, URIRef(f"{SD}defaultGraph")) is not None


# What browsers send on a page load (Firefox, Chrome).
BROWSER_ACCEPTS = [
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",
    "text/html",
    "application/xhtml+xml",
]


@pytest.mark.parametrize("accept", BROWSER_ACCEPTS)
def test_a_browser_opening_sparql_is_sent_to_the_query_editor(client: TestClient, accept: str) -> None:
    r = client.get("/sparql", headers={"Accept": accept}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/query"
    assert "accept" in r.headers["vary"].lower()
    head = client.head("/sparql", headers={"Accept": accept}, follow_redirects=False)
    assert (head.status_code, head.headers["location"]) == (303, "/query")
    editor = client.get("/sparql", headers={"Accept": accept})
    assert editor.status_code == 200 and editor.url.path == "/query"
    assert editor.headers["content-type"] == "text/html; charset=utf-8"
    assert 'id="yasgui"' in editor.text


def test_a_browser_sending_a_query_gets_results_not_the_editor(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER_ACCEPTS[0]})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+")


def test_head_on_sparql_is_the_service_description_without_a_body(client: TestClient) -> None:
    get = client.get("/sparql", headers={"Accept": "text/turtle"})
    head = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"] == "text/turtle; charset=utf-8"
    assert head.content == b""


def test_sparql_not_acceptable_names_the_formats_and_the_editor(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text and "/query" in r.text


@pytest.mark.parametrize("path", ["/sparql", "/query"])
def test_options_on_sparql_and_the_query_editor(client: TestClient, path: str) -> None:
    preflight = client.options(path, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert {"GET", "HEAD", "POST"} <= {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    plain = client.options(path)  # not a preflight: the methods the path takes
    assert plain.status_code == 405
    allowed = {m.strip() for m in plain.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed
    assert ("POST" in allowed) == (path == "/sparql")


def test_head_on_the_query_editor(client: TestClient) -> None:
    head = client.head("/query")
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/html; charset=utf-8"
    assert head.content == b""


def test_error_rendering_follows_the_client(client: TestClient) -> None:
    api = client.get("/dumps/nothing-here.nq.gz", headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.json()["error"] == "not-found"
    browser = client.get("/dumps/nothing-here.nq.gz", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>404 Not Found</h1>" in browser.text
    sparql = client.get("/sparql", params={"query": "ASK {"}, headers={"Accept": "application/sparql-results+json"})
    assert sparql.headers["content-type"] == "text/plain; charset=utf-8"
    markup = client.get("/dumps/<script>x</script>.gz", headers={"Accept": "text/html"})
    assert "<script>x" not in markup.text  # autoescaped
