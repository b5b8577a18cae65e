"""One agency across its years: which differently written agency names may name the same agency.

An agency key (``converter.iris.agency_key``) is made from the agency's exact name, so a report that
writes its agency's name differently from its other years ("裕安区人民政府" one year, "六安市裕安区人民政府"
the next) starts a series of its own. Nothing is merged: at load time the pairs that this module's
rule finds are *proposed* (a quality note and ``gk:possibleSameAgency``, ``endpoint/checks.py``).

The rule (docs/model.md, "One agency across its years"): two agencies are proposed as possibly the
same when

1. both names begin with places the gazetteer (cpca, the GB/T 2260 division table) resolves to the
   *same* division code, unambiguously: every place written in full ("六安市", not "六安"), each
   within the one before it, and the deepest one the only division of that name in its parent
   (a bare "朝阳区" is in Beijing and in Changchun: no code, no proposal);
2. the organ, the rest of the name once the places are removed, is the same string ("人民政府" and
   "人民政府" - but "人民政府办公室" is a different organ from "人民政府", and "政府" is not "人民政府":
   no proposal);
3. their years do not overlap, and no two agencies with that division and organ report for the same
   year (two agencies reporting for one year are two agencies, or a duplicate for a person to
   resolve: the whole group is left alone).

A renamed agency (an institutional reform: 三明市梅列区 became part of 三元区 in 2021; 偃师市 became
洛阳市偃师区) has another division or another organ, so it is never proposed.

Pure functions of the names (the gazetteer is data): tested on strings, tests/converter/test_agency_match.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class AgencyName:
    """An agency name split into the places it begins with and its organ."""

    name: str  # NFKC, without spaces
    division: str | None  # the deepest place's GB/T 2260 code (6 digits); None: no place, or ambiguous
    place: str  # the places as written ("六安市裕安区"), "" if none
    organ: str  # the rest of the name ("人民政府")
    place_name: str = ""  # the deepest place's own name ("裕安区")

    @property
    def province(self) -> str | None:
        return self.division[:2] if self.division else None

    @property
    def county(self) -> str | None:
        """The county-level code, when the deepest place is a county (district, county-level city)."""
        return self.division if self.division and not self.division.endswith("00") else None

    @property
    def reduced(self) -> str:
        """The name with the places above the deepest one removed: "六安市裕安区人民政府" → "裕安区人民政府"."""
        return self.place_name + self.organ


def normalize(name: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


@lru_cache(maxsize=65536)
def parse_name(name: str) -> AgencyName:
    """The division and organ of an agency name (see the module docstring, rule 1).

    >>> parse_name("六安市裕安区人民政府")
    AgencyName(name='六安市裕安区人民政府', division='341503', place='六安市裕安区', organ='人民政府', place_name='裕安区')
    """
    from cpca import matcher  # the gazetteer (imported on first use: only `gongkai load` needs it)

    text = normalize(name)
    at = 0
    parent = None
    for match in matcher.iter(text):
        if match.start_index != at:
            break  # the places must begin the name and follow one another
        if match.origin_value not in {info.name for info in match.attr_infos}:
            break  # an abbreviation ("六安", "偃师" of "偃师区"): not a place written in full
        found = {
            info.adcode: info
            for info in match.attr_infos
            if info.name == match.origin_value and (parent is None or info.belong_to(parent))
        }
        if not found:
            break
        if len(found) > 1:  # two divisions of this name (朝阳区): nothing to rely on
            return AgencyName(text, None, text[: match.end_index + 1], text[match.end_index + 1 :])
        parent = next(iter(found.values()))
        at = match.end_index + 1
        if parent.rank == 2:  # a county: a town or a department may follow, never another division
            break
    if parent is None:
        return AgencyName(text, None, "", text)
    return AgencyName(text, parent.adcode, text[:at], text[at:], parent.name)


@dataclass(frozen=True)
class Agency:
    """One agency as the store knows it: its IRI (or key), its name and the years it reports."""

    iri: str
    name: str
    years: frozenset[int]


@dataclass(frozen=True)
class Proposal:
    """Two agencies that may be one (``first.iri < second.iri``)."""

    first: Agency
    second: Agency
    division: str
    organ: str
    reduced: str  # what both names reduce to ("裕安区人民政府")

    def message(self) -> str:
        def years(a: Agency) -> str:
            return ", ".join(str(y) for y in sorted(a.years))

        return (
            f"'{self.first.name}' ({years(self.first)}) and '{self.second.name}' ({years(self.second)}) may be "
            f"the same agency: both name {self.reduced} (division {self.division}, organ {self.organ}) and "
            "report for different years; proposed, not merged"
        )


def possible_matches(agencies: Iterable[Agency]) -> list[Proposal]:
    """The pairs of ``agencies`` the rule proposes (module docstring), sorted by their IRIs."""
    groups: dict[tuple[str, str], list[tuple[Agency, AgencyName]]] = defaultdict(list)
    for agency in agencies:
        parsed = parse_name(agency.name)
        if parsed.division is None or not parsed.organ:
            continue
        groups[(parsed.division, parsed.organ)].append((agency, parsed))
    proposals: list[Proposal] = []
    for (division, organ), members in groups.items():
        members.sort(key=lambda m: m[0].iri)
        if len({a.iri for a, _ in members}) < 2:
            continue
        if any(a.years & b.years for (a, _), (b, _) in combinations(members, 2)):
            continue  # two of them report for the same year: different agencies (or a duplicate)
        for (a, pa), (b, _) in combinations(members, 2):
            if a.iri != b.iri and a.name != b.name:
                proposals.append(Proposal(a, b, division, organ, pa.reduced))
    proposals.sort(key=lambda p: (p.first.iri, p.second.iri))
    return proposals
