"""Checks across reports at load time (issue 21, items 2 and 3; endpoint/checks.py).

The reports are made like bench/generate.py makes its corpus (the real 2019 and 2021 layouts, the
table arithmetic consistent: 表三 row 4 = 1 + 2 − 3.7, the 总计 column the sum of the others), then
their 表三 row 2 (上年结转) is set to row 4 of the year before, or on purpose to something else.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, QuerySolutions, Store

from bench.generate import Spec, build_report
from converter.iris import agency_key
from converter.model import Report
from converter.output import merge_nquads, report_graph, report_nquads
from converter.tables.layout import APPLICANT_COLUMNS
from endpoint.checks import check_quads, checks_graph
from endpoint.load import LoadResult, load

BASE = "http://localhost:8000"
CHECKS = f"{BASE}/id/checks"
YUAN = "六安市裕安区人民政府"
PREFIXES = "PREFIX gk: <https://w3id.org/gongkai/def#>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
CARRY_OVER_NOTES = (
    PREFIXES + 'SELECT ?note ?target ?message ?g WHERE { GRAPH ?g { ?note gk:issueCode "carry-over-mismatch" ; '
    "oa:hasTarget ?target ; oa:bodyValue ?message } }"
)


# --------------------------------------------------------------------------------------------
# Made reports


def _with_row(report: Report, values: dict[str, int], *, row: str) -> Report:
    """``report`` with 表三 row ``row`` (2 or 4) set to ``values`` per applicant column, row 1
    (or row 4) adjusted so that row 4 = 1 + 2 − 3.7 still holds, and the 总计 column summed again."""
    cells = {c.key: c for c in report.cells}

    def value(r: str, a: str) -> int:
        return int(cells[("table3", r, a)].value)

    table = {r: {a: value(r, a) for a in APPLICANT_COLUMNS[:-1]} for r in ("1", "2", "3.7", "4")}
    for a in APPLICANT_COLUMNS[:-1]:
        table[row][a] = values[a]
        if row == "2":
            table["1"][a] = max(0, table["3.7"][a] + table["4"][a] - table["2"][a])
            table["4"][a] = table["1"][a] + table["2"][a] - table["3.7"][a]
        else:
            table["1"][a] = max(0, table["3.7"][a] + table["4"][a] - table["2"][a])
            table["2"][a] = table["3.7"][a] + table["4"][a] - table["1"][a]
    for by_column in table.values():
        by_column["total"] = sum(by_column.values())
    out = []
    for cell in report.cells:
        if cell.table == "table3" and cell.key[1] in table:
            v = table[cell.key[1]][cell.key[2]]
            cell = dataclasses.replace(cell, value=Decimal(v), source_text=str(v))
        out.append(cell)
    return dataclasses.replace(report, cells=out)


def carried_out(report: Report) -> dict[str, int]:
    """表三 row 4 (结转下年度继续办理) per applicant column, 总计 included."""
    return {c.key[2]: int(c.value) for c in report.cells if c.table == "table3" and c.key[1] == "4"}


def series(name: str, years: Iterable[int], *, index: int = 0) -> dict[int, Report]:
    """One agency's reports, each year's 上年结转 equal to the year before's 结转下年度继续办理."""
    out: dict[int, Report] = {}
    for i, year in enumerate(sorted(years)):
        report = build_report(Spec(index + i, name, year, 20.0), 21)
        if year - 1 in out:
            report = _with_row(report, carried_out(out[year - 1]), row="2")
        out[year] = report
    return out


def off_by(report: Report, column: str, delta: int) -> Report:
    """``report`` whose 上年结转 in ``column`` is ``delta`` more (the 总计 column follows)."""
    row = {c.key[2]: int(c.value) for c in report.cells if c.table == "table3" and c.key[1] == "2"}
    row[column] += delta
    return _with_row(report, row, row="2")


def without_cell(report: Report, row: str, column: str) -> Report:
    """``report`` with one 表三 cell left out (printed blank, or not read)."""
    return dataclasses.replace(report, cells=[c for c in report.cells if c.key != ("table3", row, column)])


def write(path: Path, reports: Iterable[Report]) -> Path:
    path.write_bytes(merge_nquads((report_graph(r, BASE), report_nquads(r, BASE)) for r in reports))
    return path


def checked_load(files: list[Path], store: Path) -> LoadResult:
    """``gongkai load`` whose count of quads (on the release's marker) is the store's."""
    result = load(files, store)
    assert not result.failures
    assert result.quads == len(Store.read_only(str(store.resolve())))
    return result


