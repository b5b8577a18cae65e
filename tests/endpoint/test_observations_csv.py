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
from endpoint.loader import read_manifest

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
