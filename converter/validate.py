"""SHACL validation of converted reports against ``shapes/*.ttl``.

Validation runs one report at a time: every named graph of a data set is validated alone
(whole-corpus validation grows faster than linearly, see DESIGN.md), with pySHACL (SHACL-AF on,
for the shapes' SPARQL targets). A file is parsed into an in-memory Oxigraph store (never into
rdflib), and each graph in turn is copied into a small store of its own that pySHACL validates:
its SPARQL runs more than ten times faster on Oxigraph than on rdflib. Literals are therefore
validated as a store holds them (integer-derived datatypes read as ``xsd:integer``), i.e. as
``gongkai load`` publishes them.

When the ontology graph (``https://w3id.org/gongkai/def``, with the code lists) is in the data,
it is added to every report graph, so that the shapes can also check ``skos:inScheme``.

Engines (``engine=``): ``"pyshacl"`` is pySHACL; ``"turbo"`` is pyshacl-turbo (a Rust engine with
pySHACL's API, ~7x faster per report); ``"bulk"`` is converter/shacl_bulk.py, which checks these
shapes in plain Python (SHACL Core compiled from the shapes graph, each SHACL-SPARQL query of the
shapes implemented natively and recognised by the hash of its text) and reads N-Quads without a
store, several times faster than turbo again; ``"auto"`` (the default) is bulk. pySHACL and turbo
give the same conforms flag and the same (focus, path, shape, severity) results on every case of
tests/shapes/ and on the seeds with injected faults (tests/test_shacl_engines.py); bulk gives the
same findings as turbo, field by field, there, on hundreds of random mutations of the seeds and on
a generated corpus (tests/test_shacl_bulk.py). Bulk refuses shapes it does not implement
(``UnsupportedShapes``): then use turbo.
``jobs=N`` validates across N worker processes (each loads the shapes once). pyshacl/turbo: the
main process reads the file and hands out the graphs' N-Triples (written by the store), a few
graphs per task. Bulk: :func:`validate_paths` gives each worker whole files; one file is read by
the main process and its report graphs (plain terms) are handed out a few hundred per task. Each
report is still one engine call: batching many reports into one call is slower per report with
pyshacl-turbo, not faster (its time grows faster than the data, bench/shacl.py).
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from converter.errors import GongkaiError
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


ENGINES = ("auto", "pyshacl", "turbo", "bulk")

# report graphs per task of parallel validation with the bulk engine
_BULK_TASK_UNITS = 50

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


@functools.lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes of ``shapes/*.ttl``, parsed once per process."""
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise GongkaiError(f"{SHAPES_DIR}: no SHACL shapes (*.ttl) found")
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    return g


@functools.lru_cache(maxsize=1)
def _turbo_module() -> Any:  # the pyshacl_turbo module, or None when it is not installed
    try:
        import pyshacl_turbo
    except ImportError:
        return None
    return pyshacl_turbo


@functools.lru_cache(maxsize=1)
def _turbo_shapes() -> Any:  # pyshacl_turbo.CompiledShapes, compiled once per process
    return _turbo_module().compile_shapes(shapes_graph(), advanced=True)


def resolve_engine(engine: str = "auto") -> str:
    """``"pyshacl"``, ``"turbo"`` or ``"bulk"``: ``"auto"`` is bulk.

    :raises GongkaiError: an unknown engine, or ``"turbo"`` when pyshacl-turbo is not installed.
    """
    if engine not in ENGINES:
        raise GongkaiError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine in ("auto", "bulk"):
        return "bulk"
    if engine == "turbo" and _turbo_module() is None:
        raise GongkaiError("SHACL engine 'turbo' needs pyshacl-turbo: pip install 'pyshacl-turbo>=0.6'")
    return engine


def validate_graph(data: Graph | Dataset, engine: str = "auto") -> ValidationOutcome:
    """Validate an rdflib graph, or each graph of a data set on its own."""
    engine = resolve_engine(engine)
    if engine == "bulk":
        return _combine(_validate_bulk(name, triples) for name, triples in _rdflib_units(data))
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
            )
            for g in units
        )
    return _combine([_validate_one(_store(_ox_quads(data)), None, engine)])


