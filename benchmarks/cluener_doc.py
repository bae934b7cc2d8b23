"""CLUENER2020 dev as kg input: a JSON Lines corpus (one article per record) and a gold folder.

    python benchmarks/cluener_doc.py OUT_DIR [--cluener ../shared/data/cluener2020] [--build [--model DIR [--mode M] | --rules]]

Writes OUT_DIR/cluener_dev.jsonl and OUT_DIR/gold/<id>.json (GUIDELINES.md's
format): each record's names of the mapped labels become gold entities of that
record, government → Agency, company → Company, name → Person, organization →
Association, address → Place (`kg/learn/data/cluener.tsv`); the other labels are
not kg types and are left out. With --build it also builds the corpus as `kg build`
does (kg's pipeline as configured; or with the entity model in DIR; or the rules
alone) and scores the graph as ../shared/eval/score.py does (`kg evaluate`) at document level, which
is how issue 13 states its target (Agency ≥ 0.70, Company ≥ 0.65, Person ≥ 0.75).
CLUENER is research data: the files written here stay out of the repository.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import spacy

from kg.learn.evaluate import load_gold, score, store_of
from kg.learn.examples import read_mapping
from kg.model import Article
from kg.nlp.pipeline import CONFIG, MODEL
from kg.nlp.tagger import with_model
from kg.read.ingest import read_inputs
from kg.run.analyse import Analyser

ROOT = Path(__file__).resolve().parents[1]


def convert(source: Path, out: Path) -> Path:
    """Write the corpus and gold folder for the CLUENER file `source`; return the corpus file."""
    mapping = read_mapping()
    (out / "gold").mkdir(parents=True, exist_ok=True)
    corpus = out / f"cluener_{source.stem}.jsonl"
    with open(source, encoding="utf-8") as lines, open(corpus, "w", encoding="utf-8") as records:
        for n, line in enumerate(lines):
            record = json.loads(line)
            doc = f"cluener-{source.stem}-{n:05d}"
            entities = []
            for label, names in sorted(record["label"].items()):
                kind = mapping.get(label)
                if kind in (None, "O", "mask"):
                    continue
                for name in sorted(names):
                    entities.append({"id": f"e{len(entities) + 1}", "type": kind, "name": name, "aliases": []})
            records.write(json.dumps({"id": doc, "text": record["text"]}, ensure_ascii=False) + "\n")
            gold = {"doc": doc, "entities": entities, "relations": []}
            (out / "gold" / f"{doc}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--cluener", type=Path, default=ROOT.parent / "shared" / "data" / "cluener2020")
    ap.add_argument("--build", action="store_true", help="build the corpus with kg and score it")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--model", type=Path, help="build with the entity model in this folder")
    which.add_argument("--rules", action="store_true", help="build with the rules alone (no entity model)")
    ap.add_argument("--mode", default="replace", help="kg_tagger's mode with --model (replace, merge, complete)")
    args = ap.parse_args()
    corpus = convert(args.cluener / "dev.json", args.out)
    print(f"wrote {corpus} and {args.out / 'gold'}")
    if not args.build:
        return
    config = spacy.util.load_config(CONFIG, overrides={"paths.model": str(MODEL)}, interpolate=False)
    if args.rules:
        config = with_model(config, mode="rules")
    elif args.model:
        config = with_model(config, args.model, args.mode)
    analyser = Analyser()
    analyser.nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    graphs = [analyser(a) for a in read_inputs([corpus]) if isinstance(a, Article)]
    print(score(load_gold(args.out / "gold"), store_of(graphs).dataset()).table())


if __name__ == "__main__":
    main()
