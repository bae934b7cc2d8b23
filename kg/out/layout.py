"""Where each entity of the network page is drawn, and how big it and its label are.

Every connected component is laid out on its own with networkx's spring layout
(Fruchterman–Reingold with a fixed seed, so the same graph always gives the same
picture); then no node and no label may lie on another: each node with the label
under it is a box, and overlapping boxes are pushed apart along the shorter
overlap until none is left (`_separate`). Entities with no relation are not
scattered as a grid of lone components: those of one type are set together in
one block, in lines like words of a paragraph (`_flow`), so that the block reads
as "the 12 places no relation names". The components, largest first, then the
blocks in the vocabulary's type order, are packed in rows, so that none drifts
off or lands on another. The page draws them as they are, with no physics: it is
still from the first frame.

Sizes grow with the number of relations: the node (`node_size`) and its label's
font (`font_size`), so that the hubs are the first thing a reader sees, and the
page leaves out labels too small to read at the zoom of its first view (they
appear when zooming in); the boxes above give every label room at its size.

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

from kg.vocab import VOCAB

SPRING_LIMIT = 250  # largest component laid out here, in nodes
SEED = 20240601
EDGE_PX = 70  # typical distance between neighbours, before labels push them apart
GAP_PX = 40  # space between two components, labels included
PAD_PX = 4  # space kept around each node and its label
LABEL_PX = 14  # font size of the label of a node without relations
LABEL_GAP_PX = 2  # between a node and the label under it
ASPECT = 1.6  # width / height of the packed block, about that of the page's canvas on a wide screen
COMPONENT_ASPECT = 1.1  # width / height of a component's spring layout, at most
SEPARATE_STEPS = 300  # most rounds of pushing overlapping boxes apart
LINE_CHARS = 10  # a label's lines hold about this many Chinese characters (Latin letters count 0.6)
MAX_LINES = 3


@dataclass(frozen=True)
class Layout:
    """Positions in page pixels, and the nodes whose positions are only a start for the page's physics."""

    positions: dict[str, tuple[float, float]]
    free: frozenset[str]


def node_size(degree: int) -> float:
    """A node's radius on the page: grows with the square root of its number of relations."""
    return round(10 + 5 * math.sqrt(degree), 2)


def font_size(degree: int) -> float:
    """A node's label font size: 14 px alone, 30 px with 16 relations."""
    return round(LABEL_PX + 4 * math.sqrt(degree), 1)


def label_width(label: str, font: float = LABEL_PX) -> float:
    """About how wide a label is drawn, in pixels: CJK characters and the quotes and dashes among them
    (“”‘’—…, drawn from the CJK font) are square, others narrower."""
    return sum(font if ord(ch) >= 0x2E80 or 0x2010 <= ord(ch) <= 0x2027 else font * 0.6 for ch in label)


def wrap_label(label: str) -> str:
    """The label as drawn: in lines of about LINE_CHARS Chinese characters, at most MAX_LINES of them
    (a longer name ends in "…"; the page shows it whole on hover and in the details panel). A case
    title of 40 characters on one line would make its node the widest thing on the page."""
    lines, line = [], ""
    for ch in label:
        if label_width(line + ch, 1) > LINE_CHARS:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)


def extent(label: str, degree: int) -> tuple[float, float, float]:
    """A node's box around its centre: half its width, and its reach above and below (label included)."""
    size, font = node_size(degree), font_size(degree)
    lines = wrap_label(label).split("\n")
    return (max(size, max(label_width(line, font) for line in lines) / 2) + PAD_PX, size + PAD_PX,
            size + LABEL_GAP_PX + 1.25 * font * len(lines) + PAD_PX)


