"""Evaluating a query and writing its result: :func:`execute`, the result formats and their negotiation.

:func:`execute` (in a query worker, or in the request thread): a second, independent ``SERVICE``
check on rdflib's parse of the query (:mod:`endpoint.sparql.guard`); then ``Store.query`` over the
union of the named graphs (or the protocol dataset); then the result is serialized to bytes **in
the same function**, because pyoxigraph result objects must not cross threads. At most
``max_rows`` rows (or triples) are kept; a cut result says so (``SparqlResult.truncated`` →
``X-Gongkai-Truncated: true``), never silently.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse_query_results,
    serialize,
)

from endpoint.conneg import Format, NoAcceptableFormat, negotiate
from endpoint.errors import BadQuery, HttpError, NotAcceptable
from endpoint.sparql.guard import _keywords, _service_in_algebra

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# A graph name that never exists: pyoxigraph reads ``named_graphs=[]`` as "all graphs", so an
# explicitly empty set of named graphs (protocol dataset with default graphs only) uses this.
_NO_GRAPH = NamedNode("urn:x-gongkai:no-named-graph")


# --------------------------------------------------------------------------------------------
# Result formats. Rows use ``endpoint.conneg.Format`` so that negotiation is conneg's; order
# breaks ties (the first row is the default).

RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        ("application/sparql-results+json", "application/json", "text/javascript", "application/javascript"),
        ".srj",
        None,
        "SPARQL JSON",
    ),
    Format("xml", ("application/sparql-results+xml", "application/xml", "text/xml"), ".srx", None, "SPARQL XML"),
    Format("csv", ("text/csv",), ".csv", None, "CSV"),
    Format("tsv", ("text/tab-separated-values",), ".tsv", None, "TSV"),
)
RESULTS_FORMAT: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "ttl",
        ("text/turtle", "application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ".ttl",
        RdfFormat.TURTLE,
        "Turtle",
    ),
    Format(
        "jsonld",
        ("application/ld+json", "application/x-json+ld", "application/json"),
        ".jsonld",
        RdfFormat.JSON_LD,
        "JSON-LD",
    ),
    Format("rdf", ("application/rdf+xml", "application/xml", "text/xml"), ".rdf", RdfFormat.RDF_XML, "RDF/XML"),
    Format("nt", ("application/n-triples", "text/plain"), ".nt", RdfFormat.N_TRIPLES, "N-Triples"),
    Format("nq", ("application/n-quads",), ".nq", RdfFormat.N_QUADS, "N-Quads"),
)
# Values of the ``format`` request parameter (as sent by SPARQLWrapper and browsers' forms).
_RESULT_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
_GRAPH_ALIASES = {
    "turtle": "ttl",
    "ttl": "ttl",
    "n3": "ttl",
    "json-ld": "jsonld",
    "jsonld": "jsonld",
    "json": "jsonld",
    "xml": "rdf",
    "rdf": "rdf",
    "rdfxml": "rdf",
    "rdf+xml": "rdf",
    "rdf-xml": "rdf",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "nq": "nq",
    "nquads": "nq",
    "n-quads": "nq",
}


def choose_format(family: str, accept: str | None, format_param: str | None) -> Format:
    """The response format for a query of ``family`` (``"results"`` for SELECT/ASK, ``"graph"``
    for CONSTRUCT/DESCRIBE): the ``format`` parameter wins over ``Accept``.

    :raises NotAcceptable: nothing offered matches.
    """
    offers = RESULT_FORMATS if family == "results" else GRAPH_FORMATS
    aliases = _RESULT_ALIASES if family == "results" else _GRAPH_ALIASES
    if format_param:
        key = aliases.get(format_param.strip().lower())
        if key is not None:
            return next(f for f in offers if f.key == key)
        if "/" not in format_param:
            raise NotAcceptable(
                f"unknown format {format_param!r}; use one of {', '.join(sorted(aliases))} or a media type"
            )
        accept = format_param
    try:
        return negotiate(accept, offers)
    except NoAcceptableFormat:
        what = "SELECT/ASK results" if family == "results" else "CONSTRUCT/DESCRIBE results"
        served = ", ".join(f.media_type for f in offers)
        raise NotAcceptable(f"{what} can be served as {served}; none matches {accept!r}") from None


# --------------------------------------------------------------------------------------------
# Requests and results


@dataclass(frozen=True)
class SparqlRequest:
    """One query and what the client asked for; plain data, so it can go to a worker process."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    base_iri: str | None = None
    max_rows: int = 10_000
    # whether the query has FROM / FROM NAMED (QueryWords.has_from), read in the request thread;
    # None: the worker reads it
    has_from: bool | None = None


