"""What the ``/sparql`` route talks to: :class:`SparqlService`, the guard, then the pool (or inline).

Every user query goes through three steps:

1. :func:`endpoint.sparql.guard.query_words` (in the request thread, cheap, lexical): over-long
   queries, SPARQL Update and ``SERVICE`` are refused (:mod:`endpoint.sparql.guard`).
2. :func:`endpoint.sparql.results.execute` (in a query worker): a second ``SERVICE`` check, the
   evaluation, and the result serialized to bytes in the same function, cut at ``max_rows``
   (:mod:`endpoint.sparql.results`).
3. The time limit: :class:`endpoint.sparql.pool.QueryPool` runs the query in a worker process
   killed and replaced at ``query_timeout_s``, or when the client goes away
   (:mod:`endpoint.sparql.pool`). With ``query_timeout_s <= 0`` queries run inline in the
   request thread, without a limit. The app's own fixed queries (pages, VoID) run in-process on
   ``app.state.store``, without this limit.

Fixed queries used by the app itself live in ``endpoint/queries/*.rq`` (:mod:`endpoint.sparql.fixed`).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Store

from endpoint.sparql.guard import QueryWords, query_words
from endpoint.sparql.pool import Gone, PoolEvent, QueryPool, WorkerCheck
from endpoint.sparql.results import SparqlRequest, SparqlResult, execute


class SparqlService:
    """What the ``/sparql`` route talks to: the lexical guard, then the pool (or inline)."""

    def __init__(
        self,
        store: Store,
        store_path: Path,
        *,
        timeout_s: float,
        max_rows: int,
        max_query_length: int,
        workers: int = 2,
    ) -> None:
        self.store = store
        self.store_path = store_path  # the release this service answers from (``/healthz``)
        self.max_rows = max_rows
        self.max_query_length = max_query_length
        self.pool = QueryPool(store_path, size=workers, timeout_s=timeout_s) if timeout_s > 0 else None

    def start(self) -> None:
        if self.pool is not None:
            self.pool.start()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def observe(self, on_event: PoolEvent) -> None:
        """Have ``on_event`` told what the worker pool does (:data:`PoolEvent`); inline, nothing."""
        if self.pool is not None:
            self.pool.on_event = on_event

    def workers_alive(self) -> WorkerCheck | None:
        """The worker pool's :meth:`QueryPool.workers_alive`; None when queries run inline."""
        return self.pool.workers_alive() if self.pool is not None else None

    def check(self, text: str) -> QueryWords:
        """The lexical guard (:func:`query_words`) with this service's length limit."""
        return query_words(text, max_length=self.max_query_length)

    def run(self, req: SparqlRequest) -> SparqlResult:
        """Run a query that passed :meth:`check`; call from a worker thread, never the loop."""
        if self.pool is None:
            return execute(self.store, req)
        return self.pool.run(req)

    async def run_async(self, req: SparqlRequest, gone: Gone | None = None) -> SparqlResult:
        """:meth:`run` from the event loop (inline evaluation goes to a thread, and cannot be
        stopped: ``gone`` is for the worker pool)."""
        if self.pool is None:
            from starlette.concurrency import run_in_threadpool

            return await run_in_threadpool(execute, self.store, req)
        return await self.pool.run_async(req, gone)