def validate_file(path: Path | str, engine: str = "auto", jobs: int = 1) -> ValidationOutcome:
    """Validate a .nq or .trig file (one report per named graph), or a .ttl or .nt file (each
    may be gzip'd: ``.nq.gz``).

    ``jobs`` > 1 validates the graphs in that many worker processes (0: one per core).

    :raises ValidationError: the file cannot be read, has an unknown suffix, or does not parse.
    """
    engine = resolve_engine(engine)
    jobs = _jobs(jobs)
    if engine == "bulk":
        return _validate_file_bulk(Path(path), jobs)
    store = _read(Path(path))
    if jobs == 1:
        return _combine(_validate_store(store, engine))
    with ProcessPoolExecutor(jobs, initializer=_warm_worker, initargs=(engine,)) as pool:
        return _validate_parallel(store, engine, pool, jobs)


def validate_paths(
    paths: Iterable[Path | str], engine: str = "auto", jobs: int = 1
) -> Iterator[tuple[Path, ValidationOutcome | ValidationError]]:
    """Validate files one after the other, their report graphs across ``jobs`` processes.

    Yields ``(path, outcome)``, or ``(path, ValidationError)`` for a file that cannot be read;
    one pool of workers serves every file (each worker loads the shapes once).
    """
    engine = resolve_engine(engine)
    jobs = _jobs(jobs)
    if engine == "bulk" and jobs > 1:
        yield from _validate_paths_bulk([Path(p) for p in paths], jobs)
        return
    if jobs == 1:
        for path in paths:
            try:
                yield Path(path), validate_file(path, engine)
            except ValidationError as exc:
                yield Path(path), exc
        return
    with ProcessPoolExecutor(jobs, initializer=_warm_worker, initargs=(engine,)) as pool:
        for path in paths:
            try:
                store = _read(Path(path))
            except ValidationError as exc:
                yield Path(path), exc
                continue
            yield Path(path), _validate_parallel(store, engine, pool, jobs)


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


def _warm_worker(engine: str) -> None:
    """Worker initializer: parse (and, for turbo and bulk, compile) the shapes once per process."""
    shapes_graph()
    if engine == "turbo":
        _turbo_shapes()
    elif engine == "bulk":
        from converter.shacl_bulk import bulk_shapes

        bulk_shapes()


# --- the bulk engine (converter/shacl_bulk.py) ------------------------------------------------


def _validate_bulk(graph_name: str | None, triples: list[Any]) -> ValidationOutcome:
    """One report graph (plain terms, see converter/shacl_bulk.py) validated by the bulk engine."""
    from converter.shacl_bulk import bulk_shapes

    violations, warnings = bulk_shapes().validate(triples, graph_name)
    return ValidationOutcome(conforms=not violations, violations=violations, warnings=warnings, graphs=1)


def _validate_bulk_units(units: list[tuple[str | None, list[Any]]]) -> list[ValidationOutcome]:
    """Worker task: report graphs validated one by one with the bulk engine."""
    from converter.shacl_bulk import gc_paused

    with gc_paused():
        return [_validate_bulk(name, triples) for name, triples in units]


def _validate_file_bulk(path: Path, jobs: int) -> ValidationOutcome:
    """A file read without a store and validated with the bulk engine, its graphs across ``jobs``."""
    from converter.shacl_bulk import gc_paused, read_units

    with gc_paused():
        units = read_units(path)
        if jobs == 1 or len(units) <= _BULK_TASK_UNITS:
            return _combine([_validate_bulk(name, triples) for name, triples in units])
    chunks = [units[i : i + _BULK_TASK_UNITS] for i in range(0, len(units), _BULK_TASK_UNITS)]
    with ProcessPoolExecutor(jobs, initializer=_warm_worker, initargs=("bulk",)) as pool:
        return _combine(o for outcomes in pool.map(_validate_bulk_units, chunks) for o in outcomes)


def _bulk_file_task(path: str) -> tuple[ValidationOutcome | None, str | None]:
    """Worker task: one whole file with the bulk engine; (outcome, None) or (None, why it failed)."""
    try:
        return _validate_file_bulk(Path(path), 1), None
    except ValidationError as exc:
        return None, exc.reason


