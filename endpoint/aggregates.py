"""Aggregate cubes: national and provincial figures, computed once per load so that no request
scans every observation (issue 7).

They live in their own graph, ``{BASE}/id/dataset/aggregates``, and are recomputed from all
report graphs at every ``gongkai load`` (no time stamps: the same reports give the same triples):

1. every agency whose name names a place gets ``gk:province`` (``converter.regions``: the cpca
   gazetteer, GB/T 2260 codes) - a derived fact about the agency, not something a report states;
2. one scan of 表三's 总计 column and one of 表四, each grouped by year, province (or none) and
   row, give all the cubes:

   - ``national-applications`` / ``provincial-applications``: 表三 总计 by (province,) year, row;
   - ``national-refusals`` / ``provincial-refusals``: the same, rows 3.3.x (reasons of refusal);
   - ``national-appeals`` / ``provincial-appeals``: 表四 by (province,) year, proceeding, result;

   each observation with ``gk:count`` (the sum) and ``gk:reportCount`` (the reports summed). A
   national figure is the sum of the provincial ones plus those of agencies without a province.

The observations are built as pyoxigraph terms from the grouped rows (a few thousand at most,
whatever the number of reports); the scans are static SPARQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from converter import vocab
from converter.iris import DEFAULT_BASE, code_iri
from converter.regions import provinces_of

GK, QB, CODE = str(vocab.GK), str(vocab.QB), vocab.CODE_BASE
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROV_DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
REFUSAL_ROWS = f"{CODE}request/3.3."


@dataclass(frozen=True)
class Cube:
    name: str
    structure: str  # the DSD's local name in gk:
    source: str  # the report data set it sums: table3 or table4
    dimensions: tuple[str, ...]  # gk: properties after refYear (and province), in IRI order
    zh: str
    en: str
    provincial: bool = False
    refusals_only: bool = False


AGGREGATE_CUBES = (
    Cube(
        "national-applications",
        "nationalApplicationsStructure",
        "table3",
        ("request",),
        "全国政府信息公开申请办理情况（表三 总计列）",
        "National applications by row of 表三 and year (总计 column)",
    ),
    Cube(
        "national-refusals",
        "nationalApplicationsStructure",
        "table3",
        ("request",),
        "全国不予公开申请按理由（表三 3.3.x 总计列）",
        "National refusals by reason (表三 rows 3.3.x) and year",
        refusals_only=True,
    ),
    Cube(
        "national-appeals",
        "nationalAppealsStructure",
        "table4",
        ("proceeding", "result"),
        "全国政府信息公开行政复议、行政诉讼情况（表四）",
        "National administrative reviews and lawsuits by result (表四) and year",
    ),
    Cube(
        "provincial-applications",
        "provincialApplicationsStructure",
        "table3",
        ("request",),
        "分省政府信息公开申请办理情况（表三 总计列）",
        "Applications by province, row of 表三 and year (总计 column)",
        provincial=True,
    ),
    Cube(
        "provincial-refusals",
        "provincialApplicationsStructure",
        "table3",
        ("request",),
        "分省不予公开申请按理由（表三 3.3.x 总计列）",
        "Refusals by province, reason (表三 rows 3.3.x) and year",
        provincial=True,
        refusals_only=True,
    ),
    Cube(
        "provincial-appeals",
        "provincialAppealsStructure",
        "table4",
        ("proceeding", "result"),
        "分省政府信息公开行政复议、行政诉讼情况（表四）",
        "Administrative reviews and lawsuits by province, proceeding, result and year (表四)",
        provincial=True,
    ),
)
AGGREGATE_DATASETS = {c.name: (c.structure, c.source, c.zh, c.en) for c in AGGREGATE_CUBES}

_PREFIXES = "PREFIX gk: <https://w3id.org/gongkai/def#>\nPREFIX qb: <http://purl.org/linked-data/cube#>\n"
_AGENCY_NAMES = (
    _PREFIXES + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT DISTINCT ?agency ?name WHERE { GRAPH ?r { ?r gk:agency ?agency . ?agency skos:prefLabel ?name } }"
)
# ?src and ?agg are bound by substitution (pyoxigraph wants them projected, hence grouped). The most selective pattern first (the 总计 column):
# Oxigraph then scans 1/8 of table3 rather than all of it.
_SCAN = {
    "table3": _PREFIXES
    + """SELECT ?src ?agg ?prov ?year ?request (SUM(?c) AS ?sum) (COUNT(DISTINCT ?r) AS ?n) WHERE {
  GRAPH ?r {
    ?o gk:applicant <https://w3id.org/gongkai/code/applicant/total> ; qb:dataSet ?src ; gk:request ?request ;
       gk:count ?c .
    ?r gk:year ?year ; gk:agency ?a .
  }
  OPTIONAL { GRAPH ?agg { ?a gk:province ?prov } }
} GROUP BY ?src ?agg ?prov ?year ?request""",
    "table4": _PREFIXES
    + """SELECT ?src ?agg ?prov ?year ?proceeding ?result (SUM(?c) AS ?sum) (COUNT(DISTINCT ?r) AS ?n) WHERE {
  GRAPH ?r {
    ?o qb:dataSet ?src ; gk:proceeding ?proceeding ; gk:result ?result ; gk:count ?c .
    ?r gk:year ?year ; gk:agency ?a .
  }
  OPTIONAL { GRAPH ?agg { ?a gk:province ?prov } }
} GROUP BY ?src ?agg ?prov ?year ?proceeding ?result""",
}


def aggregates_graph(base_url: str) -> NamedNode:
    """The graph that holds the aggregate cubes: ``{BASE}/id/dataset/aggregates``."""
    return NamedNode(f"{base_url.rstrip('/')}/id/dataset/aggregates")


def compute_aggregates(store: Store, base_url: str = DEFAULT_BASE) -> int:
    """(Re)compute the province assignments and every aggregate cube of ``store`` into
    :func:`aggregates_graph`, with their data set descriptions; return the graph's triple count."""
    graph = aggregates_graph(base_url)
    store.remove_graph(graph)
    assign_provinces(store, graph)
    store.extend(aggregate_quads(store, base_url))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))


