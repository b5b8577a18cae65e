"""pyoxigraph result objects must not outlive the function that made them.

They are "unsendable": dropped on another thread, pyoxigraph raises (reported through
``sys.unraisablehook``; DESIGN.md warns it can crash). A finished function's locals stay alive
as long as its frame object does, and a frame object can outlive the call when any frame it
called is kept in a reference cycle: in CPython 3.11+ a kept frame holds its caller frame
(``f_back``). rdflib does exactly this the first time it parses a query (an import error
traceback kept in a cycle), so the cyclic GC, later and on whatever thread, freed a
``QuerySolutions`` still held by ``results._execute``'s frame.

Each test runs code in a worker thread with such a cycle planted in a frame it calls, then runs
``gc.collect()`` in the main thread and checks that nothing unsendable was dropped.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from endpoint import dump
from endpoint.routes import meta, pages
from endpoint.sparql import fixed
from endpoint.sparql import results as results_mod
from endpoint.sparql.results import SparqlRequest, execute

GK = "https://w3id.org/gongkai/def#"
GRAPH = NamedNode("http://example.org/graph/r1")
REPORT = NamedNode("http://example.org/id/report/a/2020")


def _plant_cycle() -> None:
    """Leave this frame in a reference cycle: it (and, through ``f_back``, every caller frame
    with its locals) then lives until the cyclic GC runs, possibly on another thread."""
    cycle: list[Any] = [sys._getframe()]
    cycle.append(cycle)


def _leaky(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _plant_cycle()
        return func(*args, **kwargs)

    return wrapper


class _LeakyStore:
    """A Store whose ``query`` plants a cycle, so the caller's frame outlives the call."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def query(self, *args: Any, **kwargs: Any) -> Any:
        _plant_cycle()
        return self._store.query(*args, **kwargs)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    st = Store(str(tmp_path / "store"))
    a = NamedNode
    st.extend(
        [
            Quad(REPORT, a("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), a(GK + "AnnualReport"), GRAPH),
            Quad(REPORT, a(GK + "agency"), a("http://example.org/id/agency/a"), GRAPH),
            Quad(REPORT, a(GK + "template"), a("https://w3id.org/gongkai/code/template/t2019"), GRAPH),
            Quad(REPORT, a(GK + "year"), Literal("2020"), GRAPH),
            Quad(REPORT, a("http://www.w3.org/2000/01/rdf-schema#label"), Literal("r", language="en"), GRAPH),
        ]
    )
    return st


@pytest.fixture
def unraisable() -> Iterator[list[str]]:
    gc.collect()
    seen: list[str] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}")
    try:
        yield seen
    finally:
        gc.collect()
        sys.unraisablehook = previous


def _in_thread_then_collect(fn: Callable[[], Any], seen: list[str]) -> None:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)

    gc.disable()  # the collection must happen here, in the main thread, not in the worker
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        gc.enable()
    gc.collect()
    if errors:
        raise errors[0]
    assert not [s for s in seen if "unsendable" in s], seen


SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    ("query", "accept", "max_rows"),
    [
        (SELECT, "application/sparql-results+json", 100),
        (SELECT, "application/sparql-results+json", 2),  # over max_rows: evaluated twice
        (SELECT, "text/csv", 100),
        (SELECT, "text/tab-separated-values", 2),
        (SELECT, "application/sparql-results+xml", 100),
        ("ASK { ?s ?p ?o }", "application/sparql-results+json", 100),
        (CONSTRUCT, "text/turtle", 100),
        (CONSTRUCT, "application/n-quads", 2),
        (SELECT, "text/turtle", 100),  # 406 raised while the result object is a local
    ],
)
@pytest.mark.parametrize(
    "hook",
    [None, "_service_in_algebra", "choose_format", "_term_json", "parse_query_results", "serialize", "json"],
)
def test_execute(
    store: Store,
    unraisable: list[str],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    accept: str,
    max_rows: int,
    hook: str | None,
) -> None:
    if hook == "json":
        monkeypatch.setattr(results_mod.json, "loads", _leaky(results_mod.json.loads))
    elif hook is not None:
        monkeypatch.setattr(results_mod, hook, _leaky(getattr(results_mod, hook)))
    req = SparqlRequest(query=query, accept=accept, max_rows=max_rows)

    def run() -> None:
        with contextlib.suppress(results_mod.HttpError):  # 406 for SELECT as Turtle
            execute(_LeakyStore(store), req)  # type: ignore[arg-type]

    _in_thread_then_collect(run, unraisable)


def test_execute_bad_query(store: Store, unraisable: list[str]) -> None:
    def run() -> None:
        with pytest.raises(results_mod.BadQuery):
            execute(_LeakyStore(store), SparqlRequest(query="SELECT * WHERE { ?s ?p }"))  # type: ignore[arg-type]

    _in_thread_then_collect(run, unraisable)


def test_app_queries(store: Store, unraisable: list[str]) -> None:
    leaky: Any = _LeakyStore(store)

    def run() -> None:
        assert fixed.construct(leaky, "res_describe", {"s": REPORT}, union=True)
        assert meta._count(leaky, "count_quads") == 5
        assert fixed.select(leaky, "page_coverage", {"after": Literal("")}, union=True) is not None
        assert fixed.ask(leaky, "agg_reported", {"agency": NamedNode("urn:x:nobody")}) is False
        with fixed.solutions(leaky, "report_years") as rows:
            assert next(rows)
        assert pages.example_queries(leaky, "en")
        assert dump.report_years(leaky) == {"2020": [GRAPH]}

    _in_thread_then_collect(run, unraisable)
