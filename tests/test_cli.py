"""Tests for the `kg` command line. All bodies and texts here are invented."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from kg.cli import main
from helpers import run

KGO = rdflib.Namespace("https://w3id.org/kg-ip/ontology#")

SIMPLIFIED = ("5月8日,东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案,没收侵权商品1200件。"
              "东江市市场监督管理局与中国东江品牌保护协会联合开展“清风”专项行动。\n")
TRADITIONAL = ("中國(guó)東江訊:東江市市場監(jiān)督管理局近日通報一批案件。6月3日,東江市市場監督管理局查處東江宏達貿易有限公司"
               "銷售假冒“雲雀”商標商品案,罰款5萬元。東江市公安局開展“藍盾”專項行動。\n")
OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "network.html", "failed.jsonl")


def err_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def identifiers(g: rdflib.Graph) -> set[str]:
    return {str(o) for s in g.subjects(RDF.type, KGO.Article) for o in g.objects(s, DCTERMS.identifier)}


def tmp_files(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.endswith(".tmp")]


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("in")
    (d / "dj-0508.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (d / "dj-0603-trad.txt").write_text(TRADITIONAL, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def built(articles: Path, tmp_path_factory) -> tuple[Path, int, str, str]:
    out = tmp_path_factory.mktemp("out") / "kg-out"
    rc, stdout, stderr = run("build", str(articles), "--out", str(out))
    return out, rc, stdout, stderr


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    f = tmp_path / "good.txt"
    f.write_text("东江市公安局开展“利剑”专项行动。\n", encoding="utf-8")
    return f


# -- build ---------------------------------------------------------------------------

def test_build_exit_code_and_summary(built) -> None:
    out, rc, stdout, stderr = built
    assert rc == 0, stderr
    assert "articles: 2 built, 0 failed" in stdout
    assert str(out) in stdout


def test_build_writes_all_outputs(built) -> None:
    out = built[0]
    assert sorted(os.listdir(out)) == sorted(OUTPUTS + ("store", ".kg-store-state"))
    assert (out / "failed.jsonl").read_bytes() == b""
    html = (out / "network.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert "东江宏达贸易有限公司" in html


def test_turtle_parses_and_has_both_articles(built) -> None:
    g = rdflib.Graph().parse(built[0] / "graph.ttl", format="turtle")
    assert identifiers(g) == {"dj-0508", "dj-0603-trad"}
    assert len(g) > 20


def test_trig_parses_with_one_graph_per_article(built) -> None:
    ds = rdflib.Dataset()
    ds.parse(built[0] / "graph.trig", format="trig")
    named = {str(c.identifier): identifiers(c) for c in ds.graphs() if len(c)}
    assert named == {"https://w3id.org/kg-ip/graph/dj-0508": {"dj-0508"},
                     "https://w3id.org/kg-ip/graph/dj-0603-trad": {"dj-0603-trad"}}


def test_jsonld_parses_to_the_same_triples_as_turtle(built) -> None:
    ttl = rdflib.Graph().parse(built[0] / "graph.ttl", format="turtle")
    jld = rdflib.Graph().parse(built[0] / "graph.jsonld", format="json-ld")
    assert len(jld) == len(ttl)
    assert set(jld) == set(ttl)
    json.loads((built[0] / "graph.jsonld").read_text(encoding="utf-8"))


def test_build_is_byte_identical_twice(built, articles: Path, tmp_path: Path) -> None:
    rc, _, stderr = run("build", str(articles), "--out", str(tmp_path), "--quiet")
    assert rc == 0, stderr
    for name in ("graph.ttl", "graph.trig"):
        assert (tmp_path / name).read_bytes() == (built[0] / name).read_bytes(), name


@pytest.fixture(scope="module")
def exe_built(articles: Path, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A build by the installed `kg` executable, in a process with its own hash seed."""
    out = tmp_path_factory.mktemp("exe") / "o"
    return out, _run_exe(articles, out, "1")


