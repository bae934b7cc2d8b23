"""Cross-validation by article: every annotated article built by models that never saw it.

The articles are dealt into k folds (`kg.learn.corpus.folds`, fixed by a seed).
For each fold, models are trained on the other folds' articles into a folder of
their own (`kg.learn.train`), and the fold's articles are built with them into one
store; that store holds the cross-validated graph, scored like any build
(`kg.learn.evaluate`). Its figures are what kg can be expected to do on articles
like these that it was not trained on; the in-sample figures (models trained on
every article, scored on the same) say much less.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kg.learn.corpus import Annotated, folds
from kg.learn.train import Recipe, Tick, already_trained, train_models
from kg.store.store import Store

Step = Callable[[str], None]  # told what is being done, for a progress display


def build_into(store: Store, articles: Sequence[Annotated], model: Path) -> None:
    """Build the articles with the models in the folder `model` into `store`."""
    from kg.api import build

    build([a.article for a in articles], model=model, store=store, keep=False)


def cross_validate(annotated: Sequence[Annotated], work: Path, recipe: Recipe = Recipe(), k: int = 5,
                   step: Step | None = None, tick: Tick | None = None, reuse: bool = False) -> Store:
    """An in-memory store of the cross-validated graph: fold i built by models trained without it.

    work: a folder for the k model folders (`fold1` … `foldk`), kept for a look afterwards;
    reuse: keep a fold's models found there if trained on the same articles by the same recipe.
    """
    by_id = {a.id: a for a in annotated}
    store = Store.in_memory()
    for i, held in enumerate(folds(list(by_id), k, recipe.seed), start=1):
        if step:
            step(f"fold {i}/{k}: training on {len(by_id) - len(held)} articles, then building the other {len(held)}")
        training, folder = [a for a in annotated if a.id not in held], work / f"fold{i}"
        if not (reuse and already_trained(folder, training, recipe)):
            train_models(training, folder, recipe, tick)
        build_into(store, [by_id[h] for h in held], folder)
    return store
