"""The entity model, cross-validated by article: span F1, CLUENER dev F1, the built graph's score, speed.

    python benchmarks/entities.py [--shared ../shared] [--work build/entities] [--settings JSON]

Over seeds + dev + train (70 articles) in 5 folds by article (`kg.learn.corpus.folds`,
seed 13): the model is pretrained once on CLUENER2020 train (no article is in it),
then, for each fold, fine-tuned on the other folds' articles and applied to that
fold's. Reported:
- exact-span P/R/F1 per type on the held-out folds (gold spans as `kg.learn.spans`
  places them);
- CLUENER2020 dev exact-span F1 per mapped label, of the pretrained model (in the
  layers CLUENER teaches) and of fold 0's fine-tuned model (all layers);
- the graph of the held-out articles built with each fold's model (in place of the
  rules' names, and merged with them) beside the rules alone, scored with
  kg.learn.evaluate (../shared/eval/score.py's figures); also on the sealed articles (benchmarks/sealed.txt) as
  one aggregate, never their errors; and, as the ceiling of any tagger under
  today's resolution, the graph built from the gold names themselves, placed in
  layers as the model is taught them;
- LAC alone and LAC + the heads, characters per second on one thread, and the
  model's size and load time.
Needs torch (`pip install -e '.[train]'`). About 25 minutes on one thread.
"""
from __future__ import annotations

import argparse
import copy
import json
import pickle
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import spacy

from kg.learn import ner
from kg.learn.corpus import folds, read_annotated
from kg.learn.evaluate import score, store_of
from kg.learn.examples import feature_pipeline, from_cluener, read_mapping
from kg.learn.spans import layered, occurrences, read_layers
from kg.nlp.lac import LACTagger
from kg.nlp.pipeline import CONFIG, MODEL
from kg.nlp.tagger import EntityTagger, with_model
from kg.run.analyse import Analyser
from kg.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("Agency", "Company", "Association", "Case", "Award", "Campaign", "LegalDocument", "Brand", "Person", "Place")
CLUENER_TYPES = ("Agency", "Company", "Association", "Person", "Place")


def f1(tp: int, n_sys: int, n_gold: int) -> float:
    return 2 * tp / (n_sys + n_gold) if n_sys + n_gold else 0.0


def table(title: str, rows: dict[str, Counter], types: tuple[str, ...]) -> None:
    """One line per row: F1 per type, then headline and other micro F1 (for the types present)."""
    print(f"\n{title}\n{'':16}" + "".join(f"{t[:8]:>9}" for t in types) + f"{'headline':>9}{'other':>9}")
    for name, c in rows.items():
        cells = "".join(f"{f1(c[t, 'tp'], c[t, 'sys'], c[t, 'gold']):9.3f}" for t in types)
        groups = [sum((Counter({k: c[t, k] for k in ('tp', 'sys', 'gold')}) for t in g), Counter())
                  for g in (TYPES[:5], TYPES[5:])]
        print(f"{name:16}{cells}" + "".join(f"{f1(g['tp'], g['sys'], g['gold']):9.3f}" for g in groups))


def scored(graphs: list, golds: dict[str, dict]) -> Counter:
    """The scorer's counts per type for the article graphs against their gold (`kg.learn.evaluate`)."""
    figures = score(golds, store_of(graphs).dataset())
    return Counter({(t, k): v for t, c in figures.entities.items()
                    for k, v in (("tp", c.tp), ("sys", c.system), ("gold", c.gold))})


def built(nlp: spacy.Language, articles: list) -> list:
    """Each article's graph, analysed with the pipeline `nlp` (as `kg build` does with its own)."""
    analyser = Analyser()
    analyser.nlp = nlp
    return [analyser(a) for a in articles]


def gold_pipeline(config, annotated: list) -> spacy.Language:
    """kg's pipeline with the rules' names replaced by the gold names, in layers (an oracle)."""
    gold = {normalize(a.article.text).text: a.gold["entities"] for a in annotated}
    layers = read_layers()

    def oracle(doc):
        names = [n for kept in layered(occurrences(doc.text, gold[doc.text]), layers).values() for n in kept]
        spans = (doc.char_span(n.start, n.end, label=n.label, alignment_mode="contract") for n in names)
        doc.spans["kg"] = [s for s in spans if s is not None]
        return doc

    spacy.Language.component("kg_gold_names", func=oracle)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    nlp.add_pipe("kg_gold_names", after="kg_entities")
    return nlp


