"""Assemble kg's spaCy pipeline from `config.cfg`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

# Importing the modules registers their factories with spaCy.
from kg.nlp import entities, lac, relations, tagger  # noqa: F401

CONFIG = Path(__file__).parent / "config.cfg"
MODEL = Path(__file__).parent / "model"  # trained by `make model` (training/train_ner.py)


@lru_cache(maxsize=1)
def load_pipeline(config: Path = CONFIG, ner_model: Path = MODEL) -> Language:
    """The pipeline described by `config` (the bundled one by default), built once."""
    cfg = spacy.util.load_config(config, overrides={"paths.ner_model": str(ner_model)}, interpolate=False)
    return spacy.util.load_model_from_config(cfg, auto_fill=True)
