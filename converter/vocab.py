"""RDF namespaces used across Gongkai: the published ``gk:`` ontology, code lists and W3C vocabularies."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

from converter.defaults import CODE_BASE as CODE_BASE  # its home; converter.vocab.CODE_BASE too
from converter.defaults import GK_ONTOLOGY as GK_ONTOLOGY  # its home; converter.vocab.GK_ONTOLOGY too

GK = Namespace("https://w3id.org/gongkai/def#")
QB = Namespace("http://purl.org/linked-data/cube#")
ORG = Namespace("http://www.w3.org/ns/org#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")

# Named graph that holds the ontology and code lists in a store.
VOCAB_GRAPH = GK_ONTOLOGY

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "gk": GK,
    "qb": QB,
    "org": ORG,
    "dqv": DQV,
    "oa": OA,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "void": VOID,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "sdmx-dimension": SDMX_DIMENSION,
}

__all__ = [
    "CODE_BASE",
    "DCAT",
    "DCTERMS",
    "DQV",
    "FOAF",
    "GK",
    "GK_ONTOLOGY",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SDMX_ATTRIBUTE",
    "SDMX_DIMENSION",
    "SKOS",
    "VOCAB_GRAPH",
    "VOID",
    "XSD",
]
