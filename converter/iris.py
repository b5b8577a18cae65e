"""The only place that mints and parses Gongkai IRIs (DESIGN.md, "Published contract"): the
converter's and the endpoint's alike (tests/test_iris_home.py fails when another module builds an
``/id/`` IRI by hand).

Data IRIs live under ``{BASE}/id/``; code-list IRIs under ``https://w3id.org/gongkai/code/``. The
document about the thing ``{BASE}/id/{path}`` is ``/doc/{path}`` on the server (:func:`doc_path`).

Importing this module imports neither rdflib nor pypinyin (``gongkai load`` and ``gongkai dump``
start without them, tests/endpoint/test_load.py): they are imported by the first call that needs
them. The IRIs of the converter's resources are rdflib ``URIRef`` terms; the prefixes and document
paths the endpoint matches IRIs against are ``str``.

>>> agency_key("六安市裕安区人民政府")
'luanshi-yuanqu-renminzhengfu-ec15'
>>> str(report_iri("http://localhost:8000", "luanshi-yuanqu-renminzhengfu-ec15", 2020))
'http://localhost:8000/id/report/luanshi-yuanqu-renminzhengfu-ec15/2020'
>>> parse_data_iri("http://localhost:8000", "http://localhost:8000/id/report/abc-1234/2020")
('report', ('abc-1234', '2020'))
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

from converter.defaults import CODE_BASE
from converter.defaults import DEFAULT_BASE as DEFAULT_BASE  # its home; converter.iris.DEFAULT_BASE too

if TYPE_CHECKING:
    from rdflib import URIRef

_KEY_RE = re.compile(r"^[a-z0-9-]+$")
_SEGMENT_RE = re.compile(r"[A-Za-z0-9.\-]+")
# Administrative suffixes after which an agency name is cut into readable segments.
_SEGMENT_END = re.compile(
    r"(人民政府|办公室|办公厅|委员会|管委会|管理委员会|省|自治区|市|州|盟|县|区|旗|镇|乡|街道|局|厅)"
)


def agency_key(name: str) -> str:
    """The stable ASCII key of an agency: pinyin of its name, cut at administrative units, plus a
    four-hex-digit hash of the exact name so that homophones never share a key.
    """
    name = unicodedata.normalize("NFKC", name).strip()
    if not name:
        raise ValueError("an agency name must not be empty")
    segments = [s for s in _SEGMENT_END.split(name) if s]
    words: list[str] = []
    current = ""
    for seg in segments:
        current += seg
        if _SEGMENT_END.fullmatch(seg):
            words.append(current)
            current = ""
    if current:
        words.append(current)
    from pypinyin import lazy_pinyin  # here, not at import (see the module's docstring)

    slugs = []
    for word in words:
        ascii_word = "".join(lazy_pinyin(word))  # characters without pinyin kept as they are, dropped below
        slug = re.sub(r"[^a-z0-9]+", "", ascii_word.lower())
        if slug:
            slugs.append(slug)
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:4]
    return "-".join([*slugs, digest])


def _base(base: str) -> str:
    return base.rstrip("/")


@functools.cache
def _uriref() -> type[URIRef]:
    from rdflib import URIRef  # here, not at import (see the module's docstring)

    return URIRef


def _uri(iri: str) -> URIRef:
    return _uriref()(iri)


def data_prefix(base: str) -> str:
    """``{BASE}/id/``: the start of every data IRI (the data set's ``void:uriSpace``).

    >>> data_prefix("http://localhost:8000/")
    'http://localhost:8000/id/'
    """
    return f"{_base(base)}/id/"


def data_iri(base: str, path: str) -> str:
    """``{BASE}/id/{path}``: the thing that ``/id/{path}`` and ``/doc/{path}`` are about. ``path`` is
    taken as the request gives it, unchecked: a path that names nothing is answered 404, not refused
    here.

    >>> data_iri("http://localhost:8000", "agency/luanshi-yuanqu-renminzhengfu-ec15")
    'http://localhost:8000/id/agency/luanshi-yuanqu-renminzhengfu-ec15'
    """
    return data_prefix(base) + path


def doc_path(iri: str, base: str | None = None) -> str | None:
    """The path of the document about a data IRI on the server: ``{BASE}/id/{path}`` → ``/doc/{path}``;
    None if ``iri`` is not a data IRI. Without ``base``, ``{BASE}`` is whatever comes before the first
    ``/id/`` (an IRI read from a store, which holds only data IRIs under the base it was loaded for).

    >>> doc_path("http://localhost:8000/id/report/abc-1234/2020/table3/1/total", "http://localhost:8000")
    '/doc/report/abc-1234/2020/table3/1/total'
    >>> doc_path("https://data.example.org/id/agency/abc-1234")
    '/doc/agency/abc-1234'
    >>> doc_path("https://w3id.org/gongkai/code/request/1") is None
    True
    """
    if base is None:
        _, found, path = iri.partition("/id/")
        return "/doc/" + path if found else None
    prefix = data_prefix(base)
    return "/doc/" + iri[len(prefix) :] if iri.startswith(prefix) else None


def base_of(iri: str, kind: str = "report") -> str | None:
    """The ``{BASE}`` of a data IRI of ``kind``: what comes before ``/id/{kind}/``; None if ``iri``
    has no such part.

    >>> base_of("https://data.example.org/id/report/abc-1234/2020")
    'https://data.example.org'
    >>> base_of("https://data.example.org/id/agency/abc-1234") is None
    True
    """
    base, found, _ = iri.partition(f"/id/{_safe(kind)}/")
    return base if found else None


def agency_iri(base: str, key: str) -> URIRef:
    _check_key(key)
    return _uri(f"{_base(base)}/id/agency/{key}")


@functools.lru_cache(maxsize=1024)  # a report's cells all ask for it
def report_iri(base: str, key: str, year: int) -> URIRef:
    _check_key(key)
    return _uri(f"{_base(base)}/id/report/{key}/{int(year)}")


def graph_iri(base: str, key: str, year: int) -> URIRef:
    """The named graph that holds one report: the report IRI itself."""
    return report_iri(base, key, year)


def observation_iri(base: str, key: str, year: int, table: str, *codes: str) -> URIRef:
    """One table cell: ``{BASE}/id/report/{key}/{year}/{table}/{code}/{code}…``."""
    parts = [_safe(table), *(_safe(c) for c in codes)]
    return _uri(f"{report_iri(base, key, year)}/{'/'.join(parts)}")


def note_iri(base: str, key: str, year: int, number: int) -> URIRef:
    return _uri(f"{report_iri(base, key, year)}/note/{int(number)}")


def source_iri(base: str, sha256: str) -> URIRef:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return _uri(f"{_base(base)}/id/source/{sha256}")


def dataset_prefix(base: str) -> str:
    """``{BASE}/id/dataset/``: the start of every data set's IRI (:func:`dataset_iri`).

    >>> dataset_prefix("http://localhost:8000") + "{table}"
    'http://localhost:8000/id/dataset/{table}'
    """
    return f"{_base(base)}/id/dataset/"


def dataset_iri(base: str, table: str) -> URIRef:
    """The corpus-wide ``qb:DataSet`` of one table kind (table2, table3, table4, legacy), or one
    aggregate cube of the endpoint (``national-applications``, ``provincial-appeals``, …).

    >>> str(dataset_iri("http://localhost:8000", "table3"))
    'http://localhost:8000/id/dataset/table3'
    """
    return _uri(dataset_prefix(base) + _safe(table))


def aggregates_graph_iri(base: str) -> URIRef:
    """The named graph of the aggregate cubes that ``gongkai load`` computes
    (``endpoint.aggregates``): ``{BASE}/id/dataset/aggregates``.

    >>> str(aggregates_graph_iri("http://localhost:8000/"))
    'http://localhost:8000/id/dataset/aggregates'
    """
    return dataset_iri(base, "aggregates")


def cube_observation_iri(base: str, cube: str, *parts: str) -> URIRef:
    """One observation of an aggregate cube: ``{BASE}/id/dataset/{cube}/{part}/…``, the parts being
    the province's code (provincial cubes), the year and the notations of the dimensions, as the
    store holds them.

    >>> str(cube_observation_iri("http://localhost:8000", "provincial-applications", "34", "2020", "3.3.1"))
    'http://localhost:8000/id/dataset/provincial-applications/34/2020/3.3.1'
    """
    return _uri(f"{dataset_iri(base, cube)}/{'/'.join(parts)}")


def checks_graph_iri(base: str) -> URIRef:
    """The named graph of the checks across reports that ``gongkai load`` computes (carry-over
    year to year, possible matches of agencies): ``{BASE}/id/checks``. Derived at load time, like
    the aggregates graph ``{BASE}/id/dataset/aggregates`` (``endpoint.aggregates``): no report's
    own graph is touched."""
    return _uri(f"{_base(base)}/id/checks")


def is_derived_graph(iri: str) -> bool:
    """Whether ``iri`` names a graph ``gongkai load`` derives from the report graphs (the aggregate
    cubes, the checks across reports), whatever its base: not converted data, so not a report.

    >>> is_derived_graph("http://localhost:8000/id/checks"), is_derived_graph("https://x.org/id/dataset/aggregates")
    (True, True)
    >>> is_derived_graph("http://localhost:8000/id/report/abc-1234/2020")
    False
    """
    probe = "http://b"
    suffixes = tuple(str(mint(probe))[len(probe) :] for mint in (aggregates_graph_iri, checks_graph_iri))
    return iri.endswith(suffixes)


def check_note_iri(base: str, check: str, *parts: str) -> URIRef:
    """A quality note of a check across reports: ``{BASE}/id/checks/{check}/{part}…``, e.g.
    ``…/checks/carry-over/{agency-key}/{year}/{applicant}``, ``…/checks/agency-match/{key}/{key}``."""
    return _uri(f"{checks_graph_iri(base)}/{'/'.join([_safe(check), *(_safe(p) for p in parts)])}")


def scheme_iri(scheme: str) -> URIRef:
    return _uri(f"{CODE_BASE}{_safe(scheme)}")


def code_iri(scheme: str, notation: str) -> URIRef:
    return _uri(f"{CODE_BASE}{_safe(scheme)}/{_safe(notation)}")


def parse_data_iri(base: str, iri: str) -> tuple[str, tuple[str, ...]]:
    """Split a data IRI into its kind and path parts.

    :raises ValueError: the IRI is not under ``{base}/id/``.
    """
    prefix = data_prefix(base)
    if not iri.startswith(prefix):
        raise ValueError(f"not a Gongkai data IRI under {prefix}: {iri}")
    kind, *rest = iri[len(prefix) :].split("/")
    return kind, tuple(rest)


def _check_key(key: str) -> None:
    if not _KEY_RE.fullmatch(key):
        raise ValueError(f"agency key must match [a-z0-9-]+: {key!r}")


@functools.lru_cache(maxsize=4096)  # codes and table names: a few hundred strings
def _safe(part: str) -> str:
    if not _SEGMENT_RE.fullmatch(part):
        raise ValueError(f"IRI segment must be ASCII letters, digits, '.' or '-': {part!r}")
    return part
