"""Aggregate cubes: national and provincial figures, computed once per load so that no request
scans every observation (issue 7).

They live in their own graph, ``{BASE}/id/dataset/aggregates``, computed from all report graphs
by a fresh ``gongkai load`` (no time stamps: the same reports give the same triples):

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

A load that *updates* a store does not scan every report again: the sums are additive (each report
adds at most one observation, hence 1 report, to a group), so the loader scans the reports it
removes before removing them (:func:`scan_groups` over those graphs), and the reports it loaded,
and :func:`changed_cube_quads` rewrites only the cube observations whose sums change. Provinces
are assigned to the agencies of the loaded reports that have none yet, and taken from the
agencies that no report names any more (:func:`drop_unreported_agencies`). The result is the graph
a recomputation gives (tests/endpoint/test_aggregates.py), at a cost that follows the size of the
update, not of the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, Store
from rdflib.namespace import PROV, RDF, RDFS, XSD

from converter import vocab
from converter.iris import DEFAULT_BASE, aggregates_graph_iri, code_iri, cube_observation_iri, dataset_iri
from converter.regions import provinces_of
from converter.terms import to_oxigraph_iri
from endpoint.sparql import fixed

GK, QB, CODE = str(vocab.GK), str(vocab.QB), vocab.CODE_BASE
XSD_INTEGER, RDF_TYPE = to_oxigraph_iri(XSD.integer), to_oxigraph_iri(RDF.type)
RDFS_LABEL, PROV_DERIVED = to_oxigraph_iri(RDFS.label), to_oxigraph_iri(PROV.wasDerivedFrom)
QB_DATASET_CLASS, QB_DATASET = NamedNode(f"{QB}DataSet"), NamedNode(f"{QB}dataSet")
GK_PROVINCE, GK_COUNT, GK_REPORT_COUNT = (
    NamedNode(f"{GK}province"),
    NamedNode(f"{GK}count"),
    NamedNode(f"{GK}reportCount"),
)
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


def aggregates_graph(base_url: str) -> NamedNode:
    """The graph that holds the aggregate cubes: ``{BASE}/id/dataset/aggregates``."""
    return NamedNode(str(aggregates_graph_iri(base_url)))


def _dataset(base: str, name: str) -> NamedNode:
    """The data set ``{BASE}/id/dataset/{name}`` (a table kind or a cube), ``converter.iris``."""
    return NamedNode(str(dataset_iri(base, name)))


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
    groups = scan_groups(store, base)
    quads: list[Quad] = []
    for cube in AGGREGATE_CUBES:
        quads += _description_quads(cube, base, graph)
        for key, (total, n) in cube_totals(cube, groups[cube.source]).items():
            quads += _observation_quads(cube, key, total, n, base, graph)
    return quads


def scan_groups(store: Store, base_url: str, reports: Sequence[NamedNode] | None = None) -> dict[str, Groups]:
    """The grouped sums of 表三 and 表四 (by source table) over every report graph of ``store``,
    or over the graphs ``reports`` only."""
    base = base_url.rstrip("/")
    graph = aggregates_graph(base)
    return {source: _scan(store, graph, _dataset(base, source), source, reports) for source in ("table3", "table4")}


def changed_cube_quads(
    store: Store, base_url: str, removed: dict[str, Groups], added: dict[str, Groups]
) -> tuple[list[Quad], list[Quad]] | None:
    """The quads to remove from and to add to the cubes of ``store`` when the reports whose sums
    are ``removed`` give way to those whose sums are ``added`` (:func:`scan_groups` of each): only
    the observations whose sums change, read from ``store`` one by one. Reads only.

    None if the cubes cannot be updated - ``store`` lacks one (a release older than the cube), or
    an observation would sum fewer than no reports - and must be computed again."""
    base = base_url.rstrip("/")
    graph = aggregates_graph(base)
    remove: list[Quad] = []
    add: list[Quad] = []
    for cube in AGGREGATE_CUBES:
        dataset = _dataset(base, cube.name)
        if next(store.quads_for_pattern(dataset, RDF_TYPE, QB_DATASET_CLASS, graph), None) is None:
            return None
        delta: dict[GroupKey, list[int]] = defaultdict(lambda: [0, 0])
        for sign, groups in ((1, added), (-1, removed)):
            for key, (total, n) in cube_totals(cube, groups[cube.source]).items():
                delta[key][0] += sign * total
                delta[key][1] += sign * n
        for key, (d_total, d_n) in delta.items():
            if d_total == 0 and d_n == 0:
                continue
            obs = _observation_iri(cube, key, base)
            kept = {q.predicate: q for q in store.quads_for_pattern(obs, None, None, graph)}
            if kept and not {GK_COUNT, GK_REPORT_COUNT} <= kept.keys():
                return None
            old_total = _count(kept[GK_COUNT]) if kept else 0
            old_n = _count(kept[GK_REPORT_COUNT]) if kept else 0
            total, n = old_total + d_total, old_n + d_n
            if n < 0 or (n == 0 and total != 0):
                return None
            if n == 0:
                remove += kept.values()
            elif not kept:
                add += _observation_quads(cube, key, total, n, base, graph)
            else:
                remove += [kept[GK_COUNT], kept[GK_REPORT_COUNT]]
                add += [
                    Quad(obs, GK_COUNT, Literal(str(total), datatype=XSD_INTEGER), graph),
                    Quad(obs, GK_REPORT_COUNT, Literal(str(n), datatype=XSD_INTEGER), graph),
                ]
    return remove, add


def reported_agencies(store: Store, reports: Sequence[NamedNode]) -> set[NamedNode]:
    """The agencies of the report graphs ``reports``."""
    if not reports:
        return set()
    rows = fixed.select(store, "agg_agencies", graphs=reports)
    return {agency for row in rows if isinstance(agency := row["agency"], NamedNode)}


def drop_unreported_agencies(store: Store, graph: NamedNode, agencies: Iterable[NamedNode]) -> int:
    """Remove the province of each of ``agencies`` that no report graph names any more (a
    recomputation gives provinces to the agencies of reports only); return how many."""
    dropped = 0
    for agency in agencies:
        if not fixed.ask(store, "agg_reported", {"agency": agency}):
            for quad in list(store.quads_for_pattern(agency, GK_PROVINCE, None, graph)):
                store.remove(quad)
                dropped += 1
    return dropped


def assign_provinces(store: Store, graph: NamedNode, reports: Sequence[NamedNode] | None = None) -> int:
    """Add ``?agency gk:province ?code`` to ``graph`` for every agency whose name names a place;
    with ``reports``, for the agencies of those report graphs that have no province yet. Return
    how many agencies got one."""
    if reports is not None and not reports:
        return 0
    agencies: dict[NamedNode, str] = {}
    for row in fixed.select(store, "agg_agency_names", graphs=reports):
        agency, name = row["agency"], row["name"]
        if isinstance(agency, NamedNode) and isinstance(name, Literal):
            agencies.setdefault(agency, name.value)
    if reports is not None:
        agencies = {
            a: name
            for a, name in agencies.items()
            if next(store.quads_for_pattern(a, GK_PROVINCE, None, graph), None) is None
        }
    quads = [
        Quad(agency, GK_PROVINCE, NamedNode(str(code_iri("province", p.code))), graph)
        for agency, p in zip(agencies, provinces_of(list(agencies.values())), strict=True)
        if p is not None
    ]
    store.extend(quads)
    return len(quads)


# (province or None, year, dimension values…) → (sum, number of reports)
GroupKey = tuple[NamedNode | None, Literal, tuple[NamedNode, ...]]
Groups = dict[GroupKey, tuple[int, int]]


def _scan(
    store: Store, graph: NamedNode, source: NamedNode, table: str, reports: Sequence[NamedNode] | None = None
) -> Groups:
    names = ("request",) if table == "table3" else ("proceeding", "result")
    if reports is not None and not reports:
        return {}
    groups: Groups = {}
    with fixed.solutions(
        store, f"agg_scan_{table}", {"src": source, "agg": graph}, graphs=None if reports is None else [*reports, graph]
    ) as result:
        for row in result:
            prov, year, total, n = row["prov"], row["year"], row["sum"], row["n"]
            dims = tuple(d for name in names if isinstance(d := row[name], NamedNode))
            assert isinstance(year, Literal) and isinstance(total, Literal) and isinstance(n, Literal)
            assert len(dims) == len(names)
            groups[(prov if isinstance(prov, NamedNode) else None, year, dims)] = (int(total.value), int(n.value))
    return groups


def cube_totals(cube: Cube, groups: Groups) -> Groups:
    """The sums of ``cube``'s observations (key: province or None, year, dimension values) from
    the grouped sums of its source table."""
    totals: dict[GroupKey, list[int]] = defaultdict(lambda: [0, 0])
    for (prov, year, dims), (total, n) in groups.items():
        if cube.refusals_only and not dims[0].value.startswith(REFUSAL_ROWS):
            continue
        if cube.provincial and prov is None:
            continue
        key = (prov if cube.provincial else None, year, dims)
        totals[key][0] += total
        totals[key][1] += n
    return {key: (total, n) for key, (total, n) in totals.items()}


def _description_quads(cube: Cube, base: str, graph: NamedNode) -> list[Quad]:
    """``cube``'s data set: its type, structure, provenance and labels."""
    dataset = _dataset(base, cube.name)
    return [
        Quad(dataset, RDF_TYPE, QB_DATASET_CLASS, graph),
        Quad(dataset, NamedNode(f"{QB}structure"), NamedNode(f"{GK}{cube.structure}"), graph),
        Quad(dataset, PROV_DERIVED, _dataset(base, cube.source), graph),
        Quad(dataset, RDFS_LABEL, Literal(cube.zh, language="zh"), graph),
        Quad(dataset, RDFS_LABEL, Literal(cube.en, language="en"), graph),
    ]


