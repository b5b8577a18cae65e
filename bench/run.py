"""Benchmarks against peers measured in the same run; writes bench/RESULTS.md (``make bench``).

``python -m bench.run [-n 1000,10000] [--small 200] [--duration 5] [--only http,load,...]``

Sections (each compares Gongkai with a peer on the same machine, in this one run):

- ``load``: ``gongkai load`` vs pyoxigraph ``Store.bulk_load`` (and bulk_load + optimize) of the
  same N-Quads shards, at each corpus size (the small one and each ``-n``), with peak RSS of
  each process;
- ``dump``: ``gongkai dump`` vs pyoxigraph ``Store.dump`` (N-Quads), with peak RSS;
- ``http``: the FastAPI endpoint (uvicorn) vs ``oxigraph serve-read-only`` on the same store
  release, with ``wrk`` (c=1 and c=16, loopback) on five requests and the framework floor;
- ``aggregate``: a national sum by outcome and year from the aggregate graph vs the scan query;
- ``convert``: reports/s per core for the text seeds and the HTML/PDF fixtures vs BeautifulSoup
  / pdfplumber alone, 1 vs 2 processes;
- ``shacl``: ``converter.validate`` per report vs pySHACL over a small corpus and pyshacl-turbo.

With every section and both default sizes (10^3 and 10^4 reports) one run takes about 70 minutes
on 2 cores: every ratio of the tables then comes from that one run. ``-n 1000`` takes
about half an hour; ``--only`` measures some sections again and keeps the others' numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.results import part_of, suite_stamp, write_section

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = sys.executable
BIN = Path(PY).parent
BASE = "http://localhost:8000"
START, END = "<!-- bench/run.py: start -->", "<!-- bench/run.py: end -->"
CONV_START, CONV_END = "<!-- bench/run.py conversion: start -->", "<!-- bench/run.py conversion: end -->"

PREFIXES = (
    "PREFIX gk: <https://w3id.org/gongkai/def#> PREFIX qb: <http://purl.org/linked-data/cube#> "
    "PREFIX code: <https://w3id.org/gongkai/code/> "
)


# --------------------------------------------------------------------------------------------
# helpers


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    from importlib.metadata import version

    versions = {}
    for pkg in (
        "pyoxigraph",
        "oxigraph",
        "fastapi",
        "uvicorn",
        "rdflib",
        "pyshacl",
        "pyshacl-turbo",
        "beautifulsoup4",
        "pdfplumber",
        "uvloop",
        "httptools",
    ):
        try:
            versions[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            versions[pkg] = "-"
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        wrk_version = (wrk.stdout + wrk.stderr).split("\n")[0].strip()
    except FileNotFoundError:  # only the HTTP sections need it (apt-get install wrk)
        wrk_version = "not installed"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "wrk": wrk_version,
        **versions,
    }


def run_measured(cmd: list[str], **kwargs: Any) -> tuple[float, int, str]:
    """Run ``cmd``; (wall seconds, peak RSS in MiB of the process, stdout).

    The peak is the process's own ``VmHWM`` (the high-water mark of its memory since it was
    started), read every 20 ms while it runs. Not ``ru_maxrss`` from ``wait4``: Linux counts in it
    the memory the child had before its exec, a copy of this process, so a child of a large
    benchmark process (one that loaded a store in-process) reported this process's size."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    peak_kib = [0]
    done = threading.Event()

    def watch() -> None:
        status = Path(f"/proc/{proc.pid}/status")
        while not done.is_set():
            with contextlib.suppress(OSError, StopIteration, ValueError, IndexError):
                line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
                peak_kib[0] = max(peak_kib[0], int(line.split()[1]))
            done.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out, err = proc.communicate()
    finally:
        done.set()
        watcher.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return seconds, peak_kib[0] // 1024, out.decode()


def py(code: str, *args: str) -> list[str]:
    return [PY, "-c", code, *args]


def corpus(n: int, seed: int = 1) -> Path:
    from bench.generate import generate

    folder = WORK / f"corpus-{n}"
    info = folder / "corpus.json"
    if not info.exists() or json.loads(info.read_text())["reports"] != n:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {n} reports into {folder}", file=sys.stderr)
        generate(n, folder, seed=seed)
    return folder


def shards(folder: Path) -> list[Path]:
    return sorted(folder.glob("shard-*.nq"))


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


# --------------------------------------------------------------------------------------------
# load and dump

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
from endpoint.loader import load
t0 = time.perf_counter()
optimize = {"1": True, "0": False}.get(sys.argv[2])  # "auto": the loader decides
r = load([Path(f) for f in sys.argv[3:]], Path(sys.argv[1]), base_url="http://localhost:8000", optimize=optimize)
print(json.dumps({"seconds": time.perf_counter() - t0, "quads": r.quads, "optimized": r.optimized}))
"""

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

SECTIONS = ("load", "dump", "http", "aggregate", "convert", "shacl")
LOAD_DUMP_REPEAT = 3  # rounds, peer and Gongkai back to back in each; the tables give medians
LARGE_ROUNDS = 1  # rounds above 1,000 reports: one round of the 10^4 load section takes ~25 min


def rounds_for(n: int) -> int:
    """Load and dump rounds at ``n`` reports."""
    return LOAD_DUMP_REPEAT if n <= 1000 else LARGE_ROUNDS


def _median_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Key by key median of ``runs`` (numbers only; other values from the first run)."""
    return {k: statistics.median(r[k] for r in runs) if isinstance(v, int | float) else v for k, v in runs[0].items()}


def _paired_ratio(
    peers: list[dict[str, Any]], gks: list[dict[str, Any]], peer_s: Callable[[dict[str, Any]], float]
) -> float:
    """Median over rounds of peer seconds / Gongkai seconds (≥ 1: Gongkai as fast or faster)."""
    return statistics.median(peer_s(p) / g["seconds"] for p, g in zip(peers, gks, strict=True))


def _point(store: Path, release: Path) -> None:
    """Point the store link at ``release`` again. The reload leaves the store on its own release,
    which is not compacted: the dump and HTTP sections must measure the fresh load's (an
    uncompacted release answers some queries twice as slowly, and Gongkai's query workers suffer
    from it more than the one Oxigraph server: see the notes)."""
    link = store.with_name(f".{store.name}.bench-link")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(release, store.parent), target_is_directory=True)
    link.replace(store)