def _validate_paths_bulk(paths: list[Path], jobs: int) -> Iterator[tuple[Path, ValidationOutcome | ValidationError]]:
    """Many files: each worker validates whole files (in input order); one file: its graphs across the workers."""
    if len(paths) == 1:
        try:
            yield paths[0], _validate_file_bulk(paths[0], jobs)
        except ValidationError as exc:
            yield paths[0], exc
        return
    with ProcessPoolExecutor(jobs, initializer=_warm_worker, initargs=("bulk",)) as pool:
        for path, (outcome, reason) in zip(paths, pool.map(_bulk_file_task, [str(p) for p in paths]), strict=True):
            yield path, outcome if outcome is not None else ValidationError(path, reason or "")


def _rdflib_units(data: Graph | Dataset) -> list[tuple[str | None, list[Any]]]:
    """The report graphs of an rdflib graph or data set, as validate_graph splits them."""
    from converter.shacl_bulk import units_of_rdflib

    if not isinstance(data, Dataset):
        return units_of_rdflib([(None, data)])
    graphs = [g for g in data.graphs() if len(g)]
    vocab = next((g for g in graphs if str(g.identifier) == VOCAB_GRAPH), None)
    units = [g for g in graphs if g is not vocab] or ([vocab] if vocab is not None else [])
    extra = list(vocab) if vocab is not None and units != [vocab] else []
    return units_of_rdflib(
        (None if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier), [*g, *extra]) for g in units
    )


def _validate_ntriples(items: list[tuple[str | None, bytes]], engine: str) -> list[ValidationOutcome]:
    """Worker task: report graphs (N-Triples bytes, vocabulary included) validated one by one."""
    return [_validate_one(data, name, engine) for name, data in items]


def _units(store: ox.Store) -> Iterator[tuple[str | None, ox.NamedNode | ox.BlankNode | ox.DefaultGraph]]:
    """(name, graph) of each graph to validate alone: the default graph (when it has triples),
    then the named graphs but the vocabulary in name order; the vocabulary alone when it is all."""
    vocab_node = ox.NamedNode(VOCAB_GRAPH)
    units: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = sorted(
        (n for n in store.named_graphs() if n != vocab_node), key=str
    )
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        units.insert(0, ox.DefaultGraph())
    if not units and store.contains_named_graph(vocab_node):
        units = [vocab_node]
    for unit in units:
        yield (None if isinstance(unit, ox.DefaultGraph) else _term_str(unit)), unit


def _unit_ntriples(store: ox.Store) -> Iterator[tuple[str | None, bytes]]:
    """(graph name, N-Triples) of each graph to validate alone, the vocabulary added to each.

    The store writes the N-Triples itself (Rust): ~1.3 ms a report, against ~5.8 ms to build
    ``ox.Triple`` objects in Python for them. Blank node labels are the store's, so they hold
    across the graph and the vocabulary appended to it.
    """
    vocab_node = ox.NamedNode(VOCAB_GRAPH)
    units = list(_units(store))
    extra = b""
    if units and units[0][1] != vocab_node and store.contains_named_graph(vocab_node):
        extra = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=vocab_node)
    for name, unit in units:
        yield name, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=unit) + extra


def _validate_parallel(store: ox.Store, engine: str, pool: ProcessPoolExecutor, jobs: int) -> ValidationOutcome:
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
        pending.append(pool.submit(_validate_ntriples, task, engine))
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


def _validate_store(store: ox.Store, engine: str = "auto") -> Iterator[ValidationOutcome]:
    """Validate each graph of a store alone (with the vocabulary graph, when it is there)."""
    engine = resolve_engine(engine)
    if engine == "bulk":
        from converter.shacl_bulk import units_of_quads

        for name, triples in units_of_quads(store):
            yield _validate_bulk(name, triples)
        return
    if engine == "turbo":  # turbo is given N-Triples anyway: let the store write them
        for name, data in _unit_ntriples(store):
            yield _validate_one(data, name, engine)
        return
    vocab_node = ox.NamedNode(VOCAB_GRAPH)
    units = list(_units(store))
    extra = []
    if units and units[0][1] != vocab_node and store.contains_named_graph(vocab_node):
        extra = list(store.quads_for_pattern(None, None, None, vocab_node))
    for name, unit in units:
        yield _validate_one(_store(store.quads_for_pattern(None, None, None, unit), extra), name, engine)