def report_iri(name: str, year: int) -> str:
    return f"{BASE}/id/report/{agency_key(name)}/{year}"


def obs(name: str, year: int, row: str, column: str) -> str:
    return f"{report_iri(name, year)}/table3/{row}/{column}"


def carry_over_notes(store: Path) -> dict[str, tuple[set[str], str]]:
    """The carry-over-mismatch notes of the store, found by SPARQL: note → (targets, message).
    Every one is in the checks graph, none in a report's graph (the converted file, untouched)."""
    s = Store.read_only(str(store.resolve()))
    result = s.query(CARRY_OVER_NOTES)
    assert isinstance(result, QuerySolutions)
    notes: dict[str, tuple[set[str], str]] = {}
    for row in result:
        assert row["g"].value == CHECKS
        notes.setdefault(row["note"].value, (set(), row["message"].value))[0].add(row["target"].value)
    return notes


def graph_quads(store: Path, graph: str) -> set[str]:
    s = Store.read_only(str(store.resolve()))
    return {str(q) for q in s.quads_for_pattern(None, None, None, NamedNode(graph))}


# --------------------------------------------------------------------------------------------
# 21.2 Carried over, year to year


def test_a_carry_over_that_differs_is_noted_on_both_observations(tmp_path: Path) -> None:
    reports = series(YUAN, [2019, 2020, 2021])
    reports[2021] = off_by(reports[2021], "natural-person", 2)
    data = write(tmp_path / "yuan.nq", reports.values())
    store = tmp_path / "store"
    result = checked_load([data], store)

    notes = carry_over_notes(store)
    assert len(notes) == 2  # 自然人 and the 总计 column that sums it; 2020 matches 2019
    before = carried_out(reports[2020])
    for column in ("natural-person", "total"):
        note = f"{CHECKS}/carry-over/{agency_key(YUAN)}/2021/{column}"
        targets, message = notes[note]
        assert targets == {
            obs(YUAN, 2021, "2", column),
            obs(YUAN, 2020, "4", column),
            report_iri(YUAN, 2021),
            report_iri(YUAN, 2020),
        }
        assert f"the 2021 report states 上年结转 (row 2) {before[column] + 2}" in message
        assert f"the 2020 report states 结转下年度继续办理 (row 4) {before[column]}" in message
    # the report graphs are the converted files, untouched
    for year, report in reports.items():
        in_store = graph_quads(store, report_iri(YUAN, year))
        assert len(in_store) == len(report_nquads(report, BASE).splitlines())
        assert not any(CHECKS in q for q in in_store)
    assert result.quads == len(Store.read_only(str(store.resolve())))


def test_a_series_with_a_missing_year_has_nothing_to_compare(tmp_path: Path) -> None:
    """2019 and 2021 without 2020: 2021's 上年结转 is 2020's 结转下年度, which is not in the store."""
    reports = series(YUAN, [2019, 2021])
    assert carried_out(reports[2019]) != {
        c.key[2]: int(c.value) for c in reports[2021].cells if c.table == "table3" and c.key[1] == "2"
    }
    store = tmp_path / "store"
    checked_load([write(tmp_path / "gap.nq", reports.values())], store)
    assert carry_over_notes(store) == {}
    assert CHECKS not in {g.value for g in Store.read_only(str(store.resolve())).named_graphs()}


def test_a_cell_left_out_has_nothing_to_compare(tmp_path: Path) -> None:
    reports = series(YUAN, [2020, 2021])
    reports[2021] = without_cell(off_by(reports[2021], "commercial-enterprise", 1), "2", "commercial-enterprise")
    store = tmp_path / "store"
    checked_load([write(tmp_path / "blank.nq", reports.values())], store)
    assert set(carry_over_notes(store)) == {f"{CHECKS}/carry-over/{agency_key(YUAN)}/2021/total"}


