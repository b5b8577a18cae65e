"""Benchmarks against peers measured in the same run; writes bench/RESULTS.md (``make bench``).

``python -m bench.run [-n 1000,10000] [--small 200] [--duration 5] [--only http,load,...]``

The harness of bench/run.py: the command line, the corpora and stores, the machine facts, the
timing helpers, the servers and ``wrk``, the raw numbers (``build/bench/results.json``) and the
rendering of the two sections of RESULTS.md. Each benchmark is a module of its own, measured by
``measure(run) -> dict`` and rendered by ``render(results) -> list[str]`` (JSON in, markdown out),
``targets(results)`` giving its lines of the targets list:

- ``load``: bench/load.py, ``gongkai load`` vs pyoxigraph ``Store.bulk_load`` (and bulk_load +
  optimize) of the same N-Quads shards, at each corpus size, with peak RSS of each process;
- ``dump``: bench/dump.py, ``gongkai dump`` vs pyoxigraph ``Store.dump`` (N-Quads), with peak RSS;
- ``http``: bench/sparql_http.py, the FastAPI endpoint (uvicorn) vs ``oxigraph serve-read-only``
  on the same store release, with ``wrk`` (c=1 and c=16, loopback) on five requests and the floor;
- ``aggregate``: bench/aggregate.py, a national sum by outcome and year from the aggregate graph vs
  the scan query;
- ``convert``: bench/convert.py, reports/s per core for the text seeds and the HTML/PDF fixtures vs
  BeautifulSoup / pdfplumber alone, 1 vs 2 processes (its own section of RESULTS.md);
- ``shacl``: bench/shacl_peers.py, ``converter.validate`` per report vs pySHACL over a small corpus
  and pyshacl-turbo.

Hand-written notes that explain the numbers are in bench/notes/*.md, rendered into the section.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.results import RESULTS, part_of, suite_stamp, write_section

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"
RAW = WORK / "results.json"
NOTES = Path(__file__).with_name("notes")
PY = sys.executable
BIN = Path(PY).parent
BASE = "http://localhost:8000"
START, END = "<!-- bench/run.py: start -->", "<!-- bench/run.py: end -->"
CONV_START, CONV_END = "<!-- bench/run.py conversion: start -->", "<!-- bench/run.py conversion: end -->"

SECTIONS = ("load", "dump", "http", "aggregate", "convert", "shacl")
LOAD_DUMP_REPEAT = 3  # rounds, peer and Gongkai back to back in each; the tables give medians
LARGE_ROUNDS = 1  # rounds above 1,000 reports: one round of the 10^4 load section takes ~25 min

Target = tuple[str, bool]  # a line of the targets list (without its verdict) and whether it is met


# --------------------------------------------------------------------------------------------
# the machine, processes and numbers


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
        wrk_run = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        wrk_version = (wrk_run.stdout + wrk_run.stderr).split("\n")[0].strip()
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


def median_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Key by key median of ``runs`` (numbers only; other values from the first run)."""
    return {k: statistics.median(r[k] for r in runs) if isinstance(v, int | float) else v for k, v in runs[0].items()}


def paired_ratio(
    peers: list[dict[str, Any]], gks: list[dict[str, Any]], peer_s: Callable[[dict[str, Any]], float]
) -> float:
    """Median over rounds of peer seconds / Gongkai seconds (≥ 1: Gongkai as fast or faster)."""
    return statistics.median(peer_s(p) / g["seconds"] for p, g in zip(peers, gks, strict=True))


def median_ms(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def release_optimized(store: Path) -> bool | None:
    """Whether the release ``store`` points at was compacted (its marker, endpoint/release.py): a
    release left by an update without ``optimize`` answers some queries several times slower."""
    release = store.resolve()
    try:
        marker = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return bool(marker.get("optimized")) if isinstance(marker, dict) else None


# --------------------------------------------------------------------------------------------
# servers and wrk


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
    return parse_wrk(text, cpu if server_pid else None)


def parse_wrk(text: str, server_cpu_s: float | None = None) -> dict[str, float]:
    """The numbers of ``wrk --latency`` output ``text``; with ``server_cpu_s``, the server's CPU
    milliseconds per request too."""
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
        **({"cpu_ms_per_request": server_cpu_s / requests * 1e3} if server_cpu_s is not None and requests else {}),
    }


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


