"""The time limit on a user's query: a pool of worker processes.

:class:`QueryPool` keeps a few worker processes, each holding ``Store.read_only(path)`` (plain
subprocesses talking over a socket pair). A query is sent to an idle worker; if no answer comes
within ``query_timeout_s`` (waiting for a free worker included) the worker is killed (pyoxigraph
0.5 has no cancellation in its Python API, oxigraph issue #1926) and replaced, and the client
gets 503 naming the limit. A client that closes its connection while its query runs has the
query stopped the same way (checked every :data:`GONE_POLL_S` once the query has run that long),
so abandoned queries do not hold workers until the limit. Each worker answers with
:func:`endpoint.sparql.results.execute`.

The pool tells ``QueryPool.on_event`` (if set; ``endpoint.metrics`` counts them) of each query
stopped at the limit and each worker stopped and replaced (:data:`PoolEvent`), and
:meth:`QueryPool.workers_alive` says which of its workers are alive (``/healthz``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from endpoint.errors import ERRORS_BY_SLUG, ClientGone, HttpError, QueryTimeout
from endpoint.sparql.guard import _service_in_algebra
from endpoint.sparql.results import SparqlRequest, SparqlResult, execute

log = logging.getLogger(__name__)


def worker_main() -> None:
    """Entry point of a query worker process: ``python -c … FD STORE_PATH``.

    Opens the store read-only once, then answers requests arriving on the socket ``FD`` until
    EOF or ``None``. The worker is a plain subprocess (not ``multiprocessing``) so that it never
    re-imports the server's ``__main__``.
    """
    fd, store_path = int(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it closes us
    conn = Connection(fd)
    try:
        store: Store | None = Store.read_only(store_path)
        open_error = ""
    except OSError as exc:
        store, open_error = None, str(exc)
    _service_in_algebra("ASK {}", None)  # import rdflib's SPARQL parser now, not in the first query
    try:
        conn.send("ready")  # the pool starts a query's clock only now (_Worker.wait_ready)
    except OSError:
        return
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        if req is None:
            return
        if store is None:
            reply: tuple[Any, ...] = ("error", "internal-error", f"cannot open the store: {open_error}")
        else:
            try:
                reply = ("ok", execute(store, req))
            except HttpError as exc:
                reply = ("error", exc.slug, exc.message)
        try:
            conn.send(reply)
        except OSError:
            return


class _Worker:
    """One worker process and our end of its socket."""

    def __init__(self, store_path: str) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from endpoint.sparql.pool import worker_main; worker_main()",
                str(theirs.fileno()),
                store_path,
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False

    def wait_ready(self) -> bool:
        """Wait (at most :data:`WORKER_START_S`) for the worker to say it has opened the store, so
        that its start-up is not counted against the first query it answers; False: it did not."""
        if not self.ready:
            try:
                self.ready = self.conn.poll(WORKER_START_S) and self.conn.recv() == "ready"
            except (EOFError, OSError):
                return False
        return self.ready

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()


def _answer(reply: tuple[Any, ...]) -> SparqlResult:
    """A worker's reply: its result, or the error it refused the query with."""
    if reply[0] == "ok":
        result: SparqlResult = reply[1]
        return result
    raise ERRORS_BY_SLUG.get(reply[1], HttpError)(reply[2])


# What the pool reports to ``QueryPool.on_event``: ("time_limit", "queued") no worker came free
# within the limit; ("time_limit", "running") a query ran past it and its worker was killed;
# ("restart", reason) a worker was stopped to be replaced, reason one of RESTART_REASONS.
PoolEvent = Callable[[str, str], None]
WORKER_START_S = 60.0  # how long a new query worker may take to open the store (a busy machine)
TIME_LIMIT_STAGES = ("queued", "running")
RESTART_REASONS = ("time_limit", "client_gone", "failed", "died")


@dataclass(frozen=True)
class WorkerCheck:
    """The pool's workers as :meth:`QueryPool.workers_alive` found them."""

    size: int  # the pool's size (workers it runs at most)
    alive: int  # workers started and running
    dead: tuple[int, ...]  # process ids of workers found dead (they are dropped, and replaced on demand)


