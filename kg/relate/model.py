"""The learned relation classifier at run time: it decides an article's relations.

The resolver hands it the resolved doc (`kg.resolve.resolver.Resolver(relations=…)`): every candidate
mention pair of the article (`kg.relate.candidates`) is scored by a logistic regression over
sparse features (`kg.relate.features`), the probabilities of an entity pair's mention pairs are
aggregated by their maximum, and a relation is kept when that reaches the relation's threshold
(chosen by cross-validation in training). The probability becomes the fact's confidence
(`kgo:confidence`); the evidence is the sentence of the most probable mention pair.

It runs in the resolve stage rather than as a spaCy component because its decisions are about
entities, not spans: mentions are grouped by canonical entity, and the relations read off
names (locatedIn and subOrganizationOf, 368 of the 968 gold relations) only exist after
canonicalisation. Pure Python at run time: a dict of weights in one JSON file
(`kg/models/relations.json`, 0.6 MB, read in 10 ms), trained by
`kg.learn.relations.train_relations`; on the shared corpus it decides an article in about
17 ms (300 candidate pairs; the pipeline before it takes about 60). Figures: README, Quality.
"""
from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from kg.model import Fact
from kg.relate.candidates import Candidate, Layout, candidates
from kg.relate.features import ArticleFeatures
from kg.relate.mentions import ArticleMentions, Key, from_doc
from kg.text.normalize import Normalized

FORMAT = "kg-relation-model/1"
FILE = "relations.json"  # its name in a model folder (kg/models, or what `kg train` writes)
SHIPPED = Path(__file__).resolve().parents[1] / "models" / FILE

Triple = tuple[Key, str, Key]


@dataclass
class RelationModel:
    weights: dict[str, float]  # feature → weight; a feature absent here weighs nothing
    thresholds: dict[str, float]  # relation → the least probability kept
    type_pairs: dict[str, set[tuple[str, str]]]  # relation → the (head type, tail type) pairs it links
    one_tail: set[str]  # relations that give each head one tail at most (locatedIn: one seat per body)

    def __post_init__(self) -> None:
        # per relation, each unprefixed feature's weight for it plus its `*|` weight: scoring a
        # candidate is one lookup per feature, and no feature string is built
        by_prefix: dict[str, dict[str, float]] = {}
        for name, w in self.weights.items():
            prefix, _, feature = name.partition("|")
            by_prefix.setdefault(prefix, {})[feature] = w
        every = by_prefix.get("*", {})
        self.summed = {r: {f: own.get(f, 0.0) + every.get(f, 0.0) for f in own.keys() | every.keys()}
                       for r in self.type_pairs for own in [by_prefix.get(r, {})]}

    def probability(self, relation: str, features: frozenset[str]) -> float:
        """The probability of a candidate of `relation` with these (unprefixed) features.

        fsum: the same sum in any order of the set, so the same decisions on every run."""
        weights = self.summed[relation]
        z = math.fsum([weights.get(f, 0.0) for f in features])
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def pair_scores(self, cands: list[Candidate], features: list[frozenset[str]]) -> dict[Triple, tuple[float, int]]:
        """Each candidate entity pair's probability, the most probable of its mention pairs
        (with that pair's index); for a one-tail relation only the most probable tail of each head.

        The maximum rather than a noisy-or: an entity pair named together in many sentences
        is no more likely to be related than one named once in a sentence that says so.
        """
        best: dict[Triple, tuple[float, int]] = {}
        for i, (c, f) in enumerate(zip(cands, features)):
            p = self.probability(c.relation, f)
            key = (c.head_entity, c.relation, c.tail_entity)
            if key not in best or p > best[key][0]:
                best[key] = (p, i)
        top: dict[tuple[Key, str], Triple] = {}
        for key, (p, _) in sorted(best.items()):
            if key[1] in self.one_tail and ((key[0], key[1]) not in top or p > best[top[key[0], key[1]]][0]):
                top[key[0], key[1]] = key
        kept = set(top.values())
        return {k: v for k, v in best.items() if k[1] not in self.one_tail or k in kept}

    def scores(self, view: ArticleMentions) -> dict[Triple, tuple[float, Candidate]]:
        """`pair_scores` of an article's candidates, with the chosen mention pair of each."""
        layout = Layout(view)
        featurize = ArticleFeatures(view, layout)
        cands = candidates(view, layout, self.type_pairs)
        return {k: (p, cands[i]) for k, (p, i) in self.pair_scores(cands, [featurize(c) for c in cands]).items()}

    def decide(self, view: ArticleMentions, norm: Normalized) -> list[Fact]:
        """The facts whose probability reaches their relation's threshold, with their evidence."""
        named = {(f.head, f.relation, f.tail): f for f in view.name_facts}
        starts, ends = [s for s, _ in view.sentences], [e for _, e in view.sentences]
        facts = []
        for key, (p, c) in sorted(self.scores(view).items()):
            if p < self.thresholds[c.relation]:
                continue
            if c.scope == "name" or c.tail is None:
                f = named[key]
                facts.append(Fact(f.head, f.relation, f.tail, round(p, 2), f.sentence, f.start, f.end))
                continue
            start, end = evidence(view, c, starts, ends)
            s, e = norm.to_original(start, end)
            facts.append(Fact(c.head_entity, c.relation, c.tail_entity, round(p, 2), norm.original[s:e].strip(), s, e))
        return facts

    def __call__(self, doc: Doc, span_key: dict[tuple[int, int, str], Key], norm: Normalized,
                 facts: list[Fact]) -> list[Fact]:
        """The resolver's hook (`kg.resolve.resolver.RelationDecider`): the rules' facts in, the model's out."""
        return self.decide(from_doc(doc, span_key, facts), norm)

    # -- files -----------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        data = {"format": FORMAT,
                "thresholds": {r: round(t, 4) for r, t in sorted(self.thresholds.items())},
                "type_pairs": {r: sorted(map(list, ps)) for r, ps in sorted(self.type_pairs.items())},
                "one_tail": sorted(self.one_tail),
                "weights": {f: round(w, 4) for f, w in sorted(self.weights.items()) if round(w, 4)}}
        return (json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "RelationModel":
        d = json.loads(data)
        if d.get("format") != FORMAT:
            raise ValueError(f"not a relation model of format {FORMAT}: {d.get('format')!r}")
        return cls(dict(d["weights"]), dict(d["thresholds"]),
                   {r: {tuple(p) for p in ps} for r, ps in d["type_pairs"].items()}, set(d["one_tail"]))

    def to_disk(self, path: Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def from_disk(cls, path: Path = SHIPPED) -> "RelationModel":
        return cls.from_bytes(Path(path).read_bytes())


def evidence(view: ArticleMentions, c: Candidate, starts: list[int], ends: list[int]) -> tuple[int, int]:
    """The normalized-text span from the start of the first mention's sentence to the end of the last's.

    starts, ends: of the view's sentences (in order, not overlapping), read once per article."""
    a, b = view.mentions[c.head], view.mentions[c.tail]
    start, end = min(a.start, b.start), max(a.end, b.end)
    spans = view.sentences[bisect_right(ends, start):bisect_left(starts, end)]  # those that overlap the pair
    return (spans[0][0], spans[-1][1]) if spans else (start, end)
