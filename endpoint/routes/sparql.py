"""``/sparql``: the SPARQL 1.1 Protocol, query operation only (DESIGN.md, "HTTP surface").

- ``GET /sparql?query=…``, ``POST`` form (``application/x-www-form-urlencoded``, ``query=``) and
  ``POST`` direct (``application/sparql-query``); ``default-graph-uri`` / ``named-graph-uri``
  set the dataset (in the URL, or in the form body); without them the default graph is the
  union of all named graphs (one per report, plus the vocabulary).
- Results by ``Accept`` (q-values) or a ``format`` parameter: SELECT/ASK as SPARQL JSON, XML,
  CSV, TSV; CONSTRUCT/DESCRIBE as Turtle, JSON-LD, RDF/XML, N-Triples, N-Quads.
- Refused: SPARQL Update in any form (403: read-only), ``SERVICE`` (400), malformed queries
  (400 with the parser's message), other media types (415), other methods (405), several
  ``query`` values (400). Limits: query length, body size (413, ``endpoint.guards.BodyLimit``,
  before any route), rows (``X-Gongkai-Truncated``), time (503, see ``endpoint.sparql.pool``).
- ``GET /sparql`` without a query: the service description (Turtle by default), or, for a client
  that prefers HTML to every RDF format (a browser), ``303 See Other`` to the query editor
  ``/query``. ``*/*`` alone, ``text/*`` and ties keep the service description.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, Triple

from endpoint.conneg import BY_KEY, NoAcceptableFormat, describe_alternatives, negotiate
from endpoint.errors import (
    BadQuery,
    BadRequest,
    Forbidden,
    NotAcceptable,
    UnsupportedMediaType,
)
from endpoint.render.rdf import serialize_triples
from endpoint.response_cache import mark_cacheable
from endpoint.settings import Settings
from endpoint.sparql.results import SparqlRequest, choose_format
from endpoint.sparql.service import SparqlService

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


async def sparql(request: Request) -> Response:
    """One SPARQL protocol request, on the event loop: the query runs in a worker process whose
    reply the loop awaits (``SparqlService.run_async``); nothing here blocks.

    A plain Starlette route (see :data:`router`), not a FastAPI one: it has no parameters to
    validate, and FastAPI's dependency machinery cost a noticeable share of a small query's whole
    time (bench/RESULTS.md)."""
    settings: Settings = request.app.state.settings
    service: SparqlService = request.app.state.sparql
    params = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if request.method == "POST":
        # the body is whole and within settings.max_body_bytes: endpoint.guards.BodyLimit saw to it (413)
        params = _post_params(request.headers.get("content-type", ""), await request.body(), params)
    names = [name for name, _ in params]
    if "update" in names:
        raise Forbidden(READ_ONLY)
    queries = [value for name, value in params if name == "query"]
    if not queries and request.method in ("GET", "HEAD"):
        return service_description(request, settings)
    if len(queries) != 1:
        raise BadRequest(f"expected exactly one query, got {len(queries)}")
    text = queries[0]
    if not text.strip():
        raise BadQuery("the query is empty")
    formats = [value for name, value in params if name == "format"]
    accept = request.headers.get("accept")
    words = service.check(text)
    form = words.form
    if form is not None:  # refuse an impossible format before evaluating anything
        choose_format(
            "graph" if form in ("construct", "describe") else "results", accept, formats[0] if formats else None
        )
    result = await service.run_async(
        SparqlRequest(
            query=text,
            default_graphs=tuple(v for n, v in params if n == "default-graph-uri"),
            named_graphs=tuple(v for n, v in params if n == "named-graph-uri"),
            accept=accept,
            format=formats[0] if formats else None,
            base_iri=f"{settings.base_url}/sparql",
            max_rows=settings.max_result_rows,
            has_from=words.has_from,
        ),
        gone=request.is_disconnected,  # an abandoned query is stopped (checked once it runs a while)
    )
    headers = {
        "Vary": "Accept",
        "X-Gongkai-Truncated": "true" if result.truncated else "false",
        "X-Gongkai-Row-Limit": str(settings.max_result_rows),
    }
    if request.method == "GET" and words.deterministic:
        mark_cacheable(request)
    return Response(result.body, 200, headers, media_type=result.content_type)


router.add_route("/sparql", sparql, methods=["GET", "POST"], include_in_schema=False)


def _post_params(content_type: str, body: bytes, url_params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The protocol parameters of a POST: the URL's plus the form's or the direct query."""
    media, _, rest = content_type.partition(";")
    media = media.strip().lower()
    charset = "utf-8"
    for param in rest.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if media == UPDATE:
        raise Forbidden(READ_ONLY)
    if media not in (FORM, DIRECT):
        got = f"Content-Type {media}" if media else "no Content-Type"
        raise UnsupportedMediaType(f"POST with {got}; send the query as {FORM} (query=…) or as {DIRECT}")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not supported; send UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the request body is not valid UTF-8: {exc}") from None
    if media == FORM:
        try:
            form = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), encoding="utf-8", errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"malformed form body: {exc}") from None
        return [*url_params, *form]
    if any(name == "query" for name, _ in url_params):
        raise BadRequest("a direct POST carries the query in its body, not also in the URL")
    return [*url_params, ("query", text)]


