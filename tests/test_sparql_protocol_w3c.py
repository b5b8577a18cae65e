"""The W3C SPARQL 1.1 Protocol test suite, replayed against the app.

The manifest (``tests/conformance/sparql11-protocol/manifest.ttl``, an unchanged copy; see the
README there) is read with rdflib; every ``ht:Request`` of every entry is sent with its method,
headers and body to ``create_app`` (paths ``/sparql/…`` become ``/sparql…``), and the response
is checked against ``mf:expectedStatus``, ``mf:expectedFormat`` and ``mf:expectedBoolean``.

Tests that use ``ut:graphData`` run over a small store holding ``data1.nt``–``data3.nt`` as
named graphs named by the entry's ``rdfs:label``s (``http://kasei.us/2009/09/sparql/data/…``).

Gongkai's endpoint is read-only (DESIGN.md: "SPARQL 1.1 Protocol (query only)"), so the update
tests cannot pass as written. :data:`READ_ONLY_ADAPTED` lists them explicitly: their update
request must be refused with a 4xx, and the follow-up ASK queries that look for the update's
effect must succeed with the opposite answer (``false``: nothing was written). Every other entry
runs exactly as the manifest says.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).resolve().parent / "conformance" / "sparql11-protocol"
MANIFEST = HERE / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

# Entries that assume a writable service. Their first request (the update) must be refused with
# 4xx; the requests after it look for the update's effect and must now answer false.
READ_ONLY_ADAPTED: dict[str, str] = dict.fromkeys(
    (
        "update_dataset_default_graph",
        "update_dataset_default_graphs",
        "update_dataset_named_graphs",
        "update_dataset_full",
        "update_post_form",
        "update_post_direct",
        "update_base_uri",
    ),
    "read-only endpoint: SPARQL Update is refused (403), so the follow-up ASK answers false",
)

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html", "application/xhtml+xml"}
STATUS_CLASS = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4, HTS.StatusCode5xx: 5}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[int]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class Entry:
    name: str
    label: str
    graph_data: tuple[tuple[Path, str], ...]  # (file, graph name)
    requests: tuple[Request, ...]


def _read_manifest() -> list[Entry]:
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = next(iter(g.subjects(RDF.type, MF.Manifest)))
    entries = []
    for node in Collection(g, g.value(manifest, MF.entries)):
        assert isinstance(node, URIRef)
        graph_data = tuple(
            (HERE / str(g.value(d, UT.graph)).rsplit("/", 1)[-1], str(g.value(d, RDFS.label)))
            for d in g.objects(node, UT.graphData)
        )
        action = g.value(node, MF.action)
        requests = tuple(_read_request(g, r) for r in Collection(g, g.value(action, HT.requests)))
        entries.append(Entry(str(node).rsplit("#", 1)[-1], str(g.value(node, MF.name)), graph_data, requests))
    return entries


def _read_request(g: Graph, node: object) -> Request:
    headers = {}
    header_list = g.value(node, HT.headers)
    if header_list is not None:
        for h in Collection(g, header_list):
            headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
    body = None
    body_node = g.value(node, HT.body)
    if body_node is not None:
        encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(body_node, CNT.chars)).encode(encoding)
    resp = g.value(node, HT.resp)
    boolean = g.value(resp, MF.expectedBoolean)
    fmt = g.value(resp, MF.expectedFormat)
    return Request(
        method=str(g.value(node, HT.methodName)),
        path=str(g.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        expected_status=frozenset(STATUS_CLASS[s] for s in g.objects(resp, MF.expectedStatus)),
        expected_format=str(fmt) if fmt is not None else None,
        expected_boolean=bool(boolean.toPython()) if boolean is not None else None,
    )


ENTRIES = _read_manifest()


def test_manifest_is_read_whole() -> None:
    """34 entries, and the adapted list names only entries that exist (no stale exemptions)."""
    names = [e.name for e in ENTRIES]
    assert len(names) == 34
    assert set(READ_ONLY_ADAPTED) <= set(names)
    assert all(e.requests for e in ENTRIES)


@pytest.fixture(scope="module")
def protocol_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app over a store with data1–data3 as named graphs (the union of all graph data)."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    from endpoint.app import create_app
    from endpoint.settings import Settings

    folder = tmp_path_factory.mktemp("w3c")
    graphs = {pair for entry in ENTRIES for pair in entry.graph_data}
    store = Store(str(folder / "store"))
    for path, name in sorted(graphs):
        store.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(name))
    store.flush()
    del store
    settings = Settings(store=folder / "store", dumps_dir=folder / "dumps", base_url="http://www.example")
    with TestClient(create_app(settings), base_url="http://www.example") as client:
        yield client


def _check_response(req: Request, status: int, content_type: str, body: bytes) -> None:
    assert status // 100 in req.expected_status, f"status {status}: {body[:300]!r}"
    media = content_type.split(";")[0].strip().lower()
    if req.expected_format == "boolean":
        assert media in BOOLEAN_TYPES, media
    elif req.expected_format == "tabular":
        assert media in TABULAR_TYPES, media
    elif req.expected_format == "RDF":
        assert media in RDF_TYPES, media
    if req.expected_boolean is not None:
        assert _boolean(media, body) is req.expected_boolean


def _boolean(media: str, body: bytes) -> bool:
    if media == "application/sparql-results+json":
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    root = ET.fromstring(body)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None and node.text is not None
    return node.text.strip() == "true"


def _send(client: TestClient, req: Request) -> tuple[int, str, bytes]:
    path = req.path.replace("/sparql/", "/sparql", 1)
    response = client.request(req.method, path, headers=req.headers, content=req.body, follow_redirects=True)
    return response.status_code, response.headers.get("content-type", ""), response.content


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_w3c_protocol(protocol_client: TestClient, entry: Entry) -> None:
    if entry.name in READ_ONLY_ADAPTED:
        update = entry.requests[0]
        status, _, body = _send(protocol_client, update)
        assert status // 100 == 4, f"{READ_ONLY_ADAPTED[entry.name]}; got {status}: {body[:200]!r}"
        for check in entry.requests[1:]:
            assert check.expected_boolean is True  # the manifest looks for the update's effect
            _check_response(replace(check, expected_boolean=False), *_send(protocol_client, check))
        return
    for req in entry.requests:
        _check_response(req, *_send(protocol_client, req))
