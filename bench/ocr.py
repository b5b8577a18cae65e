"""Scanned reports read by OCR (issue 18): how fast, and how many 表三/表四 digits come out right.

    .venv/bin/python -m bench.ocr                 # ≈ 8 minutes on 2 cores
    .venv/bin/python -m bench.ocr --report-only   # the section again from bench/ocr_results.json

Corpus (made in /tmp, removed at the end unless ``--keep``): the pages of two text-layer PDFs that
hold 表三/表四 (tests/fixtures/huaian_municipal_2024.pdf pages 4–5, a real 2021-template report;
tests/fixtures/seed_000.pdf pages 3–5: 表二, 表三, 表四) rendered by pdftoppm at 150, 200 and 300 dpi and wrapped as
image-only PDFs (img2pdf) in three variants, with the defect helpers of tools/make_scan_fixtures.py:

* ``clean``: grey, JPEG quality 70;
* ``worn``: turned ±1.2°, Gaussian grain and dark specks, grey JPEG quality 50;
* ``stamped``: a red official seal over the lower right of each page's table, colour JPEG quality 60.

The truth is what ``convert_file`` reads from the text-layer original (its 表三/表四 cells). On each
scan, one after the other (so that a shared machine slows all of them alike):

* Gongkai: ``convert_file(scan)`` (pdfium render → per-cell tesserocr → tables → ``ocr_check.confirm``),
  Tesseract's APIs loaded once before timing (as in any batch);
* the OCRmyPDF path: ``ocrmypdf -l chi_sim --output-type pdf --jobs 1`` (one core, as Gongkai's one
  process), then the ordinary converter reading its text layer with pdfplumber (``convert_file``:
  no OCR readings, so nothing is confirmed; every cell it reads is published);
* plain ``tesseract page.png - -l chi_sim`` per page (text only: no table, no cells; the pages are
  rendered to PNG by pdftoppm beforehand, untimed).

Every tool runs with ``OMP_THREAD_LIMIT=1``. Each cell published is compared with the truth: right,
WRONG (silently: no warning-level note targets it), or left out. Raw numbers go to
bench/ocr_results.json; the section of bench/RESULTS.md between ``<!-- bench/ocr.py: start -->`` and
``<!-- bench/ocr.py: end -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before tesserocr loads: one thread per engine, for all three

from bench.results import RESULTS, part_of, suite_stamp, write_section
from converter.errors import GongkaiError, Severity
from converter.model import Report
from converter.options import ConvertOptions, ManifestRow
from converter.pipeline import convert_file

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "bench" / "ocr_results.json"
START, END = "<!-- bench/ocr.py: start -->", "<!-- bench/ocr.py: end -->"
FIXTURES = ROOT / "tests" / "fixtures"
SOURCES = {
    "huaian": (FIXTURES / "huaian_municipal_2024.pdf", (4, 5)),
    "seed000": (FIXTURES / "seed_000.pdf", (3, 4, 5)),
}
DPIS = (150, 200, 300)
VARIANTS = ("clean", "worn", "stamped")
TABLES = ("table3", "table4")
Key = tuple[str, ...]


@dataclass(frozen=True)
class Scan:
    source: str
    dpi: int
    variant: str
    path: Path
    pages: int


# --- the corpus ------------------------------------------------------------------------------


def _table_boxes(pdf: Path, numbers: tuple[int, ...]) -> dict[int, tuple[float, float, float, float] | None]:
    """The largest table's box on each page, as a share of the page (x0, y0, x1, y1), or None."""
    import pdfplumber

    boxes: dict[int, tuple[float, float, float, float] | None] = {}
    with pdfplumber.open(pdf) as doc:
        for n in numbers:
            page = doc.pages[n - 1]
            found = [t.bbox for t in page.find_tables()]
            if not found:
                boxes[n] = None
                continue
            x0, y0, x1, y1 = max(found, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
            boxes[n] = (x0 / page.width, y0 / page.height, x1 / page.width, y1 / page.height)
    return boxes


def make_corpus(folder: Path, dpis: tuple[int, ...], variants: tuple[str, ...]) -> list[Scan]:
    """Image-only PDFs of every source, resolution and variant (see the module's docstring)."""
    from PIL import Image

    from tools.make_scan_fixtures import noise, render, stamp

    scans: list[Scan] = []
    for source, (pdf, numbers) in SOURCES.items():
        boxes = _table_boxes(pdf, numbers)
        for dpi in dpis:
            pages = {n: render(pdf, n, dpi) for n in numbers}
            for variant in variants:
                jpegs: list[Path] = []
                for i, (n, page) in enumerate(pages.items()):
                    if variant == "worn":
                        angle = 1.2 if i % 2 == 0 else -1.2
                        page = noise(page, 20, seed=i).rotate(
                            angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)
                        )
                    elif variant == "stamped":
                        box = boxes[n] or (0.1, 0.5, 0.9, 0.9)
                        centre = (
                            round(page.width * (box[0] + 0.7 * (box[2] - box[0]))),
                            round(page.height * (box[1] + 0.65 * (box[3] - box[1]))),
                        )
                        page = stamp(page, centre, dpi)
                    out = folder / f"{source}_{dpi}_{variant}_p{n}.jpg"
                    grey = variant != "stamped"
                    quality = {"clean": 70, "worn": 50, "stamped": 60}[variant]
                    (page.convert("L") if grey else page).save(out, "JPEG", quality=quality, dpi=(dpi, dpi))
                    jpegs.append(out)
                path = folder / f"{source}_{dpi}dpi_{variant}.pdf"
                subprocess.run(["img2pdf", *map(str, jpegs), "-o", str(path)], check=True)
                for j in jpegs:
                    j.unlink()
                scans.append(Scan(source, dpi, variant, path, len(numbers)))
    return scans


