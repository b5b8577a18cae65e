"""bench/run.py's sections of RESULTS.md are rendered from its raw numbers alone (bench/harness.py and
one module per benchmark), and their target lines say what bench/summary.py reads from them.

The benchmarks take an hour and more; here the raw numbers are a small made-up run, shaped as the
benchmarks write ``build/bench/results.json``: one corpus of 1,000 reports (and the small one of
200 for load and dump), the HTTP tables with the response cache on and off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench import aggregate, convert, dump, harness, load, shacl_peers, sparql_http
from bench.summary import START as SUMMARY_START
from bench.summary import targets as summary_targets

ON = f"{sparql_http.CACHE_ON} — 1,000 reports"
OFF = f"{sparql_http.CACHE_OFF} — 1,000 reports"


def _wrk(rps: float, p50: float, p99: float, cpu: float | None = None) -> dict[str, float]:
    cell = {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non2xx": 0, "timeouts": 0}
    return {**cell, "cpu_ms_per_request": cpu} if cpu is not None else cell


def _http(rounds: int) -> dict[str, Any]:
    paired = {"ratio_c1": 0.74, "p99_ratio_c1": 1.69, "ratio_c16": 0.95, "p99_ratio_c16": 0.90} if rounds > 1 else {}
    return {
        "agency": "http://localhost:8000/id/agency/a1",
        "report": "http://localhost:8000/id/report/a1/2021",
        "duration": 5.0,
        "release_optimized": True,
        "cases": {
            "floor (303 /id/… vs ASK {})": {
                "same_answer": None,
                "rounds": rounds,
                "gongkai_c1": _wrk(3000, 0.3, 0.9, 0.25),
                "oxigraph_c1": _wrk(9000, 0.1, 0.3, 0.05),
                "gongkai_c16": _wrk(4000, 3.9, 8.0, 0.3),
                "oxigraph_c16": _wrk(12000, 1.2, 4.0, 0.06),
            },
            "report table (表三 of one report)": {
                "same_answer": True,
                "rounds": rounds,
                "gongkai_c1": _wrk(250, 3.9, 7.5, 1.1),
                "oxigraph_c1": _wrk(320, 3.1, 4.4, 0.9),
                "gongkai_c16": _wrk(410, 38.8, 54.0, 1.2),
                "oxigraph_c16": _wrk(430, 36.0, 60.0, 1.0),
                **paired,
            },
            "dereference an agency (/doc/… .ttl vs CONSTRUCT)": {
                "same_answer": True,
                "rounds": 1,
                "gongkai_c1": _wrk(700, 1.3, 2.5),
                "oxigraph_c1": _wrk(650, 1.5, 2.4),
                "gongkai_c16": _wrk(1100, 14.0, 30.0),
                "oxigraph_c16": _wrk(1300, 12.0, 20.0),
            },
            "national aggregate (scan)": {"no_answer": "Gongkai 503, Oxigraph 200"},
        },
    }


def _load(n: int, rss: int, peer_rss: float) -> dict[str, Any]:
    row: dict[str, Any] = {
        "reports": n,
        "quads_in": 1_234 * n,
        "repeat": 3,
        "peer": {"bulk_load": n / 100, "optimize": n / 300, "rss_mib": peer_rss},
        "peer_rss_mib": peer_rss,
        "gongkai": {"seconds": n / 67, "rss_mib": rss},
        "gongkai_rss_mib": rss,
        "gongkai_no_optimize": {"seconds": n / 80},
        "peer_stream": {"bulk_load": n / 120, "optimize": n / 300, "rss_mib": 1600.0},
        "aggregates_one_shard_s": 0.42,
        "reload_files": 0,
        "paired_ratios": {
            "fresh": 0.67,
            "fresh_vs_optimize": 0.88,
            "no_optimize": 0.8,
            "fresh_vs_stream": 0.7,
            "fresh_vs_stream_optimize": 0.9,
        },
    }
    if n >= 1000:
        row["reload_files"] = 1
        row["peer_reload"] = {"bulk_load": 1.0, "optimize": 2.0}
        row["peer_replace"] = {"replace": 2.5, "names": 0.5, "remove": 0.9, "bulk_load": 1.1}
        row["gongkai_reload"] = {"seconds": 3.3, "rss_mib": 300}
        row["paired_ratios"].update({"reload": 0.30, "reload_vs_optimize": 0.91, "reload_vs_replace": 0.72})
    return row


def _dump(n: int, rss: int, peer_rss: int) -> dict[str, Any]:
    return {
        "repeat": 3,
        "gongkai_s": n / 250,
        "gongkai_rss_mib": rss,
        "gongkai_files": 12,
        "gongkai_bytes": 1_234_567,
        "gongkai_whole_nq_gz_bytes": 765_432,
        "peer": {"nquads": n / 270, "nquads_gz": n / 110, "rss_mib": peer_rss},
        "peer_rss_mib": peer_rss,
        "nquads_gz_bytes": 654_321,
        "paired_ratios": {"nquads": 0.93, "nquads_gz": 2.2},
    }


@pytest.fixture
def res() -> dict[str, Any]:
    return {
        "machine": {"nproc": "2", "cpu": "Test CPU", "memory": "23.5 GiB", "python": "3.11.2", "wrk": "wrk 4.2.0"},
        "when": "2026-12-01 10:00 UTC",
        "command": "python -m bench.run -n 1000",
        "duration": 5.0,
        "corpora": {"1000": "1,000 reports, 1,234,000 quads in 10 shards"},
        "http": {ON: _http(1), OFF: _http(3)},
        "aggregate": {
            "1000": {
                "same": True,
                "scan_inproc_ms": 250.0,
                "agg_inproc_ms": 1.5,
                "agg_ms": 2.1,
                "prov_scan_inproc_ms": 90.0,
                "prov_agg_inproc_ms": 1.2,
                "prov_same": True,
                "figures_page_ms": 20.0,
                "figures_province_page_ms": 35.0,
            }
        },
        "load": {"200": _load(200, 400, 58.0), "1000": _load(1000, 416, 206.0)},
        "dump": {"200": _dump(200, 95, 58), "1000": _dump(1000, 396, 206)},
        "convert": {
            "text": {"files": 100, "per_core_rps": 154.1, "two_proc_rps": 280.0, "read_only_rps": 300.0},
            "text_read_only_s": 0.00005,
            "html": {"files": 40, "per_file_s": 0.008, "per_core_rps": 118.9, "two_proc_rps": 200.0},
            "pdf": {"files": 4, "per_file_s": 0.39, "per_core_rps": 2.5, "two_proc_rps": 4.8},
            "pdfplumber_text_s": 0.36,
            "pdfplumber_tables_s": 0.5,
        },
    }


def _lines(module: Any, res: dict[str, Any]) -> list[str]:
    return [f"- {text}: {harness.met(ok)}" for text, ok in module.targets(res)]


def test_http_target_lines_are_worded_as_the_summary_reads_them(res: dict[str, Any]) -> None:
    lines = _lines(sparql_http, res)
    assert lines == [
        f"- [{ON}] dereference an agency (/doc/… .ttl vs CONSTRUCT), c=1: ≥ 0.7× (is 1.08×): **met**",
        f"- [{ON}] dereference an agency (/doc/… .ttl vs CONSTRUCT), c=16: ≥ 0.7× (is 0.85×): **met**",
        # cache off, three rounds: the medians of the pairs' ratios, not the ratio of the medians
        f"- [{OFF}] report table (表三 of one report), c=1: ≥ 0.9× and p99 ≤ 1.5× (is 0.74×, p99 1.69×): **not met**",
        f"- [{OFF}] report table (表三 of one report), c=16: ≥ 0.9× and p99 ≤ 1.5× (is 0.95×, p99 0.90×): **met**",
        f"- [{OFF}] dereference an agency (/doc/… .ttl vs CONSTRUCT), c=1: ≥ 0.7× (is 1.08×): **met**",
        f"- [{OFF}] dereference an agency (/doc/… .ttl vs CONSTRUCT), c=16: ≥ 0.7× (is 0.85×): **met**",
    ]


def test_the_other_target_lines_keep_their_wording(res: dict[str, Any]) -> None:
    assert _lines(aggregate, res) == [
        "- national sum from the aggregate graph < 1 s at 1000 reports (is 2.1 ms): **met**",
        "- provincial figures and the /figures pages < 1 s at 1000 reports (is 35.0 ms): **met**",
    ]
    fresh, reload = _lines(load, res)[1:]
    assert fresh.startswith("- load ≥ 0.9× bulk_load at 1000 reports (is 0.67×, against the faster of bulk_load ")
    assert reload.startswith(
        "- reload of 10% ≥ 0.9× the peer at 1000 reports: vs remove_graph + bulk_load (the same job) 0.72×; "
    )
    assert _lines(dump, res)[1] == (
        "- dump ≥ 0.9× Store.dump at 1000 reports (is 0.93×; vs gzip'd dump 2.20×; "
        "medians of the rounds' paired ratios): **met**"
    )
    assert harness.memory_growth(res["dump"], "`gongkai dump`") == [
        (
            "`gongkai dump` peak memory independent of N (95 MiB at 200 reports, 396 MiB at 1,000; 4.17×, "
            "allowed 1.25×; the peer's own 58 → 206 MiB, 3.55×)",
            False,
        )
    ]
    assert _lines(convert, res) == [
        "- text conversion ≥ 100 reports/s per core, file → sorted N-Quads (is 154.1): **met**",
        "- HTML conversion ≥ 100 reports/s per core, file → sorted N-Quads (is 118.9): **met**",
        "- PDF conversion within 1.3× of pdfplumber's own parsing of the same pages, end to end "
        "(is 1.08× the faster of extract_text and extract_tables of every page): **met**",
    ]


def test_the_summary_reads_every_target_of_the_section(res: dict[str, Any]) -> None:
    text = "# Benchmark results\n\n" + harness.render_main(res)
    rows = {r.target: r for r in summary_targets(text)}
    http = rows["report table (表三 of one report), response cache off: ≥ 0.9× and p99 ≤ 1.5×"]
    assert (http.measured, http.verdict) == ("0.74–0.95× (c=1 and 16; 1,000 reports)", "1/2 met")
    assert rows["load ≥ 0.9× bulk_load at 1000 reports"].measured == "0.67×"
    assert rows["reload of 10% ≥ 0.9× the peer at 1000 reports"].measured == "0.72×"
    assert rows["`gongkai load` peak memory independent of N"].verdict == "met"
    assert rows["`gongkai dump` peak memory independent of N"].measured.startswith("4.17×")
    assert rows["text conversion ≥ 100 reports/s per core, file → sorted N-Quads"].measured == "154.1"
    assert {r.when for r in rows.values()} == {"2026-12-01"}
    verdicts = [line for line in text.splitlines() if line.endswith(("**met**", "**not met**"))]
    # every target line of the section is a row, the six HTTP ones folded into one per request and cache mode
    assert len(rows) == len(verdicts) - 6 + 3


def test_each_table_has_its_header_and_the_notes_are_rendered(res: dict[str, Any]) -> None:
    text = harness.render_main(res)
    for header in (
        f"### SPARQL and dereferencing: Gongkai vs `oxigraph serve-read-only` ({OFF})",
        "| request | same answer | c | Gongkai rps | p50 / p99 ms | Oxigraph rps | p50 / p99 ms | ratio | p99 ratio |"
        " CPU ms per request, Gongkai / Oxigraph |",
        "| reports | scan query: /sparql c=1 p50 | in-process (median of 3) | aggregate graph: /sparql c=1 p50 "
        "| in-process | same numbers |",
        "### Load and dump: `gongkai load` vs `Store.bulk_load`, `gongkai dump` vs `Store.dump`",
        "| reports | files reloaded | `gongkai load` s (RSS MiB) | bulk_load s | bulk_load + optimize s "
        "| replace s (names / remove_graph / bulk_load) | ratio vs bulk_load | ratio vs bulk_load+optimize "
        "| ratio vs replace |",
        "### Targets",
        "| national aggregate (scan) | - | - | not measured: Gongkai 503, Oxigraph 200 (query time limit) "
        "| | | | | | |",
        "| report table (表三 of one report) | True | 1 | 250 | 3.9 / 7.5 | 320 | 3.1 / 4.4 | 0.74× | 1.69× "
        "| 1.10 / 0.90 |",
    ):
        assert header in text.splitlines(), header
    assert text.startswith(harness.START) and text.rstrip().endswith(harness.END)
    assert harness.note("run") in text
    assert harness.note("http", sparql_http.CACHE_OFF) in text
    assert harness.note("load", "reload") in text
    assert "### SHACL" not in text  # a section without numbers is left out
    conversion = harness.render_conversion(res)
    assert "| text seeds ×20 (100 files) | 6.5 ms | 154.1 | 280.0 | 1.82× | 300.0 | - |" in conversion
    assert harness.render_conversion({k: v for k, v in res.items() if k != "convert"}) == ""


def test_a_note_without_its_heading_names_the_file() -> None:
    with pytest.raises(KeyError, match=r"bench/notes/http\.md has no '## no such table'"):
        harness.note("http", "no such table")


def test_wrk_output_is_read_with_the_servers_cpu_per_request() -> None:
    text = """Running 5s test @ http://127.0.0.1:8001/sparql
  1 threads and 1 connections
  Latency Distribution
     50%    3.91ms
     75%    4.20ms
     90%    5.01ms
     99%    1.20s
  1250 requests in 5.00s, 1.2MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    249.87
