"""Endpoint configuration: one ``Settings`` object, built explicitly by the CLI or by tests.

Precedence: CLI flag > ``GONGKAI_*`` environment variable > default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from converter.iris import DEFAULT_BASE


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE
    store: Path = Path("build/store")
    dumps_dir: Path = Path("build/dumps")
    convert_report: Path = Path("build/convert-report.json")  # `gongkai convert --report`: failed files
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 30.0
    query_workers: int = 0  # query worker processes; 0 = two per core (2 to 32)
    max_result_rows: int = 10_000
    max_query_length: int = 20_000
    max_body_bytes: int = 1_000_000
    rate_limit_per_s: float = 0.0
    rate_limit_burst: int = 20
    response_cache_mb: float = 64.0  # per release and server process; 0 turns it off

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``GONGKAI_<FIELD>`` variables, then explicit non-None overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"GONGKAI_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **{k: _coerce(k, v) for k, v in values.items()})


def query_workers(settings: Settings) -> int:
    """How many query worker processes to run: ``settings.query_workers``, or two per core (at least
    2, at most 32). Two per core, because a worker waits for the server to take its answer and
    send the next query: with one per core, cores idle at high concurrency (bench/RESULTS.md)."""
    if settings.query_workers > 0:
        return settings.query_workers
    return min(32, max(2, 2 * (os.cpu_count() or 1)))


def _coerce(name: str, value: object) -> object:
    default = getattr(Settings(), name)
    if isinstance(default, Path):
        return Path(str(value))
    if isinstance(default, bool):
        return str(value).lower() in {"1", "true", "yes"}
    if isinstance(default, int):
        return int(str(value))
    if isinstance(default, float):
        return float(str(value))
    return str(value).rstrip("/") if name == "base_url" else str(value)
