"""Regenerate docs/network.png, the README's picture of the demo graph's network page.

Builds the bundled samples (`kg demo`), opens network.html in Debian's Chromium
with the network blocked (kg.browser), clicks the entity with the most
evidence sentences (details panel) and hovers it (tooltip), and saves a
1280x800 screenshot. Needs
the test extra (playwright) and `apt-get install chromium fonts-wqy-microhei`.

    python scripts/network_screenshot.py [--out docs/network.png]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser driver is test tooling
from browser import offline_page  # noqa: E402
from kg.cli import main as kg


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("docs/network.png"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if kg(["demo", "--out", tmp, "--quiet"]) != 0:
            return 1
        with offline_page(Path(tmp) / "network.html") as (page, log):
            page.wait_for_function("window.kg && window.kg.readyMs > 0")
            box = page.locator("#network").bounding_box()
            spot = page.evaluate(
                "(function () { var n = kg.nodes.get().sort(function (a, b) { return b.sentences.length - a.sentences.length; })[0];"
                " return kg.network.canvasToDOM(kg.network.getPositions([n.id])[n.id]); })()"
            )
            x, y = box["x"] + spot["x"], box["y"] + spot["y"]
            page.mouse.click(x, y)
            page.mouse.move(x + 1, y + 1)
            page.wait_for_timeout(600)  # the tooltip's delay
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out)
    if log.failed or log.blocked or log.errors:
        print(f"page problems: {log}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
