"""The tidy table of every observation (``observations.csv.gz``) and its CSVW metadata, as
``gongkai dump`` writes them for the seed reports (the shared ``dumps_dir`` of tests/conftest.py),
read by the ``csvw`` library (PyPI) and compared with the store one to one."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Store

from endpoint import tidy
from endpoint.dump import read_manifest

GK = "https://w3id.org/gongkai/def#"
MEASURES = {GK + m for m in ("count", "change", "amount", "quantity")}
ROW_DIMENSIONS = {GK + d for d in ("request", "item", "proceeding", "legacyItem")}
COLUMN_DIMENSIONS = {GK + d for d in ("applicant", "column", "result")}


@pytest.fixture(scope="module")
def table_dir(dumps_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The metadata beside the table decompressed, as `gunzip observations.csv.gz` leaves them."""
    folder = tmp_path_factory.mktemp("csvw")
    shutil.copy(dumps_dir / tidy.METADATA_NAME, folder / tidy.METADATA_NAME)
    with gzip.open(dumps_dir / tidy.CSV_NAME, "rb") as src, (folder / tidy.TABLE_URL).open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return folder


@pytest.fixture(scope="module")
def stored(store_dir: Path) -> dict[str, dict[str, str]]:
    """Every report observation of the store: its measure, value and row/column code IRIs, read
    triple by triple (not with the dump's query)."""
    store = Store.read_only(str(store_dir.resolve()))
    observations: dict[str, dict[str, str]] = {}
    for quad in store.quads_for_pattern(None, NamedNode(GK + "report"), None):
        observations[quad.subject.value] = {}
    for iri, facts in observations.items():
        for quad in store.quads_for_pattern(NamedNode(iri), None, None):
            p = quad.predicate.value
            if p in MEASURES:
                facts["measure"], facts["value"] = p, quad.object.value
                assert isinstance(quad.object, Literal)
            elif p in ROW_DIMENSIONS:
                facts["row"] = quad.object.value
            elif p in COLUMN_DIMENSIONS:
                facts["column"] = quad.object.value
    return observations


def read_rows(table_dir: Path) -> list[dict[str, object]]:
    from csvw import Table

    table = Table.from_file(table_dir / tidy.METADATA_NAME)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a header or datatype the metadata does not allow fails here
        return list(table.iterdicts(strict=True))


def test_the_metadata_is_valid_csvw_and_describes_every_column(table_dir: Path) -> None:
    from csvw.metadata import CSVW

    checked = CSVW(str(table_dir / tidy.METADATA_NAME), validate=True)
    assert checked.is_valid, checked.warnings
    description = json.loads((table_dir / tidy.METADATA_NAME).read_text(encoding="utf-8"))
    columns = [c for c in description["tableSchema"]["columns"] if not c.get("virtual")]
    with (table_dir / tidy.TABLE_URL).open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert [c["name"] for c in columns] == header == list(tidy.NAMES)
    for column in columns:
        assert column["titles"]["en"] == column["name"] and column["titles"]["zh"] and column["datatype"]
    notes = next(c for c in columns if c["name"] == "notes")
    assert notes["separator"] == tidy.NOTE_SEPARATOR
    assert description["tableSchema"]["aboutUrl"] == "{+observation}"
    assert description["url"] == tidy.TABLE_URL


def test_the_table_and_the_store_agree_one_to_one(table_dir: Path, stored: dict[str, dict[str, str]]) -> None:
    rows = read_rows(table_dir)
    by_iri = {str(r["observation"]): r for r in rows}
    assert len(by_iri) == len(rows)  # the primary key holds: one row per observation
    assert set(by_iri) == set(stored)
    for iri, facts in stored.items():
        row = by_iri[iri]
        assert row["value"] == Decimal(facts["value"]), iri
        assert GK + str(row["measure"]) == facts["measure"], iri
        assert f"{tidy.CODE}{row['row_scheme']}/{row['row_code']}" == facts["row"], iri
        column = f"{tidy.CODE}{row['column_scheme']}/{row['column_code']}" if row["column_code"] else None
        assert column == facts.get("column"), iri
        assert row["row_label"] and row["agency"] and row["year"] and row["template"], iri


