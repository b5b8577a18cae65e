"""The FastAPI application: ``create_app(settings)``.

The store is opened read-only in the lifespan (``app.state.store``), from the release that
``settings.store`` points at when the server starts (see ``endpoint.release``). The SPARQL query
workers (``endpoint.sparql.service.SparqlService``) open that same release. A later ``gongkai load``
switches ``settings.store`` to a new release; the running server picks it up on ``SIGHUP``
(:func:`reload_release`: open the new release, start new query workers, swap them in, let the
old ones finish their queries), or when restarted. With ``--workers N`` uvicorn's supervisor
answers SIGHUP by restarting its worker processes, which open the new release.

HTTP guards (body size, optional rate limit, security and CORS headers) are ASGI middleware
from ``endpoint.guards``. Inside them, ``endpoint.response_cache`` answers repeated requests from
the responses of the served release; every release (at start, and at each reload) gets a new
response cache and a new document cache, so nothing of an older release is ever served.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from pyoxigraph import Store

from endpoint.errors import install_error_handlers
from endpoint.guards import install_guards
from endpoint.head import HeadAsGet
from endpoint.metrics import install_metrics
from endpoint.response_cache import ResponseCache, ResponseCacheMiddleware, SizedLRU
from endpoint.settings import Settings, query_workers
from endpoint.sparql.service import SparqlService

log = logging.getLogger(__name__)


class BaseUrlMismatch(RuntimeError):
    """The release was loaded for another base URL than the one it would be served under."""


def check_base_url(settings: Settings, release: Path) -> None:
    """Refuse to serve ``release`` under another base URL than the one it was loaded for: every
    ``/id/`` and ``/doc/`` would answer 404. A release that records none (loaded by an older
    version) is served as it is, with a warning.

    :raises BaseUrlMismatch: one line naming both base URLs.
    """
    from endpoint.release import recorded_base_url

    recorded, served = recorded_base_url(release), settings.base_url.rstrip("/")
    if recorded is None:
        log.warning("%s does not record the base URL it was loaded for; serving it under %s", release, served)
    elif recorded != served:
        raise BaseUrlMismatch(
            f"{settings.store} was loaded for base URL {recorded}, not {served}: every /id/ and /doc/ would "
            f"answer 404; serve it with --base-url {recorded} (or load data converted for {served})"
        )


def open_release(settings: Settings) -> tuple[Path, Store, SparqlService]:
    """Open the release ``settings.store`` points at now, and start its query workers.

    :raises RuntimeError: the store cannot be opened, or was loaded for another base URL
        (:class:`BaseUrlMismatch`).
    """
    release = settings.store.resolve()
    if release.exists():
        check_base_url(settings, release)
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
        workers=query_workers(settings),
    )
    sparql.start()
    return release, store, sparql


def serve_release(app: FastAPI, release: Path, store: Store, sparql: SparqlService) -> None:
    """Make ``release`` the one answered from, with empty caches of its own.

    The provinces listed on ``/figures`` (with their numbers of agencies) are counted here, once
    per release: the count goes over every agency (seconds at 10^5 reports), and the release
    never changes while it is served."""
    from endpoint.routes.figures import provinces_with_figures

    cache_bytes = int(app.state.settings.response_cache_mb * (1 << 20))
    provinces = provinces_with_figures(store, app.state.settings.base_url.rstrip("/"))
    app.state.response_cache = ResponseCache(cache_bytes) if cache_bytes > 0 else None
    app.state.doc_cache = SizedLRU[tuple[str, str], bytes](64 << 20, len)
    app.state.provinces = provinces
    app.state.release, app.state.store, app.state.sparql = release, store, sparql


def reload_release(app: FastAPI) -> bool:
    """Serve the release ``settings.store`` points at now, if it is not the one being served.

    New requests use the new store and query workers at once; queries already running finish
    on the old ones. Returns True if the release changed. A release that cannot be opened is
    logged and the old one stays.
    """
    settings: Settings = app.state.settings
    with app.state.reload_lock:
        if settings.store.resolve() == app.state.release:
            log.info("SIGHUP: %s still points at %s; nothing to reload", settings.store, app.state.release.name)
            return False
        try:
            release, store, sparql = open_release(settings)
        except RuntimeError as exc:
            log.error("SIGHUP: %s; still serving %s", exc, app.state.release.name)
            return False
        old = app.state.sparql
        serve_release(app, release, store, sparql)
        old.close()
        log.warning("reloaded: serving %s (release %s)", settings.store, release.name)
        return True


def create_app(settings: Settings) -> FastAPI:
    """Build the app for ``settings``; the store is opened when the app starts (lifespan)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        release, store, sparql = open_release(settings)
        serve_release(app, release, store, sparql)
        app.state.reload_lock = threading.Lock()
        log.info("serving %s (release %s)", settings.store, release.name)
        loop = asyncio.get_running_loop()
        on_hup = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP")
        if on_hup:  # not under TestClient (its loop runs in another thread)
            loop.add_signal_handler(
                signal.SIGHUP, lambda: threading.Thread(target=reload_release, args=(app,), daemon=True).start()
            )
        try:
            yield
        finally:
            if on_hup:
                loop.remove_signal_handler(signal.SIGHUP)
            app.state.sparql.close()

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
    app.add_middleware(HeadAsGet)  # innermost: HEAD wherever GET is (endpoint/head.py)
    app.add_middleware(ResponseCacheMiddleware)  # inside the guards
    install_guards(
        app,
        max_body_bytes=settings.max_body_bytes,
        rate_limit_per_s=settings.rate_limit_per_s,
        rate_limit_burst=settings.rate_limit_burst,
    )
    install_metrics(app)  # last added = outermost: counts the guards' answers too

    from endpoint.routes.dumps import router as dumps_router
    from endpoint.routes.meta import router as meta_router
    from endpoint.routes.ops import router as ops_router
    from endpoint.routes.resources import router as resources_router
    from endpoint.routes.sparql import router as sparql_router

    app.include_router(sparql_router)
    app.include_router(dumps_router)
    app.include_router(meta_router)
    app.include_router(resources_router)
    app.include_router(ops_router)
    _add_pages(app)
    return app


def _add_pages(app: FastAPI) -> None:
    """Pages for people (``routes/pages.py``) and the static files they use (CSS, YASGUI)."""
    from importlib.resources import files

    from fastapi.staticfiles import StaticFiles

    from endpoint.routes.figures import router as figures_router
    from endpoint.routes.pages import router as pages_router

    app.include_router(pages_router)
    app.include_router(figures_router)
    static_dir = Path(str(files("endpoint").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (multi-worker serving): settings from ``GONGKAI_*``."""
    return create_app(Settings.from_env())
