"""Bring the browser libraries kg's pages inline into the repository, reproducibly, from npm.

    python scripts/vendor.py            # fetch, check and copy every file listed in VENDORED.tsv
    python scripts/vendor.py --check    # only check that the committed copies are the pinned ones

Each row of `kg/out/data/VENDORED.tsv` pins an npm package version with its
registry integrity (sha512) and names a file of the package to copy and the
sha256 the copy must have. `npm pack` fetches the tarball (npm checks the
integrity), the files are taken out of it, and their licences are copied
beside them. Nothing is fetched at run time: kg reads the committed copies.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "kg" / "out" / "data" / "VENDORED.tsv"


def rows() -> list[dict[str, str]]:
    lines = [x for x in TABLE.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def fetch(spec: str, integrity: str, folder: Path) -> tarfile.TarFile:
    """The npm tarball of spec (name@version), after checking its sha512 against the pinned integrity."""
    name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=folder, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    data = (folder / name).read_bytes()
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != integrity:
        sys.exit(f"{spec}: integrity {got} is not the pinned {integrity}")
    return tarfile.open(folder / name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="check the committed copies only")
    args = ap.parse_args()
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        tarballs: dict[str, tarfile.TarFile] = {}
        for row in rows():
            target = TABLE.parent / row["target"]
            if not args.check:
                if row["package"] not in tarballs:
                    tarballs[row["package"]] = fetch(row["package"], row["integrity"], Path(tmp))
                member = tarballs[row["package"]].extractfile("package/" + row["file"])
                target.write_bytes(member.read())
            digest = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else "missing"
            if digest != row["sha256"]:
                print(f"{target.relative_to(ROOT)}: sha256 {digest}, pinned {row['sha256']}")
                bad += 1
    print("all vendored files are the pinned ones" if not bad else f"{bad} file(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
