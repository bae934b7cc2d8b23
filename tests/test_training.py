"""`make model` is reproducible: the same data and seeds give the same model bytes."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLUENER = ROOT.parent / "shared" / "data" / "cluener2020"


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not (CLUENER / "train.json").is_file(), reason="CLUENER2020 is not in ../shared/data")
def test_training_twice_gives_the_same_bytes(tmp_path):
    models = []
    for run in ("a", "b"):
        out = tmp_path / run / "model"
        subprocess.run([sys.executable, str(ROOT / "training" / "train_ner.py"), "--limit", "150",
                        "--max-steps", "15", "--work", str(tmp_path / run / "work"), "--output", str(out)],
                       check=True, capture_output=True, env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
        models.append(digest(out))
    assert models[0] and models[0] == models[1]
    assert "ner/model" in models[0]

