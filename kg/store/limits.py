"""What a SPARQL query may be before kg hands it to pyoxigraph, and the stack it runs on.

Every query kg runs for a user goes through `Store.query`, which calls `check`
first: `kg query`, `KnowledgeGraph.query` and the workers of `kg serve` alike.
A query over a limit is refused with a one-line `QueryError` before the parser
sees it. The reasons, measured with pyoxigraph 0.5.13 on a 2-core machine:

- Its parser recurses on nesting: 2,500 nested `{` or 5,000 nested `(` overflow
  an 8 MB stack and kill the process with a segmentation fault, which Python
  cannot catch; nested `[` parse in cubic time (100 levels 0.06 s, 300 levels
  2 s). No hand-written query comes near MAX_DEPTH, 100 levels of any bracket.
- Long chains that are not nested build deep trees too: 4,000 MINUS or BIND, 8,000
  `+` or UNION, 16,000 `!` crash on an 8 MB stack. So `Store.query` parses and
  reads a query in a thread with a DEEP_STACK of 256 MB (address space; only
  the pages used are memory): there, every such chain filling twice MAX_LENGTH
  ran, the deepest using 121 MB. MAX_LENGTH is 50,000 characters (a VALUES
  block of about 1,000 IRIs).
- It runs `SERVICE <url>` clauses: HTTP requests to any address the machine can
  reach, answered into the results. They are refused unless allowed.

Brackets and the SERVICE keyword are found by a small lexer that skips strings,
IRIs and comments as the SPARQL grammar defines them, so `"{"`, `<http://x/{>`
or `# SERVICE` count for nothing. Where it cannot tell (`<` is also less-than),
it errs towards refusing: it treats a region as code unless it is sure it is not.

Some queries stay slow to parse within the limits (a collection `( 1 1 … )` of
200 items takes 3 s, of 400 about 20 s, a property path `p/p/…` of 400 steps
5 s): `kg serve` bounds them with its deadline; `kg query` and the Python API
ask the user's own store and have none.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kg.rdf.namespaces import PREFIXES

MAX_LENGTH = 50_000  # characters
MAX_DEPTH = 100  # levels of {, ( and [ together
DEEP_STACK = 256 * 2**20  # bytes of stack for the thread that parses and reads a query

T = TypeVar("T")

# The tokens that matter, in the order the grammar reads them at any position: a comment
# runs to the end of its line; strings and IRIs hide brackets and keywords; a number is
# its own token (`1.SERVICE` is 1, '.', SERVICE); a word (keyword, prefixed name, blank
# node label, language tag) may hold dots, and is split at them when looking for SERVICE.
TOKENS = re.compile(r'''
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:"{0,2}(?:[^"\\]|\\.))*"""|'{3}(?:'{0,2}(?:[^'\\]|\\.))*'{3}
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\x00-\x20]*>)
  | (?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<word>(?:[\w:%]|\\.)(?:[\w:%-]|\\.|\.(?=[\w:%\\-]))*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
''', re.VERBOSE | re.DOTALL)


class QueryError(ValueError):
    """A SPARQL query that cannot be run (over a limit, malformed, a named question asked wrongly), in one line."""


@dataclass(frozen=True)
class Limits:
    """What a query may be: its length in characters, how deep its brackets nest, and
    whether it may hold SERVICE clauses (`kg serve --allow-service`)."""

    max_length: int = MAX_LENGTH
    max_depth: int = MAX_DEPTH
    allow_service: bool = False


def check(query: str, limits: Limits = Limits()) -> None:
    """Raise QueryError if the query is over a limit; cheap (a 50,000-character query takes ~10 ms)."""
    if len(query) > limits.max_length:
        raise QueryError(f"the query is {len(query):,} characters long, over the limit of {limits.max_length:,}")
    depth = 0
    for token in TOKENS.finditer(query):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
            if depth > limits.max_depth:
                raise QueryError(f"the query nests brackets more than {limits.max_depth} deep"
                                 f" (line {line(query, token.start())})")
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word" and not limits.allow_service and "service" in token[0].lower().split("."):
            raise QueryError(f"federated queries are disabled (SERVICE on line {line(query, token.start())})")


def line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


_stack_lock = threading.Lock()


def on_deep_stack(work: Callable[[], T]) -> T:
    """work() run in a new thread with a DEEP_STACK, its result returned or its exception raised here.

    pyoxigraph's results may only be read in the thread that made them, so the query
    and the reading of its results both belong in `work`.
    """
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            outcome.append((False, e))

    with _stack_lock:  # the stack size is a process-wide setting for threads started next
        previous = threading.stack_size(DEEP_STACK)
        try:
            thread = threading.Thread(target=run, name="kg-query", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


UPDATE = re.compile(r"(?i)(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")
PROLOGUE = re.compile(r"(?i)\s*(?:BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)")
NOISE = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|#[^\n]*""")
PNAME = re.compile(r"(?<![\w?$@.:-])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$)")


def explain(sparql: str, error: SyntaxError) -> str:
    """One plain sentence for a query pyoxigraph cannot parse: an update, an undeclared prefix,
    or the parser's first line."""
    body = re.sub(r"#[^\n]*", "", sparql)
    while m := PROLOGUE.match(body):
        body = body[m.end():]
    word = UPDATE.match(body.lstrip())
    if word:
        return (f"{word[1].upper()} is a SPARQL update, and queries here are read-only: kg changes a store"
                " only by `kg build` and `kg remove`")
    declared = set(PREFIXES) | {m[1] for m in re.finditer(r"(?i)PREFIX\s*([^\s:]*):", sparql)}
    unknown = [m[1] or "" for m in PNAME.finditer(NOISE.sub(" ", sparql)) if (m[1] or "") not in declared]
    if unknown:
        return (f"unknown prefix {unknown[0]}: in the query; declare it (PREFIX {unknown[0]}: <…>)"
                f" or use one kg declares: {', '.join(p + ':' for p in PREFIXES)}")
    return f"not a valid SPARQL query: {(str(error).splitlines() or [type(error).__name__])[0][:200]}"
