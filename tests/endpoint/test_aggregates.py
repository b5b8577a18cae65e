"""The aggregate cubes `gongkai load` computes (endpoint.aggregates.compute_aggregates) equal the sums
of the report observations, here recomputed in Python from the converted seeds."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Store

from converter.emit import emit_report, new_dataset
from converter.output import report_nquads, sorted_nquads, write_atomic
from converter.pipeline import convert_file
from endpoint.aggregates import AGGREGATE_DATASETS, aggregates_graph, compute_aggregates
from endpoint.load import load

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


# An update (a load into a loaded store) adjusts the cubes by the reports it replaces and brings,
# instead of scanning every report: the aggregates graph must be the one a recomputation gives.

REPORT_RE = re.compile(r"<(?P<g>[^>]+/id/report/[^>]+)> \.$")
COUNT = f"<{GK}count>"
AGENCY = f" <{GK}agency> "


@pytest.fixture(scope="module")
def synthetic() -> dict[str, list[str]]:
    """40 synthetic reports (agencies with provinces, several years): N-Quads lines by graph."""
    from bench.generate import reports as synthetic_reports

    by_graph: dict[str, list[str]] = {}
    for report in synthetic_reports(40, 11):
        for line in report_nquads(report, BASE).decode("utf-8").splitlines():
            match = REPORT_RE.search(line)
            assert match, line
            by_graph.setdefault(match["g"], []).append(line)
    return by_graph


def _write(path: Path, graphs: dict[str, list[str]]) -> Path:
    path.write_text("".join(line + "\n" for g in sorted(graphs) for line in graphs[g]), encoding="utf-8")
    return path


def _aggregates_graph(store: Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, aggregates_graph(BASE))}


def _recomputed(store_path: Path) -> tuple[set[str], int]:
    """The aggregates graph computed again from every report of the release, and its quad count."""
    copy = Store()
    copy.extend(Store.read_only(str(store_path.resolve())).quads_for_pattern(None, None, None, None))
    compute_aggregates(copy, BASE)
    return _aggregates_graph(copy), len(copy)


def _bumped(lines: list[str], rng: random.Random) -> list[str]:
    """The report with other counts: each gk:count changed by -3..+9 (never below 0)."""
    out = []
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if predicate == COUNT:
            value, _, tail = rest[1:].partition('"')
            line = " ".join((subject, predicate, f'"{max(0, int(value) + rng.randint(-3, 9))}"{tail}'))
        out.append(line)
    return out


def test_an_update_gives_the_cubes_a_recomputation_gives(synthetic: dict[str, list[str]], tmp_path: Path) -> None:
    rng = random.Random(5)
    graphs = sorted(synthetic)
    agency_of = {g: next(line.split(" ")[2] for line in synthetic[g] if AGENCY in line) for g in graphs}
    first, later = graphs[:30], graphs[30:]
    # a report whose agency has no other report in the store until the third update
    solo = next(g for g in later[5:] if all(agency_of[h] != agency_of[g] for h in first + later[:5]))
    store = tmp_path / "store"
    load([_write(tmp_path / "first.nq", {g: synthetic[g] for g in [*first, solo]})], store, base_url=BASE)
    fresh = _aggregates_graph(Store.read_only(str(store.resolve())))
    solo_province = [q for q in fresh if q.startswith(agency_of[solo] + f" <{GK}province> ")]
    assert solo_province, "the solo report's agency has a province"

    # 1. eight reports with other counts, and the first five of the new reports
    changed = {g: _bumped(synthetic[g], rng) for g in rng.sample(first, 8)}
    changed |= {g: synthetic[g] for g in later[:5]}
    # 2. one report loses its 表三 and 表四 observations (groups lose a report), and the
    #    solo report names another agency of the store: its own agency has no report left, so
    #    loses its province
    dropped = rng.choice(first)
    lines = [
        line for line in synthetic[dropped] if "/table4/" not in line and "/applicant/total" not in line.split(" ")[0]
    ]
    moved = [line for line in synthetic[solo] if not line.startswith(agency_of[solo] + " ")]  # its name and type
    update2 = {dropped: lines, solo: [line.replace(agency_of[solo], agency_of[first[0]]) for line in moved]}
    # 3. the other new reports (the solo one as it was) and the first update again
    update3 = {g: synthetic[g] for g in later[5:]} | changed

    seen = [fresh]
    for i, update in enumerate([changed, update2, update3]):
        result = load([_write(tmp_path / f"update-{i}.nq", update)], store, base_url=BASE)
        current = _aggregates_graph(Store.read_only(str(store.resolve())))
        expected, quads = _recomputed(store)
        assert current == expected, f"update {i}: the cubes differ from a recomputation"
        assert result.quads == quads, f"update {i}: the quad count on record is not the store's"
        seen.append(current)
    # the updates did change the cubes: sums, observations gone and new ones, a province gone
    assert seen[1] != seen[0] and seen[2] != seen[1]
    assert seen[0] - seen[1] and seen[1] - seen[0] and seen[1] - seen[2]
    assert set(solo_province) <= seen[1] and not set(solo_province) & seen[2] and set(solo_province) <= seen[3]


def test_an_update_that_brings_the_aggregates_computes_them_again(seeds: tuple[list, Path], tmp_path: Path) -> None:
    """A dump loaded into a store holds the aggregates graph: the cubes are then computed again."""
    _, source = seeds
    dump = tmp_path / "dump.nq"
    Store.read_only(str(source.resolve())).dump(str(dump), format=RdfFormat.N_QUADS)
    store = tmp_path / "store"
    load([dump], store, base_url=BASE)
    result = load([dump], store, base_url=BASE)
    expected, quads = _recomputed(store)
    assert _aggregates_graph(Store.read_only(str(store.resolve()))) == expected
    assert result.quads == quads
