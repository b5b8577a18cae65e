"""The "bulk" SHACL engine: gongkai's shapes checked in plain Python, one report graph at a time.

It gives the same findings as pyshacl-turbo (``engine="turbo"``, itself checked against pySHACL),
field by field (tests/test_shacl_bulk.py), at a fraction of its cost: no store, no SPARQL engine,
no report graph. Three parts:

* **Reading** (:func:`read_units`): an N-Quads file is split into lines and terms by ``str``
  methods; every distinct term text is parsed once, by pyoxigraph's own N-Triples parser (all new
  terms of a file in one call), and its literals are normalised as an Oxigraph store holds them
  (``"01"^^xsd:int`` reads as ``"1"^^xsd:integer``: turbo validates the store's dump). A line
  that does not split cleanly (comments, tabs, ...) sends the whole file through ``ox.parse``,
  and so do other formats; a file that does not parse raises :class:`ValidationError`.
* **SHACL Core**, compiled generically from the shapes graph (:func:`compile_shapes`): targets
  (class with ``rdfs:subClassOf*``, objects-of, subjects-of, node), IRI, inverse and alternative
  paths, and the components the shapes use. Anything else raises :class:`UnsupportedShapes`.
* **SHACL-SPARQL**: each SPARQL target and constraint is implemented natively, one function per
  query, found by the SHA-256 of its whitespace-normalised text and prefixes (:data:`_NATIVE`).
  A query whose text is not known raises :class:`UnsupportedShapes`, so a change to the shapes
  never lets this engine diverge silently. Where a report's values are outside what a native
  function handles (a count that is not a plain integer, a code that is a literal, ...), that
  constraint runs as real SPARQL on a pyoxigraph store of the report (:func:`_run_sparql`).

Terms are plain Python values: an IRI is its ``str``, a blank node ``"_:label"``, a literal the
tuple ``(lexical form, datatype IRI, language or None)``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from converter.errors import GongkaiError
from converter.validate import (
    Finding,
    ValidationError,
    _compact,
    _finding_order,
    _one_line,
    rdf_format_of,
    read_data,
)
from converter.vocab import VOCAB_GRAPH

Term = str | tuple[str, str, str | None]
Triple = tuple[Term, str, Term]
Unit = tuple[str | None, list[Triple]]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
RDF_NS = str(RDF)
RDF_LANG_STRING = RDF_NS + "langString"
RDF_TYPE = str(RDF.type)
RDF_FIRST, RDF_REST, RDF_NIL = str(RDF.first), str(RDF.rest), str(RDF.nil)
RDFS_SUBCLASS_OF = str(RDFS.subClassOf)
GK = "https://w3id.org/gongkai/def#"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
CODE = "https://w3id.org/gongkai/code/"

_INT64 = 2**63


class UnsupportedShapes(GongkaiError):
    """The shapes use something the bulk engine does not implement (a component, a path form,
    a SPARQL query it does not know): it refuses them rather than skip a constraint."""

    def __init__(self, what: str) -> None:
        super().__init__(f"SHACL engine 'bulk': {what}: update converter/shacl_bulk.py or use --engine turbo")


# =============================================================================================
# Reading: N-Quads (or any RDF file) into report graphs of plain terms


class _Fallback(Exception):
    """The fast N-Quads reader met a line it does not handle: parse the file with ox.parse."""


def read_units(path: Path) -> list[Unit]:
    """The report graphs of a data file, each with the vocabulary graph added (when present):
    ``(graph name or None, triples)`` in the order validate.py's ``_units`` gives them.

    :raises ValidationError: the file cannot be read, has an unknown suffix, or does not parse.
    """
    fmt = rdf_format_of(path)
    data = read_data(path)
    graphs: dict[str | None, list[Triple]] | None = None
    with gc_paused():
        if fmt == ox.RdfFormat.N_QUADS:
            try:
                graphs = _fast_nquads(data)
            except _Fallback:
                graphs = None
        if graphs is None:
            graphs = _parse_generic(path, data, fmt)
        return _split_units(graphs)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of small acyclic objects are made and used
    (reading a file, validating its graphs): the collector would walk them again and again, for
    ~40% of the time. Nothing this engine makes has reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _split_units(graphs: dict[str | None, list[Triple]]) -> list[Unit]:
    """validate.py's ``_units`` / ``_unit_ntriples``: the default graph first, then the named
    graphs but the vocabulary in name order, each with the vocabulary; the vocabulary alone
    when it is all there is."""
    vocab = graphs.get(VOCAB_GRAPH)
    names = sorted((n for n in graphs if n is not None and n != VOCAB_GRAPH), key=_graph_sort_key)
    units: list[Unit] = []
    extra = vocab or []
    if graphs.get(None):
        units.append((None, graphs[None] + extra))
    units.extend((name, graphs[name] + extra) for name in names)
    if not units and vocab:
        units.append((VOCAB_GRAPH, vocab))
    return units


def _graph_sort_key(name: str) -> str:
    return name if name.startswith("_:") else "<" + name + ">"  # str() of the ox term


_TOKENS: dict[bytes, Term] = {}  # term text (as in N-Quads) -> term, for the whole process
_TOKENS_MAX = 200_000  # report-specific IRIs make most of them
_NODE_START = (b"<"[0], b"_"[0])


def _fast_nquads(data: bytes) -> dict[str | None, list[Triple]]:
    """N-Quads split on spaces (C loops: ``bytes.split``, ``zip``, ``map``), a slice of the file at
    a time; each distinct term text parsed once, by pyoxigraph (the new ones of a slice in one call).

    :raises _Fallback: a line this reader does not split (the file is then parsed by ox.parse).
    """
    if len(_TOKENS) > _TOKENS_MAX:
        _TOKENS.clear()
    graphs: dict[bytes | None, list[Triple]] = {}
    get = _TOKENS.__getitem__
    for s, p, o, g in map(_columns, _slices(data)):
        subjects, graph_names = set(s), set(g)
        _check_kinds(subjects, set(p), graph_names)
        texts = subjects.union(p, o, graph_names)
        texts.discard(None)  # type: ignore[arg-type]
        # (not new.difference_update(_TOKENS): that walks the whole cache)
        new = set(itertools.filterfalse(_TOKENS.__contains__, texts))
        if new:
            _parse_tokens(sorted(new))
        for name, triple in zip(g, zip(map(get, s), map(get, p), map(get, o), strict=True), strict=True):
            rows = graphs.get(name)
            if rows is None:
                rows = graphs[name] = []
            rows.append(triple)  # type: ignore[arg-type]
    return {(None if name is None else get(name)): triples for name, triples in graphs.items()}  # type: ignore[misc]


_SLICE = 1 << 16  # bytes of N-Quads split at a time: small enough to stay in the CPU cache


def _slices(data: bytes) -> Iterator[bytes]:
    """``data`` in slices of about :data:`_SLICE` bytes, each ending at a line end."""
    start, n = 0, len(data)
    while start < n:
        end = data.find(b"\n", start + _SLICE)
        end = n if end < 0 else end + 1
        yield data[start:end]
        start = end


def _columns(chunk: bytes) -> tuple[tuple[bytes, ...], ...]:
    """The subject, predicate, object and graph texts of each line (graph None: default graph)."""
    lines = chunk.split(b"\n")
    rows = list(map(bytes.split, lines, itertools.repeat(b" ")))
    quads = [r for r in rows if len(r) == 5]
    columns: tuple[tuple[bytes, ...], ...] = tuple(zip(*quads, strict=True)) if quads else ((), (), (), (), ())
    if any(d != b"." for d in set(columns[4])):
        raise _Fallback
    if len(quads) == len(rows) - (not lines[-1]):
        return columns[:4]
    odd = [_split_line(line) for line, r in zip(lines, rows, strict=True) if len(r) != 5 and line]
    if not odd:  # the other lines are empty (N-Quads allows empty lines anywhere)
        return columns[:4]
    return tuple(c + more for c, more in zip(columns[:4], zip(*odd, strict=True), strict=True))  # type: ignore[arg-type]


def _check_kinds(subjects: set[bytes], predicates: set[bytes], graphs: set[bytes | None]) -> None:
    """Subjects and graph names are IRIs or blank nodes, predicates IRIs (their text's first byte;
    the parser checks the rest)."""
    if any(not t or t[0] not in _NODE_START for t in subjects):
        raise _Fallback
    if any(not t or t[0] != _NODE_START[0] for t in predicates):
        raise _Fallback
    if any(t is not None and (not t or t[0] not in _NODE_START) for t in graphs):
        raise _Fallback


def _split_line(line: bytes) -> tuple[bytes, bytes, bytes, bytes | None]:
    """A line whose object has spaces, or a triple of the default graph: (S, P, O, G or None)."""
    if not line.endswith(b" ."):
        raise _Fallback
    s, _sep, rest = line[:-2].partition(b" ")
    p, sep, rest = rest.partition(b" ")
    if not sep:
        raise _Fallback
    head, sep, last = rest.rpartition(b" ")
    if sep and last[:1] in (b"<", b"_") and _whole_term(head):
        return s, p, head, last
    if not _whole_term(rest):
        raise _Fallback
    return s, p, rest, None


def _whole_term(tok: bytes) -> bool:
    """A cheap check that ``tok`` is one term (the parser checks the rest)."""
    first = tok[:1]
    if first == b'"':
        return b" " not in tok.rpartition(b'"')[2]
    return first in (b"<", b"_") and b" " not in tok


def _parse_tokens(tokens: list[bytes]) -> None:
    """Parse term texts with pyoxigraph's N-Triples parser, all in one document (one triple per
    line, each token as the object), and add them to :data:`_TOKENS`."""
    doc = b"".join(b"<urn:x:s> <urn:x:p> " + tok + b" .\n" for tok in tokens)
    try:
        parsed = [t.object for t in ox.parse(doc, format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError):
        raise _Fallback from None
    if len(parsed) != len(tokens):
        raise _Fallback
    if not all(isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal) for t in parsed):
        raise _Fallback  # RDF 1.2 triple terms: ox.parse reads the file, _from_ox refuses them
    terms = [_from_ox(t) for t in parsed]
    _canonicalize(terms)
    for tok, term in zip(tokens, terms, strict=True):
        _TOKENS[tok] = _CANONICAL.get(term, term) if isinstance(term, tuple) else term


def _parse_generic(path: Path, data: bytes, fmt: ox.RdfFormat) -> dict[str | None, list[Triple]]:
    """Any RDF file through ``ox.parse``, with the same error messages as validate.py's ``_read``."""
    try:
        quads = list(ox.parse(data, format=fmt))
    except SyntaxError as exc:
        raise ValidationError(path, f"not valid {fmt.name}: {_one_line(str(exc))}") from None
    except ValueError as exc:
        raise ValidationError(path, f"cannot parse: {_one_line(str(exc))}") from None
    return _graphs_of_quads(quads)


