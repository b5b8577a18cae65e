"""`make bench` (bench/suite.py) runs every benchmark in one run and says which sections came from it.

The steps themselves take an hour and more; here each step is a small real command, to show what the
suite does with a step that passes and one that fails, and what the sections' headers then say.
"""

from __future__ import annotations

import sys

from bench import suite
from bench.results import SUITE_ENV, part_of


def test_each_step_is_told_the_run_it_belongs_to() -> None:
    check = f"import os, sys; sys.exit(0 if os.environ.get({SUITE_ENV!r}) == '2026-11-22 19:00 UTC' else 3)"
    step = suite.run_step("probe", [sys.executable, "-c", check], "2026-11-22 19:00 UTC")
    assert step["status"] == 0
    assert step["command"].startswith("python -c ")


def test_a_failing_step_is_reported_and_the_table_says_so() -> None:
    ok = suite.run_step("run", [sys.executable, "-c", "pass"], "2026-11-22 19:00 UTC")
    bad = suite.run_step("shacl", [sys.executable, "-c", "raise SystemExit(2)"], "2026-11-22 19:00 UTC")
    raw = {
        "started": "2026-11-22 19:00 UTC",
        "finished": "2026-11-22 20:35 UTC",
        "command": "python -m bench.suite",
        "machine": {"nproc": "2", "cpu": "x", "memory": "23.5 GiB"},
        "planned": ["run", "shacl"],
        "steps": [ok, bad],
    }
    text = suite.render(raw)
    assert text.startswith(suite.START) and text.rstrip().endswith(suite.END)
    assert "| run | `python -c pass` |" in text
    assert "**2 (failed: its section keeps its earlier numbers)**" in text
    assert "Failed: shacl." in text
    assert "10^5-report corpus on Dask is measured on demand" in text


def test_a_run_still_going_lists_the_steps_to_come() -> None:
    raw = {
        "started": "2026-11-22 19:00 UTC",
        "command": "python -m bench.suite --scale",
        "machine": {"nproc": "2", "cpu": "x", "memory": "23.5 GiB"},
        "planned": ["run", "distributed", "scale"],
        "steps": [{"step": "run", "command": "python -m bench.run", "started": "19:00 UTC", "s": 60.0, "status": 0}],
    }
    text = suite.render(raw)
    assert "still running: distributed, scale to come" in text
    assert "measured on demand" not in text


def test_headers_name_the_run_only_for_its_steps() -> None:
    assert part_of({"suite": "2026-11-22 19:00 UTC"}) == ", a step of the `make bench` run started 2026-11-22 19:00 UTC"
    assert part_of({}) == ""


def test_steps_take_the_smallest_and_largest_corpus_and_scale_only_on_demand() -> None:
    args = suite.argparse.Namespace(n="10000,1000", duration=5.0, rounds=2, rdflib_reports=200)
    cmds = {k: suite.shown(v) for k, v in suite.step_commands(args).items()}
    assert cmds["run"].startswith("python -m bench.run -n 1000,10000 ")
    assert cmds["ceiling"].startswith("python -m bench.ceiling -n 1000 ")
    assert "--corpus build/bench/corpus-10000" in cmds["shacl"]
    assert cmds["distributed"].startswith("python -m bench.distributed -n 10000 ")
    assert cmds["scale"].startswith("python -m bench.distributed -n 100000 --scale")
