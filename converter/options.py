"""Converter options and the manifest (CSV: file, url, agency, year, published, title).

Every column but ``file`` is optional. ``agency`` and ``year`` win over what is read from the
report; ``title`` is a title kept apart from the text (a crawler keeps the page title apart from the
body) and is read like a printed title, for its agency and year (``metadata.read_metadata``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from converter.errors import OptionsError
from converter.iris import DEFAULT_BASE

MANIFEST_COLUMNS = ("file", "url", "agency", "year", "published", "title")


@dataclass(frozen=True)
class ManifestRow:
    url: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ConvertOptions:
    base_url: str = DEFAULT_BASE
    manifest: dict[str, ManifestRow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise OptionsError(f"base URL must start with http:// or https://, got {self.base_url!r}")

    def manifest_row(self, path: Path) -> ManifestRow | None:
        return self.manifest.get(path.name) or self.manifest.get(str(path))

    def for_file(self, path: Path) -> ConvertOptions:
        """These options with only ``path``'s manifest rows: what a worker process needs for one
        file (the whole manifest, pickled with every task, cost the parent more than the workers)."""
        return self.for_files([path])

    def for_files(self, paths: Iterable[Path]) -> ConvertOptions:
        """These options with only the manifest rows of ``paths`` (a task's files)."""
        if not self.manifest:
            return self
        keys = [k for path in paths for k in (path.name, str(path)) if k in self.manifest]
        return ConvertOptions(self.base_url, {k: self.manifest[k] for k in keys})


def read_manifest(path: Path) -> dict[str, ManifestRow]:
    """Rows keyed by the ``file`` column (a file name or path as given).

    :raises OptionsError: unreadable file, missing ``file`` column, or a bad year.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "file" not in reader.fieldnames:
                raise OptionsError(f"{path}: manifest needs a header with the columns {', '.join(MANIFEST_COLUMNS)}")
            rows: dict[str, ManifestRow] = {}
            for number, record in enumerate(reader, start=2):
                year = (record.get("year") or "").strip()
                if year and not year.isdigit():
                    raise OptionsError(f"{path}:{number}: year must be a number, got {year!r}")
                rows[record["file"].strip()] = ManifestRow(
                    url=(record.get("url") or "").strip() or None,
                    agency=(record.get("agency") or "").strip() or None,
                    year=int(year) if year else None,
                    published=(record.get("published") or "").strip() or None,
                    title=(record.get("title") or "").strip() or None,
                )
            return rows
    except OSError as exc:
        raise OptionsError(f"{path}: cannot read manifest: {exc.strerror or exc}") from None
