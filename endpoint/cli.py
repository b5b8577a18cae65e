"""The ``gongkai`` command line: convert, validate, load, serve, dump.

Every command is thin: it parses options and calls the library. Exit codes: 0 success,
1 some input failed (or SHACL violations), 2 usage or configuration error.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from converter.defaults import DEFAULT_BASE  # not converter.iris: ~1 s of pypinyin and rdflib per command

app = typer.Typer(
    help="Gongkai: government information-disclosure annual reports as Linked Open Data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

BaseUrl = Annotated[
    str,
    typer.Option("--base-url", envvar="GONGKAI_BASE_URL", help="Public base URL of the data IRIs."),
]
StoreDir = Annotated[
    Path,
    typer.Option("--store", envvar="GONGKAI_STORE", help="Folder of the on-disk Oxigraph store."),
]


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # pdfminer's font warnings ("Could not get FontBBox …") only with --verbose, and never its token trace
    # (converter.extract.pdf.quiet_pdfminer keeps them to errors when the level is left unset).
    logging.getLogger("pdfminer").setLevel(logging.WARNING if verbose else logging.ERROR)


@app.command()
def convert(
    inputs: Annotated[list[Path], typer.Argument(help="Report files or folders of them.")],
    out: Annotated[
        Path,
        typer.Option(
            "-o",
            "--out",
            help="Output: .nq, .trig or .ttl file, or a folder (one file per report), or - for N-Quads on stdout.",
        ),
    ],
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            help="CSV with columns file,url,agency,year,published,title (title: the page title kept apart"
            " from the text, read for agency and year); it wins over what is read.",
        ),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a JSON record of every file's outcome here.")
    ] = None,
    base_url: BaseUrl = DEFAULT_BASE,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Convert on Dask distributed: 'local' (a LocalCluster) or a scheduler address; "
            "-o is then a folder of one N-Quads shard per partition.",
        ),
    ] = None,
    partition_size: Annotated[
        int, typer.Option("--partition-size", help="Files per partition (shard) with --scheduler.")
    ] = 50,
    gzip: Annotated[
        bool, typer.Option("--gzip", help="With --scheduler: write the shards gzip'd (part-NNNNN.nq.gz).")
    ] = False,
) -> None:
    """Convert report files into RDF (one named graph per report)."""
    from converter.errors import GongkaiError, OptionsError
    from endpoint.commands.convert import run_convert

    try:
        if scheduler is not None:
            from endpoint.commands.convert import run_convert_distributed

            code = run_convert_distributed(
                inputs,
                out,
                manifest=manifest,
                report=report,
                base_url=base_url,
                scheduler=scheduler,
                partition_size=partition_size,
                workers=jobs or None,
                gzip=gzip,
            )
            raise typer.Exit(code)
        if gzip:
            raise OptionsError("--gzip is for the shards of --scheduler; compress a single .nq output with gzip")
        code = run_convert(inputs, out, manifest=manifest, report=report, base_url=base_url, jobs=jobs, quiet=quiet)
    except GongkaiError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="One report file.")],
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="CSV with columns file,url,agency,year,published,title.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="JSON for tools instead of text.")] = False,
    lines: Annotated[bool, typer.Option("--lines/--no-lines", help="Show the extracted lines (text output).")] = True,
) -> None:
    """Show how one file is read: lines, tables, row placements, cells and quality notes."""
    from converter.errors import GongkaiError
    from converter.options import ConvertOptions, read_manifest
    from endpoint.commands.inspect import run_inspect

    try:
        if not file.is_file():
            raise GongkaiError(f"{file}: no such file")
        options = ConvertOptions(manifest=read_manifest(manifest) if manifest else {})
        text, code = run_inspect(file, options, json_output=json_output, lines=lines)
    except GongkaiError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(text, nl=False)
    raise typer.Exit(code)


@app.command()
def validate(
    data: Annotated[
        list[Path], typer.Argument(help="RDF files (.nq, .trig, .ttl, .nt; .gz too) or folders to validate.")
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only violations and the summary.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")] = 1,
    engine: Annotated[
        str, typer.Option("--engine", help="SHACL engine: auto (= turbo), turbo (pyshacl-turbo), pyshacl.")
    ] = "auto",
    shapes: Annotated[
        list[Path] | None,
        typer.Option(
            "--shapes",
            help="Your own SHACL shapes (a Turtle file, or a folder of .ttl), INSTEAD of the project's shapes/. "
            "Repeatable.",
        ),
    ] = None,
    extra_shapes: Annotated[
        list[Path] | None,
        typer.Option(
            "--extra-shapes",
            help="More SHACL shapes (a Turtle file or a folder of .ttl) checked BESIDE shapes/ (or --shapes). "
            "Repeatable.",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="text (a line per finding), github (GitHub Actions annotations) or junit (JUnit XML).",
        ),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (the summary still goes to stdout)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Validate on Dask distributed, a task per file (shard): 'local' (a LocalCluster of --jobs "
            "workers) or a scheduler address.",
        ),
    ] = None,
) -> None:
    """Validate converted RDF against the SHACL shapes: exit 0 conforms (warnings allowed), 1 violations,
    2 a file or the shapes could not be read (docs/validate.md)."""
    from endpoint.commands.validate import run_validate

    raise typer.Exit(
        run_validate(
            data,
            quiet=quiet,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            shapes=shapes,
            extra_shapes=extra_shapes,
            fmt=fmt,
            output=output,
        )
    )


@app.command()
def load(
    data: Annotated[list[Path], typer.Argument(help="RDF files (.nq, .trig) to load, one graph per report.")],
    store: StoreDir = Path("build/store"),
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="GONGKAI_BASE_URL",
            help="Public base URL the data was converted for; recorded on the release. "
            f"[default: the store's, else {DEFAULT_BASE}]",
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="The new release holds DATA only (the store's reports are dropped).")
    ] = False,
    optimize: Annotated[
        bool | None,
        typer.Option(
            "--optimize/--no-optimize",
            help="Compact the new release: queries 2-3x faster, load ~20% longer. Default: on a fresh load, and "
            "once the updates since the last compaction reach 1/4 of the store.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Load converted reports (and the ontology) into the on-disk store; a report loaded again replaces its graph."""
    from endpoint.commands.publish import run_load

    raise typer.Exit(run_load(data, store, base_url=base_url, replace=replace, optimize=optimize, quiet=quiet))


