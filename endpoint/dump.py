"""Dumping the store: the files of ``/dumps/`` and their manifest.

:func:`dump` writes gzip N-Quads and Turtle of the whole store and of each report year
(``gk:year``), each to a temporary file then ``os.replace``, and last ``index.json`` with every
file's size and SHA-256 (the VoID/DCAT description and ``/dumps/`` read it). Each year is
serialized once (the years in parallel threads, one graph at a time, so memory does not grow with
the data); the whole-data-set files are the years' gzip members and one member for the other
graphs (vocabulary, aggregates) put one after the other, which is a valid gzip file. gzip
headers carry no time stamp, so the same data gives the same bytes and checksums. Beside them,
the tidy table of every observation (``observations.csv.gz``), its rows made from the report
graphs' N-Triples as the year jobs write them (:class:`_TableParts`), and its CSVW metadata
(``observations.csv-metadata.json``, not compressed): see ``endpoint/tidy.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, RdfFormat, Store

from endpoint import tidy
from endpoint.sparql import fixed

log = logging.getLogger(__name__)

MANIFEST = "index.json"
DUMP_STEM = "gongkai"
try:
    # ISA-L's deflate (python-isal): gzip like zlib's, but ~10x faster. At 1,000 reports the dump
    # takes ~20% less CPU than with zlib -6, for files ~40% bigger (zlib -1 is as big and ~10x
    # slower than ISA-L), bench/RESULTS.md.
    from isal import isal_zlib as _deflate

    GZIP_LEVEL = 2  # ISA-L's levels are 0-3; 1 and 2 compress alike, 3 is 3-4x slower for ~the same size
except ImportError:  # pragma: no cover - isal is a dependency; a platform without its wheels still dumps
    import zlib as _deflate  # type: ignore[no-redef]  # the same calls as isal_zlib

    GZIP_LEVEL = 6


@dataclass(frozen=True)
class DumpFile:
    name: str
    format: str  # "N-Quads" | "Turtle"
    media_type: str  # of the uncompressed content
    year: str | None
    graphs: int
    bytes: int
    sha256: str
    compression: str | None = "gzip"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "media_type": self.media_type,
            "compression": self.compression,
            "year": self.year,
            "graphs": self.graphs,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """``folder/index.json`` as written by :func:`dump`, or None if there is none."""
    path = folder / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return manifest


def report_years(store: Store) -> dict[str, list[NamedNode]]:
    """Report graphs by year (``gk:year``), from ``queries/report_years.rq``."""
    by_year: dict[str, list[NamedNode]] = {}
    with fixed.solutions(store, "report_years") as rows:
        for row in rows:
            graph, year = row["graph"], row["year"]
            if isinstance(graph, NamedNode) and isinstance(year, Literal):
                by_year.setdefault(year.value, []).append(graph)
    return by_year


def dump(store_path: Path, out: Path, *, base_url: str | None = None) -> list[DumpFile]:
    """Write the dumps of the store at ``store_path`` into ``out`` and the manifest last.

    :raises OSError: the store cannot be opened or a file cannot be written.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = _write_dumps(Store.read_only(str(store_path.resolve())), out)
    previous = read_manifest(out)
    manifest = {
        "title": "Gongkai: government information-disclosure annual reports",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_url": base_url,
        "store_release": store_path.resolve().name,
        "files": [f.as_json() for f in written],
    }
    tmp = out / f".{MANIFEST}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out / MANIFEST)
    if previous:  # files of the previous dump that this one no longer has
        names = {f.name for f in written}
        for entry in previous.get("files", []):
            name = str(entry.get("name", ""))
            if name and name not in names and "/" not in name and name != MANIFEST:
                (out / name).unlink(missing_ok=True)
    return written


