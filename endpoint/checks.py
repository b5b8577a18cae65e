"""Checks across reports, made by ``gongkai load`` (issue 21): what no single report shows.

1. **Carried over, year to year.** 表三 row 2 (上年结转) of an agency's year N must equal row 4
   (结转下年度继续办理) of its year N−1, column by column (the ``applicant`` scheme, 总计 included).
   Where both observations are published and differ, a ``carry-over-mismatch`` quality note
   (``gk:warning``) names both values and both years and targets both observations *and both
   reports* (so each report's page lists it beside its own notes). A year without its year before
   in the store (the first year, or a gap: 2019 and 2021 without 2020), a report without 表三 (legacy)
   and a cell left out (blank, not read) have nothing to compare: no note.
2. **One agency across its years.** Agencies whose names the rule of ``converter/agency_match.py``
   pairs (the same gazetteer division and organ, years that do not overlap) get an
   ``agency-possible-match`` note (``gk:info``) targeting both, and ``gk:possibleSameAgency`` both
   ways. Nothing is merged.

Everything goes into one graph of its own, :func:`checks_graph` (``{BASE}/id/checks``), so no
report's graph - the converted file, as published - is ever touched. The graph is a function of the
report graphs in the store (no time stamps, notes with stable IRIs from ``converter.iris``). A
fresh load computes it in full (:func:`check_quads`: two SPARQL scans of rows 2 and 4, a few
per cent of the load); an update computes the carry-over notes of the agencies whose
reports it loads or replaces (index look-ups, :func:`changed_check_quads`) and the agency matches
again (one cheap query), and writes only the difference (:func:`write_check_change`): a report
loaded again, replaced, or joined by its neighbours N−1 and N+1 gets exactly the notes a fresh load
of the same reports gives, never duplicates. Both read only, so they run while the store is
compacted.

The graph exists only when it has something to say (the loader writes no quad otherwise).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple
from rdflib.namespace import PROV, RDF, RDFS

from converter import iris, vocab
from converter.agency_match import Agency, Proposal, possible_matches
from converter.defaults import DEFAULT_BASE
from converter.tables.layout import CONCEPTS
from converter.terms import to_oxigraph_iri
from endpoint.sparql import fixed

# the vocabulary's terms as pyoxigraph IRIs, from their one home (converter.vocab)
GK = str(vocab.GK)
RDF_TYPE, RDFS_LABEL, PROV_DERIVED = (
    to_oxigraph_iri(RDF.type),
    to_oxigraph_iri(RDFS.label),
    to_oxigraph_iri(PROV.wasDerivedFrom),
)
DQV_ANNOTATION, DQV_ASSESSMENT, DQV_METADATA = (
    to_oxigraph_iri(vocab.DQV.QualityAnnotation),
    to_oxigraph_iri(vocab.DQV.qualityAssessment),
    to_oxigraph_iri(vocab.DQV.QualityMetadata),
)
OA_MOTIVATED_BY, OA_HAS_TARGET, OA_BODY_VALUE = (
    to_oxigraph_iri(vocab.OA.motivatedBy),
    to_oxigraph_iri(vocab.OA.hasTarget),
    to_oxigraph_iri(vocab.OA.bodyValue),
)
GK_ISSUE_CODE, GK_SEVERITY = to_oxigraph_iri(vocab.GK.issueCode), to_oxigraph_iri(vocab.GK.severity)
GK_POSSIBLE_SAME = to_oxigraph_iri(vocab.GK.possibleSameAgency)
GK_AGENCY, GK_YEAR, GK_REQUEST = (
    to_oxigraph_iri(vocab.GK.agency),
    to_oxigraph_iri(vocab.GK.year),
    to_oxigraph_iri(vocab.GK.request),
)
GK_APPLICANT, GK_COUNT = (
    to_oxigraph_iri(vocab.GK.applicant),
    to_oxigraph_iri(vocab.GK["count"]),
)  # GK.count is str.count
CARRIED_IN = to_oxigraph_iri(iris.code_iri("request", "2"))  # 上年结转政府信息公开申请数量
CARRIED_OUT = to_oxigraph_iri(iris.code_iri("request", "4"))  # 结转下年度继续办理
CARRY_OVER, AGENCY_MATCH = "carry-over-mismatch", "agency-possible-match"


def checks_graph(base_url: str = DEFAULT_BASE) -> NamedNode:
    """The graph of the checks across reports: ``{BASE}/id/checks`` (``converter.iris``)."""
    return NamedNode(str(iris.checks_graph_iri(base_url)))


def compute_checks(store: Store, base_url: str = DEFAULT_BASE) -> int:
    """Compute the checks graph of ``store`` again from its report graphs; return its quad count."""
    graph = checks_graph(base_url)
    store.remove_graph(graph)
    quads = check_quads(store, base_url)
    store.extend(quads)
    return len(quads)


def check_quads(store: Store, base_url: str = DEFAULT_BASE) -> list[Quad]:
    """Every quad of the checks graph, from the report graphs of ``store``. Reads only (so it may
    run while the store is compacted); the checks graph itself is never read."""
    base = base_url.rstrip("/")
    graph = checks_graph(base)
    quads = carry_over_quads(store, base, graph) + agency_match_quads(store, base, graph)
    return quads + _description(base, graph) if quads else quads


def _description(base: str, graph: NamedNode) -> list[Quad]:
    """The graph described in itself (while it holds a note)."""
    return [
        Quad(graph, RDF_TYPE, DQV_METADATA, graph),
        Quad(graph, RDFS_LABEL, Literal("跨报告核对：上年结转、同一机关的不同名称", language="zh"), graph),
        Quad(graph, RDFS_LABEL, Literal("Checks across reports: carry-over, one agency's names", language="en"), graph),
        Quad(graph, PROV_DERIVED, NamedNode(str(iris.dataset_iri(base, "table3"))), graph),
    ]


# --------------------------------------------------------------------------------------------
# An update: the agencies it touches


def changed_check_quads(store: Store, base_url: str, agencies: Iterable[NamedNode]) -> tuple[set[Quad], set[Quad]]:
    """The quads to remove from and to add to the checks graph of ``store`` after an update whose
    reports (loaded, or replaced) belong to ``agencies``: their carry-over notes computed again
    (a carry-over pairs two years of one agency, so no other agency's notes can change), and the
    agency matches computed again in full (one cheap query). Reads only.
    The result, once written by :func:`write_check_change`, is the graph :func:`check_quads` gives."""
    base = base_url.rstrip("/")
    graph = checks_graph(base)
    touched = sorted(set(agencies), key=lambda a: a.value)
    new = set(carry_over_quads(store, base, graph, touched)) | set(agency_match_quads(store, base, graph))
    old: set[Quad] = set()
    notes: set[NamedNode] = set()
    for agency in touched:
        for report in _reports_of(store, agency):
            notes.update(_named_subjects(store.quads_for_pattern(None, OA_HAS_TARGET, report, graph)))
    notes.update(_named_subjects(store.quads_for_pattern(None, GK_ISSUE_CODE, Literal(AGENCY_MATCH), graph)))
    for note in notes:
        old.update(store.quads_for_pattern(note, None, None, graph))
    old.update(store.quads_for_pattern(None, GK_POSSIBLE_SAME, None, graph))
    return old - new, new - old


def _named_subjects(quads: Iterable[Quad]) -> list[NamedNode]:
    return [q.subject for q in quads if isinstance(q.subject, NamedNode)]


def write_check_change(store: Store, base_url: str, remove: set[Quad], add: set[Quad]) -> int:
    """Write :func:`changed_check_quads`' change and keep the graph's description while it holds a
    note (none without); return the change in the graph's quad count."""
    base = base_url.rstrip("/")
    graph = checks_graph(base)
    for quad in remove:
        store.remove(quad)
    store.extend(add)
    delta = len(add) - len(remove)
    noted = next(store.quads_for_pattern(None, RDF_TYPE, DQV_ANNOTATION, graph), None) is not None
    if noted and next(store.quads_for_pattern(graph, None, None, graph), None) is None:
        store.extend(_description(base, graph))
        delta += len(_description(base, graph))
    elif not noted:  # nothing left to say: no graph (its description is all that may be left)
        delta -= sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
        store.remove_graph(graph)
    return delta


def _reports_of(store: Store, agency: NamedNode) -> list[NamedNode]:
    """The report graphs of ``agency`` (a report is its own graph's name)."""
    return [
        q.subject
        for q in store.quads_for_pattern(None, GK_AGENCY, agency, None)
        if isinstance(q.subject, NamedNode) and q.graph_name == q.subject
    ]


# --------------------------------------------------------------------------------------------
# 1. Carried over, year to year

Cell = tuple[NamedNode, NamedNode, int]  # (observation, report, value)
Row = dict[tuple[NamedNode, int, NamedNode], Cell]  # by (agency, year, applicant)


def _row(store: Store, request: NamedNode) -> Row:
    """One 表三 row of every report, by agency, year and column (a report with two years, or a
    value that is not a whole number, is left out: nothing certain to compare)."""
    found: Row = {}
    doubtful: set[tuple[NamedNode, int, NamedNode]] = set()
    with fixed.solutions(store, "checks_carry_over", {"request": request}) as result:
        for row in result:
            agency, year, obs, applicant, count, report = (
                row["agency"], row["year"], row["obs"], row["applicant"], row["count"], row["report"],
            )  # fmt: skip
            if not (
                isinstance(agency, NamedNode)
                and isinstance(obs, NamedNode)
                and isinstance(applicant, NamedNode)
                and isinstance(report, NamedNode)
                and isinstance(year, Literal)
                and isinstance(count, Literal)
            ):
                continue
            try:
                key = (agency, int(year.value), applicant)
                value = int(count.value)
            except ValueError:
                continue
            if key in found and found[key] != (obs, report, value):
                doubtful.add(key)
            found[key] = (obs, report, value)
    for key in doubtful:
        del found[key]
    return found


def _rows_of(store: Store, agencies: Iterable[NamedNode]) -> tuple[Row, Row]:
    """Rows 2 and 4 of the reports of ``agencies`` only, by index look-ups (an update's share)."""
    rows: tuple[Row, Row] = ({}, {})
    for agency in agencies:
        for report in _reports_of(store, agency):
            year = _object(store, report, GK_YEAR, report)
            try:
                year_number = int(year.value) if isinstance(year, Literal) else None
            except ValueError:
                year_number = None
            if year_number is None:
                continue
            for request, into in zip((CARRIED_IN, CARRIED_OUT), rows, strict=True):
                for quad in store.quads_for_pattern(None, GK_REQUEST, request, report):
                    obs = quad.subject
                    applicant = _object(store, obs, GK_APPLICANT, report)
                    count = _object(store, obs, GK_COUNT, report)
                    if isinstance(obs, NamedNode) and isinstance(applicant, NamedNode) and isinstance(count, Literal):
                        with contextlib.suppress(ValueError):
                            into[(agency, year_number, applicant)] = (obs, report, int(count.value))
    return rows


def _object(
    store: Store, subject: NamedNode | BlankNode | Triple, predicate: NamedNode, graph: NamedNode
) -> NamedNode | BlankNode | Literal | Triple | None:
    quad = next(store.quads_for_pattern(subject, predicate, None, graph), None)
    return None if quad is None else quad.object


def carry_over_mismatches(
    store: Store, agencies: Sequence[NamedNode] | None = None
) -> list[tuple[tuple[NamedNode, int, NamedNode], Cell, Cell]]:
    """Each (agency, year N, column) whose row 2 differs from row 4 of year N−1, with both
    (observation, report, value), in a stable order; of every agency (two SPARQL scans), or of
    ``agencies`` only (index look-ups)."""
    if agencies is None:
        carried_in, carried_out = _row(store, CARRIED_IN), _row(store, CARRIED_OUT)
    else:
        carried_in, carried_out = _rows_of(store, agencies)
    out = []
    for (agency, year, applicant), this in carried_in.items():
        before = carried_out.get((agency, year - 1, applicant))
        if before is not None and before[2] != this[2]:
            out.append(((agency, year, applicant), this, before))
    out.sort(key=lambda m: (m[0][0].value, m[0][1], m[0][2].value))
    return out


def carry_over_quads(
    store: Store, base: str, graph: NamedNode, agencies: Sequence[NamedNode] | None = None
) -> list[Quad]:
    quads: list[Quad] = []
    for (agency, year, applicant), (obs, report, value), (
        obs_before,
        report_before,
        value_before,
    ) in carry_over_mismatches(store, agencies):
        key = _agency_key(base, agency)
        column = applicant.value.rsplit("/", 1)[-1]
        if key is None:
            continue
        note = NamedNode(str(iris.check_note_iri(base, "carry-over", key, str(year), column)))
        label = CONCEPTS[("applicant", column)].zh if ("applicant", column) in CONCEPTS else column
        message = (
            f"表三 {label}: the {year} report states 上年结转 (row 2) {value}, the {year - 1} report states "
            f"结转下年度继续办理 (row 4) {value_before}; they should be equal: one of the two is wrong, or was misread"
        )
        quads += _note(note, [obs, obs_before, report, report_before], CARRY_OVER, "warning", message, graph)
    return quads


# --------------------------------------------------------------------------------------------
# 2. One agency across its years


def store_agencies(store: Store) -> list[Agency]:
    """Every agency a report graph names, with its name and the years it reports."""
    names: dict[str, str] = {}
    years: dict[str, set[int]] = defaultdict(set)
    with fixed.solutions(store, "checks_agencies") as result:
        for row in result:
            agency, name, year = row["agency"], row["name"], row["year"]
            if not isinstance(agency, NamedNode) or not isinstance(name, Literal):
                continue
            if agency.value not in names or name.value < names[agency.value]:
                names[agency.value] = name.value
            if isinstance(year, Literal):
                with contextlib.suppress(ValueError):
                    years[agency.value].add(int(year.value))
    return [Agency(a, names[a], frozenset(years[a])) for a in sorted(names)]


def agency_match_quads(store: Store, base: str, graph: NamedNode) -> list[Quad]:
    quads: list[Quad] = []
    for proposal in possible_matches(store_agencies(store)):
        quads += _match_quads(proposal, base, graph)
    return quads


def _match_quads(proposal: Proposal, base: str, graph: NamedNode) -> list[Quad]:
    first, second = NamedNode(proposal.first.iri), NamedNode(proposal.second.iri)
    key, other = _agency_key(base, first), _agency_key(base, second)
    if key is None or other is None:
        return []
    note = NamedNode(str(iris.check_note_iri(base, "agency-match", key, other)))
    return [
        Quad(first, GK_POSSIBLE_SAME, second, graph),
        Quad(second, GK_POSSIBLE_SAME, first, graph),
        *_note(note, [first, second], AGENCY_MATCH, "info", proposal.message(), graph),
    ]


# --------------------------------------------------------------------------------------------


def _note(
    note: NamedNode, targets: Iterable[NamedNode], code: str, severity: str, message: str, graph: NamedNode
) -> list[Quad]:
    """A quality note in the shape the converter writes (``converter/emit.py``)."""
    return [
        Quad(note, RDF_TYPE, DQV_ANNOTATION, graph),
        Quad(note, OA_MOTIVATED_BY, DQV_ASSESSMENT, graph),
        *(Quad(note, OA_HAS_TARGET, target, graph) for target in targets),
        Quad(note, GK_ISSUE_CODE, Literal(code), graph),
        Quad(note, GK_SEVERITY, NamedNode(f"{GK}{severity}"), graph),
        Quad(note, OA_BODY_VALUE, Literal(message), graph),
    ]


def _agency_key(base: str, agency: NamedNode) -> str | None:
    """The key of an agency IRI minted under ``base`` (None for another base: no IRI to mint)."""
    try:
        kind, parts = iris.parse_data_iri(base, agency.value)
    except ValueError:
        return None
    return parts[0] if kind == "agency" and len(parts) == 1 else None
