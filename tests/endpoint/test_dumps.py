"""``gongkai dump``, ``/dumps/`` and the VoID/DCAT description (``/.well-known/void``, ``/``)."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store, parse
from rdflib import Dataset, Graph, Namespace, URIRef

from endpoint.app import create_app
from endpoint.dump import MANIFEST, dump, read_manifest
from endpoint.load import load
from endpoint.settings import Settings

SAMPLE = Path(__file__).resolve().parents[1] / "e2e" / "data" / "sample-reports.nq"
BASE = "http://localhost:8000"
SPDX = "http://spdx.org/rdf/terms#"
# plain Namespaces: rdflib's DefinedNamespace objects warn when pytest inspects module globals
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
VOID = Namespace("http://rdfs.org/ns/void#")
REPORT_2020 = f"{BASE}/id/report/shilishi-yangbenqu-renminzhengfu-9203/2020"
REPORT_2021 = f"{BASE}/id/report/shilishi-jiaoyuju-285c/2021"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dumps")
    store, out = folder / "store", folder / "dumps"
    load([SAMPLE], store)
    dump(store, out, base_url=BASE)
    return store, out


@pytest.fixture(scope="module")
def client(published: tuple[Path, Path]) -> Iterator[TestClient]:
    store, out = published
    with TestClient(create_app(Settings(store=store, dumps_dir=out))) as c:
        yield c


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def nquads_of(path: Path) -> set[str]:
    with gzip.open(path, "rb") as fh:
        return {str(q) for q in parse(fh, RdfFormat.N_QUADS)}


def triples_of_turtle(path: Path) -> set[str]:
    with gzip.open(path, "rb") as fh:
        return {str(q.triple) for q in parse(fh, RdfFormat.TURTLE)}


# ---------------------------------------------------------------------------------------------
# gongkai dump


def test_manifest_lists_every_file_with_size_and_checksum(published: tuple[Path, Path]) -> None:
    _, out = published
    manifest = read_manifest(out)
    assert manifest is not None
    names = [f["name"] for f in manifest["files"]]
    assert names == [
        "gongkai.nq.gz", "gongkai.ttl.gz",
        "gongkai-2020.nq.gz", "gongkai-2020.ttl.gz",
        "gongkai-2021.nq.gz", "gongkai-2021.ttl.gz",
        "observations.csv.gz", "observations.csv-metadata.json",  # the tidy table (test_observations_csv.py)
    ]  # fmt: skip
    for entry in manifest["files"]:
        path = out / entry["name"]
        assert path.stat().st_size == entry["bytes"]
        assert sha256(path) == entry["sha256"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, MANIFEST])  # no temp files left


def test_whole_dump_is_the_whole_store(published: tuple[Path, Path]) -> None:
    store, out = published
    everything = {str(q) for q in Store.read_only(str(store.resolve()))}
    assert nquads_of(out / "gongkai.nq.gz") == everything
    union = {str(q.triple) for q in Store.read_only(str(store.resolve()))}
    assert triples_of_turtle(out / "gongkai.ttl.gz") == union


def test_dumps_are_gzip_files_that_read_back_to_the_store(published: tuple[Path, Path], tmp_path: Path) -> None:
    """Every file passes ``gzip -t``; the whole N-Quads file (gzip members put one after the other)
    holds each quad of the store exactly once, for pyoxigraph and rdflib alike, and loading it
    gives the same store back."""
    store, out = published
    stored = Store.read_only(str(store.resolve()))
    for entry in read_manifest(out)["files"]:  # type: ignore[index]
        if entry["compression"] == "gzip":  # not the CSVW metadata (JSON)
            subprocess.run(["gzip", "-t", str(out / entry["name"])], check=True)
    with gzip.open(out / "gongkai.nq.gz", "rb") as fh:
        read = [str(q) for q in parse(fh, RdfFormat.N_QUADS)]
    assert len(read) == len(set(read)) == len(stored)
    with gzip.open(out / "gongkai.nq.gz", "rb") as fh:
        assert sum(1 for _ in Dataset().parse(fh, format="nquads").quads()) == len(stored)
    with gzip.open(out / "gongkai.ttl.gz", "rb") as fh:
        assert len(Graph().parse(fh, format="turtle")) == len({str(q.triple) for q in stored})
    again = tmp_path / "again"
    load([out / "gongkai.nq.gz"], again)
    assert {str(q) for q in Store.read_only(str(again.resolve()))} == {str(q) for q in stored}


class _Collect:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 97, 4096])
def test_a_graph_passed_on_in_blocks_gives_the_same_lines(
    published: tuple[Path, Path], piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A graph reaches the gzip members in blocks cut at line ends (so that a big graph, like the
    aggregates, is never held whole). Written ``piece`` bytes at a time with 50-byte blocks, so
    that lines and their " .\\n" ends are cut everywhere, the N-Quads and N-Triples that come out
    are those of the whole graph, a literal holding an (escaped) line break included."""
    from endpoint.dump import _Lines

    store, _ = published
    graph = NamedNode(REPORT_2020)
    triples = Store.read_only(str(store.resolve())).dump(format=RdfFormat.N_TRIPLES, from_graph=graph) or b""
    triples += b'<urn:x> <urn:note> "one\\ntwo .\\n three" .\n'
    monkeypatch.setattr(_Lines, "BLOCK", 50)
    nq, nt = _Collect(), _Collect()
    lines = _Lines({"N-Quads": nq, "Turtle": nt}, graph)  # type: ignore[dict-item]
    for i in range(0, len(triples), piece):
        lines.write(triples[i : i + piece])
    lines.close()
    assert nt.data == triples
    assert nq.data == triples.replace(b" .\n", f" <{REPORT_2020}> .\n".encode())
    assert nq.data.count(b"\n") == triples.count(b"\n")


