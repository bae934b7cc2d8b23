"""Train kg's entity model on the shared annotated articles and CLUENER2020; install it in kg/nlp/entity_model.

    python training/train_entities.py [--shared ../shared] [--out kg/nlp/entity_model] [--threads N]

Pretrains on CLUENER2020 train, fine-tunes on seeds + dev + train (`kg.learn.ner`),
and writes heads.onnx and meta.json. Seeds are fixed and torch runs
deterministically, so the same data, versions and thread count give the same
bytes. Needs torch (`pip install -e '.[train]'`).
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from kg.learn.corpus import read_annotated
from kg.learn.ner import Settings, train_entities
from kg.nlp.tagger import MODEL

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the bytes depend on it)")
    ap.add_argument("--settings", default="{}", help="JSON of kg.learn.ner.Settings fields")
    args = ap.parse_args()
    corpus = args.shared / "corpus"
    annotated = read_annotated([corpus / "seeds", corpus / "dev", corpus / "train"])
    settings = Settings(**{**json.loads(args.settings), "threads": args.threads})
    train_entities(annotated, args.shared / "data" / "cluener2020", args.out, seed=settings.seed, settings=settings)
    print(f"entity model written to {args.out} ({len(annotated)} articles; settings {asdict(settings)})")


if __name__ == "__main__":
    main()