def speed(model: Path, texts: list[str]) -> tuple[float, float, float]:
    """chars/s of the kg_lac component alone, of kg_lac keeping its states + the heads, and the heads' load time (s)."""
    nlp = spacy.blank("zh")
    docs = [nlp.make_doc(t) for t in texts]
    chars = sum(map(len, texts))
    start = time.perf_counter()
    tagger = EntityTagger(model)
    load = time.perf_counter() - start
    lac, keep = LACTagger(), LACTagger(keep=tagger.model.layer)
    start = time.perf_counter()
    for doc in docs:
        lac(doc)
    alone = chars / (time.perf_counter() - start)
    start = time.perf_counter()
    for doc in docs:
        tagger(keep(doc))
    return alone, chars / (time.perf_counter() - start), load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "entities")
    ap.add_argument("--settings", default="{}", help="JSON of kg.learn.ner.Settings fields")
    ap.add_argument("--cache", action="store_true", help="keep the encoded sentences in WORK for the next run")
    args = ap.parse_args()
    settings = ner.Settings(**json.loads(args.settings))
    corpus = args.shared / "corpus"
    cluener = args.shared / "data" / "cluener2020"
    annotated = read_annotated([corpus / "seeds", corpus / "dev", corpus / "train"])
    by_id = {a.id: a for a in annotated}
    origin = {p.stem: p.parent.parent.name for p in sorted(corpus.glob("*/gold/*.json"))}
    lines = (ROOT / "benchmarks" / "sealed.txt").read_text(encoding="utf-8").splitlines()
    sealed = {x.strip() for x in lines if x.strip() and not x.startswith("#")}
    args.work.mkdir(parents=True, exist_ok=True)

    cache = args.work / f"sentences-{settings.lac_layer}.pkl"
    if args.cache and cache.exists():
        gold, general, dev = pickle.loads(cache.read_bytes())
    else:
        gold, general = ner.encode(annotated, cluener, settings)
        dev = list(from_cluener(cluener / "dev.json", feature_pipeline(settings.lac_layer), read_layers(), read_mapping()))
        if args.cache:
            cache.write_bytes(pickle.dumps((gold, general, dev), protocol=5))

    start = time.perf_counter()
    base = ner.pretrain(ner.new_trainer(gold + general, settings), general)
    print(f"pretrained on CLUENER train in {time.perf_counter() - start:.0f} s; settings {asdict(settings)}", flush=True)
    taught = {layer for t in general for s in t.sentences for layer in s.gold}
    cluener_rows = {"pretrained": ner.counts(base.predict(dev, taught), dev)}

    config = spacy.util.load_config(CONFIG, overrides={"paths.model": str(MODEL)}, interpolate=False)
    rules_nlp = spacy.util.load_model_from_config(with_model(config, mode="rules"), auto_fill=True)
    spans = Counter()
    modes = {"model": "replace", "model + rules": "merge", "model, rules fill": "complete"}
    graphs: dict[str, list] = {"rules": [], **{name: [] for name in modes}}
    for k, fold in enumerate(folds(sorted(by_id), 5, seed=13)):
        start = time.perf_counter()
        held = set(fold)
        trainer = ner.fine_tune(copy.deepcopy(base), [t for t in gold if t.source not in held], general)
        test = [t for t in gold if t.source in held]
        spans += ner.counts(trainer.predict(test), test)
        if k == 0:
            cluener_rows["fine-tuned, fold 0"] = ner.counts(trainer.predict(dev), dev)
            table("CLUENER2020 dev, exact spans", cluener_rows, CLUENER_TYPES)
        folder = args.work / f"fold{k}"
        ner.export(trainer, folder, {"held_out": sorted(held)})
        articles = [by_id[i].article for i in fold]
        graphs["rules"] += built(rules_nlp, articles)
        for name, mode in modes.items():
            nlp = spacy.util.load_model_from_config(with_model(config, folder, mode), auto_fill=True)
            graphs[name] += built(nlp, articles)
        print(f"fold {k}: {len(fold)} articles, {time.perf_counter() - start:.0f} s", flush=True)
    graphs["gold names"] = built(gold_pipeline(config, annotated), [by_id[i].article for i in sorted(by_id)])

    table("Held-out exact spans, 5-fold CV by article", {"model": spans}, TYPES)
    ids = sorted(by_id)
    untuned = sorted(i for i in ids if origin[i] == "train")
    for title, subset in (("all 70 articles (the rules were tuned on the 14 of seeds + dev)", ids),
                          (f"the {len(untuned)} articles of train (nobody tuned the rules on them)", untuned),
                          (f"the {len(sealed)} sealed articles, aggregate only", sorted(sealed))):
        keep = set(subset)
        rows = {name: scored([a for a in g if a.article.id in keep], {i: by_id[i].gold for i in subset})
                for name, g in graphs.items()}
        table(f"Built graph, scored as score.py does, 5-fold CV: {title}", rows, TYPES)

    texts = [normalize(by_id[i].article.text).text for i in ids]
    alone, both, load = speed(args.work / "fold0", texts)
    size = sum(p.stat().st_size for p in (args.work / "fold0").iterdir())
    print(f"\nspeed, one thread, {sum(map(len, texts))} chars: LAC alone {alone:,.0f} chars/s, "
          f"LAC + heads {both:,.0f} chars/s ({both / alone:.0%}); model {size / 1e6:.1f} MB, loads in {load:.2f} s")
    articles = [by_id[i].article for i in ids]
    chars = sum(len(a.text) for a in articles)
    for name, nlp in (("rules", rules_nlp),
                      ("model", spacy.util.load_model_from_config(with_model(config, args.work / "fold0", "complete"), auto_fill=True))):
        start = time.perf_counter()
        built(nlp, articles)
        print(f"analysis as in kg build ({name}): {chars / (time.perf_counter() - start):,.0f} chars/s")


if __name__ == "__main__":
    main()
