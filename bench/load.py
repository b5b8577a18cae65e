"""``gongkai load`` against pyoxigraph ``Store.bulk_load`` of the same N-Quads shards (``--only load``).

At each corpus size: a fresh load into an empty store, and a reload of 10% of the reports into the
loaded store, each against ``Store.bulk_load`` of the same files (and + ``optimize``, and one
bulk_load of every file as one stream), with the peak RSS of each process; rounds of peer and
Gongkai back to back, the tables giving medians and the targets the medians of the paired ratios.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.harness import (
    ROOT,
    WORK,
    Run,
    Target,
    fmt,
    median_runs,
    note,
    paired_ratio,
    py,
    ratio,
    run_measured,
    shards,
)

PEER_LOAD = """
import json, sys, time
from pyoxigraph import RdfFormat, Store
store = Store(sys.argv[1]); files = sys.argv[2:]
t0 = time.perf_counter()
for f in files:
    store.bulk_load(path=f, format=RdfFormat.N_QUADS)
t1 = time.perf_counter(); store.optimize(); store.flush(); t2 = time.perf_counter()
print(json.dumps({"bulk_load": t1 - t0, "optimize": t2 - t1, "quads": len(store)}))
"""

# The peer at its fastest: the same files as one stream in a single bulk_load, ~20% faster than a
# call per file, but Oxigraph then holds much more in memory (1.6 GB against 0.26 GB at 1,000
# reports), which is why `gongkai load` does not do it.
PEER_LOAD_STREAM = """
import io, json, sys, time
from pyoxigraph import RdfFormat, Store
class Files(io.RawIOBase):
    def __init__(self, paths): self.paths, self.fh = list(paths), None
    def readable(self): return True
    def readinto(self, b):
        while True:
            if self.fh is None:
                if not self.paths: return 0
                self.fh = open(self.paths.pop(0), "rb")
            n = self.fh.readinto(b)
            if n: return n
            self.fh.close(); self.fh = None; b[0:1] = b"\\n"; return 1
store = Store(sys.argv[1]); files = sys.argv[2:]
t0 = time.perf_counter()
store.bulk_load(io.BufferedReader(Files(files), 1 << 20), RdfFormat.N_QUADS)
t1 = time.perf_counter(); store.optimize(); store.flush(); t2 = time.perf_counter()
print(json.dumps({"bulk_load": t1 - t0, "optimize": t2 - t1, "quads": len(store)}))
"""

# The peer replacing reports, as a pyoxigraph user would: the graph names of the files (parsed),
# remove_graph of each, then bulk_load (bulk_load alone would add to the old graphs, not replace them).
PEER_REPLACE = """
import json, sys, time
from pyoxigraph import RdfFormat, Store, parse
store = Store(sys.argv[1]); files = sys.argv[2:]
t0 = time.perf_counter()
names = {q.graph_name for f in files for q in parse(path=f, format=RdfFormat.N_QUADS)}
t1 = time.perf_counter()
for g in names:
    store.remove_graph(g)
t2 = time.perf_counter()
for f in files:
    store.bulk_load(path=f, format=RdfFormat.N_QUADS)
store.flush(); t3 = time.perf_counter()
print(json.dumps({"names": t1 - t0, "remove": t2 - t1, "bulk_load": t3 - t2, "replace": t3 - t0}))
"""

GONGKAI_LOAD = """
import json, sys, time
from pathlib import Path
from endpoint.load import load
t0 = time.perf_counter()
optimize = {"1": True, "0": False}.get(sys.argv[2])  # "auto": the loader decides
r = load([Path(f) for f in sys.argv[3:]], Path(sys.argv[1]), base_url="http://localhost:8000", optimize=optimize)
print(json.dumps({"seconds": time.perf_counter() - t0, "quads": r.quads, "optimized": r.optimized}))
"""

AGGREGATES_ONE_SHARD = (
    "import sys,time; from pyoxigraph import Store; from endpoint.aggregates import compute_aggregates;"
    "s=Store(); s.bulk_load(path=sys.argv[1], format=__import__('pyoxigraph').RdfFormat.N_QUADS);"
    "t=time.perf_counter(); compute_aggregates(s); print(time.perf_counter()-t)"
)


def _point(store: Path, release: Path) -> None:
    """Point the store link at ``release`` again. The reload leaves the store on its own release,
    which is not compacted: the dump and HTTP sections must measure the fresh load's (an
    uncompacted release answers some queries twice as slowly, and Gongkai's query workers suffer
    from it more than the one Oxigraph server: see the notes)."""
    link = store.with_name(f".{store.name}.bench-link")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(release, store.parent), target_is_directory=True)
    link.replace(store)


def measure(run: Run) -> dict[str, Any]:
    """The load section: the previous run's sizes, with those of this run measured again."""
    return {**run.previous.get("load", {}), **{str(n): measure_size(run, n, folder) for n, folder in run.sizes}}


