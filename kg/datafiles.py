"""Find and read kg's data files: one-column lists and TSV tables, with `#` comment lines.

Patterns, gazetteers and word lists live in a `data/` folder beside the code
that reads them (`kg/read/data`, `kg/nlp/data`, `kg/reference/data` …), so that
they can be read and edited without touching code; this is the one reader. The
ontology, the SHACL shapes and the named queries live in the repository's
top-level `ontology/` folder, which a built wheel carries as `kg/ontology/`.
"""
from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

_CHECKOUT_ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"


def data_dir(module_file: str) -> Path:
    """The `data/` folder beside a module, given its `__file__`."""
    return Path(module_file).parent / "data"


def ontology_path(name: str) -> Path:
    """The path of `name` (e.g. "kg.ttl", "queries") in the ontology folder, installed or in a checkout.

    Raises FileNotFoundError, naming both places looked at, if neither has it.
    """
    candidates = (Path(str(files("kg") / "ontology" / name)), _CHECKOUT_ONTOLOGY / name)
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"{name} not found in " + " or ".join(map(str, candidates)))


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [x for x in lines if x.strip() and not x.startswith("#")]


def read_list(path: Path) -> list[str]:
    """The non-comment lines of a one-column file, stripped."""
    return [x.strip() for x in _lines(path)]


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of a TSV file whose header follows its comment lines."""
    return list(csv.DictReader(_lines(path), delimiter="\t", quoting=csv.QUOTE_NONE))
