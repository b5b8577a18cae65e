"""``make bench``: every benchmark of issue 7 in one run, one step after another; writes bench/RESULTS.md.

``python -m bench.suite [-n 1000,10000] [--duration 5] [--scale] [--only run,shacl,...] [--dry-run]``

Each step is a script of its own that writes its own section of RESULTS.md; run from here, the
section's header says it is a step of this run (the run's start time), and this script writes a
section at the top of RESULTS.md listing the steps, their commands, times and exit statuses.

- ``run``: bench/run.py — SPARQL and dereferencing against ``oxigraph serve-read-only``, ``gongkai
  load`` against ``Store.bulk_load``, ``gongkai dump`` against ``Store.dump``, the aggregates,
  conversion against BeautifulSoup / pdfplumber, at each ``-n``;
- ``ceiling``: bench/ceiling.py — a bare uvicorn + pyoxigraph server beside both, at the smallest ``-n``;
- ``rdflib-endpoint``: bench/rdflib_endpoint.py — rdflib-endpoint beside both, on ``--rdflib-reports``
  reports (rdflib holds its graph in Python objects);
- ``shacl``: bench/shacl.py — pyshacl-turbo (the default engine) and pySHACL, also on the largest ``-n``
  corpus's first shards;
- ``checks``: bench/checks.py — the checks across reports beside the ``gongkai load`` they run in, on
  the largest ``-n`` corpus;
- ``distributed``: bench/distributed.py — conversion and validation on Dask against a process pool,
  at the largest ``-n``;
- ``scale`` (only with ``--scale``): bench/distributed.py ``--scale --load`` — 10^5 reports converted
  and validated on Dask, loaded, and the figures timed on the store.

A step that fails is reported in the table and the run goes on; the exit status is then 1. With
the defaults (10^3 and 10^4 reports) a run takes about 95 minutes on 2 cores and needs ~25 GB of
free disk; ``--scale`` adds about 2 hours and ~35 GB. Run it on a quiet machine: every peer is
measured beside Gongkai on the same cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import RESULTS, SUITE_ENV, write_section

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"  # the steps run in ROOT, so their paths are relative to it
RAW = WORK / "suite.json"
START, END = "<!-- bench/suite.py: start -->", "<!-- bench/suite.py: end -->"
STEPS = ("run", "ceiling", "rdflib-endpoint", "shacl", "checks", "distributed", "scale")


def step_commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """The command of each step, from the suite's options (``-n`` sorted ascending)."""
    ns = sorted({int(x) for x in str(args.n).split(",") if x.strip()})
    small, large, d = ns[0], ns[-1], f"{args.duration:g}"
    module = [sys.executable, "-m"]
    return {
        "run": [
            *module, "bench.run", "-n", ",".join(map(str, ns)), "--duration", d,
            "--rounds", str(args.rounds), "--large-rounds", "1", "--http-rounds", "3",
        ],
        "ceiling": [*module, "bench.ceiling", "-n", str(small), "--duration", d, "--rounds", "3"],
        "rdflib-endpoint": [*module, "bench.rdflib_endpoint", "-n", str(args.rdflib_reports), "--duration", d],
        "shacl": [
            *module, "bench.shacl", "--reports", "500", "--pyshacl-reports", "10", "--jobs", "2",
            "--repeat", "1", "--corpus", f"build/bench/corpus-{large}", "--shards", "20",
        ],
        "checks": [*module, "bench.checks", "--corpus", f"build/bench/corpus-{large}"],
        "distributed": [
            *module, "bench.distributed", "-n", str(large), "--single", "500",
            "--partition-size", "250", "--validate-shards", "8",
        ],
        "scale": [*module, "bench.distributed", "-n", "100000", "--scale", "--load", "--partition-size", "250"],
    }  # fmt: skip


def shown(cmd: list[str]) -> str:
    """A step's command as a reader would type it (``python -m …``, paths relative to the project)."""
    words = ["python" if w == sys.executable else w for w in cmd]
    return " ".join(os.path.relpath(w, ROOT) if w.startswith(str(ROOT)) else w for w in words)


