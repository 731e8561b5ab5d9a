"""Long unbroken values wrap in every HTML output: a 5,000-character value once made the pack
151,331 px wide. Measured in headless Chromium (skipped without it, as test_browser_pack)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pack_fixtures as F
import pytest
import quality_fixtures as Q
from hostile_corpus import record

from flows import warehouse
from flows.pack import render as pack
from flows.validation import report as dq_report

CHROMIUM = "/usr/bin/chromium"
LONG = "W" * 5_000
WIDTH = 1280

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian chromium not installed at /usr/bin/chromium"
)


_WIDEST = """Math.max(document.documentElement.scrollWidth,
    ...Array.from(document.querySelectorAll('.dq-table-wrap')).map(e => e.scrollWidth))"""


def _widths(pages: list[Path]) -> list[int]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            widths = []
            for html in pages:
                page.goto(html.resolve().as_uri(), wait_until="load")
                # the page, and any box that scrolls sideways inside it (the report's tables)
                widths.append(page.evaluate(_WIDEST))
        finally:
            browser.close()
    return widths


def _pack(tmp_path: Path) -> Path:
    notes = tmp_path / "notes.md"
    notes.write_text(f"# Notes\n\n{LONG}\n", encoding="utf-8")
    ctx = F.make_run(tmp_path / "run", notes=notes)
    manifest = json.loads((ctx.work_dir / "manifest.json").read_text())
    manifest["files"][0]["file"] = f"{LONG}.xlsx"
    (ctx.work_dir / "manifest.json").write_text(json.dumps(manifest))
    return pack.render(ctx)


def _data_quality(tmp_path: Path) -> Path:
    ctx = Q.context(tmp_path / "dq")
    sub = Q.good_submission()
    Q.make_warehouse(ctx, {"list_03_referrals": sub["list_03_referrals"]})
    con = warehouse.connect(ctx.warehouse)
    con.execute(
        "insert into quality.issues values ('list_03_referrals', ?, ?, 2, 'Gender', "
        "'code_unmapped', 'warning', ?, ?)",
        [f"{LONG}.xlsx", LONG, f"{LONG}.xlsx: {LONG}", LONG],
    )
    con.close()
    return next(p for p in dq_report.write_reports(ctx) if p.suffix == ".html")


def test_long_unbroken_values_wrap_in_the_pack_and_the_data_quality_report(tmp_path):
    pages = [_pack(tmp_path), _data_quality(tmp_path)]
    widths = _widths(pages)
    assert all(w <= WIDTH for w in widths), widths
    record(
        "Layout",
        "a 5,000-character unbroken value (notes, file name, sheet name, message, value)",
        f"wraps: pia.html and data_quality.html {widths[0]:,} and {widths[1]:,} px wide in a "
        f"{WIDTH:,} px window",
    )
