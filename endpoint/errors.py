"""HTTP errors: the status lives on the exception class, and ONE handler renders every error.

Routes raise :class:`HttpError` subclasses (``raise NotFound("no report …")``); the handler picks
the rendering by content negotiation (``endpoint.conneg``):

- ``text/plain`` for SPARQL protocol clients (any request under ``/sparql``) and for clients
  that state no preference we can serve,
- JSON (``{"error": slug, "status": n, "message": …}``) for API callers asking for JSON,
- an HTML page (Jinja2, autoescaped) for browsers.

Starlette's own errors (unknown path, method not allowed) and request-validation errors go
through the same renderer, so every error looks the same. Anything else is logged with its
traceback and answered as a plain 500 without internals.
"""

from __future__ import annotations

import json
import logging
from typing import ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from endpoint.conneg import Format, NoAcceptableFormat, negotiate

log = logging.getLogger(__name__)


class HttpError(Exception):
    """An error with an HTTP status; ``message`` is one line meant for the client."""

    status: int = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal Server Error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status


class BadRequest(HttpError):
    status = 400
    slug = "bad-request"
    title = "Bad Request"


class BadQuery(BadRequest):
    """A SPARQL query that cannot be parsed or is refused (e.g. it contains ``SERVICE``)."""

    slug = "bad-query"
    title = "Bad Query"


class Forbidden(HttpError):
    """The request asks for something this service never does (e.g. SPARQL Update)."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(HttpError):
    status = 404
    slug = "not-found"
    title = "Not Found"


class MethodNotAllowed(HttpError):
    status = 405
    slug = "method-not-allowed"
    title = "Method Not Allowed"


class NotAcceptable(HttpError):
    status = 406
    slug = "not-acceptable"
    title = "Not Acceptable"


class PayloadTooLarge(HttpError):
    status = 413
    slug = "payload-too-large"
    title = "Payload Too Large"


class UnsupportedMediaType(HttpError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported Media Type"


class QueryTimeout(HttpError):
    """A SPARQL query ran out of time (``query_timeout_s``) or found no free query worker."""

    status = 503
    slug = "query-timeout"
    title = "Query Timeout"


class ClientGone(HttpError):
    """The client closed its connection while its query ran: the query was stopped (nginx's 499;
    nobody reads this answer)."""

    status = 499
    slug = "client-closed-request"
    title = "Client Closed Request"


ERRORS_BY_SLUG: dict[str, type[HttpError]] = {
    cls.slug: cls
    for cls in (
        HttpError,
        BadRequest,
        BadQuery,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        NotAcceptable,
        PayloadTooLarge,
        UnsupportedMediaType,
        QueryTimeout,
        ClientGone,
    )
}

# Error renderings, in tie-breaking order (plain text first: SPARQL clients and curl).
_PLAIN = Format("text", ("text/plain",), ".txt", None, "text")
_JSON = Format("json", ("application/json", "application/problem+json"), ".json", None, "JSON")
_HTML = Format("html", ("text/html", "application/xhtml+xml"), ".html", None, "HTML")

_PAGE = Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ status }} {{ title }} · Gongkai</title></head>
<body><h1>{{ status }} {{ title }}</h1><p>{{ message }}</p>
<p><a href="/">Gongkai home</a> · <a href="/sparql">SPARQL endpoint</a></p></body></html>
"""
)


def error_response(request: Request, error: HttpError) -> Response:
    """Render ``error`` in the format the client is best served with."""
    fmt = _choose_format(request)
    headers = {**error.headers, "Vary": "Accept"}
    if fmt is _JSON:
        body = json.dumps(
            {"error": error.slug, "status": error.status, "message": error.message},
            ensure_ascii=False,
        )
        return Response(body, error.status, headers, media_type="application/json")
    if fmt is _HTML:
        page = _PAGE.render(status=error.status, title=error.title, message=error.message)
        return Response(page, error.status, headers, media_type="text/html; charset=utf-8")
    return Response(error.message + "\n", error.status, headers, media_type="text/plain; charset=utf-8")


def _choose_format(request: Request) -> Format:
    accept = request.headers.get("accept")
    offers = (_PLAIN, _HTML) if request.url.path.startswith("/sparql") else (_PLAIN, _JSON, _HTML)
    try:
        return negotiate(accept, offers)
    except NoAcceptableFormat:
        return _PLAIN


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _ordered_allow(headers: dict[str, str]) -> dict[str, str]:
    """``Allow`` in one order: Starlette joins a set, so "GET, HEAD" or "HEAD, GET" by hash seed.

    >>> _ordered_allow({"Allow": "HEAD, POST, GET"})
    {'Allow': 'GET, HEAD, POST'}
    """
    if "Allow" in headers:
        methods = [m.strip() for m in headers["Allow"].split(",") if m.strip()]
        rank = {m: i for i, m in enumerate(METHOD_ORDER)}
        headers["Allow"] = ", ".join(sorted(methods, key=lambda m: (rank.get(m, len(rank)), m)))
    return headers


def install_error_handlers(app: FastAPI) -> None:
    """Register the one renderer for our errors, Starlette's HTTP errors, validation and crashes."""

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HttpError)
        if exc.status >= 500:
            log.warning("%s %s -> %d: %s", request.method, request.url.path, exc.status, exc.message)
        return error_response(request, exc)

    async def on_starlette_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        cls = {404: NotFound, 405: MethodNotAllowed}.get(exc.status_code)
        if cls is None:
            error = HttpError(str(exc.detail), headers=dict(exc.headers or {}), status=exc.status_code)
        else:
            message = "no such page" if cls is NotFound else f"method {request.method} is not allowed here"
            error = cls(message, headers=_ordered_allow(dict(exc.headers or {})))
        return error_response(request, error)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
        return error_response(request, BadRequest(f"invalid request: {problems}"))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.error("%s %s crashed", request.method, request.url.path, exc_info=exc)
        return error_response(request, HttpError("internal error; the server log has the details"))

    app.add_exception_handler(HttpError, on_http_error)
    app.add_exception_handler(StarletteHTTPException, on_starlette_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_crash)
