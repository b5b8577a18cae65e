"""The aggregate cubes `gongkai load` computes (endpoint.aggregates.compute_aggregates) equal the sums
of the report observations, here recomputed in Python from the converted seeds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, QuerySolutions, Store

from converter.emit import emit_report, new_dataset
from converter.output import sorted_nquads, write_atomic
from converter.pipeline import convert_file
from endpoint.aggregates import AGGREGATE_DATASETS, aggregates_graph, compute_aggregates
from endpoint.loader import load

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "data" / "seeds").glob("*.txt"))
BASE = "http://localhost:8000"
GK = "https://w3id.org/gongkai/def#"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, Path]:
    reports = [convert_file(p) for p in SEEDS]
    folder = tmp_path_factory.mktemp("agg")
    ds = new_dataset()
    for report in reports:
        emit_report(report, BASE, ds)
    data = folder / "seeds.nq"
    write_atomic(data, sorted_nquads(ds))
    store = folder / "store"
    load([data], store, base_url=BASE)
    return reports, store


def _aggregate(store: Path, dataset: str, dims: list[str]) -> dict[tuple[str, ...], tuple[int, int]]:
    s = Store.read_only(str(store.resolve()))
    names = " ".join(f"?{d}" for d in dims)
    patterns = " ".join(f"gk:{d} ?{d} ;" for d in dims)
    result = s.query(
        f"PREFIX gk: <{GK}> PREFIX qb: <http://purl.org/linked-data/cube#> "
        f"SELECT ?year {names} ?count ?n WHERE {{ GRAPH <{aggregates_graph(BASE).value}> {{ "
        f"?o qb:dataSet <{BASE}/id/dataset/{dataset}> ; gk:refYear ?year ; {patterns} gk:count ?count ; "
        "gk:reportCount ?n } }"
    )
    assert isinstance(result, QuerySolutions)
    out = {}
    for row in result:
        key = (row["year"].value, *(row[d].value.rsplit("/", 1)[1] for d in dims))
        assert key not in out, f"duplicate aggregate observation {key}"
        out[key] = (int(row["count"].value), int(row["n"].value))
    return out


def _expected(reports: list, table: str, keep) -> dict[tuple[str, ...], tuple[int, int]]:
    sums: Counter[tuple[str, ...]] = Counter()
    counts: Counter[tuple[str, ...]] = Counter()
    for report in reports:
        for cell in report.cells:
            codes = dict(cell.codes)
            if cell.table == table and keep(codes):
                key = (str(report.meta.year), *(n for s, n in cell.codes if s != "applicant"))
                sums[key] += int(cell.value)
                counts[key] += 1
    return {k: (sums[k], counts[k]) for k in sums}


def test_seeds_have_both_tables(seeds: tuple[list, Path]) -> None:
    reports, _ = seeds
    assert any(c.table == "table3" for r in reports for c in r.cells)
    assert any(c.table == "table4" for r in reports for c in r.cells)


def test_applications_by_outcome_and_year(seeds: tuple[list, Path]) -> None:
    reports, store = seeds
    expected = _expected(reports, "table3", lambda c: c.get("applicant") == "total")
    assert expected
    assert _aggregate(store, "national-applications", ["request"]) == expected


def test_refusals_by_reason_and_year(seeds: tuple[list, Path]) -> None:
    reports, store = seeds
    expected = _expected(reports, "table3", lambda c: c.get("applicant") == "total" and c["request"].startswith("3.3."))
    assert _aggregate(store, "national-refusals", ["request"]) == expected


def test_appeals_by_result_and_year(seeds: tuple[list, Path]) -> None:
    reports, store = seeds
    expected = _expected(reports, "table4", lambda c: True)
    assert expected
    assert _aggregate(store, "national-appeals", ["proceeding", "result"]) == expected


def test_data_sets_are_declared_with_provenance(seeds: tuple[list, Path]) -> None:
    _, store = seeds
    s = Store.read_only(str(store.resolve()))
    for name, (dsd, source, _, _) in AGGREGATE_DATASETS.items():
        assert s.query(
            f"ASK {{ GRAPH <{aggregates_graph(BASE).value}> {{ <{BASE}/id/dataset/{name}> a "
            f"<http://purl.org/linked-data/cube#DataSet> ; <http://purl.org/linked-data/cube#structure> <{GK}{dsd}> ; "
            f"<http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}/id/dataset/{source}> }} }}"
        )


def test_recomputing_is_deterministic(seeds: tuple[list, Path], tmp_path: Path) -> None:
    _, store = seeds
    source = Store.read_only(str(store.resolve()))
    copy = Store()
    copy.extend(source.quads_for_pattern(None, None, None, None))
    graph = aggregates_graph(BASE)
    before = {str(q) for q in copy.quads_for_pattern(None, None, None, graph)}
    compute_aggregates(copy, BASE)
    assert {str(q) for q in copy.quads_for_pattern(None, None, None, graph)} == before
    assert NamedNode(graph.value) in set(copy.named_graphs())


# Provinces: from the agency's name (converter/regions.py, cpca), GB/T 2260 codes
SEED_PROVINCES = {
    "六安市裕安区人民政府": "34",  # 六安市, Anhui
    "偃师市人民政府办公室": "41",  # 偃师市 (Luoyang), Henan
    "安庆市人民政府": "34",  # Anhui
    "相山经济开发区": None,  # a development zone: its name names no county or city
    "三明市梅列区人民政府": "35",  # Fujian
}


def test_agencies_get_the_province_their_name_names(seeds: tuple[list, Path]) -> None:
    reports, store = seeds
    assert {r.meta.agency for r in reports} == set(SEED_PROVINCES)
    s = Store.read_only(str(store.resolve()))
    result = s.query(
        f"PREFIX gk: <{GK}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?name ?prov WHERE { GRAPH ?r { ?r gk:agency ?a . ?a skos:prefLabel ?name } "
        f"OPTIONAL {{ GRAPH <{aggregates_graph(BASE).value}> {{ ?a gk:province ?prov }} }} }}"
    )
    assert isinstance(result, QuerySolutions)
    got = {row["name"].value: row["prov"].value.rsplit("/", 1)[1] if row["prov"] else None for row in result}
    assert got == SEED_PROVINCES


def _expected_by_province(reports: list, table: str, keep) -> dict[tuple[str, ...], tuple[int, int]]:
    sums: Counter[tuple[str, ...]] = Counter()
    counts: Counter[tuple[str, ...]] = Counter()
    for report in reports:
        province = SEED_PROVINCES[report.meta.agency]
        if province is None:
            continue
        for cell in report.cells:
            codes = dict(cell.codes)
            if cell.table == table and keep(codes):
                key = (str(report.meta.year), province, *(n for s, n in cell.codes if s != "applicant"))
                sums[key] += int(cell.value)
                counts[key] += 1
    return {k: (sums[k], counts[k]) for k in sums}


def test_provincial_cubes_sum_the_reports_of_each_province(seeds: tuple[list, Path]) -> None:
    reports, store = seeds
    total = lambda c: c.get("applicant") == "total"  # noqa: E731
    applications = _expected_by_province(reports, "table3", total)
    assert {k[1] for k in applications} == {"34", "41", "35"}
    assert _aggregate(store, "provincial-applications", ["province", "request"]) == applications
    refusals = _expected_by_province(reports, "table3", lambda c: total(c) and c["request"].startswith("3.3."))
    assert _aggregate(store, "provincial-refusals", ["province", "request"]) == refusals
    appeals = _expected_by_province(reports, "table4", lambda c: True)
    assert appeals
    assert _aggregate(store, "provincial-appeals", ["province", "proceeding", "result"]) == appeals


def test_national_is_the_provinces_plus_agencies_without_one(seeds: tuple[list, Path]) -> None:
    reports, store = seeds
    national = _aggregate(store, "national-applications", ["request"])
    provincial = _aggregate(store, "provincial-applications", ["province", "request"])
    unassigned = [r for r in reports if SEED_PROVINCES[r.meta.agency] is None]
    assert len(unassigned) == 1
    without = _expected(unassigned, "table3", lambda c: c.get("applicant") == "total")
    summed: Counter[tuple[str, str]] = Counter()
    for (year, _, request), (count, _) in provincial.items():
        summed[(year, request)] += count
    assert national
    for key, (count, _) in national.items():
        assert count == summed[key] + without.get(key, (0, 0))[0], key
