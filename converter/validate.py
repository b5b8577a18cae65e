"""SHACL validation of converted reports against the project's ``shapes/*.ttl``, or a user's own.

Validation runs one report at a time: every named graph of a data set is validated alone
(whole-corpus validation grows faster than linearly, see DESIGN.md), with SHACL-AF on (for the
shapes' SPARQL targets). A file is parsed into an in-memory Oxigraph store (never into rdflib);
the store writes each graph's N-Triples, which the engine reads. Literals are therefore validated
as a store holds them (integer-derived datatypes read as ``xsd:integer``), i.e. as ``gongkai load``
publishes them.

When the ontology graph (``https://w3id.org/gongkai/def``, with the code lists) is in the data,
it is added to every report graph, so that the shapes can also check ``skos:inScheme``.

Engines (``engine=``): ``"turbo"`` is pyshacl-turbo (a Rust SHACL engine with pySHACL's API),
the default (``"auto"``; pySHACL when turbo is not installed); ``"pyshacl"`` is pySHACL, the
reference turbo is tested against (the same conforms flag and the same findings on every case of
tests/shapes/ and on the seeds with injected faults: tests/test_shacl_engines.py). Any SHACL
Core and SHACL-SPARQL shapes work, the project's or a user's (:func:`load_shapes`: files or
folders of Turtle that replace ``shapes/``, and more beside them); no shape is known to the code.

``jobs=N`` validates across N worker processes: the main process reads the file and hands out
the graphs' N-Triples, a few graphs per task; each worker compiles the shapes once (they travel
to it as text, :class:`Shapes`). Each report is still one engine call: batching many reports
into one call is slower per report with pyshacl-turbo, not faster (its time grows faster than the
data, bench/shacl.py). For scale, converter/distributed.py validates files on Dask workers.
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from converter.errors import GongkaiError
from converter.iris import is_derived_graph
from converter.terms import to_oxigraph_quads
from converter.vocab import PREFIXES, VOCAB_GRAPH

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"
SHAPES_NS = "https://w3id.org/gongkai/shapes#"

# Formats by file suffix, for rdflib-free loading with pyoxigraph.
_FORMATS: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


def rdf_format_of(path: Path) -> ox.RdfFormat:
    """The format of a data file from its suffix (``.nq .trig .ttl .nt``, each optionally ``.gz``).

    :raises ValidationError: any other suffix.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise ValidationError(
            path, f"unknown RDF format {path.suffix or '(no suffix)'!r}; use .nq, .trig, .ttl or .nt (optionally .gz)"
        )
    return fmt


def read_data(path: Path) -> bytes:
    """The bytes of a data file, decompressed if it ends in ``.gz``.

    :raises ValidationError: it cannot be read (or is not valid gzip).
    """
    try:
        if path.suffix.lower() == ".gz":
            from isal import igzip  # ISA-L: gzip ~3x faster than the standard library's

            return bytes(igzip.decompress(path.read_bytes()))
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(path, f"cannot read: {exc.strerror or exc}") from None
    except (EOFError, ValueError) as exc:  # a cut or damaged .gz
        raise ValidationError(path, f"cannot read: not valid gzip ({exc})") from None


# Prefixes used to show IRIs of paths, shapes and constraints in findings.
_DISPLAY_PREFIXES: dict[str, str] = {
    **{str(ns): prefix for prefix, ns in PREFIXES.items()},
    SHAPES_NS: "gks",
    str(SH): "sh",
    "https://w3id.org/gongkai/code/": "code",
}


ENGINES = ("auto", "turbo", "pyshacl")

# N-Triples per task of parallel validation: ~4 reports of ~2,250 triples
_TASK_BYTES = 2_000_000


class ValidationError(GongkaiError):
    """A data file could not be read or parsed, so it could not be validated."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result.

    ``focus`` and ``value`` are shown as IRIs (or literal text); ``path``, ``shape`` and
    ``constraint`` as compact names such as ``gk:count``, ``gks:Report-year``,
    ``sh:MinCountConstraintComponent``. ``graph`` is the report graph it was found in.
    """

    focus: str
    path: str | None
    message: str
    severity: str  # "violation" | "warning" | "info"
    shape: str
    constraint: str | None = None
    value: str | None = None
    graph: str | None = None
    details: tuple[Finding, ...] = ()  # nested results (sh:detail), e.g. why an sh:node failed


