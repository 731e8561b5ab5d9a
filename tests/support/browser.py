"""Opening an output as a person would: headless Debian Chromium, axe-core WCAG 2.2 AA, no network,
no console errors; a screenshot and an A4 PDF in build/screenshots/ (git-ignored) to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"  # /build/ is git-ignored

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian chromium not installed at /usr/bin/chromium"
)


def open_and_check(html_path: Path, shot_name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    url = html_path.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{shot_name}.png"), full_page=True)
            page.emulate_media(media="print")
            page.pdf(path=str(SHOTS / f"{shot_name}.pdf"), format="A4")
            page.emulate_media(media="screen")
            requests_before_axe = list(requests)
            results = Axe().run(
                page,
                options={
                    "runOnly": {"type": "tag", "values": WCAG_TAGS},
                    "resultTypes": ["violations"],
                },
            )
        finally:
            browser.close()
    assert requests_before_axe == [url], (
        f"the pack requested other resources: {requests_before_axe[1:]}"
    )
    assert errors == [], errors
    assert results.violations_count == 0, results.generate_report()
