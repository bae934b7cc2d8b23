"""A build folder's files, written from the whole store, and only when the store changed.

The files (graph.ttl, graph.trig, graph.jsonld, network.html) describe every
article in the store. Writing them costs more than checking an unchanged input,
so `OUT/.kg-store-state` records the store state (which article versions, and
kg's version) they were written from; it is written after them, so a build
interrupted while writing leaves it stale and the next build writes them again.
"""
from __future__ import annotations

from pathlib import Path

from kg import __version__
from kg.store.store import Store

OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "network.html")
STATE = ".kg-store-state"


def write_from_store(store: Store, out: Path) -> bool:
    """Write the output files of `out` from the store unless they already show it; True if written."""
    state = f"kg {__version__}\n{store.state()}\n"
    stamp = out / STATE
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == state and all((out / n).is_file() for n in OUTPUTS):
        return False
    from kg.out.export import write_atomic, write_outputs

    write_outputs(out, render(store))  # everything is rendered before the first file is replaced
    write_atomic(stamp, state.encode("utf-8"))
    return True


def render(store: Store) -> dict[str, bytes]:
    """The output files of the store's whole content, by name."""
    from kg.out.export import serialise
    from kg.out.view import render_network

    ds = store.dataset()
    files = serialise(ds)
    files["network.html"] = render_network(ds)[0]
    return files