@dataclass(frozen=True)
class ValidationOutcome:
    """The result of validating some data: it conforms when there is no violation."""

    conforms: bool
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)  # sh:Warning and sh:Info results
    graphs: int = 0  # number of graphs validated
    graph_names: tuple[str | None, ...] = ()  # the graphs validated, in order (None: the default graph)
    # graphs gongkai load derives (aggregates, checks across reports), in a dump: not reports, so not
    # validated against the report shapes; named so that nothing is left out silently
    derived: tuple[str, ...] = ()


class ShapesError(GongkaiError):
    """The SHACL shapes cannot be used: a file is missing or unreadable, is not Turtle, holds no
    SHACL, or a constraint does not compile. The message names the file when it is known."""


@dataclass(frozen=True)
class Shapes:
    """SHACL shapes as read from their files: ``(path, Turtle text)`` of each, in order.

    Hashable: the parsed and compiled shapes are cached per process keyed on it (the paths *and*
    their text), and small: it travels to worker processes and Dask tasks as it is, so a worker
    uses exactly the shapes the command was given, whether or not it sees the files.
    """

    files: tuple[tuple[str, str], ...]

    @property
    def paths(self) -> list[str]:
        return [path for path, _text in self.files]


def load_shapes(paths: Iterable[Path | str] | None = None, extra: Iterable[Path | str] = ()) -> Shapes:
    """The shapes of ``paths`` (default: the project's ``shapes/``) and of ``extra`` beside them.

    Each path is a Turtle file or a folder, whose ``*.ttl`` files are read in name order. A file
    named twice is read once. Each file is parsed here, so that a broken one is named at once.

    :raises ShapesError: a path does not exist, a folder holds no ``.ttl`` file, a file cannot be
        read, is not valid Turtle or holds no SHACL (no ``sh:`` property).
    """
    sources = [*(paths if paths is not None else [SHAPES_DIR]), *extra]
    if not sources:
        raise ShapesError("no SHACL shapes given")
    files: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for source in map(Path, sources):
        if source.is_dir():
            found = sorted(source.glob("*.ttl"))
            if not found:
                raise ShapesError(f"{source}: no SHACL shapes (*.ttl) in this folder")
        elif source.exists():
            found = [source]
        else:
            raise ShapesError(f"{source}: no such shapes file or folder")
        for path in found:
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ShapesError(f"{path}: cannot read the shapes: {exc}") from None
            graph = _parse_shapes(Graph(), str(path), text)
            if not any(str(p).startswith(str(SH)) for p in graph.predicates()):
                raise ShapesError(f"{path}: no SHACL in this file (no sh: property); is it a shapes file?")
            files.append((str(path), text))
    return Shapes(tuple(files))


@functools.lru_cache(maxsize=1)
def default_shapes() -> Shapes:
    """The project's shapes, ``shapes/*.ttl``, read once per process."""
    return load_shapes()


def shapes_graph(shapes: Shapes | None = None) -> Graph:
    """The shapes (default: ``shapes/*.ttl``) in one rdflib graph, parsed once per process."""
    return _shapes_graph(default_shapes() if shapes is None else shapes)


def compile_shapes(shapes: Shapes | None = None, engine: str = "auto") -> None:
    """Parse (and, for turbo, compile) the shapes now: a broken constraint is reported before any
    data is read. Worker processes call it once when they start.

    :raises ShapesError: the shapes cannot be compiled (naming the file that breaks them).
    """
    shapes = default_shapes() if shapes is None else shapes
    shapes_graph(shapes)
    if resolve_engine(engine) == "turbo":
        _turbo_shapes(shapes)


@functools.lru_cache(maxsize=4)
def _shapes_graph(shapes: Shapes) -> Graph:
    graph = Graph()
    for path, text in shapes.files:
        _parse_shapes(graph, path, text)
    return graph


