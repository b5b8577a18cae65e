"""Corpus-scale conversion on Dask distributed, beside the local process pool (issue 7).

``python -m bench.distributed -n 10000`` makes an input folder of N real report texts - the five
seeds of data/seeds, hard-linked N/5 times each under other names, with a manifest (CSV) giving
every copy its own agency (a realistic name from bench/generate.py, so that agencies have
provinces) and the seed's own year, so that the N files are N distinct reports - and converts it
three ways in this same run:

- ``gongkai convert DIR -o OUT.nq --jobs 1`` (one process; on the first ``--single`` files),
- ``gongkai convert DIR -o OUT.nq --jobs 2`` (the local process pool),
- ``gongkai convert DIR -o FOLDER --scheduler local`` (Dask: a LocalCluster with one
  single-threaded worker per core, one N-Quads shard per partition),

then checks that the Dask shards hold the same quads as the process pool's file, validates the first
``--validate-shards`` shards with ``gongkai validate -j 2`` and with ``--scheduler local`` (same
output required), and writes its section of bench/RESULTS.md. The times include process start-up
and writing the N-Quads.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import part_of, suite_stamp, write_section
from converter.distributed import shards_in

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench" / "distributed"
BIN = Path(sys.executable).parent
SEEDS = ROOT / "data" / "seeds"
START = "<!-- bench/distributed.py: start -->"
END = "<!-- bench/distributed.py: end -->"


def seed_years() -> dict[str, int]:
    """The year the converter reads from each seed."""
    from converter.options import ConvertOptions
    from converter.pipeline import convert_file

    years = {}
    for path in sorted(SEEDS.glob("*.txt")):
        report = convert_file(path, ConvertOptions())
        years[path.name] = report.meta.year
    return years


def make_inputs(n: int, folder: Path) -> Path:
    """``folder/in/`` with ``n`` hard links to the seeds and ``folder/manifest.csv``."""
    inputs = folder / "in"
    manifest = folder / "manifest.csv"
    if inputs.exists() and len(list(inputs.iterdir())) == n and manifest.exists():
        return manifest
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir(parents=True)
    from bench.generate import agency_names

    years = seed_years()
    seeds = sorted(years)
    agencies = agency_names(n, seed=1)
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "url", "agency", "year", "published"])
        for i in range(n):
            seed = seeds[i % len(seeds)]
            name = f"r{i:06d}_{seed}"
            os.link(SEEDS / seed, inputs / name)
            writer.writerow([name, "", agencies[i], years[seed], ""])
    return manifest


PEAK_RSS: dict[str, int] = {}  # MiB of each timed command, by its label (GNU time's maximum resident set size)
RSS_TIMELINE: dict[str, list[tuple[int, int]]] = {}  # (s since start, MiB of the command's process tree)


def timed(cmd: list[str], label: str | None = None, sample_s: float = 0) -> float:
    """Seconds of ``cmd``; with a label, also its peak RSS into :data:`PEAK_RSS` (via /usr/bin/time),
    and with ``sample_s`` > 0 its process tree's RSS every ``sample_s`` into :data:`RSS_TIMELINE`
    (when in the run the memory grows)."""
    import tempfile

    rss_file = WORK / ".peak-rss"
    if label is not None:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd]
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:  # a file, not a pipe: nothing blocks while we sample
        with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True) as child:
            if label is not None and sample_s > 0:
                RSS_TIMELINE[label] = _sample_rss(child, sample_s, start)
            child.wait()
        err.seek(0)
        stderr = err.read()
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {child.returncode}:\n{stderr[-2000:]}")
    if label is not None:
        PEAK_RSS[label] = int(rss_file.read_text().split()[-1]) // 1024
        rss_file.unlink()
    return elapsed


def _sample_rss(child: subprocess.Popen[str], every_s: float, start: float) -> list[tuple[int, int]]:
    """RSS (MiB) of ``child`` and its descendants every ``every_s`` until it exits."""
    import psutil

    samples: list[tuple[int, int]] = []
    root = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            rss = 0
        samples.append((round(time.perf_counter() - start), rss >> 20))
        time.sleep(every_s)
    return samples


def timed_output(cmd: list[str]) -> tuple[float, str]:
    """Seconds and standard output of ``gongkai validate`` (exit 0 or 1: conforms or not)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])}… exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def quad_set_digest(paths: list[Path]) -> tuple[int, str]:
    """Number of quad lines and an order-free digest of them (the sum of their hashes), in
    constant memory: equal for two sets of files holding the same quads, each once."""
    import hashlib

    count, total = 0, 0
    for path in paths:
        with path.open("rb") as fh:
            for line in fh:
                if line.strip():
                    count += 1
                    total += int.from_bytes(hashlib.blake2b(line, digest_size=16).digest(), "big")
    return count, f"{total % (1 << 128):032x}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="reports (files) to convert")
    parser.add_argument("--single", type=int, default=1000, help="files converted by one process (--jobs 1)")
    parser.add_argument("--partition-size", type=int, default=250, help="files per Dask partition (shard)")
    parser.add_argument("--validate-shards", type=int, default=8, help="shards validated, locally and on Dask")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the corpus-scale run (e.g. -n 100000): Dask only, gzip'd shards, every shard validated on Dask",
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="with --scale: then bulk load the shards into a store and time the figures on it (SPARQL, pages)",
    )
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="with --load: keep the store (build/bench/distributed/scale/store) for later measurements",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the saved results")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        base = json.loads((WORK / "results.json").read_text(encoding="utf-8"))
        scale_file = WORK / "results-scale.json"
        scale = render_scale(json.loads(scale_file.read_text(encoding="utf-8"))) if scale_file.exists() else []
        write_section(START, END, "\n".join([START, "", *render(base), *scale, END]))
        return
    if args.scale:
        scale_run(args.n, args.partition_size, load=args.load, keep_store=args.keep_store)
        return
    manifest = make_inputs(args.n, WORK)
    inputs = WORK / "in"
    gk = str(BIN / "gongkai")

    single_dir = WORK / "single"
    shutil.rmtree(single_dir, ignore_errors=True)
    single_dir.mkdir()
    for path in sorted(inputs.iterdir())[: args.single]:
        os.link(path, single_dir / path.name)
    t_single = timed(
        [gk, "convert", str(single_dir), "-o", str(WORK / "single.nq"), "--manifest", str(manifest), "-j", "1", "-q"],
        "single",
    )
    pool_out = WORK / "pool.nq"
    t_pool = timed(
        [gk, "convert", str(inputs), "-o", str(pool_out), "--manifest", str(manifest), "-j", "2", "-q"], "pool"
    )
    dask_out = WORK / "dask"
    shutil.rmtree(dask_out, ignore_errors=True)
    t_dask = timed(
        [
            gk,
            "convert",
            str(inputs),
            "-o",
            str(dask_out),
            "--manifest",
            str(manifest),
            "--scheduler",
            "local",
            "--partition-size",
            str(args.partition_size),
            "-q",
        ],
        "dask",
    )
    shards = shards_in(dask_out)
    pool_quads = quad_set_digest([pool_out])
    dask_quads = quad_set_digest(shards)
    checked = [str(p) for p in shards[: args.validate_shards]]
    t_val_pool, out_pool = timed_output([gk, "validate", "-q", "-j", "2", *checked])
    t_val_dask, out_dask = timed_output([gk, "validate", "-q", "-j", "2", "--scheduler", "local", *checked])
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python -m bench.distributed " + " ".join(sys.argv[1:]),
        **suite_stamp(),
        "n": args.n,
        "single_n": args.single,
        "single_s": t_single,
        "pool_s": t_pool,
        "dask_s": t_dask,
        "shards": len(shards),
        "quads": pool_quads[0],
        "same_quads": pool_quads == dask_quads,
        "validated_shards": len(checked),
        "validated_reports": min(args.n, len(checked) * args.partition_size),
        "validate_pool_s": t_val_pool,
        "validate_dask_s": t_val_dask,
        "validate_same_output": out_pool == out_dask,
        "validate_summary": out_dask.strip().splitlines()[-1] if out_dask.strip() else "",
        "cores": os.cpu_count(),
        "peak_rss_mib": PEAK_RSS,
    }
    (WORK / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for path in (pool_out, WORK / "single.nq"):
        path.unlink(missing_ok=True)
    shutil.rmtree(dask_out, ignore_errors=True)
    scale_file = WORK / "results-scale.json"
    scale = render_scale(json.loads(scale_file.read_text(encoding="utf-8"))) if scale_file.exists() else []
    write_section(START, END, "\n".join([START, "", *render(result), *scale, END]))
    print(json.dumps(result, indent=2))


def scale_run(n: int, partition_size: int, *, load: bool = False, keep_store: bool = False) -> None:
    """Convert ``n`` reports on a LocalCluster into gzip'd shards, validate every shard on the
    cluster, count the quads; with ``load``, then ``gongkai load`` the shards into a store and
    time the national and provincial figures on it (:func:`figures_at_scale`). The one-file pool
    run is left out (it would write ~0.4 GB of N-Quads per 1,000 reports, twice). The store
    (~0.3 GB per 1,000 reports) is removed at the end, like the shards, unless ``keep_store``.

    A quiet earlier run's conversion and validation (``earlier`` in the saved results) is kept
    beside this run's."""
    import gzip

    folder = WORK / "scale"
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    manifest = make_inputs(n, folder)
    inputs_s = time.perf_counter() - start
    gk = str(BIN / "gongkai")
    out = folder / "dask"
    shutil.rmtree(out, ignore_errors=True)
    t_dask = timed(
        [
            *(gk, "convert", str(folder / "in"), "-o", str(out), "--manifest", str(manifest)),
            *("--scheduler", "local", "--partition-size", str(partition_size), "--gzip", "-q"),
            *("--report", str(folder / "convert-report.json")),
        ],
        "dask",
    )
    shards = shards_in(out)
    t_val, out_val = timed_output([gk, "validate", "-q", "--scheduler", "local", *map(str, shards)])
    quads = 0
    for path in shards:
        with gzip.open(path, "rb") as fh:
            quads += sum(1 for line in fh if line.strip())
    records = json.loads((folder / "convert-report.json").read_text(encoding="utf-8"))
    loaded: dict[str, Any] = {}
    if load:
        store = folder / "store"
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(folder / "store.releases", ignore_errors=True)
        loaded["load_s"] = timed([gk, "load", "--store", str(store), *map(str, shards)], "load", sample_s=10)
        loaded["load_rss_timeline"] = RSS_TIMELINE["load"]
        loaded["store_bytes"] = sum(f.stat().st_size for f in store.resolve().rglob("*") if f.is_file())
        loaded.update(figures_at_scale(store))
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python -m bench.distributed " + " ".join(sys.argv[1:]),
        **suite_stamp(),
        "n": n,
        "converted": sum(1 for r in records if r["ok"]),
        "inputs_s": inputs_s,
        "dask_s": t_dask,
        "shards": len(shards),
        "gz_bytes": sum(p.stat().st_size for p in shards),
        "quads": quads,
        "validate_dask_s": t_val,
        "validate_summary": out_val.strip().splitlines()[-1] if out_val.strip() else "",
        "cores": os.cpu_count(),
        "peak_rss_mib": dict(PEAK_RSS),
        **loaded,
    }
    saved = WORK / "results-scale.json"
    if saved.exists() and "earlier" in (before := json.loads(saved.read_text(encoding="utf-8"))):
        result["earlier"] = before["earlier"]
    saved.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    if not keep_store:
        shutil.rmtree(folder / "store", ignore_errors=True)
        shutil.rmtree(folder / "store.releases", ignore_errors=True)
    shutil.rmtree(folder / "in", ignore_errors=True)
    base = json.loads((WORK / "results.json").read_text(encoding="utf-8"))
    write_section(START, END, "\n".join([START, "", *render(base), *render_scale(result), END]))
    print(json.dumps(result, indent=2))