def _from_ox(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return (term.value, term.datatype.value, term.language)
    raise ValidationError("(data)", f"unsupported RDF term {term!r} (only IRIs, blank nodes and literals)")


def _to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, tuple):
        lex, dt, lang = term
        return ox.Literal(lex, language=lang) if lang else ox.Literal(lex, datatype=ox.NamedNode(dt))
    if term.startswith("_:"):
        return ox.BlankNode(term[2:])
    return ox.NamedNode(term)


# literal -> the literal as an Oxigraph store holds it (when that differs), for the whole process
_CANONICAL: dict[tuple[str, str, str | None], tuple[str, str, str | None]] = {}
_CANONICAL_SEEN: set[tuple[str, str, str | None]] = set()
_PLAIN_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")


def _canonicalize(terms: Iterable[Term]) -> None:
    """Learn how an Oxigraph store writes back each typed literal of ``terms`` (one store for all)."""
    todo = []
    for t in terms:
        if not isinstance(t, tuple) or t[2] is not None or t[1] == XSD_STRING or t in _CANONICAL_SEEN:
            continue
        if t[1] == XSD_INTEGER and _PLAIN_INTEGER.fullmatch(t[0]):
            continue
        todo.append(t)
    if not todo:
        return
    if len(_CANONICAL_SEEN) > _TOKENS_MAX:
        _CANONICAL_SEEN.clear()
        _CANONICAL.clear()
    store = ox.Store()
    p, g = ox.NamedNode("urn:x:p"), ox.DefaultGraph()
    todo = list(dict.fromkeys(todo))
    store.extend(ox.Quad(ox.NamedNode(f"urn:x:{i}"), p, _to_ox(t), g) for i, t in enumerate(todo))
    for q in store:
        t = todo[int(q.subject.value[6:])]
        held = _from_ox(q.object)
        if held != t:
            _CANONICAL[t] = held  # type: ignore[assignment]
    _CANONICAL_SEEN.update(todo)


def units_of_quads(quads: Iterable[ox.Quad]) -> list[Unit]:
    """pyoxigraph quads (a store's, say) as units, split as :func:`read_units` splits a file."""
    return _split_units(_graphs_of_quads(list(quads)))


def _graphs_of_quads(quads: list[ox.Quad]) -> dict[str | None, list[Triple]]:
    _canonicalize([_from_ox(q.object) for q in quads if isinstance(q.object, ox.Literal)])
    graphs: dict[str | None, list[Triple]] = {}
    for q in quads:
        name = None if isinstance(q.graph_name, ox.DefaultGraph) else _from_ox(q.graph_name)
        o = _from_ox(q.object)
        if isinstance(o, tuple):
            o = _CANONICAL.get(o, o)
        graphs.setdefault(name, []).append((_from_ox(q.subject), q.predicate.value, o))  # type: ignore[arg-type]
    return graphs


def units_of_rdflib(graphs: Iterable[tuple[str | None, Iterable[tuple[Node, Node, Node]]]]) -> list[Unit]:
    """rdflib graphs as units of plain terms (literals normalised as a store holds them)."""
    units = []
    for name, triples in graphs:
        rows = [(_from_rdflib(s), str(p), _from_rdflib(o)) for s, p, o in triples]
        _canonicalize(o for _s, _p, o in rows)
        units.append((name, [(s, p, _CANONICAL.get(o, o) if isinstance(o, tuple) else o) for s, p, o in rows]))
    return units  # type: ignore[return-value]


def _from_rdflib(term: Node) -> Term:
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, Literal):
        if term.language:
            return (str(term), RDF_LANG_STRING, term.language.lower())
        return (str(term), str(term.datatype) if term.datatype is not None else XSD_STRING, None)
    raise GongkaiError(f"unsupported RDF term in data: {term!r}")


# =============================================================================================
# One report graph, indexed