def layout(graph: nx.Graph) -> Layout:
    """Positions for the nodes of ``graph`` (direction and parallel edges ignored).

    A node's ``label`` attribute, drawn under it, is given room at its font size;
    nodes without edges are grouped by their ``type`` attribute.
    """
    simple = nx.Graph()  # in sorted order: the spring layout's start depends on node order
    simple.add_nodes_from(sorted(graph))
    simple.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges() if e[0] != e[1]))
    boxes = {n: extent(graph.nodes[n].get("label", ""), graph.degree(n)) for n in simple}
    components = sorted(
        (sorted(c) for c in nx.connected_components(simple) if len(c) > 1), key=lambda c: (-len(c), c[0])
    )
    order = {t: i for i, t in enumerate(VOCAB.types)}
    lone: dict[str, list[str]] = {}
    for n in simple:
        if simple.degree(n) == 0:
            lone.setdefault(graph.nodes[n].get("type", ""), []).append(n)
    groups = [lone[t] for t in sorted(lone, key=lambda t: (order.get(t, len(order)), t))]
    free = frozenset(n for c in components if len(c) > SPRING_LIMIT for n in c)
    positions: dict[str, tuple[float, float]] = {}
    big = [c for c in components if len(c) > SPRING_LIMIT]
    small = [c for c in components if len(c) <= SPRING_LIMIT]
    for shapes in ([_multilevel(_induced(simple, c)) for c in big],
                   [_separate(_spring(_induced(simple, c)), boxes) for c in small] + [_flow(g, boxes) for g in groups]):
        frames = [_frame(shape, boxes) for shape in shapes]
        corners = _pack([(right - left, bottom - top) for left, top, right, bottom in frames])
        for shape, (left, top, _, _), (x0, y0) in zip(shapes, frames, corners):
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
    xy = xy @ vectors[:, ::-1] * scale
    # but no longer than the page's canvas is wide: labels, wider than tall, stretch it again when
    # _separate pushes them apart, and a long component sets a small first zoom for the whole page
    spans = np.ptp(xy, axis=0)
    if spans[1] > 0 and spans[0] / spans[1] > COMPONENT_ASPECT:
        xy *= np.sqrt([COMPONENT_ASPECT * spans[1] / spans[0], spans[0] / spans[1] / COMPONENT_ASPECT])
    xy = xy.round(3)
    return {n: (float(x), float(y)) for n, (x, y) in zip(component, xy)}


def _separate(shape: dict[str, tuple[float, float]],
              boxes: dict[str, tuple[float, float, float]]) -> dict[str, tuple[float, float]]:
    """The positions moved as little as needed for no two boxes (node and label) to overlap.

    Each round, every overlapping pair is pushed apart along the line between their centres,
    each by half the distance that ends the overlap, so that the picture keeps its shape; a
    pair on one spot parts sideways by node order. Deterministic, and vectorised: 250 nodes
    take a few milliseconds a round.
    """
    nodes = list(shape)
    if len(nodes) < 2:
        return shape
    xy = np.array([shape[n] for n in nodes], dtype=float)
    half_w = np.array([boxes[n][0] for n in nodes])
    up, down = np.array([boxes[n][1] for n in nodes]), np.array([boxes[n][2] for n in nodes])
    half_h, shift = (up + down) / 2, (down - up) / 2  # the box's centre lies `shift` below the node's
    order = np.arange(len(nodes))
    apart = np.where(order[:, None] < order[None, :], -1.0, 1.0)  # who goes which way when on one spot
    reach_x, reach_y = half_w[:, None] + half_w[None, :], half_h[:, None] + half_h[None, :]
    for _ in range(SEPARATE_STEPS):
        cx, cy = xy[:, 0], xy[:, 1] + shift
        dx, dy = cx[:, None] - cx[None, :], cy[:, None] - cy[None, :]
        hit = (reach_x - np.abs(dx) > 1e-6) & (reach_y - np.abs(dy) > 1e-6)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        dx = np.where((dx == 0) & (dy == 0), apart, dx)
        length = np.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        with np.errstate(divide="ignore", invalid="ignore"):  # along an axis, only the other one counts
            need = np.minimum(np.where(ux != 0, (reach_x - np.abs(dx)) / np.abs(ux), np.inf),
                              np.where(uy != 0, (reach_y - np.abs(dy)) / np.abs(uy), np.inf))
        step = np.where(hit, (need + 0.5) / 2, 0.0)
        xy[:, 0] += (step * ux).sum(axis=1)
        xy[:, 1] += (step * uy).sum(axis=1)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy.round(3))}


def _flow(nodes: list[str], boxes: dict[str, tuple[float, float, float]]) -> dict[str, tuple[float, float]]:
    """Nodes without relations of one type in lines of about the block's width, like words of a paragraph."""
    widths = {n: 2 * boxes[n][0] for n in nodes}
    heights = {n: boxes[n][1] + boxes[n][2] for n in nodes}
    area = sum(widths[n] * heights[n] for n in nodes)
    line_width = max(max(widths.values()), math.sqrt(area * ASPECT))
    pos = {}
    x = y = line_height = 0.0
    for n in sorted(nodes):
        if x and x + widths[n] > line_width:
            x, y, line_height = 0.0, y + line_height, 0.0
        pos[n] = (x + widths[n] / 2, y + boxes[n][1])
        x += widths[n]
        line_height = max(line_height, heights[n])
    return pos


def _frame(shape: dict[str, tuple[float, float]],
           boxes: dict[str, tuple[float, float, float]]) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of a component or block with its nodes and the labels under them."""
    return (
        min(x - boxes[n][0] for n, (x, _) in shape.items()),
        min(y - boxes[n][1] for n, (_, y) in shape.items()),
        max(x + boxes[n][0] for n, (x, _) in shape.items()),
        max(y + boxes[n][2] for n, (_, y) in shape.items()),
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
