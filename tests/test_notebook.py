"""notebooks/explore.ipynb runs top to bottom on the bundled samples, and is kept without outputs in git."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the test extra")
nbclient = pytest.importorskip("nbclient", reason="needs the test extra")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    dirty = [i for i, c in enumerate(code_cells(nb)) if c.outputs or c.execution_count is not None]
    assert not dirty, f"code cells {dirty} keep outputs or execution counts: clear them before committing"
    assert "widgets" not in nb.metadata


def test_notebook_runs_and_its_assertions_hold(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # a failing cell (an assertion included) raises CellExecutionError, naming the cell
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in code_cells(nb) for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no plot was drawn"
    pages = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert sum(p.startswith("<iframe srcdoc=") for p in pages) == 2, "the network views are not shown inline"