def figures_at_scale(store: Path, repeat: int = 5) -> dict[str, Any]:
    """The figures people ask for, on the loaded store: each aggregate query in-process and through
    ``/sparql``, and the ``/figures`` pages, over HTTP from ``gongkai serve`` with the response cache
    off (every request computed); medians of ``repeat``. The scan that the national aggregate
    replaces runs once, in-process, for comparison."""
    import httpx
    from pyoxigraph import Store

    from bench import harness
    from bench.harness import BASE, free_port, gongkai_serve_cmd, server
    from bench.queries import PREFIXES, provincial_queries, queries

    named = {
        "national applications by outcome and year": queries("urn:x", "urn:x")["national aggregate (aggregate graph)"],
        "national refusals by reason and year": PREFIXES
        + (
            f"SELECT ?year ?request ?total WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ "
            f"?o qb:dataSet <{BASE}/id/dataset/national-refusals> ; gk:refYear ?year ; gk:request ?request ; "
            "gk:count ?total } } ORDER BY ?year ?request"
        ),
        "national appeals and lawsuits by result and year": PREFIXES
        + (
            f"SELECT ?year ?proceeding ?result ?total WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ "
            f"?o qb:dataSet <{BASE}/id/dataset/national-appeals> ; gk:refYear ?year ; gk:proceeding ?proceeding ; "
            "gk:result ?result ; gk:count ?total } } ORDER BY ?year ?proceeding ?result"
        ),
        "provincial applications (安徽, 34) by outcome and year": provincial_queries()[
            "provincial aggregate (aggregate graph)"
        ],
    }

    def median_ms(fn: Any) -> float:
        return harness.median_ms(fn, repeat)

    s = Store.read_only(str(store.resolve()))
    rows = {name: len(list(s.query(q, use_default_graph_as_union=True))) for name, q in named.items()}
    inproc = {
        name: median_ms(lambda q=q, s=s: list(s.query(q, use_default_graph_as_union=True))) for name, q in named.items()
    }
    scan = queries("urn:x", "urn:x")["national aggregate (scan)"]
    start = time.perf_counter()
    scan_rows = {
        (r["year"].value, r["request"].value, int(r["total"].value))
        for r in s.query(scan, use_default_graph_as_union=True)
    }
    scan_s = time.perf_counter() - start
    agg_rows = {
        (r["year"].value, r["request"].value, int(r["total"].value))
        for r in s.query(named["national applications by outcome and year"], use_default_graph_as_union=True)
    }
    del s
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    http: dict[str, float] = {}
    pages: dict[str, float] = {}
    status: dict[str, int] = {}
    started = time.perf_counter()
    with (
        server(
            gongkai_serve_cmd(store, WORK / "no-dumps", port),
            f"{url}/id/agency/x",
            env={"GONGKAI_RESPONSE_CACHE_MB": "0"},
        ),
        httpx.Client(timeout=120) as client,
    ):
        serve_start_s = time.perf_counter() - started
        accept = {"Accept": "application/sparql-results+json"}
        for name, q in named.items():
            status[name] = client.get(f"{url}/sparql", params={"query": q}, headers=accept).status_code
            http[name] = median_ms(lambda q=q: client.get(f"{url}/sparql", params={"query": q}, headers=accept))
        for path in ("/figures", "/figures?province=34"):
            status[path] = client.get(url + path).status_code
            pages[path] = median_ms(lambda path=path: client.get(url + path))
    return {
        "figures_rows": rows,
        "figures_inproc_ms": inproc,
        "figures_http_ms": http,
        "figures_pages_ms": pages,
        "figures_status": status,
        "serve_start_s": serve_start_s,
        "scan_s": scan_s,
        "scan_same_as_aggregate": scan_rows == agg_rows,
    }