def bench_load(sizes: list[tuple[int, Path]]) -> dict[str, Any]:
    """Fresh load (empty store) and reload of 10% of the reports into the loaded store, each
    against ``Store.bulk_load`` of the same files (and + ``optimize``), :func:`rounds_for` rounds."""
    out: dict[str, Any] = {}
    for n, folder in sizes:
        files = [str(p) for p in shards(folder)]
        tenth = files[: len(files) // 10]  # 100-report shards: 10% of the reports (none below 1,000)
        quads_in = json.loads((folder / "corpus.json").read_text())["quads"]
        for f in files:  # both sides read the shards from the page cache
            Path(f).read_bytes()
        peer_dir, store = WORK / f"peer-store-{n}", WORK / f"store-{n}"
        rounds: dict[str, list[dict[str, Any]]] = {}
        for _ in range(rounds_for(n)):
            for optimize in ("0", "1"):  # the optimized store is the one kept for dump and HTTP
                shutil.rmtree(peer_dir, ignore_errors=True)
                t, rss, text = run_measured(py(PEER_LOAD, str(peer_dir), *files))
                rounds.setdefault("peer", []).append({**json.loads(text), "process_s": t, "rss_mib": rss})
                shutil.rmtree(store, ignore_errors=True)
                shutil.rmtree(WORK / f"store-{n}.releases", ignore_errors=True)
                if store.is_symlink():
                    store.unlink()
                t, rss, text = run_measured(py(GONGKAI_LOAD, str(store), optimize, *files), cwd=ROOT)
                key = "gongkai" if optimize == "1" else "gongkai_no_optimize"
                rounds.setdefault(key, []).append({**json.loads(text), "process_s": t, "rss_mib": rss})
            shutil.rmtree(peer_dir.with_name(peer_dir.name + "-stream"), ignore_errors=True)
            t, rss, text = run_measured(py(PEER_LOAD_STREAM, str(peer_dir) + "-stream", *files))
            rounds.setdefault("peer_stream", []).append({**json.loads(text), "process_s": t, "rss_mib": rss})
            shutil.rmtree(peer_dir.with_name(peer_dir.name + "-stream"), ignore_errors=True)
            if tenth:  # reload: the same 10% again, into the stores just loaded
                fresh = store.resolve()  # the fresh load's compacted release
                t, rss, text = run_measured(py(PEER_LOAD, str(peer_dir), *tenth))
                rounds.setdefault("peer_reload", []).append({**json.loads(text), "process_s": t, "rss_mib": rss})
                t, rss, text = run_measured(py(PEER_REPLACE, str(peer_dir), *tenth))
                rounds.setdefault("peer_replace", []).append({**json.loads(text), "process_s": t, "rss_mib": rss})
                t, rss, text = run_measured(py(GONGKAI_LOAD, str(store), "auto", *tenth), cwd=ROOT)
                rounds.setdefault("gongkai_reload", []).append({**json.loads(text), "process_s": t, "rss_mib": rss})
                _point(store, fresh)
        shutil.rmtree(peer_dir, ignore_errors=True)
        med = {k: _median_runs(v) for k, v in rounds.items()}
        # the aggregate step alone, for the breakdown
        _, _, agg_text = run_measured(
            py(
                "import sys,time; from pyoxigraph import Store; from endpoint.aggregates import compute_aggregates;"
                "s=Store(); s.bulk_load(path=sys.argv[1], format=__import__('pyoxigraph').RdfFormat.N_QUADS);"
                "t=time.perf_counter(); compute_aggregates(s); print(time.perf_counter()-t)",
                files[0],
            ),
            cwd=ROOT,
        )
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
            name: _paired_ratio(peers, gks, lambda r, opt=opt: r["bulk_load"] + (r["optimize"] if opt else 0))
            for name, (peers, gks, opt) in pairs.items()
        }
        if tenth:
            paired["reload_vs_replace"] = _paired_ratio(
                rounds["peer_replace"], rounds["gongkai_reload"], lambda r: r["replace"]
            )
        out[str(n)] = {
            "paired_ratios": paired,
            "reports": n,
            "quads_in": quads_in,
            "repeat": rounds_for(n),
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
        line = (
            f"load {n}: gongkai {g['seconds']:.1f}s (no optimize {med['gongkai_no_optimize']['seconds']:.1f}s) vs "
            f"bulk_load {p['bulk_load']:.1f}s (+optimize {p['optimize']:.1f}s): "
            f"{p['bulk_load'] / g['seconds']:.2f}x, {(p['bulk_load'] + p['optimize']) / g['seconds']:.2f}x with optimize"
        )
        if tenth:
            pr, gr = med["peer_reload"], med["gongkai_reload"]
            line += (
                f"; reload 10%: gongkai {gr['seconds']:.1f}s vs bulk_load {pr['bulk_load']:.1f}s "
                f"(+optimize {pr['optimize']:.1f}s): {pr['bulk_load'] / gr['seconds']:.2f}x, "
                f"{(pr['bulk_load'] + pr['optimize']) / gr['seconds']:.2f}x with optimize; "
                f"vs remove_graph + bulk_load {med['peer_replace']['replace']:.1f}s: "
                f"{med['peer_replace']['replace'] / gr['seconds']:.2f}x"
            )
        print(line, file=sys.stderr)
    return out


def bench_dump(sizes: list[tuple[int, Path]]) -> dict[str, Any]:
    """``gongkai dump`` (4+ gzip files: whole and per year, N-Quads and Turtle) against one
    ``Store.dump`` of the whole store as N-Quads, plain and gzip -6, :func:`rounds_for` rounds."""
    out: dict[str, Any] = {}
    for n, _ in sizes:
        store = WORK / f"store-{n}"
        dumps = WORK / f"dumps-{n}"
        peer_file = WORK / f"peer-dump-{n}.nq"
        gk_runs: list[dict[str, Any]] = []
        peer_runs: list[dict[str, Any]] = []
        for _ in range(rounds_for(n)):
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
        gk, peer = _median_runs(gk_runs), _median_runs(peer_runs)
        whole = dumps / "gongkai.nq.gz"
        out[str(n)] = {
            "paired_ratios": {
                "nquads": _paired_ratio(peer_runs, gk_runs, lambda r: r["nquads"]),
                "nquads_gz": _paired_ratio(peer_runs, gk_runs, lambda r: r["nquads_gz"]),
            },
            "repeat": rounds_for(n),
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
        print(
            f"dump {n}: gongkai {gk['seconds']:.1f}s vs store.dump {peer['nquads']:.1f}s "
            f"({peer['nquads'] / gk['seconds']:.2f}x), gzip'd {peer['nquads_gz']:.1f}s "
            f"({peer['nquads_gz'] / gk['seconds']:.2f}x)",
            file=sys.stderr,
        )
    return out


# --------------------------------------------------------------------------------------------
# HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5).status_code < 500:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def server(cmd: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        wait_http(url)
        yield proc
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started with ``start_new_session=True`` and all its children."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def drain(url: str, timeout: float = 120) -> None:
    """Wait until the server answers a trivial request fast again: requests wrk gave up on may
    still be running (a slow query keeps its thread or worker busy after the client left)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        start = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=60)
        if time.perf_counter() - start < 0.05:
            return
        time.sleep(0.5)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    assert m, text
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its live descendants (a
    server and its query workers)."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return total
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def wrk(url: str, conc: int, duration: float, accept: str, server_pid: int = 0) -> dict[str, float]:
    """wrk's throughput and latency for ``url``; with ``server_pid``, also the CPU the server's
    process tree spent per request meanwhile (the work per request, whatever else runs)."""
    threads = 1 if conc == 1 else 2
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{conc}",
        f"-d{duration:g}s",
        "--latency",
        "--timeout",
        "30s",
        "-H",
        f"Accept: {accept}",
        url,
    ]
    cpu_before = tree_cpu_s(server_pid) if server_pid else 0.0
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = tree_cpu_s(server_pid) - cpu_before if server_pid else 0.0
    requests = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", text).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", text).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*timeout (\d+)", text)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non2xx": int(bad.group(1)) if bad else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
        **({"cpu_ms_per_request": cpu / requests * 1e3} if server_pid and requests else {}),
    }


def _release_optimized(store: Path) -> bool | None:
    """Whether the release ``store`` points at was compacted (its marker, endpoint/loader.py): a
    release left by an update without ``optimize`` answers some queries several times slower."""
    release = store.resolve()
    try:
        marker = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return bool(marker.get("optimized")) if isinstance(marker, dict) else None


def pick(store: Path) -> dict[str, str]:
    """An agency with five reports, one of its reports, from the store."""
    from pyoxigraph import Store

    s = Store.read_only(str(store.resolve()))
    row = next(
        iter(
            s.query(
                PREFIXES + "SELECT ?agency ?report WHERE { GRAPH ?report { ?report gk:agency ?agency ; gk:year ?y } "
                "FILTER(STR(?y) = '2021') } ORDER BY ?report LIMIT 1"
            )
        )
    )
    return {"agency": row["agency"].value, "report": row["report"].value}


def queries(agency: str, report: str) -> dict[str, str]:
    return {
        "report table (表三 of one report)": PREFIXES
        + (
            f"SELECT ?request ?applicant ?count WHERE {{ GRAPH <{report}> {{ ?o qb:dataSet <{BASE}/id/dataset/table3> ; "
            "gk:request ?request ; gk:applicant ?applicant ; gk:count ?count } }"
        ),
        "agency time series": PREFIXES
        + (
            f"SELECT ?year ?count WHERE {{ GRAPH ?r {{ ?r gk:agency <{agency}> ; gk:year ?year . "
            "?o gk:report ?r ; gk:request <https://w3id.org/gongkai/code/request/1> ; "
            "gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; gk:count ?count } } ORDER BY ?year"
        ),
        "national aggregate (scan)": PREFIXES
        + (
            f"SELECT ?year ?request (SUM(?c) AS ?total) WHERE {{ GRAPH ?r {{ ?o qb:dataSet <{BASE}/id/dataset/table3> ; "
            "gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; gk:request ?request ; gk:count ?c . "
            "?r gk:year ?year } } GROUP BY ?year ?request ORDER BY ?year ?request"
        ),
        "national aggregate (aggregate graph)": PREFIXES
        + (
            f"SELECT ?year ?request ?total WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ "
            f"?o qb:dataSet <{BASE}/id/dataset/national-applications> ; gk:refYear ?year ; gk:request ?request ; "
            "gk:count ?total } } ORDER BY ?year ?request"
        ),
    }


def describe_query(iri: str) -> str:
    text = (ROOT / "endpoint" / "queries" / "res_describe.rq").read_text(encoding="utf-8")
    return text.replace("?s ", f"<{iri}> ").replace("?s\n", f"<{iri}>\n").replace("?s}", f"<{iri}>}}")


def gongkai_serve_cmd(store: Path, dumps: Path, port: int) -> list[str]:
    return [str(BIN / "gongkai"), "serve", "--store", str(store), "--dumps", str(dumps), "--port", str(port)]


def oxigraph_serve_cmd(store: Path, port: int) -> list[str]:
    """The peer: `oxigraph serve-read-only` (PyPI `oxigraph`) on the same release, union default graph."""
    return [
        str(BIN / "oxigraph"),
        "serve-read-only",
        "--location",
        str(store.resolve()),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]


class NoAnswer(Exception):
    """A server did not answer the check request with 200 (e.g. 503: the query time limit)."""


def check_same_answer(gk_url: str, ox_url: str, accept: str) -> bool:
    import httpx

    a = httpx.get(gk_url, headers={"Accept": accept}, timeout=120)
    b = httpx.get(ox_url, headers={"Accept": accept}, timeout=120)
    if a.status_code != 200 or b.status_code != 200:
        raise NoAnswer(f"Gongkai {a.status_code}, Oxigraph {b.status_code}")
    if "json" in accept:
        ja, jb = a.json(), b.json()
        if "boolean" in ja or "boolean" in jb:  # ASK
            return bool(ja.get("boolean") == jb.get("boolean"))
        norm = lambda j: sorted(json.dumps(r, sort_keys=True) for r in j["results"]["bindings"])  # noqa: E731
        return bool(norm(ja) == norm(jb))
    from rdflib import Graph
    from rdflib.compare import isomorphic

    return isomorphic(Graph().parse(data=a.text, format="turtle"), Graph().parse(data=b.text, format="turtle"))


CACHE_ON = "response cache on: the same request repeated"
CACHE_OFF = "response cache off: every request evaluated"


HTTP_LABEL_NOTES = {
    CACHE_ON: (
        "`gongkai serve` as shipped: wrk repeats one request, so after the first one Gongkai answers from its "
        "response cache (endpoint/response_cache.py: kept per release, ETag) and Oxigraph evaluates every time. "
        "This is what repeated requests (pages, crawlers, the same query from many users) get; it says nothing "
        "about evaluating a query — the next table does."
    ),
    CACHE_OFF: (
        "`GONGKAI_RESPONSE_CACHE_MB=0`: every Gongkai request is evaluated like every Oxigraph request (the /doc "
        "RDF serialization cache stays on). These are the query-bound numbers the targets are about."
    ),
}


def bench_http(
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
        "release_optimized": _release_optimized(store),
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
                row[f"gongkai_c{conc}"] = _median_runs([p["gongkai"] for p in pairs])
                row[f"oxigraph_c{conc}"] = _median_runs([p["oxigraph"] for p in pairs])
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
# conversion


def _convert_many(paths: list[str], emit: bool = True) -> int:
    """Convert ``paths``: end to end as ``gongkai convert``'s workers do (file → summary and sorted
    N-Quads bytes, ``converter.pipeline.emit_one``), or reading only (``convert_file``)."""
    from converter.options import ConvertOptions
    from converter.pipeline import convert_file, emit_one

    options = ConvertOptions(base_url=BASE)
    for p in paths:
        if emit:
            item = emit_one(Path(p), options)
            if item.summary is None:
                raise RuntimeError(item.error)
        else:
            convert_file(Path(p), options)
    return len(paths)


def _timed_pool(paths: list[str], procs: int, emit: bool = True) -> float:
    chunks = [paths[i::procs] for i in range(procs)]
    with ProcessPoolExecutor(max_workers=procs) as pool:
        list(pool.map(_convert_many, [paths[:1]] * procs, [emit] * procs))  # warm up imports in every worker
        start = time.perf_counter()
        list(pool.map(_convert_many, chunks, [emit] * len(chunks)))
        return time.perf_counter() - start


def _per_file(fn: Callable[[], object], repeat: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def _stages_ms(paths: list[Path], repeat: int) -> dict[str, float]:
    """Mean ms per file of each stage, in this process: reading, building the statements (N-Quads
    lines, ``report_lines``), sorting them into the report's N-Quads block (``report_nquads`` less
    the building)."""
    from converter.emit import report_lines
    from converter.output import report_nquads
    from converter.pipeline import convert_file

    read = emit = ser = 0.0
    for path in paths:
        report = convert_file(path)
        read += _per_file(lambda p=path: convert_file(p), repeat)
        built = _per_file(lambda r=report: report_lines(r, BASE), repeat)
        emit += built
        ser += max(0.0, _per_file(lambda r=report: report_nquads(r, BASE), repeat) - built)
    n = len(paths)
    return {"read": read / n * 1e3, "emit": emit / n * 1e3, "serialize": ser / n * 1e3}


def _pool_rates(paths: list[str]) -> dict[str, Any]:
    t1 = _timed_pool(paths, 1)
    t2 = _timed_pool(paths, 2)
    read1 = _timed_pool(paths, 1, emit=False)
    return {
        "files": len(paths),
        "one_process_s": t1,
        "two_processes_s": t2,
        "per_core_rps": len(paths) / t1,  # end to end: file → sorted N-Quads
        "two_proc_rps": len(paths) / t2,
        "read_only_rps": len(paths) / read1,  # convert_file alone, 1 process
    }


def bench_convert(repeat: int) -> dict[str, Any]:
    fixtures = ROOT / "tests" / "fixtures"
    seeds = sorted((ROOT / "data" / "seeds").glob("*.txt"))
    out: dict[str, Any] = {}
    text_paths = [str(p) for p in seeds] * repeat
    out["text"] = {**_pool_rates(text_paths), "stages_ms": _stages_ms(seeds, 10)}
    out["text_read_only_s"] = _per_file(lambda: [p.read_text(encoding="utf-8") for p in seeds], 20) / len(seeds)
    html = fixtures / "shanghai_municipal_office_2019.html"
    pdf = fixtures / "shanghai_municipal_office_2019.pdf"
    docx = fixtures / "shanghai_municipal_office_2019.docx"
    for key, path in (("html", html), ("pdf", pdf), ("docx", docx)):
        if not path.exists():
            continue
        try:
            per = _per_file(lambda p=path: _convert_many([str(p)]), max(3, repeat // (10 if key == "pdf" else 2)))
            stages = _stages_ms([path], 3 if key == "pdf" else 10)
        except Exception as exc:  # noqa: BLE001
            out[key] = {"error": str(exc)}
            continue
        paths = [str(path)] * (max(4, repeat // 5) if key == "pdf" else repeat * 2)
        out[key] = {"per_file_s": per, "stages_ms": stages, **_pool_rates(paths)}
    if html.exists():
        from bs4 import BeautifulSoup

        data = html.read_bytes()
        out["bs4_lxml_s"] = _per_file(lambda: BeautifulSoup(data, "lxml"), 20)
        out["bs4_htmlparser_s"] = _per_file(lambda: BeautifulSoup(data, "html.parser"), 20)
        try:
            import lxml.html

            out["lxml_alone_s"] = _per_file(lambda: lxml.html.fromstring(data), 50)
        except Exception:  # noqa: BLE001
            pass
    if pdf.exists():
        import pdfplumber

        def plumb() -> None:
            with pdfplumber.open(pdf) as doc:
                for page in doc.pages:
                    page.extract_text()

        def plumb_tables() -> None:
            with pdfplumber.open(pdf) as doc:
                for page in doc.pages:
                    page.extract_tables()

        out["pdfplumber_text_s"] = _per_file(plumb, 3)
        out["pdfplumber_tables_s"] = _per_file(plumb_tables, 3)
    return out


# --------------------------------------------------------------------------------------------
# SHACL


PYSHACL_WHOLE = """
import json, sys, time
import pyshacl
from rdflib import Dataset, Graph
from converter.validate import shapes_graph
shapes = shapes_graph()
d = Dataset(); d.parse(sys.argv[1], format="nquads")
union = Graph()
for s, p, o, _ in d.quads((None, None, None, None)):
    union.add((s, p, o))
