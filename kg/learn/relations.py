"""Train the relation classifier (`kg.relate.RelationModel`) from annotated articles.

Each annotated article is run through the real pipeline once (`collect`), with whatever
entity mentions that pipeline produces, so that the classifier learns on the mentions it
will see at run time. A candidate mention pair (h, t, r) is a positive example when h's and
t's entities match gold entities as the scorer matches them (`kg.text.keys.match_key` over
all their names, each gold entity taking the first unmatched system entity in IRI order)
and (gold h, r, gold t) is a gold relation.

The classifier is an L2-regularised logistic regression over binary features, fitted by
full-batch Adam in numpy (no scikit-learn: the same bytes on every machine with the same
data and seed). The figures barely move with its settings (5 folds, best thresholds: F1
0.490–0.494 for L2 1e-4…3e-3, 300 or 600 steps, features seen once, twice or three times);
training on the mention pairs of entity pairs pooled into one example measured 0.485. The threshold of each relation is chosen by cross-validation inside the
training articles: out-of-fold probabilities of the entity pairs, and the threshold that
maximises that relation's F1 there, gold relations that no candidate reaches counting as
misses.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from kg.learn.corpus import Annotated, folds
from kg.learn.evaluate import match_key
from kg.model import Article, ArticleGraph, Fact
from kg.rdf.namespaces import entity_iri
from kg.relate.candidates import SCOPES, SYMMETRIC, Candidate, Layout, candidates
from kg.relate.features import ArticleFeatures, prefixed
from kg.relate.mentions import ArticleMentions, Key, from_doc
from kg.relate.model import FILE, RelationModel, Triple
from kg.resolve.resolver import RelationDecider
from kg.text.normalize import Normalized
from kg.vocab import VOCAB

# builds an analyser (kg.run.analyse.Analyser or one of its shape) around a relation decider
AnalyserFactory = Callable[[RelationDecider], Callable[[Article], ArticleGraph]]
MIN_COUNT = 2  # a feature seen in fewer training candidates gets no weight
L2 = 1e-3  # on the mean log loss
STEPS = 300
LEARNING_RATE = 0.1
INNER_FOLDS = 4
GRID = tuple(round(0.05 + 0.01 * i, 2) for i in range(91))  # thresholds tried: 0.05 … 0.95


@dataclass
class Sample:
    """One annotated article as the pipeline saw it: its mentions and the rules' graph."""

    annotated: Annotated
    view: ArticleMentions
    norm: Normalized
    graph: ArticleGraph

    @property
    def id(self) -> str:
        return self.annotated.id


class _Recorder:
    """A resolver hook that keeps what the relation model would read and changes nothing."""

    def __init__(self) -> None:
        self.seen: list[tuple[ArticleMentions, Normalized]] = []

    def __call__(self, doc: Doc, span_key: dict, norm: Normalized, facts: list[Fact]) -> list[Fact]:
        self.seen.append((from_doc(doc, span_key, facts), norm))
        return facts


def default_analyser(relations: RelationDecider) -> Callable[[Article], ArticleGraph]:
    from kg.run.analyse import Analyser  # loads spaCy: only when training

    return Analyser(relations=relations)


def collect(annotated: Iterable[Annotated], analyser_factory: AnalyserFactory | None = None) -> list[Sample]:
    """Each article through the pipeline with the rules deciding relations.

    analyser_factory(relations) builds the analyser (`kg.run.analyse.Analyser` by default): the
    mention source is whatever pipeline it runs, so a learned entity model plugs in here.
    """
    recorder = _Recorder()
    analyse = (analyser_factory or default_analyser)(recorder)
    out = []
    for a in annotated:
        graph = analyse(a.article)
        if len(recorder.seen) != 1:  # an article long enough to be cut into pieces
            raise ValueError(f"{a.id}: too long to train on ({len(a.article.text)} characters)")
        view, norm = recorder.seen.pop()
        out.append(Sample(a, view, norm, graph))
    return out


def gold_links(sample: Sample) -> dict[Key, str]:
    """System entity key → the gold entity id it matches, as the scorer matches them."""
    ents = sorted(sample.graph.entities.values(), key=lambda e: str(entity_iri(e.type, e.name)))
    names = {e.key: {match_key(n) for n in {e.name, *e.aliases}} - {""} for e in ents}
    out: dict[Key, str] = {}
    for g in sample.annotated.gold["entities"]:
        wanted = {match_key(n) for n in [g["name"], *g.get("aliases", [])]} - {""}
        hit = next((e for e in ents if e.key not in out and e.type == g["type"] and names[e.key] & wanted), None)
        if hit is not None:
            out[hit.key] = g["id"]
    return out


