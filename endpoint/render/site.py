"""What every page of the site shares, whichever route serves it: the reader's language, a page
rendered in ``base.html``, page URLs, and the CSV and JSON twins of a listing.

No store here and no route: ``endpoint/routes/*`` (pages, figures) and :mod:`endpoint.page_data`
(the home page, the additions to the /doc pages) build on it, and route modules never import
one another (tests/test_layers.py). Interface text is written inline as ``L('中文', 'English')``
(:mod:`endpoint.render.html` says why); a page needs only ``lang``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response

from converter.tables.layout import CONCEPTS
from converter.vocab import CODE_BASE
from endpoint.conneg import preferred_language
from endpoint.errors import NotFound
from endpoint.render.html import environment

LANGS = ("zh", "en")
TWINS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


# ---------------------------------------------------------------------------------------------
# Language and rendering


def choose_lang(request: Request) -> str:
    """``?lang=zh|en`` wins; then the first of zh/en in ``Accept-Language`` by q; default zh."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGS:
        return asked
    return preferred_language(request.headers.get("accept-language"), LANGS, "zh")


def lang_switch(request: Request, lang: str) -> str:
    """The current URL with ``lang`` set to the other language."""
    other = "en" if lang == "zh" else "zh"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    return f"{quote(request.url.path)}?{urlencode(params)}"


def concept_label(scheme: str, notation: str, lang: str) -> str:
    """The label of a code-list concept in ``lang`` (the layout's), or its notation."""
    c = CONCEPTS.get((scheme, notation))
    if c is None:
        return notation
    return c.zh if lang == "zh" else c.en


def render_page(name: str, request: Request, lang: str, **context: Any) -> str:
    """A page of the site (``templates/{name}``, which extends ``base.html``) in ``lang``, with the
    link that switches the language."""
    return environment().get_template(name).render(lang=lang, switch_href=lang_switch(request, lang), **context)


# ---------------------------------------------------------------------------------------------
# Values of query solutions


def term_value(term: Any) -> str | None:
    """The lexical value of a bound term; None when unbound."""
    return None if term is None else term.value


def term_int(term: Any) -> int | None:
    """A bound term as a whole number; None when unbound or not a whole number."""
    if term is None:
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


def key_of(agency_iri: str) -> str:
    """The key of an agency (or the last segment of any data IRI)."""
    return agency_iri.rstrip("/").rsplit("/", 1)[-1]


def code_notation(iri: str | None) -> str | None:
    """The notation of a code-list concept (``…/code/request/3.1`` → ``3.1``), else the IRI's
    last segment or fragment."""
    if iri is None:
        return None
    if iri.startswith(CODE_BASE):
        return iri[len(CODE_BASE) :].split("/", 1)[-1]
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------------------
# URLs and twins


def page_url(path: str, params: Iterable[tuple[str, str]]) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    kept = [(k, v) for k, v in params if v != ""]
    return f"{path}?{urlencode(kept)}" if kept else path


def split_format(name: str, stem: str) -> str:
    """``html`` for ``/{stem}``, ``csv`` or ``json`` for its twins; 404 for anything else."""
    if name == stem:
        return "html"
    fmt = name[len(stem) + 1 :]
    if name.startswith(stem + ".") and fmt in TWINS:
        return fmt
    raise NotFound(f"no such page: /{name}; try /{stem}, /{stem}.csv or /{stem}.json")


def twin_response(
    fmt: str,
    records: list[dict[str, Any]],
    columns: Sequence[str],
    *,
    link: str,
    next_href: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The CSV or JSON twin of a page: ``records`` under ``columns`` (JSON: with ``extra``)."""
    headers = {"Link": link, "Vary": "Accept-Language"}
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(columns)
        for rec in records:
            writer.writerow(["" if rec.get(c) is None else rec.get(c) for c in columns])
        return Response(buf.getvalue().encode("utf-8"), 200, headers, media_type=TWINS["csv"])
    body = {**(extra or {}), "columns": list(columns), "items": records, "next": next_href}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"), 200, headers, media_type="application/json"
    )
