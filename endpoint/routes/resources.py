"""Dereferenceable URIs (DESIGN.md, "HTTP surface").

- ``/id/...``: a thing; ``303 See Other`` to its document ``/doc/...``; ``404`` at once when the
  IRI names nothing in the store (no redirect to a document that does not exist).
- ``/doc/...``: the document about ``{BASE}/id/...``, negotiated (HTML, Turtle, JSON-LD,
  RDF/XML, N-Triples) by ``Accept`` or by suffix (``.html .ttl .jsonld .rdf .nt``).
- ``/def`` and ``/code/...``: the ontology (``https://w3id.org/gongkai/def``) and the code lists
  (``https://w3id.org/gongkai/code/...``), same negotiation.

Every description comes from a static CONSTRUCT in ``endpoint/queries/res_*.rq``; the IRI is
bound with ``substitutions``, never spliced into the query text. Work that touches the store runs
in the thread pool (plain ``def`` routes, or ``run_in_threadpool``), and query results are
consumed in the same function (pyoxigraph result objects must not cross threads).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pyoxigraph import NamedNode, Store, Triple
from starlette.concurrency import run_in_threadpool

from converter import iris
from converter.terms import to_oxigraph_iri
from converter.vocab import CODE_BASE, GK, GK_ONTOLOGY, OA
from endpoint.conneg import (
    BY_KEY,
    FORMATS,
    Format,
    NoAcceptableFormat,
    describe_alternatives,
    negotiate,
    split_suffix,
)
from endpoint.deps import SettingsDep, StoreDep
from endpoint.errors import NotAcceptable, NotFound
from endpoint.page_data import doc_page_extras
from endpoint.render.html import render_document
from endpoint.render.rdf import serialize_triples
from endpoint.response_cache import SizedLRU, etag_matches, etag_of, mark_cacheable
from endpoint.settings import Settings
from endpoint.sparql import fixed

router = APIRouter(tags=["resources"])

# Characters kept as they are when a path goes back into a Location or Link header.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"
# The links res_describe.rq follows *to* a thing (an agency's reports, the notes about a thing).
_OA_HAS_TARGET, _GK_AGENCY = to_oxigraph_iri(OA.hasTarget), to_oxigraph_iri(GK.agency)


def _named_node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError:
        raise NotFound(f"no such resource: {iri}") from None


def _choose_format(request: Request, suffix_key: str | None) -> Format:
    if suffix_key is not None:
        return BY_KEY[suffix_key]
    accept = request.headers.get("accept")
    try:
        return negotiate(accept)
    except NoAcceptableFormat as exc:
        raise NotAcceptable(
            f"Not acceptable: {exc.accept!r}. Available: {describe_alternatives(exc.offers)}; "
            "or add the suffix to the URL."
        ) from None


def _document(
    request: Request,
    *,
    triples: list[Triple],
    subject_iri: str,
    doc_path: str,
    fmt: Format,
    negotiated: bool,
    base_url: str,
    body: bytes | None = None,
) -> Response:
    """Serialize or render the triples (unless ``body`` is the serialization already), with Vary,
    Link (alternates) and Content-Location."""
    extra_links: list[str] = []
    if body is not None:
        pass
    elif fmt.rdf_format is None:
        extra, extra_links = doc_page_extras(request, subject_iri, doc_path)
        body = render_document(
            triples, subject_iri, doc_path=doc_path, base_url=base_url, current=fmt, extra=extra
        ).encode("utf-8")
    else:
        body = serialize_triples(triples, fmt.rdf_format)
    quoted = quote(doc_path, safe=_PATH_SAFE)
    links = ", ".join(f'<{quoted}{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS if f is not fmt)
    if fmt.rdf_format is None and extra_links:
        links = ", ".join([links, *extra_links])
    headers = {"Vary": "Accept, Accept-Language" if fmt.rdf_format is None else "Accept", "Link": links}
    if negotiated:
        headers["Content-Location"] = f"{quoted}{fmt.suffix}"
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    mark_cacheable(request)  # the same request gets the same document until the next release
    return Response(content=body, media_type=fmt.content_type, headers=headers)


async def see_other(request: Request) -> Response:
    """A thing is not a document: 303 to the document about it (suffix-less, no query string);
    404 at once if the store knows nothing of it (Cool URIs: no redirect to a missing document).

    The check is a few index look-ups, done on the event loop like a cache look-up."""
    path: str = request.path_params["path"]
    stem, _ = split_suffix(path)
    iri = iris.data_iri(request.app.state.settings.base_url, stem)
    if not stem or not names_something(request.app.state.store, _named_node(iri)):
        raise NotFound(f"nothing is known about {iri}")
    mark_cacheable(request)
    return RedirectResponse(f"/doc/{quote(path, safe=_PATH_SAFE)}", status_code=303)


def names_something(store: Store, iri: NamedNode) -> bool:
    """Whether ``/doc/…`` has a document about ``iri``: whether ``res_describe.rq`` would find a
    triple (``iri`` is a subject, a named graph, an agency of a report or the target of a note).
    The first quad of each pattern only: index look-ups, not the CONSTRUCT."""
    patterns = (
        (iri, None, None, None),
        (None, None, None, iri),
        (None, _OA_HAS_TARGET, iri, None),
        (None, _GK_AGENCY, iri, None),
    )
    for subject, predicate, obj, graph in patterns:
        quads = store.quads_for_pattern(subject, predicate, obj, graph)
        try:
            if next(quads, None) is not None:
                return True
        finally:
            del quads  # pyoxigraph iterators are released on the thread that made them
    return False


async def data_document(request: Request) -> Response:
    """The document about ``{BASE}/id/{path}``: an agency, report, observation, note, …

    Answered on the event loop when its RDF serialization is kept (``app.state.doc_cache``);
    otherwise built in the thread pool (a CONSTRUCT on the store, then serializing or rendering).
    """
    path: str = request.path_params["path"]
    settings: Settings = request.app.state.settings
    stem, suffix_key = split_suffix(path)
    fmt = _choose_format(request, suffix_key)
    if fmt.rdf_format is not None:
        body = _doc_cache(request).get((stem, fmt.key))
        if body is not None:
            return _document_response(request, stem, suffix_key, fmt, settings.base_url, body, [])
    store: Store = request.app.state.store
    return await run_in_threadpool(_build_document, request, store, settings.base_url, stem, suffix_key, fmt)


def _build_document(
    request: Request, store: Store, base_url: str, stem: str, suffix_key: str | None, fmt: Format
) -> Response:
    """:func:`data_document` when its body is not kept: query the store (in a thread)."""
    iri = iris.data_iri(base_url, stem)
    triples = fixed.construct(store, "res_describe", {"s": _named_node(iri)}, union=True) if stem else []
    if not triples:
        raise NotFound(f"nothing is known about {iri}")
    body = None
    if fmt.rdf_format is not None:
        body = serialize_triples(triples, fmt.rdf_format)
        _doc_cache(request).put((stem, fmt.key), body)
    return _document_response(request, stem, suffix_key, fmt, base_url, body, triples)


def _document_response(
    request: Request,
    stem: str,
    suffix_key: str | None,
    fmt: Format,
    base_url: str,
    body: bytes | None,
    triples: list[Triple],
) -> Response:
    """The response for ``/doc/{stem}``: 304 if the client has this body (RDF), else the document."""
    etag = etag_of(body) if body is not None else None
    if etag is not None and etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
    response = _document(
        request,
        triples=triples,
        subject_iri=iris.data_iri(base_url, stem),
        doc_path=f"/doc/{stem}",
        fmt=fmt,
        negotiated=suffix_key is None,
        base_url=base_url,
        body=body,
    )
    if etag is not None:
        response.headers["ETag"] = etag
    return response


# Plain Starlette routes (no FastAPI parameter machinery, ~0.3 ms a request): the path is the
# only input, and a kept document is answered without leaving the event loop.
router.add_route("/id/{path:path}", see_other, methods=["GET", "HEAD"], include_in_schema=False)
router.add_route("/doc/{path:path}", data_document, methods=["GET", "HEAD"], include_in_schema=False)


def _doc_cache(request: Request) -> SizedLRU[tuple[str, str], bytes]:
    """The serialized RDF documents of the served release (``endpoint.app.serve_release``)."""
    cache: SizedLRU[tuple[str, str], bytes] | None = getattr(request.app.state, "doc_cache", None)
    if cache is None:  # an app whose lifespan did not run: a cache for this request only
        cache = SizedLRU(64 << 20, len)
    return cache


@router.api_route("/def", methods=["GET", "HEAD"])
def ontology(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The ontology, ``https://w3id.org/gongkai/def`` (negotiated)."""
    return _ontology(request, store, settings.base_url, None)