# --------------------------------------------------------------------------------------------
# rendering helpers


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def memory_growth(section: dict[str, Any], what: str) -> list[Target]:
    """The target "peak memory independent of N" of a section measured at several corpus sizes
    (``section``: rows by size, with ``gongkai_rss_mib`` and ``peer_rss_mib``): at most 1.25× from
    the smallest corpus to the largest."""
    rows = sorted((int(n), row) for n, row in section.items())
    rss = [(n, float(row["gongkai_rss_mib"])) for n, row in rows]
    if len(rss) < 2:
        return []
    (n0, r0), (n1, r1) = rss[0], rss[-1]
    p0, p1 = (float(rows[i][1].get("peer_rss_mib", 0)) for i in (0, -1))
    peer = f"; the peer's own {p0:.0f} → {p1:.0f} MiB, {p1 / p0:.2f}×" if p0 and p1 else ""
    return [
        (
            f"{what} peak memory independent of N ({r0:.0f} MiB at {n0:,} reports, {r1:.0f} MiB at {n1:,}; "
            f"{r1 / r0:.2f}×, allowed 1.25×{peer})",
            r1 <= 1.25 * r0,
        )
    ]


def note(name: str, heading: str | None = None) -> str:
    """The hand-written text of bench/notes/``name``.md: the whole file, or only the paragraph(s)
    under its ``## heading`` (up to the next ``## ``), without the heading."""
    text = (NOTES / f"{name}.md").read_text(encoding="utf-8")
    if heading is None:
        return text.rstrip("\n")
    parts = re.split(r"^## (.+)\n", text, flags=re.MULTILINE)
    found = dict(zip(parts[1::2], parts[2::2], strict=True))
    if heading not in found:
        raise KeyError(f"bench/notes/{name}.md has no '## {heading}' paragraph; add it or fix the heading")
    return found[heading].strip("\n")


# --------------------------------------------------------------------------------------------
# one run


@dataclass
class Run:
    """What a benchmark's ``measure`` gets: the options, the corpora, and the results so far
    (``res``; with ``--only``, the other sections' and other sizes' numbers of the previous run)."""

    args: argparse.Namespace
    ns: list[int]  # the large corpus sizes (``-n``)
    bigs: dict[int, Path]  # their corpora
    sizes: list[tuple[int, Path]]  # the small corpus and the large ones (load and dump)
    res: dict[str, Any]
    previous: dict[str, Any] = field(default_factory=dict)  # the measured sections' previous numbers

    def rounds_for(self, n: int) -> int:
        """Load and dump rounds at ``n`` reports."""
        return int(self.args.rounds if n <= 1000 else self.args.large_rounds)

    def checkpoint(self, section: str, value: dict[str, Any]) -> None:
        """Keep ``value`` as ``section``'s numbers and write the raw numbers out (a run stopped later
        keeps them)."""
        self.res[section] = value
        save(self.res)


def save(res: dict[str, Any], path: Path | None = None) -> None:
    """Write the raw numbers to ``path`` (default ``build/bench/results.json``)."""
    (path or RAW).write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def load_results(path: Path | None = None) -> dict[str, Any]:
    """The raw numbers kept in ``path`` (default ``build/bench/results.json``)."""
    result: dict[str, Any] = json.loads((path or RAW).read_text(encoding="utf-8"))
    return result


# --------------------------------------------------------------------------------------------
# the sections of RESULTS.md