def _observation_iri(cube: Cube, key: GroupKey, base: str) -> NamedNode:
    prov, year, dims = key
    path = [_notation(prov)] if prov is not None else []
    path += [year.value, *(_notation(d) for d in dims)]
    return NamedNode(str(cube_observation_iri(base, cube.name, *path)))


def _observation_quads(cube: Cube, key: GroupKey, total: int, n: int, base: str, graph: NamedNode) -> list[Quad]:
    """One observation of ``cube``: its sum ``total`` over ``n`` reports."""
    prov, year, dims = key
    obs = _observation_iri(cube, key, base)
    values: list[tuple[NamedNode, NamedNode | Literal]] = [(NamedNode(f"{GK}refYear"), year)]
    if prov is not None:
        values.append((GK_PROVINCE, prov))
    values += [(NamedNode(f"{GK}{name}"), dim) for name, dim in zip(cube.dimensions, dims, strict=True)]
    values += [
        (GK_COUNT, Literal(str(total), datatype=XSD_INTEGER)),
        (GK_REPORT_COUNT, Literal(str(n), datatype=XSD_INTEGER)),
    ]
    return [
        Quad(obs, RDF_TYPE, NamedNode(f"{QB}Observation"), graph),
        Quad(obs, QB_DATASET, _dataset(base, cube.name), graph),
        *(Quad(obs, p, value, graph) for p, value in values),
    ]


def _count(quad: Quad) -> int:
    """The whole number of a count this module wrote (gk:count, gk:reportCount)."""
    assert isinstance(quad.object, Literal)  # an xsd:integer, as _observation_quads writes it
    return int(quad.object.value)


def _notation(code: NamedNode) -> str:
    """``request/3.3.1`` → ``3.3.1``: the part of a code IRI after its scheme."""
    return code.value.removeprefix(CODE).split("/", 1)[1]


def cube_names(provincial: bool | None = None) -> Iterable[str]:
    return [c.name for c in AGGREGATE_CUBES if provincial is None or c.provincial == provincial]
