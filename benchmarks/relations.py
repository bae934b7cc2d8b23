"""The learned relation classifier cross-validated by article, beside the rules and the ceiling.

    python benchmarks/relations.py [--shared ../shared] [--k 5] [--seed 13] [--mentions pipeline|gold] [--out DIR]

Over seeds + dev + train of ../shared/corpus: each fold's model is trained without the fold's
articles, which are then built by the real pipeline with that model deciding relations
(`cross_validate` here). Prints per relation P/R/F1 of the rules alone and of the classifier, the
ceiling's recall (the gold relations some candidate reaches), micro and macro; then scores the
two graphs again with ../shared/eval/score.py as a check. `--mentions gold` uses the gold names as
the mentions (the classifier apart from the entity model's errors). Articles listed in
benchmarks/sealed.txt are in these aggregate figures only; nothing here prints their errors.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from collections.abc import Sequence
from dataclasses import dataclass

from kg.learn.corpus import Annotated, folds, read_annotated
from kg.learn.evaluate import RELATIONS, Counts, Scores, score, store_of
from kg.learn.relations import (AnalyserFactory, Sample, collect, default_analyser, examples, gold_mention_factory,
                                train, type_pairs)
from kg.model import ArticleGraph, Fact
from kg.out.export import render
from kg.out.files import write_all
from kg.resolve.resolver import dedupe

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CrossValidation:
    rules: Scores
    model: Scores
    ceiling: Scores
    rules_graphs: list[ArticleGraph]
    model_graphs: list[ArticleGraph]


def cross_validate(annotated: Sequence[Annotated], k: int = 5, seed: int = 13,
                   analyser_factory: AnalyserFactory | None = None) -> CrossValidation:
    """k-fold cross-validation by article (`kg.learn.corpus.folds(ids, k, seed)`).

    analyser_factory: the mention source, as in `kg.learn.relations.collect` (the pipeline's
    own by default; `kg.learn.relations.gold_mention_factory` for the gold names).
    """
    factory = analyser_factory or default_analyser
    samples = collect(annotated, factory)
    by_id = {a.id: a for a in annotated}
    decided = {}
    for held in folds(list(by_id), k, seed):
        model = train([s for s in samples if s.id not in held], seed)
        analyse = factory(model)
        decided.update({i: analyse(by_id[i].article) for i in held})
    gold = {a.id: a.gold for a in annotated}
    rules_graphs = [s.graph for s in samples]
    model_graphs = [decided[s.id] for s in samples]
    return CrossValidation(score(gold, store_of(rules_graphs).dataset()), score(gold, store_of(model_graphs).dataset()),
                           score(gold, store_of(ceiling(samples)).dataset()), rules_graphs, model_graphs)


def ceiling(samples: Sequence[Sample]) -> list[ArticleGraph]:
    """Each article's graph with exactly the candidate relations that are gold."""
    ex = examples(samples, type_pairs())
    out = []
    for s, cs, labels in zip(ex.samples, ex.candidates, ex.labels):
        facts = [Fact(c.head_entity, c.relation, c.tail_entity, 1.0, "", 0, 0) for c, y in zip(cs, labels) if y]
        out.append(ArticleGraph(s.graph.article, s.graph.entities, dedupe(facts)))
    return out



def cells(c: Counts) -> str:
    return "".join(f"{x:6.3f}" for x in c.prf())


def table(cv_rules: Scores, cv_model: Scores, ceiling: Scores) -> str:
    lines = [f"{'':18}{'rules P':>8}{'R':>6}{'F1':>6}  {'model P':>8}{'R':>6}{'F1':>6}  {'ceiling R':>9}{'gold':>6}"]
    for rel in RELATIONS:
        lines.append(f"{rel:18}  {cells(cv_rules.relations[rel])}    {cells(cv_model.relations[rel])}"
                     f"     {ceiling.relations[rel].prf()[1]:6.3f}{cv_rules.relations[rel].gold:6}")
    lines.append(f"{'micro':18}  {cells(cv_rules.relations_micro)}    {cells(cv_model.relations_micro)}"
                 f"     {ceiling.relations_micro.prf()[1]:6.3f}{cv_rules.relations_micro.gold:6}")
    lines.append(f"{'macro F1':18}{'':14}{cv_rules.relations_macro_f1:6.3f}{'':14}{cv_model.relations_macro_f1:6.3f}"
                 f"  (ceiling F1 {ceiling.relations_micro.prf()[2]:.3f}, macro {ceiling.relations_macro_f1:.3f})")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--mentions", choices=("pipeline", "gold"), default="pipeline")
    ap.add_argument("--out", type=Path, help="keep the graphs (rules/, model/) here")
    args = ap.parse_args()
    corpus = args.shared / "corpus"
    annotated = read_annotated([corpus / "seeds", corpus / "dev", corpus / "train"])
    factory = gold_mention_factory(annotated) if args.mentions == "gold" else None
    start = time.perf_counter()
    cv = cross_validate(annotated, args.k, args.seed, factory)
    print(f"{len(annotated)} articles, {args.k} folds (seed {args.seed}), {args.mentions} mentions, "
          f"{time.perf_counter() - start:.0f} s")
    print(table(cv.rules, cv.model, cv.ceiling))
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        gold_dir = out / "gold"
        gold_dir.mkdir(parents=True, exist_ok=True)
        for a in annotated:
            (gold_dir / f"{a.id}.json").write_text(json.dumps(a.gold, ensure_ascii=False), encoding="utf-8")
        for name, graphs in (("rules", cv.rules_graphs), ("model", cv.model_graphs)):
            write_all(out / name, render(store_of(graphs)))
            result = subprocess.run([sys.executable, str(args.shared / "eval" / "score.py"), str(gold_dir),
                                     str(out / name / "graph.ttl")], capture_output=True, text=True, check=True)
            print(f"score.py {name}: " + " | ".join(result.stdout.strip().splitlines()[-4:-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
