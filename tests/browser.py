"""Open a kg page in headless Chromium with the network cut off.

The network page must work from a ``file://`` path behind a firewall; the
browser test, the page benchmark and the README screenshot all look at it the
same way: Debian's ``/usr/bin/chromium`` driven by Playwright (never a browser
Playwright downloads), every request that is not ``file:`` aborted, and every
request, failed request, console error and page error written down.

Playwright is a test dependency (``pip install -e ".[test]"``), imported here
only when a page is opened.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class PageLog:
    """What a page asked for and what went wrong while it was open."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def offline_page(path: Path | str, *, width: int = 1280, height: int = 800) -> Iterator[tuple[Page, PageLog]]:
    """The HTML file at ``path`` loaded in headless Chromium with only ``file:`` URLs allowed; or a
    page served on loopback (``path`` an ``http://127.0.0.1:PORT/…`` URL), with only that origin allowed."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} not found; install Debian's chromium (apt-get install chromium)")
    log = PageLog()
    served = isinstance(path, str) and path.startswith("http://127.0.0.1:")
    allowed = "/".join(path.split("/")[:3]) + "/" if served else "file:"

    def route(r) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            log.blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda r: log.requests.append(r.url))
            page.on("requestfailed", lambda r: log.failed.append(f"{r.url}: {r.failure}"))
            page.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: log.errors.append(str(e)))
            page.goto(path if served else Path(path).resolve().as_uri())
            yield page, log
        finally:
            browser.close()