def run_step(name: str, cmd: list[str], started: str) -> dict[str, Any]:
    """Run one step to its end; its output goes to the terminal as it comes."""
    print(f"== bench.suite: {name}: {shown(cmd)}", file=sys.stderr, flush=True)
    t0, when = time.perf_counter(), time.strftime("%H:%M UTC", time.gmtime())
    code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, SUITE_ENV: started})
    seconds = time.perf_counter() - t0
    print(f"== bench.suite: {name} ended with status {code} after {seconds / 60:.1f} min", file=sys.stderr)
    return {"step": name, "command": shown(cmd), "started": when, "s": seconds, "status": code}


def render(raw: dict[str, Any]) -> str:
    steps = raw["steps"]
    total = sum(s["s"] for s in steps)
    failed = [s["step"] for s in steps if s["status"] != 0]
    pending = [s for s in raw["planned"] if s not in {x["step"] for x in steps}]
    state = (
        f"finished {raw['finished']} ({total / 60:.0f} min)"
        if raw.get("finished")
        else f"still running: {', '.join(pending)} to come"
    )
    lines = [
        START,
        "",
        "## One run of every benchmark (`make bench`, bench/suite.py)",
        "",
        f"Started {raw['started']}, {state}, with `{raw['command']}` on {raw['machine']['nproc']} cores "
        f"({raw['machine']['cpu']}, {raw['machine']['memory']}). A section below whose "
        f"header says *a step of the `make bench` run started {raw['started']}* has its numbers from this run; "
        "a section without those words is from an earlier run, named in its header.",
        "",
        "| step | command | started | min | exit status |",
        "|---|---|---|---|---|",
    ]
    for s in steps:
        status = "0" if s["status"] == 0 else f"**{s['status']} (failed: its section keeps its earlier numbers)**"
        lines.append(f"| {s['step']} | `{s['command']}` | {s['started']} | {s['s'] / 60:.1f} | {status} |")
    if failed:
        lines += ["", f"Failed: {', '.join(failed)}."]
    if "scale" not in raw["planned"]:
        lines += [
            "",
            "The 10^5-report corpus on Dask is measured on demand (`make bench BENCH_ARGS=--scale`: about 2 more "
            "hours and ~35 GB of disk); its section says when it was last run.",
        ]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def main() -> None:
    from bench.harness import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", default="1000,10000", help="reports in the corpora, comma-separated")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk cell")
    parser.add_argument("--rounds", type=int, default=2, help="load and dump rounds up to 1,000 reports")
    parser.add_argument("--rdflib-reports", type=int, default=200, help="reports served by rdflib-endpoint")
    parser.add_argument("--scale", action="store_true", help="also the 10^5-report corpus on Dask (~2 h)")
    parser.add_argument("--only", help=f"comma-separated steps of {', '.join(STEPS)}")
    parser.add_argument("--dry-run", action="store_true", help="print the steps' commands and stop")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the saved run")
    args = parser.parse_args()
    if args.report_only:
        write_section(START, END, render(json.loads(RAW.read_text(encoding="utf-8"))), RESULTS)
        return
    commands = step_commands(args)
    planned = [s for s in STEPS if s != "scale" or args.scale]
    if args.only:
        wanted = args.only.split(",")
        unknown = sorted(set(wanted) - set(STEPS))
        if unknown:
            parser.error(f"unknown step(s) {', '.join(unknown)}; the steps are {', '.join(STEPS)}")
        planned = [s for s in STEPS if s in wanted]
    if args.dry_run:
        for name in planned:
            print(f"{name}: {shown(commands[name])}")
        return
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    raw: dict[str, Any] = {
        "started": started,
        "command": " ".join(["python -m bench.suite", *sys.argv[1:]]),
        "machine": machine(),
        "planned": planned,
        "steps": [],
    }
    for name in planned:
        raw["steps"].append(run_step(name, commands[name], started))
        RAW.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        write_section(START, END, render(raw), RESULTS)  # after each step: a stopped run still shows its steps
    raw["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RAW.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_section(START, END, render(raw), RESULTS)
    print(f"wrote {RESULTS} and {RAW}", file=sys.stderr)
    sys.exit(1 if any(s["status"] != 0 for s in raw["steps"]) else 0)


if __name__ == "__main__":
    main()
