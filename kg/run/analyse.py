"""One article → its entities and relations, in pieces of bounded size, naming the stage that fails.

Normalisation, the spaCy pipeline and resolution each hold several objects per
character, so a 50 MB dump taken whole would need gigabytes (and spaCy refuses
texts over a million characters). Articles longer than `MAX_CHARS` are cut at
paragraph ends, else sentence ends, and each piece is analysed alone, its
offsets shifted back into the whole text, so provenance offsets stay exact.
`Analyser.pieces` hands the pieces' graphs out one by one (the RDF writer takes
them so, and memory stays bounded by the piece size); calling the analyser
joins them into the article's graph. News articles are far shorter and are
analysed whole.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from kg.model import Article, ArticleGraph, Built, Entity, StageError
from kg.nlp.pipeline import MODEL, load_pipeline
from kg.rdf.graph import ArticleWriter, nquads, serialize
from kg.rdf.namespaces import article_graph_iri
from kg.relate.model import FILE, RelationModel
from kg.resolve.resolver import RelationDecider, Resolver, dedupe
from kg.text.normalize import normalize

MAX_CHARS = 20_000
SENTENCE_ENDS = "。！？；"


class Analyser:
    """Runs normalisation, the spaCy pipeline and resolution on one article at a time.

    model: the folder of trained models the pipeline uses (None: the shipped ones);
    relations: what decides the relations instead of the folder's relation model.
    """

    def __init__(self, max_chars: int | None = None, model: Path | None = None,
                 relations: RelationDecider | None = None) -> None:
        self.nlp = load_pipeline(model)
        self.resolver = Resolver(relations or relation_model(model))
        self.max_chars = max_chars or MAX_CHARS

    def __call__(self, article: Article) -> ArticleGraph:
        graphs = list(self.pieces(article))
        with stage("resolve"):
            return join(article, graphs)

    def pieces(self, article: Article) -> Iterator[ArticleGraph]:
        """The graph of each piece of the article in turn, with offsets into the whole text."""
        for start, end in pieces(article.text, self.max_chars):
            with stage("normalize"):
                norm = normalize(article.text[start:end])
            with stage("nlp"):
                doc = self.nlp(norm.text)
            with stage("resolve"):
                yield shifted(self.resolver(article, norm, doc), start)


def relation_model(model: Path | None) -> RelationModel | None:
    """The relation classifier of a model folder, if it has one (without, the rules decide)."""
    path = (model or MODEL) / FILE
    return RelationModel.from_disk(path) if path.is_file() else None


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Turns any exception inside the block into a StageError naming the stage."""
    try:
        yield
    except StageError:
        raise
    except Exception as e:
        raise StageError(name) from e


def pieces(text: str, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive pieces of text, each at most `size` characters, cut after
    a line break, else after a sentence end, else before a character that is not combining."""
    start, n = 0, len(text)
    while n - start > size:
        low, high = start + size // 2, start + size
        cut = text.rfind("\n", low, high) + 1
        if not cut:
            cut = max(text.rfind(c, low, high) for c in SENTENCE_ENDS) + 1
        if not cut:
            cut = high
            while cut > low and unicodedata.combining(text[cut]):
                cut -= 1
        yield start, cut
        start = cut
    yield start, n


def write(analyse: Analyser, article: Article, min_confidence: float = 0.0, keep: bool = False,
          spool: Path | None = None) -> Built:
    """An article through every stage and written as RDF (`kg.model.Built`).

    An article of several pieces, when a `spool` folder is given and its graph
    need not be kept, is written there piece by piece, so that memory stays
    bounded by the piece size however long it is.
    """
    name = article_graph_iri(article.id)
    if keep or spool is None or len(article.text) <= analyse.max_chars:
        ag = analyse(article)
        with stage("rdf"):
            return Built(article.id, nquads(ag, min_confidence), ag if keep else None)
    writer = ArticleWriter(article, min_confidence)
    path = spool / f"{hashlib.sha1(article.id.encode('utf-8', 'surrogatepass')).hexdigest()}.nq"
    try:
        with path.open("wb") as f:
            f.write(serialize(name, writer.header()))
            for ag in analyse.pieces(article):
                with stage("rdf"):
                    f.write(serialize(name, writer.piece(ag)))
            with stage("rdf"):
                f.write(serialize(name, writer.relations()))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Built(article.id, b"", None, str(path), serialize(name, [writer.stamp()]))


def shifted(ag: ArticleGraph, offset: int) -> ArticleGraph:
    """A piece's graph with its offsets moved by the piece's place in the whole text."""
    if not offset:
        return ag
    for ent in ag.entities.values():
        ent.mentions = [(s + offset, e + offset) for s, e in ent.mentions]
    return ArticleGraph(ag.article, ag.entities, [replace(f, start=f.start + offset, end=f.end + offset) for f in ag.facts])


def join(article: Article, graphs: list[ArticleGraph]) -> ArticleGraph:
    """One article's graph from the graphs of its pieces."""
    if len(graphs) == 1:
        return graphs[0]
    entities: dict[tuple[str, str], Entity] = {}
    facts = []
    for ag in graphs:
        for key, ent in ag.entities.items():
            whole = entities.setdefault(key, Entity(ent.type, ent.name, en=ent.en, wikidata=ent.wikidata))
            whole.aliases |= ent.aliases
            whole.mentions += ent.mentions
        facts += ag.facts
    return ArticleGraph(article, entities, dedupe(facts))