@dataclass(frozen=True)
class SparqlResult:
    """Serialized query results; ``truncated`` when rows or triples past the limit were cut."""

    body: bytes
    content_type: str
    truncated: bool


# --------------------------------------------------------------------------------------------
# Evaluation (runs where the store is: a worker process, or the request thread)


def execute(store: Store, req: SparqlRequest) -> SparqlResult:
    """Evaluate ``req`` on ``store`` and serialize the result to bytes.

    The pyoxigraph result object lives and dies inside this call: errors are re-raised only
    after it (and the traceback frames holding it) are gone, so nothing unsendable leaves the
    thread.

    :raises BadQuery: the query is malformed or uses SERVICE.
    :raises NotAcceptable: no acceptable format for this kind of result.
    :raises HttpError: the store failed (500).
    """
    failure: tuple[type[HttpError], str]
    try:
        return _execute(store, req)
    except HttpError as exc:
        failure = (type(exc), exc.message)
    except SyntaxError as exc:
        failure = (BadQuery, f"malformed query: {exc}")
    except (ValueError, TypeError, RuntimeError) as exc:
        failure = (BadQuery, f"query refused: {exc}")
    except OSError as exc:
        log.error("store error while answering a query: %s", exc)
        failure = (HttpError, f"store error: {exc}")
    # Outside the except blocks: the traceback (and any result object in its frames) is freed.
    raise failure[0](failure[1])


def _dataset_options(req: SparqlRequest) -> dict[str, Any]:
    """The dataset: the protocol's (``default-graph-uri``/``named-graph-uri``) if given, else the
    query's own (``FROM``/``FROM NAMED``), else the union of all named graphs as default graph.
    (pyoxigraph ignores ``FROM`` when ``use_default_graph_as_union`` is set, hence the check.)"""
    if not req.default_graphs and not req.named_graphs:
        has_from = req.has_from if req.has_from is not None else "FROM" in _keywords(req.query)
        if has_from:
            return {}
        return {"use_default_graph_as_union": True}
    try:
        default = [NamedNode(iri) for iri in req.default_graphs]
        named = [NamedNode(iri) for iri in req.named_graphs] or [_NO_GRAPH]
    except ValueError as exc:
        raise BadQuery(f"invalid graph IRI in default-graph-uri/named-graph-uri: {exc}") from None
    return {"default_graph": default, "named_graphs": named}


def _execute(store: Store, req: SparqlRequest) -> SparqlResult:
    if _service_in_algebra(req.query, req.base_iri):
        raise BadQuery(
            "federated queries (SERVICE) are not allowed on this endpoint; query the remote endpoint directly"
        )
    result: QueryBoolean | QuerySolutions | QueryTriples | None = store.query(
        req.query, base_iri=req.base_iri, **_dataset_options(req)
    )
    try:
        if isinstance(result, QueryBoolean):
            fmt = choose_format("results", req.accept, req.format)
            body = result.serialize(format=RESULTS_FORMAT[fmt.key]) or b""
            return SparqlResult(body, fmt.content_type, truncated=False)
        if isinstance(result, QuerySolutions):
            fmt = choose_format("results", req.accept, req.format)
            if fmt.key == "json":
                fast = _serialize_json_natively(result, req.max_rows)
                if fast is not None:
                    return SparqlResult(fast, fmt.content_type, truncated=False)
                # more than max_rows (or a large result): evaluate again and truncate row by row
                result = None
                result = store.query(req.query, base_iri=req.base_iri, **_dataset_options(req))
                assert isinstance(result, QuerySolutions)
            return _serialize_solutions(result, fmt, req.max_rows)
        if isinstance(result, QueryTriples):
            fmt = choose_format("graph", req.accept, req.format)
            return _serialize_triples(result, fmt, req.max_rows)
        raise TypeError(f"unexpected query result {type(result).__name__}")
    finally:
        # This frame can outlive the call (a frame it called kept in a reference cycle holds it
        # through ``f_back``, as rdflib's first parse does), and with it its locals: drop the
        # result object now, on this thread (see tests/endpoint/test_result_objects.py).
        result = None


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


