"""kg: turn Chinese news about IP enforcement into a knowledge graph.

`kg.build(...)` builds a `KnowledgeGraph` (see `kg.api`); the `kg` command does the same.
"""
__version__ = "0.1.0"

from kg.api import KnowledgeGraph, build  # noqa: E402

__all__ = ["KnowledgeGraph", "build", "__version__"]
