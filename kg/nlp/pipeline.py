"""Assemble kg's spaCy pipeline from `config.cfg`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

# Importing the modules registers their factories with spaCy.
from kg.nlp import entities, lac, relations, tagger  # noqa: F401

CONFIG = Path(__file__).parent / "config.cfg"
MODEL = Path(__file__).parents[1] / "models"  # the shipped models, trained by `make model`


@lru_cache(maxsize=2)
def load_pipeline(model: Path | None = None, config: Path = CONFIG) -> Language:
    """The pipeline described by `config` with the trained models of the folder `model`
    (by default the shipped ones, `kg train` writes others), built once per folder."""
    cfg = spacy.util.load_config(config, overrides={"paths.model": str(model or MODEL)}, interpolate=False)
    return spacy.util.load_model_from_config(cfg, auto_fill=True)
