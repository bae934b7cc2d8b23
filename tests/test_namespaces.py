"""IRIs minted from any input stay valid, bounded and distinct (hypothesis properties)."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

import pyoxigraph as ox

from kg.rdf.namespaces import KGG, KGR, MAX_SLUG, article_graph_iri, article_iri, entity_iri, slug

# any code point at all, lone surrogates included (from JSON escapes and undecodable file names)
ANY = st.text(st.characters(codec=None, categories=None), max_size=300)
HOSTILE = st.lists(st.sampled_from(list('<>"{}|^`\\ \t\n\x00\x7f\x85%./?#:@东江\ud800\udfff\ufffe')), max_size=40).map("".join)
IDS = st.one_of(ANY, HOSTILE, st.text(max_size=3000))


def valid(iri: str) -> bool:
    """Whether pyoxigraph, which writes every output, takes iri as an IRI."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


@settings(max_examples=500)
@given(IDS)
def test_article_iris_are_valid_and_bounded(article_id: str) -> None:
    for iri, base in ((article_iri(article_id), f"{KGR}article/"), (article_graph_iri(article_id), str(KGG))):
        assert valid(iri), iri
        assert iri.startswith(base)
        tail = iri[len(base):]
        assert 0 < len(tail) <= MAX_SLUG or article_id == ""
        assert "/" not in tail and tail not in (".", "..")


@settings(max_examples=300)
@given(IDS, IDS)
@example("0000?00??", "0000?00\ud800\ud800")  # lone surrogates once became ? as well
def test_different_ids_give_different_iris(a: str, b: str) -> None:
    if a != b:
        assert article_iri(a) != article_iri(b)


def test_short_ids_stay_readable_and_long_ones_end_in_a_digest() -> None:
    assert slug("dj-0508") == "dj-0508"
    assert slug("东江 通报") == "%E4%B8%9C%E6%B1%9F%20%E9%80%9A%E6%8A%A5"
    assert slug("..") == "%2E%2E"
    long_a, long_b = "东" * 200 + "甲", "东" * 200 + "乙"
    assert slug(long_a) != slug(long_b)
    assert slug(long_a)[:60] == slug(long_b)[:60]
    assert len(slug(long_a)) <= MAX_SLUG
    assert "%" not in slug(long_a)[-17:]


@settings(max_examples=300)
@given(st.sampled_from(["Agency", "Company", "Case", "Place"]), ANY)
def test_entity_iris_are_valid_for_any_name(type_: str, name: str) -> None:
    iri = entity_iri(type_, name)
    assert valid(iri) and iri.startswith(f"{KGR}{type_}/")
