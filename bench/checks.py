"""The checks across reports (endpoint/checks.py, issue 21) beside the ``gongkai load`` they run in.

``python -m bench.checks --corpus DIR`` loads the N-Quads shards of ``DIR`` (``bench.generate``)
into a fresh store with ``gongkai load`` (timed: wall and CPU of the command and its children),
then, on the loaded store, times what the load spent on the checks: :func:`endpoint.checks.check_quads`
(the carry-over and agency-match notes in full, as a fresh load computes them) and
:func:`endpoint.checks.changed_check_quads` for the agencies of one shard (as an update does).
Target (issue 21): the checks cost at most 10 % of ``gongkai load`` at 10^4 reports.

bench.generate draws each year's carry-over at random, so nearly every pair of years disagrees:
the worst case, with tens of thousands of notes at 10^4 reports.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import RESULTS, measure_or_rerender, part_of, write_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench" / "checks"
START, END = "<!-- bench/checks.py: start -->", "<!-- bench/checks.py: end -->"
TARGET = 0.10


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_load(corpus: Path, store: Path) -> dict[str, float]:
    """``gongkai load`` of every shard of ``corpus`` into a fresh ``store``: wall and CPU seconds."""
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(store.with_name(store.name + ".releases"), ignore_errors=True)
    shards = sorted(str(p) for p in corpus.glob("*.nq"))
    cpu0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "gongkai"), "load", *shards, "--store", str(store), "--quiet"], check=True
    )
    return {"wall_s": time.perf_counter() - t0, "cpu_s": _children_cpu() - cpu0, "shards": len(shards)}


def measure_checks(store: Path, shard: Path) -> dict[str, float]:
    """The checks on the loaded store: in full, and for the agencies of one shard's reports."""
    import pyoxigraph as ox

    from converter.defaults import DEFAULT_BASE
    from endpoint.aggregates import reported_agencies
    from endpoint.checks import changed_check_quads, check_quads

    db = ox.Store.read_only(str(store.resolve()))
    t0, c0 = time.perf_counter(), time.process_time()
    quads = check_quads(db, DEFAULT_BASE)
    full = {"full_wall_s": time.perf_counter() - t0, "full_cpu_s": time.process_time() - c0, "quads": len(quads)}
    graphs = sorted({q.graph_name for q in ox.parse(path=str(shard), format=ox.RdfFormat.N_QUADS)}, key=str)
    agencies = reported_agencies(db, [g for g in graphs if isinstance(g, ox.NamedNode)])
    t0, c0 = time.perf_counter(), time.process_time()
    changed_check_quads(db, DEFAULT_BASE, agencies)
    return {
        **full,
        "update_agencies": len(agencies),
        "update_wall_s": time.perf_counter() - t0,
        "update_cpu_s": time.process_time() - c0,
    }


def render(res: dict[str, Any]) -> str:
    """The section of bench/RESULTS.md (pure: the numbers in, markdown out)."""
    load, checks = res["load"], res["checks"]
    share_wall = checks["full_wall_s"] / load["wall_s"]
    share_cpu = checks["full_cpu_s"] / load["cpu_s"]
    share = max(share_wall, share_cpu)
    lines = [
        START,
        "",
        "## Checks across reports beside `gongkai load` (bench/checks.py, issue 21)",
        "",
        f"Run {res['when']}{part_of(res)}: `{res['command']}`, on {res['machine'].get('nproc', '?')} cores; "
        f"load average {res['load_before']} before, {res['load_after']} after. Corpus: {res['reports']:,} reports "
        f"of bench.generate in {load['shards']} N-Quads shards (carry-over drawn at random: nearly every pair of "
        "years disagrees, the worst case).",
        "",
        "| step | wall s | CPU s | share of the load (wall / CPU) |",
        "|---|---|---|---|",
        f"| `gongkai load` into a fresh store (everything: bulk load, vocabulary, provinces, aggregates, checks, "
        f"compaction) | {load['wall_s']:.1f} | {load['cpu_s']:.1f} | - |",
        f"| the checks in full, as a fresh load computes them ({checks['quads']:,} quads) | "
        f"{checks['full_wall_s']:.1f} | {checks['full_cpu_s']:.1f} | {share_wall:.1%} / {share_cpu:.1%} |",
        f"| the checks of an update of one shard ({checks['update_agencies']} agencies) | "
        f"{checks['update_wall_s']:.2f} | {checks['update_cpu_s']:.2f} | - |",
        "",
        "The checks run inside the load while the compaction uses the other core, so what they add to the "
        "load's wall time is at most their own time above.",
        "",
        f"- load-time checks ≤ 10% of `gongkai load` at {res['reports']} reports (is {share:.1%}, the larger of the "
        f"wall and CPU shares): {'**met**' if share <= TARGET else '**not met**'}",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder of bench.generate N-Quads shards")
    ap.add_argument("--report-only", action="store_true", help="write the section again from the saved numbers")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    store = WORK / "store"

    def measured() -> dict[str, Any]:
        before = os.getloadavg()[0]
        load = measure_load(args.corpus, store)
        checks = measure_checks(store, sorted(args.corpus.glob("*.nq"))[0])
        reports = json.loads((args.corpus / "corpus.json").read_text(encoding="utf-8"))["reports"]
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(store.with_name(store.name + ".releases"), ignore_errors=True)
        return {
            "load": load,
            "checks": checks,
            "reports": reports,
            "load_before": f"{before:.2f}",
            "load_after": f"{os.getloadavg()[0]:.2f}",
            "command": "python -m bench.checks " + " ".join(sys.argv[1:]),
        }

    measure_or_rerender(
        WORK / "results.json",
        args.report_only,
        measured,
        lambda res: write_section(START, END, render(res), RESULTS),
    )


if __name__ == "__main__":
    main()
