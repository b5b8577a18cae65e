"""The W3C RDF Data Cube integrity constraints IC-1…IC-21 on the converted seeds.

The queries are the Recommendation's own (tests/conformance/qb-ic.rq, qb-normalize.ru, copied
unchanged). The data is the union of every report graph of the converted seeds plus
ontology/*.ttl (the data structure definitions, the dimensions' ranges and code lists), normalized
in an in-memory store with the two update phases of §10.2. Every ASK must answer false. A few
hand-made broken cubes show that the same checks do fire.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.emit import emit_report
from converter.pipeline import convert_file

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = Path(__file__).resolve().parent / "conformance"
SEEDS = ROOT / "data" / "seeds"
BASE = "http://localhost:8000"


# ---------------------------------------------------------------------------------------------
# The constraints, split as the files' headers say


def _split_constraints() -> tuple[str, dict[str, str]]:
    """``(prefixes, {title: query})`` from qb-ic.rq: chunks start at lines beginning ``#### ``."""
    text = (CONFORMANCE / "qb-ic.rq").read_text(encoding="utf-8")
    chunks = re.split(r"^#### ", text, flags=re.MULTILINE)[1:]
    queries: dict[str, str] = {}
    for chunk in chunks:
        title, _, body = chunk.partition("\n")
        queries[title.strip()] = body
    prefixes = queries.pop("PREFIXES")
    return prefixes, queries


def _normalization_phases() -> list[str]:
    text = (CONFORMANCE / "qb-normalize.ru").read_text(encoding="utf-8")
    parts = re.split(r"^# -+ phase \d+\s*$", text, flags=re.MULTILINE)
    phases = [p for p in parts[1:] if p.strip()]
    assert len(phases) == 2, "qb-normalize.ru: expected two phases"
    return phases


PREFIXES, QUERIES = _split_constraints()
# "IC-1. Unique DataSet" -> "IC-1"; templates and their instantiation queries handled apart
CONSTRAINTS = {t.split(".")[0]: q for t, q in QUERIES.items() if re.fullmatch(r"IC-\d+[ab]?\. .*", t)}
TEMPLATES = {t.split(".")[0]: q for t, q in QUERIES.items() if "TEMPLATE" in t}
INSTANTIATIONS = {t.split("-instantiation")[0]: q for t, q in QUERIES.items() if "-instantiation" in t}
ASKS = {k: q for k, q in CONSTRAINTS.items() if k not in TEMPLATES}
ALL_IDS = sorted({*ASKS, *TEMPLATES}, key=lambda k: (int(re.search(r"\d+", k).group()), k))


def test_every_constraint_is_here() -> None:
    expected = {f"IC-{n}" for n in range(1, 22) if n != 19} | {"IC-19a", "IC-19b"}
    assert set(ALL_IDS) == expected
    assert set(TEMPLATES) == {"IC-20", "IC-21"} == set(INSTANTIATIONS)


def violated(store: ox.Store, ic: str) -> bool:
    """Whether constraint ``ic`` is violated (templates: for any instantiation of ``$p``)."""
    if ic in TEMPLATES:
        bindings = [row["p"] for row in store.query(PREFIXES + INSTANTIATIONS[ic])]
        return any(bool(store.query(PREFIXES + TEMPLATES[ic].replace("$p", p.value))) for p in bindings)
    return bool(store.query(PREFIXES + ASKS[ic]))


# ---------------------------------------------------------------------------------------------
# The data


def _ontology_quads() -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        quads.extend(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    assert quads, "ontology/*.ttl is empty"
    return quads


def normalized(*quad_sources: object) -> ox.Store:
    """A fresh in-memory store with the union of the sources in its default graph, normalized."""
    store = ox.Store()
    default = ox.DefaultGraph()
    for quads in quad_sources:
        store.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in quads)
    for phase in _normalization_phases():
        store.update(phase)
    return store


@pytest.fixture(scope="module")
def cube() -> ox.Store:
    ds = None
    for seed in sorted(SEEDS.glob("*.txt")):
        ds = emit_report(convert_file(seed), BASE, ds)
    assert ds is not None, "no seeds in data/seeds"
    data = list(ox.parse(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS))
    store = normalized(data, _ontology_quads())
    observations = store.query("ASK { ?o a <http://purl.org/linked-data/cube#Observation> }")
    assert observations, "the seeds yield no observations"
    return store


