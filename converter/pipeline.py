"""One file → one ``Report``; many files with a per-file boundary, so one bad file never stops
the others. What a batch decides about its files (one report per agency and year) is
:mod:`converter.batch`; the two batch functions here drive it with a local process pool.

:func:`convert_many` returns the ``Report``s; :func:`emit_many` is what ``gongkai convert`` uses: each
worker converts *and* emits its file, and sends back only a small :class:`ReportSummary` and the
report's sorted N-Quads, in input order, so that the caller can write them as they come."""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from converter.batch import Batch, Group, Outcome, ReportSummary, report_iri, resolve_group
from converter.checks import check_cells
from converter.detect import Regions, detect_generation, detect_prose_generation, locate_tables
from converter.errors import GongkaiError, Issue, MetadataMissing, NotAReport, Severity
from converter.extract import SUFFIXES, extract
from converter.flat import looks_flat, looks_flat_legacy, read_flat, read_flat_legacy
from converter.metadata import read_metadata
from converter.model import Cell, Report, ReportMeta, Token
from converter.ocr_check import confirm
from converter.options import ConvertOptions
from converter.tables.layout import Generation
from converter.tables.legacy import read_legacy
from converter.tables.prose import read_prose_tables
from converter.tables.table2 import read_table2
from converter.tables.table3 import read_table3
from converter.tables.table4 import read_table4
from converter.tokens import tokenize
from converter.trace import TableRegion, Trace

log = logging.getLogger(__name__)


def convert_file(path: Path, options: ConvertOptions | None = None, trace: Trace | None = None) -> Report:
    """Read one report file; ``trace``, when given, records what was seen and decided on the way
    (``gongkai inspect``), also when the file is refused.

    :raises GongkaiError: the file cannot be read, is not a report, or has no agency/year.
    """
    options = options or ConvertOptions()
    trace = trace if trace is not None else Trace()  # a few small records: kept whether read or not
    doc = extract(path)
    trace.doc = doc
    tokens = tokenize(doc)
    row = options.manifest_row(path)
    meta_read = read_metadata(doc.lines, given_title=row.title if row else None)
    trace.agency, trace.year, trace.title = meta_read.agency, meta_read.year, meta_read.title
    trace.metadata_notes = list(meta_read.issues)
    issues: list[Issue] = list(meta_read.issues)
    issues += doc.issues  # notes of the extractor (e.g. converted-by-libreoffice)
    agency = (row.agency if row else None) or meta_read.agency
    year = (row.year if row else None) or meta_read.year
    if row and (row.agency or row.year):  # the manifest wins; drop what it makes moot
        moot = {"agency-inferred", "agency-from-body", "title-missing"} if row.agency else set()
        moot |= {"year-inferred"} if row.year else set()
        issues = [i for i in issues if i.code not in moot]
    if agency is None:
        read = f" (read {', '.join(repr(name) for name in meta_read.refused)})" if meta_read.refused else ""
        names = "the title names no agency" if meta_read.title else "no title names the agency"
        raise MetadataMissing(
            path,
            f"{names}{read} and none could be read from the opening sentence or the body;"
            " give the agency in a --manifest row (file,agency,…)",
        )
    if year is None:
        raise MetadataMissing(path, "the report year could not be found; give it in a --manifest row (file,year,…)")

    trace.agency, trace.year = agency, year
    regions = locate_tables(tokens)
    trace.regions = _regions(tokens, regions)
    generation, evidence = detect_generation(tokens, regions, year)
    trace.generation, trace.evidence = (generation.value if generation else None), evidence
    if generation is None:  # no table: perhaps the report states its figures in sentences
        generation, prose_evidence = detect_prose_generation(doc.lines, year)
        if generation is None:
            raise NotAReport(path, f"not a disclosure report or no recognisable table: {evidence}; {prose_evidence}")
        evidence = prose_evidence
        trace.generation, trace.evidence = generation.value, evidence

    cells: list[Cell] = []
    text = "\n".join(doc.lines)
    missing: list[str] = []  # tables not found, perhaps stated in prose
    if generation is not Generation.LEGACY and looks_flat(text):
        found, notes = read_flat(text, generation)
        cells += found
        for note in notes:  # "表N was not found" waits until the prose is read
            if note.code == "table-missing" and note.message.endswith("was not found in the report"):
                missing.append(note.message.split(" ")[0])
            else:
                issues.append(note)
    elif generation is Generation.LEGACY:
        found, notes = (
            read_flat_legacy(text, doc.lines, year) if looks_flat_legacy(text) else read_legacy(tokens, doc.lines, year)
        )
        cells += found
        issues += notes
    else:
        for name, region, reader in (
            ("表二", regions.table2, lambda t: read_table2(t, generation)),
            ("表三", regions.table3, lambda t: read_table3(t, generation, trace.placements)),
            ("表四", regions.table4, read_table4),
        ):
            if region is None:
                missing.append(name)
                continue
            found, notes = reader(tokens[region[0] : region[1]])
            cells += found
            issues += notes
    if generation is not Generation.LEGACY:
        have3 = any(c.table == "table3" for c in cells)
        have4 = any(c.table == "table4" for c in cells)
        found, notes = read_prose_tables(doc.lines, generation, have3, have4, year, cells)
        cells += found
        issues += notes
        for name, table in (("表二", "table2"), ("表三", "table3"), ("表四", "table4")):
            if name in missing and not any(c.table == table for c in found):
                issues.append(Issue("table-missing", Severity.WARNING, f"{name} was not found in the report"))
        issues += check_cells(cells, generation)
    if doc.ocr is not None:  # read by OCR: only digits the table's arithmetic confirms are kept
        cells, issues = confirm(cells, issues, generation, doc)
    trace.cells, trace.issues = cells, issues
    if not cells:
        raise NotAReport(path, "no table cell could be read")
    meta = ReportMeta(
        agency=agency,
        year=year,
        title=meta_read.title,
        published=(row.published if row else None) or meta_read.published,
        url=(row.url if row else None) or meta_read.url,
    )
    return Report(source=doc, meta=meta, generation=generation, evidence=evidence, cells=cells, issues=issues)


