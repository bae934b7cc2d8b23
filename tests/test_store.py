"""The article store and incremental builds. All bodies and texts here are invented."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import XSD

import kg.run.analyse
from kg.model import Article
from kg.rdf.namespaces import article_graph_iri
from kg.store.store import Store
from helpers import run

A1 = "6月2日,东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案,罚款3万元。\n"
A1_CHANGED = "6月2日,东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案,罚款5万元。\n"
A2 = "东江市公安局开展“利剑”专项行动,东江市公安局与南屿市公安局建立联合执法协作机制。\n"
A3 = "东江市知识产权局荣获“全国知识产权行政保护工作先进集体”称号。\n"

Quad = tuple[str, str, str, str]

EX = Namespace("https://example.org/")  # a property of no vocabulary (KGO is closed)


def write(folder: Path, **texts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def quads(store_dir: Path, graph: str | None = None) -> set[Quad]:
    """The quads of the store's article graphs as strings, all or one article's.

    Checks on the way that the default graph is the union of the article graphs.
    """
    store = ox.Store.read_only(str(store_dir))
    everything = [(str(q.subject), str(q.predicate), str(q.object), q.graph_name) for q in store]
    named = {(s, p, o, str(g)) for s, p, o, g in everything if isinstance(g, ox.NamedNode)}
    union = {(s, p, o) for s, p, o, g in everything if isinstance(g, ox.DefaultGraph)}
    assert union == {q[:3] for q in named}
    return {q for q in named if graph is None or q[3] == f"<{article_graph_iri(graph)}>"}


def triples(store_dir: Path) -> int:
    return len({q[:3] for q in quads(store_dir)})


def build(inputs: Path, out: Path, *more: str) -> str:
    rc, stdout, stderr = run("build", str(inputs), "--out", str(out), *more)
    assert rc == 0, stderr
    return stdout


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> tuple[Path, Path, str]:
    """Articles a1 and a2 built once: (inputs, output folder, summary printed)."""
    root = tmp_path_factory.mktemp("first")
    inputs = write(root / "in", a1=A1, a2=A2)
    stdout = build(inputs, root / "out")
    return inputs, root / "out", stdout


@pytest.fixture()
def again(first, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the first build's inputs and output folder (store included) to change."""
    inputs, out, _ = first
    shutil.copytree(inputs, tmp_path / "in")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "in", tmp_path / "out"


@pytest.fixture()
def no_pipeline(monkeypatch):
    """Fail if the spaCy pipeline is loaded."""
    def refuse(*args, **kwargs):
        raise AssertionError("the spaCy pipeline was loaded")
    monkeypatch.setattr(kg.run.analyse, "load_pipeline", refuse)


def alone(tmp_path: Path, **texts: str) -> set[Quad]:
    """The quads of a fresh build of just these articles."""
    out = tmp_path / ("alone-" + "-".join(texts))
    build(write(out / "in", **texts), out)
    return quads(out / "store")


def test_first_build_stores_one_graph_per_article(first) -> None:
    _, out, stdout = first
    assert "articles: 2 built, 0 failed, 0 unchanged" in stdout
    stored = quads(out / "store")
    assert {q[3] for q in stored} == {f"<{article_graph_iri(a)}>" for a in ("a1", "a2")}
    assert f"store: {triples(out / 'store')} triples (+{triples(out / 'store')})" in stdout
    hashes = Store.open(out / "store", read_only=True).article_hashes()
    assert set(hashes) == {"a1", "a2"} and all(len(h) == 64 for h in hashes.values())


