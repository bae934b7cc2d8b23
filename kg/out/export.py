"""Write a build's outputs into a folder, each file atomically.

Every output is first serialised in memory, then written to a temporary file in
the target folder and renamed over the old one, so a failed or interrupted build
never leaves a half-written file: each file is either the previous version or
the new one. A build killed outright (SIGKILL, power loss) can leave a temporary
file behind; its name carries the writer's process id, and the next write into
the folder removes those whose writer is gone.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

from kg.rdf.graph import bind, union
from kg.rdf.namespaces import PREFIXES


PREFIX_LINE = re.compile(r"@prefix ([^:\s]*): <([^>]*)> \.")
TEMP = re.compile(r"\..+\.pid(\d+)\.[^.]+\.tmp")


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_temps(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.pid{os.getpid()}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        # by name, not by `tmp`: an interrupt can come between mkstemp creating the file and returning
        remove_temps(path.parent, os.getpid())
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power loss
    finally:
        os.close(folder)


def remove_temps(folder: Path, pid: int | None = None) -> None:
    """Delete the temporary files in folder of writers that no longer run, and those of `pid`."""
    for name in os.listdir(folder):
        m = TEMP.fullmatch(name)
        if m and (int(m.group(1)) == pid or not _running(int(m.group(1)))):
            (folder / name).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def serialise(ds: Dataset) -> dict[str, bytes]:
    """The RDF files of a build: whole graph (Turtle, JSON-LD) and per-article graphs (TriG)."""
    whole = union(ds)
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    return {
        "graph.ttl": whole.serialize(format="turtle", encoding="utf-8"),
        "graph.trig": trig(ds),
        "graph.jsonld": jsonld(whole, context),
    }


def jsonld(g: Graph, context: dict[str, str]) -> bytes:
    """Compacted JSON-LD with nodes and values in a stable order (rdflib's follows hashes)."""
    doc = json.loads(g.serialize(format="json-ld", context=context))
    key = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    nodes = doc.get("@graph", [])
    for node in nodes:
        for k, v in node.items():
            if isinstance(v, list):
                node[k] = sorted(v, key=key)
    doc["@graph"] = sorted(nodes, key=lambda n: n.get("@id", ""))
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def trig(ds: Dataset) -> bytes:
    """TriG with the named graphs in IRI order.

    rdflib's TriG writer orders graphs by hash, which changes between runs; its
    Turtle writer is stable, so each graph is written as Turtle inside its block,
    its prefixes declared before the block unless already declared alike.
    """
    declared = {p: str(ns) for p, ns in PREFIXES.items()}
    parts = ["".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(declared.items())) + "\n"]
    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(g) == 0:
            continue
        copy = bind(Graph())
        copy += g
        # split at \n only: literals may hold U+2028 and other breaks that splitlines() cuts at
        lines = copy.serialize(format="turtle").split("\n")
        head = 0
        while head < len(lines) and (lines[head].startswith("@prefix") or not lines[head].strip()):
            m = PREFIX_LINE.fullmatch(lines[head])
            if m and declared.get(m[1]) != m[2]:
                declared[m[1]] = m[2]
                parts.append(lines[head] + "\n")
            head += 1
        body = "\n".join(lines[head:]).strip("\n")
        parts.append(f"<{g.identifier}> {{\n{body}\n}}\n\n")
    return "".join(parts).rstrip("\n").encode("utf-8") + b"\n"


def write_outputs(out: Path, files: dict[str, bytes]) -> None:
    for name in sorted(files):
        write_atomic(out / name, files[name])
