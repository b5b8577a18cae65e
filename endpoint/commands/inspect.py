"""``gongkai inspect FILE``: how one file was read, for a publisher who wants to know why it failed
or was flagged: the extracted lines with their pages, the metadata and how it was read, the
template evidence, where each table was found, each printed row and the template row it was placed
on (with the label similarity and what decided), the cells and the quality notes. Plain text, or
``--json`` for tools. Exit status 0 when the file converts, 1 when it is refused."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from converter.errors import GongkaiError, Issue
from converter.options import ConvertOptions
from converter.pipeline import convert_file
from converter.trace import Trace


def inspect_file(path: Path, options: ConvertOptions) -> Trace:
    """Convert ``path`` with a trace; a refusal is kept in ``Trace.error``."""
    trace = Trace()
    try:
        convert_file(path, options, trace)
    except GongkaiError as exc:
        trace.error = str(exc)
    return trace


def as_json(path: Path, trace: Trace) -> dict[str, Any]:
    doc = trace.doc
    lines = []
    if doc is not None:
        for i, text in enumerate(doc.lines):
            lines.append({"line": i + 1, "page": doc.pages[i] if doc.pages else None, "text": text})
    return {
        "file": str(path),
        "ok": trace.error is None,
        "error": trace.error,
        "media_type": doc.media_type if doc else None,
        "sha256": doc.sha256 if doc else None,
        "agency": trace.agency,
        "year": trace.year,
        "title": trace.title,
        "template": trace.generation,
        "evidence": trace.evidence,
        "tables": [dataclasses.asdict(r) for r in trace.regions],
        "rows": [dataclasses.asdict(p) for p in trace.placements],
        "cells": [
            {
                "key": list(c.key),
                "value": str(c.value),
                "unit": c.unit,
                "source_text": c.source_text,
                "line": c.line,
                "page": c.page,
            }
            for c in trace.cells
        ],
        "notes": [_note(i) for i in (*trace.metadata_notes, *_not_metadata(trace))],
        "lines": lines,
    }


def _not_metadata(trace: Trace) -> list[Issue]:
    seen = {id(i) for i in trace.metadata_notes}
    return [i for i in trace.issues if id(i) not in seen and i not in trace.metadata_notes]


def _note(issue: Any) -> dict[str, Any]:
    return {
        "code": issue.code,
        "severity": str(issue.severity),
        "target": "/".join(issue.target) if issue.target else None,
        "message": issue.message,
    }


def as_text(path: Path, trace: Trace, lines: bool = True) -> str:
    data = as_json(path, trace)
    out: list[str] = [f"file      {path}"]
    out.append(f"outcome   {'converted' if data['ok'] else 'refused: ' + str(data['error'])}")
    if data["media_type"]:
        out.append(f"type      {data['media_type']}  sha256 {data['sha256']}")
    out.append(f"agency    {data['agency'] or '-'}")
    out.append(f"year      {data['year'] or '-'}")
    out.append(f"title     {data['title'] or '(none found)'}")
    out.append(f"template  {data['template'] or '-'}  ({data['evidence'] or 'not decided'})")
    out.append("")
    out.append("tables")
    if not data["tables"]:
        out.append("  (none found)")
    for region in data["tables"]:
        pages = f", pages {'/'.join(map(str, region['pages']))}" if region["pages"] else ""
        out.append(f"  {region['table']}  lines {region['first_line']}-{region['last_line']}{pages}")
    if data["rows"]:
        out.append("")
        out.append("表三 rows: printed label → template row (label similarity; what decided)")
        for row in data["rows"]:
            placed = row["notation"] or "LEFT OUT"
            where = f"line {row['line']}" + (f" p.{row['page']}" if row["page"] else "")
            out.append(
                f"  {where:>12}  {_tail(row['label'], 36)!r:40} {' '.join(row['values'])[:40]:40} → {placed:6}"
                f" ({row['similarity']:.2f}; {row['decided_by']})"
            )
    out.append("")
    by_table: dict[str, int] = {}
    for cell in data["cells"]:
        by_table[cell["key"][0]] = by_table.get(cell["key"][0], 0) + 1
    out.append("cells     " + (", ".join(f"{t} {n}" for t, n in sorted(by_table.items())) or "none"))
    out.append("")
    out.append(f"notes ({len(data['notes'])})")
    for note in data["notes"]:
        target = f" [{note['target']}]" if note["target"] else ""
        out.append(f"  {note['severity']:7} {note['code']}{target}: {note['message']}")
    if lines and data["lines"]:
        out.append("")
        out.append("extracted lines (line, page: text; cells are separated by TAB, shown as ' | ')")
        for line in data["lines"]:
            page = f"p.{line['page']}" if line["page"] else ""
            out.append(f"  {line['line']:5} {page:5} {line['text'].replace(chr(9), ' | ')}")
    return "\n".join(out) + "\n"


def _tail(label: str, width: int) -> str:
    """The end of a long label: the part that names the row (the start holds headers and groups)."""
    return label if len(label) <= width else "…" + label[-(width - 1) :]


def run_inspect(path: Path, options: ConvertOptions, *, json_output: bool, lines: bool) -> tuple[str, int]:
    """The text to print and the exit status."""
    trace = inspect_file(path, options)
    if json_output:
        text = json.dumps(as_json(path, trace), ensure_ascii=False, indent=2) + "\n"
    else:
        text = as_text(path, trace, lines=lines)
    return text, 0 if trace.error is None else 1
