"""``/healthz`` and ``/metrics`` (endpoint/routes/ops.py, endpoint/metrics.py) on a real store
made by ``gongkai load`` from the seed reports: what an operator's probe and Prometheus see, when
all is well, when a query worker dies or the release is gone from disk, and while a reload swaps
the release being served."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from endpoint.app import create_app, reload_release
from endpoint.settings import Settings
from tests.endpoint.test_resources import REPORT_001

MakeClient = Callable[..., AbstractContextManager[TestClient]]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def scrape(client: TestClient) -> Samples:
    """``/metrics`` parsed back by prometheus_client's own parser: (name, labels) -> value."""
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def recorded_quads(store: Path) -> int:
    release = store.resolve()
    quads = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))["quads"]
    assert isinstance(quads, int)
    return quads


def copy_store(store: Path, into: Path) -> Path:
    """A store of its own for a test: the served release copied with its marker, and the
    ``store`` symlink pointing at it, as ``gongkai load`` lays them out."""
    release = store.resolve()
    releases = into / "store.releases"
    releases.mkdir(parents=True)
    shutil.copytree(release, releases / release.name)
    shutil.copy(release.with_name(release.name + ".json"), releases / f"{release.name}.json")
    (into / "store").symlink_to(os.path.relpath(releases / release.name, into), target_is_directory=True)
    return into / "store"


def publish_copy(store: Path, name: str) -> Path:
    """A new release named ``name`` with the same data, switched in as ``gongkai load`` does
    (marker first, then an atomic rename of the symlink)."""
    current = store.resolve()
    new = current.with_name(name)
    shutil.copytree(current, new)
    shutil.copy(current.with_name(current.name + ".json"), new.with_name(name + ".json"))
    tmp = store.with_name(".store.switch")
    tmp.symlink_to(os.path.relpath(new, store.parent), target_is_directory=True)
    tmp.replace(store)
    return new


# ---------------------------------------------------------------------------------------------
# /healthz


def test_healthz_names_the_release_its_quads_and_its_live_workers(make_client: MakeClient, store_dir: Path) -> None:
    with make_client(query_workers=3) as c:
        r = c.get("/healthz")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.headers["cache-control"] == "no-store"
        health = r.json()
        assert health["status"] == "pass" and health["failing"] == []
        assert health["release"] == store_dir.resolve().name
        assert health["quads"] == recorded_quads(store_dir) > 0
        assert health["checks"]["store"]["ok"] is True
        workers = health["checks"]["query_workers"]
        assert workers["ok"] is True and workers["alive"] == workers["size"] == 3 and workers["dead"] == []
        assert str(store_dir) not in r.text  # the release's name, not where the server keeps it


def test_a_dead_query_worker_fails_the_probe_once_and_is_replaced_on_demand(make_client: MakeClient) -> None:
    with make_client(query_workers=2) as c:
        pool = c.app.state.sparql.pool  # type: ignore[attr-defined]
        victim = next(iter(pool._idle.queue))
        victim.process.kill()  # what the OOM killer or an operator's kill does
        victim.process.wait()
        r = c.get("/healthz")
        assert r.status_code == 503
        health = r.json()
        assert health["status"] == "fail" and health["failing"] == ["query_workers"]
        workers = health["checks"]["query_workers"]
        assert workers["dead"] == [victim.process.pid] and workers["alive"] == 1
        assert str(victim.process.pid) in workers["message"]
        assert value(scrape(c), "gongkai_query_worker_restarts_total", reason="died") == 1
        # the dead worker was dropped: the next probe sees one live worker, and queries are answered
        assert c.get("/healthz").status_code == 200
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_a_release_gone_from_disk_fails_the_probe(tmp_path: Path, settings: Settings, store_dir: Path) -> None:
    store = copy_store(store_dir, tmp_path)
    with TestClient(create_app(replace(settings, store=store))) as c:
        assert c.get("/healthz").status_code == 200
        # a new query worker could not open it: whoever removed it broke the server
        shutil.rmtree(store.resolve())
        r = c.get("/healthz")
        assert r.status_code == 503
        health = r.json()
        assert health["failing"] == ["store"]
        assert "gone" in health["checks"]["store"]["message"]
        assert health["checks"]["query_workers"]["ok"] is True


