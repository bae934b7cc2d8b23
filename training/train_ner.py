"""Train kg's statistical NER on CLUENER2020 and install it in kg/nlp/model.

    python training/train_ner.py [--cluener DIR] [--max-steps N] [--limit N]

CLUENER2020 (Xu et al. 2020, arXiv:2001.04351; research use, no published
licence) is read from ../shared/data/cluener2020. Its labels are mapped onto
the kg types the model predicts (see LABELS). Every character is tagged with
LAC features first, exactly as the kg_lac component does at run time. Seeds are
fixed in training/ner.cfg, so the same data and versions give the same model
bytes.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import spacy
from spacy.cli.train import train
from spacy.tokens import DocBin
from spacy.util import filter_spans

from kg.nlp.lac import LACTagger

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "training" / "ner.cfg"
MODEL = ROOT / "kg" / "nlp" / "model"
WORK = ROOT / "build" / "ner"
# CLUENER label → label of kg's NER; the other CLUENER labels are left out.
LABELS = {"government": "AGENCY", "company": "COMPANY", "organization": "ORGANIZATION", "name": "PERSON"}


def convert(source: Path, target: Path, tagger: LACTagger, limit: int | None = None) -> None:
    """One CLUENER JSON-lines file → a spaCy DocBin with LAC features and mapped entities."""
    nlp = spacy.blank("zh")
    bin_ = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE", "SENT_START"])
    lines = source.read_text(encoding="utf-8").splitlines()[:limit]
    for n, line in enumerate(lines, 1):
        record = json.loads(line)
        doc = tagger(nlp.make_doc(record["text"]))
        spans = []
        for label, names in record["label"].items():
            if label in LABELS:
                for start, end in (o for offsets in names.values() for o in offsets):
                    span = doc.char_span(start, end + 1, label=LABELS[label])  # CLUENER ends are inclusive
                    if span is not None:
                        spans.append(span)
        doc.ents = filter_spans(spans)
        del doc.spans["lac"]
        bin_.add(doc)
        if n % 1000 == 0:
            print(f"\r{source.name}: {n}/{len(lines)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    bin_.to_disk(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluener", type=Path, default=ROOT.parent / "shared" / "data" / "cluener2020")
    parser.add_argument("--max-steps", type=int, help="override training.max_steps (for quick checks)")
    parser.add_argument("--output", type=Path, default=MODEL, help="where the trained pipeline goes")
    parser.add_argument("--work", type=Path, default=WORK, help="folder for converted data and runs")
    parser.add_argument("--limit", type=int, help="use only the first N records of each file (for quick checks)")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    tagger = LACTagger()
    for part in ("train", "dev"):
        target = args.work / f"{part}.spacy"
        if not target.exists():
            convert(args.cluener / f"{part}.json", target, tagger, args.limit)
    overrides = {"paths.train": str(args.work / "train.spacy"), "paths.dev": str(args.work / "dev.spacy")}
    if args.max_steps:
        overrides["training.max_steps"] = args.max_steps
        overrides["training.eval_frequency"] = min(args.max_steps, 500)
    runs = args.work / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    train(CONFIG, runs, overrides=overrides)
    shutil.rmtree(args.output, ignore_errors=True)
    shutil.copytree(runs / "model-best", args.output)
    # the saved config names this machine's data paths: keep the model free of them
    config = spacy.util.load_config(args.output / "config.cfg", interpolate=False)
    config["paths"].update(train=None, dev=None)
    config.to_disk(args.output / "config.cfg")
    print(f"model written to {args.output}")


if __name__ == "__main__":
    main()
