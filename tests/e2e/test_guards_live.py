"""The guards of a public endpoint, attacked over real HTTP on 127.0.0.1 (``gongkai serve``).

Every test is bounded: a handful of requests, client timeouts well under a minute, and servers
stopped at the end of the module. Servers run with small limits (``--query-timeout 2``, 5 rows,
4 kB bodies, 2,000-character queries) set through ``GONGKAI_*`` variables and flags.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import GONGKAI, connections_seen, free_port, gongkai, stop_process, wait_until_responds

pytestmark = pytest.mark.slow

ASK = "ASK { ?s ?p ?o }"
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
FIVE_WAY = "SELECT * WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o}"
SECRET = "TOPSECRET-GONGKAI-9f2c"
LIMITS = {
    "GONGKAI_MAX_RESULT_ROWS": "5",
    "GONGKAI_MAX_BODY_BYTES": "4000",
    "GONGKAI_MAX_QUERY_LENGTH": "2000",
}


@contextlib.contextmanager
def serve(
    store: Path, tmp: Path, *args: str, dumps: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``gongkai serve`` on a free loopback port; yields (base URL, process)."""
    port = free_port()
    log = tmp / f"server-{port}.log"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    environ.update(env or {})
    cmd = [str(GONGKAI), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *args]
    if dumps is not None:
        cmd += ["--dumps", str(dumps)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=environ)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_responds(f"{url}/sparql", proc, log)
        yield url, proc
    finally:
        stop_process(proc)


def count_quads(url: str) -> int:
    r = httpx.get(f"{url}/sparql", params={"query": COUNT_QUADS}, timeout=30)
    assert r.status_code == 200, r.text
    return int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"])


