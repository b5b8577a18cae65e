"""The SHACL shapes (shapes/*.ttl) against hand-written cases and the converted seeds.

Each file in tests/shapes/ is one case. Its name says the outcome: ``*.violation.*`` must not
conform, ``*.warning.*`` conforms with warnings, anything else conforms without any finding.
Its ``# expect: <shape> <constraint>`` header lines list exactly the (shape, constraint) pairs
that must fire — e.g. ``gks:Report-year sh:MinCountConstraintComponent`` or, for SHACL-SPARQL,
``gks:ArithmeticShape gks:Table3-balance``; ``# detail:`` lines list the nested results
(sh:detail) that say why an sh:node constraint failed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SH

from converter.emit import emit_report
from converter.pipeline import convert_file
from converter.tables import layout
from converter.validate import (
    SHAPES_DIR,
    ValidationError,
    ValidationOutcome,
    shapes_graph,
    validate_file,
    validate_graph,
)

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "shapes"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.suffix in (".ttl", ".trig"))
SEEDS = ROOT / "data" / "seeds"
BASE = "http://localhost:8000"
GKS = "https://w3id.org/gongkai/shapes#"
CODE = "https://w3id.org/gongkai/code/"
GK = "https://w3id.org/gongkai/def#"


def expected_outcome(case: Path) -> str:
    parts = case.name.split(".")
    return parts[-2] if parts[-2] in ("violation", "warning") else "ok"


def expected_findings(case: Path, kind: str = "expect") -> set[str]:
    lines = case.read_text(encoding="utf-8").splitlines()
    return {m.group(1).strip() for line in lines if (m := re.match(rf"#\s*{kind}:\s*(.+)", line))}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path) -> None:
    outcome = validate_file(case)
    fired = {f"{f.shape} {f.constraint}" for f in (*outcome.violations, *outcome.warnings)}
    expected = expected_findings(case)
    shown = "\n".join(
        f"  {f.severity} {f.focus} {f.path}: {f.message}" for f in (*outcome.violations, *outcome.warnings)
    )
    assert fired == expected, f"{case.name}: fired {sorted(fired)}, expected {sorted(expected)}\n{shown}"
    details = {f"{d.shape} {d.constraint}" for f in (*outcome.violations, *outcome.warnings) for d in f.details}
    assert expected_findings(case, "detail") <= details, f"{case.name}: details {sorted(details)}"
    kind = expected_outcome(case)
    if kind == "violation":
        assert not outcome.conforms and outcome.violations
    elif kind == "warning":
        assert outcome.conforms and outcome.warnings and not outcome.violations
    else:
        assert outcome.conforms and not outcome.violations and not outcome.warnings
    for finding in (*outcome.violations, *outcome.warnings):
        assert finding.message and "\n" not in finding.message


def test_every_case_file_is_well_named() -> None:
    for case in CASES:
        kind = expected_outcome(case)
        assert bool(expected_findings(case)) == (kind != "ok"), f"{case.name}: # expect lines vs. name"
    kinds = {expected_outcome(c) for c in CASES}
    assert kinds == {"ok", "violation", "warning"}


def _shape_names() -> set[str]:
    """Every shape and SPARQL constraint that can produce a finding, as ``gks:`` names."""
    g = shapes_graph()
    names: set[str] = set()
    for kind in (SH.PropertyShape, SH.SPARQLConstraint):
        names |= {str(s) for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    return {n.replace(GKS, "gks:") for n in names}


def test_every_shape_has_a_failing_case() -> None:
    covered = " ".join(" ".join(expected_findings(c) | expected_findings(c, "detail")) for c in CASES)
    missing = sorted(n for n in _shape_names() if not re.search(rf"{re.escape(n)}(\s|$)", covered))
    assert not missing, f"shapes without a failing case in tests/shapes/: {missing}"


def test_every_node_shape_has_a_conforming_case() -> None:
    """Each node shape finds at least one focus node in some conforming case (so it is not vacuous)."""
    g = shapes_graph()
    targeted = {
        str(s).replace(GKS, "gks:")
        for s in g.subjects(RDF.type, SH.NodeShape)
        if (s, SH.targetClass, None) in g or (s, SH.target, None) in g
    }
    ok_cases = [c for c in CASES if expected_outcome(c) == "ok"]
    text = "\n".join(c.read_text(encoding="utf-8") for c in ok_cases)
    needles = {
        "gks:AgencyShape": "a gk:Agency",
        "gks:ReportShape": "a gk:AnnualReport",
        "gks:DataSetShape": "a qb:DataSet",
        "gks:ObservationShape": "a qb:Observation",
        "gks:Table2ObservationShape": "gk:table2Structure",
        "gks:Table3ObservationShape": "gk:table3Structure",
        "gks:Table4ObservationShape": "gk:table4Structure",
        "gks:LegacyObservationShape": "gk:legacyStructure",
        "gks:QualityAnnotationShape": "a dqv:QualityAnnotation",
        "gks:ArithmeticShape": "req:3.7",
        "gks:CodeInSchemeShape": "skos:inScheme",
        "gks:UnitNoteShape": '"unit-missing"',
        "gks:MeasureTypeValueShape": "qb:measureType",
        "gks:Table2ColumnMeasureShape": "col:change",
    }
    assert targeted <= needles.keys(), f"add a conforming case for {sorted(targeted - needles.keys())}"
    for shape in targeted:
        assert needles[shape] in text, f"{shape}: no conforming case exercises it"


def _pattern(shape: str) -> re.Pattern[str]:
    value = shapes_graph().value(URIRef(GKS + shape), SH.pattern)
    assert value is not None, shape
    return re.compile(str(value))


@pytest.mark.parametrize(
    ("shape", "scheme", "notations"),
    [
        ("Table3-request", "request", sorted({r for rows in layout.REQUEST_ROWS.values() for r in rows})),
        ("Table3-applicant", "applicant", layout.APPLICANT_COLUMNS),
        ("Table4-proceeding", "proceeding", sorted({p for p, _ in layout.APPEAL_CELLS})),
        ("Table4-result", "result", sorted({r for _, r in layout.APPEAL_CELLS})),
        ("Table2-provision", "provision", [c.notation for c in layout.PROVISION]),
        ("Table2-item", "item", [c.notation for c in layout.ITEM]),
        ("Table2-column", "column", [c.notation for c in layout.COLUMN]),
        ("Legacy-item", "legacy", [c.notation for c in layout.LEGACY]),
        ("Observation-unit", "unit", [c.notation for c in getattr(layout, "UNIT", [])]),
    ],
)
def test_dimension_patterns_accept_every_layout_code(shape: str, scheme: str, notations: list[str]) -> None:
    """The sh:pattern of each dimension admits every code the converter can emit."""
    pattern = _pattern(shape)
    rejected = [n for n in notations if not pattern.search(f"{CODE}{scheme}/{n}")]
    assert not rejected, f"{shape} rejects layout codes {rejected}"


def test_request_pattern_rejects_parent_rows() -> None:
    pattern = _pattern("Table3-request")
    for parent in ("3", "3.3", "3.4", "3.5", "3.8", "3.3.9", "5"):
        assert not pattern.search(f"{CODE}request/{parent}")


def test_shapes_load_once() -> None:
    assert shapes_graph() is shapes_graph()
    assert sorted(SHAPES_DIR.glob("*.ttl"))


def test_validate_graph_each_named_graph_alone() -> None:
    """Each report graph is validated on its own: a report's agency in another graph does not count."""
    ds = Dataset()
    ds.parse(CASES_DIR / "report-ok.trig", format="trig")
    outcome = validate_graph(ds)
    assert outcome.conforms and outcome.graphs == 2
    report = URIRef("http://localhost:8000/id/report/test-agency-0000/2018")
    agency = URIRef("http://localhost:8000/id/agency/test-agency-0000")
    ds.graph(report).remove((agency, None, None))
    outcome = validate_graph(ds)
    assert [(f.graph, f.shape) for f in outcome.violations] == [(str(report), "gks:Report-agency")]


