"""``/dumps/``: the bulk downloads written by ``gongkai dump`` (never built on request).

- ``/dumps/`` lists the files of ``settings.dumps_dir/index.json`` as HTML (browsers) or JSON.
- ``/dumps/{name}`` serves a file listed there, as a file, with ``ETag`` = its SHA-256 and
  ``304 Not Modified`` on a matching ``If-None-Match``. Only names in the manifest are served,
  so nothing outside the dump folder (``..``, encoded or not, absolute paths) is reachable.
- ``/dumps/index.json`` is the manifest itself.
- ``/dumps/observations.csv`` is the tidy table ``observations.csv.gz`` sent with
  ``Content-Encoding: gzip``: the URL its CSVW metadata names (``endpoint/tidy.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from jinja2 import Environment

from endpoint.conneg import Format, NoAcceptableFormat, negotiate
from endpoint.deps import SettingsDep
from endpoint.dump import MANIFEST, read_manifest
from endpoint.errors import HttpError, NotAcceptable, NotFound
from endpoint.tidy import CSV_MEDIA_TYPE, CSV_NAME, TABLE_URL

router = APIRouter(tags=["dumps"])

_HTML = Format("html", ("text/html", "application/xhtml+xml"), ".html", None, "HTML")
_JSON = Format("json", ("application/json",), ".json", None, "JSON")

_LISTING = Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Downloads · Gongkai</title></head>
<body><h1>Bulk downloads</h1>
{% if files %}
<p>Made {{ created }}. Checksums are SHA-256; the list is also at
<a href="{{ base }}/dumps/index.json">index.json</a>.</p>
<table><thead><tr><th>file</th><th>content</th><th>year</th><th>reports</th><th>bytes</th>
<th>SHA-256</th></tr></thead><tbody>
{% for f in files %}<tr><td><a href="{{ base }}/dumps/{{ f.name }}">{{ f.name }}</a></td>
<td>{{ f.format }}{% if f.compression %}, {{ f.compression }}{% endif %}</td><td>{{ f.year or "all" }}</td><td>{{ f.graphs }}</td>
<td>{{ f.bytes }}</td><td><code>{{ f.sha256 }}</code></td></tr>
{% endfor %}</tbody></table>
{% else %}<p>No dumps have been made yet (<code>gongkai dump --store DIR -o DIR</code>).</p>
{% endif %}
<p><a href="{{ base }}/">Home</a> · <a href="{{ base }}/sparql">SPARQL</a></p></body></html>
"""
)


def manifest_files(dumps_dir: Path) -> list[dict[str, Any]]:
    """The file entries of the dump manifest (empty if there is none)."""
    manifest = read_manifest(dumps_dir)
    return list(manifest.get("files", [])) if manifest else []


@router.api_route("/dumps/", methods=["GET", "HEAD"], response_model=None)
def list_dumps(request: Request, settings: SettingsDep) -> Response:
    manifest = read_manifest(settings.dumps_dir) or {"files": []}
    files = manifest.get("files", [])
    try:
        fmt = negotiate(request.headers.get("accept"), (_HTML, _JSON))
    except NoAcceptableFormat:
        raise NotAcceptable("the list of dumps is available as text/html or application/json") from None
    headers = {"Vary": "Accept"}
    if fmt is _JSON:
        from fastapi.responses import JSONResponse

        listing = {
            **manifest,
            "files": [{**f, "url": f"{settings.base_url}/dumps/{f['name']}"} for f in files],
        }
        return JSONResponse(listing, headers=headers)
    page = _LISTING.render(files=files, created=manifest.get("created", ""), base=settings.base_url)
    return Response(page, 200, headers, media_type="text/html; charset=utf-8")


@router.api_route(
    "/dumps/{name}", methods=["GET", "HEAD"], response_model=None
)  # HEAD: size and ETag before a download
def get_dump(name: str, request: Request, settings: SettingsDep) -> Response:
    folder = settings.dumps_dir
    if name == TABLE_URL:
        return get_table(request, settings)
    if name == MANIFEST:
        path = folder / MANIFEST
        if not path.is_file():
            raise NotFound("no dumps have been made yet")
        return FileResponse(path, media_type="application/json")
    entry = next((f for f in manifest_files(folder) if f.get("name") == name), None)
    if entry is None or "/" in name or "\\" in name or name.startswith("."):
        raise NotFound(f"no dump file named {name!r}; see {settings.base_url}/dumps/")
    path = folder / name
    if path.resolve().parent != folder.resolve() or not path.is_file():
        raise NotFound(f"dump file {name!r} is listed but missing; run `gongkai dump` again")
    if path.stat().st_size != entry.get("bytes"):
        raise HttpError(f"dump file {name!r} does not match index.json; run `gongkai dump` again")
    etag = f'"{entry["sha256"]}"'
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    # gzip files are downloads (application/gzip); the CSVW metadata is served as what it is
    media_type = "application/gzip" if entry.get("compression") == "gzip" else str(entry.get("media_type"))
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        headers={"ETag": etag, "Cache-Control": "public, max-age=3600"},
    )


def get_table(request: Request, settings: SettingsDep) -> Response:
    """The tidy table decompressed, as its CSVW metadata names it: the same gzip file, sent with
    ``Content-Encoding: gzip`` (every HTTP client, CSVW processors too, reads it as CSV)."""
    entry = next((f for f in manifest_files(settings.dumps_dir) if f.get("name") == CSV_NAME), None)
    path = settings.dumps_dir / CSV_NAME
    if entry is None or not path.is_file():
        raise NotFound(f"no tidy table has been dumped yet; see {settings.base_url}/dumps/")
    etag = f'"{entry["sha256"]}"'
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600", "Content-Encoding": "gzip"}
    return FileResponse(path, media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers=headers)


def _etag_matches(header: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison; ``*`` matches any current representation."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