class DataGraph:
    """A report graph: subject -> predicate -> objects (no duplicates), and reverse indexes built
    when first asked for."""

    __slots__ = ("_by_object", "_by_predicate", "_store", "_wide", "spo")

    def __init__(self, triples: list[Triple]) -> None:
        spo: dict[Term, dict[str, list[Term]]] = {}
        for s, p, o in triples:
            props = spo.get(s)
            if props is None:
                spo[s] = {p: [o]}
                continue
            objs = props.get(p)
            if objs is None:
                props[p] = [o]
            elif o not in objs:  # a graph is a set of triples
                objs.append(o)
        self.spo = spo
        self._by_object: dict[str, dict[Term, list[Term]]] = {}
        self._by_predicate: dict[str, list[tuple[Term, list[Term]]]] | None = None
        self._store: ox.Store | None = None
        self._wide: dict[str, bool] = {}

    def with_predicate(self, p: str) -> list[tuple[Term, list[Term]]]:
        """(subject, objects) of each subject that has ``p`` (an index of all predicates, made once)."""
        index = self._by_predicate
        if index is None:
            index = self._by_predicate = {}
            for s, props in self.spo.items():
                for pred, objs in props.items():
                    rows = index.get(pred)
                    if rows is None:
                        index[pred] = [(s, objs)]
                    else:
                        rows.append((s, objs))
        return index.get(p, _NO_ROWS)

    def objects(self, s: Term, p: str) -> list[Term]:
        props = self.spo.get(s)
        return props.get(p, _EMPTY) if props is not None else _EMPTY

    def subjects(self, p: str, o: Term) -> list[Term]:
        index = self._by_object.get(p)
        if index is None:
            index = self._by_object[p] = {}
            for s, objs in self.with_predicate(p):
                for obj in objs:
                    subjects = index.get(obj)
                    if subjects is None:
                        index[obj] = [s]
                    else:
                        subjects.append(s)
        return index.get(o, _EMPTY)

    def pairs(self, p: str) -> list[tuple[Term, Term]]:
        return [(s, o) for s, objs in self.with_predicate(p) for o in objs]

    def instances(self, cls: str) -> list[Term]:
        """Nodes of ``rdf:type`` ``cls`` or a subclass (``rdf:type/rdfs:subClassOf*``)."""
        classes = self.subclasses(cls)
        if len(classes) == 1:
            return self.subjects(RDF_TYPE, cls)
        return list(dict.fromkeys(s for c in classes for s in self.subjects(RDF_TYPE, c)))

    def subclasses(self, cls: Term) -> list[Term]:
        """``cls`` and every class that is ``rdfs:subClassOf*`` it."""
        found, todo = [cls], [cls]
        while todo:
            for sub in self.subjects(RDFS_SUBCLASS_OF, todo.pop()):
                if sub not in found:
                    found.append(sub)
                    todo.append(sub)
        return found

    def has_class(self, node: Term, cls: str) -> bool:
        types = self.objects(node, RDF_TYPE)
        if cls in types:
            return True
        return any(t in types for t in self.subclasses(cls)[1:])

    def store(self) -> ox.Store:
        """The graph in a pyoxigraph store (default graph), for SPARQL the native code leaves."""
        if self._store is None:
            self._store = ox.Store()
            g = ox.DefaultGraph()
            self._store.extend(
                ox.Quad(_to_ox(s), ox.NamedNode(p), _to_ox(o), g)  # type: ignore[arg-type]
                for s, props in self.spo.items()
                for p, objs in props.items()
                for o in objs
            )
        return self._store

    def plain(self, key: str, check: Callable[[DataGraph], bool]) -> bool:
        """``check(self)``, computed once per graph."""
        ok = self._wide.get(key)
        if ok is None:
            ok = self._wide[key] = check(self)
        return ok


_EMPTY: list[Term] = []
_NO_ROWS: list[tuple[Term, list[Term]]] = []


# =============================================================================================
# Showing terms as turbo does


def show(term: Term) -> str:
    """A term as a Finding shows it (validate.py's ``_term_str``): IRI, ``_:label``, lexical form."""
    return term[0] if isinstance(term, tuple) else term


def _message_text(term: Term) -> str:
    """A term substituted into a SHACL-SPARQL message: a blank node without its ``_:``."""
    if isinstance(term, tuple):
        return term[0]
    return term[2:] if term.startswith("_:") else term


_CORE_PREFIXES = {RDF_NS: "rdf", str(RDFS): "rdfs", XSD: "xsd"}


def _iri_text(iri: str) -> str:
    for ns, prefix in _CORE_PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return prefix + ":" + iri[len(ns) :]
    return "<" + iri + ">"


def describe(g: DataGraph, term: Term, depth: int = 0) -> str:
    """A node as turbo describes it in a default message: ``Literal("5", datatype=xsd:integer)``,
    ``[ rdf:type <...> ]`` for a blank node (its triples, six levels deep at most)."""
    if isinstance(term, tuple):
        lex, dt, lang = term
        value = '"' + lex + '"'
        if dt == XSD + "boolean" and lex in ("true", "false"):
            value += " = " + lex.capitalize()
        if lang:
            return "Literal(" + value + ", lang=" + lang + ")"
        if dt == XSD_STRING:
            return "Literal(" + value + ")"
        return "Literal(" + value + ", datatype=" + _iri_text(dt) + ")"
    if not term.startswith("_:"):
        return _iri_text(term)
    if depth >= 6:
        return "<http://recursion.too.deep>"
    props = g.spo.get(term, {})
    if RDF_FIRST in props:
        return "( " + " ".join(describe(g, item, depth + 1) for item in _list_items(g, term)) + " )"
    parts = sorted(
        _iri_text(p) + " " + ", ".join(sorted(describe(g, o, depth + 1) for o in objs)) for p, objs in props.items()
    )
    return "[ " + " ; ".join(parts) + " ]" if parts else "[ ]"


def _list_items(g: DataGraph, node: Term) -> list[Term]:
    items, seen = [], set()
    while node != RDF_NIL and node not in seen:
        seen.add(node)
        items.extend(g.objects(node, RDF_FIRST))
        rest = g.objects(node, RDF_REST)
        if not rest:
            break
        node = rest[0]
    return items


# =============================================================================================
# Compiled shapes


@dataclass
class _Result:
    """A validation result before it becomes a Finding (details are results too)."""

    focus: Term
    shape: Shape
    constraint: str
    value: Term | None = None
    path: str | None = None
    message: str | None = None
    details: list[_Result] = field(default_factory=list)


Check = Callable[["DataGraph", Term, list[Term], "Shape"], Iterable[_Result]]


