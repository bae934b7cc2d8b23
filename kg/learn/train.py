"""Train kg's models from annotated articles: the entity model, then the relation model on its names.

The one recipe behind `kg train`, `make model` (the shipped models in kg/models) and the
cross-validation of `make eval`. A models folder holds `entities/` (kg.learn.ner: heads
over LAC's states, read by the kg_tagger component), `relations.json` (kg.learn.relations:
the classifier the resolver asks) and `training.json` (what it was trained on, and how).
The relation model learns from the mentions the pipeline finds with the new entity model
(not from gold names), so that it sees at training what it will see in a build.
Seeds are fixed and torch runs deterministically: the same articles, settings and versions
give the same bytes.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.learn import ner
from kg.learn.corpus import Annotated
from kg.learn.relations import train_relations
from kg.relate.model import FILE as RELATIONS_FILE
from kg.version import __version__

ENTITIES = "entities"  # the entity model's folder in a models folder (config.cfg: ${paths.model}/entities)
TRAINING = "training.json"
Tick = Callable[[], None]  # called after each unit of work (a progress display)


@dataclass(frozen=True)
class Recipe:
    """How models are trained: the general-news corpus mixed in, the seed and the entity model's settings."""

    cluener: Path | None = None  # CLUENER2020's folder (train.json), or None for the annotated articles alone
    seed: int = 13
    settings: ner.Settings = field(default_factory=ner.Settings)
    limit: int | None = None  # read only so many CLUENER records (quick checks)

    def units(self) -> int:
        """The ticks of one `train_models`: each epoch of the entity model, and the relation model."""
        return ner.epochs(self.settings, self.cluener) + 1


def train_models(annotated: Sequence[Annotated], out_dir: Path, recipe: Recipe = Recipe(),
                 tick: Tick | None = None) -> Path:
    """Train both models on `annotated` into the folder `out_dir` (made if missing); returns it."""
    from kg.nlp.pipeline import load_pipeline
    from kg.run.analyse import Analyser  # loads spaCy: only when training

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / RELATIONS_FILE).unlink(missing_ok=True)  # an old relation model must not judge the new mentions
    load_pipeline.cache_clear()  # a pipeline loaded from this folder before holds its old entity model
    ner.train_entities(annotated, recipe.cluener, out / ENTITIES, recipe.seed, recipe.settings, recipe.limit, tick)
    train_relations(annotated, out, recipe.seed, analyser_factory=lambda decider: Analyser(model=out, relations=decider))
    load_pipeline.cache_clear()
    if tick:
        tick()
    meta = {"kg": __version__, **trained_with(annotated, recipe)}
    (out / TRAINING).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def trained_with(annotated: Sequence[Annotated], recipe: Recipe) -> dict:
    """What `training.json` records of the articles and the recipe."""
    return {"articles": [a.id for a in annotated], "seed": recipe.seed, "cluener": recipe.cluener is not None,
            "cluener_limit": recipe.limit, "settings": asdict(recipe.settings)}


def already_trained(folder: Path, annotated: Sequence[Annotated], recipe: Recipe) -> bool:
    """Whether `folder` holds models this kg trained on these articles by this recipe (to reuse them)."""
    path = Path(folder) / TRAINING
    if not path.is_file():
        return False
    meta = json.loads(path.read_text(encoding="utf-8"))
    return meta.get("kg") == __version__ and all(meta.get(k) == v for k, v in trained_with(annotated, recipe).items())
