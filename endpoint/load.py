"""Loading converted reports into the on-disk Oxigraph store, as a new release (``endpoint.release``).

A load never writes into the release that ``DIR`` (``--store``) points at:

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
complete release (``endpoint.release``).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse

from converter import iris
from converter.defaults import DEFAULT_BASE, GK_ONTOLOGY
from converter.regions import preload as preload_gazetteer
from endpoint.release import (
    _marker,
    _marker_quads,
    _new_release_name,
    _prune,
    _switch,
    _uncompacted,
    _write_marker,
    current_release,
    recorded_base_url,
    releases_dir,
)
from endpoint.sparql import fixed

log = logging.getLogger(__name__)

# converter.defaults and converter.iris (which imports them on first need), not converter.vocab: ~1 s of
# pypinyin and rdflib that `gongkai dump` never needs; endpoint.aggregates (which does) is imported by the load only
VOCAB_GRAPH = GK_ONTOLOGY

REMOVE_THREADS = max(2, min(4, os.cpu_count() or 1))  # graphs an update removes at once
OPTIMIZE_FRACTION = 0.25
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


@dataclass
class LoadResult:
    release: Path
    files_loaded: list[Path] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    graphs_replaced: int = 0
    quads: int = 0
    optimized: bool = False


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


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
