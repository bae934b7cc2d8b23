"""Where each entity of the network page is drawn.

Every connected component is laid out on its own with networkx's spring layout
(Fruchterman–Reingold with a fixed seed, so the same graph always gives the same
picture), and the components are packed in rows, largest first, so that none
drifts off or lands on another. The page then draws them as they are, with no
physics: it is still from the first frame.

networkx's layout costs O(n²) per step, about a second for a few hundred
nodes. A component larger than ``SPRING_LIMIT`` gets only starting positions
here, from a coarser copy of itself (leaves folded into their neighbour, then
matched pairs merged, until it is small enough for the spring layout, then
unfolded); the page improves them with vis-network's Barnes–Hut physics
(O(n log n)) for a bounded time, freezes them and sets the packed components
beside them.
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
    """Positions in page pixels, and the nodes whose positions are only a start for the page's physics."""

    positions: dict[str, tuple[float, float]]
    free: frozenset[str]


def layout(graph: nx.Graph) -> Layout:
    """Positions for the nodes of ``graph`` (direction and parallel edges ignored).

    A node's ``label`` attribute, drawn under it, is given room.
    """
    simple = nx.Graph()  # in sorted order: the spring layout's start depends on node order
    simple.add_nodes_from(sorted(graph))
    simple.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges()))
    components = sorted(
        (sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0])
    )
    free = frozenset(n for c in components if len(c) > SPRING_LIMIT for n in c)
    positions: dict[str, tuple[float, float]] = {}
    for fixed in (False, True):
        chosen = [c for c in components if (len(c) <= SPRING_LIMIT) == fixed]
        shapes = [_spring(_induced(simple, c)) if fixed else _multilevel(_induced(simple, c)) for c in chosen]
        boxes = [_box(shape, {n: graph.nodes[n].get("label", "") for n in shape}) for shape in shapes]
        corners = _pack([(right - left, bottom - top) for left, top, right, bottom in boxes])
        for shape, (left, top, _, _), (x0, y0) in zip(shapes, boxes, corners):
            for node, (x, y) in shape.items():
                positions[node] = (round(x - left + x0, 1), round(y - top + y0, 1))
    return Layout(positions, free)


def _induced(g: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph on `nodes`, in their order: networkx's subgraph views iterate in set (hash) order."""
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(sorted(tuple(sorted(e)) for e in g.subgraph(nodes).edges()))
    return sub


def _fold(g: nx.Graph) -> dict[str, str]:
    """Each node's representative in a coarser graph: matched pairs merge, leaves join their neighbour."""
    parent = {n: n for n in g}
    inner = _induced(g, [n for n in g if g.degree(n) > 1])
    for u, v in sorted(tuple(sorted(e)) for e in nx.maximal_matching(inner)):
        parent[v] = u
    for n in g:
        if g.degree(n) == 1:
            (neighbour,) = g[n]
            parent[n] = parent[neighbour]
    return parent


def _multilevel(component: nx.Graph) -> dict[str, tuple[float, float]]:
    """Starting positions for a component too large for the spring layout."""
    folds = []
    g = component
    while len(g) > SPRING_LIMIT:
        parent = _fold(g)
        coarse = nx.Graph()
        coarse.add_nodes_from(sorted(set(parent.values())))
        coarse.add_edges_from((parent[u], parent[v]) for u, v in g.edges() if parent[u] != parent[v])
        if len(coarse) > 0.9 * len(g):
            break
        folds.append(parent)
        g = coarse
    if len(g) > SPRING_LIMIT:  # nothing left to fold: start the page's physics from a random disc
        rng = np.random.default_rng(SEED)
        radius = EDGE_PX * math.sqrt(len(component)) / 2 * np.sqrt(rng.random(len(component)))
        angle = 2 * math.pi * rng.random(len(component))
        return {n: (float(r * math.cos(a)), float(r * math.sin(a))) for n, r, a in zip(component, radius, angle)}
    grow = math.sqrt(len(component) / len(g))  # a coarse node stands for several
    pos = {n: (x * grow, y * grow) for n, (x, y) in _spring(g).items()}
    for level, parent in reversed(list(enumerate(folds))):
        # members go round their representative, further out on coarser levels, turned
        # by the golden angle from one level to the next so that no two land on one spot
        radius, turn = EDGE_PX * 0.3 * 1.5**level, 2.4 * level
        members: dict[str, list[str]] = {}
        for n in sorted(parent):
            if parent[n] != n:
                members.setdefault(parent[n], []).append(n)
        for rep, group in members.items():
            x, y = pos[rep]
            for i, n in enumerate(group):
                angle = turn + 2 * math.pi * i / len(group)
                pos[n] = (x + radius * math.cos(angle), y + radius * math.sin(angle))
        pos = {n: pos[n] for n in parent}
    return pos


def _spring(component: nx.Graph) -> dict[str, tuple[float, float]]:
    """One component laid out with neighbours about EDGE_PX apart."""
    if len(component) == 1:
        return {next(iter(component)): (0.0, 0.0)}
    pos = nx.spring_layout(component, seed=SEED, iterations=100)
    lengths = sorted(math.dist(pos[u], pos[v]) for u, v in component.edges())
    scale = EDGE_PX / max(lengths[len(lengths) // 2], 1e-9)
    # turn the component's long axis to the horizontal: screens are wider than tall
    xy = np.array([pos[n] for n in component]).round(6)  # last bits differ with BLAS threads
    xy -= xy.mean(axis=0)
    _, vectors = np.linalg.eigh((xy.T @ xy).round(6))
    vectors *= np.where(vectors[np.abs(vectors).argmax(axis=0), [0, 1]] < 0, -1, 1)  # one sign per axis
    xy = (xy @ vectors[:, ::-1] * scale).round(3)
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
