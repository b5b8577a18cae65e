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
    # the first seed again under another name: the same file (same sha256), published once, no error
    dup = tmp_path / "in" / "zz_duplicate.txt"
    dup.parent.mkdir()
    shutil.copy(SEEDS[0], dup)
    files = [*SEEDS, dup]
    out = tmp_path / "shards"
    records = convert_distributed(files, out, options, scheduler="local", partition_size=2, workers=2)

    assert [r.index for r in records] == list(range(len(files)))
    assert [r.error is None for r in records] == [True] * len(files)
    assert records[-1].same_file_as == records[0].path and records[-1].report_iri is None
    assert sorted(p.name for p in out.glob("part-*.nq")) == ["part-00000.nq", "part-00001.nq", "part-00002.nq"]

    ds = new_dataset()
    for outcome in convert_many(SEEDS, options):
        assert outcome.report is not None
        emit_report(outcome.report, options.base_url, ds)
    assert _lines(out) == set(sorted_nquads(ds).splitlines()) - {b""}


def test_validation_on_a_local_cluster_matches_the_local_one(tmp_path: Path) -> None:
    """Three shards - two seeds each, one of them with a count set to -5 - and a file that does
    not parse: the cluster gives each file the same outcome as the single-machine path."""
    from converter.distributed import validate_distributed
    from converter.validate import ValidationError, validate_paths

    options = ConvertOptions()
    shards = []
    for i in range(0, len(SEEDS), 2):
        ds = new_dataset()
        for outcome in convert_many(SEEDS[i : i + 2], options):
            assert outcome.report is not None
            emit_report(outcome.report, options.base_url, ds)
        shard = tmp_path / f"part-{i // 2:05d}.nq"
        shard.write_bytes(sorted_nquads(ds))
        shards.append(shard)
    count = b"<https://w3id.org/gongkai/def#count> "
    lines = shards[1].read_bytes().splitlines(keepends=True)
    k = next(i for i, line in enumerate(lines) if count + b'"0"' in line)
    lines[k] = lines[k].replace(count + b'"0"', count + b'"-5"')
    shards[1].write_bytes(b"".join(lines))
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    files = [*shards, broken]

    local = dict(validate_paths(files, engine="auto", jobs=1))
    remote = dict(validate_distributed(files, engine="auto", scheduler="local", workers=2))
    assert list(remote) == files
    for path in shards:
        a, b = local[path], remote[path]
        assert not isinstance(a, ValidationError) and not isinstance(b, ValidationError)
        assert (a.conforms, a.graphs, a.violations, a.warnings) == (b.conforms, b.graphs, b.violations, b.warnings)
    assert not remote[shards[1]].conforms and remote[shards[0]].conforms  # the -5 is a violation
    assert isinstance(remote[broken], ValidationError) and str(remote[broken]) == str(local[broken])


def test_gzip_shards_hold_the_same_quads_and_validate_and_load_as_they_are(tmp_path: Path) -> None:
    """``--gzip``: part-NNNNN.nq.gz shards, each the plain shard's bytes compressed; ``validate``
    gives the plain shard's outcome and ``load`` puts the same quads in the store. A rerun without
    --gzip leaves no .gz shard behind (it would be loaded twice)."""
    import gzip

    from pyoxigraph import Store

    from converter.validate import validate_file
    from endpoint.load import load

    options = ConvertOptions()
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    convert_distributed(SEEDS, plain, options, scheduler="local", partition_size=2, workers=2)
    convert_distributed(SEEDS, packed, options, scheduler="local", partition_size=2, workers=2, gzip=True)
    names = ["part-00000.nq", "part-00001.nq", "part-00002.nq"]
    assert sorted(p.name for p in packed.iterdir()) == [f"{n}.gz" for n in names]
    for name in names:
        assert gzip.decompress((packed / f"{name}.gz").read_bytes()) == (plain / name).read_bytes()
        a, b = validate_file(plain / name), validate_file(packed / f"{name}.gz")
        assert (a.conforms, a.graphs, a.violations, a.warnings) == (b.conforms, b.graphs, b.violations, b.warnings)
        assert a.graphs == 2 or name == names[-1]

    load(sorted(packed.iterdir()), tmp_path / "store")
    store = Store.read_only(str((tmp_path / "store").resolve()))
    stored = {f"{q} .".encode() for q in store}
    assert _lines(plain) <= stored

    convert_distributed(SEEDS, packed, options, scheduler="local", partition_size=2, workers=2)
    assert sorted(p.name for p in packed.iterdir()) == names
