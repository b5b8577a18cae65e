"""``/`` and ``/.well-known/void``: the data set described with VoID and DCAT.

Both serve the same description (Turtle, JSON-LD, RDF/XML, N-Triples by ``Accept``); ``/``
also serves the HTML home page to browsers (``endpoint/page_data.py``).
Statistics (``void:triples``, ``void:entities``) are counted once per process from the
read-only store with ``queries/count_*.rq``; the distributions come from the dump manifest.
Every node has an IRI under ``{BASE}/.well-known/void#`` (no blank nodes).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from pyoxigraph import Literal, NamedNode, Store, Triple

from converter import iris
from converter.terms import to_oxigraph, to_oxigraph_iri
from converter.vocab import DCAT, DCTERMS, FOAF, GK, ORG, PROV, QB, RDF, SKOS, VOID, XSD
from endpoint.conneg import BY_KEY, Format, NoAcceptableFormat, describe_alternatives, negotiate
from endpoint.deps import SettingsDep, StoreDep
from endpoint.dump import read_manifest
from endpoint.errors import NotAcceptable
from endpoint.page_data import home_page
from endpoint.render.rdf import serialize_triples
from endpoint.settings import Settings
from endpoint.sparql import fixed

router = APIRouter(tags=["meta"])

SPDX = "http://spdx.org/rdf/terms#"
DQV = "http://www.w3.org/ns/dqv#"
IANA = "https://www.iana.org/assignments/media-types/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE_EN = "Gongkai: Chinese government information-disclosure annual reports"
TITLE_ZH = "公开：政府信息公开工作年度报告数据"
DESCRIPTION_EN = (
    "The annual reports on government information disclosure (政府信息公开工作年度报告) that "
    "Chinese government agencies publish, converted into RDF Data Cube observations with "
    "provenance and data-quality notes: one named graph per report."
)
RDF_OFFERS = (BY_KEY["ttl"], BY_KEY["jsonld"], BY_KEY["rdf"], BY_KEY["nt"])
HOME_OFFERS = (BY_KEY["html"], *RDF_OFFERS)
VOID_OFFERS = (*RDF_OFFERS, BY_KEY["html"])  # Turtle for */*; the home page for a browser (text/html)


@dataclass(frozen=True)
class DatasetStats:
    triples: int
    entities: int
    reports: int


_stats_lock = threading.Lock()


def dataset_stats(request: Request, store: Store) -> DatasetStats:
    """Counts over the store, computed once per app (the store is read-only)."""
    with _stats_lock:
        cached: DatasetStats | None = getattr(request.app.state, "dataset_stats", None)
        if cached is None:
            cached = DatasetStats(
                triples=_count(store, "count_quads"),
                entities=_count(store, "count_entities"),
                reports=_count(store, "count_reports"),
            )
            request.app.state.dataset_stats = cached
        return cached


def _count(store: Store, query_name: str) -> int:
    return fixed.count(store, query_name)


def void_triples(settings: Settings, stats: DatasetStats, manifest: dict[str, Any] | None) -> list[Triple]:
    """The VoID + DCAT description of the data set, its SPARQL service and its dumps."""
    base = settings.base_url
    here = f"{base}/.well-known/void#"
    dataset = NamedNode(here + "dataset")
    publisher = NamedNode(here + "publisher")
    service = NamedNode(here + "sparql-service")
    sparql = NamedNode(f"{base}/sparql")

    def t(s: NamedNode, p: object, o: object) -> Triple:  # p and o: pyoxigraph terms or rdflib IRIs (RDF.type)
        return Triple(s, to_oxigraph_iri(p), to_oxigraph(o))

    def integer(n: int, datatype: object = XSD.integer) -> Literal:
        return Literal(str(n), datatype=to_oxigraph_iri(datatype))

    triples = [
        t(dataset, RDF.type, VOID.Dataset),
        t(dataset, RDF.type, DCAT.Dataset),
        t(dataset, DCTERMS.title, Literal(TITLE_EN, language="en")),
        t(dataset, DCTERMS.title, Literal(TITLE_ZH, language="zh")),
        t(dataset, DCTERMS.description, Literal(DESCRIPTION_EN, language="en")),
        t(dataset, DCTERMS.license, NamedNode(LICENSE)),
        t(dataset, DCTERMS.publisher, publisher),
        t(dataset, FOAF.homepage, NamedNode(f"{base}/")),
        t(dataset, VOID.triples, integer(stats.triples)),
        t(dataset, VOID.entities, integer(stats.entities)),
        t(dataset, VOID.sparqlEndpoint, sparql),
        t(dataset, VOID.uriSpace, Literal(iris.data_prefix(base))),
        t(publisher, RDF.type, FOAF.Organization),
        t(publisher, FOAF.name, Literal("Gongkai project", language="en")),
        t(service, RDF.type, DCAT.DataService),
        t(service, DCTERMS.title, Literal("Gongkai SPARQL endpoint", language="en")),
        t(service, DCAT.endpointURL, sparql),
        t(service, DCAT.endpointDescription, sparql),
        t(service, DCAT.servesDataset, dataset),
        t(service, DCTERMS.license, NamedNode(LICENSE)),
    ]
    for vocabulary in (GK, QB, SKOS, ORG, PROV, DCTERMS, DQV):
        triples.append(t(dataset, VOID.vocabulary, NamedNode(str(vocabulary))))  # a namespace: its IRI
    created = manifest.get("created") if manifest else None
    for entry in (manifest or {}).get("files", []):
        name = str(entry["name"])
        url = NamedNode(f"{base}/dumps/{name}")
        dist = NamedNode(here + "dump-" + name)
        checksum = NamedNode(here + "sha256-" + name)
        scope = f"reports of {entry['year']}" if entry.get("year") else "everything"
        gzip = " (gzip)" if entry.get("compression", "gzip") == "gzip" else ""
        triples += [
            t(dataset, VOID.dataDump, url),
            t(dataset, DCAT.distribution, dist),
            t(dist, RDF.type, DCAT.Distribution),
            t(dist, DCTERMS.title, Literal(f"{entry['format']} dump, {scope}{gzip}", language="en")),
            t(dist, DCAT.downloadURL, url),
            t(dist, DCAT.accessURL, NamedNode(f"{base}/dumps/")),
            t(dist, DCAT.byteSize, integer(int(entry["bytes"]), XSD.nonNegativeInteger)),
            t(dist, DCAT.mediaType, NamedNode(IANA + str(entry["media_type"]))),
            t(dist, DCTERMS.license, NamedNode(LICENSE)),
            t(dist, NamedNode(SPDX + "checksum"), checksum),
            t(checksum, RDF.type, NamedNode(SPDX + "Checksum")),
            t(checksum, NamedNode(SPDX + "algorithm"), NamedNode(SPDX + "checksumAlgorithm_sha256")),
            t(
                checksum,
                NamedNode(SPDX + "checksumValue"),
                Literal(str(entry["sha256"]), datatype=to_oxigraph_iri(XSD.hexBinary)),
            ),
        ]
        if entry.get("compression", "gzip") == "gzip":
            triples.append(t(dist, DCAT.compressFormat, NamedNode(IANA + "application/gzip")))
        if created:
            triples.append(t(dist, DCTERMS.issued, Literal(str(created), datatype=to_oxigraph_iri(XSD.dateTime))))
    return triples


def _negotiate(request: Request, offers: tuple[Format, ...]) -> Format:
    try:
        return negotiate(request.headers.get("accept"), offers)
    except NoAcceptableFormat as exc:
        raise NotAcceptable(f"the data set description is available as {describe_alternatives(exc.offers)}") from None


def _description(request: Request, settings: Settings, store: Store, offers: tuple[Format, ...]) -> Response:
    fmt = _negotiate(request, offers)
    stats = dataset_stats(request, store)
    manifest = read_manifest(settings.dumps_dir)
    headers = {"Vary": "Accept"}
    if fmt.rdf_format is None:
        page = home_page(request, settings, store, stats, manifest, LICENSE)
        headers["Vary"] = "Accept, Accept-Language"
        return Response(page, 200, headers, media_type="text/html; charset=utf-8")
    body = serialize_triples(void_triples(settings, stats, manifest), fmt.rdf_format)
    return Response(body, 200, headers, media_type=fmt.content_type)


@router.get("/", response_model=None)
def home(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    return _description(request, settings, store, HOME_OFFERS)


@router.get("/.well-known/void", response_model=None)
def void(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    return _description(request, settings, store, VOID_OFFERS)
