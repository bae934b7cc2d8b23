"""What the benchmarks share: invented articles, and a command run with its time and peak memory.

`articles(n)` writes n synthetic articles from `throughput_templates.txt` (invented
cities, bodies, companies and brands), the same for the same n and seed;
`measure(argv)` runs a command to its end, sampling the resident memory of it and
its children every 0.05 s. Needs psutil (`pip install -e '.[bench]'`).
"""
from __future__ import annotations

import json
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


def write_jsonl(path: Path, records: list[dict[str, str]]) -> int:
    """Write articles as JSON Lines; their characters in all."""
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in records), encoding="utf-8")
    return sum(len(a["text"]) for a in records)
