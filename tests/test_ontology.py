"""The published ontology (ontology/gongkai.ttl) and code lists (ontology/codes.ttl) agree with
converter/tables/layout.py, docs/model.md and the contract in DESIGN.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from converter.iris import code_iri, scheme_iri
from converter.regions import PROVINCE_BY_CODE
from converter.tables import layout
from converter.vocab import GK, GK_ONTOLOGY, QB, SDMX_ATTRIBUTE

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
GONGKAI_TTL = ONTOLOGY_DIR / "gongkai.ttl"
CODES_TTL = ONTOLOGY_DIR / "codes.ttl"
# (rdflib's XSD namespace object warns when pytest inspects module globals)
_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER, XSD_DECIMAL, XSD_STRING = (URIRef(_XSD + n) for n in ("integer", "decimal", "string"))

# docs/model.md, "Dimensions and measures per data set": every DSD lists exactly these.
DSD_COMPONENTS: dict[str, dict[str, set[URIRef]]] = {
    "table2Structure": {
        "dimension": {GK.report, GK.provision, GK.item, GK.column, QB.measureType},
        "measure": {GK["count"], GK.change, GK.amount},
        "attribute": {SDMX_ATTRIBUTE.unitMeasure},
    },
    "table3Structure": {
        "dimension": {GK.report, GK.request, GK.applicant},
        "measure": {GK["count"]},
        "attribute": set(),
    },
    "table4Structure": {
        "dimension": {GK.report, GK.proceeding, GK.result},
        "measure": {GK["count"]},
        "attribute": set(),
    },
    "legacyStructure": {
        "dimension": {GK.report, GK.legacyItem, QB.measureType},
        "measure": {GK["count"], GK.quantity},
        "attribute": {SDMX_ATTRIBUTE.unitMeasure},
    },
    # the aggregate cubes `gongkai load` computes (endpoint/aggregates.py, compute_aggregates)
    "nationalApplicationsStructure": {
        "dimension": {GK.refYear, GK.request},
        "measure": {GK["count"]},
        "attribute": {GK.reportCount},
    },
    "nationalAppealsStructure": {
        "dimension": {GK.refYear, GK.proceeding, GK.result},
        "measure": {GK["count"]},
        "attribute": {GK.reportCount},
    },
}

# Coded dimension property -> code scheme (docs/model.md).
CODED_DIMENSIONS = {
    GK.request: "request",
    GK.applicant: "applicant",
    GK.proceeding: "proceeding",
    GK.result: "result",
    GK.provision: "provision",
    GK.item: "item",
    GK.column: "column",
    GK.legacyItem: "legacy",
}

MEASURE_RANGES = {
    GK["count"]: XSD_INTEGER,
    GK.change: XSD_INTEGER,
    GK.amount: XSD_DECIMAL,
    GK.quantity: XSD_DECIMAL,
}

# Notations DESIGN.md names explicitly ("skos:notation values are part of the contract").
CONTRACT_NOTATIONS: dict[str, set[str]] = {
    "template": {"legacy", "2019", "2021"},
    "applicant": {
        "natural-person",
        "commercial-enterprise",
        "research-institution",
        "social-welfare-organization",
        "legal-service-institution",
        "other-organization",
        "total",
    },
    "request": {"1", "2", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "4"}
    | {f"3.3.{i}" for i in range(1, 9)}
    | {f"3.4.{i}" for i in range(1, 4)}
    | {f"3.5.{i}" for i in range(1, 6)}
    | {f"3.6.{i}" for i in range(1, 4)},
    "proceeding": {"review", "litigation-direct", "litigation-after-review"},
    "result": {"upheld", "corrected", "other", "pending", "total"},
    "unit": {"yuan", "wan-yuan", "wan-tiao", "item"},
}


def _load_build_codes():
    spec = importlib.util.spec_from_file_location("build_codes", ONTOLOGY_DIR / "build_codes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(GONGKAI_TTL, format="turtle")


@pytest.fixture(scope="module")
def codes() -> Graph:
    return Graph().parse(CODES_TTL, format="turtle")


def _langs(g: Graph, s: URIRef, p: URIRef, lang: str) -> list[str]:
    return [str(o) for o in g.objects(s, p) if isinstance(o, Literal) and o.language == lang]


# ---------------------------------------------------------------------------------------------
# Files


def test_files_parse_without_blank_nodes(ontology: Graph, codes: Graph) -> None:
    assert len(ontology) > 100
    assert len(codes) > 500
    for g in (ontology, codes):
        bnodes = [t for t in g if any(isinstance(x, BNode) for x in t)]
        assert not bnodes, f"blank nodes: {bnodes[:3]}"


def test_codes_ttl_is_what_build_codes_generates(codes: Graph) -> None:
    generated = _load_build_codes().build_graph()
    if not isomorphic(codes, generated):
        _, only_file, only_generated = graph_diff(to_isomorphic(codes), to_isomorphic(generated))
        pytest.fail(
            "ontology/codes.ttl is out of date; run `.venv/bin/python ontology/build_codes.py`.\n"
            f"only in codes.ttl: {sorted(only_file)[:5]}\n"
            f"only generated: {sorted(only_generated)[:5]}"
        )


def test_build_codes_serialization_round_trips(tmp_path: Path) -> None:
    build_codes = _load_build_codes()
    out = tmp_path / "codes.ttl"
    assert build_codes.main([str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in text
    assert isomorphic(Graph().parse(out, format="turtle"), build_codes.build_graph())


# ---------------------------------------------------------------------------------------------
# Code lists against layout.py


def test_every_layout_concept_is_in_codes(codes: Graph) -> None:
    for (scheme, notation), c in layout.CONCEPTS.items():
        matches = [
            s
            for s in codes.subjects(SKOS.notation, Literal(notation))
            if (s, SKOS.inScheme, scheme_iri(scheme)) in codes
        ]
        assert len(matches) == 1, f"{scheme}/{notation}: {len(matches)} concepts"
        (iri,) = matches
        assert iri == code_iri(scheme, notation)
        assert (iri, RDF.type, SKOS.Concept) in codes
        assert _langs(codes, iri, SKOS.prefLabel, "zh") == [c.zh], f"{scheme}/{notation}"
        en = _langs(codes, iri, SKOS.prefLabel, "en")
        assert en == [c.en] and en[0].strip(), f"{scheme}/{notation}: {en}"


def test_every_concept_in_codes_is_in_layout(codes: Graph) -> None:
    for iri in codes.subjects(RDF.type, SKOS.Concept):
        notations = list(codes.objects(iri, SKOS.notation))
        schemes = list(codes.objects(iri, SKOS.inScheme))
        assert len(notations) == 1 and len(schemes) == 1, iri
        notation, scheme = notations[0], schemes[0]
        # a plain string literal: no language tag, no datatype other than xsd:string
        assert isinstance(notation, Literal) and notation.language is None, iri
        assert notation.datatype in (None, XSD_STRING), iri
        key = (str(scheme).rsplit("/", 1)[1], str(notation))
        assert scheme == scheme_iri(key[0]), iri
        if key[0] == "province":
            assert key[1] in PROVINCE_BY_CODE, f"{iri} is not in converter/regions.py"
        else:
            assert key in layout.CONCEPTS, f"{iri} is not in layout.py"
        assert iri == code_iri(*key)


def test_schemes_are_declared_with_labels(codes: Graph) -> None:
    declared = set(codes.subjects(RDF.type, SKOS.ConceptScheme))
    assert declared == {scheme_iri(s) for s in layout.SCHEMES} | {scheme_iri("province")}
    assert _langs(codes, scheme_iri("province"), SKOS.prefLabel, "zh") == ["省级行政区"]
    for scheme, (zh, en, _) in layout.SCHEMES.items():
        s = scheme_iri(scheme)
        assert _langs(codes, s, SKOS.prefLabel, "zh") == [zh]
        assert _langs(codes, s, SKOS.prefLabel, "en") == [en]


def test_broader_and_top_concepts(codes: Graph) -> None:
    for (scheme, notation), c in layout.CONCEPTS.items():
        iri = code_iri(scheme, notation)
        broader = list(codes.objects(iri, SKOS.broader))
        if c.broader is None:
            assert not broader, iri
            assert (iri, SKOS.topConceptOf, scheme_iri(scheme)) in codes
            assert (scheme_iri(scheme), SKOS.hasTopConcept, iri) in codes
        else:
            assert broader == [code_iri(scheme, c.broader)], iri
            assert not list(codes.objects(iri, SKOS.topConceptOf)), iri
    for narrower, target in codes.subject_objects(SKOS.broader):
        assert (target, RDF.type, SKOS.Concept) in codes, f"{narrower} broader {target}"
        assert set(codes.objects(target, SKOS.inScheme)) == set(codes.objects(narrower, SKOS.inScheme))


def test_alt_labels_are_the_aliases(codes: Graph) -> None:
    for (scheme, notation), c in layout.CONCEPTS.items():
        iri = code_iri(scheme, notation)
        assert set(_langs(codes, iri, SKOS.altLabel, "zh")) == set(c.aliases) - {c.zh}, iri
        # SKOS: a label is never both preferred and alternative
        assert not set(codes.objects(iri, SKOS.altLabel)) & set(codes.objects(iri, SKOS.prefLabel))


def test_request_scheme_has_both_generations_of_other_handling(codes: Graph) -> None:
    parent = code_iri("request", "3.6")
    assert (parent, RDF.type, SKOS.Concept) in codes
    assert _langs(codes, parent, SKOS.prefLabel, "zh") == ["其他处理"]
    for sub in ("3.6.1", "3.6.2", "3.6.3"):
        assert (code_iri("request", sub), SKOS.broader, parent) in codes
    assert "3.6" in layout.REQUEST_ROWS[layout.Generation.GEN2019]
    assert {"3.6.1", "3.6.2", "3.6.3"} <= set(layout.REQUEST_ROWS[layout.Generation.GEN2021])
    for parent_row in ("3", "3.3", "3.4", "3.5", "3.6"):
        assert (code_iri("request", parent_row), RDF.type, SKOS.Concept) in codes


def test_legacy_mappings_point_at_2019_concepts(codes: Graph) -> None:
    mapped = 0
    for (scheme, notation), c in layout.CONCEPTS.items():
        iri = code_iri(scheme, notation)
        for target, prop in ((c.close_match, SKOS.closeMatch), (c.broad_match, SKOS.broadMatch)):
            assert list(codes.objects(iri, prop)) == ([code_iri(*target)] if target else []), iri
    for prop in (SKOS.closeMatch, SKOS.broadMatch):
        for source, target in codes.subject_objects(prop):
            mapped += 1
            assert (source, SKOS.inScheme, scheme_iri("legacy")) in codes, source
            assert (target, RDF.type, SKOS.Concept) in codes, target
            target_schemes = set(codes.objects(target, SKOS.inScheme))
            assert target_schemes <= {scheme_iri("request"), scheme_iri("proceeding")}, target
            assert target_schemes, target
    assert mapped >= 10


def test_contract_notations_are_present() -> None:
    for scheme, notations in CONTRACT_NOTATIONS.items():
        missing = {n for n in notations if (scheme, n) not in layout.CONCEPTS}
        assert not missing, f"{scheme}: {sorted(missing)}"


def test_unit_scheme(codes: Graph) -> None:
    labels = {"yuan": "元", "wan-yuan": "万元", "wan-tiao": "万条", "item": "件"}
    for notation, zh in labels.items():
        iri = URIRef(f"https://w3id.org/gongkai/code/unit/{notation}")
        assert (iri, SKOS.inScheme, URIRef("https://w3id.org/gongkai/code/unit")) in codes
        assert _langs(codes, iri, SKOS.prefLabel, "zh") == [zh]


# ---------------------------------------------------------------------------------------------
# Ontology


def test_ontology_header(ontology: Graph) -> None:
    onto = URIRef(GK_ONTOLOGY)
    assert (onto, RDF.type, OWL.Ontology) in ontology
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert list(ontology.objects(onto, p)), p


def _terms(ontology: Graph) -> set[URIRef]:
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        QB.DimensionProperty,
        QB.MeasureProperty,
        QB.AttributeProperty,
        QB.DataStructureDefinition,
        GK.Severity,
    )
    return {
        s
        for kind in kinds
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(GK))
    }


def test_every_term_is_labelled(ontology: Graph) -> None:
    terms = _terms(ontology)
    assert len(terms) >= 35
    for term in terms:
        assert _langs(ontology, term, RDFS.label, "en"), f"{term}: no rdfs:label @en"
        assert _langs(ontology, term, RDFS.label, "zh"), f"{term}: no rdfs:label @zh"
        assert _langs(ontology, term, RDFS.comment, "en"), f"{term}: no rdfs:comment @en"


def test_every_gk_name_used_is_declared(ontology: Graph, codes: Graph) -> None:
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    for g in (ontology, codes):
        for triple in g:
            for x in triple:
                if isinstance(x, URIRef) and str(x).startswith(str(GK)):
                    assert x in declared, f"{x} is used but not declared"


def test_classes_and_severities(ontology: Graph) -> None:
    for cls in (GK.AnnualReport, GK.Agency, GK.Severity):
        assert (cls, RDF.type, OWL.Class) in ontology
    assert (GK.Agency, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")) in ontology
    assert set(ontology.subjects(RDF.type, GK.Severity)) == {GK.error, GK.warning, GK.info}
    for sev in (GK.error, GK.warning, GK.info):
        assert _langs(ontology, sev, SKOS.prefLabel, "en") == [str(sev).rsplit("#", 1)[1]]


def test_measure_properties(ontology: Graph) -> None:
    for m in layout.Measure:
        assert (GK[m.value], RDF.type, QB.MeasureProperty) in ontology, m
    assert set(ontology.subjects(RDF.type, QB.MeasureProperty)) == set(MEASURE_RANGES)
    for prop, rng in MEASURE_RANGES.items():
        assert list(ontology.objects(prop, RDFS.range)) == [rng], prop


def test_dimension_properties(ontology: Graph, codes: Graph) -> None:
    assert (GK.report, RDF.type, QB.DimensionProperty) in ontology
    assert (GK.report, RDF.type, OWL.ObjectProperty) in ontology
    assert list(ontology.objects(GK.report, RDFS.range)) == [GK.AnnualReport]
    for prop, scheme in CODED_DIMENSIONS.items():
        assert (prop, RDF.type, QB.DimensionProperty) in ontology, prop
        assert (prop, RDF.type, QB.CodedProperty) in ontology, prop
        assert list(ontology.objects(prop, RDFS.range)) == [SKOS.Concept], prop
        assert list(ontology.objects(prop, QB.codeList)) == [scheme_iri(scheme)], prop
        assert (scheme_iri(scheme), RDF.type, SKOS.ConceptScheme) in codes, scheme
    # W3C Data Cube IC-4: every dimension has a range; the measure dimension too.
    assert list(ontology.objects(QB.measureType, RDFS.range)) == [QB.MeasureProperty]
    assert (SDMX_ATTRIBUTE.unitMeasure, RDF.type, QB.AttributeProperty) in ontology


@pytest.mark.parametrize("dsd_name", sorted(DSD_COMPONENTS))
def test_data_structure_definitions(ontology: Graph, dsd_name: str) -> None:
    dsd = GK[dsd_name]
    assert (dsd, RDF.type, QB.DataStructureDefinition) in ontology
    found: dict[str, set[URIRef]] = {"dimension": set(), "measure": set(), "attribute": set()}
    declared_type = {
        "dimension": QB.DimensionProperty,
        "measure": QB.MeasureProperty,
        "attribute": QB.AttributeProperty,
    }
    orders = []
    for spec in ontology.objects(dsd, QB.component):
        assert isinstance(spec, URIRef) and str(spec).startswith(f"{GK[dsd_name]}-"), spec
        assert (spec, RDF.type, QB.ComponentSpecification) in ontology, spec
        kinds = [(k, p) for k in found for p in ontology.objects(spec, QB[k])]
        assert len(kinds) == 1, f"{spec}: {kinds}"
        kind, prop = kinds[0]
        found[kind].add(prop)
        if prop != QB.measureType:
            assert (prop, RDF.type, declared_type[kind]) in ontology, f"{prop} not declared"
        if kind == "dimension":
            assert list(ontology.objects(prop, RDFS.range)), f"{prop}: no rdfs:range (IC-4)"
            orders.extend(int(o) for o in ontology.objects(spec, QB.order))
        required = list(ontology.objects(spec, QB.componentRequired))
        if kind == "attribute":
            assert [r.toPython() for r in required] == [False], spec
        else:
            assert not required, spec  # IC-6: only attributes may be optional
    assert found == DSD_COMPONENTS[dsd_name]
    assert sorted(orders) == list(range(1, len(found["dimension"]) + 1))


def test_province_code_list_matches_regions(codes: Graph) -> None:
    from converter.regions import PROVINCES

    scheme = scheme_iri("province")
    concepts = set(codes.subjects(SKOS.inScheme, scheme))
    assert concepts == {code_iri("province", p.code) for p in PROVINCES}
    for p in PROVINCES:
        iri = code_iri("province", p.code)
        assert _langs(codes, iri, SKOS.prefLabel, "zh") == [p.zh]
        assert _langs(codes, iri, SKOS.prefLabel, "en") == [p.en]