class _TooLarge(Exception):
    pass


class _BoundedSink:
    """A file-like sink for pyoxigraph's serializer that gives up past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


# Results up to this size are serialized by Oxigraph itself (in Rust, 2x faster than building
# the JSON in Python), then their rows counted; larger ones take the row-by-row path.
NATIVE_JSON_LIMIT = 4 << 20


def _serialize_json_natively(solutions: QuerySolutions, max_rows: int) -> bytes | None:
    """SPARQL JSON written by Oxigraph; None (the iterator is then spent) when it is over
    :data:`NATIVE_JSON_LIMIT` bytes or ``max_rows`` rows."""
    sink = _BoundedSink(NATIVE_JSON_LIMIT)
    too_large = False
    try:
        solutions.serialize(sink, QueryResultsFormat.JSON)  # type: ignore[arg-type]  # Oxigraph only calls write(); its hint wants an IO
    except (_TooLarge, OSError, ValueError):
        too_large = True
    finally:
        del solutions  # this frame may outlive the call (see _execute)
    if too_large:  # outside the except block: nothing holds the result object's frames
        return None
    body = b"".join(sink.parts)
    return body if _within_rows(body, max_rows) else None


def _within_rows(body: bytes, max_rows: int) -> bool:
    """Whether Oxigraph's compact SPARQL JSON ``body`` has at most ``max_rows`` rows, parsed
    only when it might not.

    Oxigraph writes ``{"head":…,"results":{"bindings":[{…},{…}]}}`` without spaces: rows are
    separated by ``},{``, which elsewhere can only occur inside a string value. So the number of
    ``},{`` + 1 bounds the row count from above (a bytes scan, ~50 times cheaper than a parse).
    """
    if body.count(b"},{") + 1 <= max_rows:
        return True
    return len(json.loads(body)["results"]["bindings"]) <= max_rows


def _serialize_solutions(solutions: QuerySolutions, fmt: Format, max_rows: int) -> SparqlResult:
    """Keep at most ``max_rows`` solutions: write them as SPARQL JSON, and convert that to the
    other formats with pyoxigraph's own parser and serializers."""
    variables = solutions.variables
    names = [v.value for v in variables]
    bindings = []
    try:
        for solution in itertools.islice(solutions, max_rows + 1):
            row = {}
            for var, name in zip(variables, names, strict=True):
                term = solution[var]
                if term is not None:
                    row[name] = _term_json(term)
            bindings.append(row)
    finally:
        del solutions  # this frame may outlive the call (see _execute)
    truncated = len(bindings) > max_rows
    del bindings[max_rows:]
    doc: dict[str, Any] = {"head": {"vars": names}, "results": {"bindings": bindings}}
    if truncated and fmt.key == "json":
        # An extra top-level member next to head/results (readers skip unknown members), so
        # that a cut result says so in the body too, not only in X-Gongkai-Truncated.
        doc["gongkai"] = {"truncated": True, "limit": max_rows}
    body = json.dumps(
        doc,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    if fmt.key != "json":
        body = _reserialize(body, RESULTS_FORMAT[fmt.key])
    return SparqlResult(body, fmt.content_type, truncated=truncated)


def _reserialize(json_body: bytes, format: QueryResultsFormat) -> bytes:
    """SPARQL JSON results rewritten in ``format`` by pyoxigraph's parser and serializer."""
    parsed = parse_query_results(json_body, QueryResultsFormat.JSON)
    try:
        return parsed.serialize(format=format) or b""
    finally:
        del parsed  # this frame may outlive the call (see _execute)


def _serialize_triples(triples: QueryTriples, fmt: Format, max_rows: int) -> SparqlResult:
    from endpoint.render.rdf import SERIALIZATION_PREFIXES

    try:
        kept: list[Triple] = list(itertools.islice(triples, max_rows + 1))
    finally:
        del triples  # this frame may outlive the call (see _execute)
    truncated = len(kept) > max_rows
    del kept[max_rows:]
    assert fmt.rdf_format is not None
    items: Sequence[Triple] | Sequence[Quad] = kept
    if fmt.rdf_format.supports_datasets:
        items = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in kept]
    body = serialize(items, format=fmt.rdf_format, prefixes=SERIALIZATION_PREFIXES) or b""
    return SparqlResult(body, fmt.content_type, truncated=truncated)