def render_scale(r: dict[str, Any]) -> list[str]:
    n = int(r["n"])
    rate = n / float(r["dask_s"])
    quiet = r.get("earlier") or r  # the validation rate to judge: of a run that had the machine to itself
    minutes_per_1e5 = float(quiet["validate_dask_s"]) / 60 * 1e5 / int(quiet["converted"])
    return [
        f"### The {n:,}-report corpus on Dask",
        "",
        f"Run {r['when']} with `{r['command']}`{part_of(r)}, on {r['cores']} cores: {n:,} report texts made as above "
        f"({float(r['inputs_s']):.0f} s for the hard links and the manifest), converted with `gongkai convert … "
        "--scheduler local --gzip` (a LocalCluster of 2 single-threaded workers; one gzip'd N-Quads shard per "
        "partition), then every shard validated with `gongkai validate --scheduler local` (a task per shard, "
        "the default engine, bulk).",
        "",
        "| step | reports | s | reports/s | peak RSS MiB (the command) |",
        "|---|---|---|---|---|",
        f"| convert on Dask into {r['shards']} gzip'd shards ({int(r['gz_bytes']) / 2**30:.2f} GiB, "
        f"{int(r['quads']):,} quads) | {int(r['converted']):,} of {n:,} | {float(r['dask_s']):.0f} | {rate:.0f} | "
        f"{r['peak_rss_mib'].get('dask', '-')} |",
        f"| validate every shard on Dask | {int(r['converted']):,} | {float(r['validate_dask_s']):.0f} | "
        f"{int(r['converted']) / float(r['validate_dask_s']):.0f} | - |",
        *render_earlier(r),
        "",
        f"- Validation: `{r['validate_summary']}`. The SHACL target, 10^5 reports in under 10 minutes on 2 cores: "
        f"{minutes_per_1e5:.1f} min for 10^5 reports, measured end to end (reading the gzip'd shards included), "
        f"**{'met' if minutes_per_1e5 < 10 else 'not met'}**.",
        f"- Conversion and validation of the {n:,} reports: "
        f"{(float(quiet['dask_s']) + float(quiet['validate_dask_s'])) / 60:.1f} min in all on this 2-core machine.",
        *render_scale_load(r),
        "",
    ]


