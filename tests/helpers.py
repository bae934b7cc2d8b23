"""Helpers several test modules import (the tests folder is on the path, as for `browser`)."""
from __future__ import annotations

import contextlib
import io


def run(*argv: str) -> tuple[int, str, str]:
    """The `kg` command run in this process: its exit code, what it printed and what it said on stderr."""
    from kg.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()
