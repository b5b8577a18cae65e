"""The FastAPI application: ``create_app(settings)``.

The store is opened ONCE, read-only, in the lifespan (``app.state.store``), from the release
that ``settings.store`` points at when the server starts (see ``endpoint.loader``): a later
``gongkai load`` does not change what a running server serves until it is restarted. The SPARQL
query workers (``endpoint.store.SparqlService``) open that same release.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pyoxigraph import Store

from endpoint.errors import install_error_handlers
from endpoint.settings import Settings
from endpoint.store import SparqlService

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """Build the app for ``settings``; the store is opened when the app starts (lifespan)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        release = settings.store.resolve()
        try:
            store = Store.read_only(str(release))
        except OSError as exc:
            raise RuntimeError(f"{settings.store}: cannot open the store ({exc}); run `gongkai load` first") from exc
        sparql = SparqlService(
            store,
            release,
            timeout_s=settings.query_timeout_s,
            max_rows=settings.max_result_rows,
            max_query_length=settings.max_query_length,
            workers=max(2, os.cpu_count() or 1),
        )
        sparql.start()
        app.state.store = store
        app.state.sparql = sparql
        log.info("serving %s (release %s)", settings.store, release.name)
        try:
            yield
        finally:
            sparql.close()

    app = FastAPI(
        title="Gongkai",
        description="Government information-disclosure annual reports as Linked Open Data.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)

    from endpoint.routes.dumps import router as dumps_router
    from endpoint.routes.meta import router as meta_router
    from endpoint.routes.resources import router as resources_router
    from endpoint.routes.sparql import router as sparql_router

    app.include_router(sparql_router)
    app.include_router(dumps_router)
    app.include_router(meta_router)
    app.include_router(resources_router)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (multi-worker serving): settings from ``GONGKAI_*``."""
    return create_app(Settings.from_env())