def render_earlier(r: dict[str, Any]) -> list[str]:
    """The same steps from an earlier run on a quiet machine, when this run's shared it (``earlier``:
    its results, and ``shared``: what else ran during this one)."""
    e = r.get("earlier")
    if not e:
        return []
    n = int(e["converted"])
    return [
        f"| convert, earlier run ({e['when']}, the machine quiet) | {n:,} of {int(e['n']):,} | "
        f"{float(e['dask_s']):.0f} | {int(e['n']) / float(e['dask_s']):.0f} | {e['peak_rss_mib'].get('dask', '-')} |",
        f"| validate, earlier run | {n:,} | {float(e['validate_dask_s']):.0f} | {n / float(e['validate_dask_s']):.0f} | - |",
        "",
        f"This run's conversion and validation shared the 2 cores with {r['shared']}; the earlier run's are the "
        "rates to read (same code since, except the agency names of the manifest).",
    ]


def render_scale_load(r: dict[str, Any]) -> list[str]:
    """The bulk load and the figures on the loaded store, if this run did them (``--load``)."""
    if "load_s" not in r:
        return [
            "- Not done in this run: the bulk load into a store (`--load`) and the one-file process-pool run "
            "(~40 GB of N-Quads, twice)."
        ]
    n = int(r["converted"])
    lines = [
        f"- Bulk load: `gongkai load --store … <the {r['shards']} gzip'd shards>` into an empty store "
        f"(bulk_load of each shard, the vocabulary, the compaction and the aggregate cubes): "
        f"{float(r['load_s']) / 60:.1f} min ({n / float(r['load_s']):.0f} reports/s, "
        f"{int(r['quads']) / float(r['load_s']) / 1e3:.0f} k quads/s), peak RSS {r['peak_rss_mib'].get('load', '-')} MiB; "
        f"store {int(r['store_bytes']) / 2**30:.1f} GiB.",
        "",
        f"The figures on the store of {n:,} reports (issue 7, item 4: under 1 s at 10^5 reports). In-process = "
        "pyoxigraph on the release; /sparql and the pages = `gongkai serve` over HTTP with the response cache off "
        "(`GONGKAI_RESPONSE_CACHE_MB=0`, every request computed); medians of 5.",
        "",
        "| figure | rows | in-process ms | /sparql ms (status) |",
        "|---|---|---|---|",
    ]
    worst = 0.0
    for name, rows in r["figures_rows"].items():
        http = float(r["figures_http_ms"][name])
        worst = max(worst, http, float(r["figures_inproc_ms"][name]))
        lines.append(
            f"| {name} | {rows} | {float(r['figures_inproc_ms'][name]):.1f} | {http:.1f} ({r['figures_status'][name]}) |"
        )
    for path, ms in r["figures_pages_ms"].items():
        worst = max(worst, float(ms))
        lines.append(
            f"| page `{path}` (HTML: every cube of the page) | - | - | {float(ms):.1f} ({r['figures_status'][path]}) |"
        )
    lines += [
        "",
        f"- The national sum by outcome and year scanned from the report observations instead (what the aggregate "
        f"replaces; one run, in-process): {float(r['scan_s']):.0f} s; same rows as the aggregate: "
        f"{r['scan_same_as_aggregate']}.",
        *_serve_and_memory(r),
        *(f"- {note}" for note in r.get("notes", [])),
        f"- Target, the figures under 1 s at 10^5 reports through SPARQL and the pages: slowest {worst:.0f} ms at "
        f"{n:,} reports, **{'met' if worst < 1000 and n >= 100_000 else 'not met' if worst >= 1000 else 'not shown at 10^5'}**.",
    ]
    return lines


