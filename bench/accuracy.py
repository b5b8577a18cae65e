"""How well the converter reads reports it has never seen (issue 17): convert the corpus made by
``bench.accuracy_corpus`` and compare every published cell with the truth.

    .venv/bin/python -m bench.accuracy_corpus && .venv/bin/python -m bench.accuracy [--corpus /tmp/gk-accuracy]

Per shape and overall: the share of KEY numbers right (表三 rows 1, 2, 3.1, 3.7, 4 in the 总计 column;
the three 表四 totals), the share of all 表二/表三/表四 cells right, files refused, agency/year read
right, and the WRONG numbers published — silently (no warning-level note targets the observation)
or with a note. Every failure is listed, grouped by what the file shows, with one example and the
``gongkai inspect`` excerpt that shows why. The summary goes into bench/RESULTS.md (its own section).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from converter.errors import GongkaiError, Severity
from converter.options import ConvertOptions, read_manifest
from converter.pipeline import convert_file
from converter.trace import Trace

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- bench/accuracy.py: start -->", "<!-- bench/accuracy.py: end -->"
KEYS = {
    ("table3", "1", "total"),
    ("table3", "2", "total"),
    ("table3", "3.1", "total"),
    ("table3", "3.7", "total"),
    ("table3", "4", "total"),
    ("table4", "review", "total"),
    ("table4", "litigation-direct", "total"),
    ("table4", "litigation-after-review", "total"),
}
Key = tuple[str, str, str]


@dataclass
class FileResult:
    name: str
    file: str
    shape: str
    defects: str
    title: str
    numbers: str
    refused: str | None = None
    agency_ok: bool = False
    year_ok: bool = False
    cells: int = 0
    right: int = 0
    keys: int = 0
    keys_right: int = 0
    missing: list[tuple[Key, str]] = field(default_factory=list)
    wrong_noted: list[tuple[Key, str, str]] = field(default_factory=list)
    wrong_silent: list[tuple[Key, str, str]] = field(default_factory=list)  # truth "-" = a cell the report has not
    seconds: float = 0.0
    excerpt: str = ""
    got: dict = field(default_factory=dict)


def read_truth(path: Path) -> dict[Key, Decimal]:
    with path.open(encoding="utf-8") as handle:
        return {
            (r["table"], r["row"], r["column"]): Decimal(r["value"]) for r in csv.DictReader(handle, delimiter="\t")
        }


def _key(cell) -> Key:
    notations = [n for _, n in cell.codes]
    return (cell.table, "/".join(notations[:-1]) or "-", notations[-1])


def evaluate(path: Path, row: dict[str, str], truth: dict[Key, Decimal], options: ConvertOptions) -> FileResult:
    result = FileResult(row["name"], row["file"], row["shape"], row["defects"] or "clean", row["title"], row["numbers"])
    result.cells = len(truth)
    result.keys = sum(1 for k in truth if k in KEYS)
    trace = Trace()
    started = time.monotonic()
    try:
        report = convert_file(path, options, trace)
    except GongkaiError as exc:
        result.refused = str(exc).replace(str(path), path.name)
        result.missing = [(k, str(v)) for k, v in sorted(truth.items())]
        result.seconds = time.monotonic() - started
        result.excerpt = _excerpt(path, trace, set())
        return result
    except Exception as exc:  # noqa: BLE001  (an internal error is a refusal too, but say what it was)
        result.refused = f"internal error {type(exc).__name__}: {exc}"
        result.missing = [(k, str(v)) for k, v in sorted(truth.items())]
        result.seconds = time.monotonic() - started
        return result
    result.seconds = time.monotonic() - started
    result.agency_ok = report.meta.agency == row["agency"]
    result.year_ok = report.meta.year == int(row["year"])
    flagged = {tuple(i.target) for i in report.issues if i.target and i.severity in (Severity.WARNING, Severity.ERROR)}
    got: dict[Key, Decimal] = {}
    for cell in report.cells:
        if cell.table in ("table2", "table3", "table4"):
            got[_key(cell)] = cell.value
    result.got = {"/".join(k): str(v) for k, v in got.items()}

    def noted(key: Key) -> bool:
        table, row_, column = key
        return (table, *row_.split("/"), column) in flagged

    bad: set[Key] = set()
    for key, value in truth.items():
        if key not in got:
            result.missing.append((key, str(value)))
            bad.add(key)
        elif got[key] == value:
            result.right += 1
            result.keys_right += key in KEYS
        else:
            (result.wrong_noted if noted(key) else result.wrong_silent).append((key, str(value), str(got[key])))
            bad.add(key)
    for key, value in got.items():  # a cell the report does not have (e.g. 3.6.1 where it printed one （六） row)
        if key not in truth:
            (result.wrong_noted if noted(key) else result.wrong_silent).append((key, "-", str(value)))
            bad.add(key)
    if bad or not (result.agency_ok and result.year_ok):
        result.excerpt = _excerpt(path, trace, bad)
    return result


def _excerpt(path: Path, trace: Trace, bad: set[Key]) -> str:
    """The lines of ``gongkai inspect FILE`` that show why: the head, the 表三 rows and notes that concern
    the failing cells (at most a few of each)."""
    from endpoint.commands.inspect import as_text

    text = as_text(path, trace, lines=False)
    rows = {k[1] for k in bad if k[0] == "table3"}
    targets = {"/".join((k[0], k[1], k[2])) for k in bad}
    out, in_rows, kept_rows, kept_notes = [], False, 0, 0
    for line in text.splitlines():
        if line.startswith(("outcome", "agency", "year", "title", "template", "cells", "  表")):
            out.append(line)
            continue
        if line.startswith("表三 rows"):
            in_rows = True
            out.append(line)
            continue
        if in_rows and line.startswith("  ") and "→" in line:
            placed = line.rsplit("→", 1)[1].split()[0]
            if (placed in rows or "LEFT OUT" in line) and kept_rows < 8:
                out.append(line)
                kept_rows += 1
            continue
        if line.startswith("  ") and ("warning" in line or "error" in line) and kept_notes < 6:
            target = re.search(r"\[([^\]]+)\]", line)
            if target is None or target.group(1) in targets or not bad:
                out.append(line[:220])
                kept_notes += 1
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------


def _cause(result: FileResult) -> str:
    """What the file shows, for grouping: the first of refusal / metadata / table lost / rows."""
    if result.refused:
        reason = re.sub(r"[\d]+", "N", result.refused.split(":", 1)[-1].strip())[:90]
        return f"refused: {reason}"
    parts = []
    for kind, items in (
        ("missing", result.missing),
        ("wrong+note", result.wrong_noted),
        ("SILENT", result.wrong_silent),
    ):
        if not items:
            continue
        tables = Counter(k[0] for k, *_ in items)
        for table, n in sorted(tables.items()):
            whole = (
                (table == "table3" and n >= 150) or (table == "table4" and n >= 15) or (table == "table2" and n >= 18)
            )
            parts.append(f"{kind} {table} ({'whole table' if whole else 'some rows'})")
    if not (result.agency_ok and result.year_ok):
        parts.append("metadata " + ("" if result.agency_ok else "agency ") + ("" if result.year_ok else "year"))
    return "; ".join(parts)


def summarise(results: list[FileResult]) -> dict:
    def block(items: list[FileResult]) -> dict:
        cells = sum(r.cells for r in items)
        keys = sum(r.keys for r in items)
        return {
            "files": len(items),
            "refused": sum(1 for r in items if r.refused),
            "keys": keys,
            "keys_right": sum(r.keys_right for r in items),
            "cells": cells,
            "cells_right": sum(r.right for r in items),
            "missing": sum(len(r.missing) for r in items if not r.refused),
            "wrong_noted": sum(len(r.wrong_noted) for r in items),
            "wrong_silent": sum(len(r.wrong_silent) for r in items),
            "files_silent": sum(1 for r in items if r.wrong_silent),
            "meta_ok": sum(1 for r in items if r.agency_ok and r.year_ok),
        }

    shapes = sorted({r.shape for r in results})
    defects = sorted({d for r in results for d in r.defects.split(",")})
    return {
        "overall": block(results),
        "shapes": {s: block([r for r in results if r.shape == s]) for s in shapes},
        "defects": {d: block([r for r in results if d in r.defects.split(",")]) for d in defects},
    }


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def table_rows(summary: dict[str, dict], head: str) -> list[str]:
    out = [
        f"| {head} | files | refused | key numbers right | cells right | wrong, silent (files) | wrong, with a note | cells left out | agency+year right |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, b in summary.items():
        out.append(
            f"| {name} | {b['files']} | {b['refused']} | {pct(b['keys_right'], b['keys'])} ({b['keys_right']}/{b['keys']})"
            f" | {pct(b['cells_right'], b['cells'])} ({b['cells_right']}/{b['cells']}) | {b['wrong_silent']} ({b['files_silent']})"
            f" | {b['wrong_noted']} | {b['missing']} | {b['meta_ok']}/{b['files']} |"
        )
    return out


def groups(results: list[FileResult]) -> list[tuple[str, list[FileResult]]]:
    by: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        cause = _cause(r)
        if cause:
            by[cause].append(r)

    def weight(item: tuple[str, list[FileResult]]) -> int:
        return -sum(
            len(r.missing) + len(r.wrong_noted) + 5 * len(r.wrong_silent) + (0 if r.agency_ok and r.year_ok else 1)
            for r in item[1]
        )

    return sorted(by.items(), key=weight)


def markdown(results: list[FileResult], summary: dict, corpus: Path, started: str, seconds: float) -> str:
    o = summary["overall"]
    lines = [
        START,
        "",
        "## Accuracy on reports never seen (issue 17, bench/accuracy.py)",
        "",
        f"**Key numbers right: {pct(o['keys_right'], o['keys'])}** (goal ≥ 97%); **all 表二/表三/表四 cells right: "
        f"{pct(o['cells_right'], o['cells'])}** (goal ≥ 98%); **wrong numbers published silently: {o['wrong_silent']}** "
        f"in {o['files_silent']} of {o['files']} files (goal 0); wrong with a warning note: {o['wrong_noted']}; "
        f"files refused: {o['refused']}; agency and year read right: {o['meta_ok']}/{o['files']}.",
        "",
        f"Run {started} with `python -m bench.accuracy_corpus && python -m bench.accuracy` ({seconds:.0f} s of conversion, "
        f"{len(results)} files in {corpus}). **The corpus is GENERATED**: the real numbers of real reports (the reviewed "
        "cells of the seeds 000/001/003/004, Huai'an 2024, Pingtan 2023, Hebei 教育厅 2021) rendered in the shapes real "
        "agencies and crawlers publish (crawled text: tab-separated, one cell per line, cells run together, markdown "
        "pipes; Word-saved HTML; DOCX made with python-docx; PDF from those DOCX through LibreOffice) with the defects "
        "seen in real reports. It is not a set of real unseen files: it measures the converter on the known patterns, "
        "not on the ones nobody has listed yet. A cell counts right only when published with the value the report "
        "means (a blank printed for 0 means 0); a refused file counts all its cells wrong; a published cell the report "
        "does not have (e.g. 3.6.1 where it printed one （六） row) counts as a wrong number.",
        "",
        "### Per shape",
        "",
        *table_rows(summary["shapes"], "shape"),
        "",
        "### Per defect (a file with two defects counts in both rows; `clean`: none)",
        "",
        *table_rows(summary["defects"], "defect"),
        "",
        "### Failures grouped by what the file shows (largest first; SILENT = a wrong number with no warning note)",
        "",
    ]
    for cause, items in groups(results):
        example = items[0]
        shapes = Counter(r.shape for r in items)
        defects = Counter(d for r in items for d in r.defects.split(","))
        lines.append(f"- **{cause}** — {len(items)} file(s), e.g. `{corpus / 'files' / example.file}`")
        lines.append(
            "  - shapes: "
            + ", ".join(f"{k} {v}" for k, v in shapes.most_common())
            + "; defects: "
            + ", ".join(f"{k} {v}" for k, v in defects.most_common())
        )
        rows = sorted({"/".join(k[:2]) for r in items for k, *_ in (r.missing + r.wrong_noted + r.wrong_silent)})
        if rows and len(rows) <= 25:
            lines.append("  - rows: " + ", ".join(rows))
        details = (example.wrong_silent + example.wrong_noted)[:4]
        if details:
            lines.append("  - " + "; ".join(f"{'/'.join(k)}: report {t}, published {g}" for k, t, g in details))
        if example.excerpt:
            lines.append("")
            lines.append("  ```")
            lines += ["  " + line for line in example.excerpt.splitlines()[:12]]
            lines.append("  ```")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        current = before + text.rstrip("\n") + after
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/gk-accuracy"))
    parser.add_argument("--only", help="substring of the file names to run")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)
    index = args.corpus / "index.tsv"
    if not index.exists():
        sys.stderr.write(f"{index} is missing: run python -m bench.accuracy_corpus first\n")
        return 2
    options = ConvertOptions(manifest=read_manifest(args.corpus / "manifest.csv"))
    with index.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if args.only:
        rows = [r for r in rows if args.only in r["name"]]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    for row in rows:
        path = args.corpus / "files" / row["file"]
        if not path.exists():
            sys.stderr.write(f"{path}: not generated (LibreOffice?); left out\n")
            continue
        truth = read_truth(args.corpus / "truth" / f"{row['name']}.tsv")
        results.append(evaluate(path, row, truth, options))
    seconds = sum(r.seconds for r in results)
    summary = summarise(results)
    text = markdown(results, summary, args.corpus, started, seconds)
    sys.stdout.write(text)
    (args.corpus / "results.json").write_text(
        json.dumps(
            {"summary": summary, "files": [r.__dict__ for r in results]}, ensure_ascii=False, indent=1, default=str
        ),
        encoding="utf-8",
    )
    if not args.no_write and not args.only:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