def raw_get(url: str, path: str) -> tuple[int, bytes]:
    """GET ``path`` byte for byte (http.client does not normalize ``..`` or percent escapes)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# /proc: the server's child processes (the query workers) and their CPU time


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def children(pid: int) -> dict[int, float]:
    """Live (not zombie) children of ``pid`` and their CPU seconds (user + system)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields and int(fields[1]) == pid and fields[0] != "Z":
            out[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def busy_children(pid: int, window: float = 1.0) -> dict[int, float]:
    """Children that used CPU during ``window`` seconds, with the CPU seconds they used."""
    before = children(pid)
    time.sleep(window)
    after = children(pid)
    return {p: after[p] - before.get(p, 0.0) for p in after if after[p] - before.get(p, 0.0) > 0.2 * window}


# ---------------------------------------------------------------------------------------------
# A server with small limits over the shared seed store, and a dump folder with a trap in it


@pytest.fixture(scope="module")
def trap_dumps(tmp_path_factory: pytest.TempPathFactory, dumps_dir: Path) -> Path:
    """A copy of the dumps plus a listed file that is a symlink to a secret outside the folder."""
    root = tmp_path_factory.mktemp("trap")
    secret = root / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    folder = root / "dumps"
    shutil.copytree(dumps_dir, folder)
    (folder / "leak.nq.gz").symlink_to(secret)
    manifest = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    data = secret.read_bytes()
    manifest["files"].append(
        {
            "name": "leak.nq.gz",
            "format": "N-Quads",
            "media_type": "application/n-quads",
            "compression": "gzip",
            "year": None,
            "graphs": 0,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    )
    (folder / "index.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, store_dir: Path, trap_dumps: Path) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("guarded")
    with serve(store_dir, tmp, "--query-timeout", "2", dumps=trap_dumps, env=LIMITS) as (url, proc):
        yield url, proc.pid


# 1. Time limit ---------------------------------------------------------------------------------


def test_a_query_that_never_ends_is_stopped_and_its_worker_killed(guarded: tuple[str, int]) -> None:
    url, pid = guarded
    endless = FIVE_WAY + " ORDER BY ?o"  # ORDER BY must see every solution: it cannot stream
    for _ in range(60):  # let the query workers finish starting (imports, opening the store)
        if not busy_children(pid, 0.5):
            break
    assert len(children(pid)) >= 2
    assert httpx.get(f"{url}/sparql", params={"query": ASK}, timeout=30).status_code == 200
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.get, f"{url}/sparql", params={"query": endless}, timeout=30)
        busy: dict[int, float] = {}
        for _ in range(10):  # until the worker running it shows up busy (bounded)
            busy = busy_children(pid, 0.3)
            if busy or pending.done():
                break
        ask = httpx.get(f"{url}/sparql", params={"query": ASK}, timeout=30)
        r = pending.result(timeout=30)  # answered before the 30 s safety timeout
    assert ask.status_code == 200 and json.loads(ask.content)["boolean"] is True
    assert r.status_code == 503
    assert "time limit" in r.text and "2 s" in r.text
    assert busy, "no query worker was seen running the endless query"
    running_it = set(busy)
    # After the deadline: the worker that ran it is gone, and no child keeps burning CPU.
    for _ in range(20):
        now = busy_children(pid, 0.5)
        if not now:
            break
    assert not now, f"children still busy after the time limit: {now}"
    assert not running_it & set(children(pid)), "the worker that ran the endless query is still alive"
    # The endpoint still answers, from the remaining or replaced workers.
    assert httpx.get(f"{url}/sparql", params={"query": ASK}, timeout=30).status_code == 200


def test_count_over_the_cartesian_product_is_stopped_too(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    query = "SELECT (COUNT(*) AS ?n) WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o}"
    r = httpx.post(f"{url}/sparql", data={"query": query}, timeout=30)
    assert r.status_code == 503 and "2 s" in r.text


def test_a_query_whose_client_goes_away_is_stopped(tmp_path: Path, store_dir: Path) -> None:
    """A client that closes its connection while its query runs: the query worker is killed within
    a few seconds (endpoint.sparql.pool.GONE_POLL_S), long before the 60 s time limit would stop it."""
    endless = FIVE_WAY + " ORDER BY ?o"
    with serve(store_dir, tmp_path, "--query-timeout", "60") as (url, proc):
        for _ in range(60):  # the query workers finish starting
            if not busy_children(proc.pid, 0.5):
                break
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": endless}))
        busy: dict[int, float] = {}
        for _ in range(10):  # until the worker running it shows up busy (bounded)
            busy = busy_children(proc.pid, 0.3)
            if busy:
                break
        assert busy, "no query worker was seen running the endless query"
        conn.close()  # the client goes away
        gone_at = time.monotonic()
        now: dict[int, float] = busy
        while now and time.monotonic() - gone_at < 15:
            now = busy_children(proc.pid, 0.5)
        assert not now, f"children still busy {time.monotonic() - gone_at:.0f} s after the client left: {now}"
        assert not set(busy) & set(children(proc.pid)), "the worker that ran the abandoned query is still alive"
        assert httpx.get(f"{url}/sparql", params={"query": ASK}, timeout=30).status_code == 200


def test_a_streaming_cartesian_product_is_cut_at_the_row_cap(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    r = httpx.get(f"{url}/sparql", params={"query": FIVE_WAY}, timeout=30)
    assert r.status_code == 200
    doc = json.loads(r.content)
    assert len(doc["results"]["bindings"]) == 5
    assert doc["gongkai"] == {"truncated": True, "limit": 5}
    assert r.headers["X-Gongkai-Truncated"] == "true"


# 2. Read-only, no outbound traffic ---------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "insert data { graph <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX x: <urn:x:>\n# a comment first\nINSERT DATA { x:s x:p x:o }",
    "CLEAR ALL",
    "clear default",
    "DROP ALL",
    "DROP SILENT GRAPH <urn:x:g>",
    "CREATE GRAPH <urn:x:new>",
    "ADD DEFAULT TO <urn:x:g>",
    "MOVE DEFAULT TO <urn:x:g>",
    "COPY DEFAULT TO <urn:x:g>",
    "\\u0049NSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
]


def test_every_form_of_update_is_refused(guarded: tuple[str, int], loopback_listener: socket.socket) -> None:
    url, _ = guarded
    port = loopback_listener.getsockname()[1]
    before = count_quads(url)
    loads = [
        f"LOAD <http://127.0.0.1:{port}/data.ttl>",
        f"LOAD SILENT <http://127.0.0.1:{port}/x> INTO GRAPH <urn:x:g>",
    ]
    with httpx.Client(base_url=url, timeout=30) as c:
        for update in [*UPDATES, *loads]:
            attempts = [
                c.get("/sparql", params={"update": update}),
                c.post("/sparql", data={"update": update}),
                c.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
                c.get("/sparql", params={"query": update}),
                c.post("/sparql", data={"query": update}),
                c.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"}),
            ]
            for r in attempts:
                assert 400 <= r.status_code < 500, (update, r.status_code, r.text)
    assert count_quads(url) == before
    time.sleep(0.2)
    assert connections_seen(loopback_listener) == 0


def service_queries(port: int) -> dict[str, str]:
    target = f"<http://127.0.0.1:{port}/sparql>"
    return {
        "top-level": f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
        "optional": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {target} {{ ?s ?q ?x }} }} }} LIMIT 1",
        "sub-query": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }} }} }}",
        "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {target} {{ ?s ?p ?o }} }} }}",
        "lowercase": f"select * where {{ service {target} {{ ?s ?p ?o }} }}",
        "mixed-case-silent": f"SELECT * WHERE {{ SeRvIcE sIlEnT {target} {{ ?s ?p ?o }} }}",
        "comments": f"# SELECT only\nSELECT * WHERE {{ # nothing here\n SERVICE#hidden\n{target} {{ ?s ?p ?o }} }}",
        "codepoint-escape": f"SELECT * WHERE {{ \\u0053ERVICE {target} {{ ?s ?p ?o }} }}",
        "long-escape": f"SELECT * WHERE {{ \\U00000073ervice {target} {{ ?s ?p ?o }} }}",
        "prefixed-iri": f"PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?e {{ {target} }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "filter-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {target} {{ ?s ?p ?o }} }} }} LIMIT 1",
        "minus": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {target} {{ ?s ?p ?o }} }} }} LIMIT 1",
        "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {target} {{ ?s ?p ?o }} }} }}",
        "ask": f"ASK {{ SERVICE {target} {{ ?s ?p ?o }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
    }


