"""HTML pages for people: Jinja2 templates (autoescape ON) over views built from the triples.

The report page rebuilds 表二, 表三 and 表四 in the official template's layout
(``converter.tables.layout``), with values from the RDF: every cell links to its observation page,
and cells that a quality note concerns are highlighted with the note's text. Everything taken
from the data (agency names, labels, messages) reaches the templates as plain strings, so Jinja2
escapes it; templates never use ``|safe``.

Every page extends ``base.html``, the one base template. Interface text is written where it is
shown, in both languages: ``{{ L('年度报告', 'Annual reports') }}`` in a template and
``in_language(lang, '机关', 'Agencies')`` in Python (a page's title). One mechanism, inline pairs
rather than a table of keys: the text stays beside its markup, a page is read and reviewed in one
file, and no key table has to be kept in sync with the templates. ``L`` is a global of the
environment that reads ``lang`` from the page's context, so a page needs only ``lang``; the macro
files that use it are imported ``with context`` (tests/endpoint/test_templates.py keeps it so).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from typing import TypedDict

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from converter import iris
from converter.tables.layout import (
    APPEAL_CELLS,
    APPLICANT,
    CONCEPTS,
    DISCLOSURE_ROWS,
    LEGACY,
    PROCEEDING,
    REQUEST_ROWS,
    RESULT,
    Concept,
    Generation,
)
from converter.vocab import CODE_BASE, GK_ONTOLOGY
from endpoint.conneg import FORMATS, Format
from endpoint.render.rdf import SERIALIZATION_PREFIXES

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_GK = "https://w3id.org/gongkai/def#"
_QB = "http://purl.org/linked-data/cube#"
_DQV = "http://www.w3.org/ns/dqv#"
_OA = "http://www.w3.org/ns/oa#"
_DCTERMS = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = _RDF + "langString"

RDF_TYPE = _RDF + "type"
LABEL_PREDICATES = (_SKOS + "prefLabel", _RDFS + "label")
MEASURES = ("count", "change", "amount", "quantity")
# Coded dimension property (local name in gk:) -> code scheme.
DIMENSIONS = {
    "provision": "provision",
    "item": "item",
    "column": "column",
    "request": "request",
    "applicant": "applicant",
    "proceeding": "proceeding",
    "result": "result",
    "legacyItem": "legacy",
}
_ZH_NUMERALS = "一二三四五六七八九十"


# ---------------------------------------------------------------------------------------------
# A small read-only index over the triples of one document


class Doc:
    """The triples of one document, indexed by subject and by object."""

    def __init__(self, triples: Iterable[Triple], lang: str = "zh") -> None:
        self.lang = lang  # the reader's language: which label ``label`` prefers
        self.out: dict[Subject, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[Term, list[tuple[Subject, str]]] = defaultdict(list)
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if not isinstance(s, NamedNode | BlankNode) or not isinstance(o, NamedNode | BlankNode | Literal):
                continue  # RDF-star triple terms are not expected here
            self.out[s][p].append(o)
            self.inc[o].append((s, p))

    def objects(self, s: Subject, p: str) -> list[Term]:
        props = self.out.get(s)
        return list(props.get(p, ())) if props else []

    def value(self, s: Subject, p: str) -> Term | None:
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def text(self, s: Subject, p: str) -> str | None:
        v = self.value(s, p)
        return None if v is None else v.value

    def subjects(self, p: str, o: Term) -> list[Subject]:
        return [s for s, pred in self.inc.get(o, ()) if pred == p]

    def types(self, s: Subject) -> set[str]:
        return {o.value for o in self.objects(s, RDF_TYPE)}

    def of_type(self, type_iri: str) -> list[Subject]:
        node = NamedNode(type_iri)
        return sorted(self.subjects(RDF_TYPE, node), key=_sort_key)

    def labels(self, s: Term) -> tuple[str | None, str | None]:
        """(Chinese, English) labels: skos:prefLabel first, then rdfs:label; the layout's
        labels for code-list concepts the document does not label."""
        zh = en = plain = None
        if isinstance(s, NamedNode | BlankNode):
            for p in LABEL_PREDICATES:
                for lit in self.objects(s, p):
                    if not isinstance(lit, Literal):
                        continue
                    lang = (lit.language or "").lower()
                    if lang.startswith("zh") and zh is None:
                        zh = lit.value
                    elif lang.startswith("en") and en is None:
                        en = lit.value
                    elif not lang and plain is None:
                        plain = lit.value
        if isinstance(s, NamedNode) and (zh is None or en is None):
            c = code_concept(s.value)
            if c is not None:
                zh, en = zh or c.zh, en or c.en
        return zh or plain, en

    def label(self, s: Term) -> str:
        zh, en = self.labels(s)
        if zh or en:
            return (en or zh if self.lang == "en" else zh or en) or ""
        if isinstance(s, NamedNode | BlankNode):
            notation = self.text(s, _SKOS + "notation")
            if notation:
                return notation
        return compact(s.value) if isinstance(s, NamedNode) else s.value


def _sort_key(term: Term) -> tuple[str, int, str]:
    """Sort IRIs naturally: ``…/note/2`` before ``…/note/10``."""
    value = term.value
    m = re.search(r"(\d+)$", value)
    if m:
        return value[: m.start()], int(m.group(1)), value
    return value, -1, value


def compact(iri: str) -> str:
    """``gk:count`` for a known namespace, else the IRI itself."""
    best = ""
    for name, ns in SERIALIZATION_PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(SERIALIZATION_PREFIXES.get(best, "")):
            best = name
    if best:
        return f"{best}:{iri[len(SERIALIZATION_PREFIXES[best]) :]}"
    return iri


def code_concept(iri: str) -> Concept | None:
    """The layout concept behind a code-list IRI, if it is one."""
    if not iri.startswith(CODE_BASE):
        return None
    scheme, _, notation = iri[len(CODE_BASE) :].partition("/")
    return CONCEPTS.get((scheme, notation))


def notation_of(iri: str, scheme: str) -> str | None:
    prefix = f"{CODE_BASE}{scheme}/"
    return iri[len(prefix) :] if iri.startswith(prefix) else None


class Links:
    """Maps IRIs to the pages that describe them on this server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def href(self, iri: str) -> str:
        doc = iris.doc_path(iri, self.base_url)
        if doc is not None:
            return doc
        if iri.startswith(CODE_BASE):
            return "/code/" + iri[len(CODE_BASE) :]
        if iri == GK_ONTOLOGY:
            return "/def"
        if iri.startswith(GK_ONTOLOGY + "#"):
            return "/def" + iri[len(GK_ONTOLOGY) :]
        return iri


