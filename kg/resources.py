"""Locate the data files that ship with kg, such as the ontology and SHACL shapes.

The canonical files live in the repository's top-level ``ontology/`` folder; a
built wheel carries them as ``kg/ontology/``. :func:`ontology_path` tries the
installed location first and the source checkout second, so the same call works
from an installed package and from a clone.
"""

from importlib.resources import files
from pathlib import Path

_CHECKOUT_ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"


def ontology_path(name: str) -> Path:
    """Return the path of ``name`` (e.g. ``"kg.ttl"``, ``"queries"``) in the ontology folder.

    Raises FileNotFoundError, naming both places looked at, if neither has it.
    """
    candidates = (Path(str(files("kg") / "ontology" / name)), _CHECKOUT_ONTOLOGY / name)
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"{name} not found in " + " or ".join(map(str, candidates)))
