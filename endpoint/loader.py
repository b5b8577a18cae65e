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
2. it parses every input once to learn which named graphs it holds (syntax errors are caught
   here, before anything is written; such a file is reported and skipped),
3. it copies the current release into a new folder (``Store.backup``: a RocksDB checkpoint,
   hard links on the same file system, so cheap),
4. in the copy it removes every graph named in the inputs, bulk-loads the inputs (so a report
   loaded again *replaces* its graph, never duplicates it), replaces the vocabulary graph
   ``https://w3id.org/gongkai/def`` with ``ontology/*.ttl``, and runs ``Store.optimize()``,
5. it writes the ``.json`` marker, then points ``DIR`` at the new release by creating a
   temporary symlink and ``os.replace``-ing it over ``DIR`` (an atomic rename), and fsyncs.

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
file's size and SHA-256 (the VoID/DCAT description and ``/dumps/`` read it). gzip headers carry
no time stamp, so the same data gives the same bytes and checksums.
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
)

from converter.iris import DEFAULT_BASE
from converter.vocab import VOCAB_GRAPH
from endpoint.aggregates import compute_aggregates

log = logging.getLogger(__name__)

KEEP_RELEASES = 3
MANIFEST = "index.json"
DUMP_STEM = "gongkai"
GZIP_LEVEL = 6  # 9 (gzip's default) is 2-3x slower for ~3% smaller RDF dumps
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
            yield fh
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
) -> LoadResult:
    """Load ``data`` (N-Quads/TriG files or folders of them) and the vocabulary into a new
    release of ``store`` and switch ``store`` to it (see the module docstring).

    Files that cannot be read are reported in ``LoadResult.failures`` and skipped; the others
    are loaded. If none can be loaded, nothing changes.

    :raises LoadError: another load is running, or writing the new release failed.
    """
    vocabulary = vocabulary_files() if vocabulary is None else list(vocabulary)
    files = expand_inputs(data)
    releases = releases_dir(store)
    with _locked(releases):
        failures: list[tuple[Path, str]] = []
        graphs: set[NamedNode] = set()
        good: list[Path] = []

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
        release = releases / _new_release_name()
        try:
            quads = _build_release(current, release, checked(), vocabulary, base_url or DEFAULT_BASE)
        except (OSError, SyntaxError, ValueError) as exc:
            shutil.rmtree(release, ignore_errors=True)
            raise LoadError(f"building {release} failed, {store} is unchanged: {_one_line(exc)}") from exc
        if files and not good:  # nothing could be read: the new release is dropped, nothing changes
            shutil.rmtree(release, ignore_errors=True)
            return LoadResult(release=current or store, failures=failures)
        _write_marker(release, good, len(graphs), quads)
        _switch(store, release, releases)
        _prune(releases, keep={release, *(x for x in [current] if x is not None)})
        return LoadResult(
            release=release,
            files_loaded=good,
            failures=failures,
            graphs_replaced=len(graphs),
            quads=quads,
        )


def _warn_foreign_graphs(path: Path, names: set[NamedNode], base_url: str | None) -> None:
    if base_url is None:
        return
    prefix = base_url.rstrip("/") + "/id/"
    foreign = sorted(g.value for g in names if not g.value.startswith(prefix))
    if foreign:
        log.warning(
            "%s: %d graph(s) are not under %s, e.g. %s (converted with another --base-url?)",
            path,
            len(foreign),
            prefix,
            foreign[0],
        )


def _build_release(
    current: Path | None,
    release: Path,
    files: Iterable[tuple[Path, set[NamedNode]]],
    vocabulary: Sequence[Path],
    base_url: str = DEFAULT_BASE,
) -> int:
    """Copy ``current`` into ``release`` and load ``files`` (path, its graph names) into it: each
    graph a file names is removed first, unless an earlier file of this load brought it."""
    if current is not None:
        Store.read_only(str(current)).backup(str(release))
    store = Store(str(release))
    loaded: set[NamedNode] = set()
    for path, names in files:
        for graph in sorted(names - loaded, key=lambda g: g.value):
            store.remove_graph(graph)
        loaded |= names
        log.info("loading %s", path)
        if path.suffix.lower() == ".gz":
            with _open_input(path) as fh:
                store.bulk_load(fh, rdf_format(path))
        else:  # Oxigraph reads the file itself, without the GIL
            store.bulk_load(path=str(path), format=rdf_format(path))
    vocab_graph = NamedNode(VOCAB_GRAPH)
    if not vocabulary:
        log.warning("no ontology/*.ttl found; the vocabulary graph %s is left as it was", VOCAB_GRAPH)
    else:
        store.remove_graph(vocab_graph)
        for path in vocabulary:
            store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=vocab_graph)
    compute_aggregates(store, base_url)
    store.optimize()
    store.flush()
    quads = len(store)
    del store  # closes the RocksDB instance before the release is published
    return quads