def test_head_and_options_on_the_operations_paths(client: TestClient) -> None:
    for path in ("/healthz", "/metrics"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert int(head.headers["content-length"]) > 0
        # OPTIONS as on every GET-only path: 405 naming the methods; a CORS preflight gets 204
        options = client.options(path)
        assert options.status_code == client.options("/dumps/").status_code == 405
        assert options.headers["allow"] == "GET, HEAD"
        preflight = client.options(
            path, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 204
        assert client.post(path).status_code == 405


# ---------------------------------------------------------------------------------------------
# /metrics


def test_requests_are_counted_by_route_template_and_status(make_client: MakeClient) -> None:
    with make_client() as c:
        before = scrape(c)
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        assert c.get(f"/doc/{REPORT_001}.ttl").status_code == 200
        assert c.get("/no/such/page").status_code == 404
        r = c.get("/metrics")
        after = scrape(c)
        for route, status in (("/sparql", "200"), ("/doc/{path:path}", "200"), ("<unmatched>", "404")):
            labels = {"route": route, "method": "GET", "status": status}
            assert value(after, "gongkai_http_requests_total", **labels) == (
                value(before, "gongkai_http_requests_total", **labels) + 1
            ), route
            count = value(after, "gongkai_http_request_duration_seconds_count", route=route)
            assert count == value(before, "gongkai_http_request_duration_seconds_count", route=route) + 1
            assert value(after, "gongkai_http_request_duration_seconds_sum", route=route) > 0
        # no raw URL becomes a label: the number of series is the number of routes
        assert REPORT_001 not in r.text and "/no/such/page" not in r.text
        # the release served, as at /healthz
        health = c.get("/healthz").json()
        assert value(after, "gongkai_release_info", release=health["release"]) == 1
        assert value(after, "gongkai_release_quads") == health["quads"]
        alive = health["checks"]["query_workers"]["alive"]
        assert value(after, "gongkai_query_workers_alive") == alive > 0


def test_response_cache_hits_and_misses(make_client: MakeClient) -> None:
    with make_client() as c:
        before = scrape(c)
        doc = f"/doc/{REPORT_001}.nt"
        first, second = c.get(doc), c.get(doc)
        assert first.status_code == second.status_code == 200 and first.content == second.content
        after = scrape(c)
        assert value(after, "gongkai_response_cache_total", result="miss") == (
            value(before, "gongkai_response_cache_total", result="miss") + 1
        )
        assert value(after, "gongkai_response_cache_total", result="hit") == (
            value(before, "gongkai_response_cache_total", result="hit") + 1
        )
        # the answer from the cache is counted under the route that made it
        labels = {"route": "/doc/{path:path}", "method": "GET", "status": "200"}
        assert value(after, "gongkai_http_requests_total", **labels) == (
            value(before, "gongkai_http_requests_total", **labels) + 2
        )
        # answers that are never kept count neither as hit nor as miss
        c.get("/healthz")
        again = scrape(c)
        for result in ("hit", "miss"):
            assert value(again, "gongkai_response_cache_total", result=result) == value(
                after, "gongkai_response_cache_total", result=result
            )


def test_queries_stopped_at_the_time_limit_and_worker_restarts(make_client: MakeClient) -> None:
    with make_client(query_timeout_s=1.0, query_workers=2) as c:
        before = scrape(c)
        assert value(before, "gongkai_sparql_time_limit_total", stage="running") == 0  # present from the start
        r = c.get("/sparql", params={"query": CROSS_JOIN})
        assert r.status_code == 503 and "time limit" in r.text
        after = scrape(c)
        assert value(after, "gongkai_sparql_time_limit_total", stage="running") == 1
        assert value(after, "gongkai_sparql_time_limit_total", stage="queued") == 0
        assert value(after, "gongkai_query_worker_restarts_total", reason="time_limit") == 1
        assert value(after, "gongkai_http_requests_total", route="/sparql", method="GET", status="503") == 1
        assert value(after, "gongkai_http_request_duration_seconds_sum", route="/sparql") >= 1.0
        # the killed worker is not a dead one: the probe stays green
        assert c.get("/healthz").status_code == 200


def test_each_app_counts_in_its_own_registry(make_client: MakeClient) -> None:
    with make_client() as a, make_client() as b:
        a.get("/sparql", params={"query": "ASK {}"})
        labels = {"route": "/sparql", "method": "GET", "status": "200"}
        assert value(scrape(a), "gongkai_http_requests_total", **labels) == 1
        assert value(scrape(b), "gongkai_http_requests_total", **labels) == 0


def test_openmetrics_when_the_scraper_asks_for_it(client: TestClient) -> None:
    r = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/openmetrics-text")
    assert r.text.rstrip().endswith("# EOF")


# ---------------------------------------------------------------------------------------------
# A reload while probes and scrapes run


def test_probes_and_scrapes_during_a_reload_see_one_release_or_the_other(
    tmp_path: Path, settings: Settings, store_dir: Path
) -> None:
    store = copy_store(store_dir, tmp_path)
    old = store.resolve().name
    with TestClient(create_app(replace(settings, store=store, query_workers=2))) as c:
        seen: list[tuple[int, str, int]] = []
        failures: list[BaseException] = []
        stop = threading.Event()

        def probe() -> None:
            try:
                while not stop.is_set():
                    health = c.get("/healthz")
                    metrics = c.get("/metrics")
                    releases = [
                        s.labels["release"]
                        for family in text_string_to_metric_families(metrics.text)
                        for s in family.samples
                        if s.name == "gongkai_release_info"
                    ]
                    assert metrics.status_code == 200 and len(releases) == 1
                    seen.append((health.status_code, health.json()["release"], metrics.status_code))
            except BaseException as exc:  # noqa: BLE001 - reported by the test thread
                failures.append(exc)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            while not seen and prober.is_alive():  # the probes are running before the reload
                stop.wait(0.05)
            new = publish_copy(store, "20990101T000000000000Z").name
            assert reload_release(c.app)  # type: ignore[arg-type]
            after = len(seen)
            while len(seen) < after + 3 and prober.is_alive():
                stop.wait(0.05)
        finally:
            stop.set()
            prober.join(timeout=30)
        assert not failures, failures
        assert {status for status, _, _ in seen} == {200}
        assert {release for _, release, _ in seen} == {old, new}
        health = c.get("/healthz").json()
        assert health["release"] == new and health["status"] == "pass"
        assert value(scrape(c), "gongkai_release_info", release=new) == 1
