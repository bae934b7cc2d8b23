"""Write a build's outputs into a folder, each file atomically.

Every output is first serialised in memory, then written to a temporary file in
the target folder and renamed over the old one, so a failed or interrupted build
never leaves a half-written file: each file is either the previous version or
the new one.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset

from kg.graph import union
from kg.namespaces import PREFIXES


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def serialise(ds: Dataset) -> dict[str, bytes]:
    """The RDF files of a build: whole graph (Turtle, JSON-LD) and per-article graphs (TriG)."""
    whole = union(ds)
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    return {
        "graph.ttl": whole.serialize(format="turtle", encoding="utf-8"),
        "graph.trig": ds.serialize(format="trig", encoding="utf-8"),
        "graph.jsonld": whole.serialize(format="json-ld", context=context, indent=1,
                                        encoding="utf-8", sort_keys=True),
    }


def write_outputs(out: Path, files: dict[str, bytes]) -> None:
    for name in sorted(files):
        write_atomic(out / name, files[name])
