"""kg's spaCy pipeline and its components; their word lists and patterns are in `data/`."""
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load_pipeline():  # noqa: ANN201 - spaCy's Language, imported only when the pipeline is built
    """The pipeline of `config.cfg`, built once (see `kg.nlp.pipeline.load_pipeline`)."""
    from kg.nlp.pipeline import load_pipeline as load

    return load()
