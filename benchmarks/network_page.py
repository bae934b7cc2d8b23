"""How fast a 2,000-entity network page becomes usable in headless Chromium.

Generates a synthetic graph shaped like a large kg build (cases handled by
agencies, involving companies and brands; agencies in places and under other
agencies; campaigns, awards, documents), renders it with kg.out.view, opens it in
Debian's Chromium with the network blocked, and reports the time from the start
of navigation until the network is drawn in its final layout (the page sets
``window.kg.readyMs`` then). Target: under 5 s.

    nice -n 10 python benchmarks/network_page.py [--nodes 2000] [--keep page.html]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import PROV

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser driver is test tooling
from browser import offline_page  # noqa: E402
from kg.rdf.graph import bind
from kg.rdf.namespaces import KGO, article_iri, entity_iri, statement_iri
from kg.out.page import render_network

TARGET_S = 5.0
# share of entities per class, roughly as in a corpus build
SHARES = {"Case": 0.30, "Company": 0.25, "Agency": 0.15, "Brand": 0.10, "Place": 0.06, "Person": 0.05,
          "Campaign": 0.03, "Association": 0.02, "Award": 0.02, "LegalDocument": 0.02}
# (relation, head class, tail class, edges per head entity)
LINKS = [("handledBy", "Case", "Agency", 1.3), ("involves", "Case", "Company", 1.2),
         ("concernsBrand", "Case", "Brand", 0.5), ("locatedIn", "Agency", "Place", 1.0),
         ("locatedIn", "Company", "Place", 0.5), ("subOrganizationOf", "Agency", "Agency", 0.3),
         ("cooperatesWith", "Agency", "Agency", 0.3), ("conducted", "Agency", "Campaign", 0.3),
         ("receivedAward", "Company", "Award", 0.1), ("awardedBy", "Award", "Agency", 1.0),
         ("partyTo", "Association", "LegalDocument", 1.0), ("involves", "Case", "Person", 0.2)]


def synthetic_graph(n: int, seed: int = 7) -> rdflib.Graph:
    """About n invented entities and 1.5 n relations, each relation with an evidence statement."""
    rnd = random.Random(seed)
    g = bind(rdflib.Graph())
    articles = [article_iri(f"syn-{i:04d}") for i in range(max(1, n // 10))]
    for a in articles:
        g.add((a, RDF.type, KGO.Article))
    members: dict[str, list[rdflib.URIRef]] = {}
    for cls, share in SHARES.items():
        members[cls] = []
        for i in range(max(1, round(n * share))):
            e = entity_iri(cls, f"{cls}{i}")
            g.add((e, RDF.type, KGO[cls]))
            g.add((e, RDFS.label, Literal(f"合成{cls}{i}号", lang="zh")))
            g.add((e, KGO.mentionedIn, rnd.choice(articles)))
            members[cls].append(e)
    for rel, head, tail, rate in LINKS:
        for h in members[head]:
            for _ in range(int(rate) + (rnd.random() < rate % 1)):
                t = rnd.choice(members[tail])
                if t == h:
                    continue
                a = rnd.choice(articles)
                g.add((h, KGO[rel], t))
                st = statement_iri(str(a), str(h), rel, str(t))
                g.add((st, RDF.type, RDF.Statement))
                g.add((st, RDF.subject, h))
                g.add((st, RDF.predicate, KGO[rel]))
                g.add((st, RDF.object, t))
                g.add((st, PROV.wasDerivedFrom, a))
                g.add((st, KGO.sentence, Literal(f"合成句子：{rel} 第{rnd.randrange(10**6)}条证据。")))
    return g


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--keep", type=Path, help="also write the page here")
    args = ap.parse_args()

    g = synthetic_graph(args.nodes)
    t0 = time.perf_counter()
    html, stats = render_network(g)
    render_s = time.perf_counter() - t0
    print(f"graph: {stats.nodes} entities, {stats.edges} relations; page {len(html) / 1e6:.1f} MB, "
          f"rendered in {render_s:.2f} s (Python)")
    with tempfile.TemporaryDirectory() as tmp:
        page_path = args.keep or Path(tmp) / "network.html"
        page_path.write_bytes(html)
        t0 = time.perf_counter()
        with offline_page(page_path) as (page, log):
            page.wait_for_function("window.kg && window.kg.readyMs", timeout=120_000, polling=50)
            wall_s = time.perf_counter() - t0
            ready_ms, steps, drawn = page.evaluate("[kg.readyMs, kg.layoutSteps, kg.network.body.nodeIndices.length]")
    print(f"stable after {ready_ms / 1000:.2f} s from navigation ({wall_s:.2f} s including browser start); "
          f"{drawn} nodes drawn, {steps} physics steps; target < {TARGET_S:.0f} s")
    if log.failed or log.errors or log.blocked:
        print(f"page problems: failed={log.failed} blocked={log.blocked} errors={log.errors}", file=sys.stderr)
        return 1
    return 0 if ready_ms / 1000 < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
