"""The entity graph as GraphML and GEXF: the graph files Gephi, Cytoscape, yEd and networkx read.

Both are written by networkx from `kg.out.network.to_networkx`, whose attributes
are all strings and numbers (names joined by " | ", evidence sentences one per
line), so that every attribute survives: `nx.read_graphml` and `nx.read_gexf`
give back the same nodes, edges and attributes. In GEXF the `label` attribute is
the node's label, which Gephi shows. The bytes depend on the graph only: the date
networkx puts in a GEXF file's header is left out.
"""
from __future__ import annotations

import io
import re

import networkx as nx

from kg.version import __version__

GEXF_META = re.compile(rb'<meta lastmodifieddate="[^"]*">\s*<creator>[^<]*</creator>')


def graphml(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """`graph.graphml`: nodes keyed by IRI, edges keyed by relation, every attribute typed."""
    out = io.BytesIO()
    nx.write_graphml(graph, out, encoding="utf-8", prettyprint=True)
    return {"graph.graphml": out.getvalue()}


def gexf(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """`graph.gexf` (GEXF 1.2): the same graph for Gephi, without a date in its header."""
    out = io.BytesIO()
    nx.write_gexf(graph, out, encoding="utf-8", prettyprint=True)
    data = GEXF_META.sub(f"<meta>\n    <creator>kg {__version__}</creator>".encode(), out.getvalue(), count=1)
    return {"graph.gexf": data}
