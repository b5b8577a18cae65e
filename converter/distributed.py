"""Conversion and validation on a Dask distributed cluster: one N-Quads shard per partition.

``gongkai convert INPUTS -o FOLDER --scheduler local|ADDRESS`` splits the input files into
partitions (``--partition-size`` files each, in input order); a task per partition converts its
files and writes ``FOLDER/part-{i:05d}.nq`` itself (sorted N-Quads, written atomically; with
``--gzip``, ``part-{i:05d}.nq.gz``, about 1/8 of the bytes, which ``gongkai validate`` and
``gongkai load`` read as they are), so report data never travels back to the client - only one
small record per file does. ``local`` starts a
``LocalCluster`` (one single-threaded worker process per core); an address (``tcp://host:8786``)
uses a running scheduler, whose workers must see the same file system paths.

Two files that yield the same report (agency and year) are an error for the later one, as in
:func:`converter.pipeline.convert_many`: the partitions holding a later duplicate are written
again without it (a second pass over those partitions only).

``gongkai validate SHARDS… --scheduler local|ADDRESS`` validates each file (a shard) in a task of
its own with :func:`converter.validate.validate_file`; only the findings travel back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from converter.options import ConvertOptions


@dataclass(frozen=True)
class FileRecord:
    """What a partition task sends back about one input file."""

    index: int  # position in the input list
    path: str
    report_iri: str | None  # None when the file failed
    error: str | None
    agency: str | None = None
    year: int | None = None
    cells: int = 0
    issues: int = 0


def shard_name(partition: int, gzip: bool = False) -> str:
    return f"part-{partition:05d}.nq" + (".gz" if gzip else "")


def shards_in(folder: Path) -> list[Path]:
    """The shards of a ``convert --scheduler`` output folder (``.nq`` or ``.nq.gz``), in name order."""
    return sorted(p for p in folder.glob("part-*.nq*") if p.name.endswith((".nq", ".nq.gz")))


def _options(options: ConvertOptions, part: Sequence[tuple[int, str]]) -> ConvertOptions:
    """The options a partition's task needs: only its files' manifest rows."""
    return options.for_files(Path(path) for _, path in part)


def convert_partition(
    partition: int,
    items: Sequence[tuple[int, str]],
    out: str,
    options: ConvertOptions,
    skip: frozenset[int],
    gzip: bool = False,
) -> list[FileRecord]:
    """Convert ``items`` (index, path), skipping indexes in ``skip``; write one shard into ``out``
    (each report emitted as sorted N-Quads as it is converted, merged into the shard at the end;
    ``gzip``: compressed with ISA-L, about 1/8 of the bytes)."""
    from converter.output import merge_nquads, write_atomic
    from converter.pipeline import emit_one

    chunks: list[tuple[str, bytes]] = []
    records: list[FileRecord] = []
    for index, path in items:
        item = emit_one(Path(path), options)
        summary = item.summary
        if summary is None:
            records.append(FileRecord(index, path, None, item.error))
            continue
        records.append(
            FileRecord(
                index, path, summary.report_iri, None, summary.agency, summary.year, summary.cells, len(summary.issues)
            )
        )
        if index not in skip:
            chunks.append((summary.report_iri, item.nquads))
    target = Path(out) / shard_name(partition, gzip)
    if chunks:
        data = merge_nquads(chunks)
        if gzip:
            from isal import igzip

            data = igzip.compress(data, compresslevel=2, mtime=0)
        write_atomic(target, data)
    else:
        target.unlink(missing_ok=True)
    return records


def _client(scheduler: str, workers: int | None):  # type: ignore[no-untyped-def]
    from dask.distributed import Client, LocalCluster

    if not logging.getLogger().isEnabledFor(logging.INFO):  # the scheduler's INFO lines, unless -v
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        return Client(cluster), cluster
    return Client(scheduler), None


def convert_distributed(
    files: Sequence[Path],
    out: Path,
    options: ConvertOptions,
    *,
    scheduler: str = "local",
    partition_size: int = 50,
    workers: int | None = None,
    gzip: bool = False,
) -> list[FileRecord]:
    """Convert ``files`` on the cluster into one shard per partition in the folder ``out``
    (``gzip``: ``part-NNNNN.nq.gz``); the records of every file, in input order (duplicates
    marked as errors)."""
    out.mkdir(parents=True, exist_ok=True)
    items = [(i, str(p.resolve())) for i, p in enumerate(files)]
    partitions = [items[i : i + partition_size] for i in range(0, len(items), partition_size)]
    client, cluster = _client(scheduler, workers)
    try:
        futures = [
            client.submit(
                convert_partition,
                n,
                part,
                str(out.resolve()),
                _options(options, part),
                frozenset(),
                gzip,
                pure=False,
            )
            for n, part in enumerate(partitions)
        ]
        by_partition = client.gather(futures)
        records = [r for part in by_partition for r in part]
        records.sort(key=lambda r: r.index)
        seen: dict[str, str] = {}
        duplicates: set[int] = set()
        for r in records:
            if r.report_iri is None:
                continue
            if r.report_iri in seen:
                duplicates.add(r.index)
            else:
                seen[r.report_iri] = r.path
        if duplicates:
            again = [n for n, part in enumerate(partitions) if any(i in duplicates for i, _ in part)]
            client.gather(
                [
                    client.submit(
                        convert_partition,
                        n,
                        partitions[n],
                        str(out.resolve()),
                        _options(options, partitions[n]),
                        frozenset(duplicates),
                        gzip,
                        pure=False,
                    )
                    for n in again
                ]
            )
        # shards of an earlier run (more partitions, or the other compression) must not be loaded with these
        current = {shard_name(n, gzip) for n in range(len(partitions))}
        for stale in shards_in(out):
            if stale.name not in current:
                stale.unlink()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    final = []
    for r in records:
        if r.index in duplicates:
            r = FileRecord(
                r.index,
                r.path,
                None,
                f"{r.path}: same agency and year as {seen[r.report_iri or '']}; not converted twice",
            )
        final.append(r)
    return final


def validate_shard(path: str, engine: str) -> tuple[str, object, str | None]:
    """Validate one file on a worker: ``(path, outcome, None)`` or ``(path, None, error)``."""
    from converter.validate import ValidationError, validate_file

    try:
        return path, validate_file(path, engine=engine, jobs=1), None
    except ValidationError as exc:
        return path, None, exc.reason


def validate_distributed(
    files: Sequence[Path], *, engine: str, scheduler: str = "local", workers: int | None = None
) -> Iterator[tuple[Path, object]]:
    """Validate ``files`` on the cluster, a task per file; yields ``(path, ValidationOutcome)``
    or ``(path, ValidationError)`` in input order, as :func:`converter.validate.validate_paths`."""
    from converter.validate import ValidationError

    client, cluster = _client(scheduler, workers)
    try:
        futures = [client.submit(validate_shard, str(p), engine, pure=False) for p in files]
        for path, future in zip(files, futures, strict=True):
            _, outcome, error = future.result()
            yield path, (ValidationError(path, error) if error is not None else outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
