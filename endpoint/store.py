"""The store side of the SPARQL endpoint: guards, evaluation, serialization, and the time limit.

Every user query goes through three steps:

1. :func:`query_words` (in the request thread, cheap, lexical): refuses over-long queries
   (413), SPARQL Update (403; the service is read-only) and any ``SERVICE`` keyword (400;
   pyoxigraph would otherwise make outbound HTTP requests to any address, loopback included).
   Codepoint escapes (``\\u0053ERVICE``) are checked both raw and unescaped.
2. :func:`execute` (in a query worker): a second, independent ``SERVICE`` check on rdflib's
   parse of the query (algebra traversal, finds it in OPTIONAL, subqueries, FILTER EXISTS);
   then ``Store.query`` over the union of the named graphs (or the protocol dataset); then the
   result is serialized to bytes **in the same function**, because pyoxigraph result objects
   must not cross threads. At most ``max_rows`` rows (or triples) are kept; a cut result says
   so (``SparqlResult.truncated`` → ``X-Gongkai-Truncated: true``), never silently.
3. The time limit: :class:`QueryPool` keeps a few worker processes, each holding
   ``Store.read_only(path)`` (plain subprocesses talking over a socket pair). A query is sent to
   an idle worker; if no answer comes within ``query_timeout_s`` (waiting for a free worker
   included) the worker is killed (pyoxigraph 0.5 has no cancellation in its Python API,
   oxigraph issue #1926) and replaced, and the client gets 503 naming the limit. A client that
   closes its connection while its query runs has the query stopped the same way (checked every
   :data:`GONE_POLL_S` once the query has run that long), so abandoned queries do not hold
   workers until the limit. With
   ``query_timeout_s <= 0`` queries run inline in the request thread, without a limit. The app's
   own fixed queries (pages, VoID) run in-process on ``app.state.store``, without this limit.
   The pool tells ``QueryPool.on_event`` (if set; ``endpoint.metrics`` counts them) of each
   query stopped at the limit and each worker stopped and replaced (:data:`PoolEvent`), and
   :meth:`QueryPool.workers_alive` says which of its workers are alive (``/healthz``).

Fixed queries used by the app itself live in ``endpoint/queries/*.rq`` (:mod:`endpoint.sparql.fixed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
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
from endpoint.errors import (
    ERRORS_BY_SLUG,
    BadQuery,
    ClientGone,
    Forbidden,
    HttpError,
    NotAcceptable,
    PayloadTooLarge,
    QueryTimeout,
)

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# A graph name that never exists: pyoxigraph reads ``named_graphs=[]`` as "all graphs", so an
# explicitly empty set of named graphs (protocol dataset with default graphs only) uses this.
_NO_GRAPH = NamedNode("urn:x-gongkai:no-named-graph")


# --------------------------------------------------------------------------------------------
# Fixed queries


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
# Guard 1: lexical checks in the request thread

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
      (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                | '''(?:[^'\\]|\\.|'(?!''))*'''
                | "(?:[^"\\\n\r]|\\.)*"
                | '(?:[^'\\\n\r]|\\.)*')
    | (?P<comment>\#[^\n\r]*)
    | (?P<var>[?$]\w*)
    | (?P<pname>(?:[^\W\d][\w.\-]*)?:[\w.\-:%\\]*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def _unescape_codepoints(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group(0)

    return _CODEPOINT.sub(repl, text)


def _keywords(text: str) -> Iterator[str]:
    """The bare words of a SPARQL text (keywords, ``a``, ``true``), upper-cased, outside IRIs,
    strings, comments, variables and prefixed names."""
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            yield m.group().upper()


@dataclass(frozen=True)
class QueryWords:
    """What the bare words of a query text say (see :func:`query_words`)."""

    form: str | None  # select, ask, construct, describe; None when it cannot be told
    deterministic: bool  # calls none of NONDETERMINISTIC
    has_from: bool  # FROM / FROM NAMED: the query names its own dataset


def query_words(text: str, *, max_length: int) -> QueryWords:
    """Refuse what must never reach the store, and read what the route and the worker need to
    know about ``text``, in one lexical pass (the text and its codepoint escapes undone).
    Texts up to :data:`WORDS_CACHED_UP_TO` characters are read once and remembered: pages and
    clients send the same query texts again and again.

    :raises PayloadTooLarge: the query is longer than ``max_length`` characters.
    :raises Forbidden: it is a SPARQL Update.
    :raises BadQuery: it contains ``SERVICE`` (federated queries are refused).
    """
    if len(text) > max_length:
        raise PayloadTooLarge(f"the query has {len(text)} characters; this endpoint accepts at most {max_length}")
    if len(text) <= WORDS_CACHED_UP_TO:
        return _read_words_cached(text)
    return _read_words(text)


WORDS_CACHED_UP_TO = 8192


def _read_words(text: str) -> QueryWords:
    form: str | None = None
    deterministic, has_from = True, False
    for variant in dict.fromkeys((text, _unescape_codepoints(text))):
        words = list(_keywords(variant))
        seen = set(words)
        if "SERVICE" in seen:
            raise BadQuery(
                "federated queries (SERVICE) are not allowed on this endpoint; query the remote endpoint directly"
            )
        first = next((w for w in words if w not in {"PREFIX", "BASE"}), None)
        if first in UPDATE_KEYWORDS:
            raise Forbidden("this endpoint is read-only: SPARQL Update is not accepted")
        if form is None and first is not None:
            form = QUERY_FORMS.get(first)
        deterministic = deterministic and seen.isdisjoint(NONDETERMINISTIC)
        has_from = has_from or "FROM" in seen
    return QueryWords(form, deterministic, has_from)


_read_words_cached = lru_cache(maxsize=1024)(_read_words)


def check_query(text: str, *, max_length: int) -> str | None:
    """The query form of ``text`` after the checks of :func:`query_words` (which see)."""
    return query_words(text, max_length=max_length).form


# Calls that give another answer at every evaluation: such answers are never kept (response cache)
NONDETERMINISTIC = {"NOW", "RAND", "UUID", "STRUUID", "BNODE"}


# --------------------------------------------------------------------------------------------
# Guard 2 and evaluation (runs where the store is: a worker process, or the request thread)


@lru_cache(maxsize=512)
def _service_in_algebra(text: str, base_iri: str | None) -> bool | None:
    """True if rdflib's algebra of ``text`` has a SERVICE pattern; None if rdflib cannot parse
    it (the lexical guard then stands alone; rdflib and oxigraph parsers disagree on edges).
    rdflib's parser is slow next to the other checks, so it runs only when the letters ``service``
    occur somewhere in the text (escapes undone, any case): a SERVICE pattern cannot be written
    without them.
    Results are cached per query text."""
    if "SERVICE" not in text.upper() and "SERVICE" not in _unescape_codepoints(text).upper():
        return False
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = prepareQuery(text, base=base_iri).algebra
    except Exception:  # noqa: BLE001 - any rdflib parse failure just disables this layer
        return None

    def walk(node: Any) -> bool:
        if isinstance(node, CompValue):
            return node.name == "ServiceGraphPattern" or any(walk(v) for v in node.values())
        if isinstance(node, list | tuple | set):
            return any(walk(v) for v in node)
        return False

    return walk(algebra)


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


# --------------------------------------------------------------------------------------------
# The time limit: a pool of worker processes


def worker_main() -> None:
    """Entry point of a query worker process: ``python -c … FD STORE_PATH``.

    Opens the store read-only once, then answers requests arriving on the socket ``FD`` until
    EOF or ``None``. The worker is a plain subprocess (not ``multiprocessing``) so that it never
    re-imports the server's ``__main__``.
    """
    fd, store_path = int(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it closes us
    conn = Connection(fd)
    try:
        store: Store | None = Store.read_only(store_path)
        open_error = ""
    except OSError as exc:
        store, open_error = None, str(exc)
    _service_in_algebra("ASK {}", None)  # import rdflib's SPARQL parser now, not in the first query
    try:
        conn.send("ready")  # the pool starts a query's clock only now (_Worker.wait_ready)
    except OSError:
        return
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        if req is None:
            return
        if store is None:
            reply: tuple[Any, ...] = ("error", "internal-error", f"cannot open the store: {open_error}")
        else:
            try:
                reply = ("ok", execute(store, req))
            except HttpError as exc:
                reply = ("error", exc.slug, exc.message)
        try:
            conn.send(reply)
        except OSError:
            return


class _Worker:
    """One worker process and our end of its socket."""

    def __init__(self, store_path: str) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from endpoint.store import worker_main; worker_main()",
                str(theirs.fileno()),
                store_path,
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False

    def wait_ready(self) -> bool:
        """Wait (at most :data:`WORKER_START_S`) for the worker to say it has opened the store, so
        that its start-up is not counted against the first query it answers; False: it did not."""
        if not self.ready:
            try:
                self.ready = self.conn.poll(WORKER_START_S) and self.conn.recv() == "ready"
            except (EOFError, OSError):
                return False
        return self.ready

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()


def _answer(reply: tuple[Any, ...]) -> SparqlResult:
    """A worker's reply: its result, or the error it refused the query with."""
    if reply[0] == "ok":
        result: SparqlResult = reply[1]
        return result
    raise ERRORS_BY_SLUG.get(reply[1], HttpError)(reply[2])


