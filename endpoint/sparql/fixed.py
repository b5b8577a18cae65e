"""The app's own queries: the static texts of ``endpoint/queries/*.rq``, run with bound values.

The one place a fixed query is loaded and run. Values reach a query only as pyoxigraph
``substitutions`` (never in its text), and every function here consumes the result object
before it returns, on the thread that ran the query: a pyoxigraph result must not outlive that
call or cross threads (DESIGN.md; tests/endpoint/test_result_objects.py). A large scan is read
through :func:`solutions`, a context manager that drops the result when its block ends.

Options of every function: ``union`` (the default graph is the union of all graphs, as for the
pages), ``graphs`` (the named graphs a query sees, e.g. the report graphs of an update).

>>> "SELECT" in text("count_quads") and text("count_quads.rq") == text("count_quads")
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolution,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    Variable,
)

Term = NamedNode | BlankNode | Literal | Triple
Bindings = Mapping[str, Term]


@cache
def text(name: str) -> str:
    """The text of ``endpoint/queries/{name}.rq`` (``name`` with or without ``.rq``)."""
    stem = name.removesuffix(".rq")
    return resources.files("endpoint").joinpath("queries", f"{stem}.rq").read_text(encoding="utf-8")


def _run(
    store: Store, name: str, bindings: Bindings | None, union: bool, graphs: Sequence[NamedNode] | None
) -> QuerySolutions | QueryBoolean | QueryTriples:
    options: dict[str, Any] = {}
    if bindings:
        options["substitutions"] = {Variable(k): v for k, v in bindings.items()}
    if union:
        options["use_default_graph_as_union"] = True
    if graphs is not None:
        options["named_graphs"] = list(graphs)
    return store.query(text(name), **options)


def select(
    store: Store,
    name: str,
    bindings: Bindings | None = None,
    *,
    union: bool = False,
    graphs: Sequence[NamedNode] | None = None,
) -> list[dict[str, Term | None]]:
    """The solutions of a SELECT as dicts by variable name (unbound: None)."""
    result = _run(store, name, bindings, union, graphs)
    try:
        if not isinstance(result, QuerySolutions):
            raise TypeError(f"{name}.rq is not a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: solution[n] for n in names} for solution in result]
    finally:
        del result  # this frame may outlive the call (a reference cycle): drop the result now


def construct(
    store: Store,
    name: str,
    bindings: Bindings | None = None,
    *,
    union: bool = False,
    graphs: Sequence[NamedNode] | None = None,
) -> list[Triple]:
    """The triples of a CONSTRUCT, without duplicates, in the order Oxigraph gives them."""
    result = _run(store, name, bindings, union, graphs)
    try:
        if not isinstance(result, QueryTriples):
            raise TypeError(f"{name}.rq is not a CONSTRUCT query")
        return list(dict.fromkeys(result))
    finally:
        del result


def ask(
    store: Store,
    name: str,
    bindings: Bindings | None = None,
    *,
    union: bool = False,
    graphs: Sequence[NamedNode] | None = None,
) -> bool:
    """The answer of an ASK."""
    result = _run(store, name, bindings, union, graphs)
    try:
        if not isinstance(result, QueryBoolean):
            raise TypeError(f"{name}.rq is not an ASK query")
        return bool(result)
    finally:
        del result


def count(
    store: Store,
    name: str,
    bindings: Bindings | None = None,
    *,
    union: bool = False,
    graphs: Sequence[NamedNode] | None = None,
) -> int:
    """The whole number a one-row SELECT binds to ``?n`` (0 when unbound)."""
    rows = select(store, name, bindings, union=union, graphs=graphs)
    value = rows[0].get("n") if rows else None
    return int(value.value) if isinstance(value, Literal) else 0


def value(term: Term | None) -> str:
    """The lexical value of a term that a query always binds (an IRI, a literal's text).

    >>> value(Literal("2023")), value(NamedNode("https://example.org/a"))
    ('2023', 'https://example.org/a')

    :raises TypeError: unbound, or bound to a triple (the query's text rules both out).
    """
    if term is None or isinstance(term, Triple):
        raise TypeError(f"a variable the query always binds is {'unbound' if term is None else 'a triple'}")
    return term.value


@contextmanager
def solutions(
    store: Store,
    name: str,
    bindings: Bindings | None = None,
    *,
    union: bool = False,
    graphs: Sequence[NamedNode] | None = None,
) -> Iterator[Iterator[QuerySolution]]:
    """The solutions of a large SELECT, read one by one inside a ``with`` block; the result
    object is dropped when the block ends (on the thread that ran the query)."""
    result = _run(store, name, bindings, union, graphs)
    rows = _Rows(result)
    try:
        if not isinstance(result, QuerySolutions):
            raise TypeError(f"{name}.rq is not a SELECT query")
        yield rows
    finally:
        rows.close()  # the caller may keep ``rows``: it must not keep the result alive
        del result


class _Rows(Iterator[QuerySolution]):
    """The solutions of a result, until :meth:`close` lets go of it."""

    def __init__(self, result: QuerySolutions | QueryBoolean | QueryTriples) -> None:
        self._result: Any = result

    def __next__(self) -> QuerySolution:
        if self._result is None:
            raise StopIteration
        solution: QuerySolution = next(self._result)
        return solution

    def close(self) -> None:
        self._result = None
