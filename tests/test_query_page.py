"""The query page `kg serve` shows at / (issue 16): it loads with every outside request blocked,
runs a named question against /sparql and shows its rows. Entities are invented."""
from __future__ import annotations


import pytest

from browser import CHROMIUM, offline_page


pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")




def test_a_named_question_shows_its_rows_offline(endpoint: str) -> None:
    with offline_page(f"{endpoint}/") as (page, log):
        page.select_option("#questions", "cases-per-agency")
        assert "handled the most cases" in page.inner_text("#about")
        page.click("#run")
        page.wait_for_selector("#results tbody tr", timeout=15000)
        header = page.locator("#results th").all_inner_texts()
        rows = [r.locator("td").all_inner_texts() for r in page.locator("#results tbody tr").all()]
        status = page.inner_text("#status")
    assert header == ["body", "cases"]
    assert [r[0] for r in rows] == ["东江市市场监督管理局@zh", "东江市品牌保护协会@zh"]  # value, then its language
    assert "2 行 rows" in status
    assert not log.blocked and not log.failed and not log.errors, log


def test_a_question_with_a_parameter_and_an_error(endpoint: str) -> None:
    with offline_page(f"{endpoint}/") as (page, log):
        page.select_option("#questions", "entity-facts")
        page.fill("#param-name", "東江市市場監督管理局")  # any spelling: the server binds the name's search key
        page.wait_for_function("document.querySelector('#editor').value.includes('VALUES (?name)')")
        assert 'VALUES (?name) { ("东江市市场监督管理局") }' in page.input_value("#editor")
        page.click("#run")
        page.wait_for_selector("#results tbody tr", timeout=15000)
        assert page.locator("#results tbody tr").count() >= 1
        page.fill("#editor", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        page.click("#run")
        page.wait_for_selector("#status.error", timeout=15000)
        assert "400: federated queries are disabled" in page.inner_text("#status")
    assert not log.blocked, log
