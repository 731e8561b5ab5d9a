"""A pack for notification date D shows only the inspections, judgements and statistics published on
or before D (sql/pack/012_ilacs_dated.sql, 105_comparisons_published.sql)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pack_fixtures as F
from test_pack import section_text

from flows import warehouse
from flows.pack import render as pack

D = dt.date


def render_on(tmp_path, day: dt.date) -> dict[str, str]:
    ctx = F.make_run(tmp_path)
    con = warehouse.connect(ctx.warehouse)
    con.execute("update meta.run set notification_date = ?", [day])
    con.close()
    ctx = dataclasses.replace(ctx, notification_date=day)
    return section_text(pack.render(ctx).read_text("utf-8"))


def test_pack_for_january_2024_shows_only_what_was_published_by_then(tmp_path):
    text = render_on(tmp_path / "a", D(2024, 1, 15))
    # the July 2022 inspection, not the March 2024 focused visit
    assert "Latest ILACS judgements, inspection of 1 July 2022" in text["context"]
    assert "1 March 2024" not in text["context"] and "Focused visit" not in text["context"]
    # re-referrals 2023 (out by 30 November 2023); not 2024 or 2025; turnover 2025 not until 2026
    assert "Re-referrals within 12 months ↓ lower 2023 20.0%" in text["comparisons"]
    assert "24.0%" not in text["comparisons"] and "25.0%" not in text["comparisons"]
    assert "Social worker turnover" not in text["comparisons"]


def test_pack_before_any_published_inspection_says_so(tmp_path):
    text = render_on(tmp_path / "b", D(2022, 5, 1))
    assert "no published ILACS judgement on or before the notification date" in text["summary"]
    assert "1 July 2022" not in text["context"]
    assert "Re-referrals" not in text["comparisons"]  # the first period (2023) came later


def test_pack_today_shows_the_latest(tmp_path):
    text = render_on(tmp_path / "c", F.NOTIFICATION)
    assert "Focused visit" in text["context"]
    assert "Re-referrals within 12 months ↓ lower 2025" in text["comparisons"]
