"""kg: turn Chinese news about IP enforcement into a knowledge graph.

`kg.build(...)` builds a `KnowledgeGraph` (see `kg.api`); the `kg` command does the same.
"""
from kg.api import KnowledgeGraph, build
from kg.version import __version__

__all__ = ["KnowledgeGraph", "build", "__version__"]
