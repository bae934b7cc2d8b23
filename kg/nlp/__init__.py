"""kg's spaCy pipeline and its components."""
from kg.nlp.pipeline import load_pipeline

__all__ = ["load_pipeline"]