def _parse_shapes(graph: Graph, path: str, text: str) -> Graph:
    try:
        return graph.parse(data=text, format="turtle", publicID=Path(path).resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds (BadSyntax, ValueError, ...)
        raise ShapesError(f"{path}: not valid Turtle: {_shorten(_one_line(str(exc)))}") from None


@functools.lru_cache(maxsize=1)
def _turbo_module() -> Any:  # the pyshacl_turbo module, or None when it is not installed
    try:
        import pyshacl_turbo
    except ImportError:
        return None
    return pyshacl_turbo


@functools.lru_cache(maxsize=4)
def _turbo_shapes(shapes: Shapes) -> Any:  # pyshacl_turbo.CompiledShapes, compiled once per process
    turbo = _turbo_module()
    try:
        return turbo.compile_shapes(_shapes_graph(shapes), advanced=True)
    except Exception as exc:  # noqa: BLE001 - turbo raises ValueError (and others) for a bad constraint
        reason = _shorten(_one_line(str(exc)))
    # the first file whose shapes, added to those before it, do not compile (prefixes declared
    # in an earlier file are seen): the one to name
    for k in range(1, len(shapes.files) + 1):
        try:
            turbo.compile_shapes(_shapes_graph(Shapes(shapes.files[:k])), advanced=True)
        except Exception:  # noqa: BLE001 - any failure names this file
            raise ShapesError(f"{shapes.files[k - 1][0]}: the shapes do not compile: {reason}") from None
    raise ShapesError(f"{', '.join(shapes.paths)}: the shapes do not compile: {reason}")


def resolve_engine(engine: str = "auto") -> str:
    """``"turbo"`` or ``"pyshacl"``: ``"auto"`` is turbo (pySHACL when turbo is not installed).

    :raises GongkaiError: an unknown or removed engine, or ``"turbo"`` when pyshacl-turbo is not installed.
    """
    if engine == "bulk":
        raise GongkaiError(
            "the SHACL engine 'bulk' was removed (any shapes now run on a SHACL engine): "
            "use --engine turbo (the default) or --engine pyshacl"
        )
    if engine not in ENGINES:
        raise GongkaiError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "auto":
        return "turbo" if _turbo_module() is not None else "pyshacl"
    if engine == "turbo" and _turbo_module() is None:
        raise GongkaiError("SHACL engine 'turbo' needs pyshacl-turbo: pip install 'pyshacl-turbo>=0.6'")
    return engine


def validate_graph(data: Graph | Dataset, engine: str = "auto", shapes: Shapes | None = None) -> ValidationOutcome:
    """Validate an rdflib graph, or each graph of a data set on its own."""
    engine = resolve_engine(engine)
    shapes = default_shapes() if shapes is None else shapes
    if isinstance(data, Dataset):
        graphs = [g for g in data.graphs() if len(g)]
        vocab = next((g for g in graphs if str(g.identifier) == VOCAB_GRAPH), None)
        units = [g for g in graphs if g is not vocab] or ([vocab] if vocab is not None else [])
        extra = _ox_quads(vocab) if vocab is not None and units != [vocab] else []
        return _combine(
            _validate_one(
                _store(_ox_quads(g), extra),
                None if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier),
                engine,
                shapes,
            )
            for g in units
        )
    return _combine([_validate_one(_store(_ox_quads(data)), None, engine, shapes)])


def validate_file(
    path: Path | str, engine: str = "auto", jobs: int = 1, shapes: Shapes | None = None
) -> ValidationOutcome:
    """Validate a .nq or .trig file (one report per named graph), or a .ttl or .nt file (each
    may be gzip'd: ``.nq.gz``), against ``shapes`` (default: ``shapes/``).

    ``jobs`` > 1 validates the graphs in that many worker processes (0: one per core).

    :raises ValidationError: the file cannot be read, has an unknown suffix, or does not parse.
    :raises ShapesError: the shapes cannot be used.
    """
    engine = resolve_engine(engine)
    shapes = default_shapes() if shapes is None else shapes
    jobs = _jobs(jobs)
    store = _read(Path(path))
    if jobs == 1:
        return replace(_combine(_validate_store(store, engine, shapes)), derived=_derived(store))
    compile_shapes(shapes, engine)  # broken shapes: one error here, not one per worker
    with ProcessPoolExecutor(jobs, initializer=_warm_worker, initargs=(engine, shapes)) as pool:
        return replace(_validate_parallel(store, engine, shapes, pool, jobs), derived=_derived(store))


