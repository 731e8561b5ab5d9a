"""The pack printed from headless Chromium to A4 PDF, as an inspector prints it.

A Kent-sized synthetic submission (`pia synth --la E10000016`, through `pia run`) prints on at most
25 pages; no page is blank (nothing on it but the protective marking and page number); no page ends
on a table's header row; long child lists are capped in print and say so; with no officer's notes
the intelligence section is a line, not a page. Skipped when Debian chromium or poppler's pdftotext
is absent. The PDFs and page PNGs go to build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pack_fixtures as F
import pytest
from hostile_corpus import PIA, pia_env

from flows.pack import render as pack

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
MAX_PAGES = 25
MARKING = re.compile(r"OFFICIAL-SENSITIVE|page \d+ of \d+")

needs_tools = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) or not shutil.which("pdftotext"),
    reason="Debian chromium or poppler-utils (pdftotext) not installed",
)


def print_pdf(html: Path, pdf: Path) -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page()
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        finally:
            browser.close()
    return pdf


def pages(pdf: Path) -> list[list[str]]:
    """Each page's non-empty text lines (pdftotext -layout), whitespace collapsed."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        [re.sub(r"\s+", " ", line).strip() for line in page.splitlines() if line.strip()]
        for page in text.split("\f")[: -1 or None]
    ]


class _Heads(HTMLParser):
    """The header cells of every table's thead, in order."""

    def __init__(self):
        super().__init__()
        self.heads: list[list[str]] = []
        self.in_head = self.in_th = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self.in_head = True
            self.heads.append([])
        elif tag == "th" and self.in_head:
            self.in_th = True
            self.heads[-1].append("")

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_head = False
        elif tag == "th":
            self.in_th = False

    def handle_data(self, data):
        if self.in_th:
            self.heads[-1][-1] += data


def orphaned_headers(html: str, pdf_pages: list[list[str]]) -> list[tuple[int, str]]:
    """Pages whose last line of content is a table's header row (its first words, in order)."""
    p = _Heads()
    p.feed(html)
    starts = {
        " ".join(h.split()[0] for h in head[:3] if h.split()) for head in p.heads if len(head) >= 3
    }
    out = []
    for n, lines in enumerate(pdf_pages, 1):
        content = [line for line in lines if MARKING.sub("", line).strip()]
        if not content or n == len(pdf_pages):
            continue
        words = content[-1].split()
        for start in starts:
            first = start.split()
            it = iter(words)
            if words and words[0] == first[0] and all(w in it for w in first):
                out.append((n, content[-1]))
    return out


@pytest.fixture(scope="module")
def kent(tmp_path_factory) -> tuple[str, list[list[str]]]:
    root = tmp_path_factory.mktemp("kent-print")
    env = pia_env(root)
    stats = root / "stats.duckdb"
    env["PIA_STATISTICS_DB"] = str(stats)
    subprocess.run([PIA, "stats", "refresh", "--db", str(stats)], env=env, check=True)
    day = "2026-11-16"
    subprocess.run(
        [PIA, "synth", "--la", "E10000016", "--notification-date", day, "--out", str(root / "in")],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [PIA, "run", "--la", "E10000016", "--notification-date", day, "--annex-a", str(root / "in")]
        + ["--out", str(root / "out")],
        env=env,
        check=True,
        capture_output=True,
    )
    html = root / "out" / "E10000016" / day / "pia.html"
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = print_pdf(html, SHOTS / "pack-kent.pdf")
    return html.read_text("utf-8"), pages(pdf)


@needs_tools
def test_kent_sized_pack_prints_on_at_most_25_pages(kent):
    assert 10 <= len(kent[1]) <= MAX_PAGES, len(kent[1])


@needs_tools
def test_no_blank_page(kent):
    blank = [
        n for n, lines in enumerate(kent[1], 1) if not MARKING.sub("", " ".join(lines)).strip()
    ]
    assert blank == []


@needs_tools
def test_no_page_ends_on_a_table_header(kent):
    assert orphaned_headers(kent[0], kent[1]) == []


@needs_tools
def test_long_lists_capped_in_print_with_their_count(kent):
    text = " ".join(" ".join(p) for p in kent[1])
    assert re.search(
        r"Printed: the first 8 of [\d,]+\. The full list is in the pack on screen", text
    )
    # the summary (profile and lines of enquiry) fits on two pages: section 2 starts by page 3
    assert any("2. Contextual overview" in line for page in kent[1][:3] for line in page)


@needs_tools
def test_intelligence_is_a_line_when_no_notes(tmp_path):
    html = pack.render(F.make_run(tmp_path / "run"))
    pdf_pages = pages(print_pdf(html, tmp_path / "pack.pdf"))
    (page,) = [p for p in pdf_pages if any("6. Officer's intelligence" in line for line in p)]
    assert any("7. Data quality" in line for line in page)  # on the same page, not one of its own
    assert all(MARKING.sub("", " ".join(p)).strip() for p in pdf_pages)


def test_orphan_check_finds_a_header_at_the_foot_of_a_page():
    html = (
        "<table><thead><tr><th>Child ID</th><th>In touch</th><th>Latest contact</th></tr></thead>"
        "</table>"
    )
    got = [["Care leavers", "Child ID In touch Latest contact", "OFFICIAL-SENSITIVE page 1 of 2"]]
    assert orphaned_headers(html, [*got, ["CL3 No"]]) == [(1, "Child ID In touch Latest contact")]
    assert orphaned_headers(html, [[*got[0][:2], "CL3 No"], ["x"]]) == []