# What the pool reports to ``QueryPool.on_event``: ("time_limit", "queued") no worker came free
# within the limit; ("time_limit", "running") a query ran past it and its worker was killed;
# ("restart", reason) a worker was stopped to be replaced, reason one of RESTART_REASONS.
PoolEvent = Callable[[str, str], None]
WORKER_START_S = 60.0  # how long a new query worker may take to open the store (a busy machine)
TIME_LIMIT_STAGES = ("queued", "running")
RESTART_REASONS = ("time_limit", "client_gone", "failed", "died")


@dataclass(frozen=True)
class WorkerCheck:
    """The pool's workers as :meth:`QueryPool.workers_alive` found them."""

    size: int  # the pool's size (workers it runs at most)
    alive: int  # workers started and running
    dead: tuple[int, ...]  # process ids of workers found dead (they are dropped, and replaced on demand)


class QueryPool:
    """Worker processes that each hold ``Store.read_only(store_path)``; a query that outlives
    ``timeout_s`` has its worker killed and replaced (see the module docstring)."""

    def __init__(self, store_path: Path, *, size: int, timeout_s: float) -> None:
        self.store_path = str(store_path)
        self.size = size
        self.timeout_s = timeout_s
        self.on_event: PoolEvent | None = None
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._async_slots: asyncio.Semaphore | None = None  # made on first use, on the server's loop
        self._closed = False
        self._live: set[_Worker] = set()  # started and not yet killed or stopped
        self._live_lock = threading.Lock()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store_path)
        with self._live_lock:
            self._live.add(worker)
        return worker

    def _event(self, name: str, detail: str) -> None:
        if self.on_event is not None:
            try:
                self.on_event(name, detail)
            except Exception:  # counting must never fail a query
                log.exception("the query pool's event hook failed")

    def _retire(self, worker: _Worker, reason: str | None) -> None:
        """Kill ``worker`` (to be replaced: ``reason``) or, with no reason, stop it politely."""
        with self._live_lock:
            self._live.discard(worker)
        if reason is None:
            worker.stop()
            return
        worker.kill()
        self._event("restart", reason)

    def _started(self, worker: _Worker, deadline: float) -> float:
        """``deadline``, or a new one from now when ``worker`` had to start first (its start-up,
        seconds on a busy machine, is not the query's time).

        :raises HttpError: the worker did not start (it is retired).
        """
        if worker.ready:
            return deadline
        if not worker.wait_ready():
            self._retire(worker, "failed")
            raise HttpError(f"a query worker did not start within {WORKER_START_S:g} s; try again later", status=503)
        return max(deadline, time.monotonic() + self.timeout_s)

    def _time_limit(self, stage: str) -> QueryTimeout:
        self._event("time_limit", stage)
        if stage == "queued":
            return QueryTimeout(
                f"all {self.size} query workers stayed busy for {self.timeout_s:g} s "
                "(the query time limit); try again later"
            )
        return QueryTimeout(
            f"the query was stopped after {self.timeout_s:g} s, this endpoint's query "
            "time limit; narrow it down (LIMIT, more specific patterns) or use the dumps"
        )

    def workers_alive(self) -> WorkerCheck:
        """Which workers are alive: one ``waitpid(WNOHANG)`` each, nothing sent to them (a busy
        worker answers nobody else). A dead one (killed from outside: the OOM killer, an operator)
        is dropped from the idle workers now and reported once; a query that finds no idle worker
        starts a new one, as after a time limit."""
        with self._live_lock:
            workers = list(self._live)
        dead = [w for w in workers if w.process.poll() is not None]
        if dead:
            # Idle dead workers leave the idle stack now; a busy one is the business of the query
            # holding it (that query fails, and retires it).
            with self._idle.mutex:
                idle_dead = [w for w in self._idle.queue if w in dead]
                kept = [w for w in self._idle.queue if w not in dead]
                self._idle.queue.clear()
                self._idle.queue.extend(kept)
            for worker in idle_dead:
                with self._live_lock:
                    self._live.discard(worker)
                worker.conn.close()
                self._event("restart", "died")
        return WorkerCheck(self.size, len(workers) - len(dead), tuple(w.process.pid for w in dead))

    def start(self) -> None:
        """Start all workers now (they open the store while the server starts listening)."""
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def run(self, req: SparqlRequest) -> SparqlResult:
        """Answer ``req`` in a worker, within ``timeout_s`` (waiting for a free worker included).

        :raises QueryTimeout: the time ran out.
        :raises HttpError: the worker refused the query (its status) or died (500).
        """
        deadline = time.monotonic() + self.timeout_s
        if self._closed:
            raise HttpError("the query service is shutting down", status=503)
        if not self._slots.acquire(timeout=self.timeout_s):
            raise self._time_limit("queued")
        try:
            return self._run_in_worker(req, deadline)
        finally:
            self._slots.release()

    def _run_in_worker(self, req: SparqlRequest, deadline: float) -> SparqlResult:
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            worker = self._spawn()
        if worker.process.poll() is not None:  # died while idle (killed from outside): replace it
            self._retire(worker, "died")
            worker = self._spawn()
        deadline = self._started(worker, deadline)
        try:
            worker.conn.send(req)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._retire(worker, "time_limit")
                raise self._time_limit("running")
            reply = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._retire(worker, "failed")
            raise HttpError(f"the query worker failed: {exc}") from None
        if self._closed:
            self._retire(worker, None)
        else:
            self._idle.put(worker)
        return _answer(reply)

    async def run_async(self, req: SparqlRequest, gone: Gone | None = None) -> SparqlResult:
        """:meth:`run` for the event loop: the same limits and errors, but waiting for a free
        worker and for the reply does not hold a thread (the reply's socket is watched by the loop).
        ``gone()`` says whether the client has closed its connection: asked every
        :data:`GONE_POLL_S` while the query runs; if so, its worker is killed (:class:`ClientGone`).

        Concurrency is bounded by an asyncio semaphore of ``size`` (callers of :meth:`run` in
        threads have their own); a worker that must be spawned is spawned in a thread.
        """
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.timeout_s
        if self._closed:
            raise HttpError("the query service is shutting down", status=503)
        if self._async_slots is None:
            self._async_slots = asyncio.Semaphore(self.size)
        if self._async_slots.locked():  # wait for a worker, within the time limit
            try:
                await asyncio.wait_for(self._async_slots.acquire(), self.timeout_s)
            except TimeoutError:
                raise self._time_limit("queued") from None
        else:  # a worker is free: no timer (wait_for makes a task, ~30 µs)
            await self._async_slots.acquire()
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = await loop.run_in_executor(None, self._spawn)
            if worker.process.poll() is not None:  # died while idle: replace it
                self._retire(worker, "died")
                worker = await loop.run_in_executor(None, self._spawn)
            if not worker.ready:  # a new worker: wait for it off the loop
                deadline = await loop.run_in_executor(None, self._started, worker, deadline)
            return await self._ask(loop, worker, req, deadline, gone)
        finally:
            self._async_slots.release()

    async def _ask(
        self,
        loop: asyncio.AbstractEventLoop,
        worker: _Worker,
        req: SparqlRequest,
        deadline: float,
        gone: Gone | None = None,
    ) -> SparqlResult:
        # True: the reply is there; False: the time limit; None: the client went away
        readable: asyncio.Future[bool | None] = loop.create_future()
        fd = worker.conn.fileno()
        watch: _GoneWatch | None = None
        try:
            worker.conn.send(req)
            loop.add_reader(fd, _settle, readable, True)
            # the time limit as a timer on the loop, not asyncio.wait_for (a task per query)
            timer = loop.call_later(max(0.0, deadline - time.monotonic()), _settle, readable, False)
            watch = _GoneWatch(loop, gone, readable) if gone is not None else None
            try:
                answered = await readable
            finally:
                timer.cancel()
                if watch is not None:
                    watch.cancel()
                loop.remove_reader(fd)
                # add_reader made the socket non-blocking (uvloop does): the rest of a large reply
                # may still be on its way, and Connection.recv needs a blocking socket to wait for it
                os.set_blocking(fd, True)
            if answered is None:
                raise ClientGone("the client closed the connection; its query was stopped")
            if not answered:
                self._retire(worker, "time_limit")
                raise self._time_limit("running")
            reply = worker.conn.recv()  # the worker is writing it now: a short wait at most
        except ClientGone:
            self._retire(worker, "client_gone")
            log.info("a client went away while its query ran: query worker %d stopped", worker.process.pid)
            raise
        except (EOFError, OSError) as exc:
            self._retire(worker, "failed")
            raise HttpError(f"the query worker failed: {exc}") from None
        if self._closed:
            await loop.run_in_executor(None, self._retire, worker, None)
        else:
            self._idle.put(worker)
        return _answer(reply)

    def close(self) -> None:
        """Stop idle workers; a worker still answering is stopped when it finishes."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            self._retire(worker, None)


Gone = Callable[[], Awaitable[bool]]  # has the client closed its connection? (Request.is_disconnected)
GONE_POLL_S = 1.0  # how often a running query's client is checked (not at all for faster queries)


def _settle(future: asyncio.Future[bool | None], value: bool | None) -> None:
    """The first of the reply, the time limit and the client's going away settles ``future``."""
    if not future.done():
        future.set_result(value)