def validate_paths(
    paths: Iterable[Path | str], engine: str = "auto", jobs: int = 1, shapes: Shapes | None = None
) -> Iterator[tuple[Path, ValidationOutcome | ValidationError]]:
    """Validate files one after the other, their report graphs across ``jobs`` processes.

    Yields ``(path, outcome)``, or ``(path, ValidationError)`` for a file that cannot be read;
    one pool of workers serves every file (each worker compiles the shapes once).

    :raises ShapesError: the shapes cannot be used (before any file is read).
    """
    engine = resolve_engine(engine)
    shapes = default_shapes() if shapes is None else shapes
    jobs = _jobs(jobs)
    compile_shapes(shapes, engine)
    if jobs == 1:
        for path in paths:
            try:
                yield Path(path), validate_file(path, engine, shapes=shapes)
            except ValidationError as exc:
                yield Path(path), exc
        return
    with ProcessPoolExecutor(jobs, initializer=_warm_worker, initargs=(engine, shapes)) as pool:
        for path in paths:
            try:
                store = _read(Path(path))
            except ValidationError as exc:
                yield Path(path), exc
                continue
            yield Path(path), replace(_validate_parallel(store, engine, shapes, pool, jobs), derived=_derived(store))


# ---------------------------------------------------------------------------------------------


def _jobs(jobs: int) -> int:
    if jobs < 0:
        raise GongkaiError(f"jobs must be >= 0 (0: one per core), not {jobs}")
    return jobs or os.cpu_count() or 1


def _read(path: Path) -> ox.Store:
    """``path`` parsed into an in-memory store (the same checks as validate_file)."""
    fmt = rdf_format_of(path)
    store = ox.Store()
    try:
        store.load(read_data(path), format=fmt)
    except OSError as exc:
        raise ValidationError(path, f"cannot read: {exc.strerror or exc}") from None
    except SyntaxError as exc:
        raise ValidationError(path, f"not valid {fmt.name}: {_one_line(str(exc))}") from None
    except ValueError as exc:
        raise ValidationError(path, f"cannot parse: {_one_line(str(exc))}") from None
    return store


def _warm_worker(engine: str, shapes: Shapes) -> None:
    """Worker initializer: parse (and, for turbo, compile) the shapes once per process."""
    compile_shapes(shapes, engine)


def _validate_ntriples(items: list[tuple[str | None, bytes]], engine: str, shapes: Shapes) -> list[ValidationOutcome]:
    """Worker task: report graphs (N-Triples bytes, vocabulary included) validated one by one."""
    return [_validate_one(data, name, engine, shapes) for name, data in items]


def _units(store: ox.Store) -> Iterator[tuple[str | None, ox.NamedNode | ox.BlankNode | ox.DefaultGraph]]:
    """(name, graph) of each graph to validate alone: the default graph (when it has triples),
    then the named graphs but the vocabulary in name order; the vocabulary alone when it is all."""
    vocab_node = ox.NamedNode(VOCAB_GRAPH)
    units: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = sorted(
        (n for n in store.named_graphs() if n != vocab_node and not _is_derived(n)), key=str
    )
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        units.insert(0, ox.DefaultGraph())
    if not units and store.contains_named_graph(vocab_node):
        units = [vocab_node]
    for unit in units:
        yield (None if isinstance(unit, ox.DefaultGraph) else _term_str(unit)), unit


def _is_derived(graph: ox.NamedNode | ox.BlankNode) -> bool:
    return isinstance(graph, ox.NamedNode) and is_derived_graph(graph.value)


def _derived(store: ox.Store) -> tuple[str, ...]:
    """The names of the derived graphs in ``store`` (:func:`converter.iris.is_derived_graph`)."""
    return tuple(sorted(n.value for n in store.named_graphs() if isinstance(n, ox.NamedNode) and _is_derived(n)))


def _unit_ntriples(store: ox.Store) -> Iterator[tuple[str | None, bytes]]:
    """(graph name, N-Triples) of each graph to validate alone, the vocabulary added to each.

    The store writes the N-Triples itself (Rust), much faster than building ``ox.Triple`` objects
    in Python for them (bench/RESULTS.md). Blank node labels are the store's, so they hold
    across the graph and the vocabulary appended to it.
    """
    vocab_node = ox.NamedNode(VOCAB_GRAPH)
    units = list(_units(store))
    extra = b""
    if units and units[0][1] != vocab_node and store.contains_named_graph(vocab_node):
        extra = _ntriples(store, vocab_node)
    for name, unit in units:
        yield name, _ntriples(store, unit) + extra


