"""Reference names of well-known bodies and places: English names, Wikidata items, short forms.

Read from `data/agencies.tsv`, `data/places_en.tsv` and `data/abbreviations.tsv`. The graph gets an
English label and `owl:sameAs` a Wikidata item for the entities listed there, so
that users can join kg's graph with others; the resolver expands the listed
short forms (市场监管总局 → 国家市场监督管理总局).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.datafiles import read_table
from kg.reference import DATA


@dataclass(frozen=True)
class Known:
    en: str
    wikidata: str = ""  # a Q-id, or "" when not verified


class Reference:
    def __init__(self, agencies: list[dict[str, str]], places: list[dict[str, str]],
                 abbreviations: list[dict[str, str]] = ()):
        # abbreviated endings (中院 → 中级人民法院) and whole short names ({city}市场监督管理局 templates)
        self.suffixes = [(r["short"], r["full"]) for r in abbreviations if r["kind"] == "suffix"]
        self.wholes = {r["short"]: r["full"] for r in abbreviations if r["kind"] == "whole"}
        self.after_place = [(r["short"], r["full"]) for r in abbreviations if r["kind"] == "after_place"]
        self.known: dict[tuple[str, str], Known] = {}
        self.full_names: dict[str, str] = {}
        self.agency_names = [row["name"] for row in agencies]
        for row in agencies:
            self.known[("Agency", row["name"])] = Known(row["en"], row["wikidata"])
            self.full_names.update({alias: row["name"] for alias in row["aliases"].split("|") if alias})
        for row in places:
            self.known[("Place", row["name"])] = Known(row["en"], row["wikidata"])
            if row["name"].endswith(("省", "市", "自治区")):
                # each province's market-regulation bureau
                self.known.setdefault(("Agency", row["name"] + "市场监督管理局"),
                                      Known(f"Administration for Market Regulation of {row['en']}"))

    def lookup(self, type_: str, name: str) -> Known | None:
        """English name and Wikidata item of an entity, if it is a listed one."""
        return self.known.get((type_, name))

    def full_name(self, short: str) -> str | None:
        """The full name a listed short form stands for (市场监管总局 → 国家市场监督管理总局)."""
        return self.full_names.get(short)


FILES = ("agencies.tsv", "places_en.tsv", "abbreviations.tsv")


@lru_cache(maxsize=4)
def load(folder: Path | None = None) -> Reference:
    """The reference tables of a folder holding `FILES` (by default the bundled ones), read once."""
    folder = folder or DATA
    return Reference(read_table(folder / "agencies.tsv"), read_table(folder / "places_en.tsv"),
                     read_table(folder / "abbreviations.tsv"))
