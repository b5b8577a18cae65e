"""pySHACL and pyshacl-turbo give the same SHACL results (issue 7), and parallel validation too.

Both engines run on every case of tests/shapes/ and on the converted seeds, as they are and with
faults injected (counts changed, a dimension dropped, bad datatypes, negative counts, the unit of
an amount dropped, ...). They must agree on the conforms flag and on the set of
(focus node, result path, source shape, severity) results - also on the constraint that fired
and the value node. (``engine="auto"`` is the bulk engine, which gives turbo's findings field by field:
tests/test_shacl_bulk.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.emit import emit_report
from converter.errors import GongkaiError
from converter.pipeline import convert_file
from converter.validate import Finding, ValidationOutcome, resolve_engine, validate_file, validate_paths
from tests.shacl_inputs import BASE, CASES, GK, SEEDS, XSD

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
    assert resolve_engine("auto") == "bulk"  # bulk = turbo: tests/test_shacl_bulk.py
    assert resolve_engine("pyshacl") == "pyshacl"
    assert resolve_engine("turbo") == "turbo"
    with pytest.raises(GongkaiError, match="unknown SHACL engine"):
        resolve_engine("fast")


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
    assert isinstance(results[1][1], Exception) and "bad.nq" in str(results[1][1])


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
