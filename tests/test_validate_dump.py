"""`gongkai validate` on a dump: the report graphs are validated, the graphs `gongkai load` derives
from them (the aggregate cubes, the checks across reports) are named, not validated against the
report shapes (they are not reports: an aggregate observation has no gk:report, a check note targets
observations of two reports)."""

from __future__ import annotations

import gzip
from pathlib import Path

from converter.validate import validate_file
from tests.conftest import gongkai


def test_a_dump_of_the_seeds_conforms_and_names_its_derived_graphs(dumps_dir: Path) -> None:
    dump = dumps_dir / "gongkai.nq.gz"
    outcome = validate_file(dump)
    assert outcome.conforms, outcome.violations[:3]
    assert outcome.graphs == 5  # the five seed reports
    assert outcome.derived == ("http://localhost:8000/id/dataset/aggregates",)
    run = gongkai("validate", dump)
    assert run.returncode == 0
    assert "derived by gongkai load: http://localhost:8000/id/dataset/aggregates" in run.stdout
    assert "1 derived graph not validated (aggregates, checks across reports) - conforms" in run.stdout


def test_only_the_derived_graphs_are_left_out(dumps_dir: Path, tmp_path: Path) -> None:
    """A graph under another name that breaks the report shapes is still validated and fails."""
    lines = gzip.decompress((dumps_dir / "gongkai.nq.gz").read_bytes()).decode("utf-8").splitlines()
    aggregates = [ln for ln in lines if ln.endswith("<http://localhost:8000/id/dataset/aggregates> .")]
    assert aggregates
    renamed = [ln.replace("/id/dataset/aggregates>", "/id/dataset/my-sums>") for ln in aggregates]
    data = tmp_path / "with-other-graph.nq"
    data.write_text("\n".join([*lines, *renamed]) + "\n", encoding="utf-8")
    outcome = validate_file(data)
    assert not outcome.conforms
    assert {v.graph for v in outcome.violations} == {"http://localhost:8000/id/dataset/my-sums"}
