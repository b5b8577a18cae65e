"""Conversion and validation on a Dask distributed cluster: one N-Quads shard per partition.

``gongkai convert INPUTS -o FOLDER --scheduler local|ADDRESS`` splits the input files into
partitions (``--partition-size`` files each, in input order); a task per partition converts its
files and writes ``FOLDER/part-{i:05d}.nq`` itself (sorted N-Quads, written atomically; with
``--gzip``, ``part-{i:05d}.nq.gz``, about 1/8 of the bytes, which ``gongkai validate`` and
``gongkai load`` read as they are), so report data never travels back to the client - only one
small record per file does. ``local`` starts a
``LocalCluster`` (one single-threaded worker process per core); an address (``tcp://host:8786``)
uses a running scheduler, whose workers must see the same file system paths.

Several files of one agency and year (:mod:`converter.batch`) may land in different partitions:
the client feeds the records of every file, in input order, to the batch core, which groups them.
Then, in a second pass, a task per ``partition-size / 2`` groups reads each group's files again,
resolves it with the batch core (merged into one report, or an error for a file that is another
report) and writes those reports into a shard of its own (``part-NNNNN`` numbered after the
partitions); the partitions holding a file of a group, or a second copy of a file (same sha256,
published once), are written again without it. Merging happens after the partitions wrote.

``gongkai validate SHARDS… --scheduler local|ADDRESS`` validates each file (a shard) in a task of
its own with :func:`converter.validate.validate_file`; only the findings travel back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from converter.batch import Batch, ReportSummary
from converter.options import ConvertOptions

if TYPE_CHECKING:  # dask is an optional extra; converter.validate imports rdflib and pyshacl
    from dask.distributed import Client, LocalCluster

    from converter.validate import Shapes, ValidationError, ValidationOutcome


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
    sha256: str = ""
    sources: tuple[str, ...] = ()  # a report merged from several files: them all (converter/batch.py)
    merged_into: str | None = None  # this file's report is part of the report of that file
    same_file_as: str | None = None  # the same bytes as that file: published once, from it


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
    from converter.pipeline import emit_one

    chunks: list[tuple[str, bytes]] = []
    records: list[FileRecord] = []
    for index, path in items:
        item = emit_one(Path(path), options)
        summary = item.summary
        if summary is None:
            records.append(FileRecord(index, path, None, item.error))
            continue
        records.append(_record(index, path, summary))
        if index not in skip:
            chunks.append((summary.report_iri, item.nquads))
    _write_shard(Path(out) / shard_name(partition, gzip), chunks, gzip)
    return records


def merge_partition(
    partition: int,
    groups: Sequence[Sequence[tuple[int, str]]],
    out: str,
    options: ConvertOptions,
    gzip: bool = False,
) -> list[FileRecord]:
    """Resolve ``groups`` - the files (index, path) of one agency and year each, from any partition
    - with the batch core (:func:`converter.pipeline.convert_group`: read again, merged or refused)
    and write their reports into one shard of its own."""
    from converter.errors import GongkaiError
    from converter.pipeline import convert_group, emit_report

    chunks: list[tuple[str, bytes]] = []
    records: list[FileRecord] = []
    for group in groups:
        try:
            resolved = convert_group([path for _, path in group], options)
        except GongkaiError as exc:  # read a moment ago: reading again should not fail
            records += [FileRecord(i, path, None, f"{path}: not merged: {exc}") for i, path in group]
            continue
        carrier = [(i, path) for (i, path), error in zip(group, resolved.errors, strict=True) if error is None][-1]
        item = emit_report(Path(carrier[1]), resolved.report, options, resolved.sources)
        summary = item.summary
        for (i, path), error in zip(group, resolved.errors, strict=True):
            if error is not None or summary is None:
                records.append(FileRecord(i, path, None, error or item.error))
            elif i == carrier[0]:
                records.append(_record(i, path, summary, tuple(str(p) for p in resolved.sources)))
            else:
                records.append(FileRecord(i, path, None, None, merged_into=carrier[1]))
        if summary is not None:
            chunks.append((summary.report_iri, item.nquads))
    _write_shard(Path(out) / shard_name(partition, gzip), chunks, gzip)
    return records


def _record(index: int, path: str, summary: ReportSummary, sources: tuple[str, ...] = ()) -> FileRecord:
    return FileRecord(
        index,
        path,
        summary.report_iri,
        None,
        summary.agency,
        summary.year,
        summary.cells,
        len(summary.issues),
        summary.sha256,
        sources,
    )


def _write_shard(target: Path, chunks: list[tuple[str, bytes]], gzip: bool) -> None:
    """Sorted N-Quads blocks as one shard, written atomically (none: no shard)."""
    from converter.output import merge_nquads, write_atomic

    if chunks:
        data = merge_nquads(chunks)
        if gzip:
            from isal import igzip

            data = igzip.compress(data, compresslevel=2, mtime=0)
        write_atomic(target, data)
    else:
        target.unlink(missing_ok=True)


def _client(scheduler: str, workers: int | None) -> tuple[Client, LocalCluster | None]:
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
    (``gzip``: ``part-NNNNN.nq.gz``); the records of every file, in input order (the files of one
    agency and year resolved by the batch core: merged, the same file, or an error)."""
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
        batch = Batch()  # groups only: the groups are resolved in tasks (merge_partition)
        final: dict[int, FileRecord] = {}
        for r in records:
            step = batch.see(r.index, r.path, r.report_iri, r.sha256)
            if step.same_file_as is not None:
                final[r.index] = FileRecord(r.index, r.path, None, None, same_file_as=str(step.same_file_as))
        groups = batch.groups()
        skip = set(final) | {i for group in groups for i, _ in group}
        per_task = max(1, partition_size // 2)
        merges = [groups[k : k + per_task] for k in range(0, len(groups), per_task)]
        tasks = [
            client.submit(
                merge_partition,
                len(partitions) + k,
                chunk,
                str(out.resolve()),
                options.for_files(Path(path) for group in chunk for _, path in group),
                gzip,
                pure=False,
            )
            for k, chunk in enumerate(merges)
        ]
        again = [n for n, part in enumerate(partitions) if any(i in skip for i, _ in part)]
        tasks += [
            client.submit(
                convert_partition,
                n,
                partitions[n],
                str(out.resolve()),
                _options(options, partitions[n]),
                frozenset(skip),
                gzip,
                pure=False,
            )
            for n in again
        ]
        for r in [r for part in client.gather(tasks[: len(merges)]) for r in part]:
            final[r.index] = r
        client.gather(tasks[len(merges) :])
        # shards of an earlier run (more partitions, or the other compression) must not be loaded with these
        current = {shard_name(n, gzip) for n in range(len(partitions) + len(merges))}
        for stale in shards_in(out):
            if stale.name not in current:
                stale.unlink()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [final.get(r.index, r) for r in records]


def validate_shard(path: str, engine: str, shapes: Shapes | None = None) -> tuple[str, ValidationOutcome | str]:
    """Validate one file on a worker: ``(path, outcome)``, or ``(path, why)`` when it cannot be read.

    ``shapes``: a :class:`converter.validate.Shapes` (default: the project's ``shapes/``), the
    files' text, so a worker uses the client's shapes even when it does not see their files; each
    worker compiles them once.
    """
    from converter.validate import ValidationError, validate_file

    try:
        return path, validate_file(path, engine=engine, jobs=1, shapes=shapes)
    except ValidationError as exc:
        return path, exc.reason


def validate_distributed(
    files: Sequence[Path],
    *,
    engine: str,
    scheduler: str = "local",
    workers: int | None = None,
    shapes: Shapes | None = None,
) -> Iterator[tuple[Path, ValidationOutcome | ValidationError]]:
    """Validate ``files`` on the cluster, a task per file; yields ``(path, ValidationOutcome)``
    or ``(path, ValidationError)`` in input order, as :func:`converter.validate.validate_paths`.

    The shapes are compiled here first: broken shapes raise :class:`converter.validate.ShapesError`
    before the cluster starts. The shapes (a few tens of KB of text) are sent to the workers once.
    """
    from converter.validate import ValidationError, compile_shapes, default_shapes

    shapes = default_shapes() if shapes is None else shapes
    compile_shapes(shapes, engine)
    client, cluster = _client(scheduler, workers)
    try:
        sent = client.scatter(shapes, broadcast=True)
        futures = [client.submit(validate_shard, str(p), engine, sent, pure=False) for p in files]
        for path, future in zip(files, futures, strict=True):
            _, outcome = future.result()
            yield path, (ValidationError(path, outcome) if isinstance(outcome, str) else outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
