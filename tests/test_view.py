"""Tests for kg.view (network page). All entities here are invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.view import NetworkStats, relation_labels, to_networkx, write_network

KGO = Namespace("https://w3id.org/kg-ip/ontology#")
KGR = Namespace("https://w3id.org/kg-ip/id/")
SCHEMA = Namespace("http://schema.org/")


def _entity(g: rdflib.Graph, cls: str, key: str, label: str, *alts: str, articles=("a1",)) -> URIRef:
    node = KGR[f"{cls}/{key}"]
    g.add((node, RDF.type, KGO[cls]))
    g.add((node, RDFS.label, Literal(label, lang="zh")))
    for alt in alts:
        g.add((node, SKOS.altLabel, Literal(alt, lang="zh")))
    for art in articles:
        g.add((node, KGO.mentionedIn, KGR[f"article/{art}"]))
    return node


@pytest.fixture()
def graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for art, title in (("a1", "东江市查处一起假冒商标案"), ("a2", "西林县开展<护航>专项行动")):
        a = KGR[f"article/{art}"]
        g.add((a, RDF.type, KGO.Article))
        g.add((a, DCTERMS.identifier, Literal(art)))
        g.add((a, DCTERMS.title, Literal(title, lang="zh")))
        g.add((a, SCHEMA.url, Literal(f"https://news.example.org/{art}.html")))
    agency = _entity(g, "Agency", "0001", "东江市市场监督管理局", "东江市市监局")
    parent = _entity(g, "Agency", "0002", "东江省市场监督管理局")
    company = _entity(g, "Company", "0003", "东江宏达贸易有限公司", "宏达贸易")
    case = _entity(g, "Case", "0004", "东江宏达贸易有限公司侵犯注册商标专用权案")
    brand = _entity(g, "Brand", "0005", "青山牌")
    place = _entity(g, "Place", "0006", "东江市")
    campaign = _entity(g, "Campaign", "0007", "护航专项行动", articles=("a2",))
    police = _entity(g, "Agency", "0008", "西林县公安局", articles=("a2",))
    far = _entity(g, "Person", "0009", "张某某", articles=("a2",))
    _entity(g, "Award", "0010", "知识产权保护先进集体", articles=())  # isolated
    g.add((case, KGO.handledBy, agency))
    g.add((case, KGO.involves, company))
    g.add((case, KGO.concernsBrand, brand))
    g.add((agency, KGO.subOrganizationOf, parent))
    g.add((agency, KGO.locatedIn, place))
    g.add((company, KGO.locatedIn, place))
    g.add((police, KGO.conducted, campaign))
    # symmetric relation stated both ways: one edge
    g.add((agency, KGO.cooperatesWith, police))
    g.add((police, KGO.cooperatesWith, agency))
    # a second relation between the same pair of nodes
    g.add((agency, KGO.conducted, campaign))
    g.add((far, KGO.partyTo, campaign))
    # not edges: mentionedIn, and a relation to a non-entity
    g.add((agency, KGO.handledBy, URIRef("https://example.org/not-an-entity")))
    return g


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert m, "embedded data block missing"
    return json.loads(m.group(1))


def _write(tmp_path: Path, g: rdflib.Graph, name="net.html", **kw) -> tuple[NetworkStats, str, dict]:
    out = tmp_path / name
    stats = write_network(g, out, **kw)
    html = out.read_text(encoding="utf-8")
    return stats, html, _data(html)


def test_to_networkx(graph):
    nxg = to_networkx(graph)
    assert isinstance(nxg, nx.MultiDiGraph)
    assert nxg.number_of_nodes() == 10  # articles are not nodes
    assert nxg.number_of_edges() == 10  # cooperatesWith once, mentionedIn never
    agency = str(KGR["Agency/0001"])
    d = nxg.nodes[agency]
    assert d["label"] == "东江市市场监督管理局"
    assert d["type"] == "Agency"
    assert d["altLabels"] == ["东江市市监局"]
    assert d["articles"] == [str(KGR["article/a1"])]
    rels = sorted(r for _, _, r in nxg.out_edges(agency, data="relation"))
    assert rels == ["conducted", "cooperatesWith", "locatedIn", "subOrganizationOf"]
    assert not any(r == "mentionedIn" for *_, r in nxg.edges(data="relation"))


def test_dataset_union(graph):
    ds = rdflib.Dataset()
    named = ds.graph(URIRef("https://w3id.org/kg-ip/graph/a1"))
    for t in graph:
        named.add(t)
    assert to_networkx(ds).number_of_edges() == to_networkx(graph).number_of_edges()


def test_self_contained(tmp_path, graph):
    _, html, _ = _write(tmp_path, graph)
    assert not re.search(r"""(?i)\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert not re.search(r"(?i)<link\b", html)
    assert not re.search(r"(?i)@import", html)
    assert not re.search(r"""(?i)url\(\s*["']?\s*(?:https?:)?//""", html)
    assert "vis.Network" in html and "stabilizationIterationsDone" in html
    assert "bootstrap" not in html.lower()
    # the article title with <...> must not break out of the data block
    assert "<护航>" not in html