def aggregate_quads(store: Store, base_url: str = DEFAULT_BASE) -> list[Quad]:
    """The cubes' quads (observations and data set descriptions), from two read-only scans of
    ``store``, whose agencies have their provinces already (:func:`assign_provinces`).

    Writes nothing, so it may run while the store is being compacted (``gongkai load`` does);
    a write during a compaction can stall until the compaction ends."""
    base = base_url.rstrip("/")
    graph = aggregates_graph(base)
    quads: list[Quad] = []
    for source in ("table3", "table4"):
        groups = _scan(store, graph, NamedNode(f"{base}/id/dataset/{source}"), source)
        for cube in AGGREGATE_CUBES:
            if cube.source == source:
                quads += _cube_quads(cube, groups, base, graph)
    return quads


def assign_provinces(store: Store, graph: NamedNode) -> int:
    """Add ``?agency gk:province ?code`` to ``graph`` for every agency whose name names a place;
    return how many agencies got one."""
    agencies: dict[NamedNode, str] = {}
    result = store.query(_AGENCY_NAMES)
    assert isinstance(result, QuerySolutions)
    for row in result:
        agency, name = row["agency"], row["name"]
        if isinstance(agency, NamedNode) and isinstance(name, Literal):
            agencies.setdefault(agency, name.value)
    del result
    province = NamedNode(f"{GK}province")
    quads = [
        Quad(agency, province, NamedNode(str(code_iri("province", p.code))), graph)
        for agency, p in zip(agencies, provinces_of(list(agencies.values())), strict=True)
        if p is not None
    ]
    store.extend(quads)
    return len(quads)


# (province or None, year, dimension values…) → (sum, number of reports)
Groups = dict[tuple[NamedNode | None, Literal, tuple[NamedNode, ...]], tuple[int, int]]


def _scan(store: Store, graph: NamedNode, source: NamedNode, table: str) -> Groups:
    from pyoxigraph import Variable

    names = ("request",) if table == "table3" else ("proceeding", "result")
    result = store.query(_SCAN[table], substitutions={Variable("src"): source, Variable("agg"): graph})
    assert isinstance(result, QuerySolutions)
    groups: Groups = {}
    try:
        for row in result:
            prov, year = row["prov"], row["year"]
            dims = tuple(row[n] for n in names)
            assert isinstance(year, Literal) and all(isinstance(d, NamedNode) for d in dims)
            groups[(prov if isinstance(prov, NamedNode) else None, year, dims)] = (  # type: ignore[index]
                int(row["sum"].value),  # type: ignore[union-attr]
                int(row["n"].value),  # type: ignore[union-attr]
            )
    finally:
        del result
    return groups


def _cube_quads(cube: Cube, groups: Groups, base: str, graph: NamedNode) -> list[Quad]:
    """The observations and the data set description of ``cube`` from the grouped sums."""
    ds = f"{base}/id/dataset/{cube.name}"
    dataset = NamedNode(ds)
    totals: dict[tuple[NamedNode | None, Literal, tuple[NamedNode, ...]], list[int]] = defaultdict(lambda: [0, 0])
    for (prov, year, dims), (total, n) in groups.items():
        if cube.refusals_only and not dims[0].value.startswith(REFUSAL_ROWS):
            continue
        if cube.provincial and prov is None:
            continue
        key = (prov if cube.provincial else None, year, dims)
        totals[key][0] += total
        totals[key][1] += n
    quads = [
        Quad(dataset, RDF_TYPE, NamedNode(f"{QB}DataSet"), graph),
        Quad(dataset, NamedNode(f"{QB}structure"), NamedNode(f"{GK}{cube.structure}"), graph),
        Quad(dataset, PROV_DERIVED, NamedNode(f"{base}/id/dataset/{cube.source}"), graph),
        Quad(dataset, RDFS_LABEL, Literal(cube.zh, language="zh"), graph),
        Quad(dataset, RDFS_LABEL, Literal(cube.en, language="en"), graph),
    ]
    for (prov, year, dims), (total, n) in totals.items():
        path = [_notation(prov)] if prov is not None else []
        path += [year.value, *(_notation(d) for d in dims)]
        obs = NamedNode(f"{ds}/{'/'.join(path)}")
        values: list[tuple[str, NamedNode | Literal]] = [("refYear", year)]
        if prov is not None:
            values.append(("province", prov))
        values += list(zip(cube.dimensions, dims, strict=True))
        values += [
            ("count", Literal(str(total), datatype=XSD_INTEGER)),
            ("reportCount", Literal(str(n), datatype=XSD_INTEGER)),
        ]
        quads.append(Quad(obs, RDF_TYPE, NamedNode(f"{QB}Observation"), graph))
        quads.append(Quad(obs, NamedNode(f"{QB}dataSet"), dataset, graph))
        quads += [Quad(obs, NamedNode(f"{GK}{name}"), value, graph) for name, value in values]
    return quads


def _notation(code: NamedNode) -> str:
    """``request/3.3.1`` → ``3.3.1``: the part of a code IRI after its scheme."""
    return code.value.removeprefix(CODE).split("/", 1)[1]


def cube_names(provincial: bool | None = None) -> Iterable[str]:
    return [c.name for c in AGGREGATE_CUBES if provincial is None or c.provincial == provincial]
