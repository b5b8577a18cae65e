"""Endpoint configuration: one ``Settings`` object, built explicitly by the CLI or by tests.

Precedence, one rule for every setting: CLI flag > ``GONGKAI_<FIELD>`` environment variable >
default (:meth:`Settings.from_env`; the flags of ``gongkai serve`` default to None, "not given").
A value of the wrong kind stops with :class:`SettingsError`, one line naming the variable.

>>> Settings.from_env({"GONGKAI_PORT": "9000"}, port=None).port
9000
>>> Settings.from_env({"GONGKAI_PORT": "9000"}, port=8080).port
8080
>>> Settings.from_env({"GONGKAI_PORT": "ten"})
Traceback (most recent call last):
...
endpoint.settings.SettingsError: GONGKAI_PORT='ten' is not a whole number (port; default 8000)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from converter.iris import DEFAULT_BASE


class SettingsError(ValueError):
    """A setting has a value of the wrong kind; the message names the variable (or flag) and the value."""


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
        """Defaults, then ``GONGKAI_<FIELD>`` variables, then explicit non-None overrides (flags).

        :raises SettingsError: a variable or override does not read as its setting's kind.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            variable = env_variable(f.name)
            raw = env.get(variable)
            if raw is not None:
                values[f.name] = _coerce(f.name, raw, variable)
        values.update({k: _coerce(k, v, k) for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def env_variable(name: str) -> str:
    """The environment variable of the setting ``name``: ``GONGKAI_<NAME>``."""
    return f"GONGKAI_{name.upper()}"


def query_workers(settings: Settings) -> int:
    """How many query worker processes to run: ``settings.query_workers``, or two per core (at least
    2, at most 32). Two per core, because a worker waits for the server to take its answer and
    send the next query: with one per core, cores idle at high concurrency (bench/RESULTS.md)."""
    if settings.query_workers > 0:
        return settings.query_workers
    return min(32, max(2, 2 * (os.cpu_count() or 1)))


def _coerce(name: str, value: object, source: str) -> object:
    """``value`` as the kind of the setting ``name``; numbers must be finite and not negative.

    :raises SettingsError: naming ``source`` (the variable or the flag's setting).
    """
    default = getattr(Settings(), name)
    if isinstance(default, Path):
        return Path(str(value))
    if isinstance(default, str):
        return str(value).rstrip("/") if name == "base_url" else str(value)
    kind = "a whole number" if isinstance(default, int) else "a number"
    try:
        number = int(str(value).strip()) if isinstance(default, int) else float(str(value).strip())
    except ValueError:
        raise SettingsError(f"{source}={str(value)!r} is not {kind} ({name}; default {default:g})") from None
    if number < 0 or not math.isfinite(number):
        raise SettingsError(f"{source}={str(value)!r} must be {kind} >= 0 ({name}; default {default:g})")
    return number