t = time.perf_counter()
conforms, _, _ = pyshacl.validate(union, shacl_graph=shapes, advanced=True, inference="none")
print(json.dumps({"seconds": time.perf_counter() - t, "conforms": bool(conforms), "triples": len(union)}))
"""


def bench_shacl(folder: Path, k_corpus: list[int], k_reports: int, shacl_limit: int = 150) -> dict[str, Any]:
    import pyoxigraph as ox
    import pyshacl
    from rdflib import Dataset, Graph

    from converter import validate as v
    from converter.emit import emit_report, new_dataset
    from converter.output import sorted_nquads
    from converter.pipeline import convert_file

    out: dict[str, Any] = {}
    first = shards(folder)[0]
    quads = list(ox.parse(path=str(first), format=ox.RdfFormat.N_QUADS))
    graphs = sorted({q.graph_name.value for q in quads})[:k_reports]
    keep = set(graphs)
    subset = [q for q in quads if q.graph_name.value in keep]
    sub_file = WORK / f"shacl-{k_reports}.nq"
    ox.serialize(subset, str(sub_file), ox.RdfFormat.N_QUADS)
    v.shapes_graph()
    start = time.perf_counter()
    outcome = v.validate_file(sub_file)
    per_report = (time.perf_counter() - start) / k_reports
    out["validate_py"] = {
        "reports": k_reports,
        "per_report_s": per_report,
        "conforms": outcome.conforms,
        "violations": len(outcome.violations),
    }

    # pySHACL over the whole small corpus at once (one rdflib graph, the union), in a subprocess
    # with a time limit: it grows faster than linearly
    out["pyshacl_whole"] = []
    for k in k_corpus:
        corpus_file = WORK / f"shacl-whole-{k}.nq"
        ox.serialize(
            [q for q in subset if q.graph_name.value in set(graphs[:k])], str(corpus_file), ox.RdfFormat.N_QUADS
        )
        try:
            _, _, text = run_measured(["timeout", str(shacl_limit), *py(PYSHACL_WHOLE, str(corpus_file))], cwd=ROOT)
            out["pyshacl_whole"].append({"reports": k, **json.loads(text)})
        except RuntimeError:
            out["pyshacl_whole"].append({"reports": k, "seconds": None, "limit": shacl_limit})
            break

    # pyshacl-turbo, per report from a pyoxigraph Store, and on the seeds with an injected fault
    try:
        import pyshacl_turbo
    except ImportError:
        out["turbo"] = None
        return out
    by_graph: dict[str, list[Any]] = {}
    for q in subset:
        by_graph.setdefault(q.graph_name.value, []).append(ox.Quad(q.subject, q.predicate, q.object))
    start = time.perf_counter()
    turbo_ok = True
    try:
        for g in graphs:
            st = ox.Store()
            st.extend(by_graph[g])
            c, _, _ = pyshacl_turbo.validate(st, shacl_graph=v.shapes_graph(), advanced=True, inference="none")
            turbo_ok = turbo_ok and bool(c)
        out["turbo"] = {
            "reports": len(graphs),
            "per_report_s": (time.perf_counter() - start) / len(graphs),
            "conforms": turbo_ok,
        }
    except Exception as exc:  # noqa: BLE001
        out["turbo"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    # identical results on the seeds (and a seed with a broken count)
    seeds = sorted((ROOT / "data" / "seeds").glob("*.txt"))
    same = []
    for seed in seeds:
        ds = new_dataset()
        emit_report(convert_file(seed), BASE, ds)
        for fault in (False, True):
            text = sorted_nquads(ds).decode()
            if fault:
                text = re.sub(
                    r'("\d+"\^\^<http://www.w3.org/2001/XMLSchema#integer>)',
                    '"-5"^^<http://www.w3.org/2001/XMLSchema#integer>',
                    text,
                    count=3,
                )
            d = Dataset()
            d.parse(data=text, format="nquads")
            data = Graph()
            for s, p, o, _ in d.quads((None, None, None, None)):
                data.add((s, p, o))
            a = pyshacl.validate(data, shacl_graph=v.shapes_graph(), advanced=True, inference="none")
            try:
                b = pyshacl_turbo.validate(data, shacl_graph=v.shapes_graph(), advanced=True, inference="none")
                same.append((bool(a[0]) == bool(b[0]), _n_results(a[1]) == _n_results(b[1]), fault))
            except Exception as exc:  # noqa: BLE001
                same.append((False, False, f"{type(exc).__name__}"))
    out["turbo_same"] = same
    return out


def _n_results(report: Any) -> int:
    from rdflib.namespace import RDF, SH

    return len(set(report.subjects(RDF.type, SH.ValidationResult)))


def _rdflib_triple(q: Any) -> tuple[Any, Any, Any]:
    from rdflib import BNode, Literal, URIRef

    def term(t: Any) -> Any:
        import pyoxigraph as ox

        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    return term(q.subject), term(q.predicate), term(q.object)


# --------------------------------------------------------------------------------------------
# report


# hand-written notes that explain the numbers: a .md, not prose in code
NOTES = Path(__file__).with_name("notes") / "run.md"


def _cpu_cell(g: dict[str, Any], o: dict[str, Any]) -> str:
    if "cpu_ms_per_request" in g and "cpu_ms_per_request" in o:
        return f" {g['cpu_ms_per_request']:.2f} / {o['cpu_ms_per_request']:.2f} |"
    return " - |"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def _rounds_note(h: dict[str, Any]) -> str:
    rounds = max((int(row.get("rounds", 1)) for row in h["cases"].values()), default=1)
    if rounds <= 1:
        return ""
    return (
        f", {rounds} Gongkai/Oxigraph pairs per cell (the order swapped each round; the scan once): rps and "
        "latencies are medians, the ratios the medians of the pairs' ratios"
    )


def write_results(res: dict[str, Any]) -> None:
    lines: list[str] = [START, "", "## Benchmarks against peers (bench/run.py)", ""]
    m = res["machine"]
    lines += [
        f"Run {res['when']} with `{res['command']}`{part_of(res)}; every peer measured in this same run, on loopback.",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}. Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m.items() if k not in {"nproc", "cpu", "memory", "python", "wrk"})
        + f"; load generator {m['wrk']}.",
        "",
    ]
    if res.get("corpora"):
        c = "; ".join(v for _, v in sorted(res["corpora"].items(), key=lambda kv: int(kv[0])))
        lines += [f"Corpora: `bench/generate.py` synthetic national corpus, seed 1: {c}.", ""]
    targets: list[tuple[str, str, bool | None]] = []
    if "http" in res:
        for label, h in res["http"].items():
            cpu = any(
                "cpu_ms_per_request" in row.get(f"gongkai_c{c}", {}) for row in h["cases"].values() for c in (1, 16)
            )
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
                next((note for key, note in HTTP_LABEL_NOTES.items() if label.startswith(key)), ""),
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
                for conc in (1, 16):
                    g, o = row[f"gongkai_c{conc}"], row[f"oxigraph_c{conc}"]
                    errs = (
                        ""
                        if not (g["non2xx"] or g["timeouts"])
                        else f" ({g['non2xx']} non-2xx, {g['timeouts']} timeouts)"
                    )
                    paired = f"ratio_c{conc}" in row and int(row.get("rounds", 1)) > 1
                    tput_text = f"{row[f'ratio_c{conc}']:.2f}×" if paired else ratio(g["rps"], o["rps"])
                    p99_text = f"{row[f'p99_ratio_c{conc}']:.2f}×" if paired else ratio(g["p99_ms"], o["p99_ms"])
                    lines.append(
                        f"| {name} | {row['same_answer'] if row['same_answer'] is not None else '-'} | {conc} | "
                        f"{fmt(g['rps'], 0)}{errs} | {fmt(g['p50_ms'], 1)} / {fmt(g['p99_ms'], 1)} | {fmt(o['rps'], 0)} | "
                        f"{fmt(o['p50_ms'], 1)} / {fmt(o['p99_ms'], 1)} | {tput_text} | {p99_text} |"
                        + (_cpu_cell(g, o) if cpu else "")
                    )
                    if not o["rps"] or not o["p99_ms"]:
                        continue  # nothing finished within the duration (the scan at c=16)
                    tput, p99 = g["rps"] / o["rps"], g["p99_ms"] / o["p99_ms"]
                    if paired:
                        tput, p99 = row[f"ratio_c{conc}"], row[f"p99_ratio_c{conc}"]
                    if name.startswith("dereference"):
                        targets.append((f"[{label}] {name}, c={conc}: ≥ 0.7× (is {tput:.2f}×)", "", tput >= 0.7))
                    elif label.startswith(CACHE_ON):
                        continue  # answered from the cache: not the query-bound numbers the targets are about
                    elif not name.startswith("floor"):
                        targets.append(
                            (
                                f"[{label}] {name}, c={conc}: ≥ 0.9× and p99 ≤ 1.5× (is {tput:.2f}×, p99 {p99:.2f}×)",
                                "",
                                tput >= 0.9 and p99 <= 1.5,
                            )
                        )
            lines.append("")
    if "aggregate" in res:
        a = res["aggregate"]
        lines += [
            "### National sum by outcome and year: aggregate graph vs scan",
            "",
            "| reports | scan query: /sparql c=1 p50 | in-process (median of 3) | aggregate graph: /sparql c=1 p50 | in-process | same numbers |",
            "|---|---|---|---|---|---|",
        ]
        for n, row in sorted(a.items(), key=lambda kv: int(kv[0])):
            http_scan = f"{fmt(row['scan_ms'], 1)} ms" if "scan_ms" in row else "-"
            http_agg = f"{fmt(row['agg_ms'], 1)} ms" if "agg_ms" in row else "-"
            lines.append(
                f"| {n} | {http_scan} | {fmt(row.get('scan_inproc_ms', float('nan')), 1)} ms | {http_agg} | "
                f"{fmt(row.get('agg_inproc_ms', float('nan')), 1)} ms | {row['same']} |"
            )
            worst = max(row.get("agg_ms", 0), row.get("agg_inproc_ms", 0))
            targets.append(
                (f"national sum from the aggregate graph < 1 s at {n} reports (is {worst:.1f} ms)", "", worst < 1000)
            )
        lines += [
            "",
            "One province (34, 安徽省), applications by outcome and year, and the `/figures` pages (rendered by the "
            "app in-process, response cache off; they read the aggregate graph only):",
            "",
            "| reports | provincial scan, in-process | provincial aggregate, in-process | same numbers | `/figures` | `/figures?province=34` |",
            "|---|---|---|---|---|---|",
        ]
        for n, row in sorted(a.items(), key=lambda kv: int(kv[0])):
            if "prov_agg_inproc_ms" not in row:
                continue
            lines.append(
                f"| {n} | {fmt(row['prov_scan_inproc_ms'], 1)} ms | {fmt(row['prov_agg_inproc_ms'], 1)} ms | "
                f"{row['prov_same']} | {fmt(row['figures_page_ms'], 1)} ms | {fmt(row['figures_province_page_ms'], 1)} ms |"
            )
            worst = max(row["prov_agg_inproc_ms"], row["figures_page_ms"], row["figures_province_page_ms"])
            targets.append(
                (
                    f"provincial figures and the /figures pages < 1 s at {n} reports (is {worst:.1f} ms)",
                    "",
                    worst < 1000,
                )
            )
        lines.append("")
    if "load" in res:
        lines += [
            "### Load and dump: `gongkai load` vs `Store.bulk_load`, `gongkai dump` vs `Store.dump`",
            "",
            "`gongkai load` into an empty store = bulk_load of each file straight into the new release + vocabulary + "
            "optimize + aggregate cubes (endpoint/loader.py); `--no-optimize` skips the optimize. A reload (into a "
            "loaded store) also parses each file once for its graph names, in a thread ahead of bulk_load, copies the "
            "release (`Store.backup`, hard links) and removes the graphs it replaces. Peak RSS is of the whole process. "
            "Times are medians of the rounds (peer and Gongkai back to back in each round).",
            "",
            "| reports | quads | rounds | `gongkai load` s (RSS MiB) | `--no-optimize` s | bulk_load s | bulk_load + optimize s (RSS MiB) | one-stream bulk_load s (+ optimize; RSS) | aggregates s (1 shard) | ratio vs bulk_load | ratio vs bulk_load+optimize | ratio vs one-stream bulk_load (+ optimize) | `--no-optimize` vs bulk_load |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for n, row in res["load"].items():
            p, g = row["peer"], row["gongkai"]
            nopt = row.get("gongkai_no_optimize", {}).get("seconds")
            ps = row.get("peer_stream")
            stream_cell = (
                f"{fmt(ps['bulk_load'])} ({fmt(ps['bulk_load'] + ps['optimize'])}; {ps['rss_mib']:.0f} MiB)"
                if ps
                else "-"
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
            pr = row.get("paired_ratios", {})
            # the target is judged against the faster way to call the peer
            r = min(pr.get("fresh", p["bulk_load"] / g["seconds"]), pr.get("fresh_vs_stream", float("inf")))
            targets.append(
                (
                    f"load ≥ 0.9× bulk_load at {n} reports (is {r:.2f}×, against the faster of bulk_load per file "
                    f"({pr.get('fresh', p['bulk_load'] / g['seconds']):.2f}×) and one-stream bulk_load "
                    f"({pr.get('fresh_vs_stream', float('nan')):.2f}×); vs bulk_load+optimize "
                    f"{pr.get('fresh_vs_optimize', (p['bulk_load'] + p['optimize']) / g['seconds']):.2f}× and "
                    f"{pr.get('fresh_vs_stream_optimize', float('nan')):.2f}×"
                    + (f"; `--no-optimize` {pr.get('no_optimize', p['bulk_load'] / nopt):.2f}×" if nopt else "")
                    + "; medians of the rounds' paired ratios)",
                    "",
                    r >= 0.9,
                )
            )
        reloads = {n: row for n, row in res["load"].items() if "gongkai_reload" in row}
        if reloads:
            lines += [
                "",
                "Reload: the same 10% of the reports loaded again into the store just loaded. `gongkai load` with "
                "its defaults: the files parsed for their graph names (in a thread, ahead), their graphs replaced, "
                "no optimize below 1/4 of the store, the aggregate cubes adjusted by the replaced and the loaded "
                "reports. Peers on the peer's loaded store: `bulk_load` of the files alone (it adds to the "
                "graphs, it does not replace them), and replacing the reports as a pyoxigraph script would (the "
                "graph names parsed, `remove_graph` of each, `bulk_load`).",
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
                r = pr.get("reload", p["bulk_load"] / g["seconds"])
                targets.append(
                    (
                        f"reload of 10% ≥ 0.9× the peer at {n} reports: vs remove_graph + bulk_load (the same job) "
                        + (
                            f"{pr.get('reload_vs_replace', rp['replace'] / g['seconds']):.2f}×"
                            if rp
                            else "not measured"
                        )
                        + f"; vs bulk_load alone {r:.2f}×, vs bulk_load+optimize "
                        f"{pr.get('reload_vs_optimize', (p['bulk_load'] + p['optimize']) / g['seconds']):.2f}×",
                        "",
                        bool(rp) and pr.get("reload_vs_replace", rp["replace"] / g["seconds"]) >= 0.9,
                    )
                )
        lines.append("")
    if "dump" in res:
        lines += [
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
            pr = row.get("paired_ratios", {})
            r = pr.get("nquads", p["nquads"] / row["gongkai_s"])
            targets.append(
                (
                    f"dump ≥ 0.9× Store.dump at {n} reports (is {r:.2f}×; vs gzip'd dump "
                    f"{pr.get('nquads_gz', p['nquads_gz'] / row['gongkai_s']):.2f}×; medians of the rounds' paired ratios)",
                    "",
                    r >= 0.9,
                )
            )
        lines.append("")
    if "shacl" in res:
        s = res["shacl"]
        lines += ["### SHACL", ""]
        vp = s["validate_py"]
        lines += [
            "| validator | reports | s per report | reports/s | extrapolated 10^5 reports (1 core) | conforms |",
            "|---|---|---|---|---|---|",
            f"| converter/validate.py (pySHACL per report on a pyoxigraph store) | {vp['reports']} | {fmt(vp['per_report_s'], 3)} | "
            f"{fmt(1 / vp['per_report_s'], 1)} | {fmt(vp['per_report_s'] * 1e5 / 3600, 1)} h | {vp['conforms']} |",
        ]
        for pw in s["pyshacl_whole"]:
            if pw.get("seconds") is None:
                lines.append(
                    f"| pySHACL over the whole corpus (one rdflib graph) | {pw['reports']} | > {pw['limit'] / pw['reports']:.0f} | - | "
                    f"(stopped after {pw['limit']} s) | - |"
                )
                continue
            per = pw["seconds"] / pw["reports"]
            lines.append(
                f"| pySHACL over the whole corpus (one rdflib graph, {pw['triples']:,} triples) | {pw['reports']} | "
                f"{fmt(per, 3)} | {fmt(1 / per, 2)} | ≥ {fmt(per * 1e5 / 3600, 1)} h (grows faster than linearly) | {pw['conforms']} |"
            )
        t = s.get("turbo")
        if t and "error" not in t:
            lines.append(
                f"| pyshacl-turbo per report (pyoxigraph Store) | {t['reports']} | {fmt(t['per_report_s'], 3)} | "
                f"{fmt(1 / t['per_report_s'], 1)} | {fmt(t['per_report_s'] * 1e5 / 3600, 2)} h | {t['conforms']} |"
            )
        elif t:
            lines.append(f"| pyshacl-turbo | - | - | - | - | failed: {t['error']} |")
        if s.get("turbo_same"):
            agree = sum(1 for a, b, _ in s["turbo_same"] if a and b)
            lines += [
                "",
                f"pyshacl-turbo vs pySHACL on the seeds (each as is and with three counts set to -5): same conforms "
                f"and same number of results in {agree}/{len(s['turbo_same'])} cases.",
            ]
        lines.append("")
    for section, what in (("load", "`gongkai load`"), ("dump", "`gongkai dump`")):
        rows = sorted((int(n), row) for n, row in res.get(section, {}).items())
        rss = [(n, float(row["gongkai_rss_mib"])) for n, row in rows]
        if len(rss) >= 2:  # memory independent of N: at most 1.25x from the smallest to the largest corpus
            (n0, r0), (n1, r1) = rss[0], rss[-1]
            p0, p1 = (float(rows[i][1].get("peer_rss_mib", 0)) for i in (0, -1))
            peer = f"; the peer's own {p0:.0f} → {p1:.0f} MiB, {p1 / p0:.2f}×" if p0 and p1 else ""
            targets.append(
                (
                    f"{what} peak memory independent of N ({r0:.0f} MiB at {n0:,} reports, {r1:.0f} MiB at {n1:,}; "
                    f"{r1 / r0:.2f}×, allowed 1.25×{peer})",
                    "",
                    r1 <= 1.25 * r0,
                )
            )
    lines += ["### Targets", ""]
    for text, _, ok in targets:
        lines.append(f"- {text}: {met(bool(ok))}")
    if "convert" in res:
        c = res["convert"]
        targets_conv = [("text", c["text"]["per_core_rps"])]
        if "html" in c and "per_core_rps" in c["html"]:
            targets_conv.append(("HTML", c["html"]["per_core_rps"]))
        for kind, rps in targets_conv:
            lines.append(
                f"- {kind} conversion ≥ 100 reports/s per core, file → sorted N-Quads (is {rps:.1f}): {met(rps >= 100)}"
            )
        pdf = c.get("pdf", {})
        floors = [c[k] for k in ("pdfplumber_text_s", "pdfplumber_tables_s") if c.get(k)]
        if "per_file_s" in pdf and floors:
            # against the faster of pdfplumber's two parses of the same pages: the stricter reading
            x = pdf["per_file_s"] / min(floors)
            lines.append(
                f"- PDF conversion within 1.3× of pdfplumber's own parsing of the same pages, end to end "
                f"(is {x:.2f}× the faster of extract_text and extract_tables of every page): {met(x <= 1.3)}"
            )
    lines += [
        "",
        NOTES.read_text(encoding="utf-8").rstrip("\n"),
        "",
        "Raw numbers: `build/bench/results.json`.",
        "",
        END,
    ]
    block = "\n".join(lines) + "\n"

    conv = ""
    if "convert" in res:
        c = res["convert"]
        t = c["text"]

        def stages(x: dict[str, Any]) -> str:
            st = x.get("stages_ms")
            return f"{st['read']:.1f} / {st['emit']:.1f} / {st['serialize']:.1f}" if st else "-"

        rows = [
            "| input | ms per file, end to end (1 core) | reports/s, 1 process | reports/s, 2 processes | speed-up "
            "| reading only: reports/s, 1 process | ms read / emit / serialize |",
            "|---|---|---|---|---|---|---|",
            f"| text seeds ×{t['files'] // 5} ({t['files']} files) | {fmt(1 / t['per_core_rps'] * 1000, 1)} ms | "
            f"{fmt(t['per_core_rps'], 1)} | {fmt(t['two_proc_rps'], 1)} | {t['two_proc_rps'] / t['per_core_rps']:.2f}× | "
            f"{fmt(t.get('read_only_rps', 0), 1)} | {stages(t)} |",
        ]
        for key in ("html", "docx", "pdf"):
            if key in c and "per_core_rps" in c[key]:
                x = c[key]
                rows.append(
                    f"| {key.upper()} fixture (Shanghai 2019) ×{x['files']} | {fmt(x['per_file_s'] * 1000, 1)} ms | "
                    f"{fmt(x['per_core_rps'], 1)} | {fmt(x['two_proc_rps'], 1)} | {x['two_proc_rps'] / x['per_core_rps']:.2f}× | "
                    f"{fmt(x.get('read_only_rps', 0), 1)} | {stages(x)} |"
                )
            elif key in c:
                rows.append(f"| {key.upper()} | failed: {c[key]['error']} | | | | | |")
        peers = [f"reading a seed file alone: {c['text_read_only_s'] * 1e3:.3f} ms"]
        for k, label in (
            ("bs4_lxml_s", "BeautifulSoup(html, 'lxml') alone"),
            ("bs4_htmlparser_s", "BeautifulSoup(html, 'html.parser') alone"),
            ("lxml_alone_s", "lxml.html.fromstring alone"),
            ("pdfplumber_text_s", "pdfplumber extract_text of every page alone"),
            ("pdfplumber_tables_s", "pdfplumber extract_tables of every page alone"),
        ):
            if k in c:
                peers.append(f"{label}: {c[k] * 1e3:.1f} ms per file")
        conv = (
            "\n".join(
                [
                    CONV_START,
                    "",
                    "## Conversion (issue 4)",
                    "",
                    f"Measured by bench/run.py in the run above ({res['when']}). End to end: file in, sorted N-Quads "
                    "bytes out (`converter.pipeline.emit_one`, what each `gongkai convert` worker runs: extract, "
                    "detect, tables, checks, N-Quads lines of pyoxigraph terms, sorted), warm worker processes; reading only "
                    "= `convert_file` (no RDF). Stages: mean ms per file in one process.",
                    "",
                    *rows,
                    "",
                    "Parsing alone, same files (the floor a converter built on these libraries cannot beat):",
                    "",
                    *[f"- {p}" for p in peers],
                    "",
                    CONV_END,
                ]
            )
            + "\n"
        )

    for start, end, new in ((START, END, block), (CONV_START, CONV_END, conv)):
        if new:
            write_section(start, end, new, RESULTS)


# --------------------------------------------------------------------------------------------


def main() -> None:
    global LOAD_DUMP_REPEAT, LARGE_ROUNDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n",
        default="1000,10000",
        help="reports in the large corpora, comma-separated (default 1000,10000; each is measured in this run)",
    )
    parser.add_argument("--small", type=int, default=200, help="reports in the small corpus (peak-RSS comparison)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk cell")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help="sections to measure; the others keep the numbers of the previous run",
    )
    parser.add_argument("--repeat", type=int, default=20, help="text seeds replicated this many times")
    parser.add_argument(
        "--rounds",
        type=int,
        default=LOAD_DUMP_REPEAT,
        help="load and dump rounds up to 1,000 reports (peer and Gongkai back to back)",
    )
    parser.add_argument(
        "--large-rounds", type=int, default=LARGE_ROUNDS, help="load and dump rounds above 1,000 reports"
    )
    parser.add_argument(
        "--http-rounds",
        type=int,
        default=3,
        help="wrk pairs per cell of the cache-off table (the target numbers), order swapped each round",
    )
    parser.add_argument("--uvicorn-extra", default="", help="label,ENV=VAL;ENV=VAL: a second HTTP run with env")
    parser.add_argument("--report-only", action="store_true", help="rewrite RESULTS.md from results.json")
    args = parser.parse_args()
    only = set(args.only.split(","))
    ns = sorted({int(x) for x in str(args.n).split(",") if x.strip()})
    LOAD_DUMP_REPEAT, LARGE_ROUNDS = args.rounds, args.large_rounds
    WORK.mkdir(parents=True, exist_ok=True)
    raw_path = WORK / "results.json"
    if args.report_only:
        write_results(json.loads(raw_path.read_text(encoding="utf-8")))
        return
    # A run of every section starts afresh: each number of the tables is then from this run.
    # A partial run (--only) keeps the other sections' numbers, and those of other corpus sizes.
    complete = only >= set(SECTIONS)
    res: dict[str, Any] = {}
    if raw_path.exists() and not complete:
        res = json.loads(raw_path.read_text(encoding="utf-8"))
    previous_aggregate: dict[str, Any] = res.get("aggregate", {})  # kept per corpus size
    previous = {k: res.get(k, {}) for k in ("load", "dump", "http")}  # also kept per corpus size
    for section in only:
        res.pop(section, None)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    if "command" in res:  # a partial run on top of an earlier one: say both
        now, command = f"{res['when']} and {now}", f"{res['command']}` then `{command}"
    res.pop("suite", None)
    res.update(
        {
            "machine": machine(),
            "when": now,
            "command": command,
            "duration": res.get("duration", args.duration),
            **(suite_stamp() if complete else {}),
        }
    )
    bigs = {n: corpus(n) for n in ns}
    small_n = min(args.small, ns[0])
    small = WORK / f"corpus-{small_n}-of-{ns[0]}"
    if not small.exists():
        small.mkdir()
        for p in shards(bigs[ns[0]])[: max(1, small_n // 100)]:
            os.link(p, small / p.name)
        (small / "corpus.json").write_text(
            json.dumps({"reports": small_n, "quads": sum(sum(1 for _ in p.open("rb")) for p in shards(small))})
        )
    res.pop("corpus", None)
    for n, big in bigs.items():
        res.setdefault("corpora", {})[str(n)] = (
            f"{n:,} reports, {json.loads((big / 'corpus.json').read_text())['quads']:,} quads in {len(shards(big))} shards"
        )
    sizes = [(small_n, small), *bigs.items()] if small_n < ns[0] else list(bigs.items())

    def save() -> None:
        raw_path.write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")

    if "load" in only:
        res["load"] = {**previous["load"], **bench_load(sizes)}
        save()
    for n, big in bigs.items():
        if not (WORK / f"store-{n}").exists():
            from endpoint.loader import load

            start = time.perf_counter()
            load([big], WORK / f"store-{n}", base_url=BASE)
            print(f"loaded {n} reports in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if "dump" in only:
        res["dump"] = {**previous["dump"], **bench_dump(sizes)}
        save()
    if "http" in only:
        res["http"] = dict(previous["http"])
    agg = dict(previous_aggregate)
    for n in ns:
        store, dumps = WORK / f"store-{n}", WORK / f"dumps-{n}"
        dumps.mkdir(exist_ok=True)
        suffix = f" — {n:,} reports"
        if "http" in only:
            res["http"] = {k: v for k, v in res["http"].items() if not k.endswith(suffix) and " — " in k}
            res["http"][CACHE_ON + suffix] = bench_http(store, dumps, args.duration, CACHE_ON + suffix)
            res["http"][CACHE_OFF + suffix] = bench_http(
                store,
                dumps,
                args.duration,
                CACHE_OFF + suffix,
                extra_env={"GONGKAI_RESPONSE_CACHE_MB": "0"},
                rounds=args.http_rounds,
            )
            if args.uvicorn_extra:
                label, _, envs = args.uvicorn_extra.partition(",")
                env = dict(e.split("=", 1) for e in envs.split(";") if e)
                res["http"][label + suffix] = bench_http(store, dumps, args.duration, label, extra_env=env)
            save()
        if "aggregate" in only:
            row: dict[str, Any] = {
                **agg.get(str(n), {}),
                "same": _same_aggregate(store),
                **_aggregate_in_process(store),
            }
            h = res.get("http", {}).get(CACHE_OFF + suffix, {}).get("cases", {})
            if "gongkai_c1" in h.get("national aggregate (scan)", {}):
                row["scan_ms"] = h["national aggregate (scan)"]["gongkai_c1"]["p50_ms"]
            if "national aggregate (aggregate graph)" in h:
                row["agg_ms"] = h["national aggregate (aggregate graph)"]["gongkai_c1"]["p50_ms"]
            agg[str(n)] = row
            res["aggregate"] = agg
            save()
    if "convert" in only:
        res["convert"] = bench_convert(args.repeat)
        save()
    if "shacl" in only:
        res["shacl"] = bench_shacl(bigs[ns[0]], k_corpus=[1, 2, 4], k_reports=20)
    save()
    write_results(res)
    print(f"wrote {RESULTS} and {raw_path}", file=sys.stderr)


def provincial_queries(province: str = "34") -> dict[str, str]:
    """One province's applications by outcome and year: from the aggregate graph, and the scan of
    the report observations it replaces (through the agencies' gk:province)."""
    prov = f"<https://w3id.org/gongkai/code/province/{province}>"
    return {
        "provincial aggregate (scan)": PREFIXES
        + (
            f"SELECT ?year ?request (SUM(?c) AS ?total) WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ ?a gk:province {prov} }} "
            f"GRAPH ?r {{ ?r gk:agency ?a ; gk:year ?year . ?o qb:dataSet <{BASE}/id/dataset/table3> ; "
            "gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; gk:request ?request ; gk:count ?c } } "
            "GROUP BY ?year ?request ORDER BY ?year ?request"
        ),
        "provincial aggregate (aggregate graph)": PREFIXES
        + (
            f"SELECT ?year ?request ?total WHERE {{ GRAPH <{BASE}/id/dataset/aggregates> {{ "
            f"?o gk:province {prov} . ?o qb:dataSet <{BASE}/id/dataset/provincial-applications> . ?o gk:refYear ?year ; "
            "gk:request ?request ; gk:count ?total } } ORDER BY ?year ?request"
        ),
    }


def _median_ms(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def _aggregate_in_process(store: Path) -> dict[str, Any]:
    """Median of 3 evaluations in-process (pyoxigraph on the on-disk release), no HTTP; and the
    /figures pages rendered by the app (response cache off, so each is computed)."""
    from fastapi.testclient import TestClient
    from pyoxigraph import Store

    from endpoint.app import create_app
    from endpoint.settings import Settings

    s = Store.read_only(str(store.resolve()))
    q = {**queries("urn:x", "urn:x"), **provincial_queries()}
    out: dict[str, Any] = {}
    for key, name in (
        ("scan_inproc_ms", "national aggregate (scan)"),
        ("agg_inproc_ms", "national aggregate (aggregate graph)"),
        ("prov_scan_inproc_ms", "provincial aggregate (scan)"),
        ("prov_agg_inproc_ms", "provincial aggregate (aggregate graph)"),
    ):
        out[key] = _median_ms(lambda name=name: list(s.query(q[name], use_default_graph_as_union=True)))
    rows = lambda name: {(r["year"].value, r["request"].value, int(r["total"].value)) for r in s.query(q[name])}  # noqa: E731
    out["prov_same"] = rows("provincial aggregate (scan)") == rows("provincial aggregate (aggregate graph)")
    settings = Settings(store=store, dumps_dir=WORK / "no-dumps", base_url=BASE, response_cache_mb=0)
    with TestClient(create_app(settings)) as client:
        for key, path in (("figures_page_ms", "/figures"), ("figures_province_page_ms", "/figures?province=34")):
            assert client.get(path).status_code == 200
            out[key] = _median_ms(lambda path=path: client.get(path))
    return out


def _same_aggregate(store: Path) -> bool:
    from pyoxigraph import Store

    s = Store.read_only(str(store.resolve()))
    q = queries("urn:x", "urn:x")

    def rows(text: str) -> set[tuple[str, str, int]]:
        return {
            (r["year"].value, r["request"].value, int(r["total"].value))
            for r in s.query(text, use_default_graph_as_union=True)
        }

    return rows(q["national aggregate (scan)"]) == rows(q["national aggregate (aggregate graph)"])


if __name__ == "__main__":
    main()