def _run_exe(articles: Path, out: Path, seed: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("kg")
    if not exe.exists():
        exe = Path(shutil.which("kg") or "kg")
    return subprocess.run([str(exe), "build", str(articles), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": seed})


def test_installed_executable_builds_the_same_bytes(built, exe_built) -> None:
    out, proc = exe_built
    assert proc.returncode == 0, proc.stderr
    assert "articles: 2 built, 0 failed" in proc.stdout
    assert "Traceback" not in proc.stderr
    # another process (other hash seed) must give the same files
    for name in ("graph.ttl", "graph.trig"):
        assert (out / name).read_bytes() == (built[0] / name).read_bytes(), name


def test_jsonld_is_byte_identical_across_processes(articles: Path, exe_built, tmp_path: Path) -> None:
    proc = _run_exe(articles, tmp_path / "o", "2")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o" / "graph.jsonld").read_bytes() == (exe_built[0] / "graph.jsonld").read_bytes()


def test_quiet_prints_nothing(articles: Path, tmp_path: Path) -> None:
    rc, stdout, stderr = run("build", str(articles / "dj-0508.txt"), "--out", str(tmp_path), "--quiet")
    assert rc == 0
    assert stdout == "" and stderr == ""
    assert identifiers(rdflib.Graph().parse(tmp_path / "graph.ttl")) == {"dj-0508"}


# -- validate ------------------------------------------------------------------------

def test_validate_built_graph(built) -> None:
    rc, stdout, stderr = run("validate", str(built[0] / "graph.ttl"))
    assert rc == 0, stdout + stderr
    assert "conforms" in stdout


def test_validate_built_trig(built) -> None:
    rc, stdout, _ = run("validate", str(built[0] / "graph.trig"))
    assert rc == 0, stdout


INVALID_TTL = """\
@prefix kgo: <https://w3id.org/kg-ip/ontology#> .
@prefix kgr: <https://w3id.org/kg-ip/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/kg-ip/id/article/a1> a kgo:Article ; dcterms:identifier "a1" .
<https://w3id.org/kg-ip/id/Company/0000000000000001> a kgo:Company ;
    kgo:mentionedIn <https://w3id.org/kg-ip/id/article/a1> .
"""


def test_validate_entity_without_label_fails(tmp_path: Path) -> None:
    f = tmp_path / "bad.ttl"
    f.write_text(INVALID_TTL, encoding="utf-8")
    rc, stdout, stderr = run("validate", str(f))
    assert rc == 1
    assert "1 violation" in stderr
    assert "rdfs:label" in stdout or "label" in stdout


def test_validate_same_file_with_label_passes(tmp_path: Path) -> None:
    f = tmp_path / "ok.ttl"
    f.write_text(INVALID_TTL.replace("kgo:mentionedIn", 'rdfs:label "东江宏达贸易有限公司"@zh ; kgo:mentionedIn')
                 .replace("@prefix kgo:", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix kgo:"),
                 encoding="utf-8")
    rc, stdout, stderr = run("validate", str(f))
    assert rc == 0, stdout + stderr


@pytest.mark.parametrize("name,content", [("notes.txt", "东江市公安局。这不是RDF。\n"),
                                          ("broken.ttl", "<a> <b> \"unterminated .\n")])
def test_validate_non_rdf_file(tmp_path: Path, name: str, content: str) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    rc, stdout, stderr = run("validate", str(f))
    assert rc == 2
    lines = err_lines(stderr)
    assert len(lines) == 1, stderr
    assert str(f) in lines[0]
    assert "Traceback" not in stderr


def test_validate_missing_file(tmp_path: Path) -> None:
    rc, _, stderr = run("validate", str(tmp_path / "none.ttl"))
    assert rc == 2
    assert len(err_lines(stderr)) == 1 and str(tmp_path / "none.ttl") in stderr


# -- view ----------------------------------------------------------------------------

def _page_data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="kg-data">')
    return json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])


@pytest.mark.parametrize("name", ["graph.ttl", "graph.trig", "graph.jsonld", "graph.nq"])
def test_view_draws_every_format(built, tmp_path: Path, name: str) -> None:
    from kg.out.network import to_networkx

    ds = rdflib.Dataset()
    ds.parse(built[0] / "graph.trig", format="trig")
    if name == "graph.nq":
        ds.serialize(tmp_path / name, format="nquads")
    graph = tmp_path / name if name == "graph.nq" else built[0] / name
    rc, stdout, stderr = run("view", str(graph), "--out", str(tmp_path / "v.html"))
    assert rc == 0, stderr
    expected = to_networkx(ds)
    data = _page_data(tmp_path / "v.html")
    assert expected.number_of_nodes() > 5
    assert len(data["nodes"]) == expected.number_of_nodes()
    assert len(data["edges"]) == expected.number_of_edges()
    assert f"{expected.number_of_nodes()} entities, {expected.number_of_edges()} relations" in stdout


def test_view_focus_hops_and_types(built, tmp_path: Path) -> None:
    ttl = str(built[0] / "graph.ttl")
    out = tmp_path / "v.html"
    assert run("view", ttl, "--out", str(out))[0] == 0
    whole = {n["label"] for n in _page_data(out)["nodes"]}
    assert run("view", ttl, "--out", str(out), "--focus", "东江宏达贸易有限公司", "--hops", "1")[0] == 0
    data = _page_data(out)
    near = {n["label"] for n in data["nodes"]}
    assert "东江宏达贸易有限公司" in near and near < whole
    assert [n["label"] for n in data["nodes"] if n["id"] in data["focus"]] == ["东江宏达贸易有限公司"]
    assert run("view", ttl, "--out", str(out), "--types", "Agency,Company", "Place")[0] == 0
    assert {n["type"] for n in _page_data(out)["nodes"]} == {"Agency", "Company", "Place"}


@pytest.mark.parametrize("extra,says", [
    (["--focus", "东江宏达"], "did you mean: 东江宏达贸易有限公司"),
    (["--types", "Agency,Spaceship"], "unknown entity type 'Spaceship'"),
    (["--hops", "2"], "--hops needs --focus"),
])
def test_view_bad_selection_is_one_line(built, tmp_path: Path, extra: list[str], says: str) -> None:
    out = tmp_path / "v.html"
    rc, _, stderr = run("view", str(built[0] / "graph.ttl"), "--out", str(out), *extra)
    assert rc == 2
    lines = err_lines(stderr)
    assert len(lines) == 1 and says in lines[0], stderr
    assert not out.exists()


@pytest.mark.parametrize("kind", ["missing", "folder", "not-rdf"])
def test_view_bad_graph_is_one_line(tmp_path: Path, kind: str) -> None:
    graph = {"missing": tmp_path / "none.ttl", "folder": tmp_path, "not-rdf": tmp_path / "x.ttl"}[kind]
    if kind == "not-rdf":
        graph.write_text("东江市公安局。这不是RDF。\n", encoding="utf-8")
    rc, _, stderr = run("view", str(graph), "--out", str(tmp_path / "v.html"))
    assert rc == 2
    lines = err_lines(stderr)
    assert len(lines) == 1 and str(graph) in lines[0], stderr
    assert "Traceback" not in stderr


# -- bad inputs ----------------------------------------------------------------------

def test_missing_input_only(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    out = tmp_path / "out"
    rc, stdout, stderr = run("build", str(missing), "--out", str(out))
    assert rc == 2
    assert "Traceback" not in stderr
    lines = err_lines(stderr)
    assert len([line for line in lines if str(missing) in line]) == 1, stderr
    assert all(line.startswith("kg:") for line in lines)
    assert not (out / "graph.ttl").exists()


def _bad_input(kind: str, tmp_path: Path) -> Path:
    if kind == "missing":
        return tmp_path / "absent.txt"
    if kind == "empty":
        f = tmp_path / "empty.txt"
        f.write_bytes(b"")
    elif kind == "binary":
        f = tmp_path / "binary.txt"
        f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    else:
        f = tmp_path / "feed.jsonl"
        f.write_text('{"id": "j1", "text": "东江\n', encoding="utf-8")
    return f


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "jsonl"])
def test_good_plus_bad_input(kind: str, good: Path, tmp_path: Path) -> None:
    bad = _bad_input(kind, tmp_path)
    out = tmp_path / "out"
    rc, stdout, stderr = run("build", str(good), str(bad), "--out", str(out))
    assert rc == 1
    assert "Traceback" not in stderr
    lines = err_lines(stderr)
    assert len(lines) == 1, stderr
    assert str(bad) in lines[0]
    if kind == "jsonl":
        assert f"{bad}:1" in lines[0]
    assert "articles: 1 built, 1 failed" in stdout
    assert identifiers(rdflib.Graph().parse(out / "graph.ttl")) == {"good"}


def test_all_bad_inputs_at_once(good: Path, tmp_path: Path) -> None:
    bads = [_bad_input(k, tmp_path) for k in ("missing", "empty", "binary", "jsonl")]
    out = tmp_path / "out"
    rc, stdout, stderr = run("build", *map(str, bads), str(good), "--out", str(out))
    assert rc == 1
    lines = err_lines(stderr)
    assert len(lines) == 4, stderr
    for line, bad in zip(lines, bads):
        assert str(bad) in line
    assert "articles: 1 built, 4 failed" in stdout
    assert identifiers(rdflib.Graph().parse(out / "graph.ttl")) == {"good"}


def test_a_fifo_and_dev_zero_end_at_once(good: Path, tmp_path: Path) -> None:
    """Not regular files: one line each in failed.jsonl, and nothing read from them (a FIFO used
    to hang the build forever, /dev/zero to grow it to 2.1 GB in 3 s). In a child process, so
    that a hang is a timeout rather than a stuck test run."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(good), str(fifo), "/dev/zero",
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    failed = [json.loads(line) for line in (out / "failed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(f["source"], f["reason"]) for f in failed] == [
        (str(fifo), "not a regular file but a named pipe (FIFO)"),
        ("/dev/zero", "not a regular file but a character device")]
    assert "articles: 1 built, 2 failed" in done.stdout


# -- failed builds keep old outputs --------------------------------------------------

OLD_TTL = b"# graph.ttl from an earlier build\n<urn:x:a> <urn:x:b> <urn:x:c> .\n"


@pytest.fixture()
def old_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_bytes(OLD_TTL)
    return out


def _assert_failed_cleanly(rc: int, stderr: str, out: Path) -> None:
    assert rc == 2
    assert len(err_lines(stderr)) == 1, stderr
    assert "Traceback" not in stderr
    assert (out / "graph.ttl").read_bytes() == OLD_TTL
    assert tmp_files(out) == []


def test_failure_in_serialise_keeps_old_graph(old_out: Path, good: Path, monkeypatch) -> None:
    import kg.out.export

    def boom(store):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kg.out.export, "union_triples", boom)
    rc, _, stderr = run("build", str(good), "--out", str(old_out))
    _assert_failed_cleanly(rc, stderr, old_out)
    assert "disk on fire" in stderr
    assert sorted(os.listdir(old_out)) == ["graph.ttl", "store"]


def test_failure_in_the_jsonld_writer_keeps_old_graph(old_out: Path, good: Path, monkeypatch) -> None:
    import kg.out.export

    def broken(store, f):
        f.write(b"{ half")
        raise ValueError("json-ld writer broke")

    monkeypatch.setattr(kg.out.export, "jsonld", broken)
    rc, _, stderr = run("build", str(good), "--out", str(old_out))
    _assert_failed_cleanly(rc, stderr, old_out)


def test_failure_while_writing_keeps_old_graph(old_out: Path, good: Path, monkeypatch) -> None:
    real_replace = os.replace

    def replace(src, dst, *a, **k):
        if str(dst).endswith("graph.ttl"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", replace)
    rc, _, stderr = run("build", str(good), "--out", str(old_out))
    assert rc == 2
    assert (old_out / "graph.ttl").read_bytes() == OLD_TTL
    assert tmp_files(old_out) == []


def test_failure_in_network_page_keeps_old_graph(old_out: Path, good: Path, monkeypatch) -> None:
    import kg.out.page

    def boom(*a, **k):
        raise RuntimeError("template missing")

    monkeypatch.setattr(kg.out.page, "render_network", boom)
    rc, _, stderr = run("build", str(good), "--out", str(old_out))
    _assert_failed_cleanly(rc, stderr, old_out)


def test_outputs_have_normal_file_mode(built) -> None:
    umask = os.umask(0)
    os.umask(umask)
    for name in ("graph.ttl", "graph.trig", "graph.jsonld"):
        assert (built[0] / name).stat().st_mode & 0o777 == 0o666 & ~umask, name


# -- demo ----------------------------------------------------------------------------

def test_demo_builds_every_sample(tmp_path: Path) -> None:
    samples = files("kg") / "samples"
    expected = {p.name[:-4] for p in samples.iterdir() if p.name.endswith(".txt")}
    for p in samples.iterdir():
        if p.name.endswith(".jsonl"):
            expected |= {json.loads(line)["id"] for line in p.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert len(expected) >= 3
    out = tmp_path / "demo"
    rc, stdout, stderr = run("demo", "--out", str(out))
    assert rc == 0, stderr
    assert f"articles: {len(expected)} built, 0 failed" in stdout
    g = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    assert identifiers(g) == expected
    assert (out / "network.html").stat().st_size > 0
    # the samples have urls (schema:url): every format must read back, TriG included
    for name in ("graph.trig", "graph.jsonld"):
        rc, _, stderr = run("view", str(out / name), "--out", str(tmp_path / "v.html"))
        assert rc == 0, stderr


def test_min_confidence_leaves_out_weak_relations(articles: Path, tmp_path: Path) -> None:
    confidences = {}
    for threshold in ("0", "0.8"):
        code, _, _ = run("build", str(articles), "--out", str(tmp_path / threshold), "--quiet",
                         "--min-confidence", threshold)
        assert code == 0
        ds = rdflib.Dataset(default_union=True)
        ds.parse(tmp_path / threshold / "graph.trig", format="trig")
        confidences[threshold] = sorted(float(c) for c in ds.objects(None, rdflib.URIRef(
            "https://w3id.org/kg-ip/ontology#confidence")))
    assert min(confidences["0"]) < 0.8  # the articles do have weak relations
    assert confidences["0.8"] == [c for c in confidences["0"] if c >= 0.8]


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_min_confidence_must_be_a_fraction(articles: Path, tmp_path: Path, value: str, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["build", str(articles), "--out", str(tmp_path / "out"), "--min-confidence", value])
    assert stop.value.code == 2
    assert "not a number from 0 to 1" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_demo_outputs_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("kg")
    for seed in ("1", "2"):
        proc = subprocess.run([str(exe), "demo", "--out", str(tmp_path / seed), "--quiet"], capture_output=True,
                              text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "1").iterdir() if p.is_file())
    assert "network.html" in names
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_build_with_a_missing_model_folder_says_so(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text("东江市公安局开展“利剑”专项行动。", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--model", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere: no such model folder" in err
    assert not (tmp_path / "out").exists()


def test_max_file_size_caps_what_one_file_may_hold(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "small.txt").write_text("东江市公安局开展“利剑”专项行动。", encoding="utf-8")
    (tmp_path / "in" / "big.txt").write_text("东江市公安局开展专项行动。" * 100_000, encoding="utf-8")
    rc, _, stderr = run("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--max-file-size", "1")
    assert rc == 1 and "big.txt" in stderr and "larger than 1,048,576 bytes" in stderr
    assert [json.loads(x)["source"] for x in (tmp_path / "out" / "failed.jsonl").read_text().splitlines()] == [
        str(tmp_path / "in" / "big.txt")]
