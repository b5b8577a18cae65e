"""Gongkai vs ``oxigraph serve-read-only`` vs rdflib-endpoint (PyPI) on the same queries (issue 7).

``python -m bench.rdflib_endpoint [-n 200] [--duration 5]``

rdflib-endpoint serves an rdflib ``Dataset`` held in memory (parsed from the same N-Quads shards at
start-up), so it is measured on a small corpus; Gongkai and Oxigraph serve a store loaded from the
same shards, all three in this one run, with ``wrk`` (c=1 and c=16, loopback) on the report-table
SELECT and the agency time series. Writes its own section of bench/RESULTS.md only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import results as shared_results
from bench.harness import (
    BASE,
    PY,
    RESULTS,
    ROOT,
    WORK,
    check_same_answer,
    corpus,
    drain,
    fmt,
    free_port,
    gongkai_serve_cmd,
    note,
    oxigraph_serve_cmd,
    server,
    shards,
    stop_group,
    wait_http,
    wrk,
)
from bench.queries import pick, queries

START, END = "<!-- bench/rdflib_endpoint: start -->", "<!-- bench/rdflib_endpoint: end -->"
CASES = ("report table (表三 of one report)", "agency time series")

RDFLIB_SERVER = """
import sys, time
import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
port, files = int(sys.argv[1]), sys.argv[2:]
t0 = time.perf_counter()
ds = Dataset(default_union=True)
for f in files:
    ds.parse(f, format="nquads")
