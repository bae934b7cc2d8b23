"""The learned relation classifier: candidates and features, training, its file, and reporters.

The articles in tests/fixtures/relations are invented, with invented names.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.learn.corpus import read_annotated
from kg.learn.relations import collect, train, train_relations, type_pairs
from kg.relate.candidates import Layout, candidates
from kg.relate.features import ArticleFeatures, prefixed
from kg.relate.mentions import ArticleMentions, Mention, Proposal
from kg.relate.model import SHIPPED, RelationModel

FIXTURES = Path(__file__).parent / "fixtures" / "relations"


def view_of(text: str, names: list[tuple[str, str]], proposals: list[Proposal] = ()) -> ArticleMentions:
    """A hand-made view: each (type, name) is a mention at the name's first place in text."""
    mentions = []
    for kind, name in names:
        start = text.index(name)
        mentions.append(Mention(start, start + len(name), kind, (kind, name)))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return ArticleMentions(text, [(0, len(text))], mentions, list(proposals), [])


@pytest.fixture(scope="module")
def samples():
    return collect(read_annotated([FIXTURES]))


def test_features_of_an_invented_sentence():
    text = "星海市公安局查处了云岭贸易有限公司侵犯“青禾”商标案。"
    case = "云岭贸易有限公司侵犯“青禾”商标案"
    view = view_of(text, [("Agency", "星海市公安局"), ("Case", case), ("Company", "云岭贸易有限公司"), ("Brand", "青禾")])
    layout = Layout(view)
    found = {(c.relation, c.head_entity[1], c.tail_entity[1]): c for c in candidates(view, layout, type_pairs())}
    handled = found[("handledBy", case, "星海市公安局")]
    assert handled.scope == "clause"
    features = prefixed("handledBy", ArticleFeatures(view, layout)(handled))
    assert {"handledBy|between:查处", "handledBy|order=th", "handledBy|types=Case>Agency", "*|between:查处"} <= set(features)
    nested = ArticleFeatures(view, layout)(found[("involves", case, "云岭贸易有限公司")])
    assert {"scope=nested", "inner=tail"} <= nested
    assert ("receivedAward", case, "星海市公安局") not in found  # types that fit no relation


def test_coordinated_list_and_the_rules_proposal():
    text = "云岭省市场监督管理局、星海市市场监督管理局和星海市公安局联合开展“清风”行动。"
    bodies = ["云岭省市场监督管理局", "星海市市场监督管理局", "星海市公安局"]
    view = view_of(text, [("Agency", b) for b in bodies] + [("Campaign", "清风")], [Proposal(0, "cooperatesWith", 2, 0.6)])
    layout = Layout(view)
    assert layout.lists == [[0, 1, 2]]
    pair = next(c for c in candidates(view, layout, type_pairs())
                if c.relation == "cooperatesWith" and {c.head, c.tail} == {0, 2})
    assert {"samelist", "hlistsize=<=3", "rule=same"} <= ArticleFeatures(view, layout)(pair)


def test_train_save_load_predict(samples, tmp_path):
    path = train_relations(read_annotated([FIXTURES]), tmp_path)
    model = RelationModel.from_disk(path)
    assert model.to_bytes() == path.read_bytes()
    view, norm = samples[1].view, samples[1].norm
    facts = model.decide(view, norm)
    assert facts and all(model.thresholds[f.relation] <= f.confidence <= 1 for f in facts)
    assert all(norm.original[f.start:f.end].strip() == f.sentence for f in facts)


def test_training_twice_gives_the_same_bytes(samples):
    assert train(samples, seed=13).to_bytes() == train(samples, seed=13).to_bytes()


def test_a_reporter_in_a_byline_is_never_a_party(samples):
    r1 = samples[0]
    assert ("Person", "王一鸣") in {m.entity for m in r1.view.mentions}
    assert any(f.tail == ("Person", "王一鸣") for f in r1.graph.facts)  # the rules make the reporter a party
    keep_all = RelationModel({"*|bias": 50.0}, {r: 0.5 for r in type_pairs()}, type_pairs(), set())
    facts = keep_all.decide(r1.view, r1.norm)
    assert any(f.tail == ("Person", "陈某") and f.relation == "involves" for f in facts)
    assert not any(("Person", "王一鸣") in (f.head, f.tail) for f in facts)


@pytest.mark.skipif(not SHIPPED.is_file(), reason="no shipped relation model")
def test_the_shipped_model_loads_and_decides(samples):
    model = RelationModel.from_disk()
    assert set(model.thresholds) == set(type_pairs())
    assert all(("Person", "王一鸣") not in (f.head, f.tail) for f in model.decide(samples[0].view, samples[0].norm))
