"""kg: turn Chinese news about IP enforcement into a knowledge graph.

`kg.build(...)` builds a `KnowledgeGraph`, `kg.open(OUT)` opens an earlier build (see
`kg.api`); the `kg` command does the same.
"""
from kg.api import KnowledgeGraph, build
from kg.api import open_graph as open  # noqa: A001 - kg.open(OUT), as tarfile.open and io.open
from kg.version import __version__

__all__ = ["KnowledgeGraph", "build", "open", "__version__"]