# --- measuring -------------------------------------------------------------------------------


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def truth(source: str) -> tuple[dict[Key, Decimal], str, int]:
    """The 表三/表四 cells of the text-layer original, its agency and year."""
    report = convert_file(SOURCES[source][0])
    cells = {c.key: c.value for c in report.cells if c.table in TABLES}
    return cells, report.meta.agency, report.meta.year


def score(report: Report | None, expected: dict[Key, Decimal]) -> dict[str, Any]:
    """Right, wrong (silently or with a note), left out, of the 表三/表四 cells published."""
    if report is None:
        return {"expected": len(expected), "right": 0, "wrong": [], "left_out": len(expected), "published": 0}
    noted = {tuple(i.target) for i in report.issues if i.target is not None and i.severity is not Severity.INFO}
    published = {c.key: c.value for c in report.cells if c.table in TABLES}
    right = sum(1 for k, v in published.items() if expected.get(k) == v)
    wrong = [
        {
            "cell": "/".join(k),
            "value": str(v),
            "expected": None if expected.get(k) is None else str(expected[k]),
            "silent": k not in noted,
            "notes": [f"{i.code}: {i.message}" for i in report.issues if i.target is not None and tuple(i.target) == k],
        }
        for k, v in sorted(published.items())
        if expected.get(k) != v
    ]
    return {
        "expected": len(expected),
        "published": len(published),
        "right": right,
        "wrong": wrong,
        "left_out": sum(1 for k in expected if k not in published),
    }


def _convert(path: Path, options: ConvertOptions) -> tuple[Report | None, str | None]:
    try:
        return convert_file(path, options), None
    except GongkaiError as exc:
        return None, str(exc)


def run_gongkai(scan: Scan, options: ConvertOptions) -> tuple[dict[str, float], Report | None, str | None]:
    cpu, start = _cpu_self(), time.perf_counter()
    report, error = _convert(scan.path, options)
    return {"wall": time.perf_counter() - start, "cpu": _cpu_self() - cpu}, report, error


def run_ocrmypdf(scan: Scan, work: Path, options: ConvertOptions) -> tuple[dict[str, float], Report | None, str | None]:
    out = work / f"{scan.path.stem}_ocrmypdf.pdf"
    cpu, start = _cpu_children(), time.perf_counter()
    done = subprocess.run(
        ["ocrmypdf", "-l", "chi_sim", "--output-type", "pdf", "--jobs", "1", "--quiet", str(scan.path), str(out)],
        capture_output=True,
        text=True,
    )
    ocr_wall, ocr_cpu = time.perf_counter() - start, _cpu_children() - cpu
    if done.returncode != 0:
        return {"wall": ocr_wall, "cpu": ocr_cpu, "ocr_wall": ocr_wall, "read_wall": 0.0}, None, done.stderr[-300:]
    cpu, start = _cpu_self(), time.perf_counter()
    report, error = _convert(out, ConvertOptions(manifest={out.name: options.manifest[scan.path.name]}))
    read_wall, read_cpu = time.perf_counter() - start, _cpu_self() - cpu
    timing = {"wall": ocr_wall + read_wall, "cpu": ocr_cpu + read_cpu, "ocr_wall": ocr_wall, "read_wall": read_wall}
    return timing, report, error