def test_validate_graph_plain_graph() -> None:
    g = Graph().parse(CASES_DIR / "report-minimal.ttl", format="turtle")
    assert validate_graph(g).conforms
    g.remove((None, URIRef("https://w3id.org/gongkai/def#year"), None))
    outcome = validate_graph(g)
    assert not outcome.conforms
    assert [f.shape for f in outcome.violations] == ["gks:Report-year"]


def test_validate_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<http://a> <http://b> .\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        validate_file(bad)
    assert err.value.path == bad and "bad.nq" in str(err.value)
    with pytest.raises(ValidationError, match="cannot read"):
        validate_file(tmp_path / "missing.trig")
    odd = tmp_path / "data.rdf"
    odd.write_text("<rdf:RDF/>", encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown RDF format"):
        validate_file(odd)


# ---------------------------------------------------------------------------------------------
# The converted seeds (data/seeds) must conform; run in `make test`.


@pytest.fixture(scope="module")
def seeds_nq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ds = None
    for seed in sorted(SEEDS.glob("*.txt")):
        ds = emit_report(convert_file(seed), BASE, ds)
    assert ds is not None, "no seeds in data/seeds"
    out = tmp_path_factory.mktemp("seeds") / "seeds.nq"
    out.write_bytes(ds.serialize(format="nquads", encoding="utf-8"))
    return out


@pytest.fixture(scope="module")
def seeds_outcome(seeds_nq: Path) -> ValidationOutcome:
    return validate_file(seeds_nq)


def test_seeds_conform(seeds_outcome: ValidationOutcome) -> None:
    outcome = seeds_outcome
    assert outcome.graphs == len(list(SEEDS.glob("*.txt")))
    assert outcome.conforms, "\n".join(f"{f.focus} {f.path}: {f.message}" for f in outcome.violations)


def test_seeds_conform_with_code_lists(seeds_nq: Path, tmp_path: Path) -> None:
    """With the ontology and code lists next to the data, every code is in its scheme."""
    vocab = Dataset()
    graph = vocab.graph(URIRef("https://w3id.org/gongkai/def"))
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(ttl, format="turtle")
    combined = tmp_path / "with-vocab.nq"
    combined.write_bytes(seeds_nq.read_bytes() + vocab.serialize(format="nquads", encoding="utf-8"))
    outcome = validate_file(combined)
    assert outcome.conforms, "\n".join(f"{f.focus} {f.path}: {f.message}" for f in outcome.violations)


def test_seed_arithmetic_warnings_are_published_as_notes(seeds_nq: Path, seeds_outcome: ValidationOutcome) -> None:
    """Whatever the SHACL arithmetic finds in a report, the converter flagged it as sum-mismatch."""
    outcome = seeds_outcome
    flagged = {f.graph for f in outcome.warnings if f.shape == "gks:ArithmeticShape"}
    store = ox.Store()
    store.load(path=str(seeds_nq), format=ox.RdfFormat.N_QUADS)
    for graph in flagged:
        ask = f"""ASK {{ GRAPH <{graph}> {{ ?note <{GK}issueCode> "sum-mismatch" }} }}"""
        assert store.query(ask), f"{graph}: SHACL arithmetic warning without a sum-mismatch note"


MUTATIONS = {
    # one cell changed in every report that has the table -> the checks that must notice
    "req:1 app:natural-person": {"gks:Table3-balance", "gks:Table3-rowTotal"},
    "req:3.1 app:natural-person": {"gks:Table3-outcomeTotal", "gks:Table3-rowTotal"},
    "req:4 app:total": {"gks:Table3-balance", "gks:Table3-rowTotal"},
    "res:pending proc:review": {"gks:Table4-total"},
}


@pytest.mark.parametrize("cell", sorted(MUTATIONS))
def test_arithmetic_checks_fire_on_real_reports(seeds_nq: Path, tmp_path: Path, cell: str) -> None:
    """Add 1 to one cell of each converted seed: the arithmetic warnings name it, nothing else fires."""
    store = ox.Store()
    store.load(path=str(seeds_nq), format=ox.RdfFormat.N_QUADS)
    first, second = cell.split()
    dims = {"req": "request", "app": "applicant", "res": "result", "proc": "proceeding"}
    patterns = " ; ".join(
        f"gk:{dims[code.split(':')[0]]} <{CODE}{dims[code.split(':')[0]]}/{code.split(':')[1]}>"
        for code in (first, second)
    )
    store.update(
        f"""PREFIX gk: <{GK}>
        DELETE {{ GRAPH ?g {{ ?o gk:count ?v }} }} INSERT {{ GRAPH ?g {{ ?o gk:count ?w }} }}
        WHERE {{ GRAPH ?g {{ ?o {patterns} ; gk:count ?v }} BIND (?v + 1 AS ?w) }}"""
    )
    changed = {
        str(row["g"].value)
        for row in store.query(f"PREFIX gk: <{GK}> SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?o {patterns} }} }}")
    }
    assert len(changed) >= 3, "expected the cell in most seeds"
    mutated = tmp_path / "mutated.nq"
    store.dump(str(mutated), format=ox.RdfFormat.N_QUADS)
    outcome = validate_file(mutated)
    assert outcome.conforms
    by_graph: dict[str | None, set[str]] = {}
    for f in outcome.warnings:
        by_graph.setdefault(f.graph, set()).add(str(f.constraint))
    assert by_graph == dict.fromkeys(changed, MUTATIONS[cell])