@dataclass
class Shape:
    """A node or property shape: its targets, its path (property shapes) and its constraints."""

    node: Node
    name: str
    severity: str = "violation"
    messages: tuple[str, ...] = ()
    path: Callable[[DataGraph, Term], list[Term]] | None = None
    path_text: str | None = None
    predicate: str | None = None  # the path, when it is one IRI
    targets: list[Callable[[DataGraph], Iterable[Term]]] = field(default_factory=list)
    min_count: int = 0
    max_count: int = sys.maxsize
    value_tests: list[tuple[str, Callable[[Term], bool]]] = field(default_factory=list)  # (component, ok)
    checks: list[Check] = field(default_factory=list)  # the other constraints
    properties: list[Shape] = field(default_factory=list)
    deactivated: bool = False
    _failures: dict[Term, tuple[str, ...]] = field(default_factory=dict)  # value -> failed value tests
    _simple: bool | None = None  # see simple_results

    def results(self, g: DataGraph, focus: Term) -> list[_Result]:
        """All results of ``focus`` against this shape (its property shapes included)."""
        if self.deactivated:
            return _NO_RESULTS
        if self.predicate is not None:
            props = g.spo.get(focus)
            values = props.get(self.predicate, _EMPTY) if props is not None else _EMPTY
        else:
            values = self.path(g, focus) if self.path is not None else [focus]
        out: list[_Result] = []
        n = len(values)
        if n < self.min_count:
            out.append(_Result(focus, self, _MIN_COUNT))
        if n > self.max_count:
            out.append(_Result(focus, self, _MAX_COUNT))
        if self.value_tests:
            failures = self._failures
            for v in values:
                failed = failures.get(v)
                if failed is None:
                    failed = self._value_failures(v)
                if failed:
                    out.extend(_Result(focus, self, component, v) for component in failed)
        for check in self.checks:
            found = check(g, focus, values, self)
            if found:
                out.extend(found)
        for prop in self.properties:  # sh:property: each value node against the property shape
            if prop._simple is None:
                prop._simple = prop.predicate is not None and not (prop.checks or prop.properties or prop.deactivated)
            if prop._simple:
                for v in values:
                    prop.simple_results(g, v, out)
                continue
            for v in values:
                found = prop.results(g, v)
                if found:
                    out.extend(found)
        return out

    def simple_results(self, g: DataGraph, focus: Term, out: list[_Result]) -> None:
        """:meth:`results` of a property shape of one predicate with only counts and value tests
        (most of them), added to ``out``: the hot loop. The count and value tests are written out
        here and in :meth:`results` on purpose: one shared helper made validation ~7% slower."""
        props = g.spo.get(focus)
        values = props.get(self.predicate, _EMPTY) if props is not None else _EMPTY  # type: ignore[arg-type]
        n = len(values)
        if n < self.min_count:
            out.append(_Result(focus, self, _MIN_COUNT))
        if n > self.max_count:
            out.append(_Result(focus, self, _MAX_COUNT))
        if self.value_tests:
            failures = self._failures
            for v in values:
                failed = failures.get(v)
                if failed is None:
                    failed = self._value_failures(v)
                if failed:
                    out.extend(_Result(focus, self, component, v) for component in failed)

    def _value_failures(self, v: Term) -> tuple[str, ...]:
        failed = tuple(component for component, ok in self.value_tests if not ok(v))
        if len(self._failures) < 100_000:
            self._failures[v] = failed
        return failed

    def conforms(self, g: DataGraph, focus: Term) -> bool:
        return not self.results(g, focus)


@dataclass
class CompiledShapes:
    """The shapes that have targets, ready to validate report graphs."""

    targeted: list[Shape]

    def validate(self, triples: list[Triple], graph_name: str | None) -> tuple[list[Finding], list[Finding]]:
        """(violations, warnings) of one report graph, each sorted as validate.py sorts them."""
        g = DataGraph(triples)
        violations: list[Finding] = []
        warnings: list[Finding] = []
        for shape in self.targeted:
            if shape.deactivated:
                continue
            focus_nodes = dict.fromkeys(f for target in shape.targets for f in target(g))
            for focus in focus_nodes:
                for result in shape.results(g, focus):
                    finding = _to_finding(g, result, graph_name)
                    (violations if finding.severity == "violation" else warnings).append(finding)
        return sorted(violations, key=_finding_order), sorted(warnings, key=_finding_order)


def _to_finding(g: DataGraph, r: _Result, graph_name: str | None) -> Finding:
    shape = r.shape
    if r.message is not None:
        message = r.message
    elif shape.messages:
        message = "; ".join(sorted(shape.messages))
    else:  # turbo's default message (only components in _DEFAULT_MESSAGES get here)
        message = r.constraint.rpartition("#")[2] + " violated at " + describe(g, r.focus)
    return Finding(
        focus=show(r.focus),
        path=r.path if r.path is not None else shape.path_text,
        message=message,
        severity=shape.severity,
        shape=shape.name,
        constraint=_compact(URIRef(r.constraint)),
        value=show(r.value) if r.value is not None else None,
        graph=graph_name,
        details=tuple(sorted((_to_finding(g, d, graph_name) for d in r.details), key=_finding_order)),
    )


@functools.lru_cache(maxsize=1)
def bulk_shapes() -> CompiledShapes:
    """The shapes of ``shapes/*.ttl``, compiled once per process."""
    from converter.validate import shapes_graph

    return compile_shapes(shapes_graph())


def compile_shapes(sg: Graph) -> CompiledShapes:
    """Compile a shapes graph.

    :raises UnsupportedShapes: a component, path, target or SPARQL query this engine does not implement.
    """
    return _Compiler(sg).compile()


# --- compiling -------------------------------------------------------------------------------

SHN = str(SH)
_SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
# shape predicates that do not change validation
_INERT = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message, SH.severity, SH.deactivated}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target}
# components whose default message (no sh:message) turbo's text is known for
_DEFAULT_MESSAGES = {SHN + "NodeKindConstraintComponent"}
_NODE_KINDS = {
    SH.IRI: (True, False, False),
    SH.BlankNode: (False, True, False),
    SH.Literal: (False, False, True),
    SH.BlankNodeOrIRI: (True, True, False),
    SH.BlankNodeOrLiteral: (False, True, True),
    SH.IRIOrLiteral: (True, False, True),
}


