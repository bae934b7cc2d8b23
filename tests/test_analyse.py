"""Tests for kg.run.analyse: long articles in pieces, and the stage that fails. Invented texts."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.run import analyse as analyse_module
from kg.run.analyse import MAX_CHARS, Analyser, StageError, pieces
from kg.model import Article
from kg.text.normalize import clean

PARAGRAPHS = [
    "5月8日,东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案,没收侵权商品1200件。\n",
    "東江市公安局開展“藍盾”專項行動,東江市公安局與東江海關聯合查處東江藍海科技股份有限公司。\n",
    "北湖区知识产权局与中国东江品牌保护协会签署《知识产权保护合作备忘录》。\n",
]


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


@given(st.text(alphabet=st.sampled_from("东江。！\n a\u0301?"), max_size=400), st.integers(4, 60))
def test_pieces_cover_the_text_in_order_within_the_size(text: str, size: int) -> None:
    spans = list(pieces(text, size))
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(0 < e - s <= size for s, e in spans) or text == ""


def test_pieces_are_cut_after_line_breaks_then_sentence_ends() -> None:
    text = "甲" * 30 + "\n" + "乙" * 30 + "。" + "丙" * 50
    assert list(pieces(text, 40)) == [(0, 31), (31, 62), (62, 102), (102, 112)]


def test_long_article_in_pieces_has_the_graph_of_its_pieces_with_offsets_into_the_whole(analyser: Analyser) -> None:
    block = "".join(PARAGRAPHS)
    text = block * 4
    assert list(pieces(text, 150)) == [(i * len(block), (i + 1) * len(block)) for i in range(4)]
    one = analyser(Article("one", block))
    joined = Analyser(max_chars=150)(Article("long", text))
    assert set(joined.entities) == set(one.entities)
    assert {(f.head, f.relation, f.tail) for f in joined.facts} == {(f.head, f.relation, f.tail) for f in one.facts}
    for ent in joined.entities.values():
        mentions = one.entities[ent.key].mentions
        assert sorted(ent.mentions) == sorted((s + i * len(block), e + i * len(block)) for i in range(4)
                                              for s, e in mentions)
        for s, e in ent.mentions:  # each points at the name as written, in the whole text
            assert clean(text[s:e])[0].strip() in ent.aliases
    for f in joined.facts:
        assert text[f.start:f.end].strip() == f.sentence


@pytest.mark.parametrize("target,stage", [("normalize", "normalize"), ("nlp", "nlp"), ("resolver", "resolve")])
def test_the_failing_stage_is_named(analyser: Analyser, monkeypatch, target: str, stage: str) -> None:
    def boom(*args, **kwargs):
        raise ValueError("broken on purpose")

    if target == "normalize":
        monkeypatch.setattr(analyse_module, "normalize", boom)
    else:
        monkeypatch.setattr(analyser, target, boom)
    with pytest.raises(StageError) as e:
        analyser(Article("a", PARAGRAPHS[0]))
    assert e.value.stage == stage
    assert str(e.value.__cause__) == "broken on purpose"


def test_a_long_article_written_piece_by_piece_gives_the_graph_of_the_whole(tmp_path: Path) -> None:
    """`kg build` writes an article of several pieces to a spool file, piece by piece, and stores it
    in batches; the Python API keeps and joins its pieces: the same graph either way."""
    import kg
    from kg.cli import main
    from kg.store.store import Store

    lines = [f"{c}市市场监督管理局查处{c}宏达贸易有限公司侵犯“云雀{i}”注册商标专用权案,罚款{i}万元。\n"
             for i in range(1000) for c in ["东江"]]
    (tmp_path / "long.txt").write_text("".join(lines) + "东江市公安局与东江市市场监督管理局建立联合执法协作机制。\n", encoding="utf-8")
    assert len((tmp_path / "long.txt").read_text(encoding="utf-8")) > 2 * MAX_CHARS
    assert main(["build", str(tmp_path / "long.txt"), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    spooled = Store.open(tmp_path / "out" / "store", read_only=True)
    kept = kg.build([tmp_path / "long.txt"])
    assert kept.articles and len(kept.articles[0].facts) > 1000
    quads = lambda s: set(map(str, s.ox.quads_for_pattern(None, None, None, None)))  # noqa: E731
    assert quads(spooled) == quads(kept.store)
