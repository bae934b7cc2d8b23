"""kg: turn Chinese news about IP enforcement into a knowledge graph.

`kg.build(...)` builds a `KnowledgeGraph` (see `kg.api`); the `kg` command does the same.
"""
__version__ = "0.1.0"

# The submodule kg.build is loaded first: loading it later would rebind the name `kg.build` to it.
from kg import build as _build_module  # noqa: E402
from kg.api import KnowledgeGraph, build  # noqa: E402

del _build_module
__all__ = ["KnowledgeGraph", "build", "__version__"]