def _write_dumps(store: Store, out: Path) -> list[DumpFile]:
    """Each year's N-Quads and Turtle once, years in parallel, then the whole data set as the
    concatenation of the years' gzip members and a member for the other graphs (see
    :class:`_Job`). Memory is bounded by the largest graph, whatever the number of reports.
    (A report graph with two ``gk:year`` values would be in both years' files and twice in the
    whole-data-set files: the same quads, which RDF parsers and stores merge.) The tidy table's
    rows are made from the same N-Triples (:class:`_TableParts`), then put in order."""
    by_year = {year: sorted(set(graphs), key=str) for year, graphs in sorted(report_years(store).items())}
    in_years = {graph for graphs in by_year.values() for graph in graphs}
    others: list[NamedNode | BlankNode | DefaultGraph] = [DefaultGraph()]
    others += sorted((g for g in store.named_graphs() if g not in in_years), key=str)
    all_graphs = sum(1 for _ in store.named_graphs())
    groups: dict[str | None, Sequence[NamedNode | BlankNode | DefaultGraph]] = {None: others}
    groups.update(by_year.items())  # pairs: a dict of str keys is not one of str | None keys
    together = [tuple(_SUFFIX)] if TURTLE_AS_NTRIPLES else [(fmt,) for fmt in _SUFFIX]
    lookups = tidy.Lookups.read(store)
    jobs = [
        _Job(store, out, year, graphs, formats, lookups if year is not None and "N-Quads" in formats else None)
        for year, graphs in groups.items()
        for formats in together
    ]
    members = {(job.year, fmt): path for job in jobs for fmt, path in job.paths.items()}
    parts = [job.table for job in jobs if job.table is not None]
    try:
        # Oxigraph serializes each graph and ISA-L compresses without the GIL: threads use every
        # core. Biggest jobs first, so that the last one to finish is small.
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
            list(pool.map(_Job.write, sorted(jobs, key=lambda job: -len(job.graphs))))
        written: list[DumpFile] = []
        for fmt in _SUFFIX:  # the whole data set: the same gzip members one after the other
            whole = _concatenate(out / f"{DUMP_STEM}.{_SUFFIX[fmt]}.gz", [members[year, fmt] for year in groups])
            written.append(_dump_file(whole, fmt, None, all_graphs))
        for year in by_year:
            for fmt in _SUFFIX:
                job = next(j for j in jobs if j.year == year and fmt in j.paths)
                written.append(_dump_file(members[year, fmt], fmt, year, len(job.graphs), *job.sums[fmt]))
        written += _write_table(parts, sorted(in_years, key=str), out)
    finally:
        for path in [*members.values(), *(part.path for part in parts)]:
            path.unlink(missing_ok=True)
    return written