def render_main(res: dict[str, Any]) -> str:
    """The section of every benchmark but conversion, markers included: the machine, each
    benchmark's tables, the targets list (conversion's targets too), the notes."""
    from bench import aggregate, convert, dump, load, shacl_peers, sparql_http

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
    benchmarks = (sparql_http, aggregate, load, dump, shacl_peers)
    for bench in benchmarks:
        lines += bench.render(res)
    lines += ["### Targets", ""]
    targets = [t for bench in benchmarks for t in bench.targets(res)]
    # peak memory across corpus sizes, after every per-size target
    targets += memory_growth(res.get("load", {}), "`gongkai load`") + memory_growth(
        res.get("dump", {}), "`gongkai dump`"
    )
    lines += [f"- {text}: {met(ok)}" for text, ok in [*targets, *convert.targets(res)]]
    lines += ["", note("run"), "", "Raw numbers: `build/bench/results.json`.", "", END]
    return "\n".join(lines) + "\n"


def render_conversion(res: dict[str, Any]) -> str:
    """The conversion section, markers included ("" without conversion numbers)."""
    from bench import convert

    lines = convert.render(res)
    return "\n".join([CONV_START, "", *lines, "", CONV_END]) + "\n" if lines else ""


def write_results(res: dict[str, Any], results: Path = RESULTS) -> None:
    """Write both sections of ``results`` (bench/RESULTS.md) from the raw numbers ``res``."""
    for start, end, block in ((START, END, render_main(res)), (CONV_START, CONV_END, render_conversion(res))):
        if block:
            write_section(start, end, block, results)


# --------------------------------------------------------------------------------------------
# the command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=(__doc__ or "").splitlines()[0])
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
    return parser.parse_args(argv)


def _corpora(args: argparse.Namespace, ns: list[int]) -> tuple[dict[int, Path], list[tuple[int, Path]]]:
    """The large corpora (generated if missing) and the sizes load and dump measure: a small corpus
    of the first large one's first shards, then the large ones."""
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
    sizes = [(small_n, small), *bigs.items()] if small_n < ns[0] else list(bigs.items())
    return bigs, sizes


def _ensure_stores(bigs: dict[int, Path]) -> None:
    """The store of each large corpus (``build/bench/store-N``), loaded if missing."""
    for n, big in bigs.items():
        if not (WORK / f"store-{n}").exists():
            from endpoint.load import load as load_store

            start = time.perf_counter()
            load_store([big], WORK / f"store-{n}", base_url=BASE)
            print(f"loaded {n} reports in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    from bench import aggregate, convert, dump, load, shacl_peers, sparql_http

    args = parse_args(argv)
    only = set(args.only.split(","))
    ns = sorted({int(x) for x in str(args.n).split(",") if x.strip()})
    WORK.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        write_results(load_results())
        return
    # A run of every section starts afresh: each number of the tables is then from this run.
    # A partial run (--only) keeps the other sections' numbers, and those of other corpus sizes.
    complete = only >= set(SECTIONS)
    res: dict[str, Any] = load_results() if RAW.exists() and not complete else {}
    previous = {k: res.get(k, {}) for k in ("load", "dump", "http", "aggregate")}  # kept per corpus size
    for section in only:
        res.pop(section, None)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)
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
    bigs, sizes = _corpora(args, ns)
    res.pop("corpus", None)
    for n, big in bigs.items():
        res.setdefault("corpora", {})[str(n)] = (
            f"{n:,} reports, {json.loads((big / 'corpus.json').read_text())['quads']:,} quads in {len(shards(big))} shards"
        )
    run = Run(args=args, ns=ns, bigs=bigs, sizes=sizes, res=res, previous=previous)
    if "load" in only:  # first: it replaces the stores that dump and HTTP measure
        run.checkpoint("load", load.measure(run))
    _ensure_stores(bigs)
    # the aggregate section reads the HTTP section's numbers: after it
    for section, bench in (
        ("dump", dump),
        ("http", sparql_http),
        ("aggregate", aggregate),
        ("convert", convert),
        ("shacl", shacl_peers),
    ):
        if section in only:
            run.checkpoint(section, bench.measure(run))
    save(res)
    write_results(res)
    print(f"wrote {RESULTS} and {RAW}", file=sys.stderr)
