"""SPARQL and dereferencing over HTTP: ``gongkai serve`` against ``oxigraph serve-read-only`` (``--only http``).

The same store release behind both servers, ``wrk`` at c=1 and c=16 on loopback, on the framework
floor, four SPARQL requests and two dereferences; at each corpus size, once with Gongkai's response
cache on (as shipped) and once with it off (every request evaluated: the numbers the targets are
about). The captions of the two tables are in bench/notes/http.md.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.harness import (
    BASE,
    WORK,
    NoAnswer,
    Run,
    Target,
    check_same_answer,
    drain,
    fmt,
    free_port,
    gongkai_serve_cmd,
    median_runs,
    note,
    oxigraph_serve_cmd,
    ratio,
    release_optimized,
    server,
    wrk,
)
from bench.queries import describe_query, pick, queries

CACHE_ON = "response cache on: the same request repeated"
CACHE_OFF = "response cache off: every request evaluated"


def measure(run: Run) -> dict[str, Any]:
    """Both tables at each corpus size; the previous run's other sizes kept."""
    out = dict(run.previous.get("http", {}))
    for n in run.ns:
        store, dumps = WORK / f"store-{n}", WORK / f"dumps-{n}"
        dumps.mkdir(exist_ok=True)
        suffix = f" — {n:,} reports"
        out = {k: v for k, v in out.items() if not k.endswith(suffix) and " — " in k}
        out[CACHE_ON + suffix] = measure_store(store, dumps, run.args.duration, CACHE_ON + suffix)
        out[CACHE_OFF + suffix] = measure_store(
            store,
            dumps,
            run.args.duration,
            CACHE_OFF + suffix,
            extra_env={"GONGKAI_RESPONSE_CACHE_MB": "0"},
            rounds=run.args.http_rounds,
        )
        if run.args.uvicorn_extra:
            label, _, envs = run.args.uvicorn_extra.partition(",")
            env = dict(e.split("=", 1) for e in envs.split(";") if e)
            out[label + suffix] = measure_store(store, dumps, run.args.duration, label, extra_env=env)
        run.checkpoint("http", out)
    return out