def _regions(tokens: Sequence[Token], regions: Regions) -> list[TableRegion]:
    found = []
    for name, region in (("表二", regions.table2), ("表三", regions.table3), ("表四", regions.table4)):
        if region is None or region[0] >= region[1]:
            continue
        inside = tokens[region[0] : region[1]]
        pages = tuple(sorted({t.page for t in inside if t.page is not None}))
        found.append(TableRegion(name, inside[0].line, inside[-1].line, pages))
    return found


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, and the supported files inside folders (sorted, recursive)."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files += sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            files.append(item)
    return files


def _convert_one(path: Path, options: ConvertOptions) -> Outcome:
    try:
        return Outcome(path, convert_file(path, options), None)
    except GongkaiError as exc:
        return Outcome(path, None, str(exc))
    except Exception as exc:
        log.debug("internal error converting %s", path, exc_info=True)
        return Outcome(path, None, f"{path}: internal error ({type(exc).__name__}: {exc}); please report it")


def convert_many(
    paths: Iterable[Path],
    options: ConvertOptions | None = None,
    jobs: int = 1,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Convert every file, in parallel when ``jobs > 1``; outcomes come back in input order.

    Several files of one agency and year (:mod:`converter.batch`): the report merged from them sits
    at the last of them; the earlier ones say ``merged_into`` it; an identical file ``same_file_as``.
    """
    options = options or ConvertOptions()
    files = list(paths)
    outcomes = dict(_run(files, options, jobs, on_outcome))
    converted = {o.path: o.report for o in outcomes.values() if o.report is not None}
    batch = Batch(lambda group: resolve_group([converted[Path(p)] for p in group]))
    ordered: list[Outcome] = []
    for index in range(len(files)):
        outcome = outcomes[index]
        report = outcome.report
        if report is not None:
            step = batch.see(index, outcome.path, report_iri(report, options.base_url), report.source.sha256)
            if step.error is not None:
                outcome = Outcome(outcome.path, None, step.error)
            elif step.same_file_as is not None:
                outcome = Outcome(outcome.path, None, None, same_file_as=Path(step.same_file_as))
            elif step.group is not None:
                outcome = Outcome(outcome.path, step.group.report, None, sources=step.group.sources)
                for member in step.members:
                    ordered[member] = Outcome(ordered[member].path, None, None, merged_into=outcome.path)
        ordered.append(outcome)
    return ordered


def convert_group(paths: Sequence[Path | str], options: ConvertOptions) -> Group:
    """The files of one agency and year converted (again) and resolved by the batch core: the
    report published for them, and an error for each that is another report."""
    reports = [convert_file(Path(p), options.for_file(Path(p))) for p in paths]
    return resolve_group(reports)


def _run(
    files: list[Path], options: ConvertOptions, jobs: int, on_outcome: Callable[[Outcome], None] | None
) -> Iterator[tuple[int, Outcome]]:
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    if jobs == 1 or len(files) < 4:
        for index, path in enumerate(files):
            outcome = _convert_one(path, options)
            if on_outcome:
                on_outcome(outcome)
            yield index, outcome
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_convert_one, path, options.for_file(path)): i for i, path in enumerate(files)}
        for future in as_completed(futures):
            outcome = future.result()
            if on_outcome:
                on_outcome(outcome)
            yield futures[future], outcome


# --------------------------------------------------------------------------------------------
# convert and emit in the workers (``gongkai convert``)


@dataclass(frozen=True)
class Emitted:
    """One input file, converted and emitted: its summary and sorted N-Quads, or an error."""

    path: Path
    summary: ReportSummary | None
    error: str | None
    nquads: bytes = b""
    # a report merged from several files (converter/batch.py): them all; it replaces the report
    # yielded earlier for the same agency and year
    sources: tuple[Path, ...] = ()
    same_file_as: Path | None = None  # the same bytes as that earlier file: nothing more to write

    @property
    def ok(self) -> bool:
        return self.error is None


def emit_one(path: Path, options: ConvertOptions) -> Emitted:
    """Convert one file and emit its RDF as sorted N-Quads (in a worker process)."""
    outcome = _convert_one(path, options)
    if outcome.report is None:
        return Emitted(path, None, outcome.error)
    return emit_report(path, outcome.report, options)


def emit_report(path: Path, report: Report, options: ConvertOptions, sources: tuple[Path, ...] = ()) -> Emitted:
    """A converted (or merged) report emitted as sorted N-Quads, with its summary."""
    from converter.output import report_nquads

    try:
        nquads = report_nquads(report, options.base_url)
    except GongkaiError as exc:
        return Emitted(path, None, str(exc))
    return Emitted(path, ReportSummary.of(report, options.base_url), None, nquads, sources)


def emit_many(
    paths: Iterable[Path],
    options: ConvertOptions | None = None,
    jobs: int = 1,
    on_item: Callable[[Emitted], None] | None = None,
) -> Iterator[Emitted]:
    """Convert and emit every file, in parallel when ``jobs > 1``; yields in input order, as the
    files are done (at most a few per worker are held back to keep the order).

    Several files of one agency and year (:mod:`converter.batch`): the report merged from them is
    yielded at the last of them (``sources`` names them all) and replaces the report yielded for
    the earlier ones (the writer keeps the last report of a graph, :func:`converter.output.write_stream`);
    the files of such a report are read again, in this process, to merge them.
    """
    options = options or ConvertOptions()
    batch = Batch(lambda group: convert_group(group, options))
    for index, item in enumerate(_emit_ordered(list(paths), options, jobs)):
        summary = item.summary
        if summary is not None:
            step = batch.see(index, item.path, summary.report_iri, summary.sha256)
            if step.error is not None:
                item = Emitted(item.path, None, step.error)
            elif step.same_file_as is not None:
                item = Emitted(item.path, None, None, same_file_as=Path(step.same_file_as))
            elif step.group is not None:  # merged in this process: the files are read again
                item = emit_report(item.path, step.group.report, options, step.group.sources)
        if on_item:
            on_item(item)
        yield item


def _emit_ordered(files: list[Path], options: ConvertOptions, jobs: int) -> Iterator[Emitted]:
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    if jobs == 1 or len(files) < 4:
        for path in files:
            yield emit_one(path, options)
        return
    ahead = 4 * jobs  # submitted and not yet yielded: bounds the N-Quads held in memory
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[Emitted]] = deque()
        queue = iter(files)
        for path in queue:
            pending.append(pool.submit(emit_one, path, options.for_file(path)))
            if len(pending) >= ahead:
                break
        while pending:
            item = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(emit_one, following, options.for_file(following)))
            yield item
