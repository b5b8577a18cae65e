"""``gongkai convert``: files in, RDF out, one line per failing file, a summary, a JSON record.

Each file is converted and emitted in a worker; its N-Quads go straight to the output writer
(:func:`converter.output.write_stream`, sorted runs merged at the end for one ``.nq`` file), and only
a small summary per file is kept for the record and the summary line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from converter.errors import OptionsError
from converter.options import ConvertOptions, read_manifest
from converter.output import write_atomic, write_stream
from converter.pipeline import Emitted, emit_many, expand_inputs


def run_convert(
    inputs: list[Path],
    out: Path,
    *,
    manifest: Path | None,
    report: Path | None,
    base_url: str,
    jobs: int,
    quiet: bool,
) -> int:
    """Convert; exit status 0 when every file converted, 1 when some failed."""
    for item in inputs:
        if not item.exists():
            raise OptionsError(f"{item}: no such file or folder")
    options = ConvertOptions(base_url=base_url.rstrip("/"), manifest=read_manifest(manifest) if manifest else {})
    files = expand_inputs(inputs)
    if not files:
        raise OptionsError(f"no report files (.txt) found in {', '.join(map(str, inputs))}")
    show = not quiet and sys.stderr.isatty()
    with Progress(
        TextColumn("converting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not show,
        transient=True,
    ) as progress:
        task = progress.add_task("convert", total=len(files))
        outcomes: list[Emitted] = []

        def reports() -> Iterator[tuple[str, str, bytes]]:
            for item in emit_many(files, options, jobs=jobs, on_item=lambda _: progress.advance(task)):
                outcomes.append(  # without its N-Quads
                    Emitted(item.path, item.summary, item.error, sources=item.sources, same_file_as=item.same_file_as)
                )
                if item.summary is not None:
                    yield item.summary.file_name, item.summary.report_iri, item.nquads

        write_stream(reports(), out)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        typer.echo(outcome.error, err=True)
    merged_into = _merged_into(outcomes)
    published = [o.summary for i, o in enumerate(outcomes) if o.summary is not None and i not in merged_into]
    if report is not None:
        records = [_record(o, merged_into.get(i)) for i, o in enumerate(outcomes)]
        write_atomic(report, json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8"))
    notes = sum(len(r.issues) for r in published)
    typer.echo(
        f"converted {len(outcomes) - len(failed)}/{len(outcomes)} files; {len(failed)} failed; {notes} quality notes"
        + (f" (see {report})" if report else "")
        + _merges(outcomes, merged_into),
        err=True,
    )
    return 1 if failed else 0


def _merged_into(outcomes: list[Emitted]) -> dict[int, Path]:
    """Files whose report was replaced by a report merged from them and a later file: that file."""
    last: dict[str, int] = {}
    for i, o in enumerate(outcomes):
        if o.summary is not None:
            last[o.summary.report_iri] = i
    return {
        i: outcomes[last[o.summary.report_iri]].path
        for i, o in enumerate(outcomes)
        if o.summary is not None and last[o.summary.report_iri] != i
    }


def _merges(outcomes: list[Emitted], merged_into: dict[int, Path]) -> str:
    merged = [o for i, o in enumerate(outcomes) if len(o.sources) > 1 and i not in merged_into]
    same = sum(1 for o in outcomes if o.same_file_as is not None)
    said = []
    if merged:
        said.append(
            f"{sum(len(o.sources) for o in merged)} files merged into {len(merged)} report{'s' * (len(merged) > 1)}"
        )
    if same:
        said.append(f"{same} identical files published once")
    return "".join(f"; {s}" for s in said)


def _record(outcome: Emitted, merged_into: Path | None = None) -> dict[str, object]:
    if outcome.same_file_as is not None:
        return {"file": str(outcome.path), "ok": True, "same_file_as": str(outcome.same_file_as)}
    if merged_into is not None:
        return {"file": str(outcome.path), "ok": True, "merged_into": str(merged_into)}
    if outcome.summary is None:
        return {"file": str(outcome.path), "ok": False, "error": outcome.error}
    r = outcome.summary
    return {
        "file": str(outcome.path),
        "ok": True,
        **({"merged": [str(p) for p in outcome.sources]} if len(outcome.sources) > 1 else {}),
        "agency": r.agency,
        "year": r.year,
        "template": r.template,
        "cells": r.cells,
        "issues": [
            {
                "code": i.code,
                "severity": i.severity.value,
                "message": i.message,
                "target": "/".join(i.target) if i.target else None,
            }
            for i in r.issues
        ],
    }


def run_convert_distributed(
    inputs: list[Path],
    out: Path,
    *,
    manifest: Path | None,
    report: Path | None,
    base_url: str,
    scheduler: str,
    partition_size: int,
    workers: int | None,
    gzip: bool = False,
) -> int:
    """``--scheduler``: convert on Dask distributed (``converter.distributed``), one shard per partition."""
    from converter.distributed import convert_distributed, shards_in

    for item in inputs:
        if not item.exists():
            raise OptionsError(f"{item}: no such file or folder")
    if out.suffix or str(out) == "-":
        raise OptionsError(f"{out}: with --scheduler, -o must be a folder (one N-Quads shard per partition)")
    if partition_size < 1:
        raise OptionsError("--partition-size must be at least 1")
    options = ConvertOptions(base_url=base_url.rstrip("/"), manifest=read_manifest(manifest) if manifest else {})
    files = expand_inputs(inputs)
    if not files:
        raise OptionsError(f"no report files found in {', '.join(map(str, inputs))}")
    records = convert_distributed(
        files, out, options, scheduler=scheduler, partition_size=partition_size, workers=workers, gzip=gzip
    )
    failed = [r for r in records if r.error]
    for r in failed:
        typer.echo(r.error, err=True)
    if report is not None:
        write_atomic(
            report,
            json.dumps(
                [
                    {
                        "file": r.path,
                        "ok": r.error is None,
                        "error": r.error,
                        "agency": r.agency,
                        "year": r.year,
                        "cells": r.cells,
                        "issues": r.issues,
                        **({"merged": list(r.sources)} if len(r.sources) > 1 else {}),
                        **({"merged_into": r.merged_into} if r.merged_into else {}),
                        **({"same_file_as": r.same_file_as} if r.same_file_as else {}),
                    }
                    for r in records
                ],
                ensure_ascii=False,
                indent=2,
            ).encode("utf-8"),
        )
    shards = len(shards_in(out))
    typer.echo(
        f"converted {len(records) - len(failed)}/{len(records)} files into {shards} shards in {out}; "
        f"{len(failed)} failed",
        err=True,
    )
    return 1 if failed else 0
