"""The publishing commands behind ``gongkai load``, ``gongkai dump`` and ``gongkai serve``.

Each returns the exit status: 0 success, 1 some input failed, 2 the command could not run.
Messages go to stderr, one line each, naming the file and what is wrong.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # endpoint.settings imports converter/ (~1 s); load and dump do not need it
    from endpoint.settings import Settings

log = logging.getLogger(__name__)


def run_load(
    data: list[Path],
    store: Path,
    base_url: str | None,
    *,
    replace: bool = False,
    optimize: bool | None = None,
    quiet: bool = False,
) -> int:
    """Load ``data`` into a new release of ``store`` and switch to it (``endpoint.load``); on a
    terminal, the file being loaded and the step after the files are shown while it runs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from endpoint.load import LoadError, load

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=quiet or not sys.stderr.isatty(),
        transient=True,
    ) as shown:
        task = shown.add_task("loading", total=None)

        def progress(step: str, done: int, total: int) -> None:
            if total:
                shown.update(task, description=step, completed=done, total=total)
            else:  # a step after the files: they are all in
                shown.update(task, description=step, completed=shown.tasks[0].total or 0)

        try:
            result = load(data, store, base_url=base_url, replace=replace, optimize=optimize, progress=progress)
        except LoadError as exc:
            shown.stop()
            typer.echo(f"error: {exc}", err=True)
            return 2
    for path, reason in result.failures:
        typer.echo(f"error: {path}: {reason}; skipped", err=True)
    loaded = len(result.files_loaded)
    total = loaded + len(result.failures)
    if not result.files_loaded and result.failures:
        typer.echo(f"loaded 0/{total} files; {store} is unchanged", err=True)
        return 1
    typer.echo(
        f"loaded {loaded}/{total} files ({result.graphs_replaced} graphs, {result.quads} quads "
        f"in the store) into {store} -> {result.release.name}",
        err=True,
    )
    return 1 if result.failures else 0


def run_dump(store: Path, out: Path, base_url: str) -> int:
    """Write the gzip dumps and ``index.json`` of ``store`` into ``out``."""
    from endpoint.dump import dump

    if not store.exists():
        typer.echo(f"error: {store}: no store here; run `gongkai load DATA --store {store}`", err=True)
        return 2
    try:
        files = dump(store, out, base_url=base_url)
    except OSError as exc:
        typer.echo(f"error: {store}: cannot dump: {exc}", err=True)
        return 2
    size = sum(f.bytes for f in files)
    typer.echo(f"wrote {len(files)} dump files ({size} bytes) and index.json to {out}", err=True)
    return 0


def run_serve(settings: Settings, workers: int) -> int:
    """Serve the store with uvicorn (``workers`` > 1: separate processes, settings via env)."""
    import uvicorn

    if not settings.store.exists():
        typer.echo(
            f"error: {settings.store}: no store here; run `gongkai load DATA --store {settings.store}` first",
            err=True,
        )
        return 2
    if workers <= 1:
        from endpoint.app import create_app

        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
        return 0
    # Each uvicorn worker process builds its own app from the environment.
    for name, value in asdict(settings).items():
        os.environ[f"GONGKAI_{name.upper()}"] = str(value)
    uvicorn.run(
        "endpoint.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
    )
    return 0
