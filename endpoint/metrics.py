"""Prometheus metrics of one app, counted by a plain ASGI middleware (served on ``/metrics``).

Every app has its own ``CollectorRegistry`` (``app.state.metrics.registry``), never the library's
global one: two apps in one process (tests, a reload that builds another) count apart.

- :class:`RequestMetrics` is the outermost middleware: it sees every answer, those of the guards
  (413, 429, CORS preflight) and of the response cache included. A request is counted under its
  **route template** (``/doc/{path:path}``), never its URL, so the number of series stays the
  number of routes; a path no route matches is ``<unmatched>``.
- The response cache marks the scope (``endpoint.response_cache.CACHE_RESULT``): hits and misses
  of cacheable answers.
- The SPARQL worker pool reports queries stopped at the time limit and workers replaced through
  ``QueryPool.on_event`` (``endpoint.sparql.pool.PoolEvent``). The middleware hands :meth:`Metrics.pool_event`
  to the query service it finds on ``app.state.sparql`` before the request runs, so a release
  swapped in by ``endpoint.app.reload_release`` is observed from its first request on.
- At each scrape, the served release (its name and recorded quads) and the live query workers
  are read from one snapshot of ``app.state.sparql`` (:class:`_ReleaseCollector`).

The counts are those of one server process: with ``gongkai serve --workers N`` each scrape is
answered by one of the N processes (docs/endpoint.md, "Operations").
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from endpoint.response_cache import CACHE_RESULT
from endpoint.sparql.pool import RESTART_REASONS, TIME_LIMIT_STAGES
from endpoint.sparql.service import SparqlService

UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
# From a response cache hit (~0.1 ms) to the query time limit (30 s by default).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@lru_cache(maxsize=16)
def recorded_quads(release: Path) -> int | None:
    """The quads ``gongkai load`` recorded on ``release``'s marker (None: no count on record).
    A release never changes once written, so the marker is read once per release."""
    from endpoint.release import _marker_quads

    return _marker_quads(release)


class Metrics:
    """The registry of one app and its metrics (names and meaning: docs/endpoint.md)."""

    def __init__(self, app: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gongkai_http_requests",
            "HTTP requests answered, by route template, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "gongkai_http_request_duration_seconds",
            "Time from receiving a request to the end of its answer, by route template",
            ("route",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.time_limit = Counter(
            "gongkai_sparql_time_limit",
            "SPARQL queries stopped at the query time limit: queued (no worker came free in time) "
            "or running (the query ran past it; its worker was killed)",
            ("stage",),
            registry=self.registry,
        )
        self.cache = Counter(
            "gongkai_response_cache",
            "Cacheable answers: hit (sent from the response cache) or miss (made by the route)",
            ("result",),
            registry=self.registry,
        )
        self.restarts = Counter(
            "gongkai_query_worker_restarts",
            "SPARQL query worker processes stopped and replaced, by reason (time_limit, client_gone, failed, died)",
            ("reason",),
            registry=self.registry,
        )
        for stage in TIME_LIMIT_STAGES:  # every series exists from the start, at 0
            self.time_limit.labels(stage)
        for result in ("hit", "miss"):
            self.cache.labels(result)
        for reason in RESTART_REASONS:
            self.restarts.labels(reason)
        self.registry.register(_ReleaseCollector(app))
        self.route_template = RouteTemplates(app)
        self._observed: SparqlService | None = None
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def pool_event(self, name: str, detail: str) -> None:
        """``endpoint.sparql.pool.PoolEvent``: called from the event loop or a query thread."""
        if name == "time_limit":
            self.time_limit.labels(detail).inc()
        elif name == "restart":
            self.restarts.labels(detail).inc()

    def observe_service(self, sparql: SparqlService | None) -> None:
        """Be told what ``sparql``'s worker pool does (once per release)."""
        if sparql is not None and sparql is not self._observed:
            sparql.observe(self.pool_event)
            self._observed = sparql

    def count(self, scope: Scope, status: int, seconds: float) -> None:
        route = self.route_template(scope)
        method = scope["method"] if scope["method"] in METHODS else "other"
        key = (route, method, status)
        series = self._series.get(key)
        if series is None:  # the library's labels() takes a lock and builds the key: once per series
            series = self._series[key] = (self.requests.labels(route, method, str(status)), self.latency.labels(route))
        series[0].inc()
        series[1].observe(seconds)
        cached = scope.get(CACHE_RESULT)
        if cached is not None:
            self.cache.labels(cached).inc()


