"""pySHACL and pyshacl-turbo give the same SHACL results (issue 7), and parallel validation too.

pyshacl-turbo is the default engine (``engine="auto"``); pySHACL is the reference it is tested
against. Both run on every case of tests/shapes/ and on the converted seeds, as they are, with the
ontology's code lists beside them, and with faults injected (counts changed, a dimension dropped,
bad datatypes, negative counts, the unit of an amount dropped, ...). They must agree on the
conforms flag and on the set of (focus node, result path, source shape, severity) results - also
on the constraint that fired and the value node.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.emit import emit_report
from converter.errors import GongkaiError
from converter.pipeline import convert_file
from converter.validate import (
    Finding,
    ValidationError,
    ValidationOutcome,
    resolve_engine,
    validate_file,
    validate_graph,
    validate_paths,
)
from converter.vocab import VOCAB_GRAPH
from tests.shacl_inputs import BASE, CASES, GK, ROOT, SEEDS, XSD

pytest.importorskip("pyshacl_turbo")

INTEGER = ox.NamedNode(XSD + "integer")


def _key(f: Finding) -> tuple[str | None, ...]:
    def term(t: str | None) -> str | None:  # blank node labels differ between engines
        return "_:b" if t is not None and t.startswith("_:") else t

    return (f.graph, term(f.focus), f.path, f.shape, f.severity, f.constraint, term(f.value))


def _results(outcome: ValidationOutcome) -> list[tuple[str | None, ...]]:
    return sorted(_key(f) for f in (*outcome.violations, *outcome.warnings))


def assert_same(path: Path) -> ValidationOutcome:
    ref = validate_file(path, engine="pyshacl")
    turbo = validate_file(path, engine="turbo")
    assert turbo.conforms == ref.conforms, f"{path.name}: conforms pyshacl {ref.conforms}, turbo {turbo.conforms}"
    assert _results(turbo) == _results(ref), f"{path.name}: results differ"
    assert turbo.graphs == ref.graphs
    details = [sorted(_key(d) for d in f.details) for f in (*ref.violations, *ref.warnings)]
    assert [sorted(_key(d) for d in f.details) for f in (*turbo.violations, *turbo.warnings)] == details
    return ref


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_engines_agree_on_case(case: Path) -> None:
    assert_same(case)


# --- the converted seeds, with injected faults ----------------------------------------------


def _seeds_store() -> ox.Store:
    store = ox.Store()
    for seed in SEEDS:
        ds = emit_report(convert_file(seed), BASE, None)
        store.load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def _first(store: ox.Store, graph: ox.NamedNode, predicate: str, n: int = 1) -> list[ox.Quad]:
    quads = sorted(store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph), key=str)
    return quads[:n]


def _replace_object(store: ox.Store, q: ox.Quad, obj: ox.Literal | ox.NamedNode) -> None:
    store.remove(q)
    store.add(ox.Quad(q.subject, q.predicate, obj, q.graph_name))


def _map(
    pred: str, n: int, new: Callable[[ox.Quad], ox.Literal | ox.NamedNode | None]
) -> Callable[[ox.Store, ox.NamedNode], None]:
    def fault(store: ox.Store, graph: ox.NamedNode) -> None:
        for q in _first(store, graph, pred, n):
            obj = new(q)
            if obj is None:
                store.remove(q)
            else:
                _replace_object(store, q, obj)

    return fault


FAULTS: dict[str, Callable[[ox.Store, ox.NamedNode], None]] = {
    "none": lambda store, graph: None,
    "count-plus-one": _map(GK + "count", 3, lambda q: ox.Literal(str(int(q.object.value) + 1), datatype=INTEGER)),
    "count-negative": _map(GK + "count", 3, lambda q: ox.Literal("-5", datatype=INTEGER)),
    "count-decimal": _map(
        GK + "count", 1, lambda q: ox.Literal(q.object.value + ".5", datatype=ox.NamedNode(XSD + "decimal"))
    ),
    "count-string": _map(GK + "count", 1, lambda q: ox.Literal(q.object.value)),
    "count-dropped": _map(GK + "count", 1, lambda q: None),
    "dimension-dropped": _map(GK + "applicant", 2, lambda q: None),
    "dimension-bad-code": _map(GK + "request", 1, lambda q: ox.NamedNode("https://w3id.org/gongkai/code/request/9.9")),
    "unit-dropped": _map("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure", 1, lambda q: None),
    "year-string": _map(GK + "year", 1, lambda q: ox.Literal(q.object.value)),
    "year-dropped": _map(GK + "year", 1, lambda q: None),
    "measure-dropped": _map("http://purl.org/linked-data/cube#measureType", 1, lambda q: None),
    "dataset-dropped": _map("http://purl.org/linked-data/cube#dataSet", 1, lambda q: None),
    "change-string": _map(GK + "change", 1, lambda q: ox.Literal(q.object.value)),
    "source-line-negative": _map(GK + "sourceLine", 1, lambda q: ox.Literal("-1", datatype=INTEGER)),
}


@pytest.fixture(scope="module")
def seeds_store() -> ox.Store:
    assert SEEDS, "no seeds in data/seeds"
    return _seeds_store()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_engines_agree_on_seeds_with_fault(seeds_store: ox.Store, fault: str, tmp_path: Path) -> None:
    store = ox.Store()
    store.extend(seeds_store)
    for graph in list(store.named_graphs()):
        FAULTS[fault](store, graph)
    path = tmp_path / f"seeds-{fault}.nq"
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    ref = assert_same(path)
    assert ref.graphs == len(SEEDS)
    if fault == "none":
        assert ref.conforms
    elif fault not in ("count-plus-one", "unit-dropped", "change-string"):
        assert not ref.conforms, f"{fault}: the fault should be a violation"


# --- engine choice and parallel validation ---------------------------------------------------


def test_resolve_engine() -> None:
    assert resolve_engine("auto") == "turbo"
    assert resolve_engine("pyshacl") == "pyshacl"
    assert resolve_engine("turbo") == "turbo"
    with pytest.raises(GongkaiError, match="unknown SHACL engine"):
        resolve_engine("fast")


def test_the_removed_bulk_engine_is_refused_in_one_line() -> None:
    with pytest.raises(GongkaiError) as removed:
        resolve_engine("bulk")
    assert "removed" in str(removed.value) and "turbo" in str(removed.value) and "pyshacl" in str(removed.value)
    assert "\n" not in str(removed.value)


def _vocab_quads() -> list[ox.Quad]:
    g = ox.NamedNode(VOCAB_GRAPH)
    return [
        ox.Quad(t.subject, t.predicate, t.object, g)
        for name in ("gongkai.ttl", "codes.ttl")
        for t in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE)
    ]


def test_engines_agree_with_the_code_lists_beside_the_reports(seeds_store: ox.Store, tmp_path: Path) -> None:
    """With the vocabulary graph in the file, each report is validated with it (skos:inScheme is
    checked): a code that is in no code list is a violation, for both engines alike."""
    store = ox.Store()
    store.extend(seeds_store)
    store.extend(_vocab_quads())
    for graph in seeds_store.named_graphs():
        FAULTS["dimension-bad-code"](store, graph)
    path = tmp_path / "seeds-and-vocabulary.nq"
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    ref = assert_same(path)
    assert ref.graphs == len(SEEDS) and VOCAB_GRAPH not in ref.graph_names
    assert "gks:CodeInScheme" in {f.constraint for f in ref.violations}


def test_parallel_gives_the_same_outcome(seeds_store: ox.Store, tmp_path: Path) -> None:
    store = ox.Store()
    store.extend(seeds_store)
    FAULTS["count-negative"](store, sorted(store.named_graphs(), key=str)[0])
    path = tmp_path / "seeds.nq"
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    serial = validate_file(path)
    parallel = validate_file(path, jobs=2)
    assert parallel == serial and not serial.conforms and serial.graphs == len(SEEDS)
    bad = tmp_path / "bad.nq"
    bad.write_text("not n-quads\n")
    results = list(validate_paths([path, bad, path], jobs=2))
    assert [p for p, _ in results] == [path, bad, path]
    assert results[0][1] == serial and results[2][1] == serial
    assert isinstance(results[1][1], ValidationError) and "bad.nq" in str(results[1][1])


def test_validate_graph_gives_the_findings_of_validate_file(seeds_store: ox.Store, tmp_path: Path) -> None:
    """An rdflib Dataset (the library's other entry) is split and validated as the file is."""
    from rdflib import Dataset

    store = ox.Store()
    store.extend(seeds_store)
    FAULTS["count-negative"](store, sorted(store.named_graphs(), key=str)[1])
    path = tmp_path / "seeds.nq"
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(path, format="nquads")
    by_graph, by_file = validate_graph(ds), validate_file(path)
    assert not by_file.conforms and _results(by_graph) == _results(by_file)
    assert sorted(by_graph.graph_names) == sorted(by_file.graph_names)  # type: ignore[type-var]


def test_broken_files_are_named_by_both_engines(tmp_path: Path) -> None:
    for name, text in {
        "bad.nq": "<http://a> <http://b> .\n",
        "bad-iri.nq": "<http://a> <http://b> <http://x/%zz> <http://g> .\n",
        "bad-literal.nq": '<http://a> <http://b> "open <http://g> .\n',
        "bad.ttl": "@prefix : <http://a/> . :a :b",
    }.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for engine in ("turbo", "pyshacl"):
            with pytest.raises(ValidationError, match=name):
                validate_file(path, engine=engine)
    with pytest.raises(ValidationError, match="unknown RDF format"):
        validate_file(tmp_path / "x.json")
    with pytest.raises(ValidationError, match="cannot read"):
        validate_file(tmp_path / "missing.nq")


def test_comments_tabs_and_empty_lines_read_the_same(seeds_store: ox.Store, tmp_path: Path) -> None:
    """N-Quads as people and other tools write them: comments, tabs, blank lines, escapes."""
    first = sorted(seeds_store.named_graphs(), key=str)[0]
    one = ox.Store()
    one.extend(seeds_store.quads_for_pattern(None, None, None, first))
    plain = tmp_path / "plain.nq"
    one.dump(str(plain), format=ox.RdfFormat.N_QUADS)
    lines = plain.read_text(encoding="utf-8").splitlines(keepends=True)
    odd = tmp_path / "odd.nq"
    odd.write_text(
        "# a comment\n\n"
        + "".join(line.replace("> <", ">\t<", 1) for line in lines[:5])
        + "\n".join(lines[5:])  # an empty line between statements
        + '<http://a> <http://b> "q\\"uo\\u00e9\\n"@ZH-cn .\n',
        encoding="utf-8",
    )
    reference = validate_file(plain)
    read = validate_file(odd)
    # the extra triple sits in the default graph, a graph of its own with no finding
    assert read.graphs == reference.graphs + 1 and _results(read) == _results(reference)


def _row_total_plus_one(store: ox.Store, graph: ox.NamedNode) -> None:
    """The 总计 cell of one 表三 row made one too large (a gks:Table3-rowTotal warning)."""
    total = ox.NamedNode("https://w3id.org/gongkai/code/applicant/total")
    cells = sorted(q.subject for q in store.quads_for_pattern(None, ox.NamedNode(GK + "applicant"), total, graph))
    q = next(store.quads_for_pattern(cells[0], ox.NamedNode(GK + "count"), None, graph))
    _replace_object(store, q, ox.Literal(str(int(q.object.value) + 1), datatype=INTEGER))


def test_only_the_broken_reports_of_a_file_have_findings(seeds_store: ox.Store, tmp_path: Path) -> None:
    """12 report graphs (the seeds, copied), 3 of them broken: every graph gets exactly the findings
    it has when validated alone, serially and in parallel (tasks of several graphs)."""
    seeds = sorted(seeds_store.named_graphs(), key=str)
    store = ox.Store()
    names = [ox.NamedNode(f"{BASE}/test/batch/{i:02d}") for i in range(12)]
    for i, g in enumerate(names):
        quads = seeds_store.quads_for_pattern(None, None, None, seeds[i % len(seeds)])
        store.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in quads)
    broken = {1: "count-negative", 6: "row-total-plus-one", 10: "unit-dropped"}  # 6: a warning only
    for i, fault in broken.items():
        (_row_total_plus_one if fault == "row-total-plus-one" else FAULTS[fault])(store, names[i])
    path = tmp_path / "batch.nq"
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    alone = {}
    for g in names:
        one = ox.Store()
        one.extend(store.quads_for_pattern(None, None, None, g))
        one.dump(str(tmp_path / "one.nq"), format=ox.RdfFormat.N_QUADS)
        alone[g.value] = _results(validate_file(tmp_path / "one.nq"))
    assert {g for g, found in alone.items() if found} == {names[i].value for i in broken}
    serial = validate_file(path)
    for outcome in (serial, validate_file(path, jobs=2)):
        assert outcome.graphs == len(names) and not outcome.conforms
        found = _results(outcome)
        assert {g.value: [k for k in found if k[0] == g.value] for g in names} == alone
    assert {f.graph for f in serial.warnings} >= {names[6].value}
    assert names[6].value not in {f.graph for f in serial.violations}