def gold_relations(sample: Sample) -> set[tuple[str, str, str]]:
    """The article's gold relations as (gold id, relation, gold id), symmetric ones both ways."""
    out = set()
    for r in sample.annotated.gold.get("relations", []):
        out.add((r["s"], r["p"], r["o"]))
        if r["p"] in SYMMETRIC:
            out.add((r["o"], r["p"], r["s"]))
    return out


def gold_counts(samples: Iterable[Sample]) -> Counter:
    """Gold relations per relation, a symmetric pair counted once."""
    counts: Counter = Counter()
    for s in samples:
        counts.update(p for h, p, t in gold_relations(s) if p not in SYMMETRIC or h <= t)
    return counts


def type_pairs() -> dict[str, set[tuple[str, str]]]:
    """relation → the (head type, tail type) pairs its domain and range allow (the vocabulary).

    All of them, not only those the training gold uses: Company → Award is missing from the
    gold of some folds, and without its candidates those folds lost every award won by a firm.
    """
    return {r: {(a, b) for a in v.domain for b in v.range} for r, v in VOCAB.relations.items()}


@dataclass
class Examples:
    """The candidates of some articles with their features and labels."""

    samples: list[Sample]
    candidates: list[list[Candidate]]
    features: list[list[frozenset[str]]]  # each candidate's features, unprefixed
    labels: list[list[bool]]
    trained: list[list[bool]]  # whether the candidate is a training example (see `examples`)


def examples(samples: Sequence[Sample], pairs: dict[str, set[tuple[str, str]]]) -> Examples:
    """Candidates, features and labels of the samples.

    A gold entity pair is usually mentioned together more than once, and only some of its
    mention pairs say so ("A荣获X" does, "X…。A…" two lines on does not). Its mention pairs in
    the closest scope are the positive examples; its farther ones are left out of training
    rather than taught as positives. Measured: taught as positives, they made far pairs of
    every relation likely and receivedAward fell to F1 0.19 (oracle thresholds, 5 folds).
    """
    cands, feats, labels, trained = [], [], [], []
    for s in samples:
        layout = Layout(s.view)
        featurize = ArticleFeatures(s.view, layout)
        cs = candidates(s.view, layout, pairs)
        links, gold = gold_links(s), gold_relations(s)
        ys = [(links.get(c.head_entity), c.relation, links.get(c.tail_entity)) in gold for c in cs]
        closest: dict[Triple, int] = {}
        for c, y in zip(cs, ys):
            if y:
                key = (c.head_entity, c.relation, c.tail_entity)
                closest[key] = min(closest.get(key, len(SCOPES)), SCOPES.index(c.scope))
        cands.append(cs)
        feats.append([featurize(c) for c in cs])
        labels.append(ys)
        trained.append([not y or SCOPES.index(c.scope) == closest[(c.head_entity, c.relation, c.tail_entity)]
                        for c, y in zip(cs, ys)])
    return Examples(list(samples), cands, feats, labels, trained)


def fit(ex: Examples, pairs: dict[str, set[tuple[str, str]]], single: set[str]) -> RelationModel:
    """Logistic regression on every candidate of the examples (thresholds left at 0.5)."""
    chosen = [(prefixed(c.relation, fs), y) for article in zip(ex.candidates, ex.features, ex.labels, ex.trained)
              for c, fs, y, keep in zip(*article) if keep]
    counts = Counter(f for fs, _ in chosen for f in fs)
    index = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    rows, cols = [], []
    for n, (fs, _) in enumerate(chosen):
        ids = [index[f] for f in fs if f in index]
        rows += [n] * len(ids)
        cols += ids
    y = np.array([label for _, label in chosen], dtype=np.float64)
    w = adam(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), y, len(index))
    names = sorted(index, key=index.get)
    return RelationModel({f: float(w[i]) for i, f in enumerate(names)}, {r: 0.5 for r in pairs}, pairs, single)


