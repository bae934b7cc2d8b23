"""Fixtures shared by several test modules."""

from __future__ import annotations

import os

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
