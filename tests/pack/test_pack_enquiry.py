"""Golden: the summary's candidate lines of enquiry on a fixed synthetic submission.

The fixture lists (tests/support/pack_fixtures.py) with published comparisons under the real indicator ids:
care leavers in band D on two measures, repeat child protection plans in band D and worse than last
year, re-referrals worse in band C with a recent Annex A figure above England, turnover in band A
(raises nothing), and assessments within 45 working days whose recent figure is on a base under 10
(never counted). Seven themes are raised and six shown: workforce and permanence both rest on one
list (limited), and workforce comes later in the framework's order; unregistered provision comes
first (a child unlawfully placed now, para 307). Any change to the themes, their order, strength or evidence changes this test.
"""

from __future__ import annotations

import datetime as dt

import pack_fixtures as F
import pytest
from test_pack import section_text

from flows import warehouse
from flows.pack import charts
from flows.pack import render as pack

D = dt.date
E = F.LA_CODE


def _dict_row(indicator_id: str, title: str, topic: str, polarity: str) -> dict:
    return {
        "indicator_id": indicator_id,
        "title": title,
        "topic": topic,
        "unit": "%",
        "polarity": polarity,
        "decimals": 1,
        "source": "test",
        "definition": "test",
    }


INDICATORS = {
    **F.INDICATORS,
    "indicator_dictionary": [
        _dict_row(
            "rereferral_rate", "Re-referrals within 12 months (%)", "Help and protection", "low"
        ),
        _dict_row(
            "assessments_within_45wd",
            "Assessments within 45 working days (%)",
            "Help and protection",
            "high",
        ),
        _dict_row(
            "cpp_repeat_rate", "Second or subsequent CP plans (%)", "Help and protection", "low"
        ),
        _dict_row(
            "care_leavers_in_touch_19_21",
            "Care leavers 19 to 21 in touch (%)",
            "Care leavers",
            "high",
        ),
        _dict_row(
            "care_leavers_eet_19_21", "Care leavers 19 to 21 in EET (%)", "Care leavers", "high"
        ),
        _dict_row("sw_turnover_rate", "Social worker turnover (%)", "Workforce", "low"),
        _dict_row(
            "cla_count", "Children looked after at 31 March (number)", "Children in care", "neutral"
        ),
        _dict_row(
            "cpp_count",
            "Children on a CP plan at 31 March (number)",
            "Help and protection",
            "neutral",
        ),
    ],
    # the fixture's recent re-referral figure (3 of 10) under the real id, and a base under 10
    "annex_a_recent": [
        {**F.INDICATORS["annex_a_recent"][0], "indicator_id": "rereferral_rate"},
        {
            **F.INDICATORS["annex_a_recent"][0],
            "indicator_id": "assessments_within_45wd",
            "value": 0.0,
            "numerator": 0,
            "denominator": 1,
        },
    ],
}
COMPARISONS = [
    (E, "rereferral_rate", "2024", 21.0, 21.5, 10, 22.0, 22.0, 60, 153, "B", 20.0),
    (E, "rereferral_rate", "2025", 23.5, 21.0, 10, 21.8, 22.1, 100, 153, "C", 21.0),
    (E, "assessments_within_45wd", "2025", 70.0, 80.0, 10, 82.0, 82.0, 140, 153, "D", 75.0),
    (E, "cpp_repeat_rate", "2025", 28.0, 23.0, 10, 23.0, 23.6, 150, 153, "D", 25.0),
    (E, "care_leavers_in_touch_19_21", "2025", 80.0, 92.0, 10, 91.0, 92.0, 145, 153, "D", 85.0),
    (E, "care_leavers_eet_19_21", "2025", 45.0, 55.0, 10, 54.0, 56.0, 148, 153, "D", 44.0),
    (E, "sw_turnover_rate", "2025", 12.0, 15.0, 10, 14.0, 15.9, 20, 153, "A", 13.0),
    # list 8 has 3 children in care on the notification date, list 7 has 3 open plans
    (E, "cla_count", "2025", 10.0, 9.0, 10, 500.0, 80000.0, None, 0, None, 11.0),
    (E, "cpp_count", "2025", 3.0, 4.0, 10, 300.0, 50000.0, None, 0, None, 3.0),
]

