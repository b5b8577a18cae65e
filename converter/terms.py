"""rdflib ↔ pyoxigraph: the one conversion of RDF terms and quads between the two libraries.

The converter writes with pyoxigraph (converter/emit.py, converter/output.py) and validates on a
pyoxigraph store (converter/validate.py); rdflib is what pySHACL reads and what callers of
:func:`converter.emit.emit_report` get. Every term crossing between them goes through here.

- IRIs and literals convert one to one: the lexical form, the language tag or the datatype
  stay. An ``xsd:string`` literal becomes a plain rdflib ``Literal`` (pyoxigraph gives every
  plain literal that datatype; rdflib tells the two apart), so a round trip changes nothing.
- Blank nodes: a ``bnodes`` mapping gives each blank node a new one on the other side, the
  same one every time within that mapping. Give one mapping per graph (or per call) whose
  blank nodes must not meet those of another source, e.g. a report's graph and the vocabulary.
  Without a mapping a blank node keeps its label, so the same input writes the same bytes.
- A term already of the target library is returned as it is.

>>> to_oxigraph(URIRef("https://w3id.org/gongkai/def#count"))
<NamedNode value=https://w3id.org/gongkai/def#count>
>>> to_oxigraph(Literal("北京市", lang="zh"))
<Literal value=北京市 language=zh>
>>> to_rdflib(ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
rdflib.term.Literal('5', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
>>> to_rdflib(ox.Literal("a")) == Literal("a")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from converter.errors import GongkaiError

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxGraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
RdfTerm = URIRef | BNode | Literal

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class UnsupportedTerm(GongkaiError, TypeError):
    """A term that is neither an IRI, a blank node nor a literal (a variable, an RDF-star
    triple): it has no counterpart in the other library here."""

    def __init__(self, term: object) -> None:
        super().__init__(f"unsupported RDF term {term!r}: only IRIs, blank nodes and literals convert")


def to_oxigraph(term: object, bnodes: dict[BNode, ox.BlankNode] | None = None) -> OxTerm:
    """The pyoxigraph term of an rdflib IRI, blank node or literal (see the module).

    :raises UnsupportedTerm: anything else.
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        if bnodes is None:
            return ox.BlankNode(str(term))
        found = bnodes.get(term)
        if found is None:
            found = bnodes[term] = ox.BlankNode()
        return found
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    raise UnsupportedTerm(term)


def to_oxigraph_iri(term: object) -> ox.NamedNode:
    """The pyoxigraph IRI of an rdflib one (a ``Namespace`` member: ``RDF.type``).

    :raises UnsupportedTerm: ``term`` is not an IRI.
    """
    converted = to_oxigraph(term)
    if not isinstance(converted, ox.NamedNode):
        raise UnsupportedTerm(term)
    return converted


def to_rdflib(term: object, bnodes: dict[ox.BlankNode, BNode] | None = None) -> RdfTerm:
    """The rdflib term of a pyoxigraph IRI, blank node or literal (see the module).

    :raises UnsupportedTerm: anything else.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        if bnodes is None:
            return BNode(term.value)
        found = bnodes.get(term)
        if found is None:
            found = bnodes[term] = BNode()
        return found
    if isinstance(term, URIRef | BNode | Literal):
        return term
    raise UnsupportedTerm(term)


def to_oxigraph_quads(data: Graph, bnodes: dict[BNode, ox.BlankNode] | None = None) -> Iterator[ox.Quad]:
    """The statements of an rdflib ``Dataset`` (each in its graph; rdflib's default graph is
    pyoxigraph's) or of any other rdflib ``Graph`` (in the default graph) as pyoxigraph quads.

    :raises UnsupportedTerm: a statement has a term that does not convert.
    """
    if not isinstance(data, Dataset):
        default = ox.DefaultGraph()
        for s, p, o in data:
            yield ox.Quad(_subject(s, bnodes), to_oxigraph_iri(p), to_oxigraph(o, bnodes), default)
        return
    for s, p, o, g in data.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        yield ox.Quad(_subject(s, bnodes), to_oxigraph_iri(p), to_oxigraph(o, bnodes), _graph_name(name, bnodes))


def add_to_rdflib(ds: Dataset, quads: Iterable[ox.Quad]) -> Dataset:
    """Add pyoxigraph quads to an rdflib ``Dataset``, each in its graph; ``ds`` is returned.

    The blank nodes of these quads get new rdflib ones (one mapping for the call, so they never
    merge with blank nodes already in ``ds``). Each distinct term is converted once.

    :raises UnsupportedTerm: a quad has a term that does not convert (an RDF-star triple).
    """
    graphs: dict[OxGraphName, Graph] = {}
    terms: dict[OxTerm | ox.Triple, RdfTerm] = {}
    bnodes: dict[ox.BlankNode, BNode] = {}

    def term(t: OxTerm | ox.Triple) -> RdfTerm:
        found = terms.get(t)
        if found is None:
            found = terms[t] = to_rdflib(t, bnodes)
        return found

    for q in quads:
        name = q.graph_name
        g = graphs.get(name)
        if g is None:
            g = graphs[name] = ds.graph(DATASET_DEFAULT_GRAPH_ID if isinstance(name, ox.DefaultGraph) else term(name))
        g.add((term(q.subject), term(q.predicate), term(q.object)))
    return ds


def _subject(term: Node, bnodes: dict[BNode, ox.BlankNode] | None) -> ox.NamedNode | ox.BlankNode:
    converted = to_oxigraph(term, bnodes)
    if isinstance(converted, ox.Literal):
        raise UnsupportedTerm(term)
    return converted


def _graph_name(name: Node | None, bnodes: dict[BNode, ox.BlankNode] | None) -> OxGraphName:
    if name is None or name == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    return _subject(name, bnodes)