def test_counts_and_labels(tmp_path, graph):
    stats, html, data = _write(tmp_path, graph)
    nxg = to_networkx(graph)
    assert stats == NetworkStats(nodes=nxg.number_of_nodes(), edges=nxg.number_of_edges())
    assert len(data["nodes"]) == stats.nodes == 10
    assert len(data["edges"]) == stats.edges == 10
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    zh = relation_labels()
    assert zh["handledBy"] == ("查办", "handled by")
    assert len(zh) == 10
    for e in data["edges"]:
        assert e["label"] == zh[e["relation"]][0]
        assert e["en"] == zh[e["relation"]][1]
    node = next(n for n in data["nodes"] if n["label"] == "东江宏达贸易有限公司")
    assert node["type"] == "Company" and node["altLabels"] == ["宏达贸易"]
    assert [data["articles"][i]["id"] for i in node["articles"]] == ["a1"]
    # size grows with degree; classes differ in colour
    sizes = {n["label"]: n["size"] for n in data["nodes"]}
    assert sizes["东江市市场监督管理局"] > sizes["青山牌"] > sizes["知识产权保护先进集体"]
    assert len({c["color"] for c in data["classes"]}) == 10


def test_focus_hops(tmp_path, graph):
    s1, _, d1 = _write(tmp_path, graph, focus="东江宏达贸易有限公司", hops=1)
    assert {n["label"] for n in d1["nodes"]} == {
        "东江宏达贸易有限公司",
        "东江宏达贸易有限公司侵犯注册商标专用权案",
        "东江市",
    }
    assert s1.edges == 2
    s2, _, d2 = _write(tmp_path, graph, focus="宏达贸易", hops=2)  # altLabel works too
    assert s1.nodes < s2.nodes < 10
    assert "东江市市场监督管理局" in {n["label"] for n in d2["nodes"]}
    s0, _, _ = _write(tmp_path, graph, focus="宏达贸易", hops=0)
    assert s0 == NetworkStats(nodes=1, edges=0)


def test_unknown_focus_raises(tmp_path, graph):
    with pytest.raises(ValueError, match="不存在的机构"):
        write_network(graph, tmp_path / "x.html", focus="不存在的机构")
    assert not (tmp_path / "x.html").exists()
    with pytest.raises(ValueError):
        write_network(graph, tmp_path / "x.html", types={"Spaceship"})


def test_types_filter(tmp_path, graph):
    stats, _, data = _write(tmp_path, graph, types={"Agency", "Place"})
    assert {n["type"] for n in data["nodes"]} == {"Agency", "Place"}
    assert stats.nodes == 4
    # subOrganizationOf, locatedIn (agency), cooperatesWith
    assert sorted(e["relation"] for e in data["edges"]) == ["cooperatesWith", "locatedIn", "subOrganizationOf"]
    both, _, _ = _write(tmp_path, graph, focus="东江市市场监督管理局", hops=1, types={"kgo:Agency"})
    assert both.nodes == 3


def test_deterministic_and_atomic(tmp_path, graph):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_network(graph, a)
    # same triples added in another order
    g2 = rdflib.Graph()
    for t in sorted(graph, reverse=True):
        g2.add(t)
    write_network(g2, b)
    assert a.read_bytes() == b.read_bytes()
    write_network(graph, a)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # no temp files left


def test_empty_graph(tmp_path):
    stats, html, data = _write(tmp_path, rdflib.Graph())
    assert stats == NetworkStats(0, 0)
    assert data["nodes"] == [] and data["edges"] == []