def test_labels_notes_and_units_are_those_of_the_store(table_dir: Path, store_dir: Path) -> None:
    rows = read_rows(table_dir)
    store = Store.read_only(str(store_dir.resolve()))
    notes: dict[str, set[str]] = {}
    for sol in store.query(
        "SELECT ?obs ?code WHERE { GRAPH ?g { ?n <http://www.w3.org/ns/oa#hasTarget> ?obs ; "
        f"<{GK}issueCode> ?code . ?obs <{GK}report> ?r }} }}"
    ):
        notes.setdefault(sol["obs"].value, set()).add(sol["code"].value)
    assert notes, "the seeds have quality notes on observations"
    for row in rows:
        assert set(row["notes"]) == notes.get(str(row["observation"]), set())  # type: ignore[arg-type]
    anhui = next(r for r in rows if r["row_code"] == "3.1" and r["column_code"] == "total" and r["province"])
    assert anhui["province"] == "安徽省" and anhui["province_code"] == "34"
    assert anhui["row_label"] == "予以公开" and anhui["column_label"] == "总计"
    units = {str(r["unit"]) for r in rows if r["unit"]}
    assert units and units <= {"yuan", "wan-yuan", "wan-tiao", "item"}


def test_each_row_maps_to_the_observations_rdf(table_dir: Path, store_dir: Path) -> None:
    """The csvw library expands each column's aboutUrl / propertyUrl / valueUrl for every row
    (csv2rdf's triples); every triple about an observation, its report or its agency is in the
    store, the value as the same number (CSVW gives it one datatype, xsd:decimal)."""
    from csvw import Table
    from csvw.jsonld import Triple
    from csvw.metadata import NAMESPACES

    store = Store.read_only(str(store_dir.resolve()))
    table = Table.from_file(table_dir / tidy.METADATA_NAME)
    columns = {c.name: c for c in table.tableSchema.columns}
    for c in columns.values():
        c.propertyUrl, c.valueUrl = c.inherit("propertyUrl"), c.inherit("valueUrl")
    about = table.tableSchema.inherit("aboutUrl")
    langs = {c.name: c.lang for c in tidy.COLUMNS}

    def full(name: str) -> str:  # the library gives rdf:type and known namespaces as prefixed names
        prefix, _, local = name.partition(":")
        return NAMESPACES[prefix] + local if prefix in NAMESPACES and not local.startswith("//") else name

    expanded = 0
    for number, row in enumerate(table.iterdicts(), start=1):
        for name, value in row.items():
            column = columns[name]
            if column.suppressOutput or (not column.virtual and value in (None, "", [])):
                continue
            t = Triple.from_col(table, column, row, name, value, number)
            subject = t.about or table.expand(about, row, _row=number)
            prop = full(t.property)
            if langs.get(name):  # a label: of a code (vocabulary graph) or of the agency
                obj: NamedNode | Literal = Literal(str(t.value), language=langs[name])
            elif column.valueUrl is not None:
                obj = NamedNode(full(str(t.value)))
            else:
                obj = Literal(str(value))
            quads = list(store.quads_for_pattern(NamedNode(str(subject)), NamedNode(prop), None))
            if name == "value":
                assert [Decimal(q.object.value) for q in quads] == [value], (subject, prop)
            elif name == "year":
                assert [q.object.value for q in quads] and all(q.object.value == str(value) for q in quads)
            else:
                assert obj in {q.object for q in quads}, (name, subject, prop, obj)
            expanded += 1
    assert expanded > 10 * len(columns)