def _serve_and_memory(r: dict[str, Any]) -> list[str]:
    """When the server could answer, and the load's memory over its run (max RSS per tenth)."""
    lines = []
    if "serve_start_s" in r:
        lines.append(
            f"- `gongkai serve` on this store answered its first request {float(r['serve_start_s']):.1f} s after it "
            "was started (the provinces listed on /figures are counted then, once per release)."
        )
    timeline = r.get("load_rss_timeline") or []
    if timeline:
        end = max(t for t, _ in timeline) or 1
        tenths = [
            max((m for t, m in timeline if k * end / 10 <= t <= (k + 1) * end / 10), default=0) for k in range(10)
        ]
        lines.append(
            "- The load's RSS (process tree, sampled every 10 s), the maximum in each tenth of its run: "
            + ", ".join(f"{m}" for m in tenths)
            + " MiB."
        )
    return lines


def render(r: dict[str, object]) -> list[str]:
    n, single_n = int(r["n"]), int(r["single_n"])  # type: ignore[call-overload]
    single_rate = single_n / float(r["single_s"])  # type: ignore[arg-type]
    pool_rate = n / float(r["pool_s"])  # type: ignore[arg-type]
    dask_rate = n / float(r["dask_s"])  # type: ignore[arg-type]
    rss: dict[str, int] = r.get("peak_rss_mib", {})  # type: ignore[assignment]
    return [
        "## Corpus-scale conversion on Dask (bench/distributed.py, issue 7)",
        "",
        f"Run {r['when']} with `{r['command']}`{part_of(r)}, on {r['cores']} cores. Input: {n:,} report texts (the five seeds, "
        "hard-linked under other names, each given its own agency by a manifest: "
        f"{n:,} distinct reports, {int(r['quads']):,} quads). Times are of the whole `gongkai convert` command "  # type: ignore[call-overload]
        "(start-up, conversion, SHA-256 of sources, N-Quads written).",
        "",
        "| how | files | s | reports/s | extrapolated 10^5 reports | peak RSS MiB (the command, not its workers) |",
        "|---|---|---|---|---|---|",
        f"| `--jobs 1` (one process) into one .nq | {single_n:,} | {float(r['single_s']):.1f} | {single_rate:.0f} | "  # type: ignore[arg-type]
        f"{1e5 / single_rate / 60:.1f} min | {rss.get('single', '-')} |",
        f"| `--jobs 2` (process pool) into one .nq | {n:,} | {float(r['pool_s']):.1f} | {pool_rate:.0f} | "  # type: ignore[arg-type]
        f"{1e5 / pool_rate / 60:.1f} min | {rss.get('pool', '-')} |",
        f"| `--scheduler local` (Dask LocalCluster, 2 workers, {r['shards']} shards) | {n:,} | "
        f"{float(r['dask_s']):.1f} | {dask_rate:.0f} | {1e5 / dask_rate / 60:.1f} min | {rss.get('dask', '-')} |",  # type: ignore[arg-type]
        "",
        f"- Dask shards and the process pool's file hold the same quads: {r['same_quads']}.",
        f"- Validation of the first {r['validated_shards']} shards ({int(r['validated_reports']):,} reports; "  # type: ignore[call-overload]
        f"the default engine, bulk): `gongkai validate -j 2` {float(r['validate_pool_s']):.1f} s, "  # type: ignore[arg-type]
        f"`--scheduler local` (2 workers, a task per shard) {float(r['validate_dask_s']):.1f} s; "  # type: ignore[arg-type]
        f"same output: {r['validate_same_output']} (`{r['validate_summary']}`).",
        "- One .nq file is an external sort of report blocks (converter/output.py): 32 MiB of blocks in memory, "
        "then a run file; runs merged 64 at a time (1 MiB buffers). So the command's memory is bounded whatever "
        f"the number of reports ({rss.get('pool', '-')} MiB at {n:,} reports above); before that sort "
        "the `--jobs 2` run into one file was killed at 10^4 reports (out of memory at 24 GB). Each "
        "worker emits its reports' N-Quads with pyoxigraph.",
        "- The one-file pool path writes its N-Quads twice (runs, then the file: ~4.5 GB each at 10^4 reports), "
        "from its main process; the Dask path writes each shard once, in its workers: "
        f"{dask_rate / pool_rate:.2f}× the pool's rate and {dask_rate / single_rate:.2f}× one process's here. "
        "On this 2-vCPU machine two busy processes give less than 2× one (the workers' CPU time per report "
        "rises when both run).",
        "- The 10^5-report corpus: next section (Dask only, gzip'd shards: the one-file pool run would write "
        "~40 GB of N-Quads twice).",
        "",
    ]


if __name__ == "__main__":
    main()
