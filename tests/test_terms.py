"""rdflib ↔ pyoxigraph in one place (converter/terms.py): a report's statements cross both ways
unchanged, blank nodes stay apart where their sources are apart, and no other module converts
terms by hand (issue 20, item 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, XSD

from converter.emit import new_dataset, report_quads
from converter.errors import GongkaiError
from converter.output import sorted_nquads
from converter.pipeline import convert_file
from converter.terms import (
    UnsupportedTerm,
    add_to_rdflib,
    to_oxigraph,
    to_oxigraph_iri,
    to_oxigraph_quads,
    to_rdflib,
)
from converter.validate import _ox_quads
from converter.vocab import VOCAB_GRAPH

ROOT = Path(__file__).parents[1]
BASE = "http://localhost:8000"
SEED = sorted((ROOT / "data" / "seeds").glob("*.txt"))[0]
GK = "https://w3id.org/gongkai/def#"
REPORT_GRAPH = URIRef(f"{BASE}/id/report/beijing-fgw/2023")

TERMS = [
    URIRef(f"{BASE}/id/agency/beijing-fgw"),
    Literal("北京市发展和改革委员会", lang="zh"),
    Literal("Beijing Municipal Commission of Development and Reform", lang="en"),
    Literal("1203", datatype=XSD.integer),
    Literal("0.50", datatype=XSD.decimal),  # the lexical form stays: trailing zero and all
    Literal("2023", datatype=XSD.gYear),
    Literal("表三第2行：上年结转", datatype=None),
    Literal('a "quoted"\nline'),
]


@pytest.mark.parametrize("term", TERMS, ids=str)
def test_iris_and_literals_cross_both_ways_unchanged(term: URIRef | Literal) -> None:
    there = to_oxigraph(term)
    assert to_rdflib(there) == term
    assert to_oxigraph(to_rdflib(there)) == there


def test_an_xsd_string_literal_comes_back_plain() -> None:
    # pyoxigraph gives every plain literal xsd:string; rdflib tells the two apart
    typed = ox.Literal("上年结转", datatype=ox.NamedNode(str(XSD.string)))
    assert typed == ox.Literal("上年结转")
    back = to_rdflib(typed)
    assert isinstance(back, Literal) and back == Literal("上年结转") and back.datatype is None


def test_terms_of_the_target_library_pass_through() -> None:
    node = ox.NamedNode(GK + "count")
    assert to_oxigraph(node) is node
    assert to_oxigraph_iri(RDF.type) == ox.NamedNode(str(RDF.type))
    label = Literal("x")
    assert to_rdflib(label) is label


def test_what_does_not_convert_is_refused_in_one_line() -> None:
    with pytest.raises(UnsupportedTerm, match="only IRIs, blank nodes and literals"):
        to_oxigraph(Variable("s"))
    with pytest.raises(GongkaiError):  # the message is meant for the user
        to_rdflib(ox.Triple(ox.NamedNode(GK + "a"), ox.NamedNode(GK + "b"), ox.NamedNode(GK + "c")))
    with pytest.raises(UnsupportedTerm):
        to_oxigraph_iri(Literal("not an IRI"))


def test_blank_nodes_keep_their_label_without_a_mapping() -> None:
    # sorted N-Quads of the same data are the same bytes
    assert to_oxigraph(BNode("b0")) == ox.BlankNode("b0")
    assert to_rdflib(ox.BlankNode("b0")) == BNode("b0")


def test_blank_nodes_of_separate_mappings_never_merge() -> None:
    shared_label = BNode("b0")  # two sources may both write _:b0
    report: dict[BNode, ox.BlankNode] = {}
    vocab: dict[BNode, ox.BlankNode] = {}
    first = to_oxigraph(shared_label, report)
    assert to_oxigraph(shared_label, report) == first  # the same node within one mapping
    assert to_oxigraph(shared_label, vocab) != first
    back: dict[ox.BlankNode, BNode] = {}
    assert to_rdflib(first, back) == to_rdflib(first, back) != BNode(first.value)


def test_a_report_crosses_both_ways_unchanged() -> None:
    quads = report_quads(convert_file(SEED), BASE)
    assert len(quads) > 100
    ds = add_to_rdflib(new_dataset(), quads)
    assert set(to_oxigraph_quads(ds)) == set(quads)
    assert sorted_nquads(ds) == sorted_nquads(quads)


def test_graph_names_and_the_default_graph() -> None:
    ds = Dataset()
    ds.graph(REPORT_GRAPH).add((REPORT_GRAPH, RDFS.label, Literal("2023年报告", lang="zh")))
    ds.graph(DATASET_DEFAULT_GRAPH_ID).add((REPORT_GRAPH, RDF.type, URIRef(GK + "Report")))
    graphs = {q.graph_name for q in to_oxigraph_quads(ds)}
    assert graphs == {ox.NamedNode(str(REPORT_GRAPH)), ox.DefaultGraph()}
    back = add_to_rdflib(Dataset(), to_oxigraph_quads(ds))
    assert set(back.quads((None, None, None, None))) == set(ds.quads((None, None, None, None)))
    # a plain Graph's triples go to the default graph
    g = Graph()
    g.add((REPORT_GRAPH, RDF.type, URIRef(GK + "Report")))
    assert [q.graph_name for q in to_oxigraph_quads(g)] == [ox.DefaultGraph()]


def test_blank_nodes_added_twice_stay_two() -> None:
    # two N-Quads documents may both say _:b0; the second is another node
    doc = b'_:b0 <https://w3id.org/gongkai/def#note> "first" <http://localhost:8000/id/report/x/2023> .\n'
    ds = add_to_rdflib(Dataset(), ox.parse(doc, format=ox.RdfFormat.N_QUADS))
    add_to_rdflib(ds, ox.parse(doc.replace(b"first", b"second"), format=ox.RdfFormat.N_QUADS))
    subjects = {s for s, _, _, _ in ds.quads((None, None, None, None))}
    assert len(subjects) == 2


def test_validation_keeps_a_reports_blank_nodes_apart_from_the_vocabularys() -> None:
    # converter/validate.py puts a report's graph and the vocabulary in one store: both may say _:b0
    ds = Dataset()
    for graph in (REPORT_GRAPH, URIRef(VOCAB_GRAPH)):
        ds.graph(graph).add((BNode("b0"), RDFS.label, Literal(str(graph))))
    report, vocab = (_ox_quads(ds.graph(g)) for g in (REPORT_GRAPH, URIRef(VOCAB_GRAPH)))
    assert report[0].subject != vocab[0].subject
    assert {q.graph_name for q in report + vocab} == {ox.DefaultGraph()}


# --------------------------------------------------------------------------------------------
# the gate: no other module converts terms by hand

HAND_CONVERSIONS = [
    re.compile(r"\b(?:URIRef|BNode)\(\w+\.value\)"),  # an rdflib IRI or blank node from a pyoxigraph term
    re.compile(r"\bLiteral\(\w+\.value\b"),  # an rdflib literal from a pyoxigraph one
    re.compile(r"\bLiteral\([^\n]*\blanguage=\w+\.language\b"),  # a pyoxigraph literal from an rdflib one
    re.compile(r"NamedNode\(str\(\w+\.datatype\)\)"),
    re.compile(r"\bBlankNode\(str\(\w+\)\)"),
]


def test_no_module_converts_terms_by_hand() -> None:
    sources = [p for folder in ("converter", "endpoint", "bench") for p in sorted((ROOT / folder).rglob("*.py"))]
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sources
        if path.name != "terms.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern.search(line) for pattern in HAND_CONVERSIONS)
    ]
    assert not found, "convert rdflib <-> pyoxigraph terms with converter.terms:\n" + "\n".join(found)