# ---------------------------------------------------------------------------------------------
# Views: plain data handed to the templates


@dataclass(frozen=True)
class ValueView:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    title: str | None = None  # the full IRI of a link shown by its label


@dataclass(frozen=True)
class PropertyView:
    predicate: str
    href: str
    values: list[ValueView]


@dataclass(frozen=True)
class SectionView:
    iri: str
    href: str
    label: str
    properties: list[PropertyView]

    @property
    def anchor(self) -> str:
        """The HTML id: the fragment of a hash IRI (so ``/def#count`` lands here), else the IRI."""
        return self.iri.partition("#")[2] or self.iri


@dataclass(frozen=True)
class NoteView:
    number: int
    anchor: str
    href: str
    code: str
    severity: str
    message: str
    source_text: str | None
    targets: tuple[tuple[str, str, str], ...]  # (IRI, page link, short label) of each target


@dataclass
class CellView:
    href: str
    value: str
    unit: str | None
    notes: list[NoteView] = field(default_factory=list)

    @property
    def title(self) -> str:
        return " · ".join(f"[{n.number}] {n.code}: {n.message}" for n in self.notes)

    @property
    def blank_zero(self) -> bool:
        """Printed blank in the report, published as 0 by the table's arithmetic."""
        return any(n.code == "blank-read-as-zero" for n in self.notes)


