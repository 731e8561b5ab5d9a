"""The data-quality report printed to A4 by headless Debian Chromium: a report of thousands of
findings is a few pages (each list, rule and column shows its first rows), and a long value sent is
wrapped, never clipped. Skipped only when /usr/bin/chromium is absent. The PDF goes to
build/screenshots/ (git-ignored) so a person can look at it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import quality_fixtures as Q

from flows import warehouse
from flows.annex_a.specs import SPECS
from flows.validation import report as dq_report
from flows.validation import resubmission
from flows.validation import stage as validation
from flows.validation import summary as list_summary

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
LONG = "X" * 150 + "END"  # one unbroken value wider than the value column
MAX_PAGES = 6

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and shutil.which("pdfinfo") and shutil.which("pdftotext")),
    reason="Debian chromium or poppler-utils not installed",
)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, int, Path]:
    """3,000 findings on four lists, and the changes since an earlier run, printed to PDF: (pdf,
    findings, html)."""
    tmp = tmp_path_factory.mktemp("print")
    ctx = Q.context(tmp)
    sub = Q.good_submission()
    Q.make_warehouse(ctx, sub)
    rows = []
    lists = [s for s in SPECS if s.table in sub][:4]
    for n in range(3000):  # 8 groups of list, rule and column: what a messy submission looks like
        spec = lists[n % len(lists)]
        column = spec.columns[1 + n % 2]
        value = LONG if n == 0 else f"value {n}"
        rows.append(
            (
                spec.table,
                "A very long file name for an Annex A extract 2026-11.xlsx",
                spec.title,
                n + 2,
                column.header,
                f"rule_{n % 2}",
                ("error", "warning")[n % 2],
                f"{column.header}: check the value.",
                value,
            )
        )
    con = warehouse.connect(ctx.warehouse)
    con.executemany("insert into quality.issues values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    list_summary.write_list_summary(con, set(sub), validation._run_parameters(con, ctx))
    con.close()
    # an earlier run with fewer rows and other findings, so the changes section prints too
    earlier = tmp / "earlier"
    earlier.mkdir()
    (earlier / resubmission.BASIS_FILE).write_text(
        resubmission.Basis(
            ctx.la.ons_code,
            ctx.notification_date,
            {"list_01_contacts": 1},
            {
                ("list_01_contacts", "rule_9", "Gender", "error"): 40,
                (lists[0].table, "rule_0", lists[0].columns[1].header, "error"): 900,
            },
        ).to_json(ctx.generated_at)
    )
    ctx.earlier_dir = earlier
    resubmission.record(ctx)
    paths = {p.name: p for p in dq_report.write_reports(ctx)}
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / "data_quality.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            paths["data_quality.html"].as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf, len(rows), paths["data_quality.html"]


def test_thousands_of_findings_print_on_a_few_a4_pages(printed):
    pdf, findings, _ = printed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert findings == 3000
    assert 1 < pages <= MAX_PAGES, pages
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_long_values_wrap_not_clipped(printed):
    pdf, _, _ = printed
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # every character printed, wrapped over several lines of the value column
    pieces = re.findall(r"X+(?:END)?(?=\s*$)", text, flags=re.MULTILINE)
    assert len(pieces) > 1 and "".join(pieces) == LONG
    assert "and " in text and "more" in text  # the rest pointed at the csv and xlsx


def test_report_in_browser_accessible(printed):
    """WCAG 2.2 AA (axe-core), no request but the page itself, no console error: as for the pack."""
    from browser import open_and_check

    _, _, html = printed
    assert "What changed since the earlier run" in html.read_text(encoding="utf-8")
    open_and_check(html, "data-quality")