class _Compiler:
    def __init__(self, sg: Graph) -> None:
        self.sg = sg
        self.shapes: dict[Node, Shape] = {}

    def compile(self) -> CompiledShapes:
        sg = self.sg
        roots = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape))
        for pred in _TARGETS:
            roots |= set(sg.subjects(pred, None))
        targeted = []
        for node in sorted(roots, key=str):
            shape = self.shape(node, reporting=True)
            if shape.targets:
                targeted.append(shape)
        return CompiledShapes(targeted)

    def shape(self, node: Node, reporting: bool) -> Shape:
        """The compiled shape of ``node``; ``reporting``: its results can be shown (they need messages)."""
        key = (node, reporting)
        if key in self.shapes:
            return self.shapes[key]  # type: ignore[index]
        sg = self.sg
        shape = Shape(node=node, name=_compact(node))
        self.shapes[key] = shape  # type: ignore[index]
        severity = sg.value(node, SH.severity)
        if severity is not None:
            if severity not in _SEVERITIES:
                raise UnsupportedShapes(f"{shape.name}: sh:severity {_compact(severity)}")
            shape.severity = _SEVERITIES[severity]
        shape.messages = tuple(str(m) for m in sg.objects(node, SH.message))
        for m in shape.messages:
            if "{$" in m or "{?" in m:
                raise UnsupportedShapes(f"{shape.name}: a core sh:message with placeholders ({m!r})")
        deactivated = sg.value(node, SH.deactivated)
        shape.deactivated = isinstance(deactivated, Literal) and deactivated.toPython() is True
        path = sg.value(node, SH.path)
        if path is not None:
            shape.path, shape.path_text = self.path(path, shape.name)
            shape.predicate = str(path) if isinstance(path, URIRef) else None
        self.targets(node, shape)
        for pred, obj in sorted(sg.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
            if not str(pred).startswith(SHN) or pred in _INERT or pred in _TARGETS or pred == SH.path:
                continue
            if pred == SH.property:
                shape.properties.append(self.shape(obj, reporting))
                continue
            self.constraint(node, shape, pred, obj, reporting)
        return shape

    # --- paths and targets

    def path(self, path: Node, where: str) -> tuple[Callable[[DataGraph, Term], list[Term]], str]:
        from converter.validate import _path_str

        text = _path_str(self.sg, path)
        if isinstance(path, URIRef):
            p = str(path)
            return (lambda g, f: g.objects(f, p)), text
        inverse = self.sg.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            p = str(inverse)
            return (lambda g, f: g.subjects(p, f)), text
        alt = self.sg.value(path, SH.alternativePath)
        if alt is not None and all(isinstance(m, URIRef) for m in Collection(self.sg, alt)):
            preds = [str(m) for m in Collection(self.sg, alt)]

            def alternatives(g: DataGraph, f: Term) -> list[Term]:
                props = g.spo.get(f)
                if props is None:
                    return _EMPTY
                found: list[Term] = []
                for p in preds:
                    found.extend(props.get(p, _EMPTY))
                return list(dict.fromkeys(found)) if len(found) > 1 else found

            return alternatives, text
        if alt is not None:
            members = [self.path(m, where)[0] for m in Collection(self.sg, alt)]

            def values(g: DataGraph, f: Term) -> list[Term]:
                return list(dict.fromkeys(v for member in members for v in member(g, f)))

            return values, text
        raise UnsupportedShapes(f"{where}: the property path {text}")

    def targets(self, node: Node, shape: Shape) -> None:
        sg = self.sg
        for cls in sg.objects(node, SH.targetClass):
            c = str(cls)
            shape.targets.append(lambda g, c=c: g.instances(c))
        if (node, RDF.type, RDFS.Class) in sg:
            c = str(node)
            shape.targets.append(lambda g, c=c: g.instances(c))
        for pred in sg.objects(node, SH.targetObjectsOf):
            p = str(pred)
            shape.targets.append(lambda g, p=p: [o for _s, o in g.pairs(p)])
        for pred in sg.objects(node, SH.targetSubjectsOf):
            p = str(pred)
            shape.targets.append(lambda g, p=p: [s for s, _o in g.pairs(p)])
        for target in sg.objects(node, SH.targetNode):
            if not isinstance(target, URIRef):
                raise UnsupportedShapes(f"{shape.name}: sh:targetNode {target!r} (only IRIs)")
            t = str(target)
            shape.targets.append(lambda g, t=t: [t])
        for target in sg.objects(node, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in sg:
                raise UnsupportedShapes(f"{shape.name}: an sh:target that is not an sh:SPARQLTarget")
            fn = _native(self.sg, target, "target", shape.name)
            shape.targets.append(fn)  # type: ignore[arg-type]

    # --- constraints

    def constraint(self, node: Node, shape: Shape, pred: Node, obj: Node, reporting: bool) -> None:
        name = str(pred)[len(SHN) :]
        build = getattr(self, "c_" + name, None)
        if build is None:
            if pred in (SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.flags):
                return  # read with sh:qualifiedValueShape / sh:pattern
            raise UnsupportedShapes(f"{shape.name}: the constraint sh:{name}")
        component = SHN + name[0].upper() + name[1:] + "ConstraintComponent"
        known_default = component in _DEFAULT_MESSAGES and shape.path is None
        if reporting and not shape.messages and name != "sparql" and not known_default:
            raise UnsupportedShapes(
                f"{shape.name}: sh:{name} without an sh:message (turbo's default text is not known)"
            )
        check = build(node, shape, obj, reporting)
        if isinstance(check, _ValueTest):
            shape.value_tests.append((check.component, check.ok))
        elif check is not None:
            shape.checks.append(check)

    def c_nodeKind(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> _ValueTest:
        if obj not in _NODE_KINDS:
            raise UnsupportedShapes(f"{shape.name}: sh:nodeKind {obj!r}")
        iri_ok, bnode_ok, literal_ok = _NODE_KINDS[obj]  # type: ignore[index]
        component = SHN + "NodeKindConstraintComponent"

        def ok(v: Term) -> bool:
            if isinstance(v, tuple):
                return literal_ok
            return bnode_ok if v.startswith("_:") else iri_ok

        return _per_value(ok, component)

    def c_datatype(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> _ValueTest:
        dt = str(obj)
        if dt not in _WELL_FORMED:
            raise UnsupportedShapes(
                f"{shape.name}: sh:datatype {_compact(obj)} (its lexical rules are not implemented)"
            )
        lexical_ok = _WELL_FORMED[dt]

        def ok(v: Term) -> bool:
            return isinstance(v, tuple) and v[1] == dt and lexical_ok(v)

        return _per_value(ok, SHN + "DatatypeConstraintComponent")

    def c_pattern(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> _ValueTest:
        flags = self.sg.value(node, SH.flags)
        if flags is not None and str(flags):
            raise UnsupportedShapes(f"{shape.name}: sh:flags {str(flags)!r}")
        regex = _compile_pattern(str(obj), shape.name)

        def ok(v: Term) -> bool:
            if isinstance(v, tuple):
                return regex.search(v[0]) is not None
            return not v.startswith("_:") and regex.search(v) is not None

        return _per_value(ok, SHN + "PatternConstraintComponent")

    def c_minCount(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> None:
        if shape.min_count:
            raise UnsupportedShapes(f"{shape.name}: two sh:minCount")
        shape.min_count = _int_param(obj, shape.name, "sh:minCount")

    def c_maxCount(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> None:
        if shape.max_count != sys.maxsize:
            raise UnsupportedShapes(f"{shape.name}: two sh:maxCount")
        shape.max_count = _int_param(obj, shape.name, "sh:maxCount")

    def c_class(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> Check:
        cls = str(obj)
        component = SHN + "ClassConstraintComponent"

        def check(g: DataGraph, focus: Term, values: list[Term], s: Shape) -> list[_Result]:
            return [_Result(focus, s, component, v) for v in values if isinstance(v, tuple) or not g.has_class(v, cls)]

        return check

    def c_in(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> _ValueTest:
        members = set()
        for m in Collection(self.sg, obj):
            if not isinstance(m, URIRef):
                raise UnsupportedShapes(f"{shape.name}: sh:in with a member that is not an IRI ({m!r})")
            members.add(str(m))
        return _per_value(lambda v: v in members, SHN + "InConstraintComponent")

    def c_minInclusive(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> _ValueTest:
        if not isinstance(obj, Literal) or obj.datatype != URIRef(XSD_INTEGER):
            raise UnsupportedShapes(f"{shape.name}: sh:minInclusive {obj!r} (only an xsd:integer)")
        low = int(obj)

        def ok(v: Term) -> bool:
            number = _number(v)
            return number is not None and number >= low

        return _per_value(ok, SHN + "MinInclusiveConstraintComponent")

    def c_uniqueLang(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> Check | None:
        if not isinstance(obj, Literal) or obj.toPython() is not True:
            return None
        component = SHN + "UniqueLangConstraintComponent"

        def check(g: DataGraph, focus: Term, values: list[Term], s: Shape) -> list[_Result]:
            seen: dict[str, int] = {}
            for v in values:
                if isinstance(v, tuple) and v[2]:
                    seen[v[2]] = seen.get(v[2], 0) + 1
            return [_Result(focus, s, component) for count in seen.values() if count > 1]

        return check

    def c_languageIn(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> _ValueTest:
        ranges = [str(m).lower() for m in Collection(self.sg, obj)]

        def ok(v: Term) -> bool:
            if not isinstance(v, tuple) or not v[2]:
                return False
            tag = v[2].lower()
            return any(tag == r or tag.startswith(r + "-") or r == "*" for r in ranges)

        return _per_value(ok, SHN + "LanguageInConstraintComponent")

    def c_qualifiedValueShape(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> Check:
        sg = self.sg
        disjoint = sg.value(node, SH.qualifiedValueShapesDisjoint)
        if disjoint is not None and disjoint.toPython() is True:  # type: ignore[union-attr]
            raise UnsupportedShapes(f"{shape.name}: sh:qualifiedValueShapesDisjoint true")
        low, high = sg.value(node, SH.qualifiedMinCount), sg.value(node, SH.qualifiedMaxCount)
        lo = _int_param(low, shape.name, "sh:qualifiedMinCount") if low is not None else None
        hi = _int_param(high, shape.name, "sh:qualifiedMaxCount") if high is not None else None
        inner = self.shape(obj, reporting=False)
        c_min, c_max = SHN + "QualifiedMinCountConstraintComponent", SHN + "QualifiedMaxCountConstraintComponent"

        def check(g: DataGraph, focus: Term, values: list[Term], s: Shape) -> list[_Result]:
            count = sum(1 for v in values if inner.conforms(g, v))
            out = []
            if lo is not None and count < lo:
                out.append(_Result(focus, s, c_min))
            if hi is not None and count > hi:
                out.append(_Result(focus, s, c_max))
            return out

        return check

    def c_node(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> Check:
        inner = self.shape(obj, reporting)
        component = SHN + "NodeConstraintComponent"

        def check(g: DataGraph, focus: Term, values: list[Term], s: Shape) -> list[_Result]:
            out = []
            for v in values:
                details = inner.results(g, v)
                if details:
                    out.append(_Result(focus, s, component, v, details=details))
            return out

        return check

    def c_or(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> Check:
        members = [self.shape(m, reporting=False) for m in Collection(self.sg, obj)]
        component = SHN + "OrConstraintComponent"

        def check(g: DataGraph, focus: Term, values: list[Term], s: Shape) -> list[_Result]:
            return [_Result(focus, s, component, v) for v in values if not any(m.conforms(g, v) for m in members)]

        return check

    def c_sparql(self, node: Node, shape: Shape, obj: Node, reporting: bool) -> Check:
        if shape.path is not None:
            raise UnsupportedShapes(f"{shape.name}: sh:sparql on a property shape")
        deactivated = self.sg.value(obj, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.toPython() is True:
            return lambda g, focus, values, s: _NO_RESULTS
        solve = _native(self.sg, obj, "constraint", shape.name)
        messages = [str(m) for m in self.sg.objects(obj, SH.message)] or list(shape.messages)
        if not messages:
            raise UnsupportedShapes(f"{_compact(obj)}: an sh:sparql constraint without an sh:message")
        constraint = str(obj)

        def check(g: DataGraph, focus: Term, values: list[Term], s: Shape) -> list[_Result]:
            out = []
            for row in solve(g, focus):  # type: ignore[call-arg]
                path = row.get("path")
                out.append(
                    _Result(
                        focus,
                        s,
                        constraint,
                        row.get("value", focus),
                        path=_compact(URIRef(path)) if isinstance(path, str) and not path.startswith("_:") else None,
                        message="; ".join(sorted(_substitute(m, row, focus) for m in messages)),
                    )
                )
            return out

        return check


_NO_RESULTS: list[_Result] = []


_MIN_COUNT, _MAX_COUNT = SHN + "MinCountConstraintComponent", SHN + "MaxCountConstraintComponent"


@dataclass(frozen=True)
class _ValueTest:
    """A constraint that looks at each value node alone (the result of each value is cached)."""

    component: str
    ok: Callable[[Term], bool]


def _per_value(ok: Callable[[Term], bool], component: str) -> _ValueTest:
    return _ValueTest(component, ok)


def _int_param(obj: Node, where: str, what: str) -> int:
    if not isinstance(obj, Literal) or not isinstance(obj.toPython(), int):
        raise UnsupportedShapes(f"{where}: {what} {obj!r} is not an integer")
    return int(obj)


def _compile_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """An sh:pattern (XPath/Rust regex) as a Python regex: ``$`` matches at the very end only."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        elif c == "$" and not in_class:
            c = r"\Z"
        out.append(c)
        i += 1
    try:
        return re.compile("".join(out))
    except re.error as exc:
        raise UnsupportedShapes(f"{where}: sh:pattern {pattern!r} ({exc})") from None


def _number(v: Term) -> int | Decimal | float | None:
    """The numeric value of a well-formed numeric literal, else None."""
    if not isinstance(v, tuple):
        return None
    lex, dt, _lang = v
    if dt == XSD_INTEGER:  # compared as a 64-bit integer, as turbo compares it
        return int(lex) if _well_formed_integer(v) and -_INT64 <= int(lex) < _INT64 else None
    if dt == XSD_DECIMAL:
        return Decimal(lex) if _well_formed_decimal(v) else None
    if dt in (XSD + "double", XSD + "float"):
        try:
            return float(lex) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|-?INF", lex) else None
        except ValueError:
            return None
    return None


def _well_formed_integer(v: tuple[str, str, str | None]) -> bool:
    return re.fullmatch(r"[+-]?[0-9]+", v[0]) is not None  # of any size, as turbo has it


def _well_formed_decimal(v: tuple[str, str, str | None]) -> bool:
    lex = v[0]
    if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", lex) is None:
        return False
    try:
        return abs(Decimal(lex)) < Decimal(2**127) / Decimal(10**18)
    except InvalidOperation:
        return False


def _well_formed_gyear(v: tuple[str, str, str | None]) -> bool:
    m = _GYEAR.fullmatch(v[0])
    return m is not None and abs(int(m.group(1))) < _INT64


_GYEAR = re.compile(r"-?([1-9][0-9]{4,}|[0-9]{4})(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?")
_DATE = re.compile(
    r"-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
)


def _well_formed_date(v: tuple[str, str, str | None]) -> bool:
    m = _DATE.fullmatch(v[0])
    if m is None:
        return False
    year, month, day = int(v[0][: m.end(1)]), int(m.group(2)), int(m.group(3))
    if abs(year) >= _INT64:
        return False
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


# datatype -> is the literal's lexical form valid (as turbo decides for these datatypes)
_WELL_FORMED: dict[str, Callable[[tuple[str, str, str | None]], bool]] = {
    XSD_STRING: lambda v: True,
    RDF_LANG_STRING: lambda v: bool(v[2]),
    XSD_INTEGER: _well_formed_integer,
    XSD_DECIMAL: _well_formed_decimal,
    XSD + "gYear": _well_formed_gyear,
    XSD + "date": _well_formed_date,
}


def _substitute(message: str, row: dict[str, Term], focus: Term) -> str:
    """``{?var}`` / ``{$var}`` replaced by the solution's terms, as turbo writes them."""

    def term(m: re.Match[str]) -> str:
        name = m.group(1)
        value = focus if name == "this" else row.get(name)
        return _message_text(value) if value is not None else m.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", term, message)


# =============================================================================================
# SHACL-SPARQL, natively: one function per query, found by the hash of its text and prefixes


Solutions = list[dict[str, Term]]


def _query_key(text: str, prefixes: dict[str, str]) -> str:
    declared = " ".join(f"{p}={ns}" for p, ns in sorted(prefixes.items()))
    return hashlib.sha256((" ".join(text.split()) + " | " + declared).encode("utf-8")).hexdigest()


def _prefixes(sg: Graph, node: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for holder in sg.objects(node, SH.prefixes):
        for decl in sg.objects(holder, SH.declare):
            out[str(sg.value(decl, SH.prefix))] = str(sg.value(decl, SH.namespace))
    return out


def _native(sg: Graph, node: Node, kind: str, where: str) -> Callable[..., object]:
    """The native function of a SPARQL target or constraint, by the hash of its query.

    :raises UnsupportedShapes: the query is not one this engine knows (the shapes changed).
    """
    text = sg.value(node, SH.select)
    if text is None:
        raise UnsupportedShapes(f"{where}: a SHACL-SPARQL {kind} without sh:select (ASK or other forms)")
    prefixes = _prefixes(sg, node)
    key = _query_key(str(text), prefixes)
    known = _NATIVE.get(key)
    if known is None or known[0] != kind:
        raise UnsupportedShapes(
            f"{where}: the SPARQL {kind} {_one_line(str(text))[:80]!r}… (sha256 {key[:12]}) changed"
        )
    fn = known[1]
    if kind == "constraint":
        query = _sparql_text(str(text), prefixes)
        return functools.partial(fn, query=query)
    return fn


def _sparql_text(text: str, prefixes: dict[str, str]) -> str:
    head = "".join("PREFIX " + p + ": <" + ns + ">\n" for p, ns in sorted(prefixes.items()))
    return head + text


def _run_sparql(g: DataGraph, query: str, focus: Term) -> Solutions:
    """A SHACL-SPARQL SELECT run for real, on a pyoxigraph store of the graph, ``$this`` pre-bound."""
    result = g.store().query(query, substitutions={ox.Variable("this"): _to_ox(focus)})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row: dict[str, Term] = {}
        for name in names:
            t = solution[name]
            if t is not None:
                row[name] = _from_ox(t)
        rows.append(row)
    return rows


# --- the targets


def _structure_target(structure: str) -> Callable[[DataGraph], list[Term]]:
    """``SELECT ?this WHERE { ?this qb:dataSet/qb:structure S ; a qb:Observation . }``"""

    def target(g: DataGraph) -> list[Term]:
        return [
            o
            for ds in g.subjects(QB + "structure", structure)
            for o in g.subjects(QB + "dataSet", ds)
            if QB + "Observation" in g.objects(o, RDF_TYPE)
        ]

    return target


def _schemes(g: DataGraph, prefix: str = "") -> list[str]:
    return [
        s
        for s in g.subjects(RDF_TYPE, SKOS + "ConceptScheme")
        if isinstance(s, str) and not s.startswith("_:") and s.startswith(prefix)
    ]


def _code_solutions(g: DataGraph, focus: Term, schemes: list[str]) -> Solutions:
    rows = []
    for scheme in schemes:
        start = scheme + "/"
        for p, objs in g.spo.get(focus, {}).items():
            for v in objs:
                if (
                    isinstance(v, str)
                    and not v.startswith("_:")
                    and v.startswith(start)
                    and scheme not in g.objects(v, SKOS + "inScheme")
                ):
                    rows.append({"this": focus, "path": p, "value": v, "scheme": scheme})
    return rows


def _code_in_scheme_target(g: DataGraph) -> list[Term]:
    schemes = _schemes(g, CODE)
    if not schemes:
        return []
    return [o for o in g.subjects(RDF_TYPE, QB + "Observation") if _code_solutions(g, o, schemes)]


def _code_in_scheme(g: DataGraph, focus: Term, query: str) -> Solutions:
    return _code_solutions(g, focus, _schemes(g))


_UNIT_MISSING = ("unit-missing", XSD_STRING, None)


def _unit_note_solutions(g: DataGraph, focus: Term) -> Solutions:
    props = g.spo.get(focus, {})
    if "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure" in props:
        return []
    for note in g.subjects("http://www.w3.org/ns/oa#hasTarget", focus):
        if _UNIT_MISSING in g.objects(note, GK + "issueCode"):
            return []
    return [{"this": focus, "path": p, "value": v} for p in (GK + "amount", GK + "quantity") for v in props.get(p, ())]


def _unit_note_target(g: DataGraph) -> list[Term]:
    subjects = dict.fromkeys(s for p in (GK + "amount", GK + "quantity") for s, _o in g.pairs(p))
    return [s for s in subjects if _unit_note_solutions(g, s)]


def _unit_note(g: DataGraph, focus: Term, query: str) -> Solutions:
    return _unit_note_solutions(g, focus)


def _measure_type_solutions(g: DataGraph, focus: Term) -> Solutions:
    props = g.spo.get(focus, {})
    return [
        {"this": focus, "path": QB + "measureType", "value": m}
        for m in props.get(QB + "measureType", ())
        if m not in props
    ]


def _measure_type_target(g: DataGraph) -> list[Term]:
    return [
        s
        for s in dict.fromkeys(s for s, _m in g.pairs(QB + "measureType"))
        if QB + "Observation" in g.objects(s, RDF_TYPE) and _measure_type_solutions(g, s)
    ]


def _measure_type_value(g: DataGraph, focus: Term, query: str) -> Solutions:
    return _measure_type_solutions(g, focus)


def _strafter_str(term: Term, marker: str) -> str | None:
    """``STRAFTER(STR(term), marker)``; None (an error) for a blank node."""
    text = term[0] if isinstance(term, tuple) else None if term.startswith("_:") else term
    if text is None:
        return None
    _head, sep, tail = text.partition(marker)
    return tail if sep else ""


def _column_solutions(g: DataGraph, focus: Term) -> Solutions:
    props = g.spo.get(focus, {})
    rows = []
    for col in props.get(GK + "column", ()):
        column = _strafter_str(col, "/code/column/")
        if column is None:
            continue
        expected = GK + (
            "change" if column == "change" else "amount" if column in ("procurement-amount", "fee-amount") else "count"
        )
        for m in props.get(QB + "measureType", ()):
            if m != expected:  # a literal or blank node is never equal to an IRI
                rows.append(
                    {
                        "this": focus,
                        "path": QB + "measureType",
                        "value": m,
                        "column": (column, XSD_STRING, None),
                        "expected": expected,
                    }
                )
    return rows


def _column_target(g: DataGraph) -> list[Term]:
    return [s for s in dict.fromkeys(s for s, _c in g.pairs(GK + "column")) if _column_solutions(g, s)]


def _column_measure(g: DataGraph, focus: Term, query: str) -> Solutions:
    return _column_solutions(g, focus)


# --- the arithmetic of the tables (native when every value is plain; else real SPARQL)

_PLAIN_CODES = (GK + "request", GK + "applicant", GK + "result", GK + "proceeding", GK + "template")


def _plain_values(g: DataGraph) -> bool:
    """Every gk:count is an xsd:integer within ±2^53 in canonical form, every code an IRI."""
    for _s, objs in g.with_predicate(GK + "count"):
        for v in objs:
            if not isinstance(v, tuple) or v[1] != XSD_INTEGER or not _PLAIN_INTEGER.fullmatch(v[0]) or len(v[0]) > 16:
                return False
    for p in _PLAIN_CODES:
        for _s, objs in g.with_predicate(p):
            for v in objs:
                if isinstance(v, tuple) or v.startswith("_:"):
                    return False
    return True


def _integer(n: int) -> Term:
    return (str(n), XSD_INTEGER, None)


def _cells(g: DataGraph, report: Term, dims: tuple[str, str]) -> list[tuple[Term, Term, Term, int]]:
    """(observation, first dimension value, second dimension value, count) of each observation of
    ``report``, one per combination of its values."""
    out = []
    d1, d2 = dims
    for o in g.subjects(GK + "report", report):
        props = g.spo[o]
        counts = props.get(GK + "count", ())
        for a in props.get(d1, ()):
            for b in props.get(d2, ()):
                for c in counts:
                    out.append((o, a, b, int(c[0])))  # type: ignore[index]
    return out


def _arith(native: Callable[[DataGraph, Term], Solutions]) -> Callable[..., Solutions]:
    def solve(g: DataGraph, focus: Term, query: str) -> Solutions:
        if g.plain("arith", _plain_values):
            return native(g, focus)
        return _run_sparql(g, query, focus)

    return solve


def _table3_balance(g: DataGraph, report: Term) -> Solutions:
    by_row: dict[str, dict[Term, list[int]]] = {}
    for _o, req, app, v in _cells(g, report, (GK + "request", GK + "applicant")):
        by_row.setdefault(req, {}).setdefault(app, []).append(v)  # type: ignore[arg-type]
    req = CODE + "request/"
    rows = []
    for app, news in by_row.get(req + "1", {}).items():
        for new in news:
            for carried_in in by_row.get(req + "2", {}).get(app, ()):
                for total in by_row.get(req + "3.7", {}).get(app, ()):
                    for carried_out in by_row.get(req + "4", {}).get(app, ()):
                        lhs, rhs = new + carried_in, total + carried_out
                        if lhs != rhs:
                            rows.append(
                                {
                                    "column": (_strafter_str(app, "/code/applicant/"), XSD_STRING, None),
                                    "new": _integer(new),
                                    "carriedIn": _integer(carried_in),
                                    "total": _integer(total),
                                    "carriedOut": _integer(carried_out),
                                    "lhs": _integer(lhs),
                                    "rhs": _integer(rhs),
                                }
                            )
    return rows  # type: ignore[return-value]


def _grouped_sums(
    totals: list[tuple[Term, str, int]], parts: dict[Term, list[tuple[Term, int]]], extra: object = None
) -> dict[tuple[str, int, object], tuple[set[Term], int]]:
    """GROUP BY (label, total): the distinct part keys and the sum of the parts' values."""
    groups: dict[tuple[str, int, object], tuple[set[Term], int]] = {}
    for join, label, total in totals:
        for key, v in parts.get(join, ()):
            keys, s = groups.get((label, total, extra), (set(), 0))
            keys.add(key)
            groups[(label, total, extra)] = (keys, s + v)
    return groups


def _table3_row_total(g: DataGraph, report: Term) -> Solutions:
    total_app = CODE + "applicant/total"
    totals, parts = [], {}
    for _o, req, app, v in _cells(g, report, (GK + "request", GK + "applicant")):
        if app == total_app:
            totals.append((req, _strafter_str(req, "/code/request/"), v))
        else:
            parts.setdefault(req, []).append((app, v))
    rows = []
    for (row, total, _x), (apps, s) in _grouped_sums(totals, parts).items():  # type: ignore[arg-type]
        if len(apps) == 6 and s != total:
            rows.append({"row": (row, XSD_STRING, None), "total": _integer(total), "sum": _integer(s)})
    return rows  # type: ignore[return-value]


_LEAF_ROWS = {
    "3.1", "3.2", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6", "3.3.7", "3.3.8",
    "3.4.1", "3.4.2", "3.4.3", "3.5.1", "3.5.2", "3.5.3", "3.5.4", "3.5.5",
}  # fmt: skip
_TEMPLATE_ROWS = {
    CODE + "template/2019": (19, {"3.6"}),
    CODE + "template/2021": (21, {"3.6.1", "3.6.2", "3.6.3"}),
}


def _table3_outcome_total(g: DataGraph, report: Term) -> Solutions:
    cells = _cells(g, report, (GK + "request", GK + "applicant"))
    rows = []
    groups: dict[tuple[str, int, int], tuple[set[Term], int]] = {}
    for tpl in g.objects(report, GK + "template"):
        if tpl not in _TEMPLATE_ROWS:
            continue
        n_rows, own = _TEMPLATE_ROWS[tpl]  # type: ignore[index]
        totals = [(app, v) for _o, req, app, v in cells if req == CODE + "request/3.7"]
        by_app: dict[Term, list[tuple[Term, int]]] = {}
        for _o, leaf, app, v in cells:
            row = _strafter_str(leaf, "/code/request/")
            if row in _LEAF_ROWS or row in own:
                by_app.setdefault(app, []).append((leaf, v))
        for app, total in totals:
            column = _strafter_str(app, "/code/applicant/")
            for leaf, v in by_app.get(app, ()):
                key = (column, total, n_rows)
                leaves, s = groups.get(key, (set(), 0))  # type: ignore[arg-type]
                leaves.add(leaf)
                groups[key] = (leaves, s + v)  # type: ignore[index]
    for (column, total, n_rows), (leaves, s) in groups.items():
        if len(leaves) == n_rows and s != total:
            rows.append({"column": (column, XSD_STRING, None), "total": _integer(total), "sum": _integer(s)})
    return rows  # type: ignore[return-value]


_RESULTS = {CODE + "result/" + r for r in ("upheld", "corrected", "other", "pending")}


def _table4_total(g: DataGraph, report: Term) -> Solutions:
    totals, parts = [], {}
    for _o, proc, res, v in _cells(g, report, (GK + "proceeding", GK + "result")):
        if res == CODE + "result/total":
            totals.append((proc, _strafter_str(proc, "/code/proceeding/"), v))
        if res in _RESULTS:
            parts.setdefault(proc, []).append((res, v))
    rows = []
    for (label, total, _x), (results, s) in _grouped_sums(totals, parts).items():  # type: ignore[arg-type]
        if len(results) == 4 and s != total:
            rows.append({"proceeding": (label, XSD_STRING, None), "total": _integer(total), "sum": _integer(s)})
    return rows  # type: ignore[return-value]


# The queries of shapes/gongkai-shapes.ttl this engine knows: sha256 of (whitespace-normalised
# text | prefixes) (see _query_key) -> (kind, native function). To change a query in the shapes,
# change its function here and its hash (the error message of compile_shapes gives it).
_NATIVE: dict[str, tuple[str, Callable[..., object]]] = {
    # gks:CodeInSchemeShape
    "103ec48c0e71ce0e51cc3bd51bc01522acc66fed49189d6941329952feaedef0": ("target", _code_in_scheme_target),
    "11d64ded8ce701001cea0a1aecb588f2dd0bc9a47a32a7b01dc305669bcd9c8e": ("constraint", _code_in_scheme),
    # gks:UnitNoteShape
    "b5e33b08c8ce3da905b5224a6168c049f6d81f0019d7bc334b62ce516f19e126": ("target", _unit_note_target),
    "e4ce4c76c64ada180b7ccc83f5d5c7dc9ff755b8e8bf0952e5fb1eeb786e038f": ("constraint", _unit_note),
    # gks:MeasureTypeValueShape
    "a49d90b13e04caf39a7419f92f62566a1879fe2514af304604bb68cba405d309": ("target", _measure_type_target),
    "1d85e2de08c020c098fa102edfe38b64d501cac2262cb39408ef833fe235be99": ("constraint", _measure_type_value),
    # gks:Table2ColumnMeasureShape
    "9f993922bbc6b8f6285d403f9cab44cdd54a0766a761cf0d228417b42267836b": ("target", _column_target),
    "d7643ce097136f2f65214ac14e9cdfe48e416d8e35d11f2c193edcc769d94f44": ("constraint", _column_measure),
    # the observations of each structure
    "27ef63cf55042d1ad3638d77137f6c0fc8db4a07f80e2897f0107d9f9b8353ee": (
        "target",
        _structure_target(GK + "table2Structure"),
    ),
    "b5e8a6cc337eb882ed2294ec8b06e5e0d8482005e5c72a4acad62c4634b4c1d6": (
        "target",
        _structure_target(GK + "table3Structure"),
    ),
    "a8bdbaaefdfa62226abcd2f4ef25713aff28d6effe92ef90f32a328da7dc8c42": (
        "target",
        _structure_target(GK + "table4Structure"),
    ),
    "6688eff6953d1eda62a7ea08bbc747b85320eebae11d8b0083072d772b9c219e": (
        "target",
        _structure_target(GK + "legacyStructure"),
    ),
    # gks:ArithmeticShape
    "6d31fb6ae9d73aa8f3220b94faf188b676c3155f20a72bc8afc3c151f9152825": ("constraint", _arith(_table3_balance)),
    "b8be0f4aab4e675d2ad233410258fa2aa962f2314e3c1fc370ec9ec38e00a545": ("constraint", _arith(_table3_row_total)),
    "0832c471bc54c6b710fe6a65860f3efaa77fd9ed4297a97da7485cd3f60c174f": ("constraint", _arith(_table3_outcome_total)),
    "e86c5395e09a6ced9256a26ba15a7a6322179c3a8f7e972808a3129e97f68d22": ("constraint", _arith(_table4_total)),
}