print(f"rdflib-endpoint: {len(ds)} quads parsed in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def group_rss_mib(pgid: int) -> int:
    """Resident memory of every process in the process group ``pgid`` (a server and its workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5 of stat: the process group
                status = (stat.parent / "status").read_text()
                total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    return total // 1024


@contextlib.contextmanager
def rdflib_server(port: int, files: list[str], timeout: float) -> Iterator[subprocess.Popen[bytes]]:
    """Like ``bench.harness.server`` but with a start-up allowance for parsing the corpus into memory."""
    log = WORK / "rdflib-endpoint.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [PY, "-c", RDFLIB_SERVER, str(port), *files],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    try:
        wait_http(f"http://127.0.0.1:{port}/sparql?query={quote('ASK {}')}", timeout=timeout)
        yield proc
    finally:
        stop_group(proc)


def measure(n: int, duration: float) -> dict[str, Any]:
    folder = corpus(n)
    files = [str(p) for p in shards(folder)]
    quads = json.loads((folder / "corpus.json").read_text())["quads"]
    store = WORK / f"store-rdflib-{n}"
    if not store.exists():
        from endpoint.load import load

        load([folder], store, base_url=BASE)
    chosen = pick(store)
    qs = queries(chosen["agency"], chosen["report"])
    ports = {"gongkai": free_port(), "oxigraph": free_port(), "rdflib": free_port()}
    base = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
    path = {"gongkai": "/sparql", "oxigraph": "/query", "rdflib": "/sparql"}
    floor = {
        "gongkai": f"{base['gongkai']}/id/agency/x",
        "oxigraph": f"{base['oxigraph']}/query?query=ASK%7B%7D",
        "rdflib": f"{base['rdflib']}/sparql?query=ASK%7B%7D",
    }
    accept = "application/sparql-results+json"
    dumps = WORK / f"dumps-rdflib-{n}"
    dumps.mkdir(exist_ok=True)
    gk_cmd = gongkai_serve_cmd(store, dumps, ports["gongkai"])
    ox_cmd = oxigraph_serve_cmd(store, ports["oxigraph"])
    out: dict[str, Any] = {
        "reports": n,
        "quads": quads,
        "agency": chosen["agency"],
        "report": chosen["report"],
        "cases": {},
        "rss_mib": {},
    }
    start = time.perf_counter()
    with (
        rdflib_server(ports["rdflib"], files, timeout=900) as rd,
        # every request evaluated, as by the two others (the response cache would answer wrk's repeats)
        server(gk_cmd, floor["gongkai"], env={"GONGKAI_RESPONSE_CACHE_MB": "0"}) as gk,
        server(ox_cmd, floor["oxigraph"]) as ox,
    ):
        out["rdflib_start_s"] = time.perf_counter() - start
        procs = {"gongkai": gk, "oxigraph": ox, "rdflib": rd}
        for name in CASES:
            url = {k: f"{base[k]}{path[k]}?query={quote(qs[name])}" for k in base}
            row: dict[str, Any] = {
                "same_gongkai_oxigraph": check_same_answer(url["gongkai"], url["oxigraph"], accept),
                "same_rdflib_oxigraph": check_same_answer(url["rdflib"], url["oxigraph"], accept),
            }
            for conc in (1, 16):
                for k in ("gongkai", "oxigraph", "rdflib"):
                    row[f"{k}_c{conc}"] = wrk(url[k], conc, duration, accept)
                    drain(floor[k], timeout=120)
            out["cases"][name] = row
            print(
                f"{name}: c1 "
                + " / ".join(f"{k} {row[f'{k}_c1']['rps']:.0f}" for k in base)
                + "; c16 "
                + " / ".join(f"{k} {row[f'{k}_c16']['rps']:.0f}" for k in base),
                file=sys.stderr,
            )
        out["rss_mib"] = {k: group_rss_mib(p.pid) for k, p in procs.items()}
    return out


def write_section(res: dict[str, Any]) -> None:
    m = res["machine"]
    lines = [
        START,
        "",
        "## rdflib-endpoint beside Gongkai and Oxigraph (bench/rdflib_endpoint.py, issue 7)",
        "",
        f"Run {res['when']} with `python -m bench.rdflib_endpoint -n {res['reports']} --duration {res['duration']:g}`"
        f"{shared_results.part_of(res)}: "
        f"the three servers on the same {res['reports']} synthetic reports ({res['quads']:,} quads, "
        "`bench/generate.py` seed 1), in this one run, `wrk` on loopback sharing the "
        f"{m['nproc']} cores. Gongkai = `gongkai serve` (uvicorn, query worker pool, response cache off: every request evaluated); Oxigraph = "
        "`oxigraph serve-read-only --union-default-graph` on the same store release; rdflib-endpoint "
        f"{res['rdflib_endpoint_version']} = `SparqlEndpoint` (FastAPI, uvicorn) over an in-memory "
        "`rdflib.Dataset(default_union=True)` parsed from the same N-Quads shards "
        f"(start-up {res['rdflib_start_s']:.0f} s). Small corpus because rdflib holds everything in "
        "Python objects; rdflib-endpoint evaluates queries on the event loop, one at a time.",
        "",
        "| request | c | Gongkai rps | p50 / p99 ms | Oxigraph rps | p50 / p99 ms | rdflib-endpoint rps | p50 / p99 ms | "
        "Gongkai / rdflib-endpoint | same answer (Gk=Ox, rdflib=Ox) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in res["cases"].items():
        for conc in (1, 16):
            cells = []
            for k in ("gongkai", "oxigraph", "rdflib"):
                w = row[f"{k}_c{conc}"]
                timeouts = f" ({w['timeouts']} timeouts)" if w.get("timeouts") else ""
                if not w["rps"]:
                    cells += [f"0 (none answered in {res['duration']:g} s)", "-"]
                    continue
                cells += [
                    f"{fmt(w['rps'], 1 if w['rps'] < 10 else 0)}{timeouts}",
                    f"{fmt(w['p50_ms'], 1)} / {fmt(w['p99_ms'], 1)}",
                ]
            g, r = row[f"gongkai_c{conc}"]["rps"], row[f"rdflib_c{conc}"]["rps"]
            speed = f"{g / r:,.1f}×" if r else "-"
            lines.append(
                f"| {name} | {conc} | {' | '.join(cells)} | {speed} | "
                f"{row['same_gongkai_oxigraph']}, {row['same_rdflib_oxigraph']} |"
            )
    rss = res["rss_mib"]
    lines += [
        "",
        f"Resident memory after the run (server and its child processes): Gongkai {rss['gongkai']} MiB, "
        f"Oxigraph {rss['oxigraph']} MiB, rdflib-endpoint {rss['rdflib']} MiB.",
        "",
    ]
    lines += [note("rdflib_endpoint"), "", END]  # measured by hand beside it: bench/notes/rdflib_endpoint.md
    block = "\n".join(lines) + "\n"
    shared_results.write_section(START, END, block, RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="reports in the corpus (rdflib holds it in memory)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk cell")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the JSON")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and store in build/bench")
    args = parser.parse_args()

    def measured() -> dict[str, Any]:
        from importlib.metadata import version

        return {**measure(args.n, args.duration), "rdflib_endpoint_version": version("rdflib-endpoint")}

    shared_results.measure_or_rerender(
        WORK / "rdflib_endpoint.json", args.report_only, measured, write_section, duration=args.duration
    )
    if args.report_only:
        return
    if not args.keep:
        for p in (
            WORK / f"store-rdflib-{args.n}",
            WORK / f"store-rdflib-{args.n}.releases",
            WORK / f"dumps-rdflib-{args.n}",
        ):
            shutil.rmtree(p, ignore_errors=True)


if __name__ == "__main__":
    main()
