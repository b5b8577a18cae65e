"""Golden files: the cell table and the sorted N-Quads of each seed, made by the code and reviewed
by a person against the source report. ``GONGKAI_UPDATE_GOLDEN=1 pytest`` rewrites them; a
missing golden file is a failure, never created silently."""

from __future__ import annotations

import os
from pathlib import Path

from converter.model import Report

GOLDEN = Path(__file__).parents[1] / "golden"
UPDATE = os.environ.get("GONGKAI_UPDATE_GOLDEN") == "1"
HEADER = "table\trow\tcolumn\tvalue\tunit\tsource_text\n"


def cells_tsv(report: Report) -> str:
    rows = []
    for cell in report.cells:
        *row, column = (n for _, n in cell.codes)
        rows.append((cell.table, "/".join(row) or "-", column, str(cell.value), cell.unit or "", cell.source_text))
    rows.sort()
    return HEADER + "".join("\t".join(r) + "\n" for r in rows)


def notes_tsv(report: Report) -> str:
    rows = sorted(
        (i.code, i.severity.value, "/".join(i.target) if i.target else "report", i.message) for i in report.issues
    )
    return "code\tseverity\ttarget\tmessage\n" + "".join("\t".join(r) + "\n" for r in rows)


def compare(name: str, actual: str | bytes) -> None:
    path = GOLDEN / name
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if UPDATE:
        path.write_bytes(data)
        return
    assert path.exists(), f"golden file {path} is missing; make it with GONGKAI_UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes().decode("utf-8").splitlines()
    got = data.decode("utf-8").splitlines()
    only_expected = sorted(set(expected) - set(got))
    only_actual = sorted(set(got) - set(expected))
    assert expected == got, (
        f"{name} differs from its golden file\nonly in golden:\n  "
        + "\n  ".join(only_expected[:30])
        + "\nonly in actual:\n  "
        + "\n  ".join(only_actual[:30])
    )