class _GoneWatch:
    """Asks ``gone()`` every :data:`GONE_POLL_S` on the loop, and sets ``readable`` to None when
    it says yes; nothing runs for a query answered within the first period."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gone: Gone, readable: asyncio.Future[bool | None]) -> None:
        self.loop, self.gone, self.readable = loop, gone, readable
        self.task: asyncio.Task[None] | None = None
        self.timer: asyncio.TimerHandle | None = loop.call_later(GONE_POLL_S, self._start)

    def _start(self) -> None:
        self.timer = None
        if not self.readable.done():
            self.task = self.loop.create_task(self._ask())

    async def _ask(self) -> None:
        try:
            went = await self.gone()
        except Exception:
            log.debug("checking whether the client went away failed", exc_info=True)
            went = False
        if self.readable.done():
            return
        if went:
            self.readable.set_result(None)
        else:
            self.timer = self.loop.call_later(GONE_POLL_S, self._start)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.task is not None:
            self.task.cancel()


class SparqlService:
    """What the ``/sparql`` route talks to: the lexical guard, then the pool (or inline)."""

    def __init__(
        self,
        store: Store,
        store_path: Path,
        *,
        timeout_s: float,
        max_rows: int,
        max_query_length: int,
        workers: int = 2,
    ) -> None:
        self.store = store
        self.store_path = store_path  # the release this service answers from (``/healthz``)
        self.max_rows = max_rows
        self.max_query_length = max_query_length
        self.pool = QueryPool(store_path, size=workers, timeout_s=timeout_s) if timeout_s > 0 else None

    def start(self) -> None:
        if self.pool is not None:
            self.pool.start()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def observe(self, on_event: PoolEvent) -> None:
        """Have ``on_event`` told what the worker pool does (:data:`PoolEvent`); inline, nothing."""
        if self.pool is not None:
            self.pool.on_event = on_event

    def workers_alive(self) -> WorkerCheck | None:
        """The worker pool's :meth:`QueryPool.workers_alive`; None when queries run inline."""
        return self.pool.workers_alive() if self.pool is not None else None

    def check(self, text: str) -> QueryWords:
        """The lexical guard (:func:`query_words`) with this service's length limit."""
        return query_words(text, max_length=self.max_query_length)

    def run(self, req: SparqlRequest) -> SparqlResult:
        """Run a query that passed :meth:`check`; call from a worker thread, never the loop."""
        if self.pool is None:
            return execute(self.store, req)
        return self.pool.run(req)

    async def run_async(self, req: SparqlRequest, gone: Gone | None = None) -> SparqlResult:
        """:meth:`run` from the event loop (inline evaluation goes to a thread, and cannot be
        stopped: ``gone`` is for the worker pool)."""
        if self.pool is None:
            from starlette.concurrency import run_in_threadpool

            return await run_in_threadpool(execute, self.store, req)
        return await self.pool.run_async(req, gone)