def measure_size(run: Run, n: int, folder: Path) -> dict[str, Any]:
    """Fresh load (empty store) and reload of 10% of the reports into the loaded store, each
    against ``Store.bulk_load`` of the same files (and + ``optimize``), :meth:`Run.rounds_for` rounds."""
    files = [str(p) for p in shards(folder)]
    tenth = files[: len(files) // 10]  # 100-report shards: 10% of the reports (none below 1,000)
    quads_in = json.loads((folder / "corpus.json").read_text())["quads"]
    for f in files:  # both sides read the shards from the page cache
        Path(f).read_bytes()
    peer_dir, store = WORK / f"peer-store-{n}", WORK / f"store-{n}"
    rounds: dict[str, list[dict[str, Any]]] = {}

    def measured(key: str, cmd: list[str], **kwargs: Any) -> None:
        t, rss, text = run_measured(cmd, **kwargs)
        rounds.setdefault(key, []).append({**json.loads(text), "process_s": t, "rss_mib": rss})

    for _ in range(run.rounds_for(n)):
        for optimize in ("0", "1"):  # the optimized store is the one kept for dump and HTTP
            shutil.rmtree(peer_dir, ignore_errors=True)
            measured("peer", py(PEER_LOAD, str(peer_dir), *files))
            shutil.rmtree(store, ignore_errors=True)
            shutil.rmtree(WORK / f"store-{n}.releases", ignore_errors=True)
            if store.is_symlink():
                store.unlink()
            key = "gongkai" if optimize == "1" else "gongkai_no_optimize"
            measured(key, py(GONGKAI_LOAD, str(store), optimize, *files), cwd=ROOT)
        shutil.rmtree(peer_dir.with_name(peer_dir.name + "-stream"), ignore_errors=True)
        measured("peer_stream", py(PEER_LOAD_STREAM, str(peer_dir) + "-stream", *files))
        shutil.rmtree(peer_dir.with_name(peer_dir.name + "-stream"), ignore_errors=True)
        if tenth:  # reload: the same 10% again, into the stores just loaded
            fresh = store.resolve()  # the fresh load's compacted release
            measured("peer_reload", py(PEER_LOAD, str(peer_dir), *tenth))
            measured("peer_replace", py(PEER_REPLACE, str(peer_dir), *tenth))
            measured("gongkai_reload", py(GONGKAI_LOAD, str(store), "auto", *tenth), cwd=ROOT)
            _point(store, fresh)
    shutil.rmtree(peer_dir, ignore_errors=True)
    med = {k: median_runs(v) for k, v in rounds.items()}
    _, _, agg_text = run_measured(py(AGGREGATES_ONE_SHARD, files[0]), cwd=ROOT)  # for the breakdown
    p, g = med["peer"], med["gongkai"]
    # ratios of each round's back-to-back pair (peer then Gongkai), then their median: the
    # other processes on the machine change between rounds more than within one
    pairs = {
        "fresh": (rounds["peer"][1::2], rounds["gongkai"], False),
        "fresh_vs_optimize": (rounds["peer"][1::2], rounds["gongkai"], True),
        "no_optimize": (rounds["peer"][0::2], rounds["gongkai_no_optimize"], False),
        "fresh_vs_stream": (rounds["peer_stream"], rounds["gongkai"], False),
        "fresh_vs_stream_optimize": (rounds["peer_stream"], rounds["gongkai"], True),
        **(
            {
                "reload": (rounds["peer_reload"], rounds["gongkai_reload"], False),
                "reload_vs_optimize": (rounds["peer_reload"], rounds["gongkai_reload"], True),
            }
            if tenth
            else {}
        ),
    }
    paired = {
        name: paired_ratio(peers, gks, lambda r, opt=opt: r["bulk_load"] + (r["optimize"] if opt else 0))
        for name, (peers, gks, opt) in pairs.items()
    }
    if tenth:
        paired["reload_vs_replace"] = paired_ratio(
            rounds["peer_replace"], rounds["gongkai_reload"], lambda r: r["replace"]
        )
    row = {
        "paired_ratios": paired,
        "reports": n,
        "quads_in": quads_in,
        "repeat": run.rounds_for(n),
        "peer": p,
        "peer_process_s": p["process_s"],
        "peer_rss_mib": p["rss_mib"],
        "gongkai": g,
        "gongkai_process_s": g["process_s"],
        "gongkai_rss_mib": g["rss_mib"],
        "gongkai_no_optimize": med["gongkai_no_optimize"],
        "peer_stream": med["peer_stream"],
        "aggregates_one_shard_s": float(agg_text),
        "reload_files": len(tenth),
        **(
            {
                "peer_reload": med["peer_reload"],
                "peer_replace": med["peer_replace"],
                "gongkai_reload": med["gongkai_reload"],
            }
            if tenth
            else {}
        ),
        "runs": rounds,
        "store": str(store),
    }
    print(progress(n, row), file=sys.stderr)
    return row


def progress(n: int, row: dict[str, Any]) -> str:
    """The line printed when a size is measured."""
    p, g = row["peer"], row["gongkai"]
    line = (
        f"load {n}: gongkai {g['seconds']:.1f}s (no optimize {row['gongkai_no_optimize']['seconds']:.1f}s) vs "
        f"bulk_load {p['bulk_load']:.1f}s (+optimize {p['optimize']:.1f}s): "
        f"{p['bulk_load'] / g['seconds']:.2f}x, {(p['bulk_load'] + p['optimize']) / g['seconds']:.2f}x with optimize"
    )
    if "gongkai_reload" in row:
        pr, gr = row["peer_reload"], row["gongkai_reload"]
        line += (
            f"; reload 10%: gongkai {gr['seconds']:.1f}s vs bulk_load {pr['bulk_load']:.1f}s "
            f"(+optimize {pr['optimize']:.1f}s): {pr['bulk_load'] / gr['seconds']:.2f}x, "
            f"{(pr['bulk_load'] + pr['optimize']) / gr['seconds']:.2f}x with optimize; "
            f"vs remove_graph + bulk_load {row['peer_replace']['replace']:.1f}s: "
            f"{row['peer_replace']['replace'] / gr['seconds']:.2f}x"
        )
    return line


def render(res: dict[str, Any]) -> list[str]:
    """The load tables (fresh load, then reload) of ``res["load"]``."""
    if "load" not in res:
        return []
    lines = [
        "### Load and dump: `gongkai load` vs `Store.bulk_load`, `gongkai dump` vs `Store.dump`",
        "",
        note("load", "fresh load"),
        "",
        "| reports | quads | rounds | `gongkai load` s (RSS MiB) | `--no-optimize` s | bulk_load s | bulk_load + optimize s (RSS MiB) | one-stream bulk_load s (+ optimize; RSS) | aggregates s (1 shard) | ratio vs bulk_load | ratio vs bulk_load+optimize | ratio vs one-stream bulk_load (+ optimize) | `--no-optimize` vs bulk_load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, row in res["load"].items():
        p, g = row["peer"], row["gongkai"]
        nopt = row.get("gongkai_no_optimize", {}).get("seconds")
        ps = row.get("peer_stream")
        stream_cell = (
            f"{fmt(ps['bulk_load'])} ({fmt(ps['bulk_load'] + ps['optimize'])}; {ps['rss_mib']:.0f} MiB)" if ps else "-"
        )
        stream_ratio = (
            f"{ratio(ps['bulk_load'], g['seconds'])} ({ratio(ps['bulk_load'] + ps['optimize'], g['seconds'])})"
            if ps
            else "-"
        )
        lines.append(
            f"| {n} | {row['quads_in']:,} | {row.get('repeat', 1)} | {fmt(g['seconds'])} ({row['gongkai_rss_mib']}) | "
            f"{fmt(nopt) if nopt else '-'} | {fmt(p['bulk_load'])} | "
            f"{fmt(p['bulk_load'] + p['optimize'])} ({row['peer_rss_mib']:.0f}) | {stream_cell} | {fmt(row['aggregates_one_shard_s'])} | {ratio(p['bulk_load'], g['seconds'])} | "
            f"{ratio(p['bulk_load'] + p['optimize'], g['seconds'])} | {stream_ratio} | {ratio(p['bulk_load'], nopt) if nopt else '-'} |"
        )
    reloads = {n: row for n, row in res["load"].items() if "gongkai_reload" in row}
    if reloads:
        lines += [
            "",
            note("load", "reload"),
            "",
            "| reports | files reloaded | `gongkai load` s (RSS MiB) | bulk_load s | bulk_load + optimize s | replace s (names / remove_graph / bulk_load) | ratio vs bulk_load | ratio vs bulk_load+optimize | ratio vs replace |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for n, row in reloads.items():
            p, g = row["peer_reload"], row["gongkai_reload"]
            rp = row.get("peer_replace")
            pr = row.get("paired_ratios", {})
            lines.append(
                f"| {n} | {row['reload_files']} | {fmt(g['seconds'])} ({g['rss_mib']}) | {fmt(p['bulk_load'])} | "
                f"{fmt(p['bulk_load'] + p['optimize'])} | "
                + (
                    f"{fmt(rp['replace'])} ({fmt(rp['names'])} / {fmt(rp['remove'])} / {fmt(rp['bulk_load'])})"
                    if rp
                    else "-"
                )
                + f" | {ratio(p['bulk_load'], g['seconds'])} | "
                f"{ratio(p['bulk_load'] + p['optimize'], g['seconds'])} | "
                + (f"{pr.get('reload_vs_replace', rp['replace'] / g['seconds']):.2f}× |" if rp else "- |")
            )
    lines.append("")
    return lines


def targets(res: dict[str, Any]) -> list[Target]:
    """Fresh load and reload against the peer at each size (bench/summary.py parses these lines; the
    peak memory across sizes is :func:`bench.harness.memory_growth`)."""
    out: list[Target] = []
    for n, row in res.get("load", {}).items():
        p, g = row["peer"], row["gongkai"]
        nopt = row.get("gongkai_no_optimize", {}).get("seconds")
        pr = row.get("paired_ratios", {})
        # the target is judged against the faster way to call the peer
        r = min(pr.get("fresh", p["bulk_load"] / g["seconds"]), pr.get("fresh_vs_stream", float("inf")))
        out.append(
            (
                f"load ≥ 0.9× bulk_load at {n} reports (is {r:.2f}×, against the faster of bulk_load per file "
                f"({pr.get('fresh', p['bulk_load'] / g['seconds']):.2f}×) and one-stream bulk_load "
                f"({pr.get('fresh_vs_stream', float('nan')):.2f}×); vs bulk_load+optimize "
                f"{pr.get('fresh_vs_optimize', (p['bulk_load'] + p['optimize']) / g['seconds']):.2f}× and "
                f"{pr.get('fresh_vs_stream_optimize', float('nan')):.2f}×"
                + (f"; `--no-optimize` {pr.get('no_optimize', p['bulk_load'] / nopt):.2f}×" if nopt else "")
                + "; medians of the rounds' paired ratios)",
                r >= 0.9,
            )
        )
    for n, row in res.get("load", {}).items():
        if "gongkai_reload" not in row:
            continue
        p, g = row["peer_reload"], row["gongkai_reload"]
        rp = row.get("peer_replace")
        pr = row.get("paired_ratios", {})
        r = pr.get("reload", p["bulk_load"] / g["seconds"])
        out.append(
            (
                f"reload of 10% ≥ 0.9× the peer at {n} reports: vs remove_graph + bulk_load (the same job) "
                + (f"{pr.get('reload_vs_replace', rp['replace'] / g['seconds']):.2f}×" if rp else "not measured")
                + f"; vs bulk_load alone {r:.2f}×, vs bulk_load+optimize "
                f"{pr.get('reload_vs_optimize', (p['bulk_load'] + p['optimize']) / g['seconds']):.2f}×",
                bool(rp) and pr.get("reload_vs_replace", rp["replace"] / g["seconds"]) >= 0.9,
            )
        )
    return out
