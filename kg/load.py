"""Read a kg graph back from where a build left it.

``load_graph`` is the one entry point for commands that read a graph
(`kg view`, `kg validate`): an RDF file in any format kg writes, or a store
folder. Named graphs (TriG, N-Quads) are kept; readers that want the whole
graph take the union.
"""
from __future__ import annotations

from pathlib import Path

import rdflib

FORMATS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".nq": "nquads",
    ".nt": "nt",
}


class GraphLoadError(ValueError):
    """A graph that cannot be read; the message names the path and the problem in one line."""


def load_graph(path: Path) -> rdflib.Dataset:
    """The graph at ``path``: a .ttl/.trig/.jsonld/.nq/.nt file or a store folder."""
    path = Path(path)
    if path.is_dir():
        return _load_store(path)
    if not path.is_file():
        raise GraphLoadError(f"{path}: no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise GraphLoadError(
            f"{path}: unknown graph format {path.suffix or '(no suffix)'}; expected {', '.join(FORMATS)} or a store folder"
        )
    ds = rdflib.Dataset()
    try:
        ds.parse(path, format=fmt)
    except Exception as e:  # noqa: BLE001 - any parser error is the file's problem
        first = (str(e).splitlines() or [""])[0][:200]
        raise GraphLoadError(f"{path}: not a readable {fmt} file ({type(e).__name__}: {first})") from e
    return ds


def _load_store(path: Path) -> rdflib.Dataset:
    """A kg store folder; the place to open the pyoxigraph store once kg writes one."""
    raise GraphLoadError(f"{path}: is a folder, and reading a kg store is not supported yet; give a graph file")
