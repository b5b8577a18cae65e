"""The batch core: many files, one outcome each in input order, one report per agency and year.

Three drivers convert files their own way and hand the outcomes to this core, in input order:
:func:`converter.pipeline.convert_many` (the ``Report``s in memory), :func:`converter.pipeline.emit_many`
(``gongkai convert``: the workers emit, only a :class:`ReportSummary` comes back) and
:func:`converter.distributed.convert_distributed` (Dask partitions write their own shards). What this
module decides, the three share: which files are the same report (:class:`Batch`), what is
published for them (:func:`resolve_group`), and what is said about one file (:class:`Outcome`,
:class:`ReportSummary`).

A report is identified by its IRI (agency and year). The first file of a report is published as it
is. A later file of the same agency and year is, in turn:

- the *same file* (the same sha256) as one already taken: nothing more is published, no error; its
  outcome names that file (``same_file_as``);
- another file of the *same report* (the web page and its attachment; the rule is
  :mod:`converter.merge`): the files are merged into one report, whose ``prov:wasDerivedFrom``
  names every file, published at this file's place in the input order; it *replaces* the report
  published for the earlier files (whose outcomes say ``merged_into`` this file);
- a *different report* (different totals throughout): an error for this file naming the first one;
  the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from converter import iris
from converter.errors import GongkaiError, Issue
from converter.merge import merge_reports, not_same
from converter.model import Report


@dataclass(frozen=True)
class Outcome:
    """What became of one input file."""

    path: Path
    report: Report | None
    error: str | None
    sources: tuple[Path, ...] = ()  # the files ``report`` was merged from (this one among them), when several
    merged_into: Path | None = None  # this file's report is part of the report published at that file
    same_file_as: Path | None = None  # the same bytes as that file: published once, from it

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ReportSummary:
    """What a batch keeps of one report once its RDF is written: its identity, and what the
    ``--report`` record and the summary line say about it."""

    agency: str
    year: int
    template: str
    report_iri: str
    file_name: str  # in a folder output
    cells: int
    issues: tuple[Issue, ...]
    sha256: str = ""  # of the (primary) source file: the same file given twice is published once

    @classmethod
    def of(cls, report: Report, base: str) -> ReportSummary:
        from converter.emit import agency_key
        from converter.output import report_file_name

        meta = report.meta
        return cls(
            agency=meta.agency,
            year=meta.year,
            template=report.generation.value,
            report_iri=str(iris.report_iri(base, agency_key(meta.agency), meta.year)),
            file_name=report_file_name(meta.agency, meta.year),
            cells=len(report.cells),
            issues=tuple(report.issues),
            sha256=report.source.sha256,
        )


def report_iri(report: Report, base: str) -> str:
    """The IRI a report is published under: one per agency and year."""
    from converter.emit import agency_key

    return str(iris.report_iri(base, agency_key(report.meta.agency), report.meta.year))


def different_error(path: Path | str, first: Path | str, agency: str, year: int, why: str) -> str:
    """The error of a later file of the same agency and year that is another report than ``first``'s."""
    return (
        f"{path}: same agency and year as {first} ({agency} {year}) but not the same report ({why}); "
        "not merged, not converted twice - if one of them is another agency's or year's, say so in a --manifest row"
    )


@dataclass(frozen=True)
class Group:
    """The files of one agency and year (input order), resolved: the report published for them."""

    report: Report  # merged from ``sources`` when there are several
    sources: tuple[Path, ...]  # the files the report is made from
    errors: tuple[str | None, ...]  # for each file: the error when it is another report, else None


def resolve_group(reports: Sequence[Report]) -> Group:
    """The first report and every later one shown to be the same report (:func:`converter.merge.not_same`),
    merged (:func:`converter.merge.merge_reports`); an error for each of the others."""
    accepted = [reports[0]]
    merged = reports[0]
    errors: list[str | None] = [None]
    for report in reports[1:]:
        why = not_same(merged, report)
        if why is None:
            accepted.append(report)
            merged = merge_reports(accepted)
            errors.append(None)
        else:
            first = reports[0]
            errors.append(
                different_error(report.source.path, first.source.path, first.meta.agency, first.meta.year, why)
            )
    return Group(merged, tuple(r.source.path for r in accepted), tuple(errors))


@dataclass(frozen=True)
class Step:
    """What the batch decides for one file (nothing set: it is the first file of its report)."""

    error: str | None = None  # another report of the same agency and year
    same_file_as: Path | str | None = None  # the same bytes as that file
    group: Group | None = None  # it joined the report of earlier files: publish ``group.report`` in their stead
    members: tuple[int, ...] = ()  # the input indexes of those earlier files


@dataclass
class _Entry:
    members: list[tuple[int, Path | str]]  # (input index, path) of the files the report is made from
    files: dict[str, Path | str]  # sha256 -> path of those files


class Batch:
    """The decision over the files of a batch, fed in input order (:meth:`see`).

    ``resolve`` turns the paths of one agency and year into a :class:`Group` (the drivers convert
    them, or look up the reports they hold, and call :func:`resolve_group`). Without it the batch
    only groups (the Dask driver resolves the groups in tasks): every later file of a report joins
    it, and :meth:`groups` lists the reports of several files.

    >>> batch = Batch()
    >>> iri = "https://x/id/report/a/2020"
    >>> batch.see(0, "a.html", iri, "1" * 64), batch.see(1, "copy.html", iri, "1" * 64).same_file_as
    (Step(error=None, same_file_as=None, group=None, members=()), 'a.html')
    >>> batch.see(2, "a.pdf", iri, "2" * 64).members, batch.groups()
    ((0,), [((0, 'a.html'), (2, 'a.pdf'))])
    """

    def __init__(self, resolve: Callable[[list[Path | str]], Group] | None = None) -> None:
        self.resolve = resolve
        self.reports: dict[str, _Entry] = {}

    def see(self, index: int, path: Path | str, iri: str | None, sha256: str) -> Step:
        """The next file: its input index, path, report IRI (``None`` when it failed) and sha256."""
        if iri is None:
            return Step()
        entry = self.reports.get(iri)
        if entry is None:
            self.reports[iri] = _Entry([(index, path)], {sha256: path})
            return Step()
        if sha256 in entry.files:
            return Step(same_file_as=entry.files[sha256])
        members = tuple(i for i, _ in entry.members)
        group = None
        if self.resolve is not None:
            try:
                group = self.resolve([p for _, p in entry.members] + [path])
            except GongkaiError as exc:  # the files were read a moment ago: reading them again should not fail
                return Step(error=f"{path}: same agency and year as {entry.members[0][1]}, not merged: {exc}")
            if group.errors[-1] is not None:
                return Step(error=group.errors[-1])
        entry.members.append((index, path))
        entry.files[sha256] = path
        return Step(group=group, members=members)

    def groups(self) -> list[tuple[tuple[int, Path | str], ...]]:
        """The reports of several (different) files: their (input index, path), in input order."""
        return [tuple(entry.members) for entry in self.reports.values() if len(entry.members) > 1]
