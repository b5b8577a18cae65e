"""Names the light modules need without importing rdflib or pypinyin (so that ``gongkai dump`` and
``gongkai load`` start fast): their one home; ``converter.iris`` and ``converter.vocab`` take them
from here."""

DEFAULT_BASE = "http://localhost:8000"  # the base of the data IRIs unless --base-url says otherwise
GK_ONTOLOGY = "https://w3id.org/gongkai/def"  # the ontology, and the graph of the vocabulary in a store
CODE_BASE = "https://w3id.org/gongkai/code/"  # the code lists (converter.iris.code_iri)
