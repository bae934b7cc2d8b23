"""Hostile input end to end: nothing crashes, nothing is lost. All texts are invented.

The seed corpus in tests/hostile/ runs through the fuzz harness; a mixed corpus of
200 files builds with every good article and each bad file reported once; one
article failing in any stage costs only itself; and builds killed at random
points never leave an output that does not parse.
"""
from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import opencc
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

import kg.run.analyse
from kg.out.files import TEMP
from helpers import run

ROOT = Path(__file__).resolve().parents[1]
KGO = rdflib.Namespace("https://w3id.org/kg-ip/ontology#")


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("kg_fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz_module()


def article_ids(ttl: Path) -> dict[str, str]:
    """identifier -> recorded encoding of every article in a Turtle file."""
    g = rdflib.Graph().parse(ttl, format="turtle")
    return {str(g.value(a, DCTERMS.identifier)): str(g.value(a, KGO.encoding)) for a in g.subjects(RDF.type, KGO.Article)}


def failed(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "failed.jsonl").read_text(encoding="utf-8").splitlines()]


# -- the seed corpus -------------------------------------------------------------------

SEEDS = sorted(p for p in (ROOT / "tests" / "hostile").iterdir() if p.suffix in fuzz.KINDS)


def test_seed_corpus_has_both_kinds_of_case() -> None:
    names = [p.name for p in SEEDS]
    assert sum(n.startswith("ok-") for n in names) >= 15 and sum(n.startswith("bad-") for n in names) >= 10


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_case_goes_through_the_whole_pipeline(path: Path) -> None:
    result = fuzz.check_file(path)  # raises Crash when anything broke
    if path.name.startswith("ok-"):
        assert result.articles, result.failures
    else:
        assert not result.articles
        assert [(f.source, f.stage) for f in result.failures] == [(str(path), "read")]


def test_harness_reports_a_crash(tmp_path: Path, monkeypatch) -> None:
    import kg.run.analyse

    def boom(text: str):
        raise ZeroDivisionError("planted bug")

    monkeypatch.setattr(kg.run.analyse, "normalize", boom)
    with pytest.raises(fuzz.Crash, match="planted bug"):
        fuzz.check_bytes(b"\x00" + "东江市公安局开展专项行动。".encode(), tmp_path)


# -- 200 files of every kind -------------------------------------------------------------

PLACES = ["东江", "北湖", "南岭", "西川", "青石", "白沙", "云岗", "金溪"]
AGENCIES = ["市市场监督管理局", "市公安局", "海关", "市知识产权局", "市人民检察院"]
FIRMS = ["宏达贸易有限公司", "蓝海科技股份有限公司", "恒光服饰有限公司", "瑞丰食品有限公司"]
BRANDS = ["云雀", "青松", "银帆", "北辰"]


def sentence(rng: random.Random) -> str:
    place = rng.choice(PLACES)
    return (f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日,{place}{rng.choice(AGENCIES)}查处{place}{rng.choice(FIRMS)}"
            f"侵犯“{rng.choice(BRANDS)}”注册商标专用权案,没收侵权商品{rng.randint(10, 999)}件。")


PIECE = 1_000  # the analyser's limit for the mixed corpus, so that its long article is cut quickly


class Corpus:
    """Writes the mixed corpus and remembers what a build must make of it."""

    def __init__(self, folder: Path, seed: int = 8) -> None:
        self.folder = folder
        self.rng = random.Random(seed)
        self.good: dict[str, str] = {}  # article id -> encoding it must be read with
        self.bad: list[str] = []  # sources that must be in failed.jsonl, once each
        self.files = 0
        self.long_text = ""

    def file(self, name: str | bytes, data: bytes) -> Path:
        raw = name if isinstance(name, bytes) else name.encode()
        with open(os.fsencode(self.folder) + b"/" + raw, "wb") as f:
            f.write(data)
        self.files += 1
        return Path(os.fsdecode(os.fsencode(self.folder) + b"/" + raw))

    def text(self, n: int = 1) -> str:
        return "".join(sentence(self.rng) for _ in range(n)) + "\n"

    def good_file(self, stem: str, suffix: str, data: bytes, encoding: str, article_id: str | None = None) -> None:
        self.file(stem + suffix, data)
        self.good[article_id or stem] = encoding

    def bad_file(self, name: str, data: bytes) -> None:
        self.bad.append(str(self.file(name, data)))


