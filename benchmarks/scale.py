"""Does `kg build` stay flat as inputs grow? Memory over many articles, long articles, adding to a store.

    python benchmarks/scale.py                    # the sizes of issue 14 (about an hour on 2 cores)
    python benchmarks/scale.py --quick            # a tenth of them
    python benchmarks/scale.py --parts long,add   # some of the three measurements

Three measurements, each command its own process, with the peak resident memory
of its process tree (`measure.py`):
1. Many short articles: synthetic articles (`measure.articles`) built with one
   worker at N and 10 N (2,000 and 20,000): peak memory at 10 N ≤ 1.2 × at N, and
   under 1 GB.
2. A long article: lines naming a different company and case each ("X市市场监督
   管理局查处X华宏{i}贸易有限公司侵犯注册商标专用权案…"), of 100,000 and 3,000,000
   characters: the long one under 1 GB, and its time within 1.3 × 30 × the short one's.
3. Adding to a store: 10 new articles built into the store of the N of (1): its
   time and peak, beside building those 10 alone and rewriting the outputs of the
   whole store (the store unchanged, the outputs' stamp removed).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from measure import KG, articles, measure, write_jsonl

CITIES = ["东江", "西岭", "南屿", "北湖", "青川", "云岭", "星海", "临溪"]
MB = 2**20


def long_article(chars: int) -> str:
    lines, i, total = [], 0, 0
    while total < chars:
        c = CITIES[i % len(CITIES)]
        line = f"{c}市市场监督管理局查处{c}华宏{i}贸易有限公司侵犯注册商标专用权案，罚款{i % 9 + 1}万元。\n"
        lines.append(line)
        total += len(line)
        i += 1
    return "".join(lines)


def build(inputs: Path, out: Path, *extra: str):  # noqa: ANN201 - measure.Run
    return measure([*KG, "build", str(inputs), "--out", str(out), "--quiet", "--workers", "1", *extra])[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    ap.add_argument("--parts", default="many,long,add", help="which measurements: many, long, add (default all)")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    n, short, long = (200, 10_000, 300_000) if args.quick else (2_000, 100_000, 3_000_000)
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as tmp:
        tmp = Path(tmp)
        many = {}
        for size in (n, 10 * n) if "many" in parts else (n,) if "add" in parts else ():
            chars = write_jsonl(tmp / f"short-{size}.jsonl", articles(size))
            many[size] = build(tmp / f"short-{size}.jsonl", tmp / f"out-{size}")
            print(f"{size:>7,} short articles ({chars:,} chars): {many[size].seconds:7.1f} s,"
                  f" peak {many[size].peak_rss / MB:6,.0f} MB", flush=True)
        if "many" in parts:
            ratio = many[10 * n].peak_rss / many[n].peak_rss
            print(f"  peak at {10 * n:,} / at {n:,}: {ratio:.2f} (target ≤ 1.2); "
                  f"{many[10 * n].peak_rss / MB:,.0f} MB (target < 1,024)")

        runs = {}
        for chars in (short, long) if "long" in parts else ():
            (tmp / f"long-{chars}.txt").write_text(long_article(chars), encoding="utf-8")
            runs[chars] = build(tmp / f"long-{chars}.txt", tmp / f"out-long-{chars}")
            print(f"a {chars:,}-character article: {runs[chars].seconds:7.1f} s, peak {runs[chars].peak_rss / MB:6,.0f} MB",
                  flush=True)
        scale = long / short
        if "long" in parts:
            print(f"  time at {long:,} / ({scale:.0f} × at {short:,}): "
                  f"{runs[long].seconds / (scale * runs[short].seconds):.2f} (target ≤ 1.3); peak "
                  f"{runs[long].peak_rss / MB:,.0f} MB (target < 1,024)")
        if "add" not in parts:
            return 0
        new = articles(10, seed=99)
        for a in new:
            a["id"] = "new-" + a["id"]
        write_jsonl(tmp / "new.jsonl", new)
        added = build(tmp / "new.jsonl", tmp / f"out-{n}")
        alone = build(tmp / "new.jsonl", tmp / "out-new-alone")
        (tmp / f"out-{n}" / ".kg-store-state").unlink()
        rewrite = build(tmp / "new.jsonl", tmp / f"out-{n}")  # nothing new: only the outputs are written
        print(f"10 articles added to the store of {n:,}: {added.seconds:.1f} s, peak {added.peak_rss / MB:,.0f} MB"
              f" (target < 1,024); the 10 alone {alone.seconds:.1f} s + rewriting the outputs of"
              f" {n + 10:,} {rewrite.seconds:.1f} s = {alone.seconds + rewrite.seconds:.1f} s (target: at most that)")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