def adam(rows: np.ndarray, cols: np.ndarray, y: np.ndarray, n_features: int) -> np.ndarray:
    """Weights minimising mean log loss + L2/2·|w|² over binary features, by full-batch Adam."""
    w = np.zeros(n_features)
    m, v = np.zeros(n_features), np.zeros(n_features)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        z = np.bincount(rows, weights=w[cols], minlength=len(y))
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        grad = np.bincount(cols, weights=(p - y)[rows], minlength=n_features) / len(y) + L2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= LEARNING_RATE * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return w


def pair_scores(model: RelationModel, ex: Examples) -> list[tuple[str, float, bool]]:
    """(relation, probability, is gold) of each candidate entity pair of the examples."""
    out = []
    for cs, fs, ls in zip(ex.candidates, ex.features, ex.labels):
        out += [(key[1], p, ls[i]) for key, (p, i) in sorted(model.pair_scores(cs, fs).items())]
    return out


def one_tail(samples: Iterable[Sample]) -> set[str]:
    """Relations of which no gold head has two tails in the samples: locatedIn and
    subOrganizationOf in the 70 shared articles (308 and 60 heads), "one seat per body"."""
    tails: Counter = Counter()
    for s in samples:
        tails.update((s.id, h, p) for h, p, t in gold_relations(s) if p not in SYMMETRIC)
    several = {p for (_, _, p), n in tails.items() if n > 1}
    seen = {p for (_, _, p) in tails}
    return seen - several


def choose_thresholds(scored: list[tuple[str, float, bool]], gold: Counter, relations: Iterable[str]) -> dict[str, float]:
    """Per relation, the threshold of GRID with the best F1 (ties: the one nearest 0.5)."""
    out = {}
    for rel in relations:
        ps = np.array([p for r, p, _ in scored if r == rel])
        ys = np.array([y for r, _, y in scored if r == rel], dtype=bool)
        best = (-1.0, 0.0, 0.5)
        for t in GRID:
            kept = ps >= t
            tp = int((kept & ys).sum())
            f1 = 2 * tp / (kept.sum() + gold[rel]) if kept.sum() + gold[rel] else 0.0
            best = max(best, (f1, -abs(t - 0.5), t))
        out[rel] = best[2]
    return out


def train(samples: Sequence[Sample], seed: int = 13) -> RelationModel:
    """A relation model for the samples: the average of k inner models, each fitted without
    one inner fold, with each relation's threshold chosen on their out-of-fold probabilities.

    Averaging the models whose probabilities chose the thresholds keeps model and thresholds
    consistent; a model refitted on all samples is more confident than they were. Measured
    (5-fold CV over the 70 articles): relations F1 0.445 / macro 0.419 averaged, 0.438 / 0.411
    refitted. Fewer than two samples: one fit, thresholds 0.5.
    """
    pairs, single = type_pairs(), one_tail(samples)
    k = min(INNER_FOLDS, len(samples))
    if k < 2:
        return fit(examples(samples, pairs), pairs, single)
    by_id = {s.id: s for s in samples}
    inner, scored = [], []
    for held in folds(list(by_id), k, seed):
        inner.append(fit(examples([s for s in samples if s.id not in held], pairs), pairs, single))
        scored += pair_scores(inner[-1], examples([by_id[i] for i in held], pairs))
    names = sorted({f for m in inner for f in m.weights})
    weights = {f: sum(m.weights.get(f, 0.0) for m in inner) / k for f in names}
    return RelationModel(weights, choose_thresholds(scored, gold_counts(samples), pairs), pairs, single)


def train_relations(annotated: Sequence[Annotated], out_dir: Path, seed: int = 13,
                    analyser_factory: AnalyserFactory | None = None) -> Path:
    """Train on annotated articles and write the model into the folder `out_dir`; returns its path.

    analyser_factory: the pipeline whose mentions the model learns from (see `collect`).
    """
    model = train(collect(annotated, analyser_factory), seed)
    out = Path(out_dir) / FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    model.to_disk(out)
    return out


def gold_mention_factory(annotated: Sequence[Annotated]) -> AnalyserFactory:
    """An analyser factory whose mentions are the gold names of these articles (for measuring
    the classifier apart from the entity model's errors). Measured as extra training views they
    did not help: 5-fold CV relations F1 0.434 with them, 0.438 without."""
    from kg.learn.goldmentions import GoldMentionAnalyser

    golds = {a.id: a.gold for a in annotated}
    return lambda relations: GoldMentionAnalyser(golds, relations)