def measure_store(
    store: Path,
    dumps: Path,
    duration: float,
    label: str,
    extra_env: dict[str, str] | None = None,
    rounds: int = 1,
) -> dict[str, Any]:
    """Each request on both servers with wrk at c=1 and c=16; ``rounds`` pairs per cell, the
    order swapped every round (the machine's speed drifts), ratios the median of the pairs'."""
    chosen = pick(store)
    agency, report = chosen["agency"], chosen["report"]
    gk_port, ox_port = free_port(), free_port()
    gk = f"http://127.0.0.1:{gk_port}"
    ox = f"http://127.0.0.1:{ox_port}"
    json_accept = "application/sparql-results+json"
    ttl = "text/turtle"
    cases: list[tuple[str, str, str, str]] = []  # name, gongkai url, oxigraph url, accept
    cases.append(
        ("floor (303 /id/… vs ASK {})", f"{gk}/id/agency/x", f"{ox}/query?query={quote('ASK {}')}", json_accept)
    )
    qs = queries(agency, report)
    for name, q in qs.items():
        if "scan" not in name:
            cases.append((name, f"{gk}/sparql?query={quote(q)}", f"{ox}/query?query={quote(q)}", json_accept))
    agency_path = agency.removeprefix(f"{BASE}/id/")
    cases.append(
        (
            "dereference an agency (/doc/… .ttl vs CONSTRUCT)",
            f"{gk}/doc/{agency_path}.ttl",
            f"{ox}/query?query={quote(describe_query(agency))}",
            ttl,
        )
    )
    cases.append(
        (
            "dereference a report (/doc/… .ttl vs CONSTRUCT)",
            f"{gk}/doc/{report.removeprefix(f'{BASE}/id/')}.ttl",
            f"{ox}/query?query={quote(describe_query(report))}",
            ttl,
        )
    )
    scan = qs["national aggregate (scan)"]  # last: slow requests left running would skew the next cells
    cases.append(
        (
            "national aggregate (scan)",
            f"{gk}/sparql?query={quote(scan)}",
            f"{ox}/query?query={quote(scan)}",
            json_accept,
        )
    )
    gk_cmd = gongkai_serve_cmd(store, dumps, gk_port)
    ox_cmd = oxigraph_serve_cmd(store, ox_port)
    results: dict[str, Any] = {
        "agency": agency,
        "report": report,
        "duration": duration,
        "cases": {},
        "release_optimized": release_optimized(store),
    }
    with (
        server(gk_cmd, f"{gk}/id/agency/x", env=extra_env) as gk_proc,
        server(ox_cmd, f"{ox}/query?query=ASK%7B%7D") as ox_proc,
    ):
        for name, gk_url, ox_url, accept in cases:
            try:
                same = None if name.startswith("floor") else check_same_answer(gk_url, ox_url, accept)
            except NoAnswer as exc:  # the scan at 10^4 reports runs into Gongkai's 30 s query limit
                results["cases"][name] = {"no_answer": str(exc)}
                print(f"http[{label}] {name}: no answer ({exc}); not measured", file=sys.stderr)
                continue
            row: dict[str, Any] = {"same_answer": same, "rounds": rounds}
            for conc in (1, 16):
                pairs = []
                for r in range(rounds if "scan" not in name else 1):
                    measured = {}
                    for who in ("gongkai", "oxigraph") if r % 2 == 0 else ("oxigraph", "gongkai"):
                        url, ping, pid = (
                            (gk_url, f"{gk}/id/agency/x", gk_proc.pid)
                            if who == "gongkai"
                            else (ox_url, f"{ox}/query?query=ASK%7B%7D", ox_proc.pid)
                        )
                        measured[who] = wrk(url, conc, duration, accept, pid)
                        drain(ping)
                    pairs.append(measured)
                row[f"runs_c{conc}"] = pairs
                row[f"gongkai_c{conc}"] = median_runs([p["gongkai"] for p in pairs])
                row[f"oxigraph_c{conc}"] = median_runs([p["oxigraph"] for p in pairs])
                if all(p["oxigraph"]["rps"] and p["oxigraph"]["p99_ms"] for p in pairs):
                    row[f"ratio_c{conc}"] = statistics.median(p["gongkai"]["rps"] / p["oxigraph"]["rps"] for p in pairs)
                    row[f"p99_ratio_c{conc}"] = statistics.median(
                        p["gongkai"]["p99_ms"] / p["oxigraph"]["p99_ms"] for p in pairs
                    )
            results["cases"][name] = row
            print(
                f"http[{label}] {name}: c1 {row['gongkai_c1']['rps']:.0f} vs {row['oxigraph_c1']['rps']:.0f}; "
                f"c16 {row['gongkai_c16']['rps']:.0f} vs {row['oxigraph_c16']['rps']:.0f}",
                file=sys.stderr,
            )
    return results


# --------------------------------------------------------------------------------------------
# rendering


def _has_cpu(h: dict[str, Any]) -> bool:
    return any("cpu_ms_per_request" in row.get(f"gongkai_c{c}", {}) for row in h["cases"].values() for c in (1, 16))


def _cpu_cell(g: dict[str, Any], o: dict[str, Any]) -> str:
    if "cpu_ms_per_request" in g and "cpu_ms_per_request" in o:
        return f" {g['cpu_ms_per_request']:.2f} / {o['cpu_ms_per_request']:.2f} |"
    return " - |"


def _rounds_note(h: dict[str, Any]) -> str:
    rounds = max((int(row.get("rounds", 1)) for row in h["cases"].values()), default=1)
    if rounds <= 1:
        return ""
    return (
        f", {rounds} Gongkai/Oxigraph pairs per cell (the order swapped each round; the scan once): rps and "
        "latencies are medians, the ratios the medians of the pairs' ratios"
    )


def _label_note(label: str) -> str:
    """The caption of bench/notes/http.md for a table whose label starts with one of its headings."""
    return next((note("http", key) for key in (CACHE_ON, CACHE_OFF) if label.startswith(key)), "")


def _cells(row: dict[str, Any]) -> list[tuple[int, dict[str, Any], dict[str, Any], bool, float, float]]:
    """(c, Gongkai's numbers, Oxigraph's, paired, throughput ratio, p99 ratio) of a measured case,
    the ratios those of the rounds' pairs when there are several rounds."""
    cells = []
    for conc in (1, 16):
        g, o = row[f"gongkai_c{conc}"], row[f"oxigraph_c{conc}"]
        paired = f"ratio_c{conc}" in row and int(row.get("rounds", 1)) > 1
        if paired:
            tput, p99 = row[f"ratio_c{conc}"], row[f"p99_ratio_c{conc}"]
        elif o["rps"] and o["p99_ms"]:
            tput, p99 = g["rps"] / o["rps"], g["p99_ms"] / o["p99_ms"]
        else:
            tput = p99 = float("nan")
        cells.append((conc, g, o, paired, tput, p99))
    return cells


