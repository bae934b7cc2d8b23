"""Where each entity of the network page is drawn.

Every connected component is laid out on its own with networkx's spring layout
(Fruchterman–Reingold with a fixed seed, so the same graph always gives the same
picture), and the components are packed in rows, largest first, so that none
drifts off or lands on another. The page then draws them as they are, with no
physics: it is still from the first frame.

networkx's layout costs O(n²) per step, about a second for a few hundred
nodes; a component larger than ``SPRING_LIMIT`` is left for the page, which
lays it out with vis-network's Barnes–Hut physics (O(n log n)) for a bounded
number of steps, freezes it and sets the packed components beside it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

SPRING_LIMIT = 250  # largest component laid out here, in nodes
SEED = 20240601
EDGE_PX = 100  # typical distance between neighbours
GAP_PX = 40  # space between two components, labels included
NODE_PX = 20  # room above and below a node's centre
LABEL_PX = 14  # font size of node labels on the page
ASPECT = 1.6  # width / height of the packed block, about that of the page's canvas on a wide screen


@dataclass(frozen=True)
class Layout:
    """Positions in page pixels, and the nodes left for the page's physics."""

    positions: dict[str, tuple[float, float]]
    free: frozenset[str]


def layout(graph: nx.Graph) -> Layout:
    """Positions for the nodes of ``graph`` (direction and parallel edges ignored).

    A node's ``label`` attribute, drawn under it, is given room.
    """
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from(graph.edges())
    components = sorted(
        (sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0])
    )
    free = frozenset(n for c in components if len(c) > SPRING_LIMIT for n in c)
    shapes = [_spring(simple.subgraph(c)) for c in components if len(c) <= SPRING_LIMIT]
    boxes = [_box(shape, {n: graph.nodes[n].get("label", "") for n in shape}) for shape in shapes]
    corners = _pack([(right - left, bottom - top) for left, top, right, bottom in boxes])
    positions: dict[str, tuple[float, float]] = {}
    for shape, (left, top, _, _), (x0, y0) in zip(shapes, boxes, corners):
        for node, (x, y) in shape.items():
            positions[node] = (round(x - left + x0, 1), round(y - top + y0, 1))
    return Layout(positions, free)


def _spring(component: nx.Graph) -> dict[str, tuple[float, float]]:
    """One component laid out with neighbours about EDGE_PX apart."""
    if len(component) == 1:
        return {next(iter(component)): (0.0, 0.0)}
    pos = nx.spring_layout(component, seed=SEED, iterations=100)
    lengths = sorted(math.dist(pos[u], pos[v]) for u, v in component.edges())
    scale = EDGE_PX / max(lengths[len(lengths) // 2], 1e-9)
    # turn the component's long axis to the horizontal: screens are wider than tall
    xy = np.array([pos[n] for n in component])
    xy -= xy.mean(axis=0)
    _, vectors = np.linalg.eigh(xy.T @ xy)
    xy = xy @ vectors[:, ::-1] * scale
    return {n: (float(x), float(y)) for n, (x, y) in zip(component, xy)}


def label_width(label: str) -> float:
    """About how wide a label is drawn, in pixels: CJK characters are square, others narrower."""
    return sum(LABEL_PX if ord(ch) >= 0x2E80 else LABEL_PX * 0.6 for ch in label)


def _box(shape: dict[str, tuple[float, float]], labels: dict[str, str]) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of a component with its nodes and the labels under them."""
    half = {n: label_width(labels[n]) / 2 for n in shape}
    return (
        min(x - half[n] for n, (x, _) in shape.items()),
        min(y - NODE_PX for x, y in shape.values()),
        max(x + half[n] for n, (x, _) in shape.items()),
        max(y + NODE_PX + LABEL_PX for x, y in shape.values()),
    )


def _pack(sizes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Top-left corners for boxes of these sizes, in rows no wider than a block of ASPECT."""
    if not sizes:
        return []
    area = sum((w + GAP_PX) * (h + GAP_PX) for w, h in sizes)
    row_width = max(max(w for w, _ in sizes), math.sqrt(area * ASPECT))
    corners = []
    x = y = row_height = 0.0
    for w, h in sizes:
        if x and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + GAP_PX, 0.0
        corners.append((x, y))
        x += w + GAP_PX
        row_height = max(row_height, h)
    return corners
