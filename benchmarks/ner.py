"""kg's trained NER beside bare LAC on CLUENER2020 dev: exact-span P/R/F1 and speed.

    python benchmarks/ner.py [--cluener ../shared/data/cluener2020] [--model kg/nlp/model]

Prints, per CLUENER type mapped to kg's labels (government → AGENCY, company →
COMPANY, organization → ORGANIZATION, name → PERSON), the model's precision,
recall and F1 on exact spans; LAC's ORG/PER spans scored the same way (LAC has
one ORG label, so its organisation figures are for the three types together);
the model's load time and tagging speed. Published test-set anchors
(government/company/organization F1): BiLSTM-CRF 77/72/76, BERT-base 87/81/79.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from train_ner import LABELS  # noqa: E402  (the one label mapping, shared with training)


def prf(tp: int, sys_n: int, gold_n: int) -> str:
    p, r = (tp / sys_n if sys_n else 0.0), (tp / gold_n if gold_n else 0.0)
    return f"P {p:.3f}  R {r:.3f}  F1 {2 * p * r / (p + r) if p + r else 0.0:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cluener", type=Path, default=ROOT.parent / "shared" / "data" / "cluener2020")
    ap.add_argument("--model", type=Path, default=ROOT / "kg" / "nlp" / "model")
    args = ap.parse_args()

    import spacy

    from kg.nlp.lac import LACTagger

    start = time.perf_counter()
    model = spacy.load(args.model)
    load_s = time.perf_counter() - start
    tagger = LACTagger()
    records = [json.loads(line) for line in (args.cluener / "dev.json").read_text(encoding="utf-8").splitlines()]

    counts: Counter = Counter()
    lac_seconds = ner_seconds = 0.0
    chars = 0
    for record in records:
        text = record["text"]
        chars += len(text)
        gold = {(s, e + 1, LABELS[label]) for label, names in record["label"].items() if label in LABELS
                for offsets in names.values() for s, e in offsets}
        t0 = time.perf_counter()
        doc = tagger(model.make_doc(text))
        t1 = time.perf_counter()
        doc = model.get_pipe("ner")(doc)
        t2 = time.perf_counter()
        lac_seconds, ner_seconds = lac_seconds + t1 - t0, ner_seconds + t2 - t1
        found = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        for label in set(LABELS.values()):
            g = {x for x in gold if x[2] == label}
            f = {x for x in found if x[2] == label}
            counts[label, "tp"] += len(g & f)
            counts[label, "sys"] += len(f)
            counts[label, "gold"] += len(g)
        orgs = {(s, e) for s, e, label in gold if label != "PERSON"}
        lac_orgs = {(w.start_char, w.end_char) for w in doc.spans["lac"] if w.label_ == "ORG"}
        people = {(s, e) for s, e, label in gold if label == "PERSON"}
        lac_people = {(w.start_char, w.end_char) for w in doc.spans["lac"] if w.label_ == "PER"}
        counts["lac-org", "tp"] += len(orgs & lac_orgs)
        counts["lac-org", "sys"] += len(lac_orgs)
        counts["lac-org", "gold"] += len(orgs)
        counts["lac-per", "tp"] += len(people & lac_people)
        counts["lac-per", "sys"] += len(lac_people)
        counts["lac-per", "gold"] += len(people)

    print(f"CLUENER2020 dev: {len(records)} records, {chars} characters")
    for label in ("AGENCY", "COMPANY", "ORGANIZATION", "PERSON"):
        print(f"  kg NER {label:13} {prf(counts[label, 'tp'], counts[label, 'sys'], counts[label, 'gold'])}")
    all3 = [sum(counts[k, x] for k in ("AGENCY", "COMPANY", "ORGANIZATION")) for x in ("tp", "sys", "gold")]
    print(f"  kg NER gov+company+org, typed:   {prf(*all3)}")
    print(f"  LAC ORG vs gov+company+org:  {prf(counts['lac-org', 'tp'], counts['lac-org', 'sys'], counts['lac-org', 'gold'])}")
    print(f"  LAC PER vs name:             {prf(counts['lac-per', 'tp'], counts['lac-per', 'sys'], counts['lac-per', 'gold'])}")
    print(f"model load {load_s:.2f} s; LAC {chars / lac_seconds:,.0f} chars/s; NER {chars / ner_seconds:,.0f} chars/s")


if __name__ == "__main__":
    main()