def render(res: dict[str, Any]) -> list[str]:
    """One table per label of ``res["http"]`` (cache on / off, at each corpus size)."""
    lines: list[str] = []
    for label, h in res.get("http", {}).items():
        cpu = _has_cpu(h)
        lines += [
            f"### SPARQL and dereferencing: Gongkai vs `oxigraph serve-read-only` ({label})",
            "",
            f"Same store release, `wrk` {h.get('duration', res['duration']):g} s per cell{_rounds_note(h)}; "
            f"agency `{h['agency']}`, "
            f"report `{h['report']}`"
            + {
                True: "; the store release is compacted (a fresh `gongkai load`)",
                False: "; the store release is **not** compacted (left by an update without optimize)",
            }.get(h.get("release_optimized"), "")
            + ". "
            "rps = requests/s; ratio = Gongkai / Oxigraph throughput; p99 ratio = Gongkai p99 / Oxigraph p99"
            + (
                "; CPU = CPU time of the server's processes (Gongkai: uvicorn and its query workers) per request "
                "during the cell, the work a request costs whatever else runs"
                if cpu
                else ""
            )
            + ". wrk shares the 2 cores with the server under test.",
            "",
            _label_note(label),
            "",
            "| request | same answer | c | Gongkai rps | p50 / p99 ms | Oxigraph rps | p50 / p99 ms | ratio | p99 ratio |"
            + (" CPU ms per request, Gongkai / Oxigraph |" if cpu else ""),
            "|---|---|---|---|---|---|---|---|---|" + ("---|" if cpu else ""),
        ]
        for name, row in h["cases"].items():
            if "no_answer" in row:
                lines.append(
                    f"| {name} | - | - | not measured: {row['no_answer']} (query time limit) | | | | | |"
                    + (" |" if cpu else "")
                )
                continue
            for conc, g, o, paired, tput, p99 in _cells(row):
                errs = (
                    "" if not (g["non2xx"] or g["timeouts"]) else f" ({g['non2xx']} non-2xx, {g['timeouts']} timeouts)"
                )
                tput_text = f"{tput:.2f}×" if paired else ratio(g["rps"], o["rps"])
                p99_text = f"{p99:.2f}×" if paired else ratio(g["p99_ms"], o["p99_ms"])
                lines.append(
                    f"| {name} | {row['same_answer'] if row['same_answer'] is not None else '-'} | {conc} | "
                    f"{fmt(g['rps'], 0)}{errs} | {fmt(g['p50_ms'], 1)} / {fmt(g['p99_ms'], 1)} | {fmt(o['rps'], 0)} | "
                    f"{fmt(o['p50_ms'], 1)} / {fmt(o['p99_ms'], 1)} | {tput_text} | {p99_text} |"
                    + (_cpu_cell(g, o) if cpu else "")
                )
        lines.append("")
    return lines


def targets(res: dict[str, Any]) -> list[Target]:
    """A line per label, request and concurrency (bench/summary.py folds them by request and cache
    mode): dereferencing ≥ 0.7×; with every request evaluated, SPARQL ≥ 0.9× and p99 ≤ 1.5×."""
    out: list[Target] = []
    for label, h in res.get("http", {}).items():
        for name, row in h["cases"].items():
            if "no_answer" in row:
                continue
            for conc, _g, o, _paired, tput, p99 in _cells(row):
                if not o["rps"] or not o["p99_ms"]:
                    continue  # nothing finished within the duration (the scan at c=16)
                if name.startswith("dereference"):
                    out.append((f"[{label}] {name}, c={conc}: ≥ 0.7× (is {tput:.2f}×)", tput >= 0.7))
                elif label.startswith(CACHE_ON):
                    continue  # answered from the cache: not the query-bound numbers the targets are about
                elif not name.startswith("floor"):
                    out.append(
                        (
                            f"[{label}] {name}, c={conc}: ≥ 0.9× and p99 ≤ 1.5× (is {tput:.2f}×, p99 {p99:.2f}×)",
                            tput >= 0.9 and p99 <= 1.5,
                        )
                    )
    return out