class QueryPool:
    """Worker processes that each hold ``Store.read_only(store_path)``; a query that outlives
    ``timeout_s`` has its worker killed and replaced (see the module docstring)."""

    def __init__(self, store_path: Path, *, size: int, timeout_s: float) -> None:
        self.store_path = str(store_path)
        self.size = size
        self.timeout_s = timeout_s
        self.on_event: PoolEvent | None = None
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._async_slots: asyncio.Semaphore | None = None  # made on first use, on the server's loop
        self._closed = False
        self._live: set[_Worker] = set()  # started and not yet killed or stopped
        self._live_lock = threading.Lock()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store_path)
        with self._live_lock:
            self._live.add(worker)
        return worker

    def _event(self, name: str, detail: str) -> None:
        if self.on_event is not None:
            try:
                self.on_event(name, detail)
            except Exception:  # counting must never fail a query
                log.exception("the query pool's event hook failed")

    def _retire(self, worker: _Worker, reason: str | None) -> None:
        """Kill ``worker`` (to be replaced: ``reason``) or, with no reason, stop it politely."""
        with self._live_lock:
            self._live.discard(worker)
        if reason is None:
            worker.stop()
            return
        worker.kill()
        self._event("restart", reason)

    def _started(self, worker: _Worker, deadline: float) -> float:
        """``deadline``, or a new one from now when ``worker`` had to start first (its start-up,
        seconds on a busy machine, is not the query's time).

        :raises HttpError: the worker did not start (it is retired).
        """
        if worker.ready:
            return deadline
        if not worker.wait_ready():
            self._retire(worker, "failed")
            raise HttpError(f"a query worker did not start within {WORKER_START_S:g} s; try again later", status=503)
        return max(deadline, time.monotonic() + self.timeout_s)

    def _time_limit(self, stage: str) -> QueryTimeout:
        self._event("time_limit", stage)
        if stage == "queued":
            return QueryTimeout(
                f"all {self.size} query workers stayed busy for {self.timeout_s:g} s "
                "(the query time limit); try again later"
            )
        return QueryTimeout(
            f"the query was stopped after {self.timeout_s:g} s, this endpoint's query "
            "time limit; narrow it down (LIMIT, more specific patterns) or use the dumps"
        )

    def workers_alive(self) -> WorkerCheck:
        """Which workers are alive: one ``waitpid(WNOHANG)`` each, nothing sent to them (a busy
        worker answers nobody else). A dead one (killed from outside: the OOM killer, an operator)
        is dropped from the idle workers now and reported once; a query that finds no idle worker
        starts a new one, as after a time limit."""
        with self._live_lock:
            workers = list(self._live)
        dead = [w for w in workers if w.process.poll() is not None]
        if dead:
            # Idle dead workers leave the idle stack now; a busy one is the business of the query
            # holding it (that query fails, and retires it).
            with self._idle.mutex:
                idle_dead = [w for w in self._idle.queue if w in dead]
                kept = [w for w in self._idle.queue if w not in dead]
                self._idle.queue.clear()
                self._idle.queue.extend(kept)
            for worker in idle_dead:
                with self._live_lock:
                    self._live.discard(worker)
                worker.conn.close()
                self._event("restart", "died")
        return WorkerCheck(self.size, len(workers) - len(dead), tuple(w.process.pid for w in dead))

    def start(self) -> None:
        """Start all workers now (they open the store while the server starts listening)."""
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def run(self, req: SparqlRequest) -> SparqlResult:
        """Answer ``req`` in a worker, within ``timeout_s`` (waiting for a free worker included).

        :raises QueryTimeout: the time ran out.
        :raises HttpError: the worker refused the query (its status) or died (500).
        """
        deadline = time.monotonic() + self.timeout_s
        if self._closed:
            raise HttpError("the query service is shutting down", status=503)
        if not self._slots.acquire(timeout=self.timeout_s):
            raise self._time_limit("queued")
        try:
            return self._run_in_worker(req, deadline)
        finally:
            self._slots.release()

    def _run_in_worker(self, req: SparqlRequest, deadline: float) -> SparqlResult:
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            worker = self._spawn()
        if worker.process.poll() is not None:  # died while idle (killed from outside): replace it
            self._retire(worker, "died")
            worker = self._spawn()
        deadline = self._started(worker, deadline)
        try:
            worker.conn.send(req)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._retire(worker, "time_limit")
                raise self._time_limit("running")
            reply = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._retire(worker, "failed")
            raise HttpError(f"the query worker failed: {exc}") from None
        if self._closed:
            self._retire(worker, None)
        else:
            self._idle.put(worker)
        return _answer(reply)

    async def run_async(self, req: SparqlRequest, gone: Gone | None = None) -> SparqlResult:
        """:meth:`run` for the event loop: the same limits and errors, but waiting for a free
        worker and for the reply does not hold a thread (the reply's socket is watched by the loop).
        ``gone()`` says whether the client has closed its connection: asked every
        :data:`GONE_POLL_S` while the query runs; if so, its worker is killed (:class:`ClientGone`).

        Concurrency is bounded by an asyncio semaphore of ``size`` (callers of :meth:`run` in
        threads have their own); a worker that must be spawned is spawned in a thread.
        """
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.timeout_s
        if self._closed:
            raise HttpError("the query service is shutting down", status=503)
        if self._async_slots is None:
            self._async_slots = asyncio.Semaphore(self.size)
        if self._async_slots.locked():  # wait for a worker, within the time limit
            try:
                await asyncio.wait_for(self._async_slots.acquire(), self.timeout_s)
            except TimeoutError:
                raise self._time_limit("queued") from None
        else:  # a worker is free: no timer (wait_for makes a task, ~30 µs)
            await self._async_slots.acquire()
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = await loop.run_in_executor(None, self._spawn)
            if worker.process.poll() is not None:  # died while idle: replace it
                self._retire(worker, "died")
                worker = await loop.run_in_executor(None, self._spawn)
            if not worker.ready:  # a new worker: wait for it off the loop
                deadline = await loop.run_in_executor(None, self._started, worker, deadline)
            return await self._ask(loop, worker, req, deadline, gone)
        finally:
            self._async_slots.release()

    async def _ask(
        self,
        loop: asyncio.AbstractEventLoop,
        worker: _Worker,
        req: SparqlRequest,
        deadline: float,
        gone: Gone | None = None,
    ) -> SparqlResult:
        # True: the reply is there; False: the time limit; None: the client went away
        readable: asyncio.Future[bool | None] = loop.create_future()
        fd = worker.conn.fileno()
        watch: _GoneWatch | None = None
        try:
            worker.conn.send(req)
            loop.add_reader(fd, _settle, readable, True)
            # the time limit as a timer on the loop, not asyncio.wait_for (a task per query)
            timer = loop.call_later(max(0.0, deadline - time.monotonic()), _settle, readable, False)
            watch = _GoneWatch(loop, gone, readable) if gone is not None else None
            try:
                answered = await readable
            finally:
                timer.cancel()
                if watch is not None:
                    watch.cancel()
                loop.remove_reader(fd)
                # add_reader made the socket non-blocking (uvloop does): the rest of a large reply
                # may still be on its way, and Connection.recv needs a blocking socket to wait for it
                os.set_blocking(fd, True)
            if answered is None:
                raise ClientGone("the client closed the connection; its query was stopped")
            if not answered:
                self._retire(worker, "time_limit")
                raise self._time_limit("running")
            reply = worker.conn.recv()  # the worker is writing it now: a short wait at most
        except ClientGone:
            self._retire(worker, "client_gone")
            log.info("a client went away while its query ran: query worker %d stopped", worker.process.pid)
            raise
        except (EOFError, OSError) as exc:
            self._retire(worker, "failed")
            raise HttpError(f"the query worker failed: {exc}") from None
        if self._closed:
            await loop.run_in_executor(None, self._retire, worker, None)
        else:
            self._idle.put(worker)
        return _answer(reply)

    def close(self) -> None:
        """Stop idle workers; a worker still answering is stopped when it finishes."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            self._retire(worker, None)


Gone = Callable[[], Awaitable[bool]]  # has the client closed its connection? (Request.is_disconnected)
GONE_POLL_S = 1.0  # how often a running query's client is checked (not at all for faster queries)


def _settle(future: asyncio.Future[bool | None], value: bool | None) -> None:
    """The first of the reply, the time limit and the client's going away settles ``future``."""
    if not future.done():
        future.set_result(value)


class _GoneWatch:
    """Asks ``gone()`` every :data:`GONE_POLL_S` on the loop, and sets ``readable`` to None when
    it says yes; nothing runs for a query answered within the first period."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gone: Gone, readable: asyncio.Future[bool | None]) -> None:
        self.loop, self.gone, self.readable = loop, gone, readable
        self.task: asyncio.Task[None] | None = None
        self.timer: asyncio.TimerHandle | None = loop.call_later(GONE_POLL_S, self._start)

    def _start(self) -> None:
        self.timer = None
        if not self.readable.done():
            self.task = self.loop.create_task(self._ask())

    async def _ask(self) -> None:
        try:
            went = await self.gone()
        except Exception:
            log.debug("checking whether the client went away failed", exc_info=True)
            went = False
        if self.readable.done():
            return
        if went:
            self.readable.set_result(None)
        else:
            self.timer = self.loop.call_later(GONE_POLL_S, self._start)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.task is not None:
            self.task.cancel()