def _write_table(parts: Sequence[_TableParts], reports: Sequence[NamedNode], out: Path) -> list[DumpFile]:
    """The tidy table of every observation, ``observations.csv.gz`` (one gzip member), and its
    CSVW metadata (``endpoint/tidy.py``): each report's rows, made by the year jobs, in the
    order of the report IRIs."""
    tmp = out / f".{tidy.CSV_NAME}.tmp-{os.getpid()}"
    try:
        with contextlib.ExitStack() as stack:
            sink = stack.enter_context(_GzipMember(tmp))
            files = [stack.enter_context(part.path.open("rb")) for part in parts]
            sink.write(tidy.HEADER)
            for report in reports:
                # in the first part that has it (a report with two years was read twice: the same rows)
                for fh, part in zip(files, parts, strict=True):
                    if (at := part.at.get(report.value)) is not None:
                        fh.seek(at[0])
                        sink.write(_deflate.decompress(fh.read(at[1])))
                        break
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    description = tidy.metadata(base=tidy.data_base(reports[0] if reports else None))
    meta = out / f".{tidy.METADATA_NAME}.tmp-{os.getpid()}"
    meta.write_text(json.dumps(description, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    table = _dump_file(tmp, "CSV", None, len(reports), sink.size, sink.sha256)
    return [table, replace(_dump_file(meta, "CSVW metadata", None, len(reports)), compression=None)]


class _TableParts:
    """A year job's share of the tidy table: each report graph's rows (``tidy.ReportGraph``, fed
    the N-Triples the job writes anyway), sorted, as CSV compressed on its own, one after the other
    in a temporary file; :attr:`at` says where each report's are. :func:`_write_table` then puts
    them in the order of the report IRIs (by agency, then year: across the years' files). The
    rows are never all in memory; the file is about the size of ``observations.csv.gz``."""

    LEVEL = 1  # compressed once more by _write_table: the fastest that keeps the file small

    def __init__(self, path: Path, lookups: tidy.Lookups) -> None:
        self.path, self.lookups = path, lookups
        self.at: dict[str, tuple[int, int]] = {}
        self._size = 0

    def read(self, graph: NamedNode | BlankNode | DefaultGraph) -> tidy.ReportGraph:
        """A report graph's rows to be: feed it ``graph``'s N-Triples, then give it to :meth:`add`."""
        return tidy.ReportGraph(graph.value if isinstance(graph, NamedNode) else "", self.lookups)

    def add(self, fh: IO[bytes], graph: NamedNode | BlankNode | DefaultGraph, report: tidy.ReportGraph) -> None:
        data = _deflate.compress(tidy.csv_lines(report.rows()), self.LEVEL)
        fh.write(data)
        self.at.setdefault(graph.value if isinstance(graph, NamedNode) else "", (self._size, len(data)))
        self._size += len(data)


_SUFFIX = {"N-Quads": "nq", "Turtle": "ttl"}
_MEDIA_TYPE = {"N-Quads": "application/n-quads", "Turtle": "text/turtle", "CSV": "text/csv",
               "CSVW metadata": "application/csvm+json"}  # fmt: skip
# The Turtle files hold N-Triples (a subset of Turtle: every parser reads them) from the same
# Oxigraph N-Triples output as the N-Quads. Oxigraph's Turtle writer (prefixes, grouped subjects)
# doubles the CPU of a dump (+23 s at 1,000 reports) for files ~3x smaller once gzip'd: False
# brings it back.
TURTLE_AS_NTRIPLES = True


class _Job:
    """The gzip members of ``graphs`` of ``store`` in ``formats``, written to temporary files.

    N-Quads: each graph is dumped by Oxigraph as N-Triples and its name added to every line, a
    block at a time (:class:`_Lines`). Turtle: the same N-Triples, which are Turtle (a subset of it).
    A statement made in several graphs (an agency's label) appears once per graph in Turtle;
    parsers merge them. Blank node labels are Oxigraph's store-wide ids, so graphs written one
    after the other never mix up two blank nodes.
    """

    def __init__(
        self,
        store: Store,
        out: Path,
        year: str | None,
        graphs: Sequence[NamedNode | BlankNode | DefaultGraph],
        formats: Sequence[str],
        lookups: tidy.Lookups | None = None,
    ) -> None:
        self.store, self.year, self.graphs = store, year, graphs
        label = year or "rest"
        self.paths = {fmt: out / f".{DUMP_STEM}-{label}.{_SUFFIX[fmt]}.gz.tmp-{os.getpid()}" for fmt in formats}
        self.sums: dict[str, tuple[int, str]] = {}
        # lookups (tidy.Lookups): the graphs are reports, and the job makes their rows of the tidy table
        self.table = None if lookups is None else _TableParts(out / f".observations-{label}.tmp-{os.getpid()}", lookups)

    def write(self) -> None:
        from endpoint.render.rdf import SERIALIZATION_PREFIXES

        with contextlib.ExitStack() as stack:
            sinks = {fmt: stack.enter_context(_GzipMember(path)) for fmt, path in self.paths.items()}
            from_ntriples = {fmt: sink for fmt, sink in sinks.items() if fmt == "N-Quads" or TURTLE_AS_NTRIPLES}
            table = None if self.table is None else stack.enter_context(self.table.path.open("wb"))
            for graph in self.graphs:
                if from_ntriples:
                    report = None if self.table is None else self.table.read(graph)
                    lines = _Lines(from_ntriples, graph, None if report is None else report.feed)
                    self.store.dump(lines, format=RdfFormat.N_TRIPLES, from_graph=graph)  # type: ignore[arg-type]  # Oxigraph only calls write(); its hint wants an IO
                    lines.close()
                    if self.table is not None and table is not None and report is not None:
                        self.table.add(table, graph, report)
                if "Turtle" in sinks and not TURTLE_AS_NTRIPLES:
                    sinks["Turtle"].write(
                        self.store.dump(format=RdfFormat.TURTLE, from_graph=graph, prefixes=SERIALIZATION_PREFIXES)
                        or b""
                    )
        self.sums = {fmt: (sink.size, sink.sha256) for fmt, sink in sinks.items()}


class _Lines:
    """Where Oxigraph writes one graph's N-Triples while it dumps it: passed on to the gzip
    members in blocks of about :attr:`BLOCK` bytes that end with a line, the graph's name added
    to every line for N-Quads. So a dump holds a block per job, not a whole graph: the aggregate
    graph grows with the number of agencies (~9 MB of N-Triples at 1,000 reports), and holding
    it whole, twice (N-Triples and N-Quads), made the dump's memory grow with the store."""

    BLOCK = 1 << 20

    def __init__(
        self,
        sinks: dict[str, _GzipMember],
        graph: NamedNode | BlankNode | DefaultGraph,
        tap: Callable[[bytes], object] | None = None,
    ) -> None:
        self.sinks, self.tap = sinks, tap  # tap: given each block of N-Triples as well
        self.suffix = None if isinstance(graph, DefaultGraph) else f" {graph} .\n".encode()
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= self.BLOCK:
            self._pass(final=False)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._pass(final=True)

    def _pass(self, *, final: bool) -> None:
        block = b"".join(self.parts)
        rest = b""
        if not final:  # keep the line still being written for the next block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
        self.parts, self.size = ([rest], len(rest)) if rest else ([], 0)
        if not block:
            return
        if self.tap is not None:
            self.tap(block)
        for fmt, sink in self.sinks.items():
            # N-Triples escapes line breaks in literals: every line, and only the end of a
            # line, is " .\n"
            sink.write(block.replace(b" .\n", self.suffix) if fmt == "N-Quads" and self.suffix else block)


class _GzipMember:
    """A file holding one gzip member, compressed and hashed as it is written.

    The compressor is fed blocks of exactly :data:`CHUNK` bytes, whatever the writes: ISA-L's output
    depends on how its input is cut, and the same store must give the same files (their checksums
    are published in index.json).
    """

    CHUNK = 1 << 20

    def __init__(self, path: Path) -> None:
        self.path, self.size, self.sha256 = path, 0, ""
        self._digest = hashlib.sha256()
        self._deflate = _deflate.compressobj(GZIP_LEVEL, _deflate.DEFLATED, 31)  # 31: gzip, no time stamp
        self._pending = bytearray()

    def __enter__(self) -> _GzipMember:
        self._fh = self.path.open("wb")
        return self

    def write(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) >= self.CHUNK:
            whole = len(self._pending) - len(self._pending) % self.CHUNK
            view = memoryview(self._pending)
            for start in range(0, whole, self.CHUNK):
                self._emit(self._deflate.compress(view[start : start + self.CHUNK]))
            view.release()
            del self._pending[:whole]

    def _emit(self, data: bytes) -> None:
        if data:
            self._fh.write(data)
            self._digest.update(data)
            self.size += len(data)

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._emit(self._deflate.compress(bytes(self._pending)))
                self._emit(self._deflate.flush())
        finally:
            self._fh.close()
        self.sha256 = self._digest.hexdigest()


def _concatenate(target: Path, members: Sequence[Path]) -> Path:
    """``target``'s temporary file holding ``members`` one after the other (a valid gzip file:
    RFC 1952 allows several members, and gzip, zcat, Python and Oxigraph read them all)."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with tmp.open("wb") as fh:
        for member in members:
            with member.open("rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)
    return tmp


def _dump_file(
    tmp: Path, fmt: str, year: str | None, graphs: int, size: int | None = None, sha256: str | None = None
) -> DumpFile:
    """Describe ``tmp`` (renamed to its final name first, if it is a temporary file)."""
    if sha256 is None:
        digest = hashlib.sha256()
        with tmp.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        sha256, size = digest.hexdigest(), tmp.stat().st_size
    final = tmp.with_name(tmp.name[1:].rsplit(".tmp-", 1)[0]) if tmp.name.startswith(".") else tmp
    if final != tmp:
        tmp.replace(final)
    log.info("wrote %s (%d bytes)", final, size)
    return DumpFile(final.name, fmt, _MEDIA_TYPE[fmt], year, graphs, size or 0, sha256)