def test_dumps_in_small_blocks_are_the_same_files(
    published: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import endpoint.dump as dumps

    store, out = published
    before = {f["name"]: f["sha256"] for f in read_manifest(out)["files"]}  # type: ignore[index]
    monkeypatch.setattr(dumps._Lines, "BLOCK", 97)
    assert {f.name: f.sha256 for f in dump(store, tmp_path / "blocks")} == before


def test_year_dumps_hold_that_years_reports_only(published: tuple[Path, Path]) -> None:
    store, out = published
    stored = Store.read_only(str(store.resolve()))
    for year, report in (("2020", REPORT_2020), ("2021", REPORT_2021)):
        in_graph = [q for q in stored if q.graph_name == NamedNode(report)]
        assert in_graph
        assert nquads_of(out / f"gongkai-{year}.nq.gz") == {str(q) for q in in_graph}
        assert triples_of_turtle(out / f"gongkai-{year}.ttl.gz") == {str(q.triple) for q in in_graph}


def test_dump_is_reproducible_and_drops_stale_files(published: tuple[Path, Path], tmp_path: Path) -> None:
    store, out = published
    before = {f["name"]: f["sha256"] for f in read_manifest(out)["files"]}  # type: ignore[index]
    again = tmp_path / "again"
    again.mkdir()
    (again / "gongkai-1999.nq.gz").write_bytes(b"stale")
    (again / MANIFEST).write_text(json.dumps({"files": [{"name": "gongkai-1999.nq.gz"}]}), encoding="utf-8")
    files = dump(store, again)
    assert {f.name: f.sha256 for f in files} == before  # same data, same bytes (no gzip time stamp)
    assert not (again / "gongkai-1999.nq.gz").exists()


def test_cli_dump_without_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from endpoint.cli import app as cli

    r = CliRunner().invoke(cli, ["dump", "--store", str(tmp_path / "none"), "-o", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert "no store here" in r.output


# ---------------------------------------------------------------------------------------------
# /dumps/


def test_listing_json_and_html(client: TestClient, published: tuple[Path, Path]) -> None:
    _, out = published
    api = client.get("/dumps/", headers={"Accept": "application/json"})
    assert api.status_code == 200
    files = api.json()["files"]
    assert [f["url"] for f in files] == [f"{BASE}/dumps/{f['name']}" for f in read_manifest(out)["files"]]  # type: ignore[index]
    page = client.get("/dumps/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert all(f["sha256"] in page.text for f in files)
    assert client.get("/dumps", follow_redirects=True).status_code == 200
    manifest = client.get("/dumps/index.json")
    assert manifest.status_code == 200
    assert manifest.json()["files"] == read_manifest(out)["files"]  # type: ignore[index]


def test_file_with_etag_and_304(client: TestClient, published: tuple[Path, Path]) -> None:
    _, out = published
    entry = read_manifest(out)["files"][0]  # type: ignore[index]
    r = client.get(f"/dumps/{entry['name']}")
    assert r.status_code == 200
    assert r.content == (out / entry["name"]).read_bytes()
    assert r.headers["etag"] == f'"{entry["sha256"]}"'
    assert r.headers["content-type"] == "application/gzip"
    for header in (f'"{entry["sha256"]}"', f'W/"{entry["sha256"]}"', f'"nope", "{entry["sha256"]}"', "*"):
        cached = client.get(f"/dumps/{entry['name']}", headers={"If-None-Match": header})
        assert cached.status_code == 304, header
        assert cached.content == b""
    assert client.get(f"/dumps/{entry['name']}", headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_tells_size_and_etag_without_the_body(client: TestClient, published: tuple[Path, Path]) -> None:
    """A download's HEAD: its length and ETag (a client checks them before fetching), no body."""
    _, out = published
    for entry in read_manifest(out)["files"]:  # type: ignore[index]
        head = client.head(f"/dumps/{entry['name']}")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == entry["bytes"]
        assert head.headers["etag"] == f'"{entry["sha256"]}"'
    assert client.head("/dumps/observations.csv").headers["content-encoding"] == "gzip"
    assert client.head("/dumps/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/nothing.nq.gz",
        "/dumps/..%2Findex.json",
        "/dumps/%2e%2e%2fstore",
        "/dumps/..%2F..%2Fetc%2Fpasswd",
        "/dumps/%2Fetc%2Fpasswd",
        "/dumps/../store",
        "/dumps/.index.json.tmp",
        "/dumps/stray.nq.gz",
    ],
)
def test_nothing_outside_the_manifest_is_served(client: TestClient, published: tuple[Path, Path], path: str) -> None:
    _, out = published
    (out / "stray.nq.gz").write_bytes(b"a file in the folder but not in index.json")
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert b"not in index.json" not in r.content


# ---------------------------------------------------------------------------------------------
# VoID / DCAT


def void_graph(client: TestClient, path: str = "/.well-known/void", accept: str = "text/turtle") -> Graph:
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
           "application/n-triples": "nt"}[accept]  # fmt: skip
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    return Graph().parse(data=r.content, format=fmt)


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_void_lists_dumps_with_checksums(client: TestClient, published: tuple[Path, Path], accept: str) -> None:
    store, out = published
    g = void_graph(client, accept=accept)
    dataset = g.value(predicate=RDF.type, object=VOID.Dataset)
    assert dataset is not None and (dataset, RDF.type, DCAT.Dataset) in g
    assert (dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert g.value(dataset, DCTERMS.publisher) is not None
    assert {t.language for t in g.objects(dataset, DCTERMS.title)} >= {"en", "zh"}
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{BASE}/sparql")
    assert int(g.value(dataset, VOID.triples)) == len(Store.read_only(str(store.resolve())))  # type: ignore[arg-type]
    assert int(g.value(dataset, VOID.entities)) > 0  # type: ignore[arg-type]
    manifest = read_manifest(out)
    assert manifest is not None
    dists = {g.value(d, DCAT.downloadURL): d for d in g.objects(dataset, DCAT.distribution)}
    assert set(dists) == {URIRef(f"{BASE}/dumps/{f['name']}") for f in manifest["files"]}
    for entry in manifest["files"]:
        url = URIRef(f"{BASE}/dumps/{entry['name']}")
        dist = dists[url]
        assert (dataset, VOID.dataDump, url) in g
        assert int(g.value(dist, DCAT.byteSize)) == entry["bytes"]  # type: ignore[arg-type]
        assert g.value(dist, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{entry['media_type']}"
        )
        checksum = g.value(dist, URIRef(SPDX + "checksum"))
        assert g.value(checksum, URIRef(SPDX + "algorithm")) == URIRef(SPDX + "checksumAlgorithm_sha256")
        assert str(g.value(checksum, URIRef(SPDX + "checksumValue"))) == entry["sha256"]


def test_home_page_html_and_rdf(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert 'href="http://localhost:8000/sparql"' in page.text
    assert "gongkai.nq.gz" in page.text
    g = void_graph(client, "/", "text/turtle")
    assert (None, RDF.type, VOID.Dataset) in g
    assert client.get("/", headers={"Accept": "image/png"}).status_code == 406


def test_void_is_turtle_by_default_and_the_home_page_for_a_browser(client: TestClient) -> None:
    """``/.well-known/void``: the description in RDF (Turtle for ``*/*`` or no Accept), and for a
    browser the same HTML page as ``/`` (DESIGN.md: both are the description and the home page)."""
    for accept in ("*/*", None):
        r = client.get("/.well-known/void", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle"), accept
    page = client.get("/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert 'href="http://localhost:8000/sparql"' in page.text and "gongkai.nq.gz" in page.text  # the home page
    assert "Accept" in page.headers["vary"]
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_void_without_dumps(tmp_path: Path, published: tuple[Path, Path]) -> None:
    store, _ = published
    with TestClient(create_app(Settings(store=store, dumps_dir=tmp_path / "none"))) as c:
        g = void_graph(c)
        assert not list(g.objects(None, DCAT.distribution))
        assert (None, VOID.sparqlEndpoint, URIRef(f"{BASE}/sparql")) in g
        assert c.get("/dumps/", headers={"Accept": "application/json"}).json()["files"] == []
