"""Tests for kg.out.network and kg.out.page (the network page). All entities here are invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.out import layout
from browser import offline_page
from kg.out.network import ViewError, entity_graph, to_networkx
from kg.out.page import NetworkStats, write_network
from kg.vocab import VOCAB

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


CASE_SENTENCE = "东江市市场监督管理局查处东江宏达贸易有限公司侵犯注册商标专用权案。"
CAMPAIGN_SENTENCE = "西林县公安局与东江市市场监督管理局联合开展护航专项行动。"


def _state(g: rdflib.Graph, s: URIRef, rel: str, o: URIRef, art: str, sentence: str) -> None:
    """A relation with its provenance statement, as kg.rdf.graph writes it."""
    g.add((s, KGO[rel], o))
    st = KGR[f"statement/{art}-{rel}-{len(g)}"]
    g.add((st, RDF.type, RDF.Statement))
    g.add((st, RDF.subject, s))
    g.add((st, RDF.predicate, KGO[rel]))
    g.add((st, RDF.object, o))
    g.add((st, PROV.wasDerivedFrom, KGR[f"article/{art}"]))
    g.add((st, KGO.sentence, Literal(sentence)))


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
    _state(g, case, "handledBy", agency, "a1", CASE_SENTENCE)
    _state(g, case, "involves", company, "a1", CASE_SENTENCE)
    g.add((case, KGO.concernsBrand, brand))
    g.add((agency, KGO.subOrganizationOf, parent))
    g.add((agency, KGO.locatedIn, place))
    g.add((company, KGO.locatedIn, place))
    g.add((police, KGO.conducted, campaign))
    # symmetric relation stated both ways: one edge
    _state(g, police, "cooperatesWith", agency, "a2", CAMPAIGN_SENTENCE)
    g.add((agency, KGO.cooperatesWith, police))
    # a second relation between the same pair of nodes
    _state(g, agency, "conducted", campaign, "a2", CAMPAIGN_SENTENCE)
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


def test_entity_graph(graph):
    nxg = entity_graph(graph)
    assert isinstance(nxg, nx.MultiDiGraph)
    assert nxg.number_of_nodes() == 10  # articles are not nodes
    assert nxg.number_of_edges() == 10  # cooperatesWith once, mentionedIn never
    agency = str(KGR["Agency/0001"])
    d = nxg.nodes[agency]
    assert d["label"] == "东江市市场监督管理局"
    assert d["type"] == "Agency"
    assert d["altLabels"] == ["东江市市监局"]
    assert d["keys"] == ["东江市市场监督管理局", "东江市市监局"]  # 市监局 written out, and as written
    assert d["articles"] == [str(KGR["article/a1"])]
    rels = sorted(r for _, _, r in nxg.out_edges(agency, data="relation"))
    assert rels == ["conducted", "cooperatesWith", "locatedIn", "subOrganizationOf"]
    assert not any(r == "mentionedIn" for *_, r in nxg.edges(data="relation"))


def test_to_networkx_has_only_attributes_graphml_and_gexf_write(graph, tmp_path):
    nxg = to_networkx(graph)
    assert (nxg.number_of_nodes(), nxg.number_of_edges()) == (10, 10)
    for _, d in nxg.nodes(data=True):
        assert all(isinstance(v, (str, int)) for v in d.values()), d
    for *_, d in nxg.edges(data=True):
        assert all(isinstance(v, (str, int)) for v in d.values()), d
    agency = nxg.nodes[str(KGR["Agency/0001"])]
    assert (agency["altLabels"], agency["articles"], agency["articleIds"]) == ("东江市市监局", 1, "a1")
    assert nxg.edges[str(KGR["Case/0004"]), str(KGR["Agency/0001"]), "handledBy"]["evidence"] == CASE_SENTENCE
    nx.write_graphml(nxg, tmp_path / "g.graphml")
    nx.write_gexf(nxg, tmp_path / "g.gexf")
    assert nx.read_graphml(tmp_path / "g.graphml").nodes[str(KGR["Agency/0001"])]["articleIds"] == "a1"


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
    assert (VOCAB.relations["handledBy"].zh, VOCAB.relations["handledBy"].en) == ("查办", "handled by")
    assert len(VOCAB.relations) == 10
    for e in data["edges"]:
        assert e["label"] == VOCAB.relations[e["relation"]].zh
        assert e["en"] == VOCAB.relations[e["relation"]].en
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
    with pytest.raises(ViewError, match="不存在的机构") as e:
        write_network(graph, tmp_path / "x.html", focus="不存在的机构")
    assert "did you mean" not in str(e.value)
    assert not (tmp_path / "x.html").exists()
    with pytest.raises(ViewError, match="Spaceship"):
        write_network(graph, tmp_path / "x.html", types={"Spaceship"})


@pytest.mark.parametrize("focus,suggested", [
    ("宏达", "东江宏达贸易有限公司"),  # part of a name
    ("东江市市场监理局", "东江市市场监督管理局"),  # a near miss
    ("西林县公安厅", "西林县公安局"),
])
def test_unknown_focus_suggests_close_names(graph, focus, suggested):
    with pytest.raises(ViewError, match=f"did you mean: .*{suggested}"):
        write_network(graph, Path("unused.html"), focus=focus)


@pytest.mark.parametrize("focus", ["東江市市監局", "东江市市场监管局", "“东江市市场监督管理局”"])
def test_focus_finds_an_entity_in_any_spelling(tmp_path, graph, focus):
    _, _, data = _write(tmp_path, graph, focus=focus, hops=0)
    assert data["focus"] == [str(KGR["Agency/0001"])]


def test_evidence_sentences(tmp_path, graph):
    nxg = entity_graph(graph)
    case, agency, police = (str(KGR[k]) for k in ("Case/0004", "Agency/0001", "Agency/0008"))
    a1, a2 = str(KGR["article/a1"]), str(KGR["article/a2"])
    assert nxg.edges[case, agency, "handledBy"]["evidence"] == [(a1, CASE_SENTENCE)]
    # the statement says police -> agency; the drawn edge runs agency -> police
    assert nxg.edges[agency, police, "cooperatesWith"]["evidence"] == [(a2, CAMPAIGN_SENTENCE)]
    assert nxg.nodes[agency]["evidence"] == [(a1, CASE_SENTENCE), (a2, CAMPAIGN_SENTENCE)]
    assert nxg.nodes[str(KGR["Place/0006"])]["evidence"] == []

    _, _, data = _write(tmp_path, graph)
    node = next(n for n in data["nodes"] if n["id"] == agency)
    quoted = [(data["sentences"][i]["text"], data["articles"][data["sentences"][i]["article"]]["id"])
              for i in node["sentences"]]
    assert quoted == [(CASE_SENTENCE, "a1"), (CAMPAIGN_SENTENCE, "a2")]
    edge = next(e for e in data["edges"] if e["relation"] == "involves")
    assert [data["sentences"][i]["text"] for i in edge["sentences"]] == [CASE_SENTENCE]


def test_positions_are_precomputed(tmp_path, graph):
    _, _, data = _write(tmp_path, graph)
    spots = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(spots) == len(data["nodes"])  # every node placed, no two on one spot
    assert not any(n["physics"] for n in data["nodes"])


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


# --------------------------------------------------------------------------- in a real browser


def _open_ready(page, log) -> None:
    """Wait until the page has drawn its final layout."""
    from playwright.sync_api import TimeoutError

    try:
        page.wait_for_function("window.kg && window.kg.readyMs > 0", timeout=30_000)
    except TimeoutError:
        pytest.fail(f"the page never became ready; errors: {log.errors}, blocked: {log.blocked}")


def _assert_clean(log) -> None:
    assert log.blocked == [] and log.failed == [] and log.errors == []
    assert log.requests and all(url.startswith("file:") for url in log.requests)


def test_page_in_browser_offline(tmp_path, graph, browser_ok):
    path = tmp_path / "network.html"
    write_network(graph, path)
    nxg = to_networkx(graph)
    company = str(KGR["Company/0003"])
    with offline_page(path) as (page, log):
        _open_ready(page, log)
        counts = page.evaluate(
            "[kg.nodes.length, kg.edges.length, kg.network.body.nodeIndices.length, kg.network.body.edgeIndices.length]"
        )
        assert counts == [nxg.number_of_nodes(), nxg.number_of_edges()] * 2
        # search by an altLabel selects the entity and shows where it came from
        page.fill("#search", "宏达贸易")
        page.press("#search", "Enter")
        assert page.evaluate("kg.network.getSelectedNodes()") == [company]
        info = page.inner_text("#info")
        assert "东江宏达贸易有限公司" in info and CASE_SENTENCE in info
        # the tooltip carries names, type and the evidence sentence
        tip = page.evaluate(f"kg.nodes.get({json.dumps(company)}).title.textContent")
        assert "宏达贸易" in tip and "企业" in tip and CASE_SENTENCE in tip
        # edge labels are Chinese, the tooltip English
        edge = page.evaluate("(function (e) { return [e.label, e.title.textContent]; })(kg.edges.get({filter: function (e) { return e.relation === 'handledBy'; }})[0])")
        assert edge[0] == "查办" and "handled by" in edge[1] and CASE_SENTENCE in edge[1]
        # a type filter hides that type's nodes and their edges
        page.uncheck('#types input[value="Place"]')
        assert page.evaluate("kg.network.body.nodeIndices.length") == nxg.number_of_nodes() - 1
        assert page.evaluate("kg.network.body.edgeIndices.length") == nxg.number_of_edges() - 2
        page.screenshot(path=tmp_path / "network.png")
    _assert_clean(log)
    assert (tmp_path / "network.png").stat().st_size > 10_000


def test_large_component_is_laid_out_in_browser(tmp_path, graph, browser_ok, monkeypatch):
    """A component too large for networkx is placed by the page's physics, beside the packed rest."""
    monkeypatch.setattr(layout, "SPRING_LIMIT", 4)
    path = tmp_path / "network.html"
    write_network(graph, path)
    data = _data(path.read_text(encoding="utf-8"))
    free = {n["id"] for n in data["nodes"] if n["physics"]}
    assert 4 < len(free) < len(data["nodes"])
    with offline_page(path) as (page, log):
        _open_ready(page, log)
        pos = page.evaluate("kg.network.getPositions()")
        assert page.evaluate("kg.network.physics.options.enabled") is False  # frozen
    _assert_clean(log)
    assert len({(round(p["x"]), round(p["y"])) for p in pos.values()}) == len(data["nodes"])
    right_of_free = max(p["x"] for n, p in pos.items() if n in free)
    assert all(p["x"] > right_of_free for n, p in pos.items() if n not in free)


def test_offline_page_reports_network_requests(tmp_path, browser_ok):
    """The harness itself: a page that asks for a web resource is caught."""
    path = tmp_path / "cdn.html"
    path.write_text('<html><body><img src="https://cdn.example.org/x.png"></body></html>', encoding="utf-8")
    with offline_page(path) as (page, log):
        page.wait_for_load_state("load")
    assert log.blocked == ["https://cdn.example.org/x.png"]
    assert log.failed
