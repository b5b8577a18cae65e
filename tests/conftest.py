"""Shared fixtures.

Publishing (``endpoint/``), in the order they build on each other:

- ``seeds_nq``: ``data/seeds`` converted by the real converter (``gongkai convert``), once.
- ``store_dir``: ``gongkai load`` of it into a real on-disk store; ``dumps_dir``: ``gongkai dump``.
- ``settings`` / ``client``: ``TestClient(create_app(settings))`` over that store (lifespan run).
- ``live_server``: a real ``gongkai serve`` subprocess on a free port; yields its base URL.
- ``make_client``: a context manager for an app with other settings (row cap, time limit, …).

Commands run through the ``gongkai`` console script of the interpreter running the tests.
Heavy imports stay inside the fixtures so that collecting converter tests stays fast.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from endpoint.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "data" / "seeds"
GONGKAI = Path(sys.executable).parent / "gongkai"


def gongkai(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the ``gongkai`` CLI; fail the test with its stderr if it exits non-zero."""
    proc = subprocess.run([str(GONGKAI), *map(str, args)], capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"gongkai {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_responds(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers (any status); fail early if the server process exits."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        return
    pytest.fail(f"the server did not answer {url} within {timeout:g} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def seeds_nq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed reports converted by the real converter into one N-Quads file."""
    out = tmp_path_factory.mktemp("seeds") / "seeds.nq"
    gongkai("convert", SEEDS_DIR, "-o", out, "--quiet")
    return out


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory, seeds_nq: Path) -> Path:
    """A real on-disk store made by ``gongkai load`` (a symlink to its current release)."""
    store = tmp_path_factory.mktemp("store") / "store"
    gongkai("load", seeds_nq, "--store", store)
    return store


@pytest.fixture(scope="session")
def dumps_dir(tmp_path_factory: pytest.TempPathFactory, store_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("dumps") / "dumps"
    gongkai("dump", "--store", store_dir, "-o", out)
    return out


@pytest.fixture(scope="session")
def settings(store_dir: Path, dumps_dir: Path) -> Settings:
    from endpoint.settings import Settings

    return Settings(store=store_dir, dumps_dir=dumps_dir)


@pytest.fixture(scope="session")
def make_client(settings: Settings) -> Callable[..., contextlib.AbstractContextManager[TestClient]]:
    """``with make_client(max_result_rows=3) as c:`` an app over the shared store, lifespan run."""
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from endpoint.app import create_app

    @contextlib.contextmanager
    def make(**overrides: Any) -> Iterator[TestClient]:
        with TestClient(create_app(replace(settings, **overrides))) as client:
            yield client

    return make


@pytest.fixture(scope="session")
def client(make_client: Callable[..., contextlib.AbstractContextManager[TestClient]]) -> Iterator[TestClient]:
    with make_client() as c:
        yield c


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, store_dir: Path, dumps_dir: Path) -> Iterator[str]:
    """``gongkai serve`` in a subprocess on a free port; yields its base URL (no trailing /)."""
    port = free_port()
    log = tmp_path_factory.mktemp("live_server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(GONGKAI),
                "serve",
                "--store",
                str(store_dir),
                "--dumps",
                str(dumps_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_responds(f"{url}/sparql", proc, log)
        yield url
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Terminate a server we started, and kill it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def loopback_listener() -> Iterator[socket.socket]:
    """A TCP socket listening on 127.0.0.1 that nobody should connect to (SERVICE/SSRF tests).

    Non-blocking: ``accept()`` raises ``BlockingIOError`` while no connection has arrived.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def connections_seen(listener: socket.socket) -> int:
    """How many connections ``listener`` has pending (accepts and closes them)."""
    seen = 0
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return seen
        conn.close()
        seen += 1
