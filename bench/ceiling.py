"""How close a Python server can get to ``oxigraph serve-read-only``: the ceiling of the SPARQL target (issue 7).

``python -m bench.ceiling [-n 1000] [--duration 5] [--rounds 3]``

The target asks /sparql for ≥ 0.9× Oxigraph's throughput on queries of 3-6 ms. Beside Gongkai and
Oxigraph, this measures two servers with nothing of Gongkai in them, on the same store and queries,
in the same run:

- *bare ASGI, thread*: uvicorn (uvloop, httptools, no access log) and a 20-line ASGI app that
  evaluates the query with pyoxigraph in a thread pool and returns Oxigraph's own SPARQL JSON. No
  framework, no guards, no time limit. It is the most that any Python server can do which keeps
  its event loop free while a query runs.
- *bare ASGI, on the loop*: the same app evaluating on the event loop itself. One request at a
  time, and one slow query stops every other request: no server can work this way. It shows
  uvicorn's own cost.

If the thread variant stays under 0.9× too, the gap does not come from Gongkai's code: it is the
cost of a Python HTTP server plus a thread hop. This script writes its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import results as shared_results
from bench.harness import (
    BASE,
    PY,
    RESULTS,
    WORK,
    check_same_answer,
    corpus,
    drain,
    fmt,
    free_port,
    gongkai_serve_cmd,
    note,
    oxigraph_serve_cmd,
    release_optimized,
    server,
    wrk,
)
from bench.queries import pick, queries

START, END = "<!-- bench/ceiling: start -->", "<!-- bench/ceiling: end -->"
SERVERS = ("oxigraph", "gongkai", "bare-thread", "bare-loop")
ACCEPT = "application/sparql-results+json"


def bare_app(store_path: str, mode: str) -> Any:
    """The bare ASGI app: ``GET …?query=`` → pyoxigraph's SPARQL JSON (union default graph)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import parse_qsl

    from pyoxigraph import QueryResultsFormat, Store

    store = Store.read_only(store_path)
    threads = ThreadPoolExecutor(8)

    def evaluate(text: str) -> bytes:
        result = store.query(text, use_default_graph_as_union=True)
        return result.serialize(format=QueryResultsFormat.JSON) or b""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        text = dict(parse_qsl(scope["query_string"].decode("latin-1"))).get("query", "ASK {}")
        if mode == "thread":
            body = await asyncio.get_running_loop().run_in_executor(threads, evaluate, text)
        else:
            body = evaluate(text)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", ACCEPT.encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def serve_bare(port: int, store_path: str, mode: str) -> None:
    import uvicorn

    uvicorn.run(
        bare_app(store_path, mode),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


def bare_cmd(port: int, store: Path, mode: str) -> list[str]:
    return [PY, "-m", "bench.ceiling", "--serve-bare", str(port), str(store.resolve()), mode]


def ensure_store(n: int) -> Path:
    """The store bench/run.py measures on (``build/bench/store-N``), loaded if it is missing."""
    store = WORK / f"store-{n}"
    if not store.exists():
        from endpoint.load import load

        load([corpus(n)], store, base_url=BASE)
    return store


def measure(n: int, duration: float, rounds: int) -> dict[str, Any]:
    store = ensure_store(n)
    chosen = pick(store)
    qs = queries(chosen["agency"], chosen["report"])
    cases = {name: q for name, q in qs.items() if "scan" not in name}
    cases["ASK {} (the floor)"] = "ASK {}"
    ports = {k: free_port() for k in SERVERS}
    path = {k: "/query" if k == "oxigraph" else "/sparql" for k in SERVERS}
    base = {k: f"http://127.0.0.1:{ports[k]}" for k in SERVERS}
    floor = {k: f"{base[k]}{path[k]}?query={quote('ASK {}')}" for k in SERVERS}
    dumps = WORK / f"dumps-{n}"
    dumps.mkdir(exist_ok=True)
    out: dict[str, Any] = {
        "reports": n,
        "agency": chosen["agency"],
        "report": chosen["report"],
        "optimized": release_optimized(store),
        "cases": {},
    }
    with (
        server(oxigraph_serve_cmd(store, ports["oxigraph"]), floor["oxigraph"]) as ox,
        server(
            gongkai_serve_cmd(store, dumps, ports["gongkai"]), floor["gongkai"], env={"GONGKAI_RESPONSE_CACHE_MB": "0"}
        ) as gk,
        server(bare_cmd(ports["bare-thread"], store, "thread"), floor["bare-thread"]) as bt,
        server(bare_cmd(ports["bare-loop"], store, "loop"), floor["bare-loop"]) as bl,
    ):
        pids = {"oxigraph": ox.pid, "gongkai": gk.pid, "bare-thread": bt.pid, "bare-loop": bl.pid}
        for name, text in cases.items():
            url = {k: f"{base[k]}{path[k]}?query={quote(text)}" for k in SERVERS}
            same = all(check_same_answer(url[k], url["oxigraph"], ACCEPT) for k in SERVERS if k != "oxigraph")
            row: dict[str, Any] = {"same_answer": same}
            for conc in (1, 16):
                runs: dict[str, list[dict[str, float]]] = {k: [] for k in SERVERS}
                for r in range(rounds):
                    order = SERVERS[r % len(SERVERS) :] + SERVERS[: r % len(SERVERS)]  # rotated each round
                    for k in order:
                        runs[k].append(wrk(url[k], conc, duration, ACCEPT, server_pid=pids[k]))
                        drain(floor[k])
                row[f"c{conc}"] = runs
                ratios = ", ".join(f"{k} {_cell(runs, k)[1]}" for k in SERVERS[1:])
                print(f"{name} c={conc}: {ratios}", file=sys.stderr, flush=True)
            out["cases"][name] = row
    return out


def _cell(runs: dict[str, list[dict[str, float]]], k: str) -> tuple[str, str, str]:
    """rps (median), the median of the rounds' ratios to Oxigraph, CPU ms per request (median)."""
    rps = statistics.median(w["rps"] for w in runs[k])
    ratios = [w["rps"] / o["rps"] for w, o in zip(runs[k], runs["oxigraph"], strict=True) if o["rps"]]
    cpu = [w["cpu_ms_per_request"] for w in runs[k] if "cpu_ms_per_request" in w]
    return (
        fmt(rps, 0),
        f"{statistics.median(ratios):.2f}×" if ratios and k != "oxigraph" else "",
        fmt(statistics.median(cpu), 2) if cpu else "-",
    )


def write_section(res: dict[str, Any]) -> None:
    m = res["machine"]
    compacted = {True: "compacted", False: "not compacted", None: "compaction unknown"}[res["optimized"]]
    lines = [
        START,
        "",
        "## The ceiling of a Python server (bench/ceiling.py, issue 7)",
        "",
        f"Run {res['when']} with `python -m bench.ceiling -n {res['reports']} --duration {res['duration']:g} "
        f"--rounds {res['rounds']}`{shared_results.part_of(res)}, on {m['nproc']} cores: four servers on the same {res['reports']}-report store "
        f"release ({compacted}), the queries of the SPARQL rows above, `wrk` on loopback sharing the cores. "
        f"Each cell was measured {res['rounds']} times, the servers' order rotated every round; rps are medians, "
        "ratios the medians of the rounds' ratios to Oxigraph in the same round. CPU = CPU time of the "
        "server's processes per request.",
        "",
        "- Oxigraph: `oxigraph serve-read-only --union-default-graph` (Rust).",
        "- Gongkai: `gongkai serve` with the response cache off (`GONGKAI_RESPONSE_CACHE_MB=0`), otherwise "
        "as shipped: guards, query checks, query worker processes (for the time limit), access log.",
        "- bare ASGI, thread: uvicorn (uvloop, httptools, no access log) and a 20-line ASGI app "
        "(`bench.ceiling.bare_app`): pyoxigraph evaluates the query in a thread pool, its SPARQL JSON is the "
        "body. No framework, no guards, no time limit. The most a Python server that keeps its event loop "
        "free can do.",
        "- bare ASGI, on the loop: the same app evaluating on the event loop. One query at a time, and a "
        "slow query stops every request: not a way to serve, but it shows uvicorn's own cost.",
        "",
        "| request | same answer | c | Oxigraph rps (CPU ms/req) | Gongkai rps | ratio | CPU | "
        "bare ASGI, thread rps | ratio | CPU | bare ASGI, on the loop rps | ratio | CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in res["cases"].items():
        for conc in (1, 16):
            runs = row[f"c{conc}"]
            ox_rps, _, ox_cpu = _cell(runs, "oxigraph")
            cells = [f"{ox_rps} ({ox_cpu})"]
            for k in SERVERS[1:]:
                cells += list(_cell(runs, k))
            lines.append(f"| {name} | {row['same_answer']} | {conc} | {' | '.join(cells)} |")
    lines += ["", note("ceiling"), "", END]  # measured by hand beside this script: bench/notes/ceiling.md
    shared_results.write_section(START, END, "\n".join(lines) + "\n", RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="reports in the corpus (bench/run.py's store)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk cell")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per cell, the order rotated")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the JSON")
    parser.add_argument("--serve-bare", nargs=3, metavar=("PORT", "STORE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        port, store, mode = args.serve_bare
        serve_bare(int(port), store, mode)
        return
    shared_results.measure_or_rerender(
        WORK / "ceiling.json",
        args.report_only,
        lambda: measure(args.n, args.duration, args.rounds),
        write_section,
        duration=args.duration,
        rounds=args.rounds,
    )


if __name__ == "__main__":
    main()
