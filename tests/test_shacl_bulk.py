"""The bulk SHACL engine (converter/shacl_bulk.py) gives exactly pyshacl-turbo's findings.

Every field of every Finding is compared (blank node labels aside): on every case of tests/shapes/,
on the converted seeds with and without the vocabulary graph and with the faults of
tests/test_shacl_engines.py, on hundreds of seeded random mutations of the seeds, and on a small
corpus of bench.generate. Unknown SPARQL and unsupported components are refused at compile time.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from converter.emit import emit_report
from converter.pipeline import convert_file
from converter.shacl_bulk import UnsupportedShapes, compile_shapes
from converter.validate import (
    Finding,
    ValidationError,
    ValidationOutcome,
    resolve_engine,
    shapes_graph,
    validate_file,
    validate_graph,
    validate_paths,
)
from converter.vocab import VOCAB_GRAPH
from tests.shacl_inputs import BASE, CASES, GK, ROOT, SEEDS, XSD

pytest.importorskip("pyshacl_turbo")

QB = "http://purl.org/linked-data/cube#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CODE = "https://w3id.org/gongkai/code/"


def _norm(f: Finding) -> tuple[object, ...]:
    def term(t: str | None) -> str | None:  # blank node labels differ between engines
        return "_:b" if t is not None and t.startswith("_:") else t

    message = f.message
    for t in (f.focus, f.value):  # a blank node's label in a message too
        if t is not None and t.startswith("_:"):
            message = message.replace(t[2:], "b")
    details = tuple(sorted((_norm(d) for d in f.details), key=repr))
    return (f.graph, term(f.focus), f.path, message, f.severity, f.shape, f.constraint, term(f.value), details)


def _findings(outcome: ValidationOutcome) -> tuple[bool, int, list[tuple[object, ...]], list[tuple[object, ...]]]:
    return (
        outcome.conforms,
        outcome.graphs,
        sorted((_norm(f) for f in outcome.violations), key=repr),
        sorted((_norm(f) for f in outcome.warnings), key=repr),
    )


def assert_same(path: Path) -> ValidationOutcome:
    """bulk and turbo on ``path``: the same outcome, every Finding equal field by field."""
    turbo = validate_file(path, engine="turbo")
    bulk = validate_file(path, engine="bulk")
    assert _findings(bulk) == _findings(turbo), f"{path.name}: bulk and turbo differ"
    return turbo


# --- 1. the cases of tests/shapes/ -------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_findings_on_case(case: Path) -> None:
    assert_same(case)


# --- 2. the seeds, with and without the vocabulary, with faults -----------------------------


def _seed_graphs() -> list[list[ox.Quad]]:
    graphs = []
    for seed in SEEDS:
        store = ox.Store()
        ds = emit_report(convert_file(seed), BASE, None)
        store.load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
        # sorted: the store's own order varies from run to run, and the random mutations pick by position
        graphs.extend(
            sorted(store.quads_for_pattern(None, None, None, g), key=str) for g in sorted(store.named_graphs(), key=str)
        )
    return graphs


def _vocab_quads() -> list[ox.Quad]:
    g = ox.NamedNode(VOCAB_GRAPH)
    quads = []
    for name in ("gongkai.ttl", "codes.ttl"):
        for t in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, g))
    return quads


@pytest.fixture(scope="module")
def seed_graphs() -> list[list[ox.Quad]]:
    assert SEEDS, "no seeds in data/seeds"
    return _seed_graphs()


def _write(path: Path, quads: list[ox.Quad]) -> Path:
    store = ox.Store()
    store.extend(quads)
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.mark.parametrize("vocab", [False, True], ids=["data", "with-vocabulary"])
def test_same_findings_on_seeds(seed_graphs: list[list[ox.Quad]], vocab: bool, tmp_path: Path) -> None:
    quads = [q for graph in seed_graphs for q in graph] + (_vocab_quads() if vocab else [])
    outcome = assert_same(_write(tmp_path / "seeds.nq", quads))
    assert outcome.graphs == len(seed_graphs) and outcome.conforms


def test_same_findings_on_seeds_with_faults(seed_graphs: list[list[ox.Quad]], tmp_path: Path) -> None:
    """Every fault of tests/test_shacl_engines.py, each in its own copy of the seeds (one file)."""
    from tests.test_shacl_engines import FAULTS

    store = ox.Store()
    for fault, apply in FAULTS.items():
        for i, graph in enumerate(seed_graphs):
            g = ox.NamedNode(f"{BASE}/test/fault/{fault}/{i}")
            store.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in graph)
            apply(store, g)
    path = tmp_path / "faults.nq"
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
    outcome = assert_same(path)
    assert outcome.graphs == len(FAULTS) * len(seed_graphs) and not outcome.conforms


def test_same_findings_with_vocabulary_and_faults(seed_graphs: list[list[ox.Quad]], tmp_path: Path) -> None:
    """Codes out of their scheme are only found with the vocabulary graph in the data."""
    g = ox.NamedNode(f"{BASE}/test/vocab/0")
    graph = [ox.Quad(q.subject, q.predicate, q.object, g) for q in seed_graphs[0]]
    bad = [q for q in graph if q.predicate.value == GK + "request"][:2]
    graph = [q for q in graph if q not in bad]
    graph += [ox.Quad(q.subject, q.predicate, ox.NamedNode(CODE + "request/3.6.9"), g) for q in bad]
    outcome = assert_same(_write(tmp_path / "vocab.nq", graph + _vocab_quads()))
    assert {f.shape for f in outcome.violations} >= {"gks:CodeInSchemeShape"}


# --- 3. random mutations --------------------------------------------------------------------

Mutation = Callable[[random.Random, list[ox.Quad], ox.NamedNode], list[ox.Quad]]
INTEGER = ox.NamedNode(XSD + "integer")


def _pick(rng: random.Random, quads: list[ox.Quad], *predicates: str) -> ox.Quad | None:
    found = [q for q in quads if not predicates or q.predicate.value in predicates]
    return rng.choice(found) if found else None


def _replace(quads: list[ox.Quad], old: ox.Quad, obj: ox.NamedNode | ox.BlankNode | ox.Literal) -> list[ox.Quad]:
    return [q for q in quads if q != old] + [ox.Quad(old.subject, old.predicate, obj, old.graph_name)]


_PREDICATES = [
    GK + p
    for p in ("count", "change", "amount", "quantity", "request", "applicant", "result", "proceeding", "provision")
] + [GK + p for p in ("item", "column", "year", "template", "agency", "report", "sha256", "sourceText", "sourceLine")]
_PREDICATES += [QB + "dataSet", QB + "structure", QB + "measureType", "http://www.w3.org/2004/02/skos/core#prefLabel"]
_PREDICATES += [
    "http://www.w3.org/ns/oa#hasTarget",
    GK + "issueCode",
    GK + "severity",
    "http://purl.org/dc/terms/issued",
]
_PREDICATES += [
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure",
]
_PREDICATES += [RDF_TYPE.value, "http://www.w3.org/ns/oa#bodyValue", GK + "legacyItem", GK + "sourcePage"]


def m_drop(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    q = _pick(rng, quads, rng.choice(_PREDICATES))
    return [x for x in quads if x != q] if q else quads


def m_duplicate(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    q = _pick(rng, quads, rng.choice(_PREDICATES))
    other = _pick(rng, quads, q.predicate.value) if q else None
    if q is None or other is None:
        return quads
    obj = other.object if other.object != q.object else _lexical(rng, q.object)
    return [*quads, ox.Quad(q.subject, q.predicate, obj, g)]


_DATATYPES = ["string", "integer", "decimal", "double", "float", "gYear", "date", "dateTime", "int", "boolean"]
_DATATYPES += ["nonNegativeInteger", "positiveInteger", "long"]
_LEXICAL = ["abc", "1.5", "-3", "01", " 5", "99999999999999999999", "", "2021-02-30", "202", "2020", "+7", "1e3"]
_LEXICAL += [
    "0",
    "-0",
    "2021-01-30",
    "3.0",
    "true",
    "NaN",
    "00000000000000000000000000000000000000000000000000000000000000ff",
]
_LEXICAL += [
    "line\nbreak",
    "Sum-Mismatch",
    "sum-mismatch",
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
]


def _lexical(rng: random.Random, obj: object) -> ox.Literal:
    if isinstance(obj, ox.Literal) and obj.language:
        return ox.Literal(rng.choice(_LEXICAL), language=obj.language)
    dt = obj.datatype if isinstance(obj, ox.Literal) else INTEGER
    return ox.Literal(rng.choice(_LEXICAL), datatype=dt)


def m_datatype(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    q = _pick(rng, [x for x in quads if isinstance(x.object, ox.Literal)])
    if q is None:
        return quads
    choice = rng.choice([*_DATATYPES, "custom", "lang"])
    if choice == "lang":
        return _replace(quads, q, ox.Literal(q.object.value, language=rng.choice(["zh", "en", "zh-cn"])))
    dt = ox.NamedNode("http://example.org/dt" if choice == "custom" else XSD + choice)
    return _replace(quads, q, ox.Literal(q.object.value, datatype=dt))


def m_lexical(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    q = _pick(rng, [x for x in quads if isinstance(x.object, ox.Literal) and not x.object.language])
    return _replace(quads, q, _lexical(rng, q.object)) if q else quads


def m_count(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    """A count made negative, one larger or smaller (a sum breaks), or a decimal."""
    q = _pick(rng, quads, GK + "count")
    if q is None:
        return quads
    n = int(q.object.value)
    new = rng.choice([str(-n - 1), str(n + 1), str(max(n - 1, 0)), str(n + 1000), f"{n}.5", f"{n}.0"])
    dt = ox.NamedNode(XSD + "decimal") if "." in new else INTEGER
    return _replace(quads, q, ox.Literal(new, datatype=dt))


_CODE_PREDICATES = [GK + p for p in ("request", "applicant", "result", "proceeding", "provision", "item", "column")]
_CODE_PREDICATES += [GK + "template", GK + "legacyItem", QB + "measureType", QB + "structure", GK + "severity"]


def m_code(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    """A code swapped for another code (of any dimension), a foreign IRI, a literal or a blank node."""
    q = _pick(rng, quads, rng.choice(_CODE_PREDICATES))
    if q is None:
        return quads
    codes = sorted({x.object.value for x in quads if x.predicate.value in _CODE_PREDICATES}, key=str)
    choice = rng.randrange(6)
    obj: ox.NamedNode | ox.BlankNode | ox.Literal
    if choice < 3:
        obj = ox.NamedNode(rng.choice(codes))
    elif choice == 3:
        obj = ox.NamedNode(
            rng.choice(["http://example.org/x", CODE + "request/9", GK + "quantity", GK + "table5Structure"])
        )
    elif choice == 4:
        obj = ox.Literal(q.object.value.rpartition("/")[2])
    else:
        obj = ox.BlankNode()
    return _replace(quads, q, obj)


_CLASSES = [
    GK + "Agency",
    GK + "AnnualReport",
    QB + "DataSet",
    QB + "Observation",
    "http://www.w3.org/ns/dqv#QualityAnnotation",
]


def m_stray(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    """A stray node: a typed blank node or IRI, a literal data set, a note on the wrong thing, ..."""
    choice = rng.randrange(6)
    cls = ox.NamedNode(rng.choice(_CLASSES))
    obs = _pick(rng, quads, QB + "dataSet")
    if choice == 0:
        b = ox.BlankNode()
        return [
            *quads,
            ox.Quad(b, RDF_TYPE, cls, g),
            ox.Quad(b, ox.NamedNode(GK + "count"), ox.Literal("3", datatype=INTEGER), g),
        ]
    if choice == 1:
        return [*quads, ox.Quad(ox.NamedNode(BASE + "/id/stray"), RDF_TYPE, cls, g)]
    if choice == 2 and obs is not None:
        return [*quads, ox.Quad(obs.subject, obs.predicate, rng.choice([ox.Literal("t3"), ox.BlankNode()]), g)]
    if choice == 3 and obs is not None:  # the observation in a second data set (of another table)
        other = _pick(rng, [q for q in quads if q.object != obs.object], QB + "dataSet")
        return [*quads, ox.Quad(obs.subject, obs.predicate, other.object, g)] if other else quads
    if choice == 4:  # a subclass of a targeted class, and a node of it
        sub = ox.NamedNode(GK + "Special")
        top = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
        node = rng.choice([ox.NamedNode(BASE + "/id/special"), ox.BlankNode()])
        return [*quads, ox.Quad(sub, top, cls, g), ox.Quad(node, RDF_TYPE, sub, g)]
    note = ox.NamedNode(BASE + "/id/note/stray")
    target = rng.choice([*[q.subject for q in quads][:50], ox.Literal("x")])
    return [
        *quads,
        ox.Quad(note, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/dqv#QualityAnnotation"), g),
        ox.Quad(note, ox.NamedNode("http://www.w3.org/ns/oa#hasTarget"), target, g),
        ox.Quad(note, ox.NamedNode(GK + "issueCode"), ox.Literal(rng.choice(["unit-missing", "Bad Code", "x"])), g),
    ]


def m_type(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    q = _pick(rng, quads, RDF_TYPE.value)
    return [x for x in quads if x != q] if q else quads


def m_lang(rng: random.Random, quads: list[ox.Quad], g: ox.NamedNode) -> list[ox.Quad]:
    q = _pick(rng, quads, "http://www.w3.org/2004/02/skos/core#prefLabel")
    if q is None:
        return quads
    new = rng.choice(
        [
            ox.Literal(q.object.value),
            ox.Literal(q.object.value, language="en"),
            ox.Literal("另一个", language="zh"),
            ox.Literal(q.object.value, language="zh-cn"),
            ox.Literal("x", language="en"),
        ]
    )
    return [*quads, ox.Quad(q.subject, q.predicate, new, g)] if rng.random() < 0.5 else _replace(quads, q, new)


MUTATIONS: list[Mutation] = [m_drop, m_duplicate, m_datatype, m_lexical, m_count, m_code, m_stray, m_type, m_lang]


def mutated_graphs(seed_graphs: list[list[ox.Quad]], n: int, seed: int) -> list[list[ox.Quad]]:
    """``n`` copies of seed graphs, each with one to three random mutations, in graphs of their own."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        g = ox.NamedNode(f"{BASE}/test/mutation/{i:04d}")
        quads = [ox.Quad(q.subject, q.predicate, q.object, g) for q in rng.choice(seed_graphs)]
        for _ in range(rng.choice([1, 1, 2, 3])):
            quads = rng.choice(MUTATIONS)(rng, quads, g)
        out.append(quads)
    return out