@pytest.mark.parametrize("ic", ALL_IDS)
def test_seeds_satisfy(cube: ox.Store, ic: str) -> None:
    assert not violated(cube, ic), f"{ic} is violated by the converted seeds + ontology"


# ---------------------------------------------------------------------------------------------
# Broken cubes: the checks can fail

HEAD = """
@prefix gk:   <https://w3id.org/gongkai/def#> .
@prefix qb:   <http://purl.org/linked-data/cube#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix req:  <https://w3id.org/gongkai/code/request/> .
@prefix app:  <https://w3id.org/gongkai/code/applicant/> .
@prefix proc: <https://w3id.org/gongkai/code/proceeding/> .
@prefix res:  <https://w3id.org/gongkai/code/result/> .
@prefix col:  <https://w3id.org/gongkai/code/column/> .
@prefix item: <https://w3id.org/gongkai/code/item/> .
@prefix prv:  <https://w3id.org/gongkai/code/provision/> .
@prefix ds:   <http://localhost:8000/id/dataset/> .
@prefix r:    <http://localhost:8000/id/report/test-0000/> .
@prefix o:    <http://localhost:8000/id/report/test-0000/2020/> .

r:2020 a gk:AnnualReport .
ds:table3 a qb:DataSet ; qb:structure gk:table3Structure .
ds:table4 a qb:DataSet ; qb:structure gk:table4Structure .
ds:table2 a qb:DataSet ; qb:structure gk:table2Structure .
o:a a qb:Observation ; qb:dataSet ds:table4 ; gk:report r:2020 ;
    gk:proceeding proc:review ; gk:result res:total ; gk:count 3 .
"""

BROKEN = {
    # an observation outside any data set
    "IC-1": "o:b a qb:Observation ; gk:report r:2020 ; gk:count 1 .",
    # two observations with the same dimension values
    "IC-12": """o:b a qb:Observation ; qb:dataSet ds:table4 ; gk:report r:2020 ;
                    gk:proceeding proc:review ; gk:result res:total ; gk:count 4 .""",
    # a 表三 cell without its applicant column
    "IC-11": "o:b a qb:Observation ; qb:dataSet ds:table3 ; gk:report r:2020 ; gk:request req:1 ; gk:count 1 .",
    # a 表三 observation without its measure
    "IC-14": """o:b a qb:Observation ; qb:dataSet ds:table3 ; gk:report r:2020 ;
                    gk:request req:1 ; gk:applicant app:total .""",
    # 表二: the measure named by qb:measureType is absent / another measure is given
    "IC-15": """o:b a qb:Observation ; qb:dataSet ds:table2 ; gk:report r:2020 ; gk:provision prv:20-1 ;
                    gk:item item:regulation ; gk:column col:new-made ; qb:measureType gk:count ; gk:change 2 .""",
    "IC-16": """o:b a qb:Observation ; qb:dataSet ds:table2 ; gk:report r:2020 ; gk:provision prv:20-1 ;
                    gk:item item:regulation ; gk:column col:new-made ; qb:measureType gk:count ;
                    gk:count 2 ; gk:amount 2.0 .""",
    # a row code that is not in the request code list
    "IC-19a": """o:b a qb:Observation ; qb:dataSet ds:table3 ; gk:report r:2020 ;
                    gk:request req:9.9 ; gk:applicant app:total ; gk:count 1 .""",
    # a data set with two structures
    "IC-2": "ds:table3 qb:structure gk:table4Structure .",
}


@pytest.fixture(scope="module")
def ontology() -> list[ox.Quad]:
    return _ontology_quads()


def _cube(ontology: list[ox.Quad], extra: str = "") -> ox.Store:
    data = list(ox.parse((HEAD + extra).encode("utf-8"), format=ox.RdfFormat.TURTLE))
    return normalized(data, ontology)


def test_hand_made_cube_is_clean(ontology: list[ox.Quad]) -> None:
    store = _cube(ontology)
    assert [ic for ic in ALL_IDS if violated(store, ic)] == []


@pytest.mark.parametrize("ic", sorted(BROKEN))
def test_broken_cube_is_caught(ontology: list[ox.Quad], ic: str) -> None:
    store = _cube(ontology, BROKEN[ic])
    assert violated(store, ic), f"{ic} should catch: {BROKEN[ic]}"
