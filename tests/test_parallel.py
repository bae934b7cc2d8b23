"""Tests for building in several processes and on Dask: the same graph as one process builds.

The samples are kg's own invented articles (kg/samples).
"""

from __future__ import annotations

import contextlib
import io
import pickle
from importlib.resources import files
from pathlib import Path

import pytest

from kg.run.builder import Settings, analyse_all
from kg.cli import main
from kg.model import Article
from kg.run.parallel import IN_FLIGHT, batch_size, batches, in_order
from kg.run.progress import ProgressBar

SAMPLES = sorted(str(p) for p in (files("kg") / "samples").iterdir() if p.name.endswith((".txt", ".jsonl")))
OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld")


def build(out: Path, *options: str) -> Path:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(["build", *SAMPLES, "--out", str(out), *options])
    assert rc == 0, stderr.getvalue()
    assert stderr.getvalue() == ""  # no progress bar when stderr is not a terminal
    return out


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("one") / "out")


def articles(n: int) -> list[Article]:
    return [Article(id=f"a{i}", text=f"第{i}篇") for i in range(n)]


# -- batching and order ----------------------------------------------------------------

@pytest.mark.parametrize("n, workers, most, sizes", [
    (8, 2, 16, [4, 4]),  # few articles: every worker gets some
    (40, 2, 16, [16, 16, 8]),
    (5, 4, 16, [2, 2, 1]),
    (1, 2, 16, [1]),
    (0, 2, 16, []),
])
def test_batches_cover_the_articles_in_order(n, workers, most, sizes) -> None:
    got = list(batches(articles(n), batch_size(n, workers, most)))
    assert [len(b) for b in got] == sizes
    assert [a for b in got for a in b] == articles(n)


class Future:
    def __init__(self, value, log: list) -> None:
        self.value, self.log = value, log

    def result(self):
        self.log.append("collect")
        return self.value


def test_in_order_keeps_input_order_with_few_batches_in_flight() -> None:
    log: list[str] = []

    def submit(batch: list[Article]) -> Future:
        log.append("submit")
        return Future([a.id for a in batch], log)

    progress = []
    got = list(in_order(submit, articles(50), 50, 2, lambda d, t: progress.append((d, t)), 4))
    assert got == [f"a{i}" for i in range(50)]
    outstanding = most = 0
    for event in log:
        outstanding += 1 if event == "submit" else -1
        most = max(most, outstanding)
    assert most == IN_FLIGHT * 2 + 1  # bounded: memory stays flat however many articles
    assert progress[-1] == (50, 50) and [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_what_workers_hand_back_survives_pickling() -> None:
    text = "西岭市公安局与西岭市人民检察院签署知识产权保护合作协议。西岭市公安局破获一起假冒“山茶”牌护肤品案。"
    [built] = analyse_all([Article(id="xl", text=text, title="合作")], 1, settings=Settings(keep=True))
    copy = pickle.loads(pickle.dumps(built))
    assert copy == built and copy.graph.facts and copy.graph.entities and b"<https://w3id.org/kg-ip/graph/xl>" in copy.nquads


# -- whole builds ----------------------------------------------------------------------

def test_two_processes_build_the_same_graph(one_process: Path, tmp_path: Path) -> None:
    two = build(tmp_path / "two", "--workers", "2")
    for name in OUTPUTS:
        assert (two / name).read_bytes() == (one_process / name).read_bytes(), name


def test_a_local_dask_cluster_of_two_builds_the_same_graph(one_process: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="needs the dask extra")  # in the test extra, so CI runs it
    dask = build(tmp_path / "dask", "--dask", "--workers", "2")
    for name in OUTPUTS:
        assert (dask / name).read_bytes() == (one_process / name).read_bytes(), name


@pytest.mark.parametrize("options, message", [
    (["--workers", "0"], "not a whole number from 1 up"),
    (["--dask", "tcp://127.0.0.1:1", "--workers", "2"], "a running Dask scheduler has its own workers"),
])
def test_bad_worker_options(options, message, tmp_path: Path) -> None:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.suppress(SystemExit):
        assert main(["build", SAMPLES[0], "--out", str(tmp_path / "out"), *options]) == 2
    assert message in stderr.getvalue()
    assert not (tmp_path / "out").exists()


def test_progress_bar_shows_count_rate_and_time_left(capsys) -> None:
    with ProgressBar() as bar:
        for done in (3, 7, 10):
            bar(done, 10)
    err = capsys.readouterr().err
    assert "10/10" in err and "articles/s" in err and "<00:00" in err


def test_build_on_a_terminal_shows_the_bar(tmp_path: Path) -> None:
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", SAMPLES[0], "--out", str(tmp_path / "out")],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, timeout=300)
    os.close(follower)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once everything written has been read
        while chunk := os.read(leader, 4096):
            shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b" 0/2 " in shown and b" 2/2 " in shown and b"articles/s" in shown  # from the start to the end
    assert b"articles/s" not in done.stdout
