"""Cross-validation by article: every annotated article built by models that never saw it.

The articles are dealt into k folds (`kg.learn.corpus.folds`, fixed by a seed).
For each fold, models are trained on the other folds' articles into a folder of
their own, and the fold's articles are built with them; the union of these
graphs is the cross-validated graph, scored like any build (`kg.learn.evaluate`
or ../shared/eval/score.py). Its figures are what kg can be expected to do on
articles like these that it was not trained on; the in-sample figures (models
trained on every article, scored on the same) say much less.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Dataset

from kg.learn.corpus import Annotated, folds
from kg.rdf.datasets import new_dataset
from kg.run.builder import build_articles

Train = Callable[[Sequence[Annotated], Path], None]  # trains models from annotated articles into a folder
Step = Callable[[str], None]  # told what is being done, for a progress display


def build_with(train: Train, training: Sequence[Annotated], tested: Sequence[Annotated], model: Path) -> Dataset:
    """The graph of `tested`, built with models trained on `training` into the folder `model`."""
    train(training, model)
    return build_articles([a.article for a in tested], model=model).dataset


def cross_validate(annotated: Sequence[Annotated], train: Train, work: Path, k: int = 5, seed: int = 13,
                   step: Step | None = None) -> Dataset:
    """The cross-validated graph of the annotated articles: fold i built by models trained without it.

    work: a folder for the k model folders (`fold1` … `foldk`).
    """
    by_id = {a.id: a for a in annotated}
    out = new_dataset()
    for i, held in enumerate(folds(list(by_id), k, seed), start=1):
        if step:
            step(f"fold {i}/{k}: training on {len(by_id) - len(held)} articles, building {len(held)}")
        rest = [a for a in annotated if a.id not in held]
        graph = build_with(train, rest, [by_id[h] for h in held], work / f"fold{i}")
        for quad in graph.quads((None, None, None, None)):
            out.add(quad)
    return out