def test_second_build_adds_nothing_and_runs_no_nlp(again, no_pipeline) -> None:
    inputs, out = again
    before = quads(out / "store")
    files = {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.trig", "graph.jsonld", "network.html")}
    stdout = build(inputs, out)
    assert "articles: 0 built, 0 failed, 2 unchanged" in stdout
    assert f"store: {triples(out / 'store')} triples (+0)" in stdout
    assert f"{out} is up to date" in stdout
    assert quads(out / "store") == before
    assert {n: (out / n).read_bytes() for n in files} == files


def test_new_article_adds_only_its_triples(again, tmp_path: Path) -> None:
    inputs, out = again
    before = quads(out / "store")
    write(inputs, a3=A3)
    union = triples(out / "store")
    stdout = build(inputs, out)
    assert "articles: 1 built, 0 failed, 2 unchanged" in stdout
    after = quads(out / "store")
    assert after - before == quads(out / "store", "a3") == alone(tmp_path, a3=A3)
    assert before <= after
    added = len({q[:3] for q in after} - {q[:3] for q in before})  # what a3 says that a1 and a2 did not
    assert f"store: {union + added} triples (+{added})" in stdout
    # the outputs describe everything built so far
    trig = Dataset().parse(out / "graph.trig", format="trig")
    assert {str(g.identifier) for g in trig.graphs() if len(g)} == {str(article_graph_iri(a)) for a in ("a1", "a2", "a3")}


def test_changed_article_replaces_its_graph(again, tmp_path: Path) -> None:
    inputs, out = again
    a2 = quads(out / "store", "a2")
    write(inputs, a1=A1_CHANGED)
    stdout = build(inputs, out)
    assert "articles: 1 built, 0 failed, 1 unchanged" in stdout
    assert quads(out / "store", "a1") == alone(tmp_path, a1=A1_CHANGED)
    assert quads(out / "store", "a2") == a2
    assert quads(out / "store") == quads(out / "store", "a1") | a2
    assert "5万元" in (out / "graph.trig").read_text(encoding="utf-8")
    assert "3万元" not in (out / "graph.trig").read_text(encoding="utf-8")


def test_builds_into_another_store(first, tmp_path: Path) -> None:
    inputs, out, _ = first
    shutil.copytree(out / "store", tmp_path / "elsewhere")
    stdout = build(inputs, tmp_path / "out", "--store", str(tmp_path / "elsewhere"))
    assert "2 unchanged" in stdout
    assert not (tmp_path / "out" / "store").exists()
    assert (tmp_path / "out" / "graph.trig").read_bytes() == (out / "graph.trig").read_bytes()


def test_missing_output_is_written_again(again, no_pipeline) -> None:
    inputs, out = again
    page = (out / "network.html").read_bytes()
    (out / "network.html").unlink()
    stdout = build(inputs, out)
    assert f"wrote graph files and network.html to {out}" in stdout
    assert (out / "network.html").read_bytes() == page


class Interrupted(KeyboardInterrupt):
    pass


class FailingAdds:
    """A pyoxigraph store whose `extend` (adding new articles) is interrupted before it writes."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def __len__(self) -> int:
        return len(self._store)

    def extend(self, quads) -> None:
        raise Interrupted


def test_interrupted_update_leaves_no_half_article(again, tmp_path: Path, monkeypatch) -> None:
    inputs, out = again
    write(inputs, a1=A1_CHANGED, a3=A3)
    opened = Store.open

    def failing(path: Path, *, read_only: bool = False) -> Store:
        store = opened(path, read_only=read_only)
        store.ox = FailingAdds(store.ox)
        return store

    monkeypatch.setattr(Store, "open", failing)
    rc, _, stderr = run("build", str(inputs), "--out", str(out))
    assert rc == 130 and "interrupted" in stderr, stderr
    monkeypatch.undo()
    # the changed article was swapped whole, the new one never arrived
    hashes = Store.open(out / "store", read_only=True).article_hashes()
    assert hashes.keys() == {"a1", "a2"} and hashes["a1"] == Article("a1", A1_CHANGED).content_hash
    assert quads(out / "store", "a1") == alone(tmp_path, a1=A1_CHANGED)
    stdout = build(inputs, out)
    assert "articles: 1 built, 0 failed, 2 unchanged" in stdout
    assert quads(out / "store") == alone(tmp_path, a1=A1_CHANGED, a2=A2, a3=A3)


def test_store_in_use_is_a_clear_error(first, tmp_path: Path) -> None:
    inputs, out, _ = first
    shutil.copytree(out / "store", tmp_path / "store")
    holder = Store.open(tmp_path / "store")  # noqa: F841 - holds the lock
    rc, _, stderr = run("build", str(inputs), "--out", str(tmp_path / "out"), "--store", str(tmp_path / "store"))
    assert rc == 2
    assert stderr.strip() == f"kg: error: {tmp_path / 'store'}: store is in use by another kg process"


def test_terms_survive_the_store(tmp_path: Path) -> None:
    ds = Dataset()
    g = ds.graph(URIRef("urn:g"))
    s = URIRef("urn:s")
    values = [Literal("东江", lang="zh"), Literal("plain"), Literal("https://example.org/a?b=1", datatype=XSD.anyURI),
              Literal(42), Literal(Decimal("0.75")), Literal("2025-03-12"), URIRef("urn:o")]
    for v in values:
        g.add((s, EX.p, v))
    store = Store.open(tmp_path / "s")
    store.put_articles(ds)
    back = store.dataset().graph(URIRef("urn:g"))
    assert set(back) == set(g) and store.triples() == len(values)
    assert {o.datatype for o in back.objects(s, EX.p) if isinstance(o, Literal)} == {None, XSD.anyURI, XSD.integer, XSD.decimal}


def test_graph_commands_read_a_store(first) -> None:
    """kg view, validate and evaluate read a store (or the build folder holding it) like a graph file."""
    _, out, _ = first
    from_file = Store.from_path(out / "graph.trig").dataset()
    for source in (out, out / "store"):
        from_store = Store.from_path(source).dataset()
        assert set(from_store.quads((None, None, None, None))) == set(from_file.quads((None, None, None, None)))
