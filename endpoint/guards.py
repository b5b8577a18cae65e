"""HTTP-level guards, as plain ASGI middleware (``create_app`` installs them).

- :class:`BodyLimit`: a request body larger than ``settings.max_body_bytes`` is refused with
  413 before any route sees it, whether the client declares ``Content-Length`` or sends it
  chunked (the bytes are counted as they arrive, and at most ``limit + 1`` are ever buffered).
- :class:`RateLimit`: optional token bucket per client IP (``rate_limit_per_s`` tokens per
  second, ``rate_limit_burst`` at most); an empty bucket gives 429 with ``Retry-After``. Off
  when ``rate_limit_per_s <= 0`` (the default). The buckets live in one server process: with
  ``--workers N`` a client gets up to N times the rate.
- :class:`PublicCORS`: Starlette's ``CORSMiddleware`` set for public, read-only data:
  ``Access-Control-Allow-Origin: *`` on every response (with or without ``Origin``, so no
  ``Vary: Origin`` and shared caches may keep one copy), the result headers exposed, and a CORS
  preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) answered 204 for
  GET, HEAD and POST (400 naming what is refused for another method or request header).
- :class:`SecurityHeaders`: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` on
  every response; a ``Content-Security-Policy`` without any script source on HTML (inline
  ``<style>`` is allowed, scripts are not).

Errors are rendered by ``endpoint.errors.error_response`` like every other error.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from endpoint.errors import HttpError, PayloadTooLarge, error_response

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
CORS_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = ("Accept", "Accept-Language", "Content-Type", "If-None-Match")
CORS_EXPOSE_HEADERS = ("X-Gongkai-Truncated", "X-Gongkai-Row-Limit", "ETag", "Link", "Retry-After")
CORS_MAX_AGE = 86400


class TooManyRequests(HttpError):
    status = 429
    slug = "too-many-requests"
    title = "Too Many Requests"


async def _reply(scope: Scope, receive: Receive, send: Send, error: HttpError) -> None:
    response = error_response(Request(scope, receive), error)
    await response(scope, receive, send)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (413), chunked ones included."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > self.limit:
            await _reply(
                scope,
                receive,
                send,
                PayloadTooLarge(f"the request body is {declared} bytes; the limit is {self.limit}"),
            )
            return
        if not declared and b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)  # no body
            return
        # Read (and count) the whole body first, so that no route ever sees a partial one.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                messages.append(message)
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await _reply(
                    scope, receive, send, PayloadTooLarge(f"the request body is over {self.limit} bytes, the limit")
                )
                return
            messages.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)


class RateLimit:
    """A token bucket per client IP; 429 with ``Retry-After`` when it is empty."""

    MAX_CLIENTS = 10_000  # least recently seen buckets are dropped beyond this

    def __init__(self, app: ASGIApp, per_s: float, burst: int) -> None:
        self.app = app
        self.per_s = per_s
        self.burst = max(1, burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """Take one token for ``client``; return 0 if granted, else seconds until one is due."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.per_s)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.per_s
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        wait = self.take(str(client[0]))
        if wait > 0:
            retry = max(1, math.ceil(wait))
            await _reply(
                scope,
                receive,
                send,
                TooManyRequests(
                    f"too many requests from {client[0]}: at most {self.per_s:g} per second "
                    f"(bursts of {self.burst}); retry in {retry} s",
                    headers={"Retry-After": str(retry)},
                ),
            )
            return
        await self.app(scope, receive, send)


class PublicCORS(CORSMiddleware):
    """Starlette's ``CORSMiddleware`` for data anyone may read, with the two details the published
    contract fixes (docs/endpoint.md, "Limits and guards"): ``Access-Control-Allow-Origin: *`` is
    on every response, not only on answers to a request with ``Origin`` (Starlette's way, which
    then adds ``Vary: Origin`` to every response); and a granted preflight is 204 without a body
    (Starlette's is 200 "OK"; both are a CORS "ok status"). Which requests are preflights, and
    which methods and request headers a preflight grants, are Starlette's."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(
            app,
            allow_origins=["*"],
            allow_methods=CORS_METHODS,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            max_age=CORS_MAX_AGE,
        )

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message).update(self.simple_headers)
        await send(message)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 200:
            return response
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
        return Response(status_code=204, headers=headers)


class SecurityHeaders:
    """nosniff and Referrer-Policy on every response, CSP on HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("X-Content-Type-Options", "nosniff")
                out.setdefault("Referrer-Policy", REFERRER_POLICY)
                if out.get("content-type", "").startswith("text/html"):
                    out.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    out.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_guards(app: Any, *, max_body_bytes: int, rate_limit_per_s: float, rate_limit_burst: int) -> None:
    """Add the middleware to ``app`` (outermost last: headers, CORS, then rate limit, then body;
    so a preflight is answered before the rate limit, and the guards' own answers carry CORS)."""
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    if rate_limit_per_s > 0:
        app.add_middleware(RateLimit, per_s=rate_limit_per_s, burst=rate_limit_burst)
    app.add_middleware(PublicCORS)
    app.add_middleware(SecurityHeaders)