def make_corpus(folder: Path) -> Corpus:
    c = Corpus(folder)
    for i in range(40):
        c.good_file(f"utf8-{i:02d}", ".txt", c.text().encode(), "utf-8")
    for i in range(15):
        c.good_file(f"bom-{i:02d}", ".txt", b"\xef\xbb\xbf" + c.text().encode(), "utf-8-sig")
    for i in range(25):
        c.good_file(f"gbk-{i:02d}", ".txt", c.text().encode("gbk"), "gb18030")
    to_traditional = opencc.OpenCC("s2t.json").convert
    for i in range(20):
        c.good_file(f"big5-{i:02d}", ".txt", to_traditional(c.text()).encode("big5"), "big5")
    for i in range(15):
        page = f"<html><head><title>通报{i}</title></head><body><nav>首页</nav><p>{c.text()}</p></body></html>"
        c.good_file(f"page-{i:02d}", ".html" if i % 3 else ".htm", page.encode("gbk" if i % 2 else "utf-8"),
                    "gb18030" if i % 2 else "utf-8")
    for i in range(10):
        c.good_file(f"saved-{i:02d}", ".txt", f"<!DOCTYPE html><html><body><div><p>{c.text()}</p></div></body></html>"
                    .encode(), "utf-8")
    odd = {"a<b>c": "a<b>c", 'q"u{o}t|e^s`': 'q"u{o}t|e^s`', "back\\slash": "back\\slash",
           "tab\tand space": "tab and space", "ctl\x01\x1fend": "ctl  end", "..": ".."}
    for stem, article_id in odd.items():
        c.good_file(stem, ".txt", c.text().encode(), "utf-8", article_id=article_id)
    c.good_file("长" * 60, ".txt", c.text().encode(), "utf-8")
    c.file("东江通报".encode("gbk") + b".txt", c.text().encode())
    c.good["东江通报"] = "utf-8"
    # a long article, cut into pieces by the analyser (whose limit the build below lowers to 1,000 characters)
    long_text = "".join(c.text(5) for _ in range(12))
    assert len(long_text) > 3 * PIECE
    c.good_file("long-article", ".txt", long_text.encode(), "utf-8")
    c.long_text = long_text
    for i in range(10):
        lines = [json.dumps({"id": f"j{i}-{k}", "text": c.text(1)}, ensure_ascii=False) for k in range(3)]
        data = "\n".join(lines) + "\n"
        for k in range(3):
            c.good[f"j{i}-{k}"] = "utf-8"
        if i % 2:  # half-written: the last record is cut off
            cut = json.dumps({"id": f"j{i}-cut", "text": c.text(1)}, ensure_ascii=False)
            data += cut[: len(cut) // 2]
            c.bad.append(f"{c.folder / f'feed-{i}.jsonl'}:4")
        c.file(f"feed-{i}.jsonl", data.encode())
    for i in range(3):  # web pages inside JSON, and lines in GBK and Big5 in one file
        page = json.dumps({"id": f"h{i}", "text": f"<div><p>{c.text(1)}</p><p>{c.text(1)}</p></div>"}, ensure_ascii=False)
        gbk = json.dumps({"id": f"g{i}", "text": c.text(1)}, ensure_ascii=False).encode("gbk")
        big5 = json.dumps({"id": f"b{i}", "text": to_traditional(c.text(1))}, ensure_ascii=False).encode("big5")
        c.file(f"web-{i}.jsonl", page.encode() + b"\n")
        c.file(f"mixed-{i}.jsonl", gbk + b"\n" + big5 + b"\n")
        c.good.update({f"h{i}": "utf-8", f"g{i}": "gb18030", f"b{i}": "big5"})
    # bad files: each must be reported once
    for i in range(10):
        c.bad_file(f"empty-{i}.txt", b"")
    for i in range(8):
        c.bad_file(f"blank-{i}.txt", " \n\u3000\t\n".encode())
    for i in range(15):
        c.bad_file(f"junk-{i}.txt", bytes(c.rng.randrange(256) for _ in range(c.rng.randint(50, 3000))))
    for i in range(3):
        c.bad_file(f"utf16-{i}.txt", ("Dongjiang " + c.text()).encode("utf-16"))
    for i in range(3):
        c.bad_file(f"latin1-{i}.txt", "Brigade fermée à Dongjiang, café déjà vu.".encode("latin-1"))
    for i in range(3):
        c.bad_file(f"script-{i}.html", b"<html><head><script>var a = 1;</script></head><body></body></html>")
    for i in range(5):
        c.bad_file(f"cut-{i}.jsonl", json.dumps({"id": f"c{i}", "text": c.text()}, ensure_ascii=False).encode()[:30])
    for i in range(3):
        c.bad_file(f"junk-{i}.jsonl", bytes(c.rng.randrange(256) for _ in range(500)))
    return c


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Corpus, Path, int, str, str]:
    folder = tmp_path_factory.mktemp("mixed")
    corpus = make_corpus(folder)
    out = tmp_path_factory.mktemp("mixed-out")
    t0 = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kg.run.analyse, "MAX_CHARS", PIECE)
        rc, stdout, stderr = run("build", str(folder), "--out", str(out))
    print(f"mixed corpus of {corpus.files} files built in {time.perf_counter() - t0:.1f} s")
    return corpus, out, rc, stdout, stderr


