"""The `kg` command line: a thin layer over `kg.build`, `kg.export` and friends.

Errors are one line on stderr and a non-zero exit; `--debug` shows tracebacks.
Exit codes: 0 all good, 1 some inputs failed (the rest were built, the failures
are in DIR/failed.jsonl) or a graph is invalid, 2 nothing could be done, 130/143
interrupted by Ctrl-C/SIGTERM (outputs are left as they were).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from importlib.resources import files
from pathlib import Path

from kg import __version__


class UserError(Exception):
    """A problem to report to the user in one line."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that files being written are cleaned up."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return args.run(args)
    except KeyboardInterrupt as e:
        print("kg: interrupted; earlier outputs are left as they were", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(e, Terminated) else signal.SIGINT)
    except Exception as e:  # noqa: BLE001 - the one place where errors meet the user
        if args.debug:
            raise
        message = str(e) if isinstance(e, UserError) else f"{type(e).__name__}: {e}"
        print(f"kg: error: {message}", file=sys.stderr)
        return 2
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="Chinese IP-enforcement news → knowledge graph.")
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build a graph from articles (.txt, .html, .jsonl, folders)")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=run_build)

    p = sub.add_parser("demo", help="build the bundled sample articles")
    p.add_argument("--out", type=Path, default=Path("kg-demo"), metavar="DIR", help="output folder (default: kg-demo)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=run_demo)

    p = sub.add_parser("validate", help="check a graph file against the SHACL shapes")
    p.add_argument("graph", type=Path, metavar="GRAPH")
    p.set_defaults(run=run_validate)
    for p in sub.choices.values():
        # SUPPRESS: a subcommand's absent flag must not undo `kg --debug build`.
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    return parser


def run_build(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.export import serialise, write_outputs
    from kg.failures import to_jsonl
    from kg.view import render_network

    show = not args.quiet
    progress = None
    if show and sys.stderr.isatty():
        progress = lambda i, a: print(f"\r[{i}] {a.id[:40]:40}", end="", file=sys.stderr, flush=True)  # noqa: E731
    result = build(args.inputs, progress=progress)
    if progress:
        print(file=sys.stderr)
    for failure in result.failures:
        print(f"kg: {failure}", file=sys.stderr)
    if not result.articles:
        raise UserError("no article could be read; nothing written")
    ds = result.dataset()
    # everything is rendered before the first file is replaced
    outputs = serialise(ds)
    outputs["network.html"] = render_network(ds)[0]
    outputs["failed.jsonl"] = to_jsonl(result.failures)
    write_outputs(args.out, outputs)
    if show:
        print(result.summary())
        print(f"wrote {', '.join(sorted(outputs))} to {args.out}")
    return 1 if result.failures else 0


def run_demo(args: argparse.Namespace) -> int:
    samples = files("kg") / "samples"
    inputs = sorted(str(p) for p in samples.iterdir() if p.name.endswith((".txt", ".jsonl")))
    args.inputs = inputs
    return run_build(args)


def run_validate(args: argparse.Namespace) -> int:
    import rdflib

    from kg.validate import validate

    if not args.graph.is_file():
        raise UserError(f"{args.graph}: no such file")
    fmt = rdflib.util.guess_format(str(args.graph)) or ("json-ld" if args.graph.suffix == ".jsonld" else None)
    ds = rdflib.Dataset()
    try:
        ds.parse(args.graph, format=fmt)
    except Exception as e:  # noqa: BLE001 - any parser error is the file's problem
        raise UserError(f"{args.graph}: not a readable RDF file ({type(e).__name__}: {str(e).splitlines()[0][:200]})") from e
    result = validate(ds)
    if result.conforms:
        print(f"{args.graph}: conforms to the kg shapes")
        return 0
    print(result.report)
    print(f"{args.graph}: {result.violations} violation(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