@router.api_route("/def.{ext}", methods=["GET", "HEAD"])
def ontology_with_suffix(ext: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The ontology in the format its suffix names (``/def.ttl`` …)."""
    _, suffix_key = split_suffix(f"def.{ext}")
    if suffix_key is None:
        raise NotFound(f"unknown format suffix .{ext}; use one of {describe_alternatives()}")
    return _ontology(request, store, settings.base_url, suffix_key)


def _ontology(request: Request, store: Store, base_url: str, suffix_key: str | None) -> Response:
    fmt = _choose_format(request, suffix_key)
    triples = fixed.construct(store, "res_def", {"g": NamedNode(GK_ONTOLOGY)}, union=True)
    if not triples:
        raise NotFound("the ontology is not loaded in this store")
    return _document(
        request,
        triples=triples,
        subject_iri=GK_ONTOLOGY,
        doc_path="/def",
        fmt=fmt,
        negotiated=suffix_key is None,
        base_url=base_url,
    )


@router.api_route("/code/{path:path}", methods=["GET", "HEAD"])
def code_document(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """A code list ``/code/{scheme}`` or one of its concepts ``/code/{scheme}/{notation}``."""
    stem, suffix_key = split_suffix(path)
    fmt = _choose_format(request, suffix_key)
    iri = f"{CODE_BASE}{stem}"
    triples = fixed.construct(store, "res_code", {"s": _named_node(iri)}, union=True) if stem else []
    if not triples:
        raise NotFound(f"no such code list or concept: {iri}")
    return _document(
        request,
        triples=triples,
        subject_iri=iri,
        doc_path=f"/code/{stem}",
        fmt=fmt,
        negotiated=suffix_key is None,
        base_url=settings.base_url,
    )