def test_mixed_corpus_has_200_files(mixed) -> None:
    corpus = mixed[0]
    assert corpus.files == len(os.listdir(corpus.folder)) == 200


def test_mixed_corpus_builds_with_exit_code_1(mixed) -> None:
    corpus, out, rc, stdout, stderr = mixed
    assert rc == 1
    assert "Traceback" not in stderr
    assert f"articles: {len(corpus.good)} built, {len(corpus.bad)} failed" in stdout


def test_every_good_article_is_in_the_graph_read_in_its_encoding(mixed) -> None:
    corpus, out = mixed[:2]
    assert article_ids(out / "graph.ttl") == corpus.good


def test_each_bad_file_is_listed_once_in_failed_jsonl(mixed) -> None:
    corpus, out, _, _, stderr = mixed
    records = failed(out)
    assert all(set(r) == {"source", "id", "stage", "reason"} for r in records)
    assert all(r["stage"] == "read" and r["reason"] for r in records)
    counts = Counter(r["source"] for r in records)
    assert counts == Counter(corpus.bad)
    # and one line on stderr each
    assert len([line for line in stderr.splitlines() if line.startswith("kg: ")]) == len(corpus.bad)


def test_long_article_in_pieces_keeps_offsets_into_the_whole_text(mixed) -> None:
    corpus, out = mixed[:2]
    ds = rdflib.Dataset()
    ds.parse(out / "graph.trig", format="trig")
    g = ds.graph(rdflib.URIRef("https://w3id.org/kg-ip/graph/long-article"))
    spans = [(g.value(st, KGO.startOffset).toPython(), g.value(st, KGO.endOffset).toPython(), str(g.value(st, KGO.sentence)))
             for st in g.subjects(RDF.type, RDF.Statement)]
    assert len(spans) >= 10
    assert max(start for start, _, _ in spans) > 2 * PIECE  # evidence from later pieces
    for start, end, sentence in spans:
        assert corpus.long_text[start:end].strip() == sentence


def test_mixed_corpus_outputs_parse(mixed) -> None:
    out = mixed[1]
    for name, check in OUTPUT_CHECKS.items():
        check(out / name)


# -- a failure in any stage costs one article ----------------------------------------------