def _store(*quad_lists: Iterable[ox.Quad]) -> ox.Store:
    """A fresh in-memory store with the given quads in its default graph.

    pySHACL runs its SPARQL on an Oxigraph store more than ten times faster than on rdflib
    (through rdflib it parses the query text again for every focus node).
    """
    store = ox.Store()
    default = ox.DefaultGraph()
    for quads in quad_lists:
        store.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in quads)
    return store


def _ox_quads(graph: Graph) -> list[ox.Quad]:
    bnodes: dict[BNode, ox.BlankNode] = {}

    def term(t: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            return bnodes.setdefault(t, ox.BlankNode())
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype is not None:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        raise GongkaiError(f"unsupported RDF term in data: {t!r}")

    default = ox.DefaultGraph()
    return [ox.Quad(term(s), term(p), term(o), default) for s, p, o in graph]


def _validate_one(data: ox.Store | bytes, graph_name: str | None, engine: str = "pyshacl") -> ValidationOutcome:
    """Validate one report graph: a store (default graph) or N-Triples bytes."""
    if engine == "bulk":
        from converter.shacl_bulk import units_of_quads

        if isinstance(data, bytes):
            quads: Iterable[ox.Quad] = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        else:
            quads = data.quads_for_pattern(None, None, None, ox.DefaultGraph())
        units = units_of_quads(quads)
        return _validate_bulk(graph_name, units[0][1] if units else [])
    if engine == "turbo":
        # turbo is given N-Triples, not the store: from a pyoxigraph Store, pyshacl-turbo 0.6.5
        # matches no string literal written in a SHACL-SPARQL query (FILTER NOT EXISTS
        # { ?note gk:issueCode "unit-missing" } is always true), unlike pySHACL and unlike turbo
        # on the same data parsed by itself (tests/test_shacl_engines.py, report-ok.trig).
        # N-Triples handed over as turbo's own "nquads" Input is parsed in Rust (42 ms a report);
        # plain bytes would go through rdflib's parser (120 ms).
        if isinstance(data, ox.Store):
            data = data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        try:
            from pyshacl_turbo.rdf import Input

            source: object = Input(data.decode("utf-8"), "nquads", None, {}, preserve_ids=True)
            fmt = None
        except ImportError:  # a later turbo without this (private) class: the public, slower way
            source, fmt = data, "nt"
        _conforms, report, text = _turbo_shapes().validate(
            source, data_graph_format=fmt, inference="none", allow_warnings=True, allow_infos=True
        )
    else:
        if isinstance(data, bytes):
            store = ox.Store()
            store.load(data, format=ox.RdfFormat.N_TRIPLES)
            data = store
        _conforms, report, text = pyshacl.validate(
            data,
            shacl_graph=shapes_graph(),
            advanced=True,
            inference="none",
            inplace=True,  # the store is ours, made for this call
            allow_warnings=True,
            allow_infos=True,
        )
    if not isinstance(report, Graph):  # pySHACL returns a ValidationFailure for broken shapes
        raise GongkaiError(f"SHACL validation failed: {_one_line(str(text))}")
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
    )


def _finding_order(f: Finding) -> tuple[str, ...]:
    # constraint and value last: the order of findings is the same whatever order an engine gives
    return (f.graph or "", f.focus, f.path or "", f.shape, f.message, f.constraint or "", f.value or "")


def _finding(report: Graph, result: Node, graph_name: str | None) -> Finding:
    severity = report.value(result, SH.resultSeverity)
    sev = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}.get(severity, "violation")
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
    for o in outcomes:
        violations.extend(o.violations)
        warnings.extend(o.warnings)
        graphs += o.graphs
    return ValidationOutcome(not violations, violations, warnings, graphs)


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
