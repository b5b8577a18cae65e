"""The negotiation table, the Accept parser and the Accept-Language parser (endpoint/conneg.py)."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat

from endpoint.conneg import (
    BY_KEY,
    BY_SUFFIX,
    FORMATS,
    MediaRange,
    NoAcceptableFormat,
    describe_alternatives,
    negotiate,
    parse_accept,
    preferred_language,
    split_suffix,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDFLIB = "application/rdf+xml, text/rdf+n3;q=0.9, application/xhtml+xml;q=0.5, */*;q=0.1"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "html"),
        ("", "html"),
        ("*/*", "html"),
        (BROWSER, "html"),
        ("text/html", "html"),
        ("application/xhtml+xml", "html"),
        ("text/turtle", "ttl"),
        ("TEXT/Turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        (RDFLIB, "rdf"),
        # q-values order the preferences
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),
        ("text/turtle;q=0.9, application/ld+json", "jsonld"),
        ("application/n-triples;q=1.0, text/turtle;q=1", "ttl"),  # tie: table order
        ("text/html;q=0.1, text/turtle", "ttl"),
        # wildcards: ties broken by table order, HTML first
        ("text/*", "html"),
        ("application/*", "jsonld"),
        ("text/*;q=0.5, application/rdf+xml", "rdf"),
        # an exact type beats a wildcard with the same q
        ("text/turtle, */*", "ttl"),
        ("*/*, application/n-triples", "nt"),
        # q=0 excludes, even when a wildcard would admit it
        ("text/html;q=0, */*", "ttl"),
        ("text/html;q=0, application/xhtml+xml;q=0, text/turtle;q=0, */*;q=0.3", "jsonld"),
        ("text/*;q=0, */*", "jsonld"),
        # HTML's other media type counts only when named, and never against a refused text/html
        ("application/xhtml+xml, application/ld+json;q=0.9", "html"),
        ("text/html;q=0, application/xhtml+xml, text/turtle;q=0.5", "ttl"),
        # parameters other than q are ignored; junk elements are skipped
        ('text/turtle;charset=utf-8;q=0.8, application/ld+json;profile="x";q=0.7', "ttl"),
        ("garbage, text/turtle", "ttl"),
        ("text/turtle;q=abc, application/n-triples", "nt"),
    ],
)
def test_negotiate(accept: str | None, expected: str) -> None:
    assert negotiate(accept).key == expected


@pytest.mark.parametrize(
    "accept",
    [
        "image/png",
        "application/json",
        "text/plain",
        "*/*;q=0",
        "text/html;q=0, application/*;q=0, text/turtle;q=0",
        "text/turtle;q=0",  # the only range, excluded
    ],
)
def test_nothing_acceptable(accept: str) -> None:
    with pytest.raises(NoAcceptableFormat) as info:
        negotiate(accept)
    assert info.value.offers == FORMATS
    assert info.value.accept == accept


def test_alternatives_list_every_format() -> None:
    text = describe_alternatives()
    for f in FORMATS:
        assert f.media_type in text
        assert f.suffix in text


def test_parse_accept() -> None:
    assert parse_accept("text/html;level=1;q=0.5, */*;q=0, bad, */html") == [
        MediaRange("text", "html", 0.5),
        MediaRange("*", "*", 0.0),
    ]
    assert parse_accept(None) == [MediaRange("*", "*", 1.0)]
    assert parse_accept("text/turtle;q=2") == []  # out of range: dropped


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("report/abc-1234/2020", ("report/abc-1234/2020", None)),
        ("report/abc-1234/2020.ttl", ("report/abc-1234/2020", "ttl")),
        ("report/abc-1234/2020.jsonld", ("report/abc-1234/2020", "jsonld")),
        ("report/abc-1234/2020.rdf", ("report/abc-1234/2020", "rdf")),
        ("report/abc-1234/2020.nt", ("report/abc-1234/2020", "nt")),
        ("report/abc-1234/2020.html", ("report/abc-1234/2020", "html")),
        ("request/3.4.1", ("request/3.4.1", None)),  # a notation's dots are not a suffix
        ("request/3.4.1.ttl", ("request/3.4.1", "ttl")),
        ("report/abc/2020.json", ("report/abc/2020.json", None)),
        (".ttl", (".ttl", None)),
    ],
)
def test_split_suffix(path: str, expected: tuple[str, str | None]) -> None:
    assert split_suffix(path) == expected


def test_one_table() -> None:
    """Keys, suffixes and media types are unique, and each RDF row has its pyoxigraph format."""
    assert len(BY_KEY) == len(BY_SUFFIX) == len(FORMATS)
    media_types = [mt for f in FORMATS for mt in f.media_types]
    assert len(media_types) == len(set(media_types))
    assert FORMATS[0].key == "html" and FORMATS[0].rdf_format is None
    for f in FORMATS[1:]:
        assert f.rdf_format is not None
        assert f.rdf_format.media_type == f.media_type
        assert f".{f.rdf_format.file_extension}" == f.suffix
    assert {f.key for f in FORMATS} == {"html", "ttl", "jsonld", "rdf", "nt"}
    assert BY_KEY["ttl"].rdf_format == RdfFormat.TURTLE


@pytest.mark.parametrize(
    ("key", "content_type"),
    [
        ("html", "text/html; charset=utf-8"),
        ("ttl", "text/turtle; charset=utf-8"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
    ],
)
def test_content_type(key: str, content_type: str) -> None:
    assert BY_KEY[key].content_type == content_type


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),  # a browser in China
        ("en-US,en;q=0.9", "en"),
        ("en-GB,en;q=0.9,zh-CN;q=0.8,zh;q=0.7", "en"),
        ("zh-TW;q=0.5, EN;q=0.6", "en"),  # tags are case-insensitive; only the primary subtag counts
        ("fr-FR,fr;q=0.9,de;q=0.8", "zh"),  # neither offered: the default
        ("*", "zh"),
        ("en;q=abc, zh;q=0.1", "zh"),  # an unreadable q counts as 0
        ("en;q=0.5, zh;q=0.5", "en"),  # equal q: the first named
    ],
)
def test_the_pages_language_from_accept_language(accept_language: str | None, expected: str) -> None:
    assert preferred_language(accept_language, ("zh", "en"), "zh") == expected
