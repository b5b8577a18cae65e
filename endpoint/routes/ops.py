"""``/healthz`` and ``/metrics``: for operators (DESIGN.md, "HTTP surface"; docs/endpoint.md,
"Operations: /healthz and /metrics").

- ``/healthz``: JSON naming the release being served, its quads (as ``gongkai load`` recorded
  them: the store is not counted at each probe), whether the SPARQL query workers are alive and
  whether the store answers a trivial read within :data:`STORE_READ_BOUND_S`. 200 when every
  check passes, 503 naming the failing checks when one does not.
- ``/metrics``: the app's Prometheus registry (``endpoint.metrics``) in the text format, or
  OpenMetrics when the scraper asks for it.

Both read one snapshot of the served release: ``app.state.sparql`` (the query service holds its
store and the release's path), which ``endpoint.app.serve_release`` assigns last when it swaps a
release in. A probe never mixes two releases; one overtaken by a reload checks the new release
again. Both answer ``GET`` and ``HEAD`` (same headers, no body) and are never cached.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from prometheus_client.exposition import choose_encoder
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from endpoint.metrics import recorded_quads
from endpoint.sparql.service import SparqlService

router = APIRouter(tags=["operations"])

STORE_READ_BOUND_S = 2.0  # a store that takes longer to give one quad is not healthy
NO_STORE = {"Cache-Control": "no-store"}


def _first_quad(sparql: SparqlService) -> bool:
    """Whether the store gives a first quad (one seek in its index; False: it is empty)."""
    return next(iter(sparql.store.quads_for_pattern(None, None, None, None)), None) is not None


async def _store_check(sparql: SparqlService, release: Path, quads: int | None) -> dict[str, Any]:
    if not release.is_dir():  # pruned or moved: a query worker started now could not open it
        return {"ok": False, "message": f"the release folder {release.name} is gone from disk"}
    try:
        found = await asyncio.wait_for(run_in_threadpool(_first_quad, sparql), STORE_READ_BOUND_S)
    except TimeoutError:
        return {"ok": False, "message": f"the store gave no quad within {STORE_READ_BOUND_S:g} s"}
    except Exception as exc:  # noqa: BLE001 - whatever the store raises is the finding
        return {"ok": False, "message": f"the store cannot be read: {exc}"}
    if not found and quads:
        return {"ok": False, "message": f"the store gave no quad, though the release records {quads}"}
    return {"ok": True, "message": "readable"}


def _workers_check(sparql: SparqlService) -> dict[str, Any]:
    workers = sparql.workers_alive()
    if workers is None:
        return {"ok": True, "alive": 0, "size": 0, "dead": [], "message": "no time limit: queries run in-process"}
    if workers.dead:
        pids = ", ".join(map(str, workers.dead))
        message = f"{len(workers.dead)} query worker(s) died (process {pids}); they are replaced on demand"
        return {
            "ok": False,
            "alive": workers.alive,
            "size": workers.size,
            "dead": list(workers.dead),
            "message": message,
        }
    return {"ok": True, "alive": workers.alive, "size": workers.size, "dead": [], "message": "alive"}


async def check_health(app: Any) -> dict[str, Any]:
    """The ``/healthz`` document for the release ``app`` serves (see the module docstring)."""
    for _ in range(3):
        sparql: SparqlService = app.state.sparql  # one read: service, store and release together
        release = Path(sparql.store_path)
        quads = recorded_quads(release)
        checks = {"store": await _store_check(sparql, release, quads), "query_workers": _workers_check(sparql)}
        if app.state.sparql is sparql:  # no reload swapped the release while we looked
            break
    failing = [name for name, check in checks.items() if not check["ok"]]
    return {
        "status": "fail" if failing else "pass",  # the words of the IETF health-check draft
        "release": release.name,
        "quads": quads,
        "checks": checks,
        "failing": failing,
    }


async def healthz(request: Request) -> Response:
    report = await check_health(request.app)
    return JSONResponse(report, status_code=503 if report["failing"] else 200, headers=NO_STORE)


async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry  # endpoint.metrics.install_metrics
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(registry), headers={**NO_STORE, "Content-Type": content_type})


# Plain Starlette routes: GET, and HEAD with it; other methods get 405 with ``Allow``.
router.add_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
router.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
