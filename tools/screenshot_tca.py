"""Open Slipstream's HTML pages in headless Chromium: check them and take the README shots.

``python tools/screenshot_tca.py`` runs ``slipstream demo`` and ``slipstream estimate`` into
``out/screenshots`` and the TCA example (``examples/tca`` against ``data/ticks``), then writes

* ``docs/img/demo_fills.png``  — the demo's fills page (``out/.../demo/fills.html``)
* ``docs/img/demo_tca.png``    — the top of the demo's TCA report
* ``docs/img/estimate_ibm.png`` — ``estimate --symbol IBM --side buy --quantity 200000``
* ``docs/img/tca_report.png``  — the top of the TCA example's report (docs/tca.md)

and prints each page's size. ``--html PAGE --out PNG`` screenshots one existing page instead.
It exits 1 when a page logs a console error, fails a request, or makes a network request (a
page must need nothing beyond its folder). ``tests/reports`` uses :func:`open_page` for the
same checks.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT_WIDTH = 1280
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
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

# Runs in the page: what rendered, and whether any table or the page itself is cut off.
_INSPECT = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const charts = plots.map(p => ({
    id: p.id,
    svg: p.querySelectorAll('svg.main-svg').length > 0
         && p.querySelector('svg.main-svg').childElementCount > 0,
    traces: p.querySelectorAll('.legend .traces').length,
    legend: [...p.querySelectorAll('.legend .traces .legendtext')].map(t => t.textContent),
    ytitle: [...p.querySelectorAll('.ytitle, .g-ytitle text')].map(t => t.textContent).join(' | '),
    xtitle: [...p.querySelectorAll('.xtitle, .g-xtitle text')].map(t => t.textContent).join(' | '),
  }));
  const view = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('table')].map(t => {
    const wrap = t.parentElement;
    const overflow = getComputedStyle(wrap).overflowX;
    const box = wrap.getBoundingClientRect();
    return {
      rows: t.rows.length,
      tableWidth: t.scrollWidth,
      wrapWidth: wrap.clientWidth,
      scrolls: overflow === 'auto' || overflow === 'scroll',
      fits: t.scrollWidth <= wrap.clientWidth,
      insideView: box.left >= 0 && box.right <= view + 1,
    };
  });
  return {
    charts, tables, text: document.body.innerText,
    pageOverflow: document.documentElement.scrollWidth > view + 1,
  };
}"""


class PageCheck:
    """What headless Chromium saw on one page.

    (A plain class: tests load this file with importlib, where a dataclass cannot resolve
    its module.)
    """

    def __init__(self) -> None:
        self.errors: list[str] = []  # console/page errors, failed and non-local requests
        self.requests: list[str] = []
        self.charts: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self.text = ""
        self.page_overflow = False


def chromium_path() -> str | None:
    """Return the Chromium binary to drive, or None when none is installed."""
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def open_page(
    html: Path,
    screenshot: Path | None = None,
    expected_charts: int = 1,
    width: int = VIEWPORT_WIDTH,
    max_height: int | None = None,
) -> PageCheck:
    """Load ``html`` from its ``file://`` URL, wait for ``expected_charts`` plotly charts to
    draw, and return what rendered (optionally screenshotting the top ``max_height`` px)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no chromium binary found (apt-get install chromium)")
    check = PageCheck()

    def on_request(request: Any) -> None:
        check.requests.append(request.url)
        if not request.url.startswith(LOCAL_SCHEMES):
            check.errors.append(f"network request: {request.url}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.on("console", lambda m: check.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: check.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: check.errors.append(f"request failed: {r.url}"))
        page.on("request", on_request)
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= n",
            arg=expected_charts,
            timeout=30_000,
        )
        page.wait_for_timeout(400)
        seen = page.evaluate(_INSPECT)
        check.charts, check.tables = seen["charts"], seen["tables"]
        check.text, check.page_overflow = seen["text"], seen["pageOverflow"]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            height = int(page.evaluate("document.body.scrollHeight"))
            if max_height is not None:
                height = min(height, max_height)
            clip = {"x": 0, "y": 0, "width": width, "height": height}
            page.screenshot(path=str(screenshot), full_page=True, clip=clip)
        browser.close()
    return check


def open_report(html: Path, screenshot: Path | None = None) -> list[str]:
    """Load a TCA report and return its errors (console, page, failed or network requests)."""
    return open_page(html, screenshot, max_height=SCREENSHOT_HEIGHT).errors


def _cli(*argv: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from slipstream.cli.main import main

    code = main(list(argv))
    if code != 0:
        raise SystemExit(code)


def build_pages(out: Path) -> dict[str, Path]:
    """Run the demo, the IBM estimate and the TCA example into ``out``; return the pages."""
    demo = out / "demo"
    _cli("demo", "--out", str(demo))
    _cli("estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "200000",
         "--html", str(out / "estimate_ibm.html"))  # fmt: skip
    _cli("tca", "--orders", str(ROOT / "examples/tca/orders.csv"),
         "--fills", str(ROOT / "examples/tca/fills.csv"), "--market", str(ROOT / "data/ticks"),
         "--out", str(out / "tca_example"),
         "--title", "Slipstream TCA — example: IBM and BAC, 7–9 Oct 2013")  # fmt: skip
    return {
        "demo_fills": demo / "fills.html",
        "demo_tca": demo / "tca" / "tca_report.html",
        "estimate_ibm": out / "estimate_ibm.html",
        "tca_report": out / "tca_example" / "tca_report.html",
    }


# page → (expected charts, screenshot height limit)
SHOTS = {
    "demo_fills": (3, None),
    "demo_tca": (7, SCREENSHOT_HEIGHT),
    "estimate_ibm": (2, None),
    "tca_report": (1, SCREENSHOT_HEIGHT),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--html", type=Path, help="one existing page (default: build them all)")
    parser.add_argument("--out", type=Path, help="screenshot of --html (default docs/img/page.png)")
    parser.add_argument("--work", type=Path, default=ROOT / "out/screenshots")
    args = parser.parse_args()
    if args.html is not None:
        jobs = [(args.html, args.out or ROOT / "docs/img/page.png", 1, SCREENSHOT_HEIGHT)]
    else:
        pages = build_pages(args.work)
        jobs = [(pages[k], ROOT / f"docs/img/{k}.png", n, h) for k, (n, h) in SHOTS.items()]
    failed = False
    for page, shot, charts, height in jobs:
        check = open_page(page, shot, expected_charts=charts, max_height=height)
        for error in check.errors:
            print(f"{page}: {error}", file=sys.stderr)
        failed = failed or bool(check.errors)
        print(f"{shot}: {page} {page.stat().st_size:,} bytes, {len(check.charts)} charts")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