def run_tesseract(scan: Scan, work: Path) -> dict[str, float]:
    stem = work / scan.path.stem
    subprocess.run(["pdftoppm", "-r", str(scan.dpi), "-png", str(scan.path), str(stem)], check=True)
    pngs = sorted(work.glob(f"{scan.path.stem}-*.png"))
    cpu, start = _cpu_children(), time.perf_counter()
    chars = 0
    for png in pngs:
        done = subprocess.run(["tesseract", str(png), "-", "-l", "chi_sim"], capture_output=True, text=True, check=True)
        chars += len(done.stdout)
    timing = {"wall": time.perf_counter() - start, "cpu": _cpu_children() - cpu, "chars": float(chars)}
    for png in pngs:
        png.unlink()
    return timing


def _load() -> dict[str, Any]:
    """The load average and the busiest other processes (the machine may be shared)."""
    ps = subprocess.run(
        ["ps", "-eo", "pid,ppid,pcpu,etime,comm", "--sort=-pcpu"], capture_output=True, text=True
    ).stdout.splitlines()[1:]
    mine = {os.getpid()}
    others = []
    for line in ps:
        pid, ppid, pcpu, etime, comm = line.split(None, 4)
        if int(pid) in mine or int(ppid) in mine or comm in ("ps",):
            continue
        if float(pcpu) >= 5.0:
            others.append(f"{comm} ({pcpu}% CPU, {etime})")
    return {"loadavg": [round(x, 2) for x in os.getloadavg()], "busy": others[:6]}


def _tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True).stdout or ""
    except FileNotFoundError:
        return "missing"
    return out.strip().splitlines()[0] if out.strip() else "?"


