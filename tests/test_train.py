"""`kg train` on invented gold articles: it trains both models, reports cross-validated scores,
gives the same bytes twice, and `kg build --model` builds with what it wrote."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from helpers import run

from kg.store.store import Store

GOLD = Path(__file__).parent / "fixtures" / "relations"  # four invented articles with gold
ARTICLE = ("2025年5月,青禾市市场监督管理局依法查处云雀贸易有限公司销售侵犯“鹤鸣泉”注册商标专用权商品案,"
           "并与青禾市公安局签署合作备忘录。")
QUICK = ("--epochs", "2")  # a real training, cut short: the test checks the path, not the quality


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def names(out: Path) -> set[tuple[str, str]]:
    rows = Store.from_path(out / "store").query(
        "SELECT ?t ?l WHERE { ?e a ?t ; rdfs:label ?l . FILTER(STRSTARTS(STR(?t), STR(kgo:))) }")
    return {(r["t"].value, r["l"].value) for r in rows}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("train") / "models"
    rc, stdout, err = run("train", str(GOLD), "--out", str(out), "--folds", "2", *QUICK)
    assert rc == 0, err
    return out, stdout


def test_train_writes_both_models_and_the_cross_validated_scores(trained: tuple[Path, str]) -> None:
    out, stdout = trained
    assert (out / "entities" / "heads.onnx").is_file() and (out / "relations.json").is_file()
    assert not (out / "folds").exists()  # the fold models are not left behind
    meta = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert meta["articles"] == ["r1", "r2", "r3", "r4"]
    assert meta["crossval"]["folds"] == 2
    gold_entities = sum(n for _, _, n in meta["crossval"]["entities"].values())
    assert gold_entities == sum(len(json.loads(p.read_text(encoding="utf-8"))["entities"])
                                for p in (GOLD / "gold").glob("*.json"))
    assert "cross-validated over 4 articles (2 folds by article)" in stdout
    assert "relations macro F1" in stdout


def test_training_again_gives_the_same_bytes(trained: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = trained
    rc, _, err = run("train", str(GOLD), "--out", str(tmp_path / "again"), "--folds", "2", *QUICK, "--quiet")
    assert rc == 0, err
    assert digests(tmp_path / "again") == digests(out)


def test_a_build_with_model_uses_the_trained_models(trained: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = trained
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    built = {}
    for name, model in (("trained", out), ("rules", tmp_path / "empty")):
        model.mkdir(exist_ok=True)
        rc, _, err = run("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / name), "--model", str(model), "--quiet")
        assert rc == 0, err
        built[name] = names(tmp_path / name)
    rc, _, err = run("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "shipped"), "--quiet")
    assert rc == 0, err
    built["shipped"] = names(tmp_path / "shipped")
    # two epochs on four articles tag differently from the rules and from the shipped model
    assert built["trained"] != built["rules"] and built["trained"] != built["shipped"]


def test_train_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    rc, _, err = run("train", str(tmp_path), "--out", str(tmp_path / "m"))
    assert rc != 0 and "no gold/ folder" in err and str(tmp_path) in err
    rc, _, err = run("train", str(GOLD), "--out", str(tmp_path / "m"), "--folds", "9")
    assert rc != 0 and "--folds 9" in err
    rc, _, err = run("train", str(GOLD), "--out", str(tmp_path / "m"), "--cluener", str(tmp_path))
    assert rc != 0 and "CLUENER2020" in err
    assert not (tmp_path / "m").exists()
