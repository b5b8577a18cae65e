"""Conversion speed: reports/s per core, file in and sorted N-Quads out, against parsing the same
files with BeautifulSoup / lxml / pdfplumber alone (``--only convert``; its own section of RESULTS.md).

The text seeds (``data/seeds``, replicated ``--repeat`` times) and the Shanghai 2019 fixtures in
HTML, DOCX and PDF, each in 1 and 2 warm worker processes, with the time of each stage in one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.harness import BASE, ROOT, Run, Target, fmt, note

FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = ROOT / "data" / "seeds"


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


def measure(run: Run) -> dict[str, Any]:
    return measure_repeat(run.args.repeat)


def measure_repeat(repeat: int) -> dict[str, Any]:
    """The conversion section, the text seeds replicated ``repeat`` times."""
    seeds = sorted(SEEDS.glob("*.txt"))
    out: dict[str, Any] = {}
    text_paths = [str(p) for p in seeds] * repeat
    out["text"] = {**_pool_rates(text_paths), "stages_ms": _stages_ms(seeds, 10)}
    out["text_read_only_s"] = _per_file(lambda: [p.read_text(encoding="utf-8") for p in seeds], 20) / len(seeds)
    html = FIXTURES / "shanghai_municipal_office_2019.html"
    pdf = FIXTURES / "shanghai_municipal_office_2019.pdf"
    docx = FIXTURES / "shanghai_municipal_office_2019.docx"
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
# rendering

PEERS = (
    ("bs4_lxml_s", "BeautifulSoup(html, 'lxml') alone"),
    ("bs4_htmlparser_s", "BeautifulSoup(html, 'html.parser') alone"),
    ("lxml_alone_s", "lxml.html.fromstring alone"),
    ("pdfplumber_text_s", "pdfplumber extract_text of every page alone"),
    ("pdfplumber_tables_s", "pdfplumber extract_tables of every page alone"),
)


def _stages(x: dict[str, Any]) -> str:
    st = x.get("stages_ms")
    return f"{st['read']:.1f} / {st['emit']:.1f} / {st['serialize']:.1f}" if st else "-"


def render(res: dict[str, Any]) -> list[str]:
    """The conversion section's lines (its markers left to the harness); none without conversion numbers."""
    if "convert" not in res:
        return []
    c = res["convert"]
    t = c["text"]
    rows = [
        "| input | ms per file, end to end (1 core) | reports/s, 1 process | reports/s, 2 processes | speed-up "
        "| reading only: reports/s, 1 process | ms read / emit / serialize |",
        "|---|---|---|---|---|---|---|",
        f"| text seeds ×{t['files'] // 5} ({t['files']} files) | {fmt(1 / t['per_core_rps'] * 1000, 1)} ms | "
        f"{fmt(t['per_core_rps'], 1)} | {fmt(t['two_proc_rps'], 1)} | {t['two_proc_rps'] / t['per_core_rps']:.2f}× | "
        f"{fmt(t.get('read_only_rps', 0), 1)} | {_stages(t)} |",
    ]
    for key in ("html", "docx", "pdf"):
        if key in c and "per_core_rps" in c[key]:
            x = c[key]
            rows.append(
                f"| {key.upper()} fixture (Shanghai 2019) ×{x['files']} | {fmt(x['per_file_s'] * 1000, 1)} ms | "
                f"{fmt(x['per_core_rps'], 1)} | {fmt(x['two_proc_rps'], 1)} | {x['two_proc_rps'] / x['per_core_rps']:.2f}× | "
                f"{fmt(x.get('read_only_rps', 0), 1)} | {_stages(x)} |"
            )
        elif key in c:
            rows.append(f"| {key.upper()} | failed: {c[key]['error']} | | | | | |")
    peers = [f"reading a seed file alone: {c['text_read_only_s'] * 1e3:.3f} ms"]
    peers += [f"{label}: {c[k] * 1e3:.1f} ms per file" for k, label in PEERS if k in c]
    return [
        "## Conversion (issue 4)",
        "",
        f"Measured by bench/run.py in the run above ({res['when']}). {note('convert', 'what is measured')}",
        "",
        *rows,
        "",
        "Parsing alone, same files (the floor a converter built on these libraries cannot beat):",
        "",
        *[f"- {p}" for p in peers],
    ]


def targets(res: dict[str, Any]) -> list[Target]:
    """Text and HTML ≥ 100 reports/s per core; PDF within 1.3× of pdfplumber's own parsing."""
    if "convert" not in res:
        return []
    c = res["convert"]
    out: list[Target] = []
    rates = [("text", c["text"]["per_core_rps"])]
    if "html" in c and "per_core_rps" in c["html"]:
        rates.append(("HTML", c["html"]["per_core_rps"]))
    for kind, rps in rates:
        out.append((f"{kind} conversion ≥ 100 reports/s per core, file → sorted N-Quads (is {rps:.1f})", rps >= 100))
    pdf = c.get("pdf", {})
    floors = [c[k] for k in ("pdfplumber_text_s", "pdfplumber_tables_s") if c.get(k)]
    if "per_file_s" in pdf and floors:
        # against the faster of pdfplumber's two parses of the same pages: the stricter reading
        x = pdf["per_file_s"] / min(floors)
        out.append(
            (
                f"PDF conversion within 1.3× of pdfplumber's own parsing of the same pages, end to end "
                f"(is {x:.2f}× the faster of extract_text and extract_tables of every page)",
                x <= 1.3,
            )
        )
    return out
