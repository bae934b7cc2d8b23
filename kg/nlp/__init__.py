"""kg's spaCy pipeline (`kg.nlp.pipeline.load_pipeline`) and its components; their word lists and patterns
are in `data/` (`kg.nlp.lexicon`)."""
