"""Fuzz the whole pipeline on random bytes with atheris (libFuzzer); report crashes and hangs.

    pip install -e ".[fuzz]"
    nice -n 10 python benchmarks/fuzz.py [--minutes 10] [--timeout 20] [--out fuzz-out]

Each input is one file: its first byte picks the kind (.txt, .html, .jsonl) and
the rest is the content. It is built as `kg build` builds (read, normalise, NLP,
resolve, RDF, the three RDF files and the network page) and the RDF files and
failure records are parsed back. A crash is an exception that escapes, a failure
kg recorded from an unforeseen exception (kg isolates those per article, but
each is a bug) or an output that does not parse; a hang is an input that runs
longer than --timeout seconds.

libFuzzer runs in a child process, seeded with the cases in tests/hostile/. A
crash or hang ends the child, its input is saved in --out, and a new child goes
on with the corpus grown so far until the time is up. The report gives the
number of inputs run and each crash or hang. `check_file` is also what the test
suite runs the seed corpus through.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = (".txt", ".html", ".jsonl")
SEEDS = Path(__file__).resolve().parents[1] / "tests" / "hostile"


class Crash(Exception):
    """The pipeline broke on an input."""


def check_file(path: Path):
    """Build one input file as `kg build` does and parse the outputs back; Crash if anything broke.

    Returns the `kg.KnowledgeGraph`."""
    import io

    from rdflib import Dataset, Graph

    import kg
    from kg.model import to_jsonl
    from kg.out.export import render

    result = kg.build([path])
    bugs = [f for f in result.failures if f.exception]
    if bugs:
        raise Crash(str(bugs[0]))
    for line in to_jsonl(result.failures).decode("utf-8").splitlines():
        json.loads(line)
    if result.built:
        files = {}
        for name, write in render(result.store).items():
            buffer = io.BytesIO()
            write(buffer)
            files[name] = buffer.getvalue()
        try:
            Graph().parse(data=files["graph.ttl"], format="turtle")
            Graph().parse(data=files["graph.jsonld"], format="json-ld")
            Dataset().parse(data=files["graph.trig"], format="trig")
        except Exception as e:  # noqa: BLE001 - any parser error is a broken output
            raise Crash(f"output does not parse: {type(e).__name__}: {str(e)[:300]}") from e
    return result


def check_bytes(data: bytes, folder: Path) -> None:
    kind = KINDS[data[0] % len(KINDS)] if data else ".txt"
    path = folder / f"input{kind}"
    path.write_bytes(data[1:])
    check_file(path)


def seed_inputs() -> list[bytes]:
    """The seed corpus as fuzzer inputs: a byte naming the kind, then the file."""
    return [bytes([KINDS.index(p.suffix)]) + p.read_bytes() for p in sorted(SEEDS.iterdir()) if p.suffix in KINDS]


def child(corpus: Path, artifacts: Path, seconds: int, timeout: int) -> None:
    import atheris

    with atheris.instrument_imports(include=["kg"]):
        import kg.run.builder  # noqa: F401 - imported here to be instrumented
        import kg.out.export  # noqa: F401
        import kg.out.page  # noqa: F401
    folder = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))

    def one(data: bytes) -> None:
        check_bytes(data, folder)

    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={seconds}", f"-timeout={timeout}",
                   f"-artifact_prefix={artifacts}/", "-max_len=4096", "-rss_limit_mb=6144",
                   "-print_final_stats=1"], one)
    atheris.Fuzz()


RUNS = re.compile(r"^#(\d+)\s|stat::number_of_executed_units:\s*(\d+)|Done (\d+) runs", re.M)


def supervise(minutes: float, timeout: int, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus"
    corpus.mkdir(exist_ok=True)
    for i, data in enumerate(seed_inputs()):
        (corpus / f"seed-{i:03d}").write_bytes(data)
    deadline = time.monotonic() + minutes * 60
    runs, found, children, deaths = 0, [], 0, 0
    while (left := int(deadline - time.monotonic())) > 5:
        before = set(out.iterdir())
        children += 1
        proc = subprocess.run([sys.executable, __file__, "--child", str(corpus), "--out", str(out),
                               "--seconds", str(left), "--timeout", str(timeout)],
                              capture_output=True, text=True, errors="replace")
        log = proc.stderr
        (out / f"child-{children}.log").write_text(log, encoding="utf-8")
        runs += max((int(n) for m in RUNS.findall(log) for n in m if n), default=0)
        new = sorted(p for p in set(out.iterdir()) - before if p.name.startswith(("crash-", "timeout-", "oom-")))
        for p in new:
            found.append(p)
            kind = p.name.split("-")[0]
            cause = next((line for line in log.splitlines() if "Crash:" in line or "Error" in line), "")
            print(f"{kind}: {p} ({p.stat().st_size} bytes) {cause.strip()[:200]}", flush=True)
        if proc.returncode != 0 and not new:
            deaths += 1
            print(f"fuzzer process died (exit {proc.returncode}) without saving an input; see "
                  f"{out}/child-{children}.log", flush=True)
            if deaths == 3:
                break
    print(f"inputs run: {runs} in {minutes:g} min ({children} fuzzer process(es)); "
          f"crashes and hangs: {len(found)}; unexplained deaths: {deaths}")
    return 1 if found or deaths else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10, help="total time (default 10)")
    ap.add_argument("--timeout", type=int, default=20, help="seconds one input may take (default 20)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-out"), help="corpus, crashes and logs (default fuzz-out)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--seconds", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.out, args.seconds, args.timeout)
        return 0
    return supervise(args.minutes, args.timeout, args.out)


if __name__ == "__main__":
    sys.exit(main())