def test_the_manifest_lists_both_files_with_their_checksums(dumps_dir: Path) -> None:
    manifest = read_manifest(dumps_dir)
    assert manifest is not None
    entries = {f["name"]: f for f in manifest["files"]}
    table, meta = entries[tidy.CSV_NAME], entries[tidy.METADATA_NAME]
    assert (table["media_type"], table["compression"]) == ("text/csv", "gzip")
    assert (meta["media_type"], meta["compression"]) == ("application/csvm+json", None)
    for entry in (table, meta):
        data = (dumps_dir / entry["name"]).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_rows_are_sorted_by_agency_year_table_row_column(dumps_dir: Path) -> None:
    with gzip.open(dumps_dir / tidy.CSV_NAME, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    keys = [(r["agency_iri"], r["year"], r["table"], r["row_code"], r["column_code"], r["observation"]) for r in rows]
    assert keys == sorted(keys)
    raw = gzip.decompress((dumps_dir / tidy.CSV_NAME).read_bytes())
    assert raw.count(b"\r\n") == len(rows) + 1  # CRLF line ends (RFC 4180); no line break inside a cell here


def test_row_cells_quote_and_sort_what_a_report_may_hold() -> None:
    """A label with a comma and a quote is quoted (RFC 4180); codes come out as notations."""
    solution = {
        "observation": "http://x/id/report/a-1/2021/table2/regulation/new-made",
        "report": "http://x/id/report/a-1/2021",
        "agency": "http://x/id/agency/a-1",
        "agencyLabel": '某市"测试",局',
        "year": "2021",
        "template": tidy.CODE + "template/2021",
        "dataset": "http://x/id/dataset/table2",
        "provision": tidy.CODE + "provision/20-1",
        "rowDimension": GK + "item",
        "row": tidy.CODE + "item/regulation",
        "columnDimension": GK + "column",
        "column": tidy.CODE + "column/new-made",
        "measure": GK + "amount",
        "value": "28370.5",
        "notes": "unit-missing sum-mismatch unit-missing",
    }
    buffer = io.BytesIO()
    assert tidy.write_rows([[solution]], buffer) == 1
    header, line = buffer.getvalue().decode("utf-8").split("\r\n")[:2]
    cells = dict(zip(header.split(","), next(csv.reader([line])), strict=True))
    assert line.startswith('"某市""测试"",局",')
    assert cells["row_code"] == "regulation" and cells["row_scheme"] == "item" and cells["provision"] == "20-1"
    assert cells["measure"] == "amount" and cells["notes"] == "sum-mismatch unit-missing"
    assert cells["unit"] == "" and cells["province"] == ""


def test_dumps_page_and_home_page_link_the_table(client: TestClient, dumps_dir: Path) -> None:
    for accept in ("text/html", "text/html,application/xhtml+xml,*/*;q=0.8"):
        page = client.get("/dumps/" if accept == "text/html" else "/", headers={"Accept": accept})
        assert page.status_code == 200
        assert f'/dumps/{tidy.CSV_NAME}"' in page.text and f'/dumps/{tidy.METADATA_NAME}"' in page.text
    meta = client.get(f"/dumps/{tidy.METADATA_NAME}")
    assert meta.status_code == 200 and meta.headers["content-type"] == "application/csvm+json"
    assert meta.json()["url"] == tidy.TABLE_URL
    gz = client.get(f"/dumps/{tidy.CSV_NAME}")
    assert gz.headers["content-type"] == "application/gzip" and gz.content == (dumps_dir / tidy.CSV_NAME).read_bytes()
    plain = client.get(f"/dumps/{tidy.TABLE_URL}")  # the URL the metadata names, decoded by the client
    assert plain.status_code == 200 and plain.headers["content-encoding"] == "gzip"
    assert plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert plain.content == gzip.decompress((dumps_dir / tidy.CSV_NAME).read_bytes())


# --------------------------------------------------------------------------------------------
# The rows against a SPARQL reading of the store. The dump makes them from the N-Triples it
# writes anyway (tidy.ReportGraph); this query (what the table was first read with, one report
# at a time) says what they are, read by Oxigraph's SPARQL engine instead.

REFERENCE_QUERY = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX gk: <https://w3id.org/gongkai/def#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
SELECT ?observation ?report ?agency ?agencyLabel ?year ?template ?province ?provinceLabel ?dataset ?provision
       ?rowDimension ?row ?rowLabel ?columnDimension ?column ?columnLabel ?measure ?value ?unit ?notes
WHERE {
  GRAPH ?report {
    ?report gk:agency ?agency ; gk:year ?year .
    OPTIONAL { ?report gk:template ?template }
    OPTIONAL { ?agency skos:prefLabel ?agencyLabel }
  }
  OPTIONAL {
    GRAPH ?derived { ?agency gk:province ?province }
    OPTIONAL {
      GRAPH <https://w3id.org/gongkai/def> { ?province skos:prefLabel ?provinceLabel }
      FILTER(LANGMATCHES(LANG(?provinceLabel), "zh"))
    }
  }
  {
    SELECT ?report ?observation ?dataset ?rowDimension ?row ?measure ?value
           (SAMPLE(?provision0) AS ?provision) (SAMPLE(?unit0) AS ?unit)
           (GROUP_CONCAT(DISTINCT ?code; separator=" ") AS ?notes)
    WHERE {
      GRAPH ?report {
        ?observation gk:report ?report ; qb:dataSet ?dataset .
        VALUES ?measure { gk:count gk:change gk:amount gk:quantity }
        ?observation ?measure ?value .
        VALUES ?rowDimension { gk:request gk:item gk:proceeding gk:legacyItem }
        ?observation ?rowDimension ?row .
        OPTIONAL { ?observation gk:provision ?provision0 }
        OPTIONAL { ?observation sdmx-attribute:unitMeasure ?unit0 }
        OPTIONAL { ?note oa:hasTarget ?observation ; gk:issueCode ?code }
      }
    }
    GROUP BY ?report ?observation ?dataset ?rowDimension ?row ?measure ?value
  }
  OPTIONAL {
    GRAPH <https://w3id.org/gongkai/def> { ?row skos:prefLabel ?rowLabel }
    FILTER(LANGMATCHES(LANG(?rowLabel), "zh"))
  }
  OPTIONAL {
    GRAPH ?report {
      VALUES ?columnDimension { gk:applicant gk:column gk:result }
      ?observation ?columnDimension ?column
    }
    OPTIONAL {
      GRAPH <https://w3id.org/gongkai/def> { ?column skos:prefLabel ?columnLabel }
      FILTER(LANGMATCHES(LANG(?columnLabel), "zh"))
    }
  }
}
"""


def reference_solutions(store: Store, report: NamedNode) -> list[dict[str, str | None]]:
    from pyoxigraph import Variable

    results = store.query(REFERENCE_QUERY, substitutions={Variable("report"): report})
    names = [v.value for v in results.variables]  # type: ignore[union-attr]
    return [{n: (None if (t := s[n]) is None else t.value) for n in names} for s in results]  # type: ignore[union-attr]


def read_graph(store: Store, report: NamedNode, blocks: int = 1) -> tidy.ReportGraph:
    """A report graph's rows as the dump makes them: its N-Triples fed in ``blocks`` pieces
    of whole lines."""
    from pyoxigraph import RdfFormat

    graph = tidy.ReportGraph(report.value, tidy.Lookups.read(store))
    lines = (store.dump(format=RdfFormat.N_TRIPLES, from_graph=report) or b"").splitlines(keepends=True)
    step = max(1, -(-len(lines) // blocks))
    for start in range(0, len(lines), step):
        graph.feed(b"".join(lines[start : start + step]))
    return graph


def test_the_dumped_table_is_what_sparql_reads_from_the_store(store_dir: Path, dumps_dir: Path) -> None:
    from endpoint.dump import report_years

    store = Store.read_only(str(store_dir.resolve()))
    reports = sorted({g for graphs in report_years(store).values() for g in graphs}, key=str)
    expected = io.BytesIO()
    rows = tidy.write_rows((reference_solutions(store, r) for r in reports), expected)
    assert rows > 500 and len(reports) == 5
    assert gzip.decompress((dumps_dir / tidy.CSV_NAME).read_bytes()) == expected.getvalue()


V = "http://x.test"
CODE = tidy.CODE
# what N-Triples escapes (\\, \", \t, \n, \r, \b, \f, \u0001), a comma, and a character beyond the BMP
AGENCY_NAME = '某市"测试",局\\\t其他\n办公室\r\b\f\x01𠀀'


def made_up_store() -> tuple[Store, NamedNode]:
    """A report graph with what a report may hold beside the seeds' plain cases: an agency name
    with what N-Triples escapes and a comma (the CSV quotes it); a code with two Chinese labels
    (and an English one); a legacy observation (no column) with a unit; a 表二 amount with a
    provision; notes from a blank node and from an IRI, two codes on one observation; an
    observation without a data set and one of another report (neither is a row)."""
    from pyoxigraph import BlankNode, Quad

    qb = "http://purl.org/linked-data/cube#"
    oa = "http://www.w3.org/ns/oa#"
    label = NamedNode(tidy.SKOS_PREF_LABEL)
    vocabulary = NamedNode("https://w3id.org/gongkai/def")
    report, agency = NamedNode(f"{V}/id/report/a-1/2021"), NamedNode(f"{V}/id/agency/a-1")
    province = NamedNode(CODE + "province/34")
    store = Store()

    def add(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal, g: NamedNode = report) -> None:
        store.add(Quad(s, NamedNode(p), o, g))

    for iri, text, lang in [
        (CODE + "item/regulation", "规章", "zh"),
        (CODE + "item/regulation", "规章（本年）", "zh-hans"),
        (CODE + "item/regulation", "regulations", "en"),
        (CODE + "column/new-made", "本年制发件数", "zh"),
        (CODE + "legacy/3", "依申请公开", "zh"),
        (CODE + "request/3.1", "予以公开", "zh"),
        (CODE + "applicant/total", "总计", "zh"),
        (province.value, "安徽省", "zh"),
    ]:
        add(NamedNode(iri), tidy.SKOS_PREF_LABEL, Literal(text, language=lang), vocabulary)
    store.add(Quad(agency, NamedNode(GK + "province"), province, NamedNode(f"{V}/id/dataset/aggregates")))
    add(report, GK + "agency", agency)
    add(report, GK + "year", Literal("2021", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    add(report, GK + "template", NamedNode(CODE + "template/2021"))
    store.add(Quad(agency, label, Literal(AGENCY_NAME, language="zh"), report))
    integer = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    observations = {
        "table2/regulation/new-made": (
            "table2",
            "item/regulation",
            "column/new-made",
            "amount",
            Literal("28370.5", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ),
        "table3/3.1/total": ("table3", "request/3.1", "applicant/total", "count", Literal("12", datatype=integer)),
        "legacy/3": ("legacy", "legacy/3", None, "quantity", Literal("-4", datatype=integer)),
    }
    dimensions = {
        "item": "item",
        "request": "request",
        "legacy": "legacyItem",
        "column": "column",
        "applicant": "applicant",
    }
    for path, (table, row, column, measure, number) in observations.items():
        obs = NamedNode(f"{report.value}/{path}")
        add(obs, GK + "report", report)
        add(obs, qb + "dataSet", NamedNode(f"{V}/id/dataset/{table}"))
        add(obs, GK + dimensions[row.split("/")[0]], NamedNode(CODE + row))
        if column:
            add(obs, GK + dimensions[column.split("/")[0]], NamedNode(CODE + column))
        add(obs, GK + measure, number)
    add(NamedNode(f"{report.value}/table2/regulation/new-made"), GK + "provision", NamedNode(CODE + "provision/20-1"))
    add(NamedNode(f"{report.value}/legacy/3"), tidy.UNIT_MEASURE, NamedNode(CODE + "unit/item"))
    note, other = BlankNode("n1"), NamedNode(f"{report.value}/note/2")
    add(note, oa + "hasTarget", NamedNode(f"{report.value}/legacy/3"))
    add(note, GK + "issueCode", Literal("unit-missing"))
    add(other, oa + "hasTarget", NamedNode(f"{report.value}/legacy/3"))
    add(other, GK + "issueCode", Literal("sum-mismatch"))
    add(other, GK + "issueCode", Literal("unit-missing"))
    stray = NamedNode(f"{report.value}/table3/3.2/total")  # no data set: not an observation of the table
    add(stray, GK + "report", report)
    add(stray, GK + "count", Literal("1", datatype=integer))
    add(stray, GK + "request", NamedNode(CODE + "request/3.1"))
    foreign = NamedNode(f"{V}/id/report/b-2/2021/table3/3.1/total")  # of another report
    add(foreign, GK + "report", NamedNode(f"{V}/id/report/b-2/2021"))
    add(foreign, qb + "dataSet", NamedNode(f"{V}/id/dataset/table3"))
    add(foreign, GK + "count", Literal("7", datatype=integer))
    add(foreign, GK + "request", NamedNode(CODE + "request/3.1"))
    return store, report


def as_multiset(solutions: list[dict[str, str | None]]) -> list[tuple[tuple[str, str], ...]]:
    """Solutions compared whatever their order, and that of the codes in ``notes`` (a set)."""
    return sorted(
        tuple(
            sorted(
                (k, "(unbound)" if v is None else " ".join(sorted(v.split())) if k == "notes" else v)
                for k, v in s.items()
            )
        )
        for s in solutions
    )


@pytest.mark.parametrize("blocks", [1, 3, 40])
def test_a_report_graph_read_from_its_n_triples_gives_what_sparql_gives(blocks: int) -> None:
    store, report = made_up_store()
    graph = read_graph(store, report, blocks)
    expected = reference_solutions(store, report)
    assert len(expected) == 4  # the code with two Chinese labels: two rows, as a join gives
    assert as_multiset(list(graph.solutions())) == as_multiset(expected)
    rows = graph.rows()
    assert rows == sorted((tuple(tidy.row_cells(s)) for s in expected), key=tidy.sort_key)
    cells = [dict(zip(tidy.NAMES, row, strict=True)) for row in rows]
    assert {c["agency"] for c in cells} == {AGENCY_NAME}
    legacy = next(c for c in cells if c["table"] == "legacy")
    assert legacy["notes"] == "sum-mismatch unit-missing" and legacy["unit"] == "item" and legacy["column_code"] == ""
    assert {c["row_label"] for c in cells if c["row_code"] == "regulation"} == {"规章", "规章（本年）"}


def test_a_report_without_agency_or_year_has_no_rows() -> None:
    store, report = made_up_store()
    store.remove(next(iter(store.quads_for_pattern(report, NamedNode(GK + "year"), None, report))))
    assert reference_solutions(store, report) == [] and list(read_graph(store, report).solutions()) == []


def test_csv_lines_write_what_the_csv_module_writes() -> None:
    plain = [tuple(f"{name}-{i}" for name in tidy.NAMES) for i in range(3)]
    for rows in (
        plain,
        [*plain, tuple("a,b" if n == "agency" else 'say "x"' if n == "row_label" else "" for n in tidy.NAMES)],
        [tuple("line\r\nbreak" if n == "agency" else "x" for n in tidy.NAMES)],
        [],
    ):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        assert tidy.csv_lines(rows) == buffer.getvalue().encode("utf-8")
