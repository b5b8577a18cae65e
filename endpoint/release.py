"""Releases on disk: how loading never damages a store that is being served.

``--store DIR`` is managed as a symlink to a complete store folder::

    DIR -> DIR.releases/20250101T120000123456Z          (relative symlink)
    DIR.releases/20250101T120000123456Z/                 a complete store (RocksDB files)
    DIR.releases/20250101T120000123456Z.json             written once that store is complete
    DIR.releases/.lock                                   flock held while a load runs

A load (``endpoint.load``) never writes into the release that ``DIR`` points at: it builds a new
release, writes its ``.json`` marker (with the base URL the release was loaded for, which
``gongkai serve`` checks: :func:`recorded_base_url`), then points ``DIR`` at the new release
by creating a temporary symlink and ``os.replace``-ing it over ``DIR`` (an atomic rename,
:func:`_switch`), and fsyncs.

If the process is killed at any moment before that rename, ``DIR`` still points at the old,
complete release; the half-built folder has no marker and is deleted by the next load. A running
``gongkai serve`` keeps the release it opened until SIGHUP (or a restart) makes it open the new one; the
previous :data:`KEEP_RELEASES` - 1 complete releases are kept so its files never vanish under it.
A ``DIR`` that is a plain store folder (made by hand or an older version) is used as the source
of the first copy and then moved into ``DIR.releases/`` - that one migration is two renames, not
one, and is the only non-atomic step.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEEP_RELEASES = 3


def releases_dir(store: Path) -> Path:
    return store.parent / f"{store.name}.releases"


def current_release(store: Path) -> Path | None:
    """The store folder ``store`` points at (itself if it is a plain folder), or None."""
    if store.is_symlink():
        target = store.resolve()
        return target if target.is_dir() else None
    return store if store.is_dir() else None


def _new_release_name() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _marker(release: Path) -> dict[str, Any]:
    """``release``'s ``.json`` marker; empty if it has none (unfinished, or a plain store folder)."""
    try:
        info = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _marker_quads(release: Path) -> int | None:
    """The quad count on ``release``'s marker, if it has one."""
    quads = _marker(release).get("quads")
    return quads if isinstance(quads, int) else None


def recorded_base_url(release: Path) -> str | None:
    """The base URL ``release`` was loaded for (no trailing ``/``); None for a release loaded
    by a version that did not record it, or a plain store folder."""
    base = _marker(release).get("base_url")
    return base.rstrip("/") if isinstance(base, str) and base else None


def _uncompacted(release: Path) -> int:
    """Input bytes loaded into ``release`` and its ancestors since the last ``optimize``."""
    return int(_marker(release).get("uncompacted_bytes", 0))


def _write_marker(
    release: Path,
    files: Sequence[Path],
    graphs: int,
    quads: int,
    *,
    optimized: bool,
    uncompacted: int,
    base_url: str,
) -> None:
    marker = release.with_name(release.name + ".json")
    info = {
        "release": release.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_url": base_url.rstrip("/"),
        "files": [str(p) for p in files],
        "graphs_replaced": graphs,
        "quads": quads,
        "optimized": optimized,
        "uncompacted_bytes": uncompacted,
        "checks": True,  # the checks across reports are computed: an update may adjust them (_Update)
    }
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(marker)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch(store: Path, release: Path, releases: Path) -> None:
    """Point ``store`` at ``release`` with one atomic rename (see the module docstring)."""
    if store.exists() and not store.is_symlink():
        # One-time migration of a plain store folder into the releases folder.
        legacy = releases / f"{_new_release_name()}-legacy"
        store.replace(legacy)
        legacy.with_name(legacy.name + ".json").write_text('{"legacy": true}\n', encoding="utf-8")
    tmp = store.parent / f".{store.name}.switch-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(release, store.parent), target_is_directory=True)
    tmp.replace(store)  # rename(2): atomic
    _fsync_dir(store.parent)


def _prune(releases: Path, keep: set[Path]) -> None:
    """Delete unfinished releases and all but the newest :data:`KEEP_RELEASES` complete ones."""
    complete = sorted(
        (p for p in releases.iterdir() if p.is_dir() and p.with_name(p.name + ".json").exists()),
        key=lambda p: p.name,
    )
    keep_names = {p.name for p in keep} | {p.name for p in complete[-KEEP_RELEASES:]}
    for folder in releases.iterdir():
        if not folder.is_dir() or folder.name in keep_names:
            continue
        log.info("removing old release %s", folder)
        shutil.rmtree(folder, ignore_errors=True)
        folder.with_name(folder.name + ".json").unlink(missing_ok=True)
