"""``gongkai convert --scheduler``: conversion on Dask distributed writes one N-Quads shard per
partition, with the same statements as the single-machine converter (converter.distributed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from converter.emit import emit_report, new_dataset
from converter.options import ConvertOptions
from converter.output import sorted_nquads
from converter.pipeline import convert_many

pytest.importorskip("distributed")

from converter.distributed import convert_distributed

SEEDS = sorted((Path(__file__).resolve().parents[2] / "data" / "seeds").glob("*.txt"))


def _lines(folder: Path) -> set[bytes]:
    return {line for p in folder.glob("part-*.nq") for line in p.read_bytes().splitlines() if line.strip()}


def test_local_cluster_of_two_workers_matches_convert_many(tmp_path: Path) -> None:
    options = ConvertOptions()
    # the last seed again under another name: the same report, an error for the later file
    dup = tmp_path / "in" / "zz_duplicate.txt"
    dup.parent.mkdir()
    shutil.copy(SEEDS[0], dup)
    files = [*SEEDS, dup]
    out = tmp_path / "shards"
    records = convert_distributed(files, out, options, scheduler="local", partition_size=2, workers=2)

    assert [r.index for r in records] == list(range(len(files)))
    assert [r.error is None for r in records] == [True] * len(SEEDS) + [False]
    assert "same agency and year" in (records[-1].error or "")
    assert sorted(p.name for p in out.glob("part-*.nq")) == ["part-00000.nq", "part-00001.nq", "part-00002.nq"]

    ds = new_dataset()
    for outcome in convert_many(SEEDS, options):
        assert outcome.report is not None
        emit_report(outcome.report, options.base_url, ds)
    assert _lines(out) == set(sorted_nquads(ds).splitlines()) - {b""}
