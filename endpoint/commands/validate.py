"""``gongkai validate``: SHACL-validate converted RDF files, one line per finding, a summary.

Exit status: 0 every file conforms (warnings allowed), 1 some file has violations, 2 some file
could not be read or parsed (its error names the file; the other files are still validated).
"""

from __future__ import annotations

from pathlib import Path

import typer

from converter.errors import GongkaiError
from converter.validate import Finding, ValidationError, resolve_engine, validate_paths

SUFFIXES = (".nq", ".trig", ".ttl", ".nt")


def run_validate(
    paths: list[Path], quiet: bool = False, jobs: int = 1, engine: str = "auto", scheduler: str | None = None
) -> int:
    """Validate every file (folders: their .nq, .trig, .ttl, .nt files) and print a report.

    ``jobs`` worker processes validate the report graphs (0: one per core); with ``scheduler``
    (``local`` or a Dask scheduler address) each file is a task on the cluster instead.
    """
    try:
        engine = resolve_engine(engine)
    except GongkaiError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    files, unreadable = _expand(paths)
    violations = warnings = graphs = validated = 0
    if scheduler is not None:
        from converter.distributed import validate_distributed

        results = validate_distributed(files, engine=engine, scheduler=scheduler, workers=jobs if jobs > 1 else None)
    else:
        results = validate_paths(files, engine=engine, jobs=jobs)
    while True:
        try:
            path, outcome = next(results)
        except StopIteration:
            break
        except GongkaiError as exc:  # e.g. the shapes themselves are missing or broken
            typer.echo(f"error: {exc}", err=True)
            return 2
        if isinstance(outcome, ValidationError):
            typer.echo(f"error: {outcome}", err=True)
            unreadable += 1
            continue
        validated += 1
        graphs += outcome.graphs
        violations += len(outcome.violations)
        warnings += len(outcome.warnings)
        for finding in outcome.violations:
            typer.echo(format_finding(path, finding))
        if outcome.warnings:
            if not quiet:
                for finding in outcome.warnings:
                    typer.echo(format_finding(path, finding))
            typer.echo(f"{path}: {_plural(len(outcome.warnings), 'warning')}")
    typer.echo(_summary(validated, graphs, violations, warnings, unreadable))
    if unreadable:
        return 2
    return 1 if violations else 0


def format_finding(path: Path, finding: Finding) -> str:
    """One line: ``file: <focus> path: message``; warnings say so before the message."""
    label = "" if finding.severity == "violation" else f"{finding.severity}: "
    return f"{path}: {_describe(finding, label)}"


def _describe(finding: Finding, label: str = "") -> str:
    where = f"<{finding.focus}>" + (f" {finding.path}" if finding.path else "")
    text = f"{where}: {label}{' '.join(finding.message.split())}"
    if finding.value is not None and finding.value != finding.focus:
        text += f" (value: {' '.join(finding.value.split())})"
    return text + "".join(f" [{_describe(d)}]" for d in finding.details)


def _expand(paths: list[Path]) -> tuple[list[Path], int]:
    files: list[Path] = []
    missing = 0
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                typer.echo(f"error: {p}: no RDF files ({', '.join(SUFFIXES)}) in this folder", err=True)
                missing += 1
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            typer.echo(f"error: {p}: no such file or folder", err=True)
            missing += 1
    return files, missing


def _summary(files: int, graphs: int, violations: int, warnings: int, unreadable: int) -> str:
    text = (
        f"validated {_plural(files, 'file')} ({_plural(graphs, 'graph')}): "
        f"{_plural(violations, 'violation')}, {_plural(warnings, 'warning')}"
    )
    if unreadable:
        text += f"; {_plural(unreadable, 'file')} could not be read"
    if unreadable or violations:
        return text + " - does not conform"
    return text + " - conforms"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