class RouteTemplates:
    """The route templates of one app, and which one answered a request.

    The router leaves ``scope["endpoint"]`` (Starlette) and, for FastAPI's own routes,
    ``scope["route"]``; a response cache hit puts back those of the answer it stores. An endpoint
    serving several paths (``/figures``, ``/figures.csv``) is told apart by its routes' patterns;
    an answer made before routing (a guard's 413 or 429, a 404, a slash redirect) is matched
    against every route. The routes are listed at the first request (they are fixed by then).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._leaves: list[tuple[BaseRoute, str]] | None = None
        self._by_endpoint: dict[int, list[tuple[BaseRoute, str]]] = {}

    def _list(self) -> list[tuple[BaseRoute, str]]:
        leaves: list[tuple[BaseRoute, str]] = []

        def walk(routes: Iterable[Any]) -> None:
            for route in routes:
                inner = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
                if inner is not None:
                    walk(inner.routes)
                    continue
                path = getattr(route, "path", None)
                if isinstance(path, str):
                    leaves.append((route, f"{path}/{{path:path}}" if isinstance(route, Mount) else path))

        walk(self.app.routes)
        for route, template in leaves:
            endpoint = route.app if isinstance(route, Mount) else getattr(route, "endpoint", None)
            if endpoint is not None:
                self._by_endpoint.setdefault(id(endpoint), []).append((route, template))
        return leaves

    def __call__(self, scope: Scope) -> str:
        if self._leaves is None:
            self._leaves = self._list()
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return f"{path}/{{path:path}}" if isinstance(route, Mount) else path
        candidates = self._by_endpoint.get(id(scope.get("endpoint")), self._leaves)
        if len(candidates) == 1:
            return candidates[0][1]
        for route, template in candidates:
            if route.matches(scope)[0] is not Match.NONE:
                return template
        return UNMATCHED


class RequestMetrics:
    """Count each HTTP request (route, method, status) and time it, as ASGI middleware."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.metrics.observe_service(getattr(scope["app"].state, "sparql", None))
        start = time.perf_counter()
        status = 500  # what the server answers if the app raises before it starts a response

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            self.metrics.count(scope, status, time.perf_counter() - start)


class _ReleaseCollector(Collector):
    """At each scrape: the served release, its recorded quads, and the live query workers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        sparql: SparqlService | None = getattr(self.app.state, "sparql", None)
        if sparql is None:  # the app is not serving yet
            return
        release = Path(sparql.store_path)  # one snapshot: the service, its store and release go together
        info = GaugeMetricFamily("gongkai_release_info", "The release being served (always 1)", labels=("release",))
        info.add_metric((release.name,), 1)
        yield info
        quads = recorded_quads(release)
        if quads is not None:
            yield GaugeMetricFamily("gongkai_release_quads", "Quads in the release being served", value=quads)
        workers = sparql.workers_alive()
        if workers is not None:
            yield GaugeMetricFamily(
                "gongkai_query_workers_alive", "SPARQL query worker processes running", value=workers.alive
            )
            yield GaugeMetricFamily(
                "gongkai_query_workers_max", "SPARQL query worker processes at most (the pool size)", value=workers.size
            )


def install_metrics(app: Any) -> Metrics:
    """Give ``app`` its registry (``app.state.metrics``) and the counting middleware; call it after
    every other middleware is added, so that it is the outermost one."""
    metrics = Metrics(app)
    app.state.metrics = metrics
    app.add_middleware(RequestMetrics, metrics=metrics)
    return metrics