def test_a_year_loaded_twice_and_a_replaced_report(tmp_path: Path) -> None:
    """A year loaded again gives the same checks (no duplicated note); a report replaced by one whose
    carry-over matches loses its note; a replaced year before gives the year after its note. After
    each update the checks graph is the one a fresh load of the same reports gives."""
    reports = series(YUAN, [2019, 2020, 2021])
    other = series("河北省教育厅", [2020, 2021], index=10)
    wrong = off_by(reports[2021], "total", 0)  # 总计 only: a report whose own columns do not sum
    wrong = dataclasses.replace(
        wrong,
        cells=[
            dataclasses.replace(c, value=c.value + 3) if c.key == ("table3", "2", "total") else c for c in wrong.cells
        ],
    )
    store = tmp_path / "store"
    checked_load([write(tmp_path / "all.nq", [reports[2019], reports[2020], wrong, *other.values()])], store)
    first = graph_quads(store, CHECKS)
    assert set(carry_over_notes(store)) == {f"{CHECKS}/carry-over/{agency_key(YUAN)}/2021/total"}

    only_2021 = write(tmp_path / "2021-wrong.nq", [wrong])
    checked_load([only_2021], store)  # the same year loaded again
    assert graph_quads(store, CHECKS) == first
    assert len(carry_over_notes(store)) == 1

    checked_load([write(tmp_path / "2021-fixed.nq", [reports[2021]])], store)
    assert carry_over_notes(store) == {}
    assert CHECKS not in {g.value for g in Store.read_only(str(store.resolve())).named_graphs()}

    # the year before replaced: its 结转下年度 changes, 2021's note comes from the neighbour
    changed_2020 = _with_row(reports[2020], {a: v + 1 for a, v in carried_out(reports[2020]).items()}, row="4")
    checked_load([write(tmp_path / "2020-changed.nq", [changed_2020])], store)
    notes = carry_over_notes(store)
    assert {n.rsplit("/", 2)[-2] for n in notes} == {"2021"}
    assert len(notes) == len(APPLICANT_COLUMNS)  # every column of 2021; 2020's row 2 still matches 2019

    fresh = tmp_path / "fresh"
    load(
        [write(tmp_path / "final.nq", [reports[2019], changed_2020, reports[2021], *other.values()])],
        fresh,
        base_url=BASE,
    )
    assert graph_quads(store, CHECKS) == graph_quads(fresh, CHECKS)
    updated = Store.read_only(str(store.resolve()))
    assert {str(q) for q in updated} == {str(q) for q in Store.read_only(str(fresh.resolve()))}


def test_checks_read_only_report_graphs(tmp_path: Path) -> None:
    """check_quads never reads the checks graph: computing it again gives the same quads."""
    reports = series(YUAN, [2020, 2021])
    reports[2021] = off_by(reports[2021], "natural-person", 1)
    store = tmp_path / "store"
    checked_load([write(tmp_path / "a.nq", reports.values())], store)
    s = Store.read_only(str(store.resolve()))
    assert {str(q) for q in check_quads(s, BASE)} == graph_quads(store, checks_graph(BASE).value)


# --------------------------------------------------------------------------------------------
# 21.3 One agency across its years

GK_POSSIBLE = "https://w3id.org/gongkai/def#possibleSameAgency"


def possible(store: Path) -> set[tuple[str, str]]:
    s = Store.read_only(str(store.resolve()))
    return {
        (q.subject.value.rsplit("/", 1)[-1], q.object.value.rsplit("/", 1)[-1])
        for q in s.quads_for_pattern(None, NamedNode(GK_POSSIBLE), None, NamedNode(CHECKS))
    }


@pytest.fixture(scope="module")
def agencies_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """裕安区 writes its name without its city in 2019; its 办公室 is another organ; 三明市梅列区 was
    merged into 三元区 in 2021 (an institutional reform: another division, never proposed)."""
    folder = tmp_path_factory.mktemp("agencies")
    yuan = series(YUAN, [2020, 2021], index=0)
    bare = series("裕安区人民政府", [2019], index=5)
    yuan[2021] = off_by(yuan[2021], "natural-person", 1)  # a carry-over mismatch, for the page
    office = series("六安市裕安区人民政府办公室", [2018], index=8)
    meilie = series("三明市梅列区人民政府", [2019, 2020], index=10)
    sanyuan = series("三明市三元区人民政府", [2021, 2022], index=15)
    data = write(
        folder / "agencies.nq",
        [*yuan.values(), *bare.values(), *office.values(), *meilie.values(), *sanyuan.values()],
    )
    store = folder / "store"
    checked_load([data], store)
    return store


def test_a_name_without_its_city_is_proposed_as_the_same_agency(agencies_store: Path) -> None:
    yuan, bare = agency_key(YUAN), agency_key("裕安区人民政府")
    assert possible(agencies_store) == {(yuan, bare), (bare, yuan)}
    s = Store.read_only(str(agencies_store.resolve()))
    result = s.query(
        PREFIXES + 'SELECT ?note ?target ?message WHERE { GRAPH ?g { ?note gk:issueCode "agency-possible-match" ; '
        "oa:hasTarget ?target ; oa:bodyValue ?message ; gk:severity gk:info } }"
    )
    assert isinstance(result, QuerySolutions)
    rows = [(r["note"].value, r["target"].value, r["message"].value) for r in result]
    assert {t for _, t, _ in rows} == {f"{BASE}/id/agency/{yuan}", f"{BASE}/id/agency/{bare}"}
    assert len({n for n, _, _ in rows}) == 1
    message = rows[0][2]
    assert "'裕安区人民政府' (2019)" in message and f"'{YUAN}' (2020, 2021)" in message and "not merged" in message


