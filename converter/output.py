"""Writing RDF: the format follows the output's suffix (DESIGN.md, "Command line").

``.nq`` and ``.trig`` keep one named graph per report, ``.ttl`` holds the union; a folder gets one
``.nq`` file per report. N-Quads are sorted so that files diff line by line. Files are written to a
temporary name and renamed, so a failed run never leaves half a file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset, Graph

from converter import iris
from converter.emit import emit_report, new_dataset
from converter.errors import OptionsError
from converter.model import Report
from converter.vocab import PREFIXES

FORMATS = {".nq": "nquads", ".trig": "trig", ".ttl": "turtle"}


def sorted_nquads(ds: Dataset) -> bytes:
    """N-Quads, one statement a line, sorted."""
    text = ds.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize(ds: Dataset, fmt: str) -> bytes:
    if fmt == "nquads":
        return sorted_nquads(ds)
    if fmt == "turtle":
        union = Graph()
        for prefix, namespace in PREFIXES.items():
            union.bind(prefix, namespace)
        for quad in ds.quads((None, None, None, None)):
            union.add(quad[:3])
        return union.serialize(format="turtle", encoding="utf-8")
    return ds.serialize(format=fmt, encoding="utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temp).chmod(0o644)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def report_file_name(report: Report) -> str:
    return f"{iris.agency_key(report.meta.agency)}-{report.meta.year}.nq"


def write_reports(reports: Sequence[Report], out: Path | str, base: str) -> list[Path]:
    """Write the reports to ``out`` (a file by suffix, a folder, or ``-`` for stdout).

    :raises OptionsError: the suffix is not one of .nq, .trig, .ttl.
    """
    if str(out) == "-":
        ds = new_dataset()
        for report in reports:
            emit_report(report, base, ds)
        sys.stdout.buffer.write(sorted_nquads(ds))
        return []
    out = Path(out)
    if out.is_dir() or (not out.suffix and not out.exists()):
        written = []
        for report in reports:
            target = out / report_file_name(report)
            write_atomic(target, sorted_nquads(emit_report(report, base)))
            written.append(target)
        return written
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise OptionsError(f"{out}: unknown output format {out.suffix!r}; use .nq, .trig, .ttl or a folder")
    ds = new_dataset()
    for report in reports:
        emit_report(report, base, ds)
    write_atomic(out, serialize(ds, fmt))
    return [out]
