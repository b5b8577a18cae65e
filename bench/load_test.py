"""Load test of the endpoint (issue 5, item 7): concurrent mixed requests against a live server.

    .venv/bin/python -m bench.load_test [--concurrency 200] [--duration 30] [--workers 2]
        [--store DIR --dumps DIR] [--results bench/RESULTS.md]

Without ``--store`` it converts ``data/seeds``, loads and dumps them into a temporary folder.
It then starts ``gongkai serve --workers N`` on a free loopback port, runs ``--concurrency``
clients for ``--duration`` seconds, each sending a random mix of requests (``/doc`` pages in
HTML and Turtle, ``/id`` redirects, SPARQL SELECT/ASK/CONSTRUCT, dump downloads), samples the
resident memory of the server and all its descendant processes (``/proc``) every 0.5 s, and
prints p50/p99 latency, throughput, error count and the memory peak. With ``--results`` it
writes its own section of that file, between its markers (other sections are kept).

Bounded: loopback only, at most ``--max-requests`` requests, 30 s client timeout per request,
the server is stopped at the end. Exit status 1 if any response was an error or memory went
over ``--memory-bound-mb``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
GONGKAI = Path(sys.executable).parent / "gongkai"
HEADING = "## Endpoint load (issue 5)"
START, END = "<!-- bench/load_test: start -->", "<!-- bench/load_test: end -->"
GK = "https://w3id.org/gongkai/def#"
QUERIES = [
    f"SELECT ?r ?y WHERE {{ ?r a <{GK}AnnualReport> ; <{GK}year> ?y }} ORDER BY ?r",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "ASK { ?s ?p ?o }",
    f"CONSTRUCT {{ ?r <{GK}year> ?y }} WHERE {{ ?r <{GK}year> ?y }}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 100",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(*args: str | Path) -> None:
    subprocess.run([str(GONGKAI), *map(str, args)], check=True, capture_output=True, timeout=600)


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of ``pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
        rss[int(entry.name)] = int(statm[1]) * page
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in tree) / 2**20


async def discover(client: httpx.AsyncClient) -> tuple[list[str], list[str]]:
    """``/doc`` paths of reports and agencies, and the dump file names."""
    r = await client.get(
        "/sparql",
        params={"query": f"SELECT ?x WHERE {{ {{ ?x a <{GK}AnnualReport> }} UNION {{ ?x a <{GK}Agency> }} }}"},
    )
    r.raise_for_status()
    docs = ["/doc/" + b["x"]["value"].split("/id/", 1)[1] for b in r.json()["results"]["bindings"]]
    dumps = [f["name"] for f in (await client.get("/dumps/", headers={"Accept": "application/json"})).json()["files"]]
    return docs, dumps


def request_mix(docs: list[str], dumps: list[str]) -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
    """(kind, path, params, headers) choices, weighted by repetition."""
    mix: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
    for d in docs:
        mix += [("doc-html", d, {}, {"Accept": "text/html"})] * 2
        mix += [("doc-turtle", d, {}, {"Accept": "text/turtle"})]
        mix += [("id-redirect", d.replace("/doc/", "/id/", 1), {}, {"Accept": "text/html"})]
    for q in QUERIES:
        mix += [("sparql", "/sparql", {"query": q}, {"Accept": "application/sparql-results+json, text/turtle"})] * 2
    small = sorted(dumps, key=len)[:3]
    for name in small:
        mix += [("dump", f"/dumps/{name}", {}, {})]
    mix += [("dump-list", "/dumps/", {}, {"Accept": "application/json"})]
    return mix


async def client_loop(
    client: httpx.AsyncClient,
    mix: list[tuple[str, str, dict[str, str], dict[str, str]]],
    stop_at: float,
    budget: list[int],
    latencies: dict[str, list[float]],
    errors: Counter[str],
    rng: random.Random,
) -> None:
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        kind, path, params, headers = rng.choice(mix)
        start = time.perf_counter()
        try:
            r = await client.get(path, params=params, headers=headers)
            body = r.content
            ok = r.status_code < 400 and (r.status_code != 200 or body)
        except httpx.HTTPError as exc:
            ok, r = False, None
            errors[f"{kind}: {type(exc).__name__}"] += 1
        elapsed = time.perf_counter() - start
        if ok:
            latencies.setdefault(kind, []).append(elapsed)
        elif r is not None:
            errors[f"{kind}: HTTP {r.status_code}"] += 1


async def load(url: str, pid: int, args: argparse.Namespace) -> dict[str, object]:
    # keep-alive shorter than uvicorn's 5 s, so that no request races the server closing an idle connection
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency, keepalive_expiry=3.0
    )
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits, follow_redirects=False) as client:
        docs, dumps = await discover(client)
        mix = request_mix(docs, dumps)
        latencies: dict[str, list[float]] = {}
        errors: Counter[str] = Counter()
        budget = [args.max_requests]
        peak = [tree_rss_mb(pid)]
        idle_mb = peak[0]
        stop_at = time.monotonic() + args.duration

        async def sample() -> None:
            while time.monotonic() < stop_at:
                peak[0] = max(peak[0], tree_rss_mb(pid))
                await asyncio.sleep(0.5)

        started = time.monotonic()
        rng = random.Random(5)
        await asyncio.gather(
            sample(),
            *(
                client_loop(client, mix, stop_at, budget, latencies, errors, random.Random(rng.random()))
                for _ in range(args.concurrency)
            ),
        )
        wall = time.monotonic() - started
    every = sorted(x for xs in latencies.values() for x in xs)

    def pct(xs: list[float], p: float) -> float:
        return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000 if xs else float("nan")

    return {
        "requests": len(every) + sum(errors.values()),
        "ok": len(every),
        "errors": dict(errors),
        "wall_s": wall,
        "rps": len(every) / wall,
        "p50_ms": pct(every, 0.50),
        "p99_ms": pct(every, 0.99),
        "by_kind": {k: (len(v), pct(sorted(v), 0.5), pct(sorted(v), 0.99)) for k, v in sorted(latencies.items())},
        "idle_mb": idle_mb,
        "peak_mb": peak[0],
        "mean_ms": statistics.fmean(every) * 1000 if every else float("nan"),
    }


def write_results(path: Path, text: str) -> None:
    """Replace (or append) this script's section of ``path``, between its markers; leave other
    sections alone. (A section from before the markers, under the same heading and ending at the
    first marker or heading after it, is replaced too.)"""
    from bench.results import write_section

    if path.exists() and START not in (old := path.read_text(encoding="utf-8")) and HEADING in old:
        legacy = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |^<!-- |\Z)", re.S | re.M)
        path.write_text(legacy.sub(lambda _: f"{START}\n{END}\n\n", old, count=1), encoding="utf-8")
    write_section(START, END, f"{START}\n\n{text.rstrip()}\n\n{END}\n", path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--memory-bound-mb", type=float, default=2048.0)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--dumps", type=Path)
    ap.add_argument("--results", type=Path)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="gongkai-load-") as tmp_name:
        tmp = Path(tmp_name)
        store, dumps = args.store, args.dumps
        if store is None:
            store, dumps = tmp / "store", tmp / "dumps"
            run("convert", REPO / "data" / "seeds", "-o", tmp / "seeds.nq", "--quiet")
            run("load", tmp / "seeds.nq", "--store", store)
            run("dump", "--store", store, "-o", dumps)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
        cmd = [
            str(GONGKAI),
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--workers",
            str(args.workers),
        ]
        if dumps is not None:
            cmd += ["--dumps", str(dumps)]
        log = (tmp / "server.log").open("wb")
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    print((tmp / "server.log").read_text(errors="replace"), file=sys.stderr)
                    return 2
                time.sleep(0.3)
            time.sleep(3)  # let every uvicorn worker finish starting its query workers
            run_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            result = asyncio.run(load(url, server.pid, args))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()

    errors: dict[str, int] = result["errors"]  # type: ignore[assignment]
    peak = float(result["peak_mb"])  # type: ignore[arg-type]
    lines = [
        HEADING,
        "",
        f"`bench/load_test.py`: {args.concurrency} concurrent clients for {args.duration:g} s against "
        f"`gongkai serve --workers {args.workers}` on 127.0.0.1 (store: the 5 seed reports), a random mix of "
        "`/doc` pages (HTML, Turtle), `/id` redirects, SPARQL (SELECT, COUNT, ASK, CONSTRUCT, LIMIT 100) "
        f"and dump downloads. Run {run_at} on {os.cpu_count()} cores; the clients share them with the server.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests answered | {result['ok']} in {float(result['wall_s']):.1f} s ({float(result['rps']):.0f} req/s) |",  # type: ignore[arg-type]
        f"| error responses | {sum(errors.values())} {errors or ''} |",
        f"| latency p50 / p99 | {float(result['p50_ms']):.0f} ms / {float(result['p99_ms']):.0f} ms |",  # type: ignore[arg-type]
        f"| memory (RSS of server + all children) | {float(result['idle_mb']):.0f} MB idle, peak {peak:.0f} MB "  # type: ignore[arg-type]
        f"(bound {args.memory_bound_mb:.0f} MB) |",
        "",
        "| request kind | n | p50 ms | p99 ms |",
        "|---|---|---|---|",
    ]
    for kind, (n, p50, p99) in result["by_kind"].items():  # type: ignore[attr-defined]
        lines.append(f"| {kind} | {n} | {p50:.0f} | {p99:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        write_results(args.results, text)
    return 1 if errors or peak > args.memory_bound_mb else 0


if __name__ == "__main__":
    sys.exit(main())
