"""`kg remove` and replacing an article by building a changed copy. All articles here are invented.

Three articles: 西岭市公安局 is in all three, 南屿市海关 only in the one removed; after the
removal the store and every output file are what a fresh build of the other two gives.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.out.export import OUTPUTS
from helpers import run

A1 = "西岭市公安局查处西岭青禾食品有限公司销售假冒“山茶”商标商品案。\n"
A2 = "南屿市海关与西岭市公安局联合开展“晨光”专项行动,查获侵权货物3000件。\n"
A3 = "西岭市公安局被西岭省公安厅评为“知识产权保护先进集体”。\n"
A2_CHANGED = "北湖区市场监督管理局与西岭市公安局联合开展“晨光”专项行动。\n"


def folder(path: Path, **texts: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (path / f"{name}.txt").write_text(text, encoding="utf-8")
    return path


def build(src: Path, out: Path) -> Path:
    rc, _, err = run("build", str(src), "--out", str(out), "--quiet")
    assert rc == 0, err
    return out


def labels(out: Path) -> set[str]:
    return {r["name"] for r in kg.open(out).query("SELECT ?name WHERE { ?e kgo:mentionedIn ?a ; rdfs:label ?name }")}


def same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A build of a1 and a3 only: what removing a2 must leave."""
    root = tmp_path_factory.mktemp("fresh")
    return build(folder(root / "in", a1=A1, a3=A3), root / "out")


def test_remove_drops_what_only_the_article_held(tmp_path: Path, fresh: Path) -> None:
    out = build(folder(tmp_path / "in", a1=A1, a2=A2, a3=A3), tmp_path / "out")
    assert {"南屿市海关", "西岭市公安局"} <= labels(out)
    rc, stdout, err = run("remove", "a2", "--store", str(out))
    assert rc == 0, err
    assert "removed 1 article" in stdout and f"rewrote the files in {out}" in stdout
    after = labels(out)
    assert "南屿市海关" not in after  # only a2 mentioned it
    assert "西岭市公安局" in after  # a1 and a3 mention it too
    assert after == labels(fresh)
    same_outputs(out, fresh)
    assert kg.open(out).store.triples() == kg.open(fresh).store.triples()
    assert sorted(kg.open(out).store.article_hashes()) == ["a1", "a3"]


def test_remove_by_the_store_folder_and_several_at_once(tmp_path: Path) -> None:
    out = build(folder(tmp_path / "in", a1=A1, a2=A2, a3=A3), tmp_path / "out")
    rc, stdout, err = run("remove", "a2", "a3", "--store", str(out / "store"))
    assert rc == 0, err
    alone = build(folder(tmp_path / "alone", a1=A1), tmp_path / "alone-out")
    same_outputs(out, alone)


def test_remove_an_unknown_article_changes_nothing(tmp_path: Path) -> None:
    out = build(folder(tmp_path / "in", a1=A1, a2=A2), tmp_path / "out")
    before = (out / "graph.trig").read_bytes()
    rc, stdout, err = run("remove", "a2", "a9", "--store", str(out))
    assert rc == 2 and stdout == ""
    assert err.strip() == f"kg: error: {out / 'store'}: no article 'a9' in the store (it holds 2 articles)"
    assert (out / "graph.trig").read_bytes() == before
    assert sorted(kg.open(out).store.article_hashes()) == ["a1", "a2"]
    rc, _, err = run("remove", "a1", "--store", str(tmp_path / "in"))
    assert rc == 2 and "no kg store here" in err and len(err.splitlines()) == 1


def test_a_changed_copy_replaces_the_article(tmp_path: Path) -> None:
    src = folder(tmp_path / "in", a1=A1, a2=A2)
    out = build(src, tmp_path / "out")
    assert "南屿市海关" in labels(out)
    (src / "a2.txt").write_text(A2_CHANGED, encoding="utf-8")
    rc, stdout, err = run("build", str(src), "--out", str(out))
    assert rc == 0, err
    assert "articles: 1 built, 0 failed, 1 unchanged (2 in the graph)" in stdout
    after = labels(out)
    assert "南屿市海关" not in after and "北湖区市场监督管理局" in after and "西岭市公安局" in after
    fresh = build(folder(tmp_path / "fresh", a1=A1, a2=A2_CHANGED), tmp_path / "fresh-out")
    same_outputs(out, fresh)


def test_remove_then_build_again_brings_it_back(tmp_path: Path) -> None:
    src = folder(tmp_path / "in", a1=A1, a2=A2)
    out = build(src, tmp_path / "out")
    first = (out / "graph.ttl").read_bytes()
    assert run("remove", "a2", "--store", str(out), "--quiet")[0] == 0
    assert (out / "graph.ttl").read_bytes() != first
    build(src, out)
    assert (out / "graph.ttl").read_bytes() == first


def test_remove_with_the_store_elsewhere(tmp_path: Path) -> None:
    src = folder(tmp_path / "in", a1=A1, a2=A2)
    rc, _, err = run("build", str(src), "--out", str(tmp_path / "out"), "--store", str(tmp_path / "db"), "--quiet")
    assert rc == 0, err
    rc, stdout, _ = run("remove", "a2", "--store", str(tmp_path / "db"))
    assert rc == 0 and "no build folder to rewrite (give --out DIR)" in stdout
    rc, stdout, _ = run("remove", "a1", "--store", str(tmp_path / "db"), "--out", str(tmp_path / "out"))
    assert rc == 0 and f"rewrote the files in {tmp_path / 'out'}" in stdout
    assert kg.open(tmp_path / "db").store.article_hashes() == {}