@dataclass(frozen=True)
class RowView:
    notation: str
    zh: str
    en: str
    ordinal: str
    depth: int
    cells: list[CellView | None]  # empty for parent rows that hold no numbers
    parent: bool = False


@dataclass(frozen=True)
class BlockView:
    """One 第二十条 provision block of 表二."""

    provision: Concept
    columns: list[Concept]
    rows: list[RowView]


@dataclass(frozen=True)
class AlternateView:
    key: str
    label: str
    media_type: str
    href: str
    current: bool


def alternates(doc_path: str, current: Format) -> list[AlternateView]:
    return [AlternateView(f.key, f.label, f.media_type, doc_path + f.suffix, f.key == current.key) for f in FORMATS]


# ---------------------------------------------------------------------------------------------
# Building the views


class PageBuilder:
    def __init__(self, doc: Doc, subject: NamedNode, links: Links) -> None:
        self.doc = doc
        self.subject = subject
        self.links = links

    # generic ---------------------------------------------------------------------------------
    def value_view(self, term: Term) -> ValueView:
        if isinstance(term, Literal):
            dt = term.datatype.value if term.datatype else None
            shown_dt = None if dt in (None, _XSD_STRING, _RDF_LANGSTRING) else compact(dt)
            return ValueView(term.value, lang=term.language, datatype=shown_dt)
        if isinstance(term, BlankNode):
            return ValueView(f"_:{term.value}")
        return ValueView(self.doc.label(term), href=self.links.href(term.value), title=term.value)

    def section(self, s: Subject) -> SectionView:
        props = []
        for p, objs in sorted(self.doc.out.get(s, {}).items(), key=lambda kv: compact(kv[0])):
            values = [self.value_view(o) for o in sorted(objs, key=_sort_key)]
            props.append(PropertyView(compact(p), self.links.href(p), values))
        iri = s.value if isinstance(s, NamedNode) else f"_:{s.value}"
        href = self.links.href(s.value) if isinstance(s, NamedNode) else f"#{s.value}"
        return SectionView(iri, href, self.doc.label(s), props)

    def other_sections(self) -> list[SectionView]:
        """Things described beyond their labels (e.g. the concepts of a scheme)."""
        label_only = {*LABEL_PREDICATES, _SKOS + "notation", _GK + "year"}
        others = [s for s, props in self.doc.out.items() if s != self.subject and not set(props) <= label_only]
        return [self.section(s) for s in sorted(others, key=_sort_key)]

    def incoming(self) -> list[tuple[str, ValueView]]:
        return sorted(
            (
                (compact(p), self.value_view(s))
                for s, p in self.doc.inc.get(self.subject, ())
                if isinstance(s, NamedNode)
            ),
            key=lambda pv: (pv[0], pv[1].text),
        )

    # notes -----------------------------------------------------------------------------------
    def notes(self, about: Sequence[Subject] | None = None) -> list[NoteView]:
        """Quality notes in the document (those targeting ``about``, if given), numbered."""
        doc = self.doc
        found = {s for s, p in (pair for pairs in doc.inc.values() for pair in pairs) if p == _OA + "hasTarget"}
        found.update(doc.of_type(_DQV + "QualityAnnotation"))
        if about is not None:
            wanted = set(about)
            found = {n for n in found if wanted & set(doc.objects(n, _OA + "hasTarget"))}
        views = []
        for number, note in enumerate(sorted(found, key=_sort_key), start=1):
            targets = tuple(
                (t.value, self.links.href(t.value), _target_label(doc, t))
                for t in sorted(doc.objects(note, _OA + "hasTarget"), key=_sort_key)
                if isinstance(t, NamedNode)
            )
            severity = doc.value(note, _GK + "severity")
            views.append(
                NoteView(
                    number=number,
                    anchor=f"note-{number}",
                    href=self.links.href(note.value) if isinstance(note, NamedNode) else "",
                    code=doc.text(note, _GK + "issueCode") or "",
                    severity=_local_name(severity.value) if isinstance(severity, NamedNode) else "",
                    message=doc.text(note, _OA + "bodyValue") or "",
                    source_text=doc.text(note, _GK + "sourceText"),
                    targets=targets,
                )
            )
        return views

    # cells -----------------------------------------------------------------------------------
    def cell(self, obs: Subject, notes_by_target: dict[str, list[NoteView]]) -> CellView:
        doc = self.doc
        value = ""
        for m in MEASURES:
            v = doc.value(obs, _GK + m)
            if v is not None:
                value = v.value
                break
        unit_term = doc.value(obs, _SDMX_ATTRIBUTE + "unitMeasure")
        unit = doc.label(unit_term) if unit_term is not None else None
        return CellView(
            href=self.links.href(obs.value),
            value=value,
            unit=unit,
            notes=notes_by_target.get(obs.value, []),
        )

    def observations(self) -> dict[str, dict[tuple[str, ...], Subject]]:
        """The report's observations, by table kind and the notations of their dimensions."""
        doc = self.doc
        tables: dict[str, dict[tuple[str, ...], Subject]] = defaultdict(dict)
        for obs in doc.of_type(_QB + "Observation"):
            dataset = doc.value(obs, _QB + "dataSet")
            table = _local_segment(dataset.value) if isinstance(dataset, NamedNode) else "?"
            dims = {}
            for prop, scheme in DIMENSIONS.items():
                term = doc.value(obs, _GK + prop)
                if isinstance(term, NamedNode):
                    dims[prop] = notation_of(term.value, scheme) or term.value
            key = _table_key(table, dims)
            tables[table if key else "other"][key or (obs.value,)] = obs
        return tables


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _local_segment(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _target_label(doc: Doc, target: NamedNode) -> str:
    """A short name for what a note is about: the observation's path below its report."""
    report = doc.value(target, _GK + "report")
    if isinstance(report, NamedNode) and target.value.startswith(report.value + "/"):
        return target.value[len(report.value) + 1 :]
    return doc.label(target)


def _table_key(table: str, dims: dict[str, str]) -> tuple[str, ...] | None:
    wanted = {
        "table2": ("item", "column"),
        "table3": ("request", "applicant"),
        "table4": ("proceeding", "result"),
        "legacy": ("legacyItem",),
    }.get(table)
    if wanted is None or any(d not in dims for d in wanted):
        return None
    return tuple(dims[d] for d in wanted)


def ordinal(notation: str) -> str:
    """The numbering the template prints before a 表三 row: 一、 / （一） / 1."""
    parts = notation.split(".")
    n = int(parts[-1])
    if len(parts) == 1:
        return f"{_ZH_NUMERALS[n - 1]}、"
    if len(parts) == 2:
        return f"（{_ZH_NUMERALS[n - 1]}）"
    return f"{n}."


def _depth(c: Concept, scheme_concepts: dict[str, Concept]) -> int:
    depth = 0
    while c.broader and c.broader in scheme_concepts:
        depth += 1
        c = scheme_concepts[c.broader]
    return depth


# ---------------------------------------------------------------------------------------------
# Page contexts


def report_context(b: PageBuilder) -> dict[str, object]:
    doc, report = b.doc, b.subject
    notes = b.notes()
    notes_by_target: dict[str, list[NoteView]] = defaultdict(list)
    for n in notes:
        for target_iri, _, _ in n.targets:
            notes_by_target[target_iri].append(n)
    tables = b.observations()

    template = doc.value(report, _GK + "template")
    gen_notation = notation_of(template.value, "template") if isinstance(template, NamedNode) else None
    try:
        generation = Generation(gen_notation) if gen_notation else None
    except ValueError:
        generation = None
    table_gen = Generation.GEN2021 if generation is Generation.GEN2021 else Generation.GEN2019
    is_legacy = generation is Generation.LEGACY or (
        generation is None and bool(tables.get("legacy")) and not tables.get("table3")
    )

    def cell(table: str, key: tuple[str, ...]) -> CellView | None:
        obs = tables.get(table, {}).get(key)
        return None if obs is None else b.cell(obs, notes_by_target)

    # 表二: one block per 第二十条 provision, columns as the generation's template prints them
    table2: list[BlockView] = []
    rows2 = DISCLOSURE_ROWS[table_gen]
    width2 = max(len(r.columns) for r in rows2)
    for provision, group in groupby(rows2, key=lambda r: r.provision):
        group_rows = list(group)
        columns = [CONCEPTS[("column", col)] for col, _ in group_rows[0].columns]
        row_views = []
        for r in group_rows:
            item = CONCEPTS[("item", r.item)]
            cells: list[CellView | None] = [cell("table2", (r.item, col)) for col, _ in r.columns]
            row_views.append(RowView(r.item, item.zh, item.en, "", 0, cells))
        table2.append(BlockView(CONCEPTS[("provision", provision)], columns, row_views))

    # 表三: the generation's rows, with their parent rows as headings
    request_concepts = {c.notation: c for (s, _), c in CONCEPTS.items() if s == "request"}
    table3: list[RowView] = []
    emitted: set[str] = set()
    # a 2021-format report that printed （六）其他处理 as one row (request/3.6) shows the 2019 rows
    one_row_other = any(key[0] == "3.6" for key in tables.get("table3", {}))
    rows3 = REQUEST_ROWS[Generation.GEN2019 if one_row_other else table_gen]
    for notation in rows3:
        chain = []
        parent = request_concepts[notation].broader
        while parent and parent not in emitted:
            chain.append(parent)
            parent = request_concepts[parent].broader
        for p in reversed(chain):
            c = request_concepts[p]
            table3.append(RowView(p, c.zh, c.en, ordinal(p), _depth(c, request_concepts), [], True))
            emitted.add(p)
        c = request_concepts[notation]
        cells = [cell("table3", (notation, a.notation)) for a in APPLICANT]
        table3.append(RowView(notation, c.zh, c.en, ordinal(notation), _depth(c, request_concepts), cells))
        emitted.add(notation)

    # 表四: 3 proceedings × 5 results under a two-level header
    table4 = [cell("table4", key) for key in APPEAL_CELLS]
    proceedings = {c.notation: c for c in PROCEEDING}

    # legacy figures, in the layout's order, indented under their broader figure
    legacy_concepts = {c.notation: c for c in LEGACY}
    legacy_rows = [
        RowView(c.notation, c.zh, c.en, "", _depth(c, legacy_concepts), [cell("legacy", (c.notation,))])
        for c in LEGACY
        if (c.notation,) in tables.get("legacy", {})
    ]

    placed = {"table2", "table3", "table4", "legacy"}
    others = [
        (b.section(obs), b.cell(obs, notes_by_target))
        for table, cells in sorted(tables.items())
        for key, obs in sorted(cells.items())
        if table not in placed
        or (table == "table2" and not any(key == (r.item, col) for r in rows2 for col, _ in r.columns))
        or (table == "table3" and key[0] not in rows3)
    ]

    # a report read from several files (a page and its attachment, converter/merge.py) names them all
    sources = [v for v in (_source_view(b, s) for s in doc.objects(report, _PROV + "wasDerivedFrom")) if v]
    agency = doc.value(report, _GK + "agency")
    return {
        "generation": generation.value if generation else None,
        "template_label": doc.label(template) if template is not None else None,
        "template_href": b.links.href(template.value) if isinstance(template, NamedNode) else None,
        "template_evidence": doc.text(report, _GK + "templateEvidence"),
        "year": doc.text(report, _GK + "year"),
        "issued": doc.text(report, _DCTERMS + "issued"),
        "agency": _agency_view(b, agency),
        "sources": sorted(sources, key=lambda v: (v["file_name"] or "", v["sha256"] or "")),
        "show_tables": not is_legacy or any(tables.get(t) for t in ("table2", "table3", "table4")),
        "show_legacy": is_legacy or bool(legacy_rows),
        "table2": table2,
        "table2_width": width2,
        "table3": table3,
        "applicants": APPLICANT,
        "table4": table4,
        "table4_review": proceedings["review"],
        "table4_litigation": proceedings["litigation"],
        "table4_suits": [proceedings["litigation-direct"], proceedings["litigation-after-review"]],
        "results": RESULT,
        "legacy_rows": legacy_rows,
        "other_cells": others,
        "notes": notes,
        "counts": {t: len(c) for t, c in tables.items()},
    }


def _agency_view(b: PageBuilder, agency: Term | None) -> dict[str, str | None] | None:
    if not isinstance(agency, NamedNode):
        return None
    zh, en = b.doc.labels(agency)
    return {"href": b.links.href(agency.value), "zh": zh, "en": en, "iri": agency.value}


def _source_view(b: PageBuilder, source: Term | None) -> dict[str, str | None] | None:
    if not isinstance(source, NamedNode):
        return None
    doc = b.doc
    url = doc.value(source, _DCTERMS + "source")
    return {
        "href": b.links.href(source.value),
        "sha256": doc.text(source, _GK + "sha256") or _local_segment(source.value),
        "file_name": doc.text(source, _GK + "fileName"),
        "format": doc.text(source, _DCTERMS + "format"),
        "url": url.value if isinstance(url, NamedNode) else None,
    }


def agency_context(b: PageBuilder) -> dict[str, object]:
    doc = b.doc
    reports = []
    for r in doc.subjects(_GK + "agency", b.subject):
        if _GK + "AnnualReport" not in doc.types(r) or not isinstance(r, NamedNode):
            continue
        template = doc.value(r, _GK + "template")
        reports.append(
            {
                "href": b.links.href(r.value),
                "year": doc.text(r, _GK + "year") or "",
                "title": doc.label(r),
                "template": doc.label(template) if template is not None else None,
                "issued": doc.text(r, _DCTERMS + "issued"),
            }
        )
    reports.sort(key=lambda r: (r["year"] or "", r["href"] or ""))
    return {"reports": reports}


class DimensionView(TypedDict):
    """A coded dimension of an observation, as its page shows it."""

    property: str
    href: str
    notation: str
    zh: str | None
    en: str | None


def dimension_views(b: PageBuilder) -> list[DimensionView]:
    """The coded dimensions of an observation: property, concept page, notation, zh/en labels."""
    doc, obs = b.doc, b.subject
    dims: list[DimensionView] = []
    for prop, scheme in DIMENSIONS.items():
        term = doc.value(obs, _GK + prop)
        if isinstance(term, NamedNode):
            zh, en = doc.labels(term)
            dims.append(
                {
                    "property": f"gk:{prop}",
                    "href": b.links.href(term.value),
                    "notation": notation_of(term.value, scheme) or term.value,
                    "zh": zh,
                    "en": en,
                }
            )
    return dims


def observation_context(b: PageBuilder) -> dict[str, object]:
    doc, obs = b.doc, b.subject
    dims = dimension_views(b)
    measure = None
    for m in MEASURES:
        v = doc.value(obs, _GK + m)
        if isinstance(v, Literal):
            measure = {"property": f"gk:{m}", "value": v.value, "datatype": compact(v.datatype.value)}
            break
    unit = doc.value(obs, _SDMX_ATTRIBUTE + "unitMeasure")
    report = doc.value(obs, _GK + "report")
    dataset = doc.value(obs, _QB + "dataSet")
    return {
        "measure": measure,
        "unit": (
            {"href": b.links.href(unit.value), "zh": doc.labels(unit)[0], "en": doc.labels(unit)[1]}
            if isinstance(unit, NamedNode)
            else None
        ),
        "dimensions": dims,
        "report": (
            {"href": b.links.href(report.value), "label": doc.label(report)} if isinstance(report, NamedNode) else None
        ),
        "dataset": (
            {"href": b.links.href(dataset.value), "label": doc.label(dataset)}
            if isinstance(dataset, NamedNode)
            else None
        ),
        "where": {
            name: doc.text(obs, _GK + prop)
            for name, prop in (
                ("table", "sourceTable"),
                ("row", "sourceRow"),
                ("column", "sourceColumn"),
                ("line", "sourceLine"),
                ("page", "sourcePage"),
                ("text", "sourceText"),
            )
        },
        "notes": b.notes(about=[obs]),
    }


# ---------------------------------------------------------------------------------------------
# Entry point


def in_language(lang: str, zh: str, en: str) -> str:
    """Interface text in the reader's language: ``en`` on an English page, else ``zh``.

    >>> in_language("en", "机关", "Agencies"), in_language("zh", "机关", "Agencies")
    ('Agencies', '机关')
    """
    return en if lang == "en" else zh


@pass_context
def _template_text(context: Context, zh: str, en: str) -> str:
    """``L(zh, en)`` in the templates: :func:`in_language` for the page's ``lang`` (a page
    rendered without one fails, rather than fall back to a language silently)."""
    lang: str = context["lang"]
    return in_language(lang, zh, en)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("endpoint", "templates"),
        autoescape=True,  # every page is HTML; data is never marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["L"] = _template_text
    return env


def render_document(
    triples: Iterable[Triple],
    subject_iri: str,
    *,
    doc_path: str,
    base_url: str,
    current: Format,
    extra: dict[str, object] | None = None,
) -> str:
    """The HTML page about ``subject_iri``, from the triples of its document; ``extra`` adds to
    (and overrides) the template context: language, charts, links to twins (``endpoint/page_data.py``)."""
    lang = "en" if (extra or {}).get("lang") == "en" else "zh"
    doc = Doc(triples, lang)
    subject = NamedNode(subject_iri)
    b = PageBuilder(doc, subject, Links(base_url))
    types = doc.types(subject)
    zh, en = doc.labels(subject)
    context: dict[str, object] = {
        "lang": lang,
        "iri": subject_iri,
        "title_zh": zh,
        "title_en": en,
        "title": zh or en or doc.label(subject),
        "types": sorted(b.value_view(NamedNode(t)).text for t in types),
        "alternates": alternates(doc_path, current),
        "main": b.section(subject),
    }
    if _GK + "AnnualReport" in types:
        name, context = "report.html", {**context, **report_context(b)}
    elif _GK + "Agency" in types:
        name, context = "agency.html", {**context, **agency_context(b)}
    elif _QB + "Observation" in types:
        obs_context = observation_context(b)
        name, context = "observation.html", {**context, **obs_context}
        if not zh and not en:  # an observation has no label: name it by its table and dimensions
            dims = dimension_views(b)
            table = doc.text(subject, _GK + "sourceTable") or ""
            context["title_zh"] = context["title"] = (
                f"{table} " + " × ".join(d["zh"] or d["notation"] for d in dims)
            ).strip()
            context["title_en"] = " × ".join(d["en"] or d["notation"] for d in dims)
    else:
        name = "resource.html"
        context = {
            **context,
            "sections": b.other_sections(),
            "incoming": b.incoming(),
            "notes": b.notes(about=[subject]),
        }
    if extra:
        context.update(extra)
    if lang == "en" and context["title_en"]:  # the page's title in the reader's language when there is one
        context["title"] = context["title_en"]
    return environment().get_template(name).render(context)
