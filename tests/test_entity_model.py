"""The learned entity model: gold spans, the LAC port, training twice gives the same bytes, the
exported heads score as torch does, and the shipped model tags without torch.

Articles are kg's invented samples (kg/samples) and invented sentences; CLUENER2020 is read
from ../shared when it is there.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy
import pytest

from kg.learn.spans import bio, layered, occurrences, read_layers
from kg.nlp.spans import Mention
from kg.nlp.tagger import MODEL, allowed_transitions, names_of, tag_names, viterbi

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(str(files("kg") / "samples"))
CLUENER = ROOT.parent / "shared" / "data" / "cluener2020"


def test_gold_names_are_found_under_the_scorers_normalisation() -> None:
    text = "青禾市开展“清风-2025”专项行动,青禾市公安局滨江分局查处云雀贸易有限公司。"
    gold = [{"type": "Campaign", "name": "清风-2025专项行动", "aliases": []},
            {"type": "Agency", "name": "青禾市公安局滨江分局", "aliases": []},
            {"type": "Agency", "name": "青禾市公安局", "aliases": []},
            {"type": "Place", "name": "青禾市", "aliases": ["青禾"]}]
    found = occurrences(text, gold)
    assert Mention(5, 18, "Campaign") in found  # quotes kept balanced: “清风-2025”专项行动
    layers = layered(found, read_layers())
    assert [text[n.start:n.end] for n in layers["places"]] == ["青禾市", "青禾市"]  # not 青禾 inside them
    assert text[layers["bodies"][0].start:layers["bodies"][0].end] == "青禾市公安局滨江分局"
    assert len(layers["bodies"]) == 1  # 青禾市公安局 lies inside it: the layer holds no nested names


def test_bio_tags_decode_to_the_same_names() -> None:
    names = [Mention(0, 3, "Agency"), Mention(3, 4, "Person"), Mention(6, 9, "Company")]
    tags = bio(10, names)
    assert names_of(tags) == names
    assert names_of(["B-Agency", "I-Agency", "I-Person"]) == [Mention(0, 2, "Agency")]  # not a path, but no name is lost
    kinds = tag_names(["Agency", "Person", "Company"])
    move, begin, _ = allowed_transitions(kinds)
    index = {t: i for i, t in enumerate(kinds)}
    assert move[index["B-Agency"], index["I-Agency"]] and move[index["I-Agency"], index["B-Person"]]
    assert not move[index["B-Agency"], index["I-Person"]] and not move[index["O"], index["I-Agency"]]
    assert not begin[index["I-Agency"]] and begin[index["B-Agency"]]


def test_viterbi_keeps_to_the_allowed_paths_and_each_length() -> None:
    tags = tag_names(["Agency"])
    move, begin, end = allowed_transitions(tags)
    scores = numpy.zeros((2, 4, len(tags)), dtype=numpy.float32)
    scores[:, :, tags.index("I-Agency")] = 5  # I everywhere scores best but cannot start a path
    scores[:, :, tags.index("B-Agency")] = 1
    paths = viterbi(scores, numpy.array([4, 2]), numpy.where(move, 0, -1e4), numpy.where(begin, 0, -1e4),
                    numpy.where(end, 0, -1e4))
    assert [[tags[i] for i in p[:n]] for p, n in zip(paths, (4, 2))] == [
        ["B-Agency", "I-Agency", "I-Agency", "I-Agency"], ["B-Agency", "I-Agency"]]


def test_lac_port_gives_lacs_own_scores() -> None:
    import torch
    from kg.learn.lac_port import LACNetwork
    from kg.nlp.lac import LACTagger

    lac = LACTagger(keep="gru1").lac
    sentence = "星海市市场监督管理局查处云雀贸易有限公司侵犯注册商标专用权案。"
    ids = numpy.array([[lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in sentence]])
    emissions, layer1 = lac._session.run(None, {"token_ids": ids, "length": numpy.array([len(sentence)])})
    net = LACNetwork().eval()
    with torch.no_grad():
        ours = net(torch.from_numpy(ids)).numpy()
        h1, _ = net.gru1(net.embedding(torch.from_numpy(ids)))
    assert numpy.abs(ours - emissions).max() < 1e-4
    assert numpy.abs(h1.numpy()[0] - layer1[:, 0]).max() < 1e-4


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_training_twice_gives_the_same_bytes_and_onnx_scores_as_torch(tmp_path: Path) -> None:
    import torch
    from kg.learn import ner
    from kg.learn.corpus import read_annotated

    annotated = read_annotated([SAMPLES])
    cluener = CLUENER if (CLUENER / "train.json").is_file() else None
    settings = ner.Settings(hidden=16, pretrain_epochs=1, finetune_epochs=2)
    models = [ner.train_entities(annotated, cluener, tmp_path / run, seed=7, settings=settings, limit=60)
              for run in ("a", "b")]
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert set(digest(tmp_path / "a")) == {"heads.onnx", "meta.json"}

    # the exported graph scores as the torch model did: retrain in memory and compare
    gold, general = ner.encode(annotated, cluener, ner.Settings(**{**settings.__dict__, "seed": 7}), limit=60)
    trainer = ner.new_trainer(gold + general, ner.Settings(**{**settings.__dict__, "seed": 7}))
    ner.fine_tune(ner.pretrain(trainer, general), gold, general)
    sentences = gold[0].sentences[:16]
    batch = ner.batch_of(sentences, trainer.tag_ids)
    trainer.model.eval()
    with torch.no_grad():
        expected = trainer.model(batch.states, batch.tags, batch.rules, batch.lengths).numpy()
    model = models[0]
    got = model.scores(model.inputs([s.states for s in sentences], [s.tags for s in sentences], [s.rules for s in sentences]))
    live = numpy.arange(expected.shape[1])[None, :] < batch.lengths.numpy()[:, None]
    assert numpy.abs(expected - got)[live].max() < 1e-4


RUNTIME = """
import sys
sys.modules["torch"] = None  # importing torch now fails: the run time must not need it
import spacy
from kg.nlp.pipeline import CONFIG, MODEL
from kg.nlp.tagger import with_model
config = spacy.util.load_config(CONFIG, overrides={"paths.model": str(MODEL)}, interpolate=False)
nlp = spacy.util.load_model_from_config(with_model(config, mode=sys.argv[1]), auto_fill=True)
doc = nlp(sys.argv[2])
for span in doc.spans["kg"]:
    print(span.label_, span.text, sep="\\t")
assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
"""


@pytest.mark.skipif(not (MODEL / "heads.onnx").is_file(), reason="no shipped entity model (make model)")
def test_the_shipped_model_tags_an_invented_article_without_torch() -> None:
    text = ("2025年3月,云岭省星海市市场监督管理局接到举报,依法查处星海青禾贸易有限公司销售侵犯“鹤鸣泉”"
            "注册商标专用权商品案,当事人周明远被罚款。")
    out = subprocess.run([sys.executable, "-c", RUNTIME, "replace", text], capture_output=True, text=True, check=True)
    found = {tuple(line.split("\t")) for line in out.stdout.splitlines()}
    assert ("Agency", "云岭省星海市市场监督管理局") in found or ("Agency", "星海市市场监督管理局") in found
    assert ("Company", "星海青禾贸易有限公司") in found
    assert ("Person", "周明远") in found


@pytest.mark.skipif(not (MODEL / "heads.onnx").is_file(), reason="no shipped entity model (make model)")
def test_the_component_writes_and_reads_its_model(tmp_path: Path) -> None:
    from kg.nlp.tagger import EntityTagger

    tagger = EntityTagger(MODEL)
    tagger.to_disk(tmp_path / "copy")
    assert digest(tmp_path / "copy") == digest(MODEL)
    assert EntityTagger(MODEL).from_disk(tmp_path / "copy").model.meta == tagger.model.meta


def test_each_types_mode_decides_what_becomes_of_the_rules_names(tmp_path: Path) -> None:
    import spacy

    from kg.nlp.tagger import EntityTagger

    text = "星海市公安局与云雀贸易有限公司联合开展查处侵犯商标案"
    doc = spacy.blank("zh").make_doc(text)
    span = lambda s, label: Mention(text.index(s), text.index(s) + len(s), label)  # noqa: E731
    rules = [span("星海市公安局", "Agency"), span("星海市", "Place"), span("云雀贸易有限公司", "Company"),
             span("查处侵犯商标案", "Case")]
    doc.spans["kg"] = [doc.char_span(m.start, m.end, label=m.label) for m in rules]
    model = [span("星海市公", "Agency"), span("贸易有限公司联合", "Company"), span("星海", "Place"),
             span("星海市公安局与云雀贸易有限公司联合开展", "Case")]  # no case ending: dropped
    tagger = EntityTagger(tmp_path, mode="replace",  # an empty folder: no model is loaded, `write` is what is tested
                          modes={"Company": "complete", "Place": "merge", "Case": "rules"})
    tagger.write(doc, model)
    got = {(s.text, s.label_) for s in doc.spans["kg"]}
    assert got == {("星海市公", "Agency"),  # replace: the model's name alone
                   ("贸易有限公司联合", "Company"),  # complete: the rules' 云雀贸易有限公司 crosses it, not kept
                   ("星海", "Place"), ("星海市", "Place"),  # merge: both
                   ("查处侵犯商标案", "Case")}  # rules: the rules' alone
    with pytest.raises(ValueError, match="mode is one of"):
        EntityTagger(tmp_path, modes={"Case": "vote"})
