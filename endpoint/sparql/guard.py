"""The guard on a user's query text: what must never reach the store is refused before it does.

1. :func:`query_words` (in the request thread, cheap, lexical): refuses over-long queries
   (413), SPARQL Update (403; the service is read-only) and any ``SERVICE`` keyword (400;
   pyoxigraph would otherwise make outbound HTTP requests to any address, loopback included).
   Codepoint escapes (``\\u0053ERVICE``) are checked both raw and unescaped.
2. :func:`_service_in_algebra` (where the store is, before evaluation: :func:`endpoint.sparql.results.execute`):
   a second, independent ``SERVICE`` check on rdflib's parse of the query (algebra traversal,
   finds it in OPTIONAL, subqueries, FILTER EXISTS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from endpoint.errors import BadQuery, Forbidden, PayloadTooLarge

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
# Guard 2 (runs where the store is: a worker process, or the request thread)


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
