"""The `kg` command line: a thin layer over `kg.build`, `kg.out.export` and friends.

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
from typing import TYPE_CHECKING

from kg.version import __version__

if TYPE_CHECKING:
    from kg.store.store import Store

DEFAULT_STORE = Path("kg-demo/store")
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"


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

    store_help = "the article store (default: DIR/store)"
    p = sub.add_parser("build", help="build a graph from articles (.txt, .html, .jsonl, folders)")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--store", type=Path, metavar="DIR2", help=store_help)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--min-confidence", type=confidence, default=0.0, metavar="X",
                   help="leave out relations less confident than X (0-1; default 0: keep all)")
    p.add_argument("--workers", type=positive, metavar="N",
                   help="extract articles in N processes (default 1); with --dask, the local cluster's size")
    p.add_argument("--dask", nargs="?", const=True, default=False, metavar="SCHEDULER",
                   help="extract on a Dask cluster: a scheduler's address, or none to start a local cluster")
    p.add_argument("--model", type=Path, metavar="MODEL_DIR",
                   help="use the models `kg train` wrote there instead of the shipped ones")
    p.add_argument("--max-file-size", type=positive, default=64, metavar="MB",
                   help="read at most MB megabytes of one input file or JSON line (default 64)")
    p.set_defaults(run=run_build)

    p = sub.add_parser("demo", help="build the bundled sample articles")
    p.add_argument("--out", type=Path, default=Path("kg-demo"), metavar="DIR", help="output folder (default: kg-demo)")
    p.add_argument("--store", type=Path, metavar="DIR2", help=store_help)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=run_demo, min_confidence=0.0, workers=None, dask=False, model=None, max_file_size=64)

    source_help = f"a store, or a build folder holding one (default: {DEFAULT_STORE})"
    p = sub.add_parser("query", help="ask a SPARQL question of a store or a graph file")
    p.add_argument("args", nargs="*", metavar="[GRAPH_FILE] QUERY", help="a graph file to ask instead of a store, and/or the query text")
    p.add_argument("--store", type=Path, metavar="DIR", help=source_help)
    p.add_argument("--file", type=Path, metavar="Q.rq", help="read the query from a file")
    p.add_argument("--name", metavar="NAME", help="ask a named question (see --list)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a named question's parameter")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    p.add_argument("--list", action="store_true", help="list the named questions")
    p.set_defaults(run=run_query)

    p = sub.add_parser("serve", help="SPARQL endpoint, query page and network page on 127.0.0.1")
    p.add_argument("--store", type=Path, metavar="DIR", help=source_help)
    p.add_argument("--port", type=int, default=7878, metavar="N", help="port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=seconds, default=30.0, metavar="S",
                   help="stop a query after S seconds, waiting for a worker included (default 30)")
    p.add_argument("--max-rows", type=positive, default=100_000, metavar="N",
                   help="refuse answers of more than N rows or triples (default 100000)")
    p.add_argument("--workers", type=positive, default=2, metavar="N", help="query processes (default 2)")
    p.add_argument("--allow-service", action="store_true",
                   help="run SERVICE clauses (federated queries: the server sends requests to other servers)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="also answer requests addressed to NAME (a host name, with :PORT or without)")
    p.set_defaults(run=run_serve)

    p = sub.add_parser("push", help="copy the graph to a SPARQL server, one named graph per article")
    p.add_argument("source", nargs="?", type=Path, metavar="GRAPH_FILE", help="a .trig/.nq file to push instead of a store")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the server's Graph Store Protocol address")
    p.add_argument("--store", type=Path, metavar="DIR", help=source_help)
    p.add_argument("--user", metavar="NAME", help=f"log in as NAME, with the password in ${PASSWORD_VARIABLE}")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=run_push)

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
    from kg.model import to_jsonl
    from kg.out.export import write_from_store
    from kg.out.files import write_atomic

    if isinstance(args.dask, str) and args.workers is not None:
        raise UserError("--workers sets the size of a local cluster; a running Dask scheduler has its own workers")
    if args.model is not None and not args.model.is_dir():
        raise UserError(f"{args.model}: no such model folder (`kg train GOLD_DIR --out {args.model}` makes one)")
    show = not args.quiet
    store = open_store(args.store or args.out / "store")
    before = store.triples()
    graph = build([Path(p) for p in args.inputs], workers=args.workers, dask=args.dask,
                  progress=show and sys.stderr.isatty(), min_confidence=args.min_confidence, store=store,
                  model=args.model, keep=False, max_bytes=args.max_file_size * 2**20)
    for failure in graph.failures:
        print(f"kg: {failure}", file=sys.stderr)
    if not graph.built and not graph.unchanged:
        raise UserError("no article could be read; nothing written")
    written = write_from_store(store, args.out)
    write_atomic(args.out / "failed.jsonl", to_jsonl(graph.failures))
    if show:
        print(graph.summary())
        after = store.triples()
        print(f"store: {after} triples ({after - before:+d}) in {store.name}")
        print(f"wrote graph files and network.html to {args.out}" if written else f"{args.out} is up to date")
    return 1 if graph.failures else 0


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


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
    from kg.rdf.validate import validate

    result = validate(read_graphs([args.graph]).dataset())
    if result.conforms:
        print(f"{args.graph}: conforms to the kg shapes")
        return 0
    print(result.report)
    print(f"{args.graph}: {result.violations} violation(s)", file=sys.stderr)
    return 1


def open_store(path: Path, read_only: bool = False) -> Store:
    from kg.store.store import Store, StoreError

    try:
        return Store.open(path, read_only=read_only)
    except StoreError as e:
        raise UserError(str(e)) from e


def read_source(store: Path | None, graph_file: Path | None) -> Store:
    """The store to read: a graph file loaded in memory, or a store folder opened read-only."""
    if graph_file is None:
        return open_store(store or DEFAULT_STORE, read_only=True)
    if store is not None:
        raise UserError("give either --store or a graph file, not both")
    return read_graphs([graph_file])


def run_query(args: argparse.Namespace) -> int:
    from kg.store.queries import named_queries, named_query, parse_params
    from kg.store.results import render
    from kg.store.store import QueryError

    if args.list:
        for q in named_queries().values():
            params = "".join(f" --param {p}=…" for p in q.params)
            print(f"{q.name}{params}\n    {q.title}")
        return 0
    given = sum(x is not None for x in (args.file, args.name))
    if given > 1 or len(args.args) + given not in (1, 2):
        raise UserError("give one query: QUERY text, --file Q.rq or --name NAME (after an optional GRAPH_FILE)")
    graph_file = Path(args.args[0]) if len(args.args) + given == 2 else None
    try:
        if args.name:
            text = named_query(args.name).bound(parse_params(args.param))
        elif args.param:
            raise QueryError("--param goes with --name")
        elif args.file:
            text = read_text(args.file)
        else:
            text = args.args[-1]
        store = read_source(args.store, graph_file)
        out = store.query(text, read=lambda results: render(results, args.format))
    except QueryError as e:
        raise UserError(str(e)) from e
    try:
        sys.stdout.write(out if out.endswith("\n") or not out else out + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `kg query ... | head`
        sys.stderr.close()
    return 0


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from e


def run_serve(args: argparse.Namespace) -> int:
    from kg.serve import Settings, make_server
    from kg.store.limits import Limits
    from kg.store.store import StoreError

    store = read_source(args.store, None)
    settings = Settings(timeout=args.timeout, max_rows=args.max_rows, workers=args.workers,
                        allowed_hosts=tuple(h.lower() for h in args.allowed_host), debug=args.debug,
                        limits=Limits(allow_service=args.allow_service))
    try:
        server = make_server(store, args.port, settings)
    except StoreError as e:
        raise UserError(str(e)) from e
    except OSError as e:
        raise UserError(f"cannot listen on 127.0.0.1:{args.port} ({e.strerror or e})") from e
    host, port = server.server_address[:2]
    print(f"kg: SPARQL endpoint http://{host}:{port}/sparql, query page http://{host}:{port}/,"
          f" network page http://{host}:{port}/network (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def run_push(args: argparse.Namespace) -> int:
    import os

    from kg.store.push import PushError, push

    store = read_source(args.store, args.source)
    password = os.environ.get(PASSWORD_VARIABLE) if args.user else None
    if args.user and password is None:
        raise UserError(f"--user needs the password in the environment variable {PASSWORD_VARIABLE}")
    progress = None
    if not args.quiet and sys.stderr.isatty():
        progress = lambda i, n: print(f"\r{i}/{n} graphs", end="", file=sys.stderr, flush=True)  # noqa: E731
    try:
        count = push(store, args.endpoint, user=args.user, password=password, progress=progress)
    except PushError as e:
        raise UserError(str(e)) from e
    finally:
        if progress:
            print(file=sys.stderr)
    if not args.quiet:
        print(f"pushed {count} named graphs from {store.name} to {args.endpoint}")
    return 0


def run_view(args: argparse.Namespace) -> int:
    from kg.out.network import ViewError
    from kg.out.page import write_network

    if args.hops is not None and args.focus is None:
        raise UserError("--hops needs --focus")
    types = [t for arg in args.types for t in arg.split(",") if t.strip()] if args.types else None
    graph = read_graphs([args.graph])
    try:
        stats = write_network(graph, args.out, focus=args.focus, hops=1 if args.hops is None else args.hops,
                              types=types)
    except ViewError as e:
        raise UserError(f"{args.graph}: {e}") from e
    print(f"wrote {args.out}: {stats.nodes} entities, {stats.edges} relations")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    import json

    from kg.learn.evaluate import GoldError, load_gold, score

    try:
        gold = load_gold(args.gold)
    except GoldError as e:
        raise UserError(str(e)) from e
    result = score(gold, read_graphs(args.graphs).dataset())
    print(result.table(errors=args.errors))
    if args.json:
        from kg.out.files import write_atomic

        write_atomic(args.json, json.dumps(result.to_json(), ensure_ascii=False, indent=1).encode())
    return 0


def read_graphs(paths: list[Path]) -> Store:
    """Graph files, stores or build folders read for a command, or a one-line UserError."""
    from kg.store.store import Store, StoreError

    try:
        if len(paths) == 1:
            return Store.from_path(paths[0])
        store = Store.in_memory()
        for path in paths:
            store.load(path)
        return store
    except StoreError as e:
        raise UserError(str(e)) from e


if __name__ == "__main__":
    sys.exit(main())