def test_service_is_refused_before_evaluation(guarded: tuple[str, int], loopback_listener: socket.socket) -> None:
    url, _ = guarded
    port = loopback_listener.getsockname()[1]
    with httpx.Client(base_url=url, timeout=30) as c:
        for name, query in service_queries(port).items():
            for r in (
                c.get("/sparql", params={"query": query}),
                c.post("/sparql", data={"query": query}),
                c.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
            ):
                assert r.status_code == 400, (name, r.status_code, r.text)
                assert "SERVICE" in r.text, name
    time.sleep(0.2)
    assert connections_seen(loopback_listener) == 0


# 3. Honest limits ----------------------------------------------------------------------------------


def test_row_cap_on_construct(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    r = httpx.get(
        f"{url}/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert r.status_code == 200
    assert len([line for line in r.text.splitlines() if line.strip()]) == 5
    assert r.headers["X-Gongkai-Truncated"] == "true" and r.headers["X-Gongkai-Row-Limit"] == "5"


def test_declared_body_over_the_limit_is_413(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    r = httpx.post(f"{url}/sparql", data={"query": "ASK {}" + " " * 10_000}, timeout=30)
    assert r.status_code == 413
    assert "4000" in r.text


def test_chunked_body_over_the_limit_is_413(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("POST", "/sparql")
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.putheader("Transfer-Encoding", "chunked")  # and no Content-Length
        conn.endheaders()
        with contextlib.suppress(OSError):  # the server may answer and close before the end
            chunk = b"query=ASK%20%7B%7D" + b"%20" * 300
            for _ in range(20):  # 20 x ~900 bytes > 4000
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    assert r.status == 413
    assert b"4000" in body


def test_query_length_limit(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }" + " " * 2_500}, timeout=30)
    assert r.status_code == 413
    assert "at most 2000" in r.text


# 5. Paths --------------------------------------------------------------------------------------------

ESCAPES = [
    "/dumps/../../../../etc/passwd",
    "/dumps/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/dumps/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/dumps/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/dumps/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/dumps/..%5c..%5c..%5cetc%5cpasswd",
    "/dumps/..\\..\\..\\etc\\passwd",
    "/dumps/%2fetc%2fpasswd",
    "/dumps//etc/passwd",
    "/dumps/%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "/dumps/..%2fsecret.txt",
    "/dumps/%2e%2e/secret.txt",
    "/dumps/leak.nq.gz",  # listed in index.json, but a symlink to a file outside the folder
    "/dumps/.%2e/secret.txt",
    "/dumps/index.json/../../secret.txt",
    "/dumps/%00../secret.txt",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_nothing_outside_the_dump_folder(guarded: tuple[str, int], path: str) -> None:
    url, _ = guarded
    status, body = raw_get(url, path)
    assert status in (400, 404), (path, status)
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_a_real_dump_is_still_served(guarded: tuple[str, int], trap_dumps: Path) -> None:
    url, _ = guarded
    status, body = raw_get(url, "/dumps/gongkai.nq.gz")
    assert status == 200
    assert gzip.decompress(body)


# 8. Headers -------------------------------------------------------------------------------------------


def test_headers_on_the_wire(guarded: tuple[str, int]) -> None:
    url, _ = guarded
    with httpx.Client(base_url=url, timeout=30) as c:
        home = c.get("/", headers={"Accept": "text/html"})
        assert "script-src" not in home.headers["Content-Security-Policy"]
        assert "default-src 'none'" in home.headers["Content-Security-Policy"]
        for r in (home, c.get("/sparql", params={"query": ASK}), c.get("/dumps/nothing")):
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Access-Control-Allow-Origin"] == "*"
            assert "Referrer-Policy" in r.headers
        pre = c.options("/sparql", headers={"Origin": "https://x.example", "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"


def test_rate_limit_on_a_live_server(tmp_path: Path, store_dir: Path) -> None:
    with serve(store_dir, tmp_path, "--rate-limit", "1", env={"GONGKAI_RATE_LIMIT_BURST": "5"}) as (url, _):
        time.sleep(6)  # the start-up polling spent tokens; let the bucket fill again
        with httpx.Client(base_url=url, timeout=30) as c:
            statuses = []
            for _ in range(15):
                r = c.get("/dumps/")
                statuses.append(r.status_code)
                if r.status_code == 429:
                    assert int(r.headers["Retry-After"]) >= 1
        assert statuses[:5] == [200] * 5
        assert 429 in statuses
        assert set(statuses) <= {200, 429}


# 4 and 6. A converted report with markup in its agency name; SIGHUP reload; kill -9 during a load


@pytest.fixture(scope="module")
def script_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed 003 with a title naming an agency ``相山<script>alert(1)</script>经济开发区``,
    converted by the real converter. The title regex takes only CJK agency names, so the
    name is given in the manifest (which wins over what is read)."""
    from tests.conftest import SEEDS_DIR

    folder = tmp_path_factory.mktemp("script")
    agency = "相山<script>alert(1)</script>经济开发区"
    text = (SEEDS_DIR / "003_e68ad832c72094de.txt").read_text(encoding="utf-8")
    (folder / "r.txt").write_text(f"{agency}2020年政府信息公开工作年度报告\n{text}", encoding="utf-8")
    (folder / "m.csv").write_text(f"file,url,agency,year,published\nr.txt,,{agency},2020,\n", encoding="utf-8")
    out = folder / "script.nq"
    gongkai("convert", folder / "r.txt", "-o", out, "--manifest", folder / "m.csv", "--quiet")
    assert "<script>alert(1)</script>" in out.read_text(encoding="utf-8")
    return out


def test_markup_in_report_text_is_escaped_and_sighup_reloads(
    tmp_path: Path, script_report: Path, seeds_nq: Path
) -> None:
    store = tmp_path / "store"
    gongkai("load", script_report, "--store", store)
    with serve(store, tmp_path) as (url, proc):
        r = httpx.get(
            f"{url}/sparql",
            params={"query": "SELECT ?a WHERE { ?a a <https://w3id.org/gongkai/def#Agency> }"},
            timeout=30,
        )
        agencies = [b["a"]["value"] for b in json.loads(r.content)["results"]["bindings"]]
        assert len(agencies) == 1
        path = "/doc/" + agencies[0].split("/id/", 1)[1]
        for page_path in (path, path.replace("/doc/agency/", "/doc/report/") + "/2020"):
            page = httpx.get(f"{url}{page_path}", headers={"Accept": "text/html"}, timeout=30)
            assert page.status_code == 200, page_path
            assert "<script>alert(1)</script>" not in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            assert "script-src" not in page.headers["Content-Security-Policy"]

        # A new release: the server keeps serving its release until SIGHUP, then switches.
        one_report = count_quads(url)
        gongkai("load", seeds_nq, "--store", store)
        assert count_quads(url) == one_report
        proc.send_signal(1)  # SIGHUP
        deadline = time.monotonic() + 30
        while count_quads(url) == one_report and time.monotonic() < deadline:
            time.sleep(0.2)
        both = count_quads(url)
        assert both > one_report
        assert proc.poll() is None
        # Loading the same reports again replaces them: no duplicate quads.
        gongkai("load", seeds_nq, script_report, "--store", store)
        proc.send_signal(1)
        time.sleep(1)
        assert count_quads(url) == both
        assert httpx.get(f"{url}{path}", headers={"Accept": "text/html"}, timeout=30).status_code == 200


def _big_nquads(seeds_nq: Path, out: Path, copies: int) -> int:
    """``copies`` copies of the seed graphs, each under other graph names."""
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

    quads = list(parse(path=str(seeds_nq), format=RdfFormat.N_QUADS))
    with out.open("wb") as fh:
        for i in range(copies):
            serialize(
                (Quad(q.subject, q.predicate, q.object, NamedNode(f"{q.graph_name.value}/copy-{i}")) for q in quads),
                fh,
                RdfFormat.N_QUADS,
            )
    return len(quads) * copies


def _store_digest(store: Path) -> tuple[int, str]:
    from pyoxigraph import Store

    lines = sorted(str(q) for q in Store.read_only(str(store.resolve())))
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_kill_9_during_a_load_loses_nothing(tmp_path: Path, seeds_nq: Path) -> None:
    store = tmp_path / "store"
    gongkai("load", seeds_nq, "--store", store)
    releases = tmp_path / "store.releases"
    before_release = store.resolve()
    before = _store_digest(store)
    big = tmp_path / "big.nq"
    _big_nquads(seeds_nq, big, copies=40)  # ~380k quads
    with serve(store, tmp_path) as (url, server):
        served = count_quads(url)
        load = subprocess.Popen([str(GONGKAI), "load", str(big), "--store", str(store)], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            building: list[Path] = []
            while time.monotonic() < deadline and load.poll() is None:
                building = [p for p in releases.iterdir() if p.is_dir() and p != before_release]
                if building:
                    break
                time.sleep(0.05)
            time.sleep(0.3)  # into the bulk load
            load.kill()  # SIGKILL
        finally:
            load.wait(timeout=30)
        assert load.returncode == -9, "the load finished before it could be killed; make the file bigger"
        assert building and not building[0].with_name(building[0].name + ".json").exists()
        # The served store and a fresh open of DIR both have exactly the previous release.
        assert store.resolve() == before_release
        assert count_quads(url) == served
        assert _store_digest(store) == before
        # The next load succeeds, cleans up the half-built release, and is served after SIGHUP.
        gongkai("load", seeds_nq, "--store", store)
        assert store.resolve() != before_release
        assert not building[0].exists()
        assert _store_digest(store) == before  # same reports loaded again: replaced, not doubled
        server.send_signal(1)
        time.sleep(1)
        assert count_quads(url) == served
        assert server.poll() is None