def test_the_agency_page_marks_carry_over_and_possible_matches(agencies_store: Path, tmp_path: Path) -> None:
    from endpoint.app import create_app
    from endpoint.settings import Settings

    with TestClient(create_app(Settings(store=agencies_store, dumps_dir=tmp_path))) as client:
        zh = client.get(f"/doc/agency/{agency_key(YUAN)}", params={"lang": "zh"}).text
        en = client.get(f"/doc/agency/{agency_key(YUAN)}", params={"lang": "en"}).text
        bare = client.get(f"/doc/agency/{agency_key('裕安区人民政府')}", params={"lang": "en"}).text
        meilie = client.get(f"/doc/agency/{agency_key('三明市梅列区人民政府')}", params={"lang": "en"}).text
        first = client.get(f"/doc/report/{agency_key(YUAN)}/2020", params={"lang": "en"}).text
        earlier = client.get(f"/doc/report/{agency_key('裕安区人民政府')}/2019", params={"lang": "en"}).text
    assert 'id="carry-over-2021"' in zh and "结转不符" in zh and "自然人" in zh and "总计" in zh
    assert 'id="carry-over-2021"' in en and "carry-over differs" in en and "natural person" in en.lower()
    assert 'id="carry-over-2020"' not in en
    assert "可能为同一机关" in zh and "Possibly the same agency" in en and "裕安区人民政府" in en
    assert "Possibly the same agency" in bare and YUAN in bare
    assert "Possibly the same agency" not in meilie and "carry-over differs" not in meilie
    # 2020 of 六安市裕安区 is compared with nothing: 2019 is the other name's, and a proposal is not a merge
    assert "carry-over-mismatch" in first  # as the year before of 2021
    assert "carry-over-mismatch" not in earlier


def test_the_report_pages_show_the_carry_over_note(tmp_path: Path) -> None:
    from endpoint.app import create_app
    from endpoint.settings import Settings

    reports = series(YUAN, [2020, 2021])
    reports[2021] = off_by(reports[2021], "natural-person", 4)
    store = tmp_path / "store"
    checked_load([write(tmp_path / "a.nq", reports.values())], store)
    with TestClient(create_app(Settings(store=store, dumps_dir=tmp_path))) as client:
        for year, row in ((2021, "2"), (2020, "4")):
            page = client.get(f"/doc/report/{agency_key(YUAN)}/{year}", params={"lang": "en"}).text
            assert "carry-over-mismatch" in page and "上年结转 (row 2)" in page
            # the cell the note is about is flagged, with the note beside it
            flagged = re.findall(r'<td class="num flagged"[^>]*><a href="([^"]+)"', page)
            assert f"/doc/report/{agency_key(YUAN)}/{year}/table3/{row}/natural-person" in flagged
        cell = client.get(f"/doc/report/{agency_key(YUAN)}/2021/table3/2/natural-person").text
        assert "carry-over-mismatch" in cell


def test_a_release_older_than_the_checks_gets_them_all_on_its_next_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update adjusts the checks of the agencies it touches; a release loaded before the checks
    existed (no "checks" on its marker) has none to adjust, so its next update computes them all."""
    import json

    import endpoint.checks
    from endpoint.release import current_release

    reports = series(YUAN, [2020, 2021])
    reports[2021] = off_by(reports[2021], "natural-person", 1)
    other = series("河北省教育厅", [2021], index=10)
    store = tmp_path / "store"
    with monkeypatch.context() as m:
        m.setattr(endpoint.checks, "check_quads", lambda *args, **kwargs: [])
        checked_load([write(tmp_path / "old.nq", reports.values())], store)
    release = current_release(store)
    assert release is not None
    marker = release.with_name(release.name + ".json")
    info = json.loads(marker.read_text(encoding="utf-8"))
    del info["checks"]
    marker.write_text(json.dumps(info), encoding="utf-8")
    assert carry_over_notes(store) == {}

    result = checked_load([write(tmp_path / "other.nq", other.values())], store)  # touches another agency
    assert len(carry_over_notes(store)) == 2  # 自然人 and 总计 of 2021
    assert result.quads == len(Store.read_only(str(store.resolve())))
