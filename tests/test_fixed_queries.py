"""The app's own SPARQL has one home: the texts in endpoint/queries/*.rq, loaded and run by
endpoint/sparql/fixed.py only (issue 20, item 3). Values reach a query as substitutions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from endpoint.sparql import fixed

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "endpoint" / "queries"
HOME = ROOT / "endpoint" / "sparql" / "fixed.py"
# a string constant that is a SPARQL query: a query form keyword followed by a variable or a brace
WARM_UP = "ASK {}"  # endpoint/sparql/pool.py parses it once to import rdflib's SPARQL parser: not a query the app runs
SPARQL = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b\s*(DISTINCT\s+)?[?{($*]")


def query_strings(source: str) -> list[str]:
    """The string constants of ``source`` that look like SPARQL queries (docstrings left out)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        if SPARQL.search(node.value) and node.value != WARM_UP
    ]


def test_the_checker_finds_an_inline_query() -> None:
    assert query_strings('Q = "SELECT ?s WHERE { ?s ?p ?o }"\n')
    assert query_strings('store.query("ASK { ?s ?p ?o }")\n')
    assert not query_strings('"""Run a SELECT query."""\nx = "select the rows"\n')


def test_no_query_text_and_no_rq_file_is_read_outside_its_home() -> None:
    inline, readers = [], []
    for path in sorted((ROOT / "endpoint").rglob("*.py")):
        if path == HOME:
            continue
        source = path.read_text(encoding="utf-8")
        # pages.py and page_data.py build queries shown as text on the query page and an observation's
        # page, for a person to copy into the editor: text for people, never run by the app
        if path.name not in ("pages.py", "page_data.py"):
            inline += [f"{path.relative_to(ROOT)}: {q[:40]!r}" for q in query_strings(source)]
        if re.search(r"""["']queries["']|\.rq["']""", source):
            readers.append(str(path.relative_to(ROOT)))
    assert not inline, f"inline SPARQL outside endpoint/queries/*.rq: {inline}"
    assert not readers, f"reads endpoint/queries/ itself instead of endpoint.sparql.fixed: {readers}"


def test_every_query_file_parses_and_is_one_form() -> None:
    store = Store()
    names = sorted(p.stem for p in QUERIES.glob("*.rq"))
    assert len(names) > 20
    for name in names:
        text = fixed.text(name)
        form = SPARQL.search(re.sub(r"(?m)^#.*$", "", text))
        assert form is not None, name
        # every query compiles on an empty store (its variables left unbound)
        if form.group(1) == "ASK":
            assert fixed.ask(store, name) is False
        elif form.group(1) == "CONSTRUCT":
            assert fixed.construct(store, name) == []
        else:
            fixed.select(store, name)


def test_values_are_bound_not_written_into_the_text() -> None:
    store = Store()
    hostile = Literal('"} DROP ALL ; SELECT * { ?s ?p "')
    assert fixed.select(store, "page_agencies", {"q": hostile, "after": Literal("")}, union=True) == []
    assert fixed.ask(store, "agg_reported", {"agency": NamedNode("urn:x:a")}) is False
    with pytest.raises(TypeError, match="not a CONSTRUCT"):
        fixed.construct(store, "count_quads")