def _ntriples(store: ox.Store, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bytes:
    """One graph of ``store`` as N-Triples, written by the store."""
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""  # None only with an output


def _validate_parallel(
    store: ox.Store, engine: str, shapes: Shapes, pool: ProcessPoolExecutor, jobs: int
) -> ValidationOutcome:
    """Each graph of ``store`` validated in ``pool``, a few graphs per task, results in graph order.

    A task carries about :data:`_TASK_BYTES` of N-Triples (one graph at least), so that the main
    process spends its time reading the file, not handing out tasks; at most ``4 * jobs`` tasks
    are in flight, so memory stays bounded on a large file.
    """
    pending: deque[Future[list[ValidationOutcome]]] = deque()
    outcomes: list[ValidationOutcome] = []
    task: list[tuple[str | None, bytes]] = []
    size = 0

    def submit() -> None:
        pending.append(pool.submit(_validate_ntriples, task, engine, shapes))
        if len(pending) >= 4 * jobs:
            outcomes.extend(pending.popleft().result())

    for name, data in _unit_ntriples(store):
        task.append((name, data))
        size += len(data)
        if size >= _TASK_BYTES:
            submit()
            task, size = [], 0
    if task:
        submit()
    for f in pending:
        outcomes.extend(f.result())
    return _combine(outcomes)


def _validate_store(store: ox.Store, engine: str, shapes: Shapes) -> Iterator[ValidationOutcome]:
    """Validate each graph of a store alone (with the vocabulary graph, when it is there)."""
    if engine == "turbo":  # turbo is given N-Triples anyway: let the store write them
        for name, data in _unit_ntriples(store):
            yield _validate_one(data, name, engine, shapes)
        return
    vocab_node = ox.NamedNode(VOCAB_GRAPH)
    units = list(_units(store))
    extra = []
    if units and units[0][1] != vocab_node and store.contains_named_graph(vocab_node):
        extra = list(store.quads_for_pattern(None, None, None, vocab_node))
    for name, unit in units:
        yield _validate_one(_store(store.quads_for_pattern(None, None, None, unit), extra), name, engine, shapes)


def _store(*quad_lists: Iterable[ox.Quad]) -> ox.Store:
    """A fresh in-memory store with the given quads in its default graph.

    pySHACL runs its SPARQL on an Oxigraph store much faster than on rdflib
    (through rdflib it parses the query text again for every focus node).
    """
    store = ox.Store()
    default = ox.DefaultGraph()
    for quads in quad_lists:
        store.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in quads)
    return store


def _ox_quads(graph: Graph) -> list[ox.Quad]:
    """A graph's triples in the default graph, its blank nodes new ones of its own (a mapping per
    graph: a report's and the vocabulary's never merge)."""
    return list(to_oxigraph_quads(graph, bnodes={}))  # raises UnsupportedTerm, a GongkaiError