GOLDEN = [
    (
        "unregistered-provision",
        "strong",
        [
            "2 children still in unregistered provision on the notification date; any such placement is unlawful (para 307).",
            "2 of the 2 children placed in the six months were under 16 when placed.",
            "1 child under 16 placed in supported accommodation (for ages 16 and 17 only).",
            "2 unregistered placements where list 8 disagrees with 3.17.",
        ],
    ),
    (
        "care-leavers",
        "strong",
        [
            "Care leavers 19 to 21 in touch (%): bottom quarter of local authorities (band D): 80.0% in 2025, England 92.0%; worse than the previous year (85.0%).",
            "Care leavers 19 to 21 in EET (%): bottom quarter of local authorities (band D): 45.0% in 2025, England 56.0%.",
            "Care leavers the local authority is not in touch with: 3.",
            "No child on list 9 (Care leavers) was audited in the six months.",
        ],
    ),
    (
        "front-door",
        "strong",
        [
            "Re-referrals within 12 months (%): worse than the previous year: 21.0% to 23.5% in 2025 (band C; England 22.1%).",
            "Re-referrals within 12 months (%), recent from Annex A: 30.0% (3 of 10), England 22.1% (not directly comparable).",
            "Assessments within 45 working days (%): bottom quarter of local authorities (band D): 70.0% in 2025, England 82.0%; worse than the previous year (75.0%).",
            "Assessments open beyond 45 working days: 2.",
        ],
    ),
    (
        "help-and-protection",
        "strong",
        [
            "Second or subsequent CP plans (%): bottom quarter of local authorities (band D): 28.0% in 2025, England 23.6%; worse than the previous year (25.0%).",
            "Children on a child protection plan not visited in the last six weeks: 2.",
            "Child protection plans lasting two years or more: 1.",
            "Second or later child protection plans: 3.",
        ],
    ),
    (
        "children-in-care",
        "moderate",
        [
            "Children in care missing without a return interview: 2.",
            "Children in care with three or more placements in 12 months: 2.",
            "Children in care with an overdue health assessment: 2.",
        ],
    ),
    ("permanence", "limited", ["Children not placed for adoption by the date decided: 1."]),
]


@pytest.fixture(scope="module")
def enquiries(tmp_path_factory) -> list[dict]:
    # the recent re-referral figure rests on list 3's 'referrals in the last 12 months' column
    lists = {
        **F.LISTS,
        "list_03_referrals": [
            {**r, "referrals_last_12_months": 2} for r in F.LISTS["list_03_referrals"]
        ],
    }
    ctx = F.make_run(
        tmp_path_factory.mktemp("enquiry") / "run",
        lists=lists,
        indicators=INDICATORS,
        comparisons=COMPARISONS,
    )
    con = warehouse.connect(ctx.warehouse)
    try:
        available = pack.build(con, ctx.notification_date)
        return pack.gather(con, ctx, available)["enquiries"]
    finally:
        con.close()


def test_summary_lines_of_enquiry_golden(enquiries):
    got = [(e["id"], e["strength"], [i["text"] for i in e["items"]]) for e in enquiries]
    assert got == GOLDEN


def test_every_item_links_to_its_detail(enquiries):
    hrefs = {i["href"] for e in enquiries for i in e["items"]}
    assert "#ind-care_leavers_eet_19_21" in hrefs and "#loe-assessments-late" in hrefs
    assert all(h.startswith("#") for h in hrefs)


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    ctx = F.make_run(
        tmp_path_factory.mktemp("enquiry-html") / "run",
        indicators=INDICATORS,
        comparisons=COMPARISONS,
    )
    return pack.render(ctx).read_text("utf-8")


def test_recent_figures_show_base_and_what_they_leave_out(html):
    text = section_text(html)["comparisons"]
    # 0 of 1 authorised on time; the open assessment already past 45 working days (C1) said beside it
    assert "0.0% (0 of 1), too small to compare (base under 10)." in text
    assert "Left out: 1 assessments still open past 45 working days are not in this figure" in text
    # list 3 in this run has no 'referrals in the last 12 months': the recent figure is not shown
    assert "not provided by the LA (see what could not be analysed )" in text


def test_full_charts_only_for_indicators_in_a_line_of_enquiry(html):
    # re-referrals (two years, raised in front door) gets a chart; turnover (band A) only a table row
    assert 'id="chart-rereferral-rate-title"' in html
    assert "chart-sw-turnover-rate" not in html
    assert html.count('class="pia-spark"') == 1  # the only indicator with two years


def test_axes_round_and_scaled_to_the_data():
    assert charts.nice_range(20.0, 25.0) == (20.0, 26.0, 2.0)
    assert charts.nice_range(70.0, 95.0) == (70.0, 100.0, 10.0)
    assert charts.nice_range(0.5, 3.0) == (0.0, 3.0, 1.0)  # near zero: from zero


def test_list_sizes_beside_the_published_counts(html):
    text = section_text(html)
    assert (
        "Children in care (list 8) 3 10 (2025) Far apart (0.30 times the published count)"
        in text["context"]
    )
    assert "Child protection plans (list 7) 3 3 (2025) Similar (1.00 times)" in text["context"]
    assert "list 8 has 3 open, far from the 10 published" in text["summary"]