def test_same_findings_on_random_mutations(seed_graphs: list[list[ox.Quad]], tmp_path: Path) -> None:
    graphs = mutated_graphs(seed_graphs, 320, seed=20261122)
    path = _write(tmp_path / "mutations.nq", [q for graph in graphs for q in graph])
    outcome = assert_same(path)
    assert outcome.graphs == len(graphs)
    found = [*outcome.violations, *outcome.warnings]
    shapes = Counter(f.shape for f in found)
    constraints = {f.constraint for f in found}
    assert len({f.graph for f in found}) > 200, "most mutations must give findings"
    assert len(shapes) >= 25, f"the mutations must reach many shapes: {sorted(shapes)}"
    assert len(constraints) >= 20, f"the mutations must reach many components: {sorted(constraints)}"
    assert any(f.details for f in found)  # an sh:node result


# --- 4. a generated corpus, and the parallel paths ---------------------------------------------


def test_same_findings_on_generated_corpus(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "-n", "40", "--shard-size", "20", "-o", str(out), "-j", "1"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    shards = sorted(out.glob("*.nq"))
    assert len(shards) == 2
    for shard in shards:
        assert assert_same(shard).graphs == 20
    serial = [o for _p, o in validate_paths(shards, engine="bulk")]
    parallel = [o for _p, o in validate_paths(shards, engine="bulk", jobs=2)]
    assert parallel == serial
    assert validate_file(shards[0], engine="bulk", jobs=2) == serial[0]


def test_parallel_bulk_gives_the_same_outcome(seed_graphs: list[list[ox.Quad]], tmp_path: Path) -> None:
    graphs = mutated_graphs(seed_graphs, 120, seed=7)
    path = _write(tmp_path / "many.nq", [q for graph in graphs for q in graph])
    serial = validate_file(path, engine="bulk")
    assert validate_file(path, engine="bulk", jobs=2) == serial
    bad = tmp_path / "bad.nq"
    bad.write_text("not n-quads\n")
    results = list(validate_paths([path, bad, path], engine="bulk", jobs=2))
    assert [p for p, _ in results] == [path, bad, path]
    assert results[0][1] == serial and results[2][1] == serial
    assert isinstance(results[1][1], ValidationError) and "bad.nq" in str(results[1][1])


def test_validate_graph_with_bulk(seed_graphs: list[list[ox.Quad]], tmp_path: Path) -> None:
    from rdflib import Dataset

    graphs = mutated_graphs(seed_graphs, 6, seed=3)
    path = _write(tmp_path / "six.nq", [q for graph in graphs for q in graph])
    ds = Dataset()
    ds.parse(path, format="nquads")
    assert _findings(validate_graph(ds, engine="bulk")) == _findings(validate_file(path, engine="turbo"))


# --- 5. what bulk refuses, and broken files -----------------------------------------------------


def test_auto_is_bulk() -> None:
    assert resolve_engine("auto") == "bulk" and resolve_engine("bulk") == "bulk"


def _shapes_with(old: str, new: str) -> Graph:
    text = (ROOT / "shapes" / "gongkai-shapes.ttl").read_text(encoding="utf-8")
    assert old in text
    return Graph().parse(data=text.replace(old, new, 1), format="turtle")


def test_the_shapes_compile() -> None:
    assert len(compile_shapes(shapes_graph()).targeted) == 14  # the node shapes with targets


def test_changed_sparql_is_refused() -> None:
    shapes = _shapes_with("BIND (?new + ?carriedIn AS ?lhs)", "BIND (?new + ?carriedIn + 0 AS ?lhs)")
    with pytest.raises(
        UnsupportedShapes, match=re.escape("changed: update converter/shacl_bulk.py or use --engine turbo")
    ):
        compile_shapes(shapes)


def test_changed_prefix_is_refused() -> None:
    shapes = _shapes_with(
        'sh:prefix "req" ; sh:namespace "https://w3id.org/gongkai/code/request/"',
        'sh:prefix "req" ; sh:namespace "https://example.org/request/"',
    )
    with pytest.raises(UnsupportedShapes, match="changed"):
        compile_shapes(shapes)


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("sh:minInclusive 0 ;", "sh:maxExclusive 10 ;", "sh:maxExclusive"),
        ("sh:path gk:year ;", "sh:path ( gk:year gk:year ) ;", "property path"),
        ("sh:path gk:year ;", "sh:path [ sh:zeroOrMorePath gk:year ] ;", "property path"),
        ('sh:pattern "^[0-9]{4}$" ;', 'sh:pattern "^[0-9]{4}$" ; sh:flags "i" ;', "sh:flags"),
        (
            "sh:nodeKind sh:IRI ;\n    sh:property gks:Agency-prefLabel",
            "sh:closed true ;\n    sh:property gks:Agency-prefLabel",
            "sh:closed",
        ),
    ],
)
def test_unsupported_components_are_refused(old: str, new: str, what: str) -> None:
    with pytest.raises(UnsupportedShapes, match=what):
        compile_shapes(_shapes_with(old, new))


