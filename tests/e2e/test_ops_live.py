"""``/healthz`` and ``/metrics`` over real HTTP: uvicorn + the on-disk store (``live_server``),
as an orchestrator's probe and a Prometheus scrape reach them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow


def test_probe_and_scrape_over_http(live_server: str, store_dir: Path) -> None:
    release = store_dir.resolve()
    marker = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))
    with httpx.Client(base_url=live_server, timeout=30) as http:
        health = http.get("/healthz")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["status"] == "pass" and body["release"] == release.name and body["quads"] == marker["quads"]
        assert body["checks"]["query_workers"]["alive"] == body["checks"]["query_workers"]["size"] > 0
        head = http.head("/healthz")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == health.headers["content-length"]

        assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        scrape = http.get("/metrics")
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain; version=")
        samples = {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(scrape.text)
            for s in family.samples
        }
        asked = frozenset({"route": "/sparql", "method": "GET", "status": "200"}.items())
        assert samples[("gongkai_http_requests_total", asked)] >= 1
        assert samples[("gongkai_release_info", frozenset({"release": release.name}.items()))] == 1
        assert samples[("gongkai_release_quads", frozenset())] == marker["quads"]
