"""The network page at first view, measured in Chromium on kg's invented demo graph: the largest
nodes labelled and readable, no node or label on another, entities without relations grouped by type."""
from __future__ import annotations

import itertools
import math
from collections import defaultdict

import pytest

import kg
from kg.store.counts import entity_counts
from kg.out.layout import LINE_CHARS, label_width, wrap_label

MEASURE = """(function () {
  var net = kg.network, scale = net.getScale(), out = [];
  net.body.nodeIndices.forEach(function (id) {
    var n = net.body.nodes[id], c = net.canvasToDOM({x: n.x, y: n.y}), lab = n.labelModule.size;
    var tl = net.canvasToDOM({x: lab.left, y: lab.top}), br = net.canvasToDOM({x: lab.left + lab.width, y: lab.top + lab.height});
    out.push({id: id, x: c.x, y: c.y, r: n.options.size * scale, font: n.options.font.size * scale,
              shown: n.labelModule.visible(), box: [tl.x, tl.y, br.x, br.y], degree: net.getConnectedEdges(id).length,
              type: kg.nodes.get(id).type});
  });
  var canvas = net.canvas.frame.canvas;
  return {nodes: out, width: canvas.clientWidth, height: canvas.clientHeight};
})()"""
READABLE_PX = 11  # a label's font on screen, at least, for the largest nodes
LARGEST = 10


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def view(demo) -> dict:
    pytest.importorskip("playwright")
    from browser import CHROMIUM, offline_page

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} missing")
    with offline_page(demo.out / "network.html") as (page, log):
        page.wait_for_function("window.kg && window.kg.readyMs > 0", timeout=60_000)
        measured = page.evaluate(MEASURE)
    assert log.errors == [] and log.blocked == []
    assert len(measured["nodes"]) == sum(entity_counts(kg.open(demo.out).store).values())
    return measured


def test_no_node_lies_on_another(view) -> None:
    on_top = [(a["id"], b["id"]) for a, b in itertools.combinations(view["nodes"], 2)
              if math.dist((a["x"], a["y"]), (b["x"], b["y"])) < a["r"] + b["r"]]
    assert on_top == []


def test_no_label_lies_on_another_or_on_a_node(view) -> None:
    shown = [n for n in view["nodes"] if n["shown"]]
    assert len(shown) >= 20
    assert [(a["id"], b["id"]) for a, b in itertools.combinations(shown, 2) if overlap(a["box"], b["box"])] == []
    covered = [(a["id"], b["id"]) for a in shown for b in view["nodes"] if a is not b
               and overlap(a["box"], [b["x"] - b["r"] / 2, b["y"] - b["r"] / 2, b["x"] + b["r"] / 2, b["y"] + b["r"] / 2])]
    assert covered == []


def test_the_largest_nodes_are_labelled_and_readable(view) -> None:
    largest = sorted(view["nodes"], key=lambda n: (-n["degree"], n["id"]))[:LARGEST]
    assert all(n["shown"] for n in largest)
    assert min(n["font"] for n in largest) >= READABLE_PX, [round(n["font"], 1) for n in largest]
    for n in largest:  # and on the canvas
        assert 0 <= n["box"][0] and n["box"][2] <= view["width"] and 0 <= n["box"][1] and n["box"][3] <= view["height"]


def test_every_node_is_in_the_first_view(view) -> None:
    assert all(0 <= n["x"] <= view["width"] and 0 <= n["y"] <= view["height"] for n in view["nodes"])


def test_entities_without_relations_are_grouped_by_type(view) -> None:
    lone = [n for n in view["nodes"] if n["degree"] == 0]
    by_type = defaultdict(list)
    for n in lone:
        by_type[n["type"]].append(n)
    assert len(by_type) >= 3  # the demo has lone places, persons, brands, awards …
    frames = {t: [min(n["x"] for n in ns), min(n["y"] for n in ns), max(n["x"] for n in ns), max(n["y"] for n in ns)]
              for t, ns in by_type.items()}
    for t, frame in frames.items():  # a type's block holds none of another type
        intruders = [n["id"] for n in lone if n["type"] != t
                     and frame[0] <= n["x"] <= frame[2] and frame[1] <= n["y"] <= frame[3]]
        assert intruders == [], t


def test_long_labels_are_drawn_in_lines() -> None:
    title = "浙江青禾运动用品股份有限公司诉西岭宏达贸易有限公司、王某侵害商标权纠纷案"
    lines = wrap_label(title).split("\n")
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(label_width(line, 1) <= LINE_CHARS for line in lines)
    assert wrap_label("西岭市公安局") == "西岭市公安局"
