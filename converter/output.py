"""Writing RDF: the format follows the output's suffix (DESIGN.md, "Command line").

``.nq`` and ``.trig`` keep one named graph per report, ``.ttl`` holds the union; a folder gets one
``.nq`` file per report. N-Quads files hold each graph's statements together, the graphs in the
order of their names (the default graph first), each graph's lines sorted and without duplicates:
a report's statements are one block, and files diff line by line. They are written by pyoxigraph's
serializer, to a temporary name that is then renamed, so a failed run never leaves half a file.

Memory: reports arrive one at a time as ``(graph name, sorted N-Quads)`` blocks (:func:`report_nquads`,
run in the worker processes). A ``.nq`` file (or ``-``) is an external sort of those blocks by
graph name: they are kept until they hold ``run_bytes``, then written, in name order, to a run file
next to the output; the runs are merged block by block (``heapq.merge`` on the names) into the
output at the end, so memory does not grow with the number of reports and no line is touched
again. ``.trig`` and ``.ttl`` are serialized by rdflib from one in-memory ``Dataset`` of all reports
(their prefixes and grouping need the whole graph): use ``.nq`` or a folder for large runs.
"""

from __future__ import annotations

import heapq
import os
import struct
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Dataset, Graph

from converter import iris
from converter.emit import agency_key, new_dataset, report_lines
from converter.errors import OptionsError
from converter.model import Report
from converter.terms import add_to_rdflib, to_oxigraph_quads
from converter.vocab import PREFIXES

FORMATS = {".nq": "nquads", ".trig": "trig", ".ttl": "turtle"}
RUN_BYTES = 32 * 2**20  # N-Quads kept in memory before a sorted run is written to disk
MERGE_FAN_IN = 64  # runs merged at once (open files)


# --------------------------------------------------------------------------------------------
# sorted N-Quads


def _sorted_lines(chunks: Iterable[bytes]) -> list[bytes]:
    """The distinct lines of N-Quads chunks, sorted (bytewise: UTF-8 order is code point order)."""
    lines: list[bytes] = []
    for chunk in chunks:
        lines += chunk.split(b"\n")
    lines.sort()  # before dropping duplicates: sorted chunks are runs that timsort merges
    unique = list(dict.fromkeys(lines))
    return unique[1:] if unique and not unique[0] else unique


