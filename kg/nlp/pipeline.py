"""Assemble kg's spaCy pipeline from `config.cfg`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

# Importing the modules registers their factories with spaCy.
from kg.nlp import entities, lac, relations  # noqa: F401

CONFIG = Path(__file__).parent / "config.cfg"


@lru_cache(maxsize=1)
def load_pipeline(config: Path = CONFIG) -> Language:
    """The pipeline described by `config` (the bundled one by default), built once."""
    return spacy.util.load_model_from_config(spacy.util.load_config(config), auto_fill=True)
