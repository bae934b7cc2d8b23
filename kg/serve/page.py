"""The query page `kg serve` shows at `/`: a SPARQL editor, kg's named questions, rows as a table.

A page of kg's own (`data/query.html`, about 8 KB with its script) rather than
YASGUI: `@zazuko/yasgui` 4.6.2 is 1,012 KB of script and 56 KB of CSS, its npm
package carries no licence file to copy beside it, and it reaches out on its
own (property and class completion asks lov.linkeddata.es; its default endpoint
is DBpedia), so every upgrade would need re-checking offline. This page loads
nothing from anywhere: the named questions (`ontology/queries/*.rq`, with their
titles, descriptions and parameters) and kg's prefixes are written into it here,
it posts the query to `/sparql` (a form POST, Accept SPARQL JSON) and shows the
rows, IRIs shortened with the same prefixes. What it lacks against YASGUI:
syntax highlighting, completion, tabs and charts.
"""
from __future__ import annotations

import json
import re

from kg.datafiles import data_dir
from kg.rdf.namespaces import PREFIXES
from kg.store.limits import MAX_LENGTH
from kg.store.queries import named_queries

TEMPLATE = data_dir(__file__) / "query.html"


def page_data() -> dict:
    return {
        "prefixes": {p: str(ns) for p, ns in PREFIXES.items()},
        "questions": [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                       "params": q.params, "languages": q.languages} for q in named_queries().values()],
        "maxLength": MAX_LENGTH,
    }


def render_query_page() -> bytes:
    data = json.dumps(page_data(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = re.sub(r"/\*@DATA_JSON@\*/", lambda m: data, TEMPLATE.read_text(encoding="utf-8"))
    return page.encode("utf-8")
