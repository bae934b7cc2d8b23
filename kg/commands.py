"""What each `kg` command does (`kg.cli` parses the command line and calls these).

Each `run_*` takes the parsed arguments and returns the exit code; a problem the
user can fix is a `UserError`, printed by `kg.cli.main` as one line. The commands
are thin layers over the Python API (`kg.api`), the store (`kg.store`) and the
outputs (`kg.out`), imported inside each command so that `kg --help` stays quick.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.store.store import Store

DEFAULT_STORE = Path("kg-demo/store")
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"


class UserError(Exception):
    """A problem to report to the user in one line."""


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
    store_dir = args.store or args.out / "store"
    new = [d for d in (args.out, store_dir) if not d.exists()]  # made by this build: removed if it makes nothing
    store = open_store(store_dir)
    before = store.triples()
    graph = build([Path(p) for p in args.inputs], workers=args.workers, dask=args.dask,
                  progress=show and sys.stderr.isatty(), min_confidence=args.min_confidence, store=store,
                  model=args.model, keep=False, max_bytes=args.max_file_size * 2**20, missing="record")
    for failure in graph.failures:
        print(f"kg: {failure}", file=sys.stderr)
    if show:
        for line in [*map(str, graph.skipped), *(f"warning: {w}" for w in graph.warnings)]:
            print(f"kg: {line}", file=sys.stderr)
    if not graph.built and not graph.unchanged:
        del graph, store  # pyoxigraph lets go of the folder when the last reference goes
        for folder in reversed(new):
            shutil.rmtree(folder, ignore_errors=True)
        raise UserError("no article could be read; nothing written")
    written = write_from_store(store, args.out)
    write_atomic(args.out / "failed.jsonl", to_jsonl(graph.failures))
    if show:
        print(graph.summary())
        after = store.triples()
        print(f"store: {after} triples ({after - before:+d}) in {store.name}")
        print(f"wrote graph files and network.html to {args.out}" if written else f"{args.out} is up to date")
    return 1 if graph.failures else 0


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
    from kg.store.search import ask
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
            params = parse_params(args.param)
            named_query(args.name).bound(params)  # the parameters checked before the store is opened
            store = read_source(args.store, graph_file)
            out = render(ask(store, args.name, params), args.format)
        elif args.param:
            raise QueryError("--param goes with --name")
        else:
            text = read_text(args.file) if args.file else args.args[-1]
            out = read_source(args.store, graph_file).query(text, read=lambda results: render(results, args.format))
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


def run_train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    try:
        from kg.learn import ner
    except ImportError as e:
        raise UserError(f"kg train needs torch ({e}): pip install 'kg-ip[train]'") from e
    from kg.learn.corpus import CorpusError, read_annotated
    from kg.learn.crossval import cross_validate
    from kg.learn.evaluate import score
    from kg.learn.train import TRAINING, Recipe, train_models
    from kg.run.progress import ProgressBar

    if args.cluener is not None and not (args.cluener / "train.json").is_file():
        raise UserError(f"{args.cluener}: no train.json of CLUENER2020 there")
    try:
        annotated = read_annotated(args.gold)
    except CorpusError as e:
        raise UserError(str(e)) from e
    if args.folds and not 2 <= args.folds <= len(annotated):
        raise UserError(f"--folds {args.folds}: needs 2 to {len(annotated)} (the annotated articles), or 0")
    settings = ner.Settings() if args.epochs is None else replace(ner.Settings(), finetune_epochs=args.epochs)
    recipe = Recipe(args.cluener, args.seed, settings, args.cluener_records)
    say = (lambda line: None) if args.quiet else (lambda line: print(f"kg: {line}", file=sys.stderr))
    total = ((args.folds or 0) + 1) * recipe.units()
    with ProgressBar() as bar:
        tick = (lambda: bar(bar.done + 1, total)) if not args.quiet and sys.stderr.isatty() else None
        figures = None
        if args.folds:
            work = args.work or args.out / "folds"
            store = cross_validate(annotated, work, recipe, args.folds, say, tick)
            figures = score({a.id: a.gold for a in annotated}, store.dataset())
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)
        say(f"training on all {len(annotated)} articles")
        train_models(annotated, args.out, recipe, tick)
    if figures is not None:
        meta_path = args.out / TRAINING
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["crossval"] = {"folds": args.folds, **figures.to_json()}
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not args.quiet:
            print(f"cross-validated over {len(annotated)} articles ({args.folds} folds by article):")
            print(figures.table())
    if not args.quiet:
        print(f"models written to {args.out} (use: kg build ARTICLES --model {args.out} --out DIR)")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from kg.learn.evaluate import GoldError, load_gold, score

    try:
        gold = load_gold(args.gold)
    except GoldError as e:
        raise UserError(str(e)) from e
    try:
        result = score(gold, read_graphs(args.graphs).dataset())
    except GoldError as e:
        raise UserError(f"{args.gold}: {e}") from e
    if result.unmatched:
        shown = ", ".join(result.unmatched[:5]) + (" …" if len(result.unmatched) > 5 else "")
        print(f"kg: warning: {len(result.unmatched)} gold file(s) match no article of the graph: {shown}",
              file=sys.stderr)
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


def run_search(args: argparse.Namespace) -> int:
    from kg.store.results import table
    from kg.store.search import containing, find, suggest

    if len(args.args) > 2:
        raise UserError("give one NAME (after an optional GRAPH_FILE); quote a name with spaces")
    graph_file = Path(args.args[0]) if len(args.args) == 2 else None
    name = args.args[-1]
    store = read_source(args.store, graph_file)
    matches, note = find(store, name), None
    if not matches:
        matches, note = containing(store, name), f"no entity is named {name!r}; names containing it:"
    if not matches:
        close = suggest(store, name)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        print(f"kg: no entity is named {name!r} in {store.name}{hint}", file=sys.stderr)
        return 1
    if note:
        print(note)
    print(table(["entity", "type", "articles", "iri"], [[m.label, m.type, str(m.articles), m.iri] for m in matches]),
          end="")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from kg.out.export import export

    store = read_graphs([args.graph])
    try:
        written = export(store, args.format, args.out)
    except OSError as e:
        raise UserError(f"{args.out}: cannot write ({e.strerror or e})") from e
    print(f"wrote {', '.join(p.name for p in written)} to {args.out}")
    if args.format == "neo4j":
        print(f"load them into Neo4j with: sh {args.out / 'import.sh'} [DATABASE]")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from kg.out.export import STATE, write_from_store
    from kg.store.store import StoreError

    path = args.store
    if (path / "store" / "CURRENT").is_file():
        store_dir, out = path / "store", path
    elif (path / "CURRENT").is_file():
        store_dir, out = path, path.parent if (path.parent / STATE).is_file() else None
    else:
        raise UserError(f"{path}: no kg store here (a store folder, or a build folder holding one)")
    out = args.out or out
    store = open_store(store_dir)
    before = store.triples()
    ids = list(dict.fromkeys(args.ids))
    try:
        store.remove_articles(ids)
    except StoreError as e:
        raise UserError(str(e)) from e
    written = write_from_store(store, out) if out else False
    if not args.quiet:
        after = store.triples()
        print(f"removed {len(ids)} article{'s' if len(ids) > 1 else ''}: {after} triples ({after - before:+d})"
              f" in {store.name}")
        print("no build folder to rewrite (give --out DIR)" if out is None
              else f"rewrote the files in {out}" if written else f"{out} is up to date")
    return 0
