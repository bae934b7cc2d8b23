"""Fixtures shared by several test modules."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import CHROMIUM


@pytest.fixture()
def browser_ok() -> None:
    """Chromium must be there in CI (`make test` installs it); elsewhere its absence skips."""
    pytest.importorskip("playwright", reason="playwright missing: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing in CI; `make test` should have installed Debian's chromium")
        pytest.skip(f"{CHROMIUM} missing: `make test` installs it (apt-get install chromium fonts-wqy-microhei)")


@dataclass(frozen=True)
class Built:
    """A build folder and what `kg build` printed."""

    out: Path
    stdout: str


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Built:
    """`kg demo` built once for the session: the bundled invented sample articles (kg/samples)."""
    from kg.cli import main

    out = tmp_path_factory.mktemp("demo") / "kg-demo"
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert main(["demo", "--out", str(out)]) == 0
    return Built(out, printed.getvalue())


@pytest.fixture(scope="module")
def endpoint():
    """`kg serve` of tests/fixtures/queries.trig on a free port of 127.0.0.1, for the module; its address."""
    import threading

    from kg.serve import make_server
    from kg.store.store import Store

    server = make_server(Store.from_path(Path(__file__).parent / "fixtures" / "queries.trig"), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    """A store on disk holding tests/fixtures/queries.trig (two invented articles), for the module."""
    import rdflib

    from kg.store.store import Store

    path = tmp_path_factory.mktemp("store") / "store"
    store = Store.open(path)
    store.put_articles(rdflib.Dataset().parse(Path(__file__).parent / "fixtures" / "queries.trig", format="trig"))
    del store  # pyoxigraph lets go of the folder with the last reference
    return path