def versions() -> dict[str, str]:
    import tesserocr

    return {
        "ocrmypdf": _tool_version(["ocrmypdf", "--version"]),
        "tesseract CLI": _tool_version(["tesseract", "--version"]),
        "tesserocr": version("tesserocr"),
        "tesserocr's libtesseract": tesserocr.tesseract_version().splitlines()[0],
        "pdfplumber": version("pdfplumber"),
        "pypdfium2": version("pypdfium2"),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from converter.extract import ocr

    if shutil.which("ocrmypdf") is None:
        sys.exit("ocrmypdf is missing: apt-get install ocrmypdf (or pip install ocrmypdf)")
    load_start = _load()
    print(f"load average at start: {load_start['loadavg']}; busy: {load_start['busy']}", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="gk-ocr-bench-", dir="/tmp"))
    peak = list(load_start["loadavg"])
    files: list[dict[str, Any]] = []
    try:
        t = time.perf_counter()
        scans = make_corpus(work, tuple(args.dpi), tuple(args.variants))
        corpus_s = time.perf_counter() - t
        print(f"corpus: {len(scans)} scans in {work} ({corpus_s:.0f} s)", file=sys.stderr)
        truths = {source: truth(source) for source in SOURCES}
        manifest = {s.path.name: ManifestRow(agency=truths[s.source][1], year=truths[s.source][2]) for s in scans}
        options = ConvertOptions(manifest=manifest)
        ocr._engine(scans[0].path)  # Tesseract's APIs, once per process
        for scan in sorted(scans, key=lambda s: (s.dpi, VARIANTS.index(s.variant), s.source)):
            expected = truths[scan.source][0]
            g_time, g_report, g_error = run_gongkai(scan, options)
            o_time, o_report, o_error = run_ocrmypdf(scan, work, options)
            t_time = run_tesseract(scan, work)
            row = {
                "file": scan.path.name,
                "source": scan.source,
                "dpi": scan.dpi,
                "variant": scan.variant,
                "pages": scan.pages,
                "gongkai": {**g_time, "error": g_error, **score(g_report, expected)},
                "ocrmypdf": {**o_time, "error": o_error, **score(o_report, expected)},
                "tesseract": t_time,
            }
            files.append(row)
            now = os.getloadavg()
            peak = [max(a, b) for a, b in zip(peak, now, strict=True)]
            g, o = row["gongkai"], row["ocrmypdf"]
            print(
                f"{scan.path.name}: gongkai {g['wall']:.1f} s right {g['right']} left out {g['left_out']} "
                f"WRONG {len(g['wrong'])} | ocrmypdf {o['wall']:.1f} s right {o['right']} wrong {len(o['wrong'])} "
                f"| tesseract {t_time['wall']:.1f} s | load {now[0]:.2f}"
                + "".join(f" | {t} refused: {row[t]['error']}" for t in ("gongkai", "ocrmypdf") if row[t]["error"]),
                file=sys.stderr,
            )
            for w in g["wrong"]:
                print(f"!!! GONGKAI PUBLISHED A WRONG OCR NUMBER: {scan.path.name} {w}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"corpus kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    load_end = _load()
    print(f"load average at end: {load_end['loadavg']}; busy: {load_end['busy']}", file=sys.stderr)
    return {
        "files": files,
        "corpus_seconds": round(corpus_s, 1),
        "load": {"start": load_start, "end": load_end, "peak_during": [round(x, 2) for x in peak]},
        "versions": versions(),
        "cores": os.cpu_count(),
        "command": "python -m bench.ocr"
        + (f" --dpi {' '.join(map(str, args.dpi))}" if args.dpi != list(DPIS) else "")
        + (f" --variants {' '.join(args.variants)}" if args.variants != list(VARIANTS) else ""),
    }


# --- the section -----------------------------------------------------------------------------


def _sum(rows: list[dict[str, Any]], tool: str, field: str) -> float:
    return sum(r[tool][field] for r in rows)


def _share(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "—"


def section(res: dict[str, Any]) -> str:
    files = res["files"]
    pages = sum(r["pages"] for r in files)
    g_wall, o_wall, t_wall = (_sum(files, tool, "wall") for tool in ("gongkai", "ocrmypdf", "tesseract"))
    g_cpu, o_cpu, t_cpu = (_sum(files, tool, "cpu") for tool in ("gongkai", "ocrmypdf", "tesseract"))
    dpis = sorted({r["dpi"] for r in files})
    variants = [v for v in VARIANTS if any(r["variant"] == v for r in files)]
    g_wrong = [(r["file"], w) for r in files for w in r["gongkai"]["wrong"]]
    o_wrong = sum(len(r["ocrmypdf"]["wrong"]) for r in files)
    o_silent = sum(1 for r in files for w in r["ocrmypdf"]["wrong"] if w["silent"])

    def confirmed(rows: list[dict[str, Any]], tool: str = "gongkai") -> tuple[int, int]:
        return sum(r[tool]["right"] for r in rows), sum(r[tool]["expected"] for r in rows)

    per_dpi = ", ".join(f"{d} dpi {_share(*confirmed([r for r in files if r['dpi'] == d]))}" for d in dpis)
    per_dpi_o = ", ".join(
        f"{d} dpi {confirmed([r for r in files if r['dpi'] == d], 'ocrmypdf')[0]} right / "
        f"{sum(len(r['ocrmypdf']['wrong']) for r in files if r['dpi'] == d)} wrong"
        for d in dpis
    )
    load = res["load"]
    busy = sorted(set(load["start"]["busy"]) | set(load["end"]["busy"]))
    shared = max(load["peak_during"][0], load["start"]["loadavg"][0], load["end"]["loadavg"][0]) > 1.5 or busy
    lines = [
        START,
        "",
        "## Scanned reports by OCR (bench/ocr.py, issue 18)",
        "",
        f"Run {res['when']}: `{res['command']}`{part_of(res)}, on {res['cores']} cores; "
        + ", ".join(f"{k} {v}" for k, v in res["versions"].items())
        + ".",
        "",
        f"**Answer.** On {pages} scanned pages ({len(files)} image-only PDFs: {len(dpis)} resolutions × "
        f"{len(variants)} variants × 2 reports), Gongkai's OCR path reads **{pages / g_wall:.2f} pages/s** "
        f"({g_wall / pages:.2f} s a page, one process); OCRmyPDF + the pdfplumber path {pages / o_wall:.2f} pages/s, "
        f"plain `tesseract -l chi_sim` {pages / t_wall:.2f} pages/s. Gongkai time / peer time: "
        f"**{g_wall / o_wall:.2f}** against OCRmyPDF + pdfplumber, **{g_wall / t_wall:.2f}** against plain tesseract "
        f"(CPU time: {g_cpu / o_cpu:.2f} and {g_cpu / t_cpu:.2f}). 表三/表四 cells published right and confirmed "
        f"by the tables' sums: {per_dpi}. "
        + (
            "**Wrong numbers published by Gongkai: 0.**"
            if not g_wrong
            else f"**WRONG NUMBERS PUBLISHED BY GONGKAI: {len(g_wrong)}** (listed below)."
        )
        + f" The OCRmyPDF path publishes every cell it reads: {per_dpi_o} "
        f"({o_silent} of its {o_wrong} wrong cells without any warning targeting them).",
        "",
        "Load: "
        f"load average {load['start']['loadavg']} at start, {load['end']['loadavg']} at end, highest 1-minute "
        f"{load['peak_during'][0]} during the run"
        + (
            f"; **the machine was shared** (other processes using CPU: {'; '.join(busy) or 'see the load average'}): "
            "the three tools ran one after the other on each file, so they were slowed alike; compare the CPU "
            "columns too."
            if shared
            else "; no other process was busy (a load of about 1 is this benchmark's own process)."
        ),
        "",
        "Speed (each tool on the same files, one after the other; s = wall seconds, CPU s in brackets):",
        "",
        "| dpi | pages | Gongkai s | OCRmyPDF + pdfplumber s (ocrmypdf + reading) | tesseract CLI s "
        "| Gongkai pages/s | OCRmyPDF path pages/s | tesseract pages/s | Gongkai / OCRmyPDF path | Gongkai / tesseract |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in [*dpis, None]:
        rows = [r for r in files if d is None or r["dpi"] == d]
        p = sum(r["pages"] for r in rows)
        g, o, t = (_sum(rows, tool, "wall") for tool in ("gongkai", "ocrmypdf", "tesseract"))
        gc, oc, tc = (_sum(rows, tool, "cpu") for tool in ("gongkai", "ocrmypdf", "tesseract"))
        ow, orr = _sum(rows, "ocrmypdf", "ocr_wall"), _sum(rows, "ocrmypdf", "read_wall")
        lines.append(
            f"| {d or '**all**'} | {p} | {g:.1f} ({gc:.1f}) | {o:.1f} ({oc:.1f}; {ow:.1f} + {orr:.1f}) | {t:.1f} ({tc:.1f}) "
            f"| {p / g:.2f} | {p / o:.2f} | {p / t:.2f} | {g / o:.2f} | {g / t:.2f} |"
        )
    lines += [
        "",
        "表三/表四 cells against the text-layer original (Gongkai: published = confirmed by the sums; "
        "OCRmyPDF path: what the ordinary converter reads from OCRmyPDF's text layer, all published):",
        "",
        "| dpi | variant | cells expected | Gongkai right (confirmed) | Gongkai left out | Gongkai WRONG "
        "| OCRmyPDF path right | OCRmyPDF path wrong (silent) | OCRmyPDF path not read |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d in dpis:
        for v in variants:
            rows = [r for r in files if r["dpi"] == d and r["variant"] == v]
            if not rows:
                continue
            exp = sum(r["gongkai"]["expected"] for r in rows)
            gw = sum(len(r["gongkai"]["wrong"]) for r in rows)
            ow = sum(len(r["ocrmypdf"]["wrong"]) for r in rows)
            osil = sum(1 for r in rows for w in r["ocrmypdf"]["wrong"] if w["silent"])
            lines.append(
                f"| {d} | {v} | {exp} | {_share(int(_sum(rows, 'gongkai', 'right')), exp)} "
                f"| {int(_sum(rows, 'gongkai', 'left_out'))} | {'**' + str(gw) + '**' if gw else 0} "
                f"| {_share(int(_sum(rows, 'ocrmypdf', 'right')), exp)} | {ow} ({osil}) "
                f"| {int(_sum(rows, 'ocrmypdf', 'left_out'))} |"
            )
    refused = [
        f"- {r['file']} ({'Gongkai' if t == 'gongkai' else 'OCRmyPDF path'}): {r[t]['error'].split(': ', 1)[-1]}"
        for r in files
        for t in ("gongkai", "ocrmypdf")
        if r[t]["error"]
    ]
    if refused:
        lines += ["", "Files refused whole (counted as left out / not read):", "", *refused]
    lines += ["", "Per report (Gongkai right / OCRmyPDF path right / OCRmyPDF path wrong, of the cells expected):", ""]
    for source in sorted({r["source"] for r in files}):
        rows = [r for r in files if r["source"] == source]
        lines.append(
            f"- {source} ({rows[0]['gongkai']['expected']} cells, {rows[0]['pages']} pages): "
            + "; ".join(
                f"{r['dpi']} {r['variant']} {r['gongkai']['right']}/{r['ocrmypdf']['right']}/{len(r['ocrmypdf']['wrong'])}"
                for r in rows
            )
        )
    if g_wrong:
        lines += ["", "**Wrong OCR'd numbers Gongkai published** (file, cell, value, expected):", ""]
        lines += [
            f"- {f}: {w['cell']} = {w['value']} (expected {w['expected']}); its notes: "
            + ("; ".join(w.get("notes", [])) or "none")
            for f, w in g_wrong
        ]
    examples = [(r["file"], w) for r in files for w in r["ocrmypdf"]["wrong"]][:8]
    if examples:
        lines += ["", "Examples of the OCRmyPDF path's wrong cells (file: cell = read, expected):", ""]
        lines += [
            f"- {f}: {w['cell']} = {w['value']} (expected {w['expected']}){' silent' if w['silent'] else ''}"
            for f, w in examples
        ]
    lines += [
        "",
        "How: the corpus is made in /tmp from tests/fixtures/huaian_municipal_2024.pdf (pages 4–5) and "
        "tests/fixtures/seed_000.pdf (pages 3–5, its tables) with tools/make_scan_fixtures.py's helpers (pdftoppm render; "
        "*clean* grey JPEG q70; *worn* ±1.2°, grain and specks, grey JPEG q50; *stamped* a red seal over each "
        "table's lower right, colour JPEG q60; img2pdf), "
        f"{res['corpus_seconds']:.0f} s, not timed. Both converters get agency and year from a manifest row "
        "(the huaian scan has no title page). Gongkai: `convert_file(scan)` with Tesseract's APIs loaded before "
        "timing. OCRmyPDF: `ocrmypdf -l chi_sim --output-type pdf --jobs 1` (one core, like Gongkai's one "
        "process; its default uses every core) then `convert_file` on its output. tesseract: "
        "`tesseract page.png - -l chi_sim` per page, pages rendered by pdftoppm beforehand (not timed); it gives "
        "text only, no table cells. `OMP_THREAD_LIMIT=1` for all. *silent*: no warning-level note targets the "
        "cell. Raw numbers per file: bench/ocr_results.json.",
        "",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpi", type=int, nargs="+", default=list(DPIS), help="resolutions (default 150 200 300)")
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), help="defect variants")
    ap.add_argument("--keep", action="store_true", help="keep the corpus in /tmp")
    ap.add_argument("--report-only", action="store_true", help="write the section again from bench/ocr_results.json")
    ap.add_argument("--no-write", action="store_true", help="print the section; write neither file")
    args = ap.parse_args()
    if args.no_write:
        print(section({**measure(args), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}))
        return

    if args.report_only:
        res = json.loads(RAW.read_text(encoding="utf-8"))
    else:  # the raw numbers are kept first: a later failure must not lose a 6-minute run
        res = {**measure(args), "machine": _machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        res.update(suite_stamp())
        RAW.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = section(res)
    print(text)
    write_section(START, END, text, RESULTS)
    print(f"wrote {RESULTS} and {RAW}", file=sys.stderr)


def _machine() -> dict[str, str]:
    """bench.harness's machine description (it also asks for tools this benchmark does not need)."""
    try:
        from bench.harness import machine

        return machine()
    except OSError as exc:
        return {"cpu_count": str(os.cpu_count()), "note": f"bench.harness.machine() failed: {exc}"}


if __name__ == "__main__":
    main()