@app.command()
def dump(
    store: StoreDir = Path("build/store"),
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the dump files.")] = Path("build/dumps"),
    base_url: BaseUrl = DEFAULT_BASE,
) -> None:
    """Write gzip N-Quads and Turtle dumps (all, and per year) with checksums."""
    from endpoint.commands.publish import run_dump

    raise typer.Exit(run_dump(store, out, base_url=base_url))


@app.command()
def serve(
    # No defaults here: None is "not given", and Settings.from_env applies flag > GONGKAI_* > default.
    store: Annotated[
        Path | None,
        typer.Option("--store", help="Folder of the on-disk store. (env GONGKAI_STORE; default build/store)"),
    ] = None,
    dumps: Annotated[
        Path | None,
        typer.Option(
            "--dumps", help="Folder of dump files made by `gongkai dump`. (env GONGKAI_DUMPS_DIR; default build/dumps)"
        ),
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on. (env GONGKAI_HOST; default 127.0.0.1)")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on. (env GONGKAI_PORT; default 8000)")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Public base URL of the data IRIs; must be the one the store was loaded for. "
            "(env GONGKAI_BASE_URL; default: the store's)",
        ),
    ] = None,
    query_timeout: Annotated[
        float | None,
        typer.Option(
            "--query-timeout",
            help="Seconds before a SPARQL query is stopped. (env GONGKAI_QUERY_TIMEOUT_S; default 30)",
        ),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes.")] = 1,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            help="Requests per second per client IP, token bucket. (env GONGKAI_RATE_LIMIT_PER_S; default 0: none)",
        ),
    ] = None,
) -> None:
    """Serve the store: SPARQL, Linked Data pages, dumps. SIGHUP: serve the newest loaded release.

    Each setting: flag > GONGKAI_* variable > default (docs/endpoint.md).
    The base URL is the store's unless given; another one than the store's is refused.
    """
    import os
    from dataclasses import replace

    from endpoint.app import BaseUrlMismatch, check_base_url
    from endpoint.commands.publish import run_serve
    from endpoint.release import current_release, recorded_base_url
    from endpoint.settings import Settings, SettingsError, env_variable

    try:
        settings = Settings.from_env(
            store=store,
            dumps_dir=dumps,
            host=host,
            port=port,
            base_url=base_url,
            query_timeout_s=query_timeout,
            rate_limit_per_s=rate_limit,
        )
        release = current_release(settings.store)
        recorded = recorded_base_url(release) if release is not None else None
        if recorded is not None and base_url is None and env_variable("base_url") not in os.environ:
            settings = replace(settings, base_url=recorded)  # not given: the one the store was loaded for
            if recorded != DEFAULT_BASE:
                typer.echo(f"serving {settings.store} under its base URL {recorded}", err=True)
        if release is not None:
            check_base_url(settings, release)
    except (SettingsError, BaseUrlMismatch) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(run_serve(settings, workers=workers))