def _validate_one(data: ox.Store | bytes, graph_name: str | None, engine: str, shapes: Shapes) -> ValidationOutcome:
    """Validate one report graph (a store's default graph, or N-Triples bytes) against ``shapes``."""
    if engine == "turbo":
        # turbo is given N-Triples, not the store: from a pyoxigraph Store, pyshacl-turbo 0.6.5
        # matches no string literal written in a SHACL-SPARQL query (FILTER NOT EXISTS
        # { ?note gk:issueCode "unit-missing" } is always true), unlike pySHACL and unlike turbo
        # on the same data parsed by itself (tests/test_shacl_engines.py, report-ok.trig).
        # N-Triples handed over as turbo's own "nquads" Input is parsed in Rust (42 ms a report);
        # plain bytes would go through rdflib's parser (120 ms).
        if isinstance(data, ox.Store):
            data = _ntriples(data, ox.DefaultGraph())
        try:
            from pyshacl_turbo.rdf import Input

            source: object = Input(data.decode("utf-8"), "nquads", None, {}, preserve_ids=True)
            fmt = None
        except ImportError:  # a later turbo without this (private) class: the public, slower way
            source, fmt = data, "nt"
        _conforms, report, text = _turbo_shapes(shapes).validate(
            source, data_graph_format=fmt, inference="none", allow_warnings=True, allow_infos=True
        )
    else:
        if isinstance(data, bytes):
            store = ox.Store()
            store.load(data, format=ox.RdfFormat.N_TRIPLES)
            data = store
        try:
            _conforms, report, text = pyshacl.validate(
                data,  # type: ignore[arg-type]  # pyshacl takes an Oxigraph Store; its hint leaves it out
                shacl_graph=_shapes_graph(shapes),
                advanced=True,
                inference="none",
                inplace=True,  # the store is ours, made for this call
                allow_warnings=True,
                allow_infos=True,
            )
        except (ConstraintLoadError, ShapeLoadError, ReportableRuntimeError, SyntaxError) as exc:
            # the shapes are at fault (SyntaxError: Oxigraph cannot parse a SPARQL query of theirs)
            text, report = str(exc), None
    if not isinstance(report, Graph):  # pySHACL returns a ValidationFailure for broken shapes
        raise ShapesError(
            f"{', '.join(shapes.paths)}: pySHACL cannot use these shapes: {_shorten(_one_line(str(text)))}"
        )
    violations: list[Finding] = []
    warnings: list[Finding] = []
    for result in report.objects(None, SH.result):
        finding = _finding(report, result, graph_name)
        (violations if finding.severity == "violation" else warnings).append(finding)
    return ValidationOutcome(
        conforms=not violations,
        violations=sorted(violations, key=_finding_order),
        warnings=sorted(warnings, key=_finding_order),
        graphs=1,
        graph_names=(graph_name,),
    )


def _finding_order(f: Finding) -> tuple[str, ...]:
    # constraint and value last: the order of findings is the same whatever order an engine gives
    return (f.graph or "", f.focus, f.path or "", f.shape, f.message, f.constraint or "", f.value or "")


def _finding(report: Graph, result: Node, graph_name: str | None) -> Finding:
    severity = report.value(result, SH.resultSeverity)
    severities: dict[Node | None, str] = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
    sev = severities.get(severity, "violation")
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    # the SPARQL constraint that fired (gks:Table3-rowTotal), else the constraint component
    constraint = report.value(result, SH.sourceConstraint) or report.value(result, SH.sourceConstraintComponent)
    return Finding(
        focus=_term_str(report.value(result, SH.focusNode)),
        path=_path_str(report, path) if path is not None else None,
        message="; ".join(messages) or "(no message)",
        severity=sev,
        shape=_compact(report.value(result, SH.sourceShape)),
        constraint=_compact(constraint) if constraint is not None else None,
        value=_term_str(value) if value is not None else None,
        graph=graph_name,
        details=tuple(
            sorted((_finding(report, d, graph_name) for d in report.objects(result, SH.detail)), key=_finding_order)
        ),
    )


def _combine(outcomes: Iterable[ValidationOutcome]) -> ValidationOutcome:
    violations: list[Finding] = []
    warnings: list[Finding] = []
    graphs = 0
    names: list[str | None] = []
    for o in outcomes:
        violations.extend(o.violations)
        warnings.extend(o.warnings)
        graphs += o.graphs
        names.extend(o.graph_names)
    return ValidationOutcome(not violations, violations, warnings, graphs, tuple(names))


def _compact(term: object) -> str:
    if isinstance(term, URIRef):
        iri = str(term)
        for ns, prefix in _DISPLAY_PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri
    return _term_str(term)


def _term_str(term: object) -> str:
    if term is None:
        return "(none)"
    if isinstance(term, BNode | ox.BlankNode):
        return f"_:{term}" if isinstance(term, BNode) else str(term)
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _path_str(report: Graph, path: Node) -> str:
    """A SHACL property path as text: ``gk:count``, ``^gk:report``, ``(gk:count|gk:change)``."""
    if isinstance(path, URIRef):
        return _compact(path)
    if isinstance(path, BNode):
        alt = report.value(path, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(_path_str(report, p) for p in Collection(report, alt)) + ")"
        inv = report.value(path, SH.inversePath)
        if inv is not None:
            return "^" + _path_str(report, inv)
        for prop, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = report.value(path, prop)
            if inner is not None:
                return _path_str(report, inner) + suffix
        if report.value(path, RDF.first) is not None:
            return "/".join(_path_str(report, p) for p in Collection(report, path))
    return _term_str(path)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
