"""Responses of the served release, kept ready to send (ASGI middleware).

The data only changes when ``gongkai load`` makes a new release, so what a route answered for a
request stays the right answer until the server switches release (restart or ``SIGHUP``): every
release gets a new, empty :class:`ResponseCache` (``app.state.response_cache``, swapped with the
store in ``endpoint.app``), and a response stored during a reload lands in the old one, which is
dropped with it.

Only what a route marks with :func:`mark_cacheable` is kept: ``/sparql`` results of queries whose
answer cannot change between evaluations (no ``NOW``, ``RAND``, ``UUID``, ``STRUUID``, ``BNODE``),
``/id/…`` redirects, ``/doc/…``, ``/def``, ``/code/…`` documents and the ``/figures`` pages. Only ``GET`` requests, only
``200`` and ``303`` answers, only bodies up to 1/16 of the cache. The key is the request line
(path and query string, as sent) and the two headers these answers vary on, ``Accept`` and
``Accept-Language``; everything else a response depends on is the release.

A stored response carries an ``ETag`` (a SHA-256 of its body unless the route set one), and a
request whose ``If-None-Match`` names it gets ``304 Not Modified``. The middleware sits inside
the guards (``endpoint.guards``): rate limits and security headers apply to cached answers too.

For ``endpoint.metrics`` (outside it) the middleware marks the request's scope: ``CACHE_RESULT``
is ``"hit"`` (answered from the cache) or ``"miss"`` (a cacheable answer the route had to make),
and a hit puts back the routing of the stored answer (``ROUTING``), so it is counted under its route.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cachetools import LRUCache
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE = "gongkai.cacheable"
CACHE_RESULT = "gongkai.cache"  # scope key: "hit" or "miss" (see the module docstring)
ROUTING = ("route", "endpoint")  # what the router left in the scope of a stored answer
CACHEABLE_STATUSES = (200, 303)

K = TypeVar("K")
V = TypeVar("V")


class SizedLRU(Generic[K, V]):
    """A thread-safe LRU map bounded by the total ``size_of`` its values (bytes, usually):
    ``cachetools.LRUCache`` behind a lock, which keeps no value over 1/16 of the bound (so one
    large answer never empties the cache) and never replaces a kept value."""

    def __init__(self, max_bytes: int, size_of: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self.items: LRUCache[K, V] = LRUCache(max_bytes, getsizeof=size_of)
        self.lock = threading.Lock()

    @property
    def size(self) -> int:
        """The total size of the kept values."""
        return int(self.items.currsize)

    def get(self, key: K) -> V | None:
        with self.lock:
            return self.items.get(key)  # a hit makes it the most recently used

    def put(self, key: K, value: V) -> bool:
        """Keep ``value`` (evicting the least recently used); False if it is too large to keep."""
        if self.items.getsizeof(value) > self.max_bytes // 16:
            return False
        with self.lock:
            if key not in self.items:
                self.items[key] = value
        return True

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class CachedResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes
    vary: bytes
    routing: tuple[tuple[str, object], ...] = ()  # the scope's ROUTING entries, for endpoint.metrics


CacheKey = tuple[bytes, bytes, bytes, bytes]


class ResponseCache(SizedLRU[CacheKey, CachedResponse]):
    """The responses of one release, at most ``max_bytes`` of bodies in all."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, lambda r: len(r.body) + 256)


def mark_cacheable(request: Request) -> None:
    """Let the response of this request be kept for the rest of the release (see the module)."""
    request.scope[CACHEABLE] = True


def etag_of(body: bytes) -> str:
    """The entity tag used for bodies of this server (strong, quoted)."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header value names ``etag`` (or is ``*``)."""
    if not header:
        return False
    return any(c.strip() in ("*", etag) or c.strip().removeprefix("W/") == etag for c in header.split(","))


class ResponseCacheMiddleware:
    """Answer a ``GET`` from ``app.state.response_cache`` when it can; fill it when it can't."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        cache: ResponseCache | None = getattr(scope["app"].state, "response_cache", None)
        if cache is None:
            await self.app(scope, receive, send)
            return
        accept = language = b""
        none_match: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"accept-language":
                language = value
            elif name == b"if-none-match":
                none_match = value
        key = (scope.get("raw_path") or scope["path"].encode(), scope["query_string"], accept, language)
        hit = cache.get(key)
        if hit is not None:
            scope[CACHE_RESULT] = "hit"
            scope.update(hit.routing)
            await _send_cached(hit, none_match, send)
            return
        await self.app(scope, receive, _Filler(scope, send, cache, key))


async def _send_cached(hit: CachedResponse, none_match: bytes | None, send: Send) -> None:
    if none_match is not None and etag_matches(none_match.decode("latin-1"), hit.etag.decode("latin-1")):
        headers = [(b"etag", hit.etag), (b"vary", hit.vary)] if hit.vary else [(b"etag", hit.etag)]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": hit.status, "headers": list(hit.headers)})
    await send({"type": "http.response.body", "body": hit.body})


class _Filler:
    """A ``send`` that holds a cacheable response until its body is complete, stores it (with an
    ETag), then sends it; anything else passes straight through."""

    def __init__(self, scope: Scope, send: Send, cache: ResponseCache, key: CacheKey) -> None:
        self.scope = scope
        self.send = send
        self.cache = cache
        self.key = key
        self.start: Message | None = None
        self.parts: list[bytes] = []
        self.size = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if self.scope.get(CACHEABLE) and message["status"] in CACHEABLE_STATUSES:
                self.scope[CACHE_RESULT] = "miss"
                self.start = message
                return
            await self.send(message)
            return
        if self.start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        body = message.get("body", b"")
        self.parts.append(body)
        self.size += len(body)
        if message.get("more_body", False):
            if self.size > self.cache.max_bytes // 16:  # too large to keep: stream it on
                await self._give_up()
            return
        await self._store_and_send(b"".join(self.parts))

    async def _give_up(self) -> None:
        assert self.start is not None
        await self.send(self.start)
        for part in self.parts:
            await self.send({"type": "http.response.body", "body": part, "more_body": True})
        self.start = None
        self.parts = []

    async def _store_and_send(self, body: bytes) -> None:
        assert self.start is not None
        headers = list(self.start.get("headers", []))
        etag = next((v for k, v in headers if k.lower() == b"etag"), None)
        if etag is None:
            etag = etag_of(body).encode("latin-1")
            headers.append((b"etag", etag))
        vary = next((v for k, v in headers if k.lower() == b"vary"), b"")
        routing = tuple((k, self.scope[k]) for k in ROUTING if k in self.scope)
        self.cache.put(self.key, CachedResponse(self.start["status"], tuple(headers), body, etag, vary, routing))
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})
        self.start = None