@pytest.mark.parametrize("stage", ["normalize", "nlp", "resolve", "rdf"])
def test_one_article_failing_in_a_stage_is_reported_and_the_rest_built(tmp_path: Path, monkeypatch, stage: str) -> None:
    import kg.run.analyse
    import kg.run.builder
    import kg.resolve.resolver

    poison = "毒药"
    if stage == "normalize":
        real = kg.run.analyse.normalize
        monkeypatch.setattr(kg.run.analyse, "normalize", lambda t: 1 / 0 if poison in t else real(t))
    elif stage == "nlp":
        from kg.nlp.pipeline import load_pipeline

        nlp = load_pipeline()
        real_call = type(nlp).__call__
        monkeypatch.setattr(type(nlp), "__call__", lambda self, t, **k: 1 / 0 if poison in t else real_call(self, t, **k))
    elif stage == "resolve":
        real_resolve = kg.resolve.resolver.Resolver.__call__
        monkeypatch.setattr(kg.resolve.resolver.Resolver, "__call__",
                            lambda self, a, n, d: 1 / 0 if poison in n.original else real_resolve(self, a, n, d))
    else:
        real_nquads = kg.run.analyse.nquads

        def write(ag, *args):
            if poison in ag.article.text:
                ag.entities[next(iter(ag.entities))].wikidata = "Q1 broken iri"
            return real_nquads(ag, *args)

        monkeypatch.setattr(kg.run.analyse, "nquads", write)
    (tmp_path / "in").mkdir()
    for name, text in (("a", "东江市公安局开展专项行动。"), ("b", f"东江海关查获{poison}一批。"), ("c", "北湖区知识产权局召开会议。")):
        (tmp_path / "in" / f"{name}.txt").write_text(text, encoding="utf-8")
    rc, stdout, stderr = run("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert rc == 1
    assert set(article_ids(tmp_path / "out" / "graph.ttl")) == {"a", "c"}
    [record] = failed(tmp_path / "out")
    assert record == {"source": str(tmp_path / "in" / "b.txt"), "id": "b", "stage": stage,
                      "reason": record["reason"]}
    assert ("ZeroDivisionError" if stage != "rdf" else "invalid IRI") in record["reason"]
    assert f"failed in {stage}" in stderr and "Traceback" not in stderr
    # the failed article left nothing behind in the graph
    ds = rdflib.Dataset()
    ds.parse(tmp_path / "out" / "graph.trig", format="trig")
    assert {str(g.identifier).rsplit("/", 1)[1] for g in ds.graphs() if len(g)} == {"a", "c"}


# -- interrupted builds --------------------------------------------------------------------


def _parse_rdf(fmt: str) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        if fmt == "trig":
            rdflib.Dataset().parse(path, format="trig")
        else:
            rdflib.Graph().parse(path, format=fmt)
    return check


def _parse_jsonl(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)


def _parse_html(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>"), html[-200:]


def _open_store(path: Path) -> None:
    """The store opens, and every article in it is whole: its graph holds its id and content hash."""
    from kg.store.store import Store

    if not (path / "CURRENT").exists():
        return  # killed before the store was born: the next build makes it
    store = Store.open(path, read_only=True)  # raises if the store is damaged
    assert all(store.article_hashes().values())


def _store_state(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("kg ")


# Every output kg writes into DIR and how to tell it is whole; a new output needs an entry here.
OUTPUT_CHECKS: dict[str, Callable[[Path], None]] = {
    "graph.ttl": _parse_rdf("turtle"),
    "graph.trig": _parse_rdf("trig"),
    "graph.jsonld": _parse_rdf("json-ld"),
    "failed.jsonl": _parse_jsonl,
    "network.html": _parse_html,
    "store": _open_store,
    ".kg-store-state": _store_state,
}


# Outputs that are byte-identical whenever the inputs are.
REPRODUCIBLE = ("graph.ttl", "graph.trig", "graph.jsonld", "failed.jsonl", "network.html")


def check_outputs(out: Path) -> list[str]:
    """Check every entry of out; returns the temporary files left by killed writers."""
    temps = []
    for name in sorted(os.listdir(out)):
        if TEMP.fullmatch(name):
            temps.append(name)
            continue
        assert name in OUTPUT_CHECKS, f"{name}: an output without a check in OUTPUT_CHECKS"
        OUTPUT_CHECKS[name](out / name)
    return temps


def _kg() -> list[str]:
    return [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    rng = random.Random(20)
    for i in range(6):
        (folder / f"s{i}.txt").write_text("".join(sentence(rng) for _ in range(3)), encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"")
    return folder


def _wait_for_writing(out: Path, proc: subprocess.Popen) -> None:
    """Return once proc has begun writing a file into out (a temporary file shows), or has ended."""
    while proc.poll() is None and not any(TEMP.fullmatch(n) for n in os.listdir(out)):
        time.sleep(0.001)


def test_builds_killed_at_random_points_leave_outputs_that_parse(small_inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    t0 = time.perf_counter()
    first = subprocess.run([*_kg(), "build", str(small_inputs), "--out", str(out), "--quiet"], capture_output=True)
    duration = time.perf_counter() - t0
    assert first.returncode == 1, first.stderr
    reference = {name: (out / name).read_bytes() for name in os.listdir(out) if (out / name).is_file()}
    rng = random.Random(8)
    killed, left_behind = 0, 0
    for i in range(20):
        # give every run work: odd runs rebuild the store, even ones rewrite the outputs from it
        if i % 2:
            shutil.rmtree(out / "store", ignore_errors=True)
        else:
            (out / ".kg-store-state").unlink(missing_ok=True)
        proc = subprocess.Popen([*_kg(), "build", str(small_inputs), "--out", str(out), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 2:  # anywhere in the run
            time.sleep(rng.uniform(0, duration))
        else:  # while the outputs are being written, the moment that matters
            _wait_for_writing(out, proc)
            time.sleep(rng.uniform(0, 0.02))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        left_behind += len(check_outputs(out))
        for name in REPRODUCIBLE:  # each is whole: this build writes the same bytes every time
            assert (out / name).read_bytes() == reference[name], name
    assert killed >= 10
    assert left_behind >= 1, "no kill landed while a file was being written"
    # an uninterrupted build afterwards completes the outputs and clears what killed writers left
    again = subprocess.run([*_kg(), "build", str(small_inputs), "--out", str(out), "--quiet"], capture_output=True)
    assert again.returncode == 1, again.stderr
    assert check_outputs(out) == []
    assert set(article_ids(out / "graph.ttl")) == {f"s{i}" for i in range(6)}
    assert [r["source"] for r in failed(out)] == [str(small_inputs / "bad.txt")]


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_build_stopped_while_writing_says_so_and_leaves_no_temporary_file(small_inputs: Path, tmp_path: Path,
                                                                          sig: int, code: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for _ in range(8):  # the signal can come too late, when every file is written (writing takes ~0.1 s)
        (out / ".kg-store-state").unlink(missing_ok=True)  # so that a retry writes the outputs again
        # SIGINT as at a terminal: a suite started in the background (`cmd &`) passes SIGINT on ignored
        proc = subprocess.Popen([*_kg(), "build", str(small_inputs), "--out", str(out)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        _wait_for_writing(out, proc)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
        if proc.returncode != 1:
            break
    assert proc.returncode == code, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert check_outputs(out) == []


def test_temporary_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    from kg.out.files import write_atomic

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".graph.ttl.pid{dead.pid}.abc123.tmp"
    alive = tmp_path / f".graph.ttl.pid{os.getpid()}.def456.tmp"
    stale.write_bytes(b"half")
    alive.write_bytes(b"being written")
    write_atomic(tmp_path / "graph.ttl", b"<urn:a> <urn:b> <urn:c> .\n")
    assert not stale.exists() and alive.exists()
    assert check_outputs(tmp_path) == [alive.name]