def _write_marker(release: Path, files: Sequence[Path], graphs: int, quads: int) -> None:
    marker = release.with_name(release.name + ".json")
    info = {
        "release": release.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [str(p) for p in files],
        "graphs_replaced": graphs,
        "quads": quads,
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

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "media_type": self.media_type,
            "compression": "gzip",
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
    from endpoint.store import fixed_query

    by_year: dict[str, list[NamedNode]] = {}
    results = store.query(fixed_query("report_years"))
    try:
        assert isinstance(results, QuerySolutions)
        for row in results:
            graph, year = row["graph"], row["year"]
            if isinstance(graph, NamedNode) and year is not None:
                by_year.setdefault(year.value, []).append(graph)
    finally:
        del results  # this frame may outlive the call: drop the result object on this thread
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
    from endpoint.render.rdf import SERIALIZATION_PREFIXES

    def nquads(graphs: Sequence[NamedNode]) -> Callable[[IO[bytes]], None]:
        # Each graph is dumped by Oxigraph as N-Triples and its name added to every line (N-Triples
        # escapes line breaks in literals, so every line ends with " .\n"): 6x faster than
        # serializing Python quad objects.
        def write(fh: IO[bytes]) -> None:
            for graph in graphs:
                triples = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph) or b""
                fh.write(triples.replace(b" .\n", f" <{graph.value}> .\n".encode()))

        return write

    def turtle(graphs: Sequence[NamedNode | BlankNode | DefaultGraph]) -> Callable[[IO[bytes]], None]:
        # One Turtle chunk per graph (Turtle holds no graph names; @prefix may repeat): memory
        # stays bounded by the largest graph. A statement made in several graphs (an agency's
        # label) appears once per graph; parsers merge them.
        def write(fh: IO[bytes]) -> None:
            for graph in graphs:
                store.dump(fh, RdfFormat.TURTLE, from_graph=graph, prefixes=SERIALIZATION_PREFIXES)

        return write

    def everything_nquads(fh: IO[bytes]) -> None:
        store.dump(fh, RdfFormat.N_QUADS)

    all_graphs = sorted(store.named_graphs(), key=str)
    n = len(all_graphs)
    jobs: list[tuple[str, str, str, str | None, int, Callable[[IO[bytes]], None]]] = [
        (f"{DUMP_STEM}.nq.gz", "N-Quads", "application/n-quads", None, n, everything_nquads),
        (f"{DUMP_STEM}.ttl.gz", "Turtle", "text/turtle", None, n, turtle([DefaultGraph(), *all_graphs])),
    ]
    for year, graphs in sorted(report_years(store).items()):
        graphs = sorted(set(graphs), key=str)
        jobs += [
            (f"{DUMP_STEM}-{year}.nq.gz", "N-Quads", "application/n-quads", year, len(graphs), nquads(graphs)),
            (f"{DUMP_STEM}-{year}.ttl.gz", "Turtle", "text/turtle", year, len(graphs), turtle(graphs)),
        ]
    # The files are independent: Oxigraph's serializers and zlib release the GIL, so threads use
    # every core (1.5-2x on 2 cores). Each file still streams, memory stays bounded.
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        return list(pool.map(lambda job: _write_dump(out, *job), jobs))


def _write_dump(
    out: Path,
    name: str,
    fmt: str,
    media_type: str,
    year: str | None,
    graphs: int,
    write: Callable[[IO[bytes]], None],
) -> DumpFile:
    tmp = out / f".{name}.tmp-{os.getpid()}"
    try:
        with (
            tmp.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as gz,
        ):
            write(gz)
        digest = hashlib.sha256()
        with tmp.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        size = tmp.stat().st_size
        tmp.replace(out / name)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("wrote %s (%d bytes)", out / name, size)
    return DumpFile(name, fmt, media_type, year, graphs, size, digest.hexdigest())
