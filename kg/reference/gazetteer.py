"""Place gazetteer: Chinese administrative divisions plus countries and regions.

Data files live in `kg/reference/data/`: `places.tsv` (the national adcode table, see
`scripts/make_places.py`), `regions.tsv` (countries and named regions) and
`place_stopwords.txt` (short forms such as 公安 or 合作 that are common words).
Both the entity recogniser (to find places) and the resolver (to complete
abbreviated names and to draw `locatedIn`) read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from kg.datafiles import read_list, read_table
from kg.reference import DATA


@dataclass(frozen=True)
class Place:
    name: str  # canonical full name, e.g. 广州市
    level: str  # country / region / province / city / county
    code: str = ""  # adcode for administrative divisions
    parent: str = ""  # adcode of the parent division
    short: str = ""  # name without its suffix, e.g. 广州


class Gazetteer:
    """Lookup of place names (full and short forms) to `Place` records."""

    def __init__(self, places: list[Place], aliases: dict[str, str], common_words: set[str] = frozenset()):
        self.by_code = {p.code: p for p in places if p.code}
        self.by_name: dict[str, Place] = {}
        for p in places:
            self.by_name.setdefault(p.name, p)
        self.short: dict[str, Place] = {}
        for p in places:
            if p.short and p.short not in self.by_name and p.short not in common_words:
                # Prefer the higher level when two divisions share a short form.
                known = self.short.get(p.short)
                if known is None or _rank(p) < _rank(known):
                    self.short[p.short] = p
        for alias, name in aliases.items():
            self.short.setdefault(alias, self.by_name[name])
        # every division a name may stand for (several counties are called 南山区)
        self.candidates: dict[str, list[Place]] = {}
        for p in places:
            for form in {p.name, p.short} - {""}:
                self.candidates.setdefault(form, []).append(p)

    @cached_property
    def pattern(self) -> re.Pattern:
        """A regex matching any known place name, longest first (广州市 before 广州)."""
        names = {n for n in (*self.by_name, *self.short) if len(n) >= 2}
        return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))

    def lookup(self, name: str, area: Place | None = None) -> Place | None:
        """The place a full or short name stands for, or None; inside `area` when one is given and fits."""
        if area is not None:
            inside = [p for p in self.candidates.get(name, ()) if self.within(p, area)]
            if inside:
                return inside[0]
        return self.by_name.get(name) or self.short.get(name)

    def parent(self, place: Place) -> Place | None:
        return self.by_code.get(place.parent)

    def within(self, place: Place, area: Place) -> bool:
        """Whether `place` is `area` or lies inside it."""
        while place is not None:
            if place == area:
                return True
            place = self.parent(place)
        return False

    def province_of(self, place: Place) -> Place | None:
        while place is not None and place.level not in ("province", "country", "region"):
            place = self.parent(place)
        return place

    def forms(self, place: Place) -> list[str]:
        """All surface forms of a place: the full name first."""
        out = [place.name]
        if place.short:
            out.append(place.short)
        out += [a for a, p in self.short.items() if p is place and a not in out]
        return out


def _rank(p: Place) -> int:
    return ["country", "region", "province", "city", "county"].index(p.level)


FILES = ("places.tsv", "regions.tsv", "place_stopwords.txt")


@lru_cache(maxsize=4)
def load(folder: Path | None = None) -> Gazetteer:
    """The gazetteer of a folder holding `FILES` (by default the bundled one), read once."""
    folder = folder or DATA
    places = [Place(r["name"], r["level"], r["adcode"], r["parent"], r["short"])
              for r in read_table(folder / "places.tsv")]
    aliases: dict[str, str] = {}
    for r in read_table(folder / "regions.tsv"):
        places.append(Place(r["name"], r["kind"]))
        aliases.update({a: r["name"] for a in r["aliases"].split("|") if a})
    return Gazetteer(places, aliases, set(read_list(folder / "place_stopwords.txt")))
