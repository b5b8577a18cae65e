"""RDF serialization of a document's triples, through pyoxigraph (never string building)."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from converter.tables.layout import SCHEMES
from converter.vocab import CODE_BASE, FOAF, PREFIXES

# The published prefixes plus one per code scheme (``request:3.4.1``), for Turtle and RDF/XML.
SERIALIZATION_PREFIXES: dict[str, str] = {
    **{name: str(ns) for name, ns in PREFIXES.items()},
    "foaf": str(FOAF),
    "dqv": "http://www.w3.org/ns/dqv#",
    **{scheme: f"{CODE_BASE}{scheme}/" for scheme in SCHEMES if scheme not in PREFIXES},
}


def serialize_triples(triples: Iterable[Triple], rdf_format: RdfFormat) -> bytes:
    """Serialize ``triples`` in ``rdf_format``, grouped by subject (sorted, so the output is
    stable); only the prefixes the triples use are declared."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    out = serialize(ordered, format=rdf_format, prefixes=used_prefixes(ordered))
    if out is None:  # pragma: no cover - serialize returns bytes when no output is given
        raise RuntimeError("pyoxigraph.serialize returned no bytes")
    return out


def used_prefixes(triples: Iterable[Triple]) -> dict[str, str]:
    """The subset of ``SERIALIZATION_PREFIXES`` whose namespace some IRI in ``triples`` starts with."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in SERIALIZATION_PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}