# --------------------------------------------------------------------------------------------
# Service description

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDFS_SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
SD_RESULT_FORMATS = (
    QueryResultsFormat.JSON,
    QueryResultsFormat.XML,
    QueryResultsFormat.CSV,
    QueryResultsFormat.TSV,
    RdfFormat.TURTLE,
    RdfFormat.JSON_LD,
    RdfFormat.RDF_XML,
    RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS,
)
DESCRIPTION_FORMATS = (BY_KEY["ttl"], BY_KEY["rdf"], BY_KEY["jsonld"], BY_KEY["nt"])
# HTML last: ``negotiate`` breaks ties by this order, so ``*/*``, ``text/*`` and a client naming an
# RDF format as highly as HTML get the service description; a browser (``text/html`` at q=1, RDF
# at most through ``*/*;q=0.8``) gets the query editor.
DESCRIPTION_OR_EDITOR = (*DESCRIPTION_FORMATS, BY_KEY["html"])
QUERY_EDITOR = "/query"


def service_description_triples(settings: Settings) -> list[Triple]:
    """``sd:Service`` for this endpoint (IRIs under ``{BASE}/sparql#``, no blank nodes)."""
    base = settings.base_url
    endpoint = NamedNode(f"{base}/sparql")
    service = NamedNode(f"{base}/sparql#service")
    dataset = NamedNode(f"{base}/sparql#dataset")
    default_graph = NamedNode(f"{base}/sparql#default-graph")

    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    limits = (
        f"Read-only SPARQL 1.1 Query. The default graph is the union of all named graphs (one "
        f"per report, plus the vocabulary https://w3id.org/gongkai/def). Federated queries "
        f"(SERVICE) are refused. At most {settings.max_result_rows} rows or triples per result "
        f"(header X-Gongkai-Truncated: true when cut); time limit {settings.query_timeout_s:g} s."
    )
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), endpoint),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(service, RDFS_COMMENT, RdfLiteral(limits, language="en")),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(dataset, RDFS_SEE_ALSO, NamedNode(f"{base}/.well-known/void")),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
    ]
    triples += [Triple(service, sd("resultFormat"), NamedNode(f.iri)) for f in SD_RESULT_FORMATS]
    return triples


def service_description(request: Request, settings: Settings) -> Response:
    """``/sparql`` without a query: the service description, or a browser to the query editor."""
    try:
        fmt = negotiate(request.headers.get("accept"), DESCRIPTION_OR_EDITOR)
    except NoAcceptableFormat:
        raise NotAcceptable(
            f"the service description is available as {describe_alternatives(DESCRIPTION_FORMATS)}; "
            f"the query editor (text/html) is {QUERY_EDITOR}"
        ) from None
    if fmt.rdf_format is None:  # HTML: a person in a browser
        return RedirectResponse(QUERY_EDITOR, status_code=303, headers={"Vary": "Accept"})
    body = serialize_triples(service_description_triples(settings), fmt.rdf_format)
    return Response(body, 200, {"Vary": "Accept"}, media_type=fmt.content_type)
