"""What kg knows before it reads an article: places (the gazetteer), well-known bodies with their
English names, Wikidata items and short forms, and abbreviated name endings. Both the entity rules
and the resolver read it."""
from pathlib import Path

DATA = Path(__file__).parent / "data"
