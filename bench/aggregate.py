"""The national and provincial sums by outcome and year: the aggregate graph against the scan it
replaces (``--only aggregate``).

At each corpus size: both queries in-process on the store (medians of 3), whether they give the
same numbers, the ``/figures`` pages rendered by the app (response cache off), and the /sparql
latencies of both queries from the HTTP section's cache-off table when it was measured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import BASE, WORK, Run, Target, fmt, median_ms
from bench.queries import provincial_queries, queries
from bench.sparql_http import CACHE_OFF


def measure(run: Run) -> dict[str, Any]:
    """A row per corpus size, over the previous run's row of that size; the other sizes kept."""
    out = dict(run.previous.get("aggregate", {}))
    for n in run.ns:
        store = WORK / f"store-{n}"
        row: dict[str, Any] = {**out.get(str(n), {}), "same": same_aggregate(store), **in_process(store)}
        h = run.res.get("http", {}).get(f"{CACHE_OFF} — {n:,} reports", {}).get("cases", {})
        if "gongkai_c1" in h.get("national aggregate (scan)", {}):
            row["scan_ms"] = h["national aggregate (scan)"]["gongkai_c1"]["p50_ms"]
        if "national aggregate (aggregate graph)" in h:
            row["agg_ms"] = h["national aggregate (aggregate graph)"]["gongkai_c1"]["p50_ms"]
        out[str(n)] = row
        run.checkpoint("aggregate", out)
    return out


def in_process(store: Path) -> dict[str, Any]:
    """Median of 3 evaluations in-process (pyoxigraph on the on-disk release), no HTTP; and the
    /figures pages rendered by the app (response cache off, so each is computed)."""
    from fastapi.testclient import TestClient
    from pyoxigraph import Store

    from endpoint.app import create_app
    from endpoint.settings import Settings

    s = Store.read_only(str(store.resolve()))
    q = {**queries("urn:x", "urn:x"), **provincial_queries()}
    out: dict[str, Any] = {}
    for key, name in (
        ("scan_inproc_ms", "national aggregate (scan)"),
        ("agg_inproc_ms", "national aggregate (aggregate graph)"),
        ("prov_scan_inproc_ms", "provincial aggregate (scan)"),
        ("prov_agg_inproc_ms", "provincial aggregate (aggregate graph)"),
    ):
        out[key] = median_ms(lambda name=name: list(s.query(q[name], use_default_graph_as_union=True)))
    rows = lambda name: {(r["year"].value, r["request"].value, int(r["total"].value)) for r in s.query(q[name])}  # noqa: E731
    out["prov_same"] = rows("provincial aggregate (scan)") == rows("provincial aggregate (aggregate graph)")
    settings = Settings(store=store, dumps_dir=WORK / "no-dumps", base_url=BASE, response_cache_mb=0)
    with TestClient(create_app(settings)) as client:
        for key, path in (("figures_page_ms", "/figures"), ("figures_province_page_ms", "/figures?province=34")):
            assert client.get(path).status_code == 200
            out[key] = median_ms(lambda path=path: client.get(path))
    return out


def same_aggregate(store: Path) -> bool:
    """Whether the national sum from the aggregate graph equals the scan's, row for row."""
    from pyoxigraph import Store

    s = Store.read_only(str(store.resolve()))
    q = queries("urn:x", "urn:x")

    def rows(text: str) -> set[tuple[str, str, int]]:
        return {
            (r["year"].value, r["request"].value, int(r["total"].value))
            for r in s.query(text, use_default_graph_as_union=True)
        }

    return rows(q["national aggregate (scan)"]) == rows(q["national aggregate (aggregate graph)"])


def _by_size(res: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(res.get("aggregate", {}).items(), key=lambda kv: int(kv[0]))


def render(res: dict[str, Any]) -> list[str]:
    """The national table and the provincial one of ``res["aggregate"]``."""
    if "aggregate" not in res:
        return []
    lines = [
        "### National sum by outcome and year: aggregate graph vs scan",
        "",
        "| reports | scan query: /sparql c=1 p50 | in-process (median of 3) | aggregate graph: /sparql c=1 p50 | in-process | same numbers |",
        "|---|---|---|---|---|---|",
    ]
    for n, row in _by_size(res):
        http_scan = f"{fmt(row['scan_ms'], 1)} ms" if "scan_ms" in row else "-"
        http_agg = f"{fmt(row['agg_ms'], 1)} ms" if "agg_ms" in row else "-"
        lines.append(
            f"| {n} | {http_scan} | {fmt(row.get('scan_inproc_ms', float('nan')), 1)} ms | {http_agg} | "
            f"{fmt(row.get('agg_inproc_ms', float('nan')), 1)} ms | {row['same']} |"
        )
    lines += [
        "",
        "One province (34, 安徽省), applications by outcome and year, and the `/figures` pages (rendered by the "
        "app in-process, response cache off; they read the aggregate graph only):",
        "",
        "| reports | provincial scan, in-process | provincial aggregate, in-process | same numbers | `/figures` | `/figures?province=34` |",
        "|---|---|---|---|---|---|",
    ]
    for n, row in _by_size(res):
        if "prov_agg_inproc_ms" not in row:
            continue
        lines.append(
            f"| {n} | {fmt(row['prov_scan_inproc_ms'], 1)} ms | {fmt(row['prov_agg_inproc_ms'], 1)} ms | "
            f"{row['prov_same']} | {fmt(row['figures_page_ms'], 1)} ms | {fmt(row['figures_province_page_ms'], 1)} ms |"
        )
    lines.append("")
    return lines


def targets(res: dict[str, Any]) -> list[Target]:
    """The national sum, then the provincial figures and pages, under 1 s at each size."""
    national: list[Target] = []
    provincial: list[Target] = []
    for n, row in _by_size(res):
        worst = max(row.get("agg_ms", 0), row.get("agg_inproc_ms", 0))
        national.append(
            (f"national sum from the aggregate graph < 1 s at {n} reports (is {worst:.1f} ms)", worst < 1000)
        )
        if "prov_agg_inproc_ms" in row:
            worst = max(row["prov_agg_inproc_ms"], row["figures_page_ms"], row["figures_province_page_ms"])
            provincial.append(
                (
                    f"provincial figures and the /figures pages < 1 s at {n} reports (is {worst:.1f} ms)",
                    worst < 1000,
                )
            )
    return national + provincial
