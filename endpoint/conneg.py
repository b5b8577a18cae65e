"""Content negotiation: ONE table of the document formats, an ``Accept`` parser with q-values,
and ONE ``Accept-Language`` parser (:func:`preferred_language`, for the pages' language).

Each row ties together a short key, the media types a client may ask for (the first one is what
we answer with), the URL suffix that selects the format without ``Accept``, and the pyoxigraph
``RdfFormat`` that serializes it (``None`` for HTML, which is rendered by a template).

>>> negotiate("text/turtle;q=0.9, application/ld+json").key
'jsonld'
>>> negotiate("text/*").key
'html'
>>> split_suffix("report/abc-1234/2020.ttl")
('report/abc-1234/2020', 'ttl')
>>> preferred_language("en-GB,en;q=0.9,zh;q=0.8", ("zh", "en"), "zh")
'en'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import RdfFormat


@dataclass(frozen=True)
class Format:
    """One row of the negotiation table."""

    key: str
    media_types: tuple[str, ...]  # the first one is the media type we answer with
    suffix: str  # ".ttl"; selects the format in a URL
    rdf_format: RdfFormat | None  # None: rendered as HTML
    label: str  # shown in the "other formats" links

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value: text types carry ``charset=utf-8``."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


# ONE table. Order matters: it breaks ties, and HTML comes first so browsers and ``*/*`` get pages.
FORMATS: tuple[Format, ...] = (
    Format("html", ("text/html", "application/xhtml+xml"), ".html", None, "HTML"),
    Format("ttl", ("text/turtle",), ".ttl", RdfFormat.TURTLE, "Turtle"),
    Format("jsonld", ("application/ld+json",), ".jsonld", RdfFormat.JSON_LD, "JSON-LD"),
    Format("rdf", ("application/rdf+xml",), ".rdf", RdfFormat.RDF_XML, "RDF/XML"),
    Format("nt", ("application/n-triples",), ".nt", RdfFormat.N_TRIPLES, "N-Triples"),
)
BY_KEY: dict[str, Format] = {f.key: f for f in FORMATS}
BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in FORMATS}
DEFAULT = FORMATS[0]


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header: ``type/subtype`` (either may be ``*``) and its q."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """How exactly this range matches ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``,
        ``None`` no match."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else None
        if self.type != mtype:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == msub else None


class NoAcceptableFormat(Exception):
    """No offered format is acceptable; ``offers`` lists what could have been served."""

    def __init__(self, accept: str, offers: Sequence[Format]) -> None:
        self.accept = accept
        self.offers = tuple(offers)
        super().__init__(f"none of the available formats matches Accept: {accept}")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges; malformed elements are skipped.

    An absent or empty header means ``*/*`` (RFC 9110 §12.5.1).

    >>> parse_accept("text/html;level=1;q=0.5, */*;q=0")
    [MediaRange(type='text', subtype='html', q=0.5), MediaRange(type='*', subtype='*', q=0.0)]
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for element in header.split(","):
        media, *params = (part.strip() for part in element.split(";"))
        mtype, slash, msub = media.lower().partition("/")
        if not slash or not mtype or not msub or (mtype == "*" and msub != "*"):
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _parse_q(value.strip())
        if q is not None:
            ranges.append(MediaRange(mtype, msub, q))
    return ranges


def _parse_q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    return q if 0.0 <= q <= 1.0 else None


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """The (q, specificity) the client gives ``media_type``: the most specific matching range
    decides (so ``text/turtle;q=0`` excludes Turtle even with ``*/*``). (0, -1) if none matches."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.specificity(media_type)
        if spec is not None and (best is None or spec > best[0]):
            best = (spec, r.q)
    if best is None:
        return 0.0, -1
    return best[1], best[0]


def format_quality(ranges: Sequence[MediaRange], fmt: Format) -> tuple[float, int]:
    """The (q, specificity) of a format: that of the media type we answer with, unless the client
    names one of its other media types exactly (wildcards only ever count for the first, so
    ``text/html;q=0, */*`` does not get HTML back through ``application/xhtml+xml``)."""
    best = quality(ranges, fmt.media_type)
    if best == (0.0, 2):  # the media type we would answer with is refused by name
        return best
    for alias in fmt.media_types[1:]:
        q, spec = quality(ranges, alias)
        if spec == 2 and (q, spec) > best:
            best = (q, spec)
    return best


def negotiate(accept: str | None, offers: Sequence[Format] = FORMATS) -> Format:
    """Pick the format the client prefers among ``offers``.

    Highest q wins; among equal q, a range naming the type exactly beats ``type/*`` beats
    ``*/*``; then table order (HTML first).

    :raises NoAcceptableFormat: every offer has q=0 or matches no range.
    """
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for order, fmt in enumerate(offers):
        q, spec = format_quality(ranges, fmt)
        if q <= 0.0:
            continue
        rank = (q, spec, -order)
        if best is None or rank > best:
            best, chosen = rank, fmt
    if chosen is None:
        raise NoAcceptableFormat(accept or "", offers)
    return chosen


def split_suffix(path: str) -> tuple[str, str | None]:
    """Strip a known format suffix: ``("x/2020.ttl")`` → ``("x/2020", "ttl")``; else ``(path, None)``."""
    for suffix, fmt in BY_SUFFIX.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], fmt.key
    return path, None


def describe_alternatives(offers: Sequence[Format] = FORMATS) -> str:
    """A one-line list of what can be served, for a 406 body."""
    return ", ".join(f"{f.media_type} ({f.suffix})" for f in offers)


def preferred_language(header: str | None, offers: Sequence[str], default: str) -> str:
    """The language of ``offers`` (primary tags, lower case) that an ``Accept-Language`` header
    prefers: the highest q wins, the first named among equals; ``default`` when the header names
    none of them. Only the primary subtag counts (``zh-CN`` is ``zh``); ``*`` names none; a q that
    is not a number counts as 0. (As the pages always did, a language named only with q=0 is
    still chosen over the default: the header named it and no other.)

    >>> preferred_language("zh-CN,zh;q=0.9,en;q=0.8", ("zh", "en"), "zh")
    'zh'
    >>> preferred_language("fr, en;q=0.5", ("zh", "en"), "zh")
    'en'
    >>> preferred_language(None, ("zh", "en"), "zh")
    'zh'
    """
    best, best_q = default, -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in offers and q > best_q:
            best, best_q = primary, q
    return best
