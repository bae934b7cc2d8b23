"""Score a graph against gold annotations, as ../shared/eval/score.py does.

Users measure kg on their own annotated articles with `kg evaluate GOLD_DIR
GRAPH`. Gold files follow GUIDELINES.md: one `<article id>.json` per article with
`entities` (id, type, name, aliases) and `relations` (s, p, o). A graph entity
matches a gold entity of the same type in the same article when one of its
labels equals the gold name or an alias once both are normalised (pinyin
removed, NFKC, traditional → simplified, quotes and spaces dropped, lower case).
Each gold entity takes the first unused graph entity that matches, graph
entities taken in IRI order so that the figures never depend on file format.
Relations are compared over the whole corpus as (subject, relation, object).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.model import ArticleGraph
from kg.rdf.graph import nquads
from kg.store.store import Store
from kg.text.keys import match_key
from kg.vocab import VOCAB

HEADLINE, OTHER, RELATIONS = VOCAB.headline, VOCAB.other, tuple(VOCAB.relations)


class GoldError(ValueError):
    """A gold file that cannot be read."""


def local_name(iri: object) -> str:
    return re.split(r"[#/]", str(iri))[-1]


@dataclass
class Counts:
    tp: int = 0
    system: int = 0
    gold: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.system if self.system else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.system + other.system, self.gold + other.gold)


@dataclass
class Scores:
    entities: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in HEADLINE + OTHER})
    relations: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in RELATIONS})
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # gold articles the graph does not have
    missed_relations: list[str] = field(default_factory=list)
    spurious_relations: list[str] = field(default_factory=list)

    def total(self, keys: tuple[str, ...], table: dict[str, Counts]) -> Counts:
        return sum((table[k] for k in keys), Counts())

    @property
    def headline(self) -> Counts:
        return self.total(HEADLINE, self.entities)

    @property
    def other(self) -> Counts:
        return self.total(OTHER, self.entities)

    @property
    def relations_micro(self) -> Counts:
        return self.total(RELATIONS, self.relations)

    @property
    def relations_macro_f1(self) -> float:
        present = [c for c in self.relations.values() if c.gold]
        return sum(c.prf()[2] for c in present) / len(present) if present else 0.0

    def table(self, errors: bool = False) -> str:
        """score.py's report: per type, per relation, the micro averages, and errors if asked."""
        row = lambda k, c: f"{k:18}" + "".join(f"{x:7.3f}" for x in c.prf()) + f"{c.tp:6}{c.system:6}{c.gold:6}"  # noqa: E731
        lines = [f"{'':18}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'sys':>6}{'gold':>6}", "-- entities"]
        lines += [row(k, c) for k, c in self.entities.items()]
        lines += ["-- relations"] + [row(k, c) for k, c in self.relations.items()]
        lines += [row("headline entities", self.headline), row("other entities", self.other),
                  row("relations", self.relations_micro), f"{'relations macro F1':18}{'':14}{self.relations_macro_f1:7.3f}"]
        if errors:
            for title, items in (("missed entities (doc, type, gold name)", self.missed),
                                 ("spurious entities (doc, type, a name)", self.spurious),
                                 ("missed relations", self.missed_relations),
                                 ("spurious relations", self.spurious_relations)):
                lines += [f"-- {title}"] + (items or ["(none)"])
        lines.append(f"entities F1={self.headline.prf()[2]:.3f} (other {self.other.prf()[2]:.3f}) "
                     f"relations F1={self.relations_micro.prf()[2]:.3f}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        figures = lambda c: dict(zip(("p", "r", "f1"), c.prf()))  # noqa: E731
        return {"entities": {k: [c.tp, c.system, c.gold] for k, c in self.entities.items()},
                "relations": {k: [c.tp, c.system, c.gold] for k, c in self.relations.items()},
                "headline": figures(self.headline), "other": figures(self.other),
                "relations_micro": figures(self.relations_micro), "relations_macro_f1": self.relations_macro_f1}


def store_of(graphs: Iterable[ArticleGraph]) -> Store:
    """An in-memory store holding these article graphs, as a build would store them."""
    store = Store.in_memory()
    store.put_nquads([nquads(ag) for ag in graphs])
    return store


def load_gold(folder: Path) -> dict[str, dict]:
    """Gold annotations by article id, checked enough to give one-line errors."""
    gold = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ids = {e["id"] for e in data["entities"]}
            for e in data["entities"]:
                if e["type"] not in HEADLINE + OTHER or not isinstance(e["name"], str):
                    raise ValueError(f"entity {e['id']}: unknown type {e['type']!r}")
            for r in data.get("relations", []):
                if r["s"] not in ids or r["o"] not in ids:
                    raise ValueError(f"relation {r} names an unknown entity")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise GoldError(f"{path}: not a gold file ({type(e).__name__}: {e})") from e
        gold[data.get("doc", path.stem)] = data
    if not gold:
        raise GoldError(f"{folder}: no gold .json files")
    return gold


def system_entities(graph: Dataset) -> dict[object, tuple[str, set[str], set[str]]]:
    """Entity IRI → (type, match keys of its labels, ids of the articles it is mentioned in)."""
    ids = defaultdict(set)
    for doc, _, ident in graph.triples((None, DCTERMS.identifier, None)):
        ids[doc].add(str(ident))
    out = {}
    for e, _, cls in graph.triples((None, RDF.type, None)):
        kind = local_name(cls)
        if kind not in HEADLINE + OTHER:
            continue
        names = {match_key(o) for p in (RDFS.label, SKOS.altLabel, SKOS.prefLabel) for o in graph.objects(e, p)}
        docs = {i for _, p, d in graph.triples((e, None, None)) if local_name(p) == "mentionedIn" for i in ids.get(d, ())}
        out[e] = (kind, names - {""}, docs)
    return out


def score(gold: dict[str, dict], graph: Dataset) -> Scores:
    """Entity and relation counts of the graph against the gold annotations."""
    result = Scores()
    articles = {str(i) for i in graph.objects(None, DCTERMS.identifier)}
    result.unmatched = sorted(set(gold) - articles)
    if gold and len(result.unmatched) == len(gold):
        shown = lambda ids: ", ".join(sorted(ids)[:3]) + (" …" if len(ids) > 3 else "")  # noqa: E731
        raise GoldError(f"no gold file matches an article of the graph (gold: {shown(gold)};"
                        f" graph: {shown(articles) or 'no articles'}); gold files are named <article id>.json")
    ents = system_entities(graph)
    by_doc = defaultdict(list)
    for e in sorted(ents, key=str):
        for doc in ents[e][2]:
            by_doc[doc].append(e)
    to_gold = defaultdict(set)
    gold_rel = set()
    for doc, data in gold.items():
        keys = {g["id"]: (g["type"], match_key(g["name"]), {match_key(n) for n in [g["name"], *g.get("aliases", [])]} - {""})
                for g in data["entities"]}
        here = by_doc.get(doc, [])
        for kind, _, _ in keys.values():
            result.entities[kind].gold += 1
        for e in here:
            result.entities[ents[e][0]].system += 1
        used = set()
        for kind, name, names in keys.values():
            hit = next((e for e in here if e not in used and ents[e][0] == kind and ents[e][1] & names), None)
            if hit is None:
                result.missed.append(f"{doc}\t{kind}\t{name}")
                continue
            used.add(hit)
            result.entities[kind].tp += 1
            to_gold[hit].add((kind, name))
        result.spurious += [f"{doc}\t{ents[e][0]}\t{sorted(ents[e][1])[:1]}" for e in here if e not in used]
        for r in data.get("relations", []):
            gold_rel.add(VOCAB.ordered(keys[r["s"]][:2], r["p"], keys[r["o"]][:2]))

    gold_keys = {(g["type"], match_key(g["name"])) for data in gold.values() for g in data["entities"]}
    scored = {str(e) for doc in gold for e in by_doc.get(doc, [])}
    system_rel = set()
    for s, p, o in graph.triples((None, None, None)):
        rel = local_name(p)
        if rel not in RELATIONS or s not in ents or o not in ents:
            continue
        for a in to_gold.get(s, {("?", str(s))}):
            for b in to_gold.get(o, {("?", str(o))}):
                if (a in gold_keys or a[1] in scored) and (b in gold_keys or b[1] in scored):
                    system_rel.add(VOCAB.ordered(a, rel, b))
    for rel in RELATIONS:
        g = {t for t in gold_rel if t[1] == rel}
        s = {t for t in system_rel if t[1] == rel}
        result.relations[rel] = Counts(len(g & s), len(s), len(g))
    result.missed_relations = [f"{s[1]} {p} {o[1]}" for s, p, o in sorted(gold_rel - system_rel)]
    result.spurious_relations = [f"{s[1]} {p} {o[1]}" for s, p, o in sorted(system_rel - gold_rel)]
    return result
