"""``gongkai load`` / ``gongkai dump`` as commands, and the dumps served by the live server."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, Store, parse
from rdflib import Graph, Namespace, URIRef

from tests.conftest import gongkai

pytestmark = pytest.mark.slow

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


def quads(store: Path) -> set[str]:
    return {str(q) for q in Store.read_only(str(store.resolve()))}


def test_load_twice_gives_the_same_store(tmp_path: Path, seeds_nq: Path) -> None:
    store = tmp_path / "store"
    first = gongkai("load", seeds_nq, "--store", store)
    once = quads(store)
    second = gongkai("load", seeds_nq, seeds_nq, "--store", store)
    assert quads(store) == once
    assert len(once) > 0
    assert "loaded 1/1 files" in first.stderr and "loaded 2/2 files" in second.stderr
    seeds = {str(q) for q in parse(path=str(seeds_nq), format=RdfFormat.N_QUADS)}
    assert seeds <= once  # every converted statement is there, in its report's graph


def test_load_reports_a_bad_file_and_exits_1(tmp_path: Path, seeds_nq: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "bad.nq"
    bad.write_text("this is not N-Quads\n", encoding="utf-8")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "gongkai"), "load", str(seeds_nq), str(bad), "--store", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert f"error: {bad}:" in proc.stderr


def test_dump_files_have_their_checksums(dumps_dir: Path, store_dir: Path) -> None:

    manifest = json.loads((dumps_dir / "index.json").read_text(encoding="utf-8"))
    names = {f["name"] for f in manifest["files"]}
    assert {"gongkai.nq.gz", "gongkai.ttl.gz", "gongkai-2020.nq.gz", "gongkai-2017.ttl.gz"} <= names
    for entry in manifest["files"]:
        data = (dumps_dir / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    with gzip.open(dumps_dir / "gongkai.nq.gz", "rb") as fh:
        assert {str(q) for q in parse(fh, RdfFormat.N_QUADS)} == quads(store_dir)


def test_live_downloads_match_the_void_description(http: httpx.Client, dumps_dir: Path) -> None:
    void = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200
    g = Graph().parse(data=void.content, format="turtle")
    distributions = list(g.subjects(None, DCAT.Distribution))
    # every file of the dumps' manifest: the .gz dumps and the CSVW metadata of observations.csv.gz
    manifest = json.loads((dumps_dir / "index.json").read_text(encoding="utf-8"))
    assert len(distributions) == len(manifest["files"]) == len(list(dumps_dir.glob("*.gz"))) + 1
    for dist in distributions:
        url = str(g.value(dist, DCAT.downloadURL))
        name = url.rsplit("/", 1)[-1]
        checksum = str(g.value(g.value(dist, URIRef(SPDX + "checksum")), URIRef(SPDX + "checksumValue")))
        r = http.get(f"/dumps/{name}")
        assert r.status_code == 200
        assert hashlib.sha256(r.content).hexdigest() == checksum == r.headers["etag"].strip('"')
        assert int(g.value(dist, DCAT.byteSize)) == len(r.content)  # type: ignore[arg-type]
        assert http.get(f"/dumps/{name}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
