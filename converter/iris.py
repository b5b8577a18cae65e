"""The only place that mints and parses Gongkai IRIs (DESIGN.md, "Published contract").

Data IRIs live under ``{BASE}/id/``; code-list IRIs under ``https://w3id.org/gongkai/code/``.

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

from pypinyin import lazy_pinyin
from rdflib import URIRef

from converter.defaults import DEFAULT_BASE as DEFAULT_BASE  # its home; converter.iris.DEFAULT_BASE too
from converter.vocab import CODE_BASE

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
    slugs = []
    for word in words:
        ascii_word = "".join(lazy_pinyin(word, errors=lambda s: list(s)))
        slug = re.sub(r"[^a-z0-9]+", "", ascii_word.lower())
        if slug:
            slugs.append(slug)
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:4]
    return "-".join([*slugs, digest])


def _base(base: str) -> str:
    return base.rstrip("/")


def agency_iri(base: str, key: str) -> URIRef:
    _check_key(key)
    return URIRef(f"{_base(base)}/id/agency/{key}")


@functools.lru_cache(maxsize=1024)  # a report's cells all ask for it
def report_iri(base: str, key: str, year: int) -> URIRef:
    _check_key(key)
    return URIRef(f"{_base(base)}/id/report/{key}/{int(year)}")


def graph_iri(base: str, key: str, year: int) -> URIRef:
    """The named graph that holds one report: the report IRI itself."""
    return report_iri(base, key, year)


def observation_iri(base: str, key: str, year: int, table: str, *codes: str) -> URIRef:
    """One table cell: ``{BASE}/id/report/{key}/{year}/{table}/{code}/{code}…``."""
    parts = [_safe(table), *(_safe(c) for c in codes)]
    return URIRef(f"{report_iri(base, key, year)}/{'/'.join(parts)}")


def note_iri(base: str, key: str, year: int, number: int) -> URIRef:
    return URIRef(f"{report_iri(base, key, year)}/note/{int(number)}")


def source_iri(base: str, sha256: str) -> URIRef:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return URIRef(f"{_base(base)}/id/source/{sha256}")


def dataset_iri(base: str, table: str) -> URIRef:
    """The corpus-wide ``qb:DataSet`` of one table kind (table2, table3, table4, legacy)."""
    return URIRef(f"{_base(base)}/id/dataset/{_safe(table)}")


def checks_graph_iri(base: str) -> URIRef:
    """The named graph of the checks across reports that ``gongkai load`` computes (carry-over
    year to year, possible matches of agencies): ``{BASE}/id/checks``. Derived at load time, like
    the aggregates graph ``{BASE}/id/dataset/aggregates`` (``endpoint.aggregates``): no report's
    own graph is touched."""
    return URIRef(f"{_base(base)}/id/checks")


def check_note_iri(base: str, check: str, *parts: str) -> URIRef:
    """A quality note of a check across reports: ``{BASE}/id/checks/{check}/{part}…``, e.g.
    ``…/checks/carry-over/{agency-key}/{year}/{applicant}``, ``…/checks/agency-match/{key}/{key}``."""
    return URIRef(f"{checks_graph_iri(base)}/{'/'.join([_safe(check), *(_safe(p) for p in parts)])}")


def scheme_iri(scheme: str) -> URIRef:
    return URIRef(f"{CODE_BASE}{_safe(scheme)}")


def code_iri(scheme: str, notation: str) -> URIRef:
    return URIRef(f"{CODE_BASE}{_safe(scheme)}/{_safe(notation)}")


def parse_data_iri(base: str, iri: str) -> tuple[str, tuple[str, ...]]:
    """Split a data IRI into its kind and path parts.

    :raises ValueError: the IRI is not under ``{base}/id/``.
    """
    prefix = f"{_base(base)}/id/"
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
