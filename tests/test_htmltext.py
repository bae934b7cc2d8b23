"""Tests for kg.read.htmltext on web pages written for these tests (invented bodies)."""
from __future__ import annotations

import pytest

from kg.read.htmltext import extract, looks_like_html

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>东江通报 - 东江市市场监督管理局</title>
<meta name="PubDate" content="2024-05-08 10:30">
<style>p { color: red }</style><script>var banner = "<p>广告</p>";</script></head>
<body><header>首页 | 机构 | 新闻</header><nav><a href="/">网站首页</a></nav>
<div class="layout"><div class="sidebar"><a href="/a">相关链接</a></div>
<div class="article-content">
<h1>东江查处一批商标侵权案</h1>
<p>5月8日，东江市市场监督管理局查处<b>东江宏达贸易有限公司</b>侵犯&ldquo;云雀&rdquo;注册商标专用权案。</p>
<p>没收侵权商品1200件，罚款5万元。<br>案件已移送东江市公安局。</p>
</div></div>
<footer>版权所有 东江市人民政府</footer></body></html>"""


def test_main_text_keeps_paragraphs_and_drops_furniture() -> None:
    page = extract(PAGE)
    assert page.text.split("\n") == [
        "东江查处一批商标侵权案",
        "5月8日，东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案。",
        "没收侵权商品1200件，罚款5万元。",
        "案件已移送东江市公安局。",
    ]


def test_title_and_date() -> None:
    page = extract(PAGE)
    assert page.title == "东江通报 - 东江市市场监督管理局"
    assert page.date == "2024-05-08"


@pytest.mark.parametrize("head,date", [
    ('<meta property="article:published_time" content="2023-11-02T08:00:00+08:00">', "2023-11-02"),
    ("", "2022-01-09"),  # the <time> element
])
def test_date_from_meta_or_time(head: str, date: str) -> None:
    html = f"<html><head>{head}</head><body><time datetime='2022-01-09'>1月9日</time><p>东江市公安局通报。</p></body></html>"
    assert extract(html).date == date


def test_date_from_a_publication_line_when_no_markup_gives_one() -> None:
    html = "<html><body><div>发布时间：2021年3月15日 来源：东江日报</div><p>东江海关查获侵权货物。</p></body></html>"
    page = extract(html)
    assert page.date == "2021-03-15"
    assert page.title is None


def test_fragment_without_document() -> None:
    page = extract("<p>东江市公安局开展专项行动。</p><p>抓获嫌疑人三名。</p>")
    assert page.text == "东江市公安局开展专项行动。\n抓获嫌疑人三名。"


def test_whole_page_when_no_element_holds_the_body() -> None:
    html = "<html><body><div class='content'>东江</div><p>东江市知识产权局召开会议，部署全年保护工作。</p></body></html>"
    assert extract(html).text == "东江\n东江市知识产权局召开会议，部署全年保护工作。"


def test_deeply_nested_and_empty_pages() -> None:
    assert extract("<div>" * 20000 + "东江" + "</div>" * 20000).text == "东江"
    assert extract("<html><body><script>x()</script></body></html>").text == ""
    assert extract("").text == ""


@pytest.mark.parametrize("text,expected", [
    (PAGE, True),
    ("  <!-- saved --> <html><body>东江</body></html>", True),
    ("<p>东江市公安局。</p><p>东江海关。</p>", True),
    ("东江市公安局通报：a<b 且 c>d，《条例》第3条。", False),
    ("东江市公安局发布<通知>。", False),
    ("", False),
])
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected
