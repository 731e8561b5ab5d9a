"""The pack as a person opens it: headless Debian Chromium, axe-core WCAG 2.2 AA, no network, no errors.

Skipped only when /usr/bin/chromium is absent. Screenshots and A4 PDFs go to build/screenshots/
(git-ignored) so a person can look at them.
"""

from __future__ import annotations

from pathlib import Path

import pack_fixtures as F
import pytest
from browser import needs_chromium, open_and_check

from flows.pack import render as pack

pytestmark = needs_chromium


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("pack-full", {}),
        ("pack-focused-no-lists", {"lists": {}, "statistics": False, "visit_type": "focused"}),
    ],
)
def test_pack_in_browser(tmp_path: Path, name: str, kw: dict) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Regional intelligence\n\nA [link](https://example.org) and ![img](https://example.org/x.png).\n\n"
        "### Complaints\n\n<script>alert(1)</script>\n",
        encoding="utf-8",
    )
    ctx = F.make_run(tmp_path / "run", notes=notes, **kw)
    open_and_check(pack.render(ctx), name)
