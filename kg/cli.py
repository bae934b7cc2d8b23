"""The `kg` command line: a thin layer over `kg.build`, `kg.export` and friends.

Errors are one line on stderr and a non-zero exit; `--debug` shows tracebacks.
Exit codes: 0 all good, 1 some inputs failed (the rest were built) or a graph is
invalid, 2 nothing could be done.
"""
from __future__ import annotations

import argparse
import sys
from importlib.resources import files
from pathlib import Path

from kg import __version__


class UserError(Exception):
    """A problem to report to the user in one line."""


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("kg: interrupted; earlier outputs are left as they were", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the one place where errors meet the user
        if args.debug:
            raise
        message = str(e) if isinstance(e, UserError) else f"{type(e).__name__}: {e}"
        print(f"kg: error: {message}", file=sys.stderr)
        return 2


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="Chinese IP-enforcement news → knowledge graph.")
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build a graph from articles (.txt, folders, .jsonl)")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--min-confidence", type=confidence, default=0.0, metavar="X",
                   help="leave out relations less confident than X (0-1; default 0: keep all)")
    p.add_argument("--workers", type=positive, metavar="N",
                   help="extract articles in N processes (default 1); with --dask, the local cluster's size")
    p.add_argument("--dask", nargs="?", const=True, default=False, metavar="SCHEDULER",
                   help="extract on a Dask cluster: a scheduler's address, or none to start a local cluster")
    p.set_defaults(run=run_build)

    p = sub.add_parser("demo", help="build the bundled sample articles")
    p.add_argument("--out", type=Path, default=Path("kg-demo"), metavar="DIR", help="output folder (default: kg-demo)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=run_demo, min_confidence=0.0, workers=None, dask=False)

    p = sub.add_parser("validate", help="check a graph file against the SHACL shapes")
    p.add_argument("graph", type=Path, metavar="GRAPH")
    p.set_defaults(run=run_validate)
    p = sub.add_parser("view", help="draw a graph, or the part around one entity, as a network page")
    p.add_argument("graph", type=Path, metavar="GRAPH_OR_STORE", help=".ttl, .trig, .jsonld or .nq file")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.html", help="page to write")
    p.add_argument("--focus", metavar="ENTITY", help="draw only what is near the entity with this name")
    p.add_argument("--hops", type=int, metavar="N", help="with --focus: relation steps to follow (default 1)")
    p.add_argument("--types", nargs="+", metavar="TYPE", help="draw only these entity types, e.g. Agency,Company")
    p.set_defaults(run=run_view)

    p = sub.add_parser("evaluate", help="score graph files against gold annotations (GUIDELINES.md)")
    p.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of <article id>.json gold files")
    p.add_argument("graphs", nargs="+", type=Path, metavar="GRAPH")
    p.add_argument("--errors", action="store_true", help="list missed and spurious entities and relations")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write all figures as JSON")
    p.set_defaults(run=run_evaluate)

    for p in sub.choices.values():
        # SUPPRESS: a subcommand's absent flag must not undo `kg --debug build`.
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    return parser


def confidence(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value


def run_build(args: argparse.Namespace) -> int:
    from kg.api import build

    if isinstance(args.dask, str) and args.workers is not None:
        raise UserError("--workers sets the size of a local cluster; a running Dask scheduler has its own workers")
    show = not args.quiet
    graph = build([Path(p) for p in args.inputs], workers=args.workers, dask=args.dask,
                  progress=show and sys.stderr.isatty(), min_confidence=args.min_confidence)
    for err in graph.errors:
        print(f"kg: {err}", file=sys.stderr)
    if not graph.articles:
        raise UserError("no article could be read; nothing written")
    written = graph.save(args.out)
    if show:
        print(graph.summary())
        print(f"wrote {', '.join(p.name for p in written)} to {args.out}")
    return 1 if graph.errors else 0


def positive(text: str) -> int:
    """An argparse type: a whole number from 1 up."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 up")
    return int(text)


def run_demo(args: argparse.Namespace) -> int:
    samples = files("kg") / "samples"
    inputs = sorted(str(p) for p in samples.iterdir() if p.name.endswith((".txt", ".jsonl")))
    args.inputs = inputs
    return run_build(args)


def run_validate(args: argparse.Namespace) -> int:
    from kg.validate import validate

    result = validate(load_graph(args.graph))
    if result.conforms:
        print(f"{args.graph}: conforms to the kg shapes")
        return 0
    print(result.report)
    print(f"{args.graph}: {result.violations} violation(s)", file=sys.stderr)
    return 1


def run_view(args: argparse.Namespace) -> int:
    from kg.view import ViewError, write_network

    if args.hops is not None and args.focus is None:
        raise UserError("--hops needs --focus")
    types = [t for arg in args.types for t in arg.split(",") if t.strip()] if args.types else None
    graph = load_graph(args.graph)
    try:
        stats = write_network(graph, args.out, focus=args.focus, hops=1 if args.hops is None else args.hops,
                              types=types)
    except ViewError as e:
        raise UserError(f"{args.graph}: {e}") from e
    print(f"wrote {args.out}: {stats.nodes} entities, {stats.edges} relations")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    import json

    from kg.evaluate import GoldError, load_gold, score

    try:
        gold = load_gold(args.gold)
    except GoldError as e:
        raise UserError(str(e)) from e
    graph = None
    for path in args.graphs:
        graph = load_graph(path, graph)
    result = score(gold, graph)
    print(result.table(errors=args.errors))
    if args.json:
        from kg.export import write_atomic

        write_atomic(args.json, json.dumps(result.to_json(), ensure_ascii=False, indent=1).encode())
    return 0


def load_graph(path: Path, into=None):  # noqa: ANN001, ANN201 - rdflib types stay inside kg.graph
    """A graph file read for a command, or a one-line UserError."""
    from kg.graph import GraphFileError, read_graph

    try:
        return read_graph(path, into)
    except GraphFileError as e:
        raise UserError(str(e)) from e


if __name__ == "__main__":
    sys.exit(main())