def _join(lines: Sequence[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def quads_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Quads as N-Quads, one statement a line, sorted, without duplicates."""
    return _join(_sorted_lines([ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""]))  # None only with an output


def report_nquads(report: Report, base: str) -> bytes:
    """One report's named graph as sorted N-Quads (what a worker process sends back).

    :raises converter.emit.InvalidSourceUrl: the report's source URL is not an IRI.
    """
    lines = report_lines(report, base)
    lines.sort()  # code point order is UTF-8 byte order
    return ("\n".join(dict.fromkeys(lines)) + "\n").encode("utf-8")


Block = tuple[str, bytes]  # (graph name, that graph's sorted N-Quads); "" is the default graph


def merge_nquads(blocks: Iterable[Block]) -> bytes:
    """Graph blocks as one N-Quads text (in memory): the blocks in graph-name order, the blocks of
    one graph merged into one."""
    return b"".join(data for _, data in _merged(sorted(blocks, key=_name)))


def _name(block: Block) -> str:
    return block[0]


def _merged(blocks: Iterable[Block]) -> Iterator[Block]:
    """Blocks in name order, with those of one name merged (lines sorted, duplicates dropped)."""
    for name, group in groupby(blocks, key=_name):
        chunks = [data for _, data in group]
        yield name, chunks[0] if len(chunks) == 1 else _join(_sorted_lines(chunks))


def sorted_nquads(data: Dataset | Iterable[ox.Quad]) -> bytes:
    """N-Quads of an rdflib ``Dataset`` or of pyoxigraph quads, graph by graph in name order, each
    graph's lines sorted (see the module docstring).

    Both are written by pyoxigraph's serializer, so the same statements give the same bytes. (An
    explicit ``xsd:string`` datatype is not written, as N-Quads' canonical form says.)
    """
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in to_oxigraph_quads(data) if isinstance(data, Dataset) else data:  # blank nodes keep their labels
        by_graph.setdefault(graph_name(quad.graph_name), []).append(quad)
    return merge_nquads((name, quads_nquads(quads)) for name, quads in by_graph.items())


def graph_name(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    """The name blocks are ordered by: the IRI, ``_:label`` for a blank node, "" for the default graph."""
    if isinstance(graph, ox.NamedNode):
        return graph.value
    if isinstance(graph, ox.BlankNode):
        return f"_:{graph.value}"
    return ""


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


# --------------------------------------------------------------------------------------------
# files


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` (mode 644) when the block ends without an error; on an
    error the temporary file is removed and ``path`` is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        Path(temp).chmod(0o644)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_file(path) as out:
        out.write(data)


def report_graph(report: Report, base: str) -> str:
    """The name of a report's graph: its report IRI."""
    return str(iris.graph_iri(base, agency_key(report.meta.agency), report.meta.year))


def report_file_name(agency: str, year: int) -> str:
    """The file of one report in a folder output: ``{agency key}-{year}.nq``."""
    return f"{agency_key(agency)}-{year}.nq"


class SortedRuns:
    """Graph blocks in, one N-Quads stream out (blocks in graph-name order), in bounded memory.

    Blocks are kept until they hold ``run_bytes``; then they are written, in name order, to a run
    file in ``folder`` (a hidden temporary file; each block framed by its lengths). :meth:`write_to`
    merges the runs (and what is still in memory) block by block into a binary file. Use it as a
    context manager: the run files are removed at the end, whatever happens.
    """

    def __init__(self, folder: Path, name: str = "out.nq", run_bytes: int = RUN_BYTES) -> None:
        if run_bytes < 1:
            raise ValueError(f"run_bytes must be at least 1, got {run_bytes}")
        self.folder = folder
        self.name = name
        self.run_bytes = run_bytes
        self.blocks: list[Block] = []
        self.size = 0
        self.runs: list[Path] = []
        self.count = 0
        self.replacements: dict[str, bytes] = {}  # graph name -> the block that replaces its earlier ones

    def __enter__(self) -> SortedRuns:
        return self

    def __exit__(self, *exc: object) -> None:
        for run in self.runs:
            run.unlink(missing_ok=True)
        self.runs = []
        self.blocks = []

    def add(self, graph: str, nquads: bytes) -> None:
        """One graph's sorted, duplicate-free N-Quads."""
        self.blocks.append((graph, nquads))
        self.size += len(nquads)
        self.count += 1
        if self.size >= self.run_bytes:
            self.spill()

    def replace(self, graph: str, nquads: bytes) -> None:
        """A graph given to :meth:`add` before, again: this block replaces the earlier ones (a report
        merged from several files, converter/batch.py). Kept in memory until :meth:`write_to`."""
        self.replacements[graph] = nquads

    def _substituted(self, blocks: Iterable[Block]) -> Iterator[Block]:
        for name, data in blocks:
            yield name, self.replacements.get(name, data)

    def spill(self) -> None:
        """Write what is in memory as one run, in name order."""
        if not self.blocks:
            return
        blocks = _merged(sorted(self.blocks, key=_name))
        self.blocks, self.size = [], 0
        self._write_run(lambda out: _write_blocks(blocks, out))

    def _write_run(self, fill: Callable[[IO[bytes]], object]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.folder, prefix=f".{self.name}.run-", suffix=".tmp")
        self.runs.append(Path(temp))
        with os.fdopen(handle, "wb", buffering=2**20) as out:
            fill(out)

    def write_to(self, out: IO[bytes]) -> None:
        """Merge every run into ``out``."""
        if not self.runs:  # everything fits in memory
            for _, data in self._substituted(_merged(sorted(self.blocks, key=_name))):
                out.write(data)
            return
        self.spill()
        while len(self.runs) > MERGE_FAN_IN:
            group, self.runs = self.runs[:MERGE_FAN_IN], self.runs[MERGE_FAN_IN:]
            self._write_run(partial(_write_blocks, _merge_runs(group)))  # a generator: merges when written
            for path in group:
                path.unlink()
        for _, data in self._substituted(_merge_runs(self.runs)):
            out.write(data)


_FRAME = struct.Struct(">II")  # bytes of the graph name, bytes of the N-Quads


def _write_blocks(blocks: Iterable[Block], out: IO[bytes]) -> None:
    for name, data in blocks:
        key = name.encode("utf-8")
        out.write(_FRAME.pack(len(key), len(data)))
        out.write(key)
        out.write(data)


def _read_blocks(fh: IO[bytes]) -> Iterator[Block]:
    while header := fh.read(_FRAME.size):
        key_size, data_size = _FRAME.unpack(header)
        yield fh.read(key_size).decode("utf-8"), fh.read(data_size)


def _merge_runs(paths: Sequence[Path]) -> Iterator[Block]:
    """k-way merge of run files by graph name, the blocks of one graph merged into one."""
    with ExitStack() as stack:
        runs = [_read_blocks(stack.enter_context(path.open("rb", buffering=2**20))) for path in paths]
        yield from _merged(heapq.merge(*runs, key=_name))


def write_stream(items: Iterable[tuple[str, str, bytes]], out: Path | str, *, run_bytes: int = RUN_BYTES) -> list[Path]:
    """Write reports that arrive one at a time as ``(folder file name, graph name, sorted N-Quads)`` to ``out``
    (a file by suffix, a folder, or ``-`` for stdout); nothing is written when none arrives.

    ``.nq`` and ``-`` are merged from sorted runs (memory bounded by ``run_bytes``); ``.trig`` and
    ``.ttl`` are built in memory. Errors raised while ``items`` is consumed leave no output file.
    A graph that arrives again replaces what arrived for it before (a report merged from several
    files, converter/batch.py); in a folder, its file is written again.

    :raises OptionsError: the suffix is not one of .nq, .trig, .ttl (raised before ``items`` is read).
    """
    if str(out) == "-":
        with SortedRuns(Path(tempfile.gettempdir()), "stdout.nq", run_bytes) as runs:
            _add_all(runs, items)
            runs.write_to(sys.stdout.buffer)
        return []
    out = Path(out)
    if out.is_dir() or (not out.suffix and not out.exists()):
        written: dict[Path, None] = {}
        for name, _, nquads in items:
            target = out / name
            write_atomic(target, nquads)
            written[target] = None
        return list(written)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise OptionsError(f"{out}: unknown output format {out.suffix!r}; use .nq, .trig, .ttl or a folder")
    if fmt != "nquads":
        chunks = {graph: nquads for _, graph, nquads in items}  # the last of a graph wins
        if not chunks:
            return []
        ds = add_to_rdflib(new_dataset(), ox.parse(b"".join(chunks.values()), format=ox.RdfFormat.N_QUADS))
        write_atomic(out, serialize(ds, fmt))
        return [out]
    with SortedRuns(out.parent, out.name, run_bytes) as runs:
        _add_all(runs, items)
        if not runs.count:
            return []
        with atomic_file(out) as handle:
            runs.write_to(handle)
    return [out]


def _add_all(runs: SortedRuns, items: Iterable[tuple[str, str, bytes]]) -> None:
    seen: set[str] = set()  # graph names: one short string per report
    for _, graph, nquads in items:
        if graph in seen:
            runs.replace(graph, nquads)
        else:
            seen.add(graph)
            runs.add(graph, nquads)


def write_reports(reports: Iterable[Report], out: Path | str, base: str, *, run_bytes: int = RUN_BYTES) -> list[Path]:
    """Write the reports to ``out`` (a file by suffix, a folder, or ``-`` for stdout), emitting
    each as it comes (see :func:`write_stream`).

    :raises OptionsError: the suffix is not one of .nq, .trig, .ttl.
    :raises converter.emit.InvalidSourceUrl: a report's source URL is not an IRI.
    """
    items = (
        (report_file_name(r.meta.agency, r.meta.year), report_graph(r, base), report_nquads(r, base)) for r in reports
    )
    return write_stream(items, out, run_bytes=run_bytes)
