"""``gongkai dump`` against pyoxigraph ``Store.dump`` of the same store (``--only dump``).

``gongkai dump`` (4+ gzip files: whole and per year, N-Quads and Turtle) against one ``Store.dump``
of the whole store as N-Quads, plain and gzip -6, with the peak RSS of each, on the store the load
section left at each corpus size.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.harness import (
    BIN,
    ROOT,
    WORK,
    Run,
    Target,
    fmt,
    median_runs,
    paired_ratio,
    py,
    ratio,
    run_measured,
)

PEER_DUMP = """
import json, sys, time
from pyoxigraph import RdfFormat, Store
store = Store.read_only(sys.argv[1])
t0 = time.perf_counter()
with open(sys.argv[2], "wb") as fh:
    store.dump(fh, RdfFormat.N_QUADS)
t1 = time.perf_counter()
import gzip
with gzip.open(sys.argv[2] + ".gz", "wb", compresslevel=int(sys.argv[3])) as fh:
    store.dump(fh, RdfFormat.N_QUADS)
print(json.dumps({"nquads": t1 - t0, "nquads_gz": time.perf_counter() - t1}))
"""


def measure(run: Run) -> dict[str, Any]:
    """The dump section: the previous run's sizes, with those of this run measured again."""
    return {**run.previous.get("dump", {}), **{str(n): measure_size(run, n) for n, _ in run.sizes}}


def measure_size(run: Run, n: int) -> dict[str, Any]:
    """:meth:`Run.rounds_for` rounds of ``gongkai dump`` then ``Store.dump`` of ``build/bench/store-N``."""
    store = WORK / f"store-{n}"
    dumps = WORK / f"dumps-{n}"
    peer_file = WORK / f"peer-dump-{n}.nq"
    gk_runs: list[dict[str, Any]] = []
    peer_runs: list[dict[str, Any]] = []
    for _ in range(run.rounds_for(n)):
        shutil.rmtree(dumps, ignore_errors=True)
        t_gk, rss_gk, _ = run_measured(
            [str(BIN / "gongkai"), "dump", "--store", str(store), "-o", str(dumps)], cwd=ROOT
        )
        gk_runs.append({"seconds": t_gk, "rss_mib": rss_gk})
        _, rss_peer, text = run_measured(py(PEER_DUMP, str(store.resolve()), str(peer_file), "6"))
        peer_runs.append({**json.loads(text), "rss_mib": rss_peer})
    nq_bytes = peer_file.stat().st_size
    nq_gz_bytes = Path(str(peer_file) + ".gz").stat().st_size
    peer_file.unlink()
    Path(str(peer_file) + ".gz").unlink()
    gk, peer = median_runs(gk_runs), median_runs(peer_runs)
    whole = dumps / "gongkai.nq.gz"
    print(
        f"dump {n}: gongkai {gk['seconds']:.1f}s vs store.dump {peer['nquads']:.1f}s "
        f"({peer['nquads'] / gk['seconds']:.2f}x), gzip'd {peer['nquads_gz']:.1f}s "
        f"({peer['nquads_gz'] / gk['seconds']:.2f}x)",
        file=sys.stderr,
    )
    return {
        "paired_ratios": {
            "nquads": paired_ratio(peer_runs, gk_runs, lambda r: r["nquads"]),
            "nquads_gz": paired_ratio(peer_runs, gk_runs, lambda r: r["nquads_gz"]),
        },
        "repeat": run.rounds_for(n),
        "gongkai_s": gk["seconds"],
        "gongkai_rss_mib": gk["rss_mib"],
        "gongkai_files": len(list(dumps.glob("*.gz"))),
        "gongkai_bytes": sum(p.stat().st_size for p in dumps.glob("*.gz")),
        "gongkai_whole_nq_gz_bytes": whole.stat().st_size,
        "peer": peer,
        "peer_rss_mib": peer["rss_mib"],
        "nquads_bytes": nq_bytes,
        "nquads_gz_bytes": nq_gz_bytes,
        "runs": {"gongkai": gk_runs, "peer": peer_runs},
    }


def render(res: dict[str, Any]) -> list[str]:
    """The dump table of ``res["dump"]`` (under the load section's heading)."""
    if "dump" not in res:
        return []
    lines = [
        "`gongkai dump` writes each year's N-Quads and Turtle once (threads, ISA-L gzip) and the whole data set as "
        "the concatenation of those gzip members; the peer is one `Store.dump` of the whole store as N-Quads.",
        "",
        "| reports | rounds | `gongkai dump` s (RSS MiB, files, gz bytes) | whole .nq.gz bytes | `Store.dump` N-Quads s | same, gzip -6 s (bytes) | peer RSS MiB | ratio vs N-Quads | ratio vs gzip |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, row in res["dump"].items():
        p = row["peer"]
        whole_gz = row.get("gongkai_whole_nq_gz_bytes")
        peer_gz = row.get("nquads_gz_bytes")
        lines.append(
            f"| {n} | {row.get('repeat', 1)} | {fmt(row['gongkai_s'])} ({row['gongkai_rss_mib']}, {row['gongkai_files']}, {row['gongkai_bytes']:,}) | "
            f"{f'{whole_gz:,}' if whole_gz else '-'} | {fmt(p['nquads'])} | {fmt(p['nquads_gz'])}"
            f"{f' ({peer_gz:,})' if peer_gz else ''} | {row['peer_rss_mib']} | {ratio(p['nquads'], row['gongkai_s'])} | "
            f"{ratio(p['nquads_gz'], row['gongkai_s'])} |"
        )
    lines.append("")
    return lines


def targets(res: dict[str, Any]) -> list[Target]:
    """Dump against the peer at each size (bench/summary.py parses these lines; the peak memory across
    sizes is :func:`bench.harness.memory_growth`)."""
    out: list[Target] = []
    for n, row in res.get("dump", {}).items():
        p = row["peer"]
        pr = row.get("paired_ratios", {})
        r = pr.get("nquads", p["nquads"] / row["gongkai_s"])
        out.append(
            (
                f"dump ≥ 0.9× Store.dump at {n} reports (is {r:.2f}×; vs gzip'd dump "
                f"{pr.get('nquads_gz', p['nquads_gz'] / row['gongkai_s']):.2f}×; medians of the rounds' paired ratios)",
                r >= 0.9,
            )
        )
    return out
