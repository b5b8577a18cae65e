"""Loading converted reports into the on-disk Oxigraph store, and dumping the store.

Releases: how loading never damages a store that is being served
-----------------------------------------------------------------
``--store DIR`` is managed as a symlink to a complete store folder::

    DIR -> DIR.releases/20250101T120000123456Z          (relative symlink)
    DIR.releases/20250101T120000123456Z/                 a complete store (RocksDB files)
    DIR.releases/20250101T120000123456Z.json             written once that store is complete
    DIR.releases/.lock                                   flock held while a load runs

A load never writes into the release that ``DIR`` points at:

1. it takes the lock (a second concurrent load stops with an error),
2. *updating* a store (``DIR`` holds a release): it parses every input once to learn which named
   graphs it holds (syntax errors are caught here, before anything is written; such a file is
   reported and skipped), in a thread that runs ahead of step 4, and copies the current release
   into a new folder (``Store.backup``: a RocksDB checkpoint, hard links on the same file
   system, so cheap);
   a *fresh* load (no release yet, or ``replace=True``) skips both: there is nothing to copy and
   no graph to replace, so the inputs go straight into an empty new release. A syntax error then
   fails that new release as a whole: the file at fault is reported (file and line) and skipped,
   and the release is built again without it,
3. for each input it removes the graphs the file names (updates only; so a report loaded again
   *replaces* its graph, never duplicates it), and bulk-loads the file,
4. it replaces the vocabulary graph ``https://w3id.org/gongkai/def`` with ``ontology/*.ttl``,
   runs ``Store.optimize()`` (after ``bulk_load`` the store answers typical queries slower until
   it is compacted; by default fresh loads and large updates only, see :func:`load`) and,
   at the same time in another thread, recomputes the aggregate cubes and the checks across reports
   (``endpoint/checks.py``: carry-over year to year, possible matches of agencies; their own graph),
5. it writes the ``.json`` marker (with the base URL the release was loaded for, which
   ``gongkai serve`` checks: :func:`recorded_base_url`), then points ``DIR`` at the new release
   by creating a temporary symlink and ``os.replace``-ing it over ``DIR`` (an atomic rename), and fsyncs.

If the process is killed at any moment before step 5's rename, ``DIR`` still points at the old,
complete release; the half-built folder has no marker and is deleted by the next load. A running
``gongkai serve`` keeps the release it opened until SIGHUP (or a restart) makes it open the new one; the
previous :data:`KEEP_RELEASES` - 1 complete releases are kept so its files never vanish under it.
A ``DIR`` that is a plain store folder (made by hand or an older version) is used as the source
of the first copy and then moved into ``DIR.releases/`` - that one migration is two renames, not
one, and is the only non-atomic step.

Dumps
-----
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
import fcntl
import gzip
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
)

from converter import iris
from converter.defaults import DEFAULT_BASE, GK_ONTOLOGY
from converter.regions import preload as preload_gazetteer
from endpoint import tidy
from endpoint.sparql import fixed

log = logging.getLogger(__name__)

# converter.defaults and converter.iris (which imports them on first need), not converter.vocab: ~1 s of
# pypinyin and rdflib that `gongkai dump` never needs; endpoint.aggregates (which does) is imported by the load only
VOCAB_GRAPH = GK_ONTOLOGY

KEEP_RELEASES = 3
REMOVE_THREADS = max(2, min(4, os.cpu_count() or 1))  # graphs an update removes at once
OPTIMIZE_FRACTION = 0.25
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
_FORMATS = {".nq": RdfFormat.N_QUADS, ".trig": RdfFormat.TRIG}


class LoadError(Exception):
    """The load cannot go on (the store is left as it was)."""


def vocabulary_files() -> list[Path]:
    """The ontology and code lists: ``ontology/*.ttl`` of the repository, sorted."""
    folder = Path(__file__).resolve().parents[1] / "ontology"
    return sorted(folder.glob("*.ttl"))


# --------------------------------------------------------------------------------------------
# Input files


def rdf_format(path: Path) -> RdfFormat:
    """The format of an input file from its suffix (``.nq``, ``.trig``, optionally ``.gz``).

    :raises ValueError: any other suffix (the message says what is accepted).
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise ValueError("not a dataset file: expected .nq or .trig (optionally .gz), one named graph per report")
    return fmt


@contextlib.contextmanager
def _open_input(path: Path) -> Iterator[IO[bytes]]:
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as fh:
            yield fh  # type: ignore[misc]  # a GzipFile is a binary file; typeshed does not make it an IO
    else:
        with path.open("rb") as fh:
            yield fh


def expand_inputs(data: Sequence[Path]) -> list[Path]:
    """Files as given, and for a folder its ``*.nq``/``*.trig`` (gz too), sorted."""
    files: list[Path] = []
    for item in data:
        if item.is_dir():
            files.extend(sorted(p for p in item.rglob("*") if p.is_file() and _is_dataset_name(p)))
        else:
            files.append(item)
    return files


def _is_dataset_name(path: Path) -> bool:
    try:
        rdf_format(path)
    except ValueError:
        return False
    return True


def graphs_in(path: Path) -> set[NamedNode]:
    """The named graphs of one input file (one streaming parse; only the names are kept).

    :raises ValueError: wrong suffix, or triples outside any named graph.
    :raises SyntaxError: the file is not valid RDF.
    :raises OSError: the file cannot be read.
    """
    fmt = rdf_format(path)
    names: set[NamedNode] = set()
    in_default = 0
    with _open_input(path) as fh:
        for quad in parse(fh, fmt):
            graph = quad.graph_name
            if isinstance(graph, NamedNode):
                names.add(graph)
            else:
                in_default += 1
    if in_default:
        raise ValueError(
            f"{in_default} triples are outside any named graph; every report must be in its own "
            "named graph (convert to .nq or .trig)"
        )
    return names


# --------------------------------------------------------------------------------------------
# Releases


@dataclass
class LoadResult:
    release: Path
    files_loaded: list[Path] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    graphs_replaced: int = 0
    quads: int = 0
    optimized: bool = False


def releases_dir(store: Path) -> Path:
    return store.parent / f"{store.name}.releases"


def current_release(store: Path) -> Path | None:
    """The store folder ``store`` points at (itself if it is a plain folder), or None."""
    if store.is_symlink():
        target = store.resolve()
        return target if target.is_dir() else None
    return store if store.is_dir() else None


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadError(f"another `gongkai load` is running on {folder}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _new_release_name() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def load(
    data: Sequence[Path],
    store: Path,
    *,
    base_url: str | None = None,
    vocabulary: Sequence[Path] | None = None,
    replace: bool = False,
    optimize: bool | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load ``data`` (N-Quads/TriG files or folders of them) and the vocabulary into a new
    release of ``store`` and switch ``store`` to it (see the module docstring).

    ``progress(step, done, total)`` is told each file as it is loaded (``done`` of ``total``)
    and each later step (``total`` 0): what ``gongkai load`` shows while it runs.

    ``base_url``: the base the data's IRIs were minted under (``gongkai convert --base-url``);
    recorded on the release. None: the current release's, else ``DEFAULT_BASE``. An update for
    another base than the current release's is refused (its aggregates would be minted under
    the wrong base, and ``/id/`` could not find half the data).
    ``replace``: the new release holds ``data`` only (the current release is not copied).
    ``optimize``: compact the new release (``Store.optimize``) before publishing it; None (the
    default): on a fresh load, and on an update once the input bytes loaded since the last
    compaction reach :data:`OPTIMIZE_FRACTION` of the store's size (a small update adds a few
    files the queries barely notice, while compacting costs time in proportion to the whole store).

    Files that cannot be read (missing, wrong suffix, bad syntax, triples outside a named graph)
    are reported in ``LoadResult.failures`` and skipped; the others are loaded. If none can be
    loaded, nothing changes.

    :raises LoadError: another load is running, the store was loaded for another base URL, or
        writing the new release failed.
    """
    vocabulary = vocabulary_files() if vocabulary is None else list(vocabulary)
    files = expand_inputs(data)
    releases = releases_dir(store)
    with _locked(releases):
        failures: list[tuple[Path, str]] = []
        graphs: set[NamedNode] = set()
        good: list[Path] = []

        def readable(skip: set[Path]) -> Iterator[tuple[Path, None]]:
            # A fresh load: no graph to replace, so no parse ahead; bulk_load checks the syntax.
            for path in files:
                if path in skip:
                    continue
                try:
                    rdf_format(path)
                    if not path.is_file():
                        raise FileNotFoundError("no such file")
                except (ValueError, OSError) as exc:
                    failures.append((path, _one_line(exc)))
                    skip.add(path)
                    continue
                good.append(path)
                yield path, None

        def checked() -> Iterator[tuple[Path, set[NamedNode]]]:
            # One thread parses the next files (names and syntax) while the store bulk-loads the
            # current one: bulk_load releases the GIL, so both cores work (bench/RESULTS.md).
            pool = ThreadPoolExecutor(max_workers=1)
            try:
                futures = [(path, pool.submit(graphs_in, path)) for path in files]
                for path, future in futures:
                    try:
                        names = future.result()
                    except (ValueError, SyntaxError, OSError) as exc:
                        failures.append((path, _one_line(exc)))
                        continue
                    _warn_foreign_graphs(path, names, base_url)
                    graphs.update(names)
                    good.append(path)
                    yield path, names
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

        current = current_release(store)
        fresh = current is None or replace
        recorded = None if fresh or current is None else recorded_base_url(current)
        if base_url is not None and recorded is not None and base_url.rstrip("/") != recorded:
            raise LoadError(
                f"{store} was loaded for base URL {recorded}, not {base_url.rstrip('/')}: load with "
                f"--base-url {recorded}, or with --replace to start the store again for {base_url.rstrip('/')}"
            )
        base_url = base_url or recorded
        backlog = 0 if current is None or fresh else _uncompacted(current) + sum(_size(p) for p in files)
        if optimize is None:
            optimize = current is None or fresh or backlog >= OPTIMIZE_FRACTION * _tree_size(current)
        skip: set[Path] = set()
        while True:
            release = releases / _new_release_name()
            good.clear()
            inputs: Iterator[tuple[Path, set[NamedNode] | None]] = readable(skip) if fresh else checked()
            try:
                quads, loaded_graphs = _build_release(
                    None if fresh else current,
                    release,
                    inputs,
                    vocabulary,
                    base_url or DEFAULT_BASE,
                    optimize,
                    _Counting(progress, len(files) - len(skip)),
                )
            except _FileError as exc:
                # A fresh load meets bad syntax only while bulk-loading, when part of the file may
                # be in the new release already: that release is dropped and built again without
                # the file (the rare case pays for the common one, which parses nothing twice).
                shutil.rmtree(release, ignore_errors=True)
                failures.append((exc.path, _one_line(exc.error)))
                skip.add(exc.path)
                continue
            except (OSError, SyntaxError, ValueError) as exc:
                shutil.rmtree(release, ignore_errors=True)
                raise LoadError(f"building {release} failed, {store} is unchanged: {_one_line(exc)}") from exc
            break
        if files and not good:  # nothing could be read: the new release is dropped, nothing changes
            shutil.rmtree(release, ignore_errors=True)
            return LoadResult(release=current or store, failures=failures)
        if fresh:
            graphs = set(loaded_graphs)
        if progress is not None:
            progress("publishing the release", 0, 0)
        _write_marker(
            release,
            good,
            len(graphs),
            quads,
            optimized=optimize,
            uncompacted=0 if optimize else backlog,
            base_url=base_url or DEFAULT_BASE,
        )
        _switch(store, release, releases)
        _prune(releases, keep={release, *(x for x in [current] if x is not None)})
        return LoadResult(
            release=release,
            files_loaded=good,
            failures=failures,
            graphs_replaced=len(graphs),
            quads=quads,
            optimized=optimize,
        )


def _warn_foreign_graphs(path: Path, names: set[NamedNode], base_url: str | None) -> None:
    if base_url is None:
        return
    prefix = iris.data_prefix(base_url)
    foreign = sorted(g.value for g in names if not g.value.startswith(prefix))
    if foreign:
        log.warning(
            "%s: %d graph(s) are not under %s, e.g. %s (converted with another --base-url?)",
            path,
            len(foreign),
            prefix,
            foreign[0],
        )


class _FileError(Exception):
    """An input file failed while it was being loaded into the new release."""

    def __init__(self, path: Path, error: BaseException) -> None:
        super().__init__(f"{path}: {error}")
        self.path, self.error = path, error


def _build_release(
    current: Path | None,
    release: Path,
    files: Iterable[tuple[Path, set[NamedNode] | None]],
    vocabulary: Sequence[Path],
    base_url: str = DEFAULT_BASE,
    optimize: bool = True,
    progress: _Counting | None = None,
) -> tuple[int, list[NamedNode]]:
    """Copy ``current`` (None: start empty) into ``release`` and load ``files`` into it; return
    the quad count and the named graphs of the release.

    ``files`` yields (path, its graph names) when updating: each graph a file names is removed
    first, unless an earlier file of this load brought it; the names were parsed with the strict
    parser already, so ``bulk_load`` may skip its own IRI checks. (path, None) on a fresh load:
    the file is loaded as it is, strictly, and must leave no triple in the default graph.

    An update adjusts the aggregate cubes and the quad count by what it removes and loads
    (:class:`_Update`), so that its cost follows the size of the update, not of the store.

    :raises _FileError: a fresh-load file is not valid RDF, cannot be read, or has triples
        outside any named graph.
    """
    # what the aggregates need is imported while bulk_load runs without the GIL
    gazetteer = threading.Thread(target=_prepare_aggregates, name="prepare-aggregates", daemon=True)
    gazetteer.start()
    if current is not None:
        Store.read_only(str(current)).backup(str(release))
    store = Store(str(release))
    loaded: set[NamedNode] = set()
    vocab_graph = NamedNode(VOCAB_GRAPH)
    update = _Update(store, current, base_url, vocab_graph, gazetteer) if current is not None else None
    tell = progress or _Counting(None, 0)
    for path, names in files:
        log.info("loading %s", path)
        tell.file(path)
        if names is None:
            # One bulk_load per file: one over all the files as a single stream is ~20% faster, but
            # Oxigraph then holds far more in memory (1.6 GB against 0.26 GB at 1,000 reports, and
            # growing with the input): the memory of a load must not depend on the corpus.
            try:
                _bulk_load(store, path, lenient=False)
                _no_default_graph(store)
            except (SyntaxError, OSError, ValueError) as exc:
                raise _FileError(path, exc) from exc
            continue
        replaced = sorted(names - loaded, key=lambda g: g.value)
        if update is not None:
            update.removing(replaced)
        _remove_graphs(store, replaced)
        loaded |= names
        _bulk_load(store, path, lenient=True)
    tell.step("compacting the store, computing the aggregates" if optimize else "computing the aggregates")
    if not vocabulary:
        log.warning("no ontology/*.ttl found; the vocabulary graph %s is left as it was", VOCAB_GRAPH)
    else:
        store.remove_graph(vocab_graph)
        for path in vocabulary:
            store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=vocab_graph)
    # The provinces are written first; then the compaction (one core, without the GIL) runs while
    # the aggregate queries, which only read, use the other core; their quads are written once
    # it is done (a write during a compaction can stall until it ends).
    gazetteer.join()  # one thread in cpca at a time
    from endpoint.aggregates import aggregate_quads, aggregates_graph, assign_provinces, reported_agencies
    from endpoint.checks import changed_check_quads, check_quads, checks_graph, write_check_change

    aggregates = aggregates_graph(base_url)
    # the checks across reports (endpoint/checks.py): in full on a fresh load, else those of the
    # agencies whose reports the update loads or replaces
    checks = checks_graph(base_url)
    report_graphs = sorted(loaded, key=lambda g: g.value)
    checks_in_full = update is None or update.checks_in_full(checks)
    if update is None:
        store.remove_graph(aggregates)
        assign_provinces(store, aggregates)
    else:
        update.provinces(report_graphs)
    if checks_in_full:
        store.remove_graph(checks)
    else:
        assert update is not None
        touched = update.agencies | reported_agencies(store, report_graphs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        compaction = pool.submit(store.optimize) if optimize else None
        if checks_in_full:
            found = set(check_quads(store, base_url))
        else:
            check_change = changed_check_quads(store, base_url, touched)
        if update is None:
            cubes = aggregate_quads(store, base_url)
            # the cubes and the checks are new: their graphs were emptied above
            quads = len(store) + len(set(cubes)) + len(found)
        else:
            change = update.cubes(report_graphs)
        if compaction is not None:
            compaction.result()
    if checks_in_full:
        store.extend(found)
    else:
        assert update is not None
        update.checks_delta = write_check_change(store, base_url, *check_change)
    if update is None:
        store.bulk_extend(cubes)  # ~40k quads at 200 reports: 0.3 s, against 0.8 s through extend + flush
    else:
        quads = update.apply(change, report_graphs)
    store.flush()
    graphs = []
    for graph in store.named_graphs():
        if isinstance(graph, NamedNode) and graph not in (vocab_graph, aggregates, checks):
            graphs.append(graph)
    del store  # closes the RocksDB instance before the release is published
    return quads, graphs


Progress = Callable[[str, int, int], None]  # (step, done, total); total 0: a step without a count


class _Counting:
    """Passes a load's progress on to its :data:`Progress` callback, if there is one."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def file(self, path: Path) -> None:
        if self.progress is not None:
            self.progress(f"loading {path.name}", self.done, self.total)
        self.done += 1

    def step(self, step: str) -> None:
        if self.progress is not None:
            self.progress(step, 0, 0)


class _Update:
    """What an update of a release changes in its aggregate cubes and quad count, gathered as it
    goes: the sums of the reports it removes (scanned before they are removed), the agencies of
    those reports, and the quads they held (``endpoint.aggregates``, "A load that updates")."""

    def __init__(
        self, store: Store, current: Path, base_url: str, vocab_graph: NamedNode, gazetteer: threading.Thread
    ) -> None:
        self.store, self.base_url, self.gazetteer = store, base_url, gazetteer
        aggregates = NamedNode(str(iris.aggregates_graph_iri(base_url)))  # endpoint.aggregates.aggregates_graph
        self.fixed: tuple[NamedNode, ...] = (vocab_graph, aggregates)  # graphs every update rewrites
        self.previous = _marker_quads(current)
        self.quads_out = _count_quads(store, self.fixed)
        self.removed: dict[str, dict[Any, tuple[int, int]]] = {"table3": {}, "table4": {}}
        self.agencies: set[NamedNode] = set()
        self.recompute = False  # an input brings the vocabulary or the aggregates (a dump): count all
        self.named: set[NamedNode] = set()  # every graph an input names
        self.checked = bool(_marker(current).get("checks"))  # the release has its checks across reports
        self.checks_delta = 0  # quads the checks across reports gained (scoped update)

    def removing(self, graphs: Sequence[NamedNode]) -> None:
        """``graphs`` are about to be removed: keep what they add to the cubes and the count."""
        self.named.update(graphs)
        if any(g in self.fixed for g in graphs):
            self.recompute = True
        if not graphs or self.recompute:
            return
        self.gazetteer.join()  # endpoint.aggregates is imported in that thread
        from endpoint.aggregates import reported_agencies, scan_groups

        for source, groups in scan_groups(self.store, self.base_url, graphs).items():
            into = self.removed[source]
            for key, (total, n) in groups.items():
                before = into.get(key, (0, 0))
                into[key] = (before[0] + total, before[1] + n)
        self.agencies |= reported_agencies(self.store, graphs)
        self.quads_out += _count_quads(self.store, graphs)

    def checks_in_full(self, graph: NamedNode) -> bool:
        """Whether the checks across reports (``graph``, ``endpoint/checks.py``) must be computed
        again in full - an input brought that graph (a dump), the cubes are computed again, or the
        release predates the checks - rather than for the agencies the update touches. In full,
        the graph's quads are counted out like the vocabulary's."""
        if graph in self.named:
            self.recompute = True
        if not (self.recompute or not self.checked):
            return False
        self.fixed = (*self.fixed, graph)
        self.quads_out += _count_quads(self.store, [graph])
        return True

    def provinces(self, loaded: Sequence[NamedNode]) -> None:
        """Provinces for the new agencies of ``loaded``; none for agencies left without reports."""
        from endpoint.aggregates import aggregates_graph, assign_provinces, drop_unreported_agencies

        graph = aggregates_graph(self.base_url)
        assign_provinces(self.store, graph, loaded)
        drop_unreported_agencies(self.store, graph, sorted(self.agencies, key=lambda a: a.value))

    def cubes(self, loaded: Sequence[NamedNode]) -> tuple[list[Quad], list[Quad]] | None:
        """The cube quads to remove and to add (reads only), or None: compute them all again."""
        from endpoint.aggregates import changed_cube_quads, scan_groups

        if self.recompute:
            return None
        return changed_cube_quads(
            self.store, self.base_url, self.removed, scan_groups(self.store, self.base_url, loaded)
        )

    def apply(self, change: tuple[list[Quad], list[Quad]] | None, loaded: Sequence[NamedNode]) -> int:
        """Write ``change`` (None: every cube computed again) and return the release's quads: the
        previous count less what was removed plus what is there now (all counted when the
        previous release has no count on record)."""
        from endpoint.aggregates import aggregate_quads, aggregates_graph, assign_provinces

        if change is None:
            if not self.recompute:
                log.warning("the aggregate cubes could not be updated; computing them again from every report")
            graph = aggregates_graph(self.base_url)
            self.store.remove_graph(graph)
            assign_provinces(self.store, graph)
            self.store.bulk_extend(aggregate_quads(self.store, self.base_url))
            return len(self.store)
        remove, add = change
        for quad in remove:
            self.store.remove(quad)
        self.store.extend(add)
        if self.previous is None:
            return len(self.store)
        return self.previous - self.quads_out + _count_quads(self.store, [*loaded, *self.fixed]) + self.checks_delta


def _count_quads(store: Store, graphs: Iterable[NamedNode]) -> int:
    """The quads in the named graphs ``graphs`` of ``store`` (``queries/count_quads.rq``)."""
    names = list(graphs)
    if not names:
        return 0
    return fixed.count(store, "count_quads", graphs=names)


def _marker(release: Path) -> dict[str, Any]:
    """``release``'s ``.json`` marker; empty if it has none (unfinished, or a plain store folder)."""
    try:
        info = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _marker_quads(release: Path) -> int | None:
    """The quad count on ``release``'s marker, if it has one."""
    quads = _marker(release).get("quads")
    return quads if isinstance(quads, int) else None


def recorded_base_url(release: Path) -> str | None:
    """The base URL ``release`` was loaded for (no trailing ``/``); None for a release loaded
    by a version that did not record it, or a plain store folder."""
    base = _marker(release).get("base_url")
    return base.rstrip("/") if isinstance(base, str) and base else None


def _prepare_aggregates() -> None:
    """Import the aggregates' modules (pypinyin, through the IRI rules) and get the gazetteer
    ready (cpca and pandas): slow imports, off the load's critical path."""
    import endpoint.aggregates  # noqa: F401

    preload_gazetteer()


def _bulk_load(store: Store, path: Path, *, lenient: bool) -> None:
    if path.suffix.lower() == ".gz":
        with _open_input(path) as fh:
            store.bulk_load(fh, rdf_format(path), lenient=lenient)
    else:  # Oxigraph reads the file itself, without the GIL
        store.bulk_load(path=str(path), format=rdf_format(path), lenient=lenient)


def _remove_graphs(store: Store, graphs: Sequence[NamedNode]) -> None:
    """Remove ``graphs`` from ``store``, in :data:`REMOVE_THREADS` threads: Oxigraph deletes a
    graph quad by quad in a transaction (slow for a report's ~2,200 quads), without the GIL, and
    transactions on different graphs do not conflict."""
    if len(graphs) < 2:
        for graph in graphs:
            store.remove_graph(graph)
        return
    with ThreadPoolExecutor(max_workers=REMOVE_THREADS, thread_name_prefix="remove-graph") as pool:
        for _ in pool.map(store.remove_graph, graphs):
            pass


def _no_default_graph(store: Store) -> None:
    """:raises ValueError: the store has triples in its default graph (a fresh load is empty
    before each file, and vocabulary and aggregates go into named graphs)."""
    count = sum(1 for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
    if count:
        raise ValueError(
            f"{count} triples are outside any named graph; every report must be in its own "
            "named graph (convert to .nq or .trig)"
        )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _tree_size(folder: Path) -> int:
    return sum(_size(p) for p in folder.rglob("*") if p.is_file())


def _uncompacted(release: Path) -> int:
    """Input bytes loaded into ``release`` and its ancestors since the last ``optimize``."""
    return int(_marker(release).get("uncompacted_bytes", 0))


def _write_marker(
    release: Path,
    files: Sequence[Path],
    graphs: int,
    quads: int,
    *,
    optimized: bool,
    uncompacted: int,
    base_url: str,
) -> None:
    marker = release.with_name(release.name + ".json")
    info = {
        "release": release.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_url": base_url.rstrip("/"),
        "files": [str(p) for p in files],
        "graphs_replaced": graphs,
        "quads": quads,
        "optimized": optimized,
        "uncompacted_bytes": uncompacted,
        "checks": True,  # the checks across reports are computed: an update may adjust them (_Update)
    }
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(marker)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch(store: Path, release: Path, releases: Path) -> None:
    """Point ``store`` at ``release`` with one atomic rename (see the module docstring)."""
    if store.exists() and not store.is_symlink():
        # One-time migration of a plain store folder into the releases folder.
        legacy = releases / f"{_new_release_name()}-legacy"
        store.replace(legacy)
        legacy.with_name(legacy.name + ".json").write_text('{"legacy": true}\n', encoding="utf-8")
    tmp = store.parent / f".{store.name}.switch-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(release, store.parent), target_is_directory=True)
    tmp.replace(store)  # rename(2): atomic
    _fsync_dir(store.parent)


def _prune(releases: Path, keep: set[Path]) -> None:
    """Delete unfinished releases and all but the newest :data:`KEEP_RELEASES` complete ones."""
    complete = sorted(
        (p for p in releases.iterdir() if p.is_dir() and p.with_name(p.name + ".json").exists()),
        key=lambda p: p.name,
    )
    keep_names = {p.name for p in keep} | {p.name for p in complete[-KEEP_RELEASES:]}
    for folder in releases.iterdir():
        if not folder.is_dir() or folder.name in keep_names:
            continue
        log.info("removing old release %s", folder)
        shutil.rmtree(folder, ignore_errors=True)
        folder.with_name(folder.name + ".json").unlink(missing_ok=True)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# --------------------------------------------------------------------------------------------
# Dumps


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