Transfer/sec:    245.00KB
"""
    cell = harness.parse_wrk(text, server_cpu_s=1.5)
    assert cell == {
        "rps": 249.87,
        "p50_ms": 3.91,
        "p99_ms": 1200.0,
        "non2xx": 3,
        "timeouts": 2,
        "cpu_ms_per_request": 1.2,
    }
    assert "cpu_ms_per_request" not in harness.parse_wrk(text)


def test_both_sections_are_written_and_rewritten_in_place(res: dict[str, Any], tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n<!-- other: start -->\nkept\n<!-- other: end -->\n", encoding="utf-8")
    harness.write_results(res, results)
    once = results.read_text(encoding="utf-8")
    harness.write_results(res, results)
    assert results.read_text(encoding="utf-8") == once
    assert SUMMARY_START in once and "kept" in once
    assert once.index(harness.START) < once.index(harness.CONV_START)


@dataclass
class Spy:
    measured: list[str] = field(default_factory=list)  # the sections measured, in order
    written: list[dict[str, Any]] = field(default_factory=list)  # the raw numbers each rendering got


@pytest.fixture
def previous_run(res: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Spy:
    """``build/bench`` in ``tmp_path`` holding a 1,000-report corpus, its store and the raw numbers of
    a previous run; each benchmark's ``measure`` replaced by one that says it was called, and the
    rendering by one that keeps what it got (bench/RESULTS.md is left alone)."""
    corpus = tmp_path / "corpus-1000"
    corpus.mkdir()
    (corpus / "corpus.json").write_text('{"reports": 1000, "quads": 1234000}', encoding="utf-8")
    for i in range(10):
        (corpus / f"shard-{i:03}.nq").write_text("<urn:s> <urn:p> <urn:o> <urn:g> .\n" * 3, encoding="utf-8")
    (tmp_path / "store-1000").mkdir()
    spy = Spy()
    monkeypatch.setattr(harness, "WORK", tmp_path)
    monkeypatch.setattr(harness, "RAW", tmp_path / "results.json")
    monkeypatch.setattr(harness, "machine", lambda: res["machine"])
    monkeypatch.setattr(harness, "write_results", spy.written.append)
    harness.save({**res, "suite": "2026-12-01 09:00 UTC"})

    def measuring(section: str) -> Callable[[harness.Run], dict[str, Any]]:
        def measure(run: harness.Run) -> dict[str, Any]:
            spy.measured.append(section)
            return {"measured": section}

        return measure

    benchmarks = {"load": load, "dump": dump, "http": sparql_http, "aggregate": aggregate, "convert": convert}
    for section, module in {**benchmarks, "shacl": shacl_peers}.items():
        monkeypatch.setattr(module, "measure", measuring(section))
    return spy


def test_a_partial_run_measures_its_sections_and_keeps_the_others(res: dict[str, Any], previous_run: Spy) -> None:
    harness.main(["-n", "1000", "--only", "convert"])
    assert previous_run.measured == ["convert"]
    (numbers,) = previous_run.written
    assert numbers["convert"] == {"measured": "convert"}
    kept = ("http", "load", "dump", "aggregate")
    assert {k: numbers[k] for k in kept} == {k: res[k] for k in kept}
    assert numbers["when"].startswith("2026-12-01 10:00 UTC and ")
    assert numbers["command"] == "python -m bench.run -n 1000` then `python -m bench.run -n 1000 --only convert"
    assert "suite" not in numbers  # not a step of the `make bench` run the previous numbers came from
    assert harness.load_results() == numbers


def test_a_complete_run_measures_every_section_in_order_and_afresh(previous_run: Spy) -> None:
    harness.main(["-n", "1000"])
    assert previous_run.measured == ["load", "dump", "http", "aggregate", "convert", "shacl"]
    (numbers,) = previous_run.written
    assert numbers["command"] == "python -m bench.run -n 1000"
    assert numbers["corpora"] == {"1000": "1,000 reports, 1,234,000 quads in 10 shards"}
    assert numbers["http"] == {"measured": "http"}


def test_the_checks_section_states_its_target_as_the_summary_reads_it() -> None:
    from bench import checks
    from bench.summary import targets

    res = {
        "load": {"wall_s": 300.0, "cpu_s": 350.0, "shards": 100},
        "checks": {
            "full_wall_s": 11.0,
            "full_cpu_s": 9.0,
            "quads": 390000,
            "update_agencies": 20,
            "update_wall_s": 0.4,
            "update_cpu_s": 0.4,
        },
        "reports": 10000,
        "load_before": "1.00",
        "load_after": "1.00",
        "command": "python -m bench.checks --corpus c",
        "when": "2026-12-06 22:48 UTC",
        "machine": {"nproc": "2"},
    }
    (row,) = targets(checks.render(res))
    assert (row.target, row.measured, row.verdict) == (
        "load-time checks ≤ 10% of `gongkai load` at 10000 reports",
        "3.7%",
        "met",
    )
    res["checks"]["full_wall_s"] = 40.0
    assert targets(checks.render(res))[0].verdict == "not met"