def test_broken_file_raises_validation_error(tmp_path: Path) -> None:
    for name, text in {
        "bad.nq": "<http://a> <http://b> .\n",
        "bad-iri.nq": "<http://a> <http://b> <http://x/%zz> <http://g> .\n",
        "bad-literal.nq": '<http://a> <http://b> "open <http://g> .\n',
        "bad.ttl": "@prefix : <http://a/> . :a :b",
    }.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValidationError, match=name):
            validate_file(path, engine="bulk")
        with pytest.raises(ValidationError) as turbo:
            validate_file(path, engine="turbo")
        with pytest.raises(ValidationError) as bulk:
            validate_file(path, engine="bulk")
        assert bulk.value.reason == turbo.value.reason
    with pytest.raises(ValidationError, match="unknown RDF format"):
        validate_file(tmp_path / "x.json", engine="bulk")
    with pytest.raises(ValidationError, match="cannot read"):
        validate_file(tmp_path / "missing.nq", engine="bulk")


def test_files_the_fast_reader_leaves_read_the_same(seed_graphs: list[list[ox.Quad]], tmp_path: Path) -> None:
    """Comments, tabs, escapes and TriG: the same graphs as through a store."""
    path = _write(tmp_path / "one.nq", mutated_graphs(seed_graphs, 2, seed=5)[0])
    text = path.read_text(encoding="utf-8")
    odd = tmp_path / "odd.nq"
    odd.write_text(
        "# a comment\n" + text.replace("> <", ">\t<", 5) + '<http://a> <http://b> "\\u00e9\\n" .\n', encoding="utf-8"
    )
    assert_same(odd)
    escaped = tmp_path / "escaped.nq"
    escaped.write_text(
        text + '<http://a> <http://b> "q\\"uo\\u00e9" .\n_:b1 <http://b> "x"@ZH-cn .\n', encoding="utf-8"
    )
    assert_same(escaped)
    # empty lines, between statements and at the end, with and without a line that has spaces in
    # its object (rdflib's N-Quads output can have them, depending on the order it writes graphs in)
    lines = _write(tmp_path / "seed.nq", seed_graphs[0]).read_text(encoding="utf-8").splitlines(keepends=True)
    # no spaces inside any term: the slice with the empty lines has no line split by hand
    lines = [line for line in lines if line.count(" ") == 4]
    for extra in ("", '<http://a> <http://b> "x y" <http://g> .\n'):
        blank = tmp_path / "blank.nq"
        blank.write_text("".join(lines[:3]) + "\n\n" + extra + "".join(lines[3:]) + "\n", encoding="utf-8")
        assert_same(blank)
