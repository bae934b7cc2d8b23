"""Noisy text (traditional script, pinyin annotations, lost spaces, garbles) scores as its clean copy.

Issue 3, acceptance 3: a build of a messy article must score within 2 points of
a build of the same article cleaned. Two pairs are checked: one of kg's own
sample articles made noisy here, and a seed article of ../shared/corpus (messy
as published) against a copy cleaned by plain means, without kg's normaliser.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import opencc
import pytest

import kg
from kg.datafiles import read_list
from kg.text.pinyin import DATA
from kg.learn.evaluate import score

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)")  # lower case: not acronyms like (GACG)


def figures(tmp: Path, text: str, gold: dict) -> tuple[float, float, float]:
    path = tmp / f"{gold['doc']}.txt"
    path.write_text(text, encoding="utf-8")
    result = score({gold["doc"]: gold}, kg.build([path]).to_rdflib())
    return result.headline.prf()[2], result.other.prf()[2], result.relations_micro.prf()[2]


def syllables() -> dict[str, str]:
    """A reading of each character, from kg's pinyin table (any reading does for noise)."""
    out = {}
    for line in read_list(DATA / "gbk_pinyin.tsv"):
        syllable, chars = line.split("\t")
        for ch in chars:
            out.setdefault(ch, syllable)
    return out


def make_noisy(text: str) -> str:
    """Traditional characters, a pinyin annotation after every third one, spaces lost to ????."""
    trad = opencc.OpenCC("s2t").convert(text)
    readings = syllables()
    out = []
    for i, ch in enumerate(trad):
        out.append(ch)
        if i % 3 == 0 and ch in readings:
            out.append(f"({readings[ch]})")
    return "".join(out).replace("\n\n", "\n????\n")


def test_own_sample_made_noisy(tmp_path):
    gold = json.loads((ROOT / "kg" / "samples" / "gold" / "s02_trademark_case.json").read_text(encoding="utf-8"))
    clean = (ROOT / "kg" / "samples" / "s02_trademark_case.txt").read_text(encoding="utf-8")
    noisy = make_noisy(clean)
    assert noisy.count("(") > 50  # the noise is there
    (tmp_path / "clean").mkdir()
    (tmp_path / "noisy").mkdir()
    a, b = figures(tmp_path / "clean", clean, gold), figures(tmp_path / "noisy", noisy, gold)
    assert a[0] > 0.5 and a[2] > 0.2, a  # the clean copy is found at all
    assert all(abs(x - y) <= 0.02 for x, y in zip(a, b)), (a, b)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_messy_seed_against_cleaned_copy(tmp_path):
    path = sorted(SEEDS.glob("*.txt"))[0]
    gold = json.loads((SEEDS / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
    messy = path.read_text(encoding="utf-8")
    assert PINYIN.search(messy)  # the seed is the messy kind
    cleaned = opencc.OpenCC("t2s").convert(PINYIN.sub("", messy)).replace("????", " ").replace("□", " ")
    (tmp_path / "clean").mkdir()
    (tmp_path / "messy").mkdir()
    a, b = figures(tmp_path / "clean", cleaned, gold), figures(tmp_path / "messy", messy, gold)
    assert a[0] > 0.5 and a[2] > 0.2, a  # the clean copy is found at all
    assert all(abs(x - y) <= 0.02 for x, y in zip(a, b)), (a, b)
