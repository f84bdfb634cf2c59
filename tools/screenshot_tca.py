"""Open a TCA HTML report in headless Chromium, collect console errors, take a screenshot.

``python tools/screenshot_tca.py`` builds the report of the bundled example
(``examples/tca``, against ``data/ticks``) and writes ``docs/img/tca_report.png``;
``--html PATH`` screenshots an existing report instead. The test suite uses
:func:`open_report` to check that the report opens without console or page errors.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_HEIGHT = 2300
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path() -> str | None:
    """Return the Chromium binary to drive, or None when none is installed."""
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def open_report(html: Path, screenshot: Path | None = None) -> list[str]:
    """Load ``html`` in headless Chromium; return console errors, page errors and any
    network request (the report must need none)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no chromium binary found (apt-get install chromium)")
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # The report must be self-contained: any request that leaves the file is an error.
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(("file:", "data:", "blob:"))
                else errors.append(f"network request: {r.url}")
            ),
        )
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0")
        page.wait_for_timeout(500)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            # The top of the report (headline, breakdown, costs by group, markouts, first
            # price path) is what a README can show legibly.
            height = min(page.evaluate("document.body.scrollHeight"), SCREENSHOT_HEIGHT)
            clip = {"x": 0, "y": 0, "width": 1400, "height": height}
            page.screenshot(path=str(screenshot), full_page=True, clip=clip)
        browser.close()
    return errors


def _example_report(out_dir: Path) -> Path:
    sys.path.insert(0, str(ROOT / "src"))
    from slipstream.cli.main import main

    code = main(
        [
            "tca",
            "--orders",
            str(ROOT / "examples/tca/orders.csv"),
            "--fills",
            str(ROOT / "examples/tca/fills.csv"),
            "--market",
            str(ROOT / "data/ticks"),
            "--out",
            str(out_dir),
            "--title",
            "Slipstream TCA — example: IBM and BAC, 7–9 Oct 2013",
        ]
    )
    if code != 0:
        raise SystemExit(code)
    return out_dir / "tca_report.html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--html", type=Path, help="existing report (default: build the example)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/img/tca_report.png")
    args = parser.parse_args()
    html = args.html or _example_report(ROOT / "out/tca_example")
    errors = open_report(html, args.out)
    for error in errors:
        print(f"console error: {error}", file=sys.stderr)
    print(f"screenshot: {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
