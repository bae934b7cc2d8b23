"""The `kg` command line: how it is parsed; what each command does is in `kg.commands`.

Errors are one line on stderr and a non-zero exit; `--debug` shows tracebacks.
Exit codes: 0 all good, 1 some inputs failed (the rest were built, the failures
are in DIR/failed.jsonl), a graph is invalid or a name was not found, 2 nothing
could be done, 130/143 interrupted by Ctrl-C/SIGTERM (outputs are left as they were).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from kg import commands
from kg.commands import DEFAULT_STORE, PASSWORD_VARIABLE, UserError
from kg.out.export import EXPORTS
from kg.version import __version__


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
        print(f"kg: error: {' '.join(message.split())}", file=sys.stderr)
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
    p = sub.add_parser("build", help="build a graph from articles (.txt, .html, .jsonl, .pdf, .docx, folders)")
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
    p.set_defaults(run=commands.run_build)

    p = sub.add_parser("demo", help="build the bundled sample articles")
    p.add_argument("--out", type=Path, default=Path("kg-demo"), metavar="DIR", help="output folder (default: kg-demo)")
    p.add_argument("--store", type=Path, metavar="DIR2", help=store_help)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=commands.run_demo, min_confidence=0.0, workers=None, dask=False, model=None,
                   max_file_size=64)

    p = sub.add_parser("remove", help="remove articles from a store, and what only they supported")
    p.add_argument("ids", nargs="+", metavar="ARTICLE_ID", help="an article's id (its file stem or JSON Lines id)")
    p.add_argument("--store", required=True, type=Path, metavar="DIR", help="a store, or a build folder holding one")
    p.add_argument("--out", type=Path, metavar="DIR2",
                   help="the build folder whose files to rewrite (default: the one holding the store)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=commands.run_remove)

    source_help = f"a store, or a build folder holding one (default: {DEFAULT_STORE})"
    p = sub.add_parser("query", help="ask a SPARQL question of a store or a graph file")
    p.add_argument("args", nargs="*", metavar="[GRAPH_FILE] QUERY", help="a graph file to ask instead of a store, and/or the query text")
    p.add_argument("--store", type=Path, metavar="DIR", help=source_help)
    p.add_argument("--file", type=Path, metavar="Q.rq", help="read the query from a file")
    p.add_argument("--name", metavar="NAME", help="ask a named question (see --list)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a named question's parameter")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    p.add_argument("--list", action="store_true", help="list the named questions")
    p.set_defaults(run=commands.run_query)

    p = sub.add_parser("search", help="find entities by any of their names, in any spelling")
    p.add_argument("args", nargs="+", metavar="[GRAPH_FILE] NAME", help="a graph file to search instead of a store, and the name")
    p.add_argument("--store", type=Path, metavar="DIR", help=source_help)
    p.set_defaults(run=commands.run_search)

    p = sub.add_parser("export", help="write the entity graph for Gephi, networkx, pandas or Neo4j")
    p.add_argument("graph", type=Path, metavar="GRAPH", help="a store, a build folder or a graph file")
    p.add_argument("--format", required=True, choices=list(EXPORTS), help=", ".join(EXPORTS))
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write the files into")
    p.set_defaults(run=commands.run_export)

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
    p.set_defaults(run=commands.run_serve)

    p = sub.add_parser("push", help="copy the graph to a SPARQL server, one named graph per article")
    p.add_argument("source", nargs="?", type=Path, metavar="GRAPH_FILE", help="a .trig/.nq file to push instead of a store")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the server's Graph Store Protocol address")
    p.add_argument("--store", type=Path, metavar="DIR", help=source_help)
    p.add_argument("--user", metavar="NAME", help=f"log in as NAME, with the password in ${PASSWORD_VARIABLE}")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=commands.run_push)

    p = sub.add_parser("validate", help="check a graph file against the SHACL shapes")
    p.add_argument("graph", type=Path, metavar="GRAPH")
    p.set_defaults(run=commands.run_validate)
    p = sub.add_parser("view", help="draw a graph, or the part around one entity, as a network page")
    p.add_argument("graph", type=Path, metavar="GRAPH_OR_STORE", help=".ttl, .trig, .jsonld or .nq file")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.html", help="page to write")
    p.add_argument("--focus", metavar="ENTITY", help="draw only what is near the entity with this name")
    p.add_argument("--hops", type=int, metavar="N", help="with --focus: relation steps to follow (default 1)")
    p.add_argument("--types", nargs="+", metavar="TYPE", help="draw only these entity types, e.g. Agency,Company")
    p.set_defaults(run=commands.run_view)

    p = sub.add_parser("train", help="train the entity and relation models on annotated articles")
    p.add_argument("gold", nargs="+", type=Path, metavar="GOLD_DIR",
                   help="a folder of articles with gold/<article id>.json beside them (GUIDELINES.md)")
    p.add_argument("--out", required=True, type=Path, metavar="MODEL_DIR", help="where the models go (for kg build --model)")
    p.add_argument("--cluener", type=Path, metavar="DIR", help="also learn from CLUENER2020 (its train.json) in DIR")
    p.add_argument("--folds", type=int, default=5, metavar="K",
                   help="first report K-fold cross-validated scores by article (default 5; 0: skip)")
    p.add_argument("--work", type=Path, metavar="DIR", help="keep the fold models here (default: MODEL_DIR/folds, removed)")
    p.add_argument("--seed", type=int, default=13, help="the seed of folds and training (default 13)")
    p.add_argument("--epochs", type=positive, metavar="N", help="fine-tuning epochs of the entity model (default 20)")
    p.add_argument("--cluener-records", type=positive, metavar="N", help="read only the first N CLUENER records")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(run=commands.run_train)

    p = sub.add_parser("evaluate", help="score graph files against gold annotations (GUIDELINES.md)")
    p.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of <article id>.json gold files")
    p.add_argument("graphs", nargs="+", type=Path, metavar="GRAPH")
    p.add_argument("--errors", action="store_true", help="list missed and spurious entities and relations")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write all figures as JSON")
    p.set_defaults(run=commands.run_evaluate)

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


if __name__ == "__main__":
    sys.exit(main())
