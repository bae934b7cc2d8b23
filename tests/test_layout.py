"""Tests for kg.out.layout (positions of the network page)."""

from __future__ import annotations

import math
import statistics

import networkx as nx

from kg.out import layout
from kg.out.layout import EDGE_PX, SPRING_LIMIT, label_width


def _graph() -> nx.MultiDiGraph:
    """A 12-node path, a triangle, three lone nodes; labels of different widths."""
    g = nx.MultiDiGraph()
    nx.add_path(g, [f"p{i:02d}" for i in range(12)])
    g.add_edges_from([("t1", "t2"), ("t2", "t3"), ("t3", "t1"), ("t1", "t2")])  # a parallel edge too
    g.add_nodes_from(["s1", "s2", "s3"])
    for n in g:
        g.nodes[n]["label"] = "东江市市场监督管理局" if n.startswith("s") else n
    return g


def _boxes(g: nx.Graph, pos: dict) -> list[tuple[float, float, float, float]]:
    boxes = []
    for comp in nx.connected_components(g.to_undirected()):
        boxes.append((
            min(pos[n][0] - label_width(g.nodes[n]["label"]) / 2 for n in comp),
            min(pos[n][1] for n in comp),
            max(pos[n][0] + label_width(g.nodes[n]["label"]) / 2 for n in comp),
            max(pos[n][1] for n in comp),
        ))
    return boxes


def test_every_node_placed_and_components_apart():
    g = _graph()
    result = layout.layout(g)
    assert set(result.positions) == set(g) and not result.free
    assert len(set(result.positions.values())) == len(g)
    boxes = _boxes(g, result.positions)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]
            assert apart, (a, b)


def test_neighbours_about_an_edge_apart_and_long_axis_horizontal():
    g = _graph()
    pos = layout.layout(g).positions
    path = [f"p{i:02d}" for i in range(12)]
    lengths = [math.dist(pos[u], pos[v]) for u, v in zip(path, path[1:])]
    assert 0.5 * EDGE_PX < statistics.median(lengths) < 1.5 * EDGE_PX
    xs, ys = [pos[n][0] for n in path], [pos[n][1] for n in path]
    assert max(xs) - min(xs) > max(ys) - min(ys)


def test_same_graph_same_positions():
    a, b = layout.layout(_graph()), layout.layout(_graph())
    assert a == b


def test_large_component_starts_folded_and_is_left_to_the_page():
    g = _graph()
    path = [f"big{i:04d}" for i in range(3 * SPRING_LIMIT)]
    nx.add_path(g, path)
    g.add_edges_from((f"leaf{i:04d}", n) for i, n in enumerate(path[::3]))  # leaves fold first
    for n in g:
        g.nodes[n].setdefault("label", n)
    result = layout.layout(g)
    assert result.free == {n for n in g if n.startswith(("big", "leaf"))}
    assert set(result.positions) == set(g)
    pos = result.positions
    # a start worth having: neighbours along the path are far closer than nodes 100 steps apart
    near = statistics.median(math.dist(pos[u], pos[v]) for u, v in zip(path, path[1:]))
    far = statistics.median(math.dist(pos[u], pos[v]) for u, v in zip(path, path[100:]))
    assert near * 5 < far
    # the big component and the packed small ones start apart
    fixed = [p for n, p in pos.items() if n not in result.free]
    assert len(set(pos.values())) == len(g) and fixed


def test_empty_graph():
    assert layout.layout(nx.MultiDiGraph()) == layout.Layout({}, frozenset())
