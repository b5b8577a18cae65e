"""``gongkai validate``: SHACL-validate converted RDF files, report the findings, a summary.

Exit status: 0 every file conforms (warnings allowed), 1 some file has violations, 2 some file
could not be read or parsed (its error names the file; the other files are still validated), or
the shapes cannot be used, or a usage error.

``--format text`` (default) prints a line per finding; ``github`` prints GitHub Actions workflow
commands (annotations); ``junit`` writes JUnit XML (endpoint/commands/validate_formats.py).
``--shapes`` replaces the project's ``shapes/`` with a user's own files or folders, and
``--extra-shapes`` adds some beside them (docs/validate.md).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import typer

from converter.errors import GongkaiError
from converter.validate import (
    ValidationError,
    ValidationOutcome,
    compile_shapes,
    load_shapes,
    resolve_engine,
    validate_paths,
)
from endpoint.commands import validate_formats as F

SUFFIXES = (".nq", ".trig", ".ttl", ".nt")


def run_validate(
    paths: list[Path],
    quiet: bool = False,
    jobs: int = 1,
    engine: str = "auto",
    scheduler: str | None = None,
    shapes: list[Path] | None = None,
    extra_shapes: list[Path] | None = None,
    fmt: str = "text",
    output: Path | None = None,
) -> int:
    """Validate every file (folders: their .nq, .trig, .ttl, .nt files) and report on them.

    ``jobs`` worker processes validate the report graphs (0: one per core); with ``scheduler``
    (``local`` or a Dask scheduler address) each file is a task on the cluster instead.
    ``shapes`` replace the project's ``shapes/``; ``extra_shapes`` are added beside them.
    ``fmt``: ``text``, ``github`` or ``junit``; ``output``: a file for the report (the summary
    line is then printed on standard output as well).
    """
    if fmt not in F.FORMATS:
        typer.echo(f"error: unknown format {fmt!r}; use one of {', '.join(F.FORMATS)}", err=True)
        return 2
    try:
        engine = resolve_engine(engine)
        shape_set = load_shapes(shapes or None, extra_shapes or ())
        compile_shapes(shape_set, engine)
    except GongkaiError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    files, missing = _expand(paths)
    if scheduler is not None:
        from converter.distributed import validate_distributed

        results: Iterator[tuple[Path, object]] = validate_distributed(
            files, engine=engine, scheduler=scheduler, workers=jobs if jobs > 1 else None, shapes=shape_set
        )
    else:
        results = validate_paths(files, engine=engine, jobs=jobs, shapes=shape_set)
    try:
        with _destination(output) as out:
            return _report(results, missing, out, fmt, quiet, to_file=output is not None)
    except OSError as exc:
        typer.echo(f"error: {output}: cannot write the report: {exc.strerror or exc}", err=True)
        return 2


def _report(
    results: Iterator[tuple[Path, object]],
    missing: list[tuple[Path, str]],
    out: _Writer,
    fmt: str,
    quiet: bool,
    to_file: bool,
) -> int:
    violations = warnings = graphs = validated = derived = 0
    unreadable = len(missing)
    suites: list[ET.Element] = []

    def write(line: str) -> None:
        out.write(line + "\n")

    for path, reason in missing:
        if fmt == "github":
            write(F.github_unreadable(path, reason))
        elif fmt == "junit":
            suites.append(F.junit_unreadable(path, reason))
    while True:
        try:
            path, outcome = next(results)
        except StopIteration:
            break
        except GongkaiError as exc:  # e.g. the shapes fail on a worker
            typer.echo(f"error: {exc}", err=True)
            return 2
        if isinstance(outcome, ValidationError):
            typer.echo(f"error: {outcome}", err=True)
            unreadable += 1
            if fmt == "github":
                write(F.github_unreadable(path, outcome.reason))
            elif fmt == "junit":
                suites.append(F.junit_unreadable(path, outcome.reason))
            continue
        assert isinstance(outcome, ValidationOutcome)
        validated += 1
        graphs += outcome.graphs
        derived += len(outcome.derived)
        if outcome.derived and fmt == "text" and not quiet:
            names = ", ".join(outcome.derived)
            write(f"{path}: not validated against the report shapes, derived by gongkai load: {names}")
        violations += len(outcome.violations)
        warnings += len(outcome.warnings)
        if fmt == "junit":
            suites.append(F.junit_suite(path, outcome))
            continue
        line = F.github_finding if fmt == "github" else F.format_finding
        for finding in outcome.violations:
            write(line(path, finding))
        if not quiet:
            for finding in outcome.warnings:
                write(line(path, finding))
        if outcome.warnings and fmt == "text":
            write(f"{path}: {_plural(len(outcome.warnings), 'warning')}")
    summary = _summary(validated, graphs, violations, warnings, unreadable, derived)
    if fmt == "junit":
        tree = F.junit_document(suites)
        tree.write(out, encoding="unicode", xml_declaration=True)
        out.write("\n")
        typer.echo(summary, err=not to_file)  # standard output holds the XML: the summary goes to stderr
    else:
        write(summary)
        if to_file:
            typer.echo(summary)
    if unreadable:
        return 2
    return 1 if violations else 0


@contextmanager
def _destination(output: Path | None) -> Iterator[_Writer]:
    if output is None:
        yield _Echo()
        return
    with output.open("w", encoding="utf-8") as f:
        yield f


class _Writer(Protocol):
    """Where the report goes: a text file, or :class:`_Echo`."""

    def write(self, text: str, /) -> int: ...


class _Echo:
    """Standard output through typer.echo (which the CLI tests capture)."""

    def write(self, text: str) -> int:
        typer.echo(text, nl=False)
        return len(text)


def _expand(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The data files of ``paths`` (folders expanded), and the paths that are not there (why)."""
    files: list[Path] = []
    missing: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                missing.append((p, f"no RDF files ({', '.join(SUFFIXES)}) in this folder"))
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            missing.append((p, "no such file or folder"))
    for p, reason in missing:
        typer.echo(f"error: {p}: {reason}", err=True)
    return files, missing


def _summary(files: int, graphs: int, violations: int, warnings: int, unreadable: int, derived: int = 0) -> str:
    text = (
        f"validated {_plural(files, 'file')} ({_plural(graphs, 'graph')}): "
        f"{_plural(violations, 'violation')}, {_plural(warnings, 'warning')}"
    )
    if derived:  # a dump: the aggregates and the checks across reports are not reports
        text += f"; {_plural(derived, 'derived graph')} not validated (aggregates, checks across reports)"
    if unreadable:
        text += f"; {_plural(unreadable, 'file')} could not be read"
    if unreadable or violations:
        return text + " - does not conform"
    return text + " - conforms"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
