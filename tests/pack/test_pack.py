"""The pack: SQL models on hand-made tables with answers worked out by hand (tests/support/pack_fixtures.py),
golden numbers in every section, missing inputs, autoescape, determinism, notes and the vendored CSS."""

from __future__ import annotations

import datetime as dt
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pack_fixtures as F
import pytest

from flows import warehouse
from flows.config import TEMPLATES_DIR
from flows.pack import case_sample
from flows.pack import models as pack_models
from flows.pack import render as pack

D = dt.date


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[Path, str]:
    """The full fixture rendered once: (run folder, html)."""
    ctx = F.make_run(tmp_path_factory.mktemp("pack") / "run")
    path = pack.render(ctx)
    return ctx.work_dir, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def con(full) -> duckdb.DuckDBPyConnection:
    c = warehouse.connect(full[0] / "warehouse.duckdb", read_only=True)
    yield c
    c.close()


def rows(con, view: str, cols: str = "*") -> list[tuple]:
    return con.execute(f"select {cols} from pack.{view}").fetchall()  # noqa: S608 - test names only


# --- SQL, one model at a time --------------------------------------------------------------------
def test_working_days_exclude_weekends_and_bank_holidays(con):
    (n,) = con.execute(
        "select e.wd_index - s.wd_index from pack.working_days s, pack.working_days e "
        "where s.day = date '2026-08-24' and e.day = date '2026-09-07'"
    ).fetchall()[0]
    assert n == 9  # two weeks = 10 weekdays, less the 31 August bank holiday


def test_assessments_open_beyond_45_working_days(con):
    assert rows(con, "loe_assessments_late", "child_id, still_open, working_days") == [
        ("C1", True, 79),
        ("C3", False, 50),
    ]


def test_child_protection_lists(con):
    assert rows(con, "loe_cp_over_two_years", "child_id, days_on_plan") == [("C4", 905)]
    assert rows(con, "loe_cp_repeat_plans", "child_id, plan_number, open_plan") == [
        ("C5", 3, True),
        ("C6", 2, True),
        ("C7", 2, False),
    ]
    assert rows(con, "loe_cp_not_visited", "child_id, days_since_visit") == [
        ("C6", None),
        ("C5", 83),
    ]


def test_children_in_care_lists(con):
    assert rows(con, "loe_cla_placement_moves", "child_id, placements_last_12_months") == [
        ("C8", 4),
        ("C10", 3),
    ]
    assert rows(con, "loe_missing_no_return_interview", "child_id, missing_episodes") == [
        ("C11", 3),
        ("C8", 2),
    ]
    assert rows(con, "loe_health_assessments_overdue", "child_id, age") == [("C8", 14), ("C9", 3)]


def test_care_leavers_not_in_touch_longest_first(con):
    assert rows(con, "loe_care_leavers_not_in_touch", "child_id, in_touch") == [
        ("CL3", "Not recorded"),
        ("CL4", "Refu"),
        ("CL2", "No"),
    ]


def test_caseloads_without_names(con):
    assert rows(con, "loe_unallocated") == [("Team A", 7), ("Team B", 3)]
    assert rows(con, "loe_highest_caseloads") == [
        (1, "Social worker", "Team A", 25),
        (2, "Social worker", "Team A", 25),
        (3, "Senior social worker", "Team B", 18),
    ]
    assert rows(con, "caseload_summary") == [(3, 25.0, 25, 10)]


def test_weekly_volumes(con):
    weeks = rows(con, "weekly_volumes", "week_start, contacts, referrals, assessments, s47s")
    assert len(weeks) == 28 and weeks[0][0] == D(2026, 5, 18) and weeks[-1][0] == D(2026, 11, 23)
    assert [w for w in weeks if sum(w[1:])] == [
        (D(2026, 6, 1), 1, 1, 1, 0),
        (D(2026, 8, 3), 0, 0, 1, 0),
        (D(2026, 10, 26), 0, 0, 1, 0),
        (D(2026, 11, 16), 2, 1, 0, 1),
    ]
    first = rows(con, "weekly_volumes", "from_date")[0][0]
    assert first == D(2026, 5, 23)  # the first week is cut at the start of the period


def test_cohort_makeup_open_cohorts(con):
    got = con.execute(
        "select cohort, category, children from pack.cohort_makeup where dimension = 'Age band'"
    ).fetchall()
    assert got == [
        ("Children in need", "Under 1", 1),
        ("Children in need", "10 to 15", 1),
        ("Child protection plans", "Under 1", 1),
        ("Child protection plans", "10 to 15", 1),
        ("Child protection plans", "Not known", 1),
        ("Children in care", "1 to 4", 1),
        ("Children in care", "10 to 15", 1),
        ("Children in care", "16 and over", 1),
        ("Care leavers", "18", 1),
        ("Care leavers", "19 to 20", 2),
        ("Care leavers", "21 and over", 1),
    ]
    eth = con.execute(
        "select category, children, percent from pack.cohort_makeup "
        "where cohort = 'Child protection plans' and dimension = 'Ethnic group'"
    ).fetchall()
    assert eth == [("Asian or Asian British", 1, 33.3), ("Refused or not known", 2, 66.7)]


def test_audits(con):
    assert rows(con, "audit_summary") == [(6, 5, 3, 1, 1)]
    assert rows(con, "audits_by_theme_month") == [
        ("Missing", D(2026, 9, 1), 1),
        ("Missing", D(2026, 11, 1), 1),
        ("Neglect", D(2026, 6, 1), 1),
        ("Neglect", D(2026, 10, 1), 1),
        ("Neglect", D(2026, 11, 1), 1),
        ("Permanence", D(2026, 7, 1), 1),
    ]
    no_audit = con.execute("select list_name from pack.audit_coverage where no_audit").fetchall()
    assert no_audit == [("list_09_care_leavers",)]
    assert con.execute(
        "select audited_children from pack.audit_coverage where list_name = 'list_08_children_in_care'"
    ).fetchall() == [(1,)]


def test_unregistered_provision(con):
    (u,) = con.execute(
        "select children, placements, children_ongoing, placements_ongoing, children_under_16, median_days, "
        "longest_days, children_placed_more_than_once, children_not_on_list_8, dol_children, "
        "dol_children_unregistered from pack.unregistered_summary"
    ).fetchall()
    assert u == (2, 3, 2, 2, 2, 53.0, 83, 1, 1, 2, 1)
    assert rows(
        con,
        "unregistered_placements",
        "child_id, days, ongoing, on_list_8, legal_status, dol_order, under_16_supported, "
        "list_8_disagreement",
    ) == [
        ("C15", 83, True, False, None, True, False, "not on list 8 (children in care)"),
        (
            "C8",
            53,
            True,
            True,
            "C2",
            True,
            True,
            "list 8 records placement type U3 for an ongoing unregistered placement",
        ),
        ("C8", 30, False, True, "C2", True, False, None),  # ended: no disagreement to check
    ]
    assert rows(con, "unregistered_types", "provision_type, placements, children, ongoing") == [
        ("Unregistered children's home", 2, 2, 1),
        ("Unregistered supported accommodation", 1, 1, 1),
    ]


def test_pathway_and_comparisons(con):
    assert rows(con, "ilacs_pathway", "pathway, practice_good, practice_judged") == [(1, 2, 3)]
    assert rows(
        con, "comparisons_latest", "topic, indicator_id, period, la_value, periods, recent_value"
    ) == [
        ("Help and protection", "rereferrals", "2025", 25.0, 3, 30.0),
        ("Workforce", "turnover", "2025", 12.0, 1, None),
    ]
    assert len(rows(con, "comparisons_trend")) == 4


def test_dq_headline(con):
    assert rows(con, "dq_headline") == [(2, 1, 1, 14, 24, 2)]


@pytest.mark.parametrize(
    ("judgements", "pathway"),
    [
        (("Good", "Good", "Good", "Outstanding", None), 1),
        (("Good", "Requires improvement to be good", "Good", "Good", "Good"), 2),
        (
            (
                "Good",
                "Good",
                "Requires improvement to be good",
                "Requires improvement to be good",
                "Good",
            ),
            2,
        ),
        (("Requires improvement to be good", "Good", "Inadequate", "Good", "Good"), 3),
        ((None, None, None, None, None), None),
    ],
)
def test_pathway_rules(tmp_path, judgements, pathway):
    """Para 21-27: leaders good + 2 practice judgements good → 1; any inadequate → 3; else 2."""
    path = tmp_path / "w.duckdb"
    F.build_warehouse(path)
    c = warehouse.connect(path)
    overall, leadership, hp, cic, cl = judgements
    c.execute(
        "update indicators.ilacs_judgements set overall = ?, leadership = ?, help_and_protection = ?, "
        "children_in_care = ?, care_leavers = ?",
        [overall, leadership, hp, cic, cl],
    )
    pack_models.build(c, F.NOTIFICATION)
    assert c.execute("select pathway from pack.ilacs_pathway").fetchall() == [(pathway,)]
    c.close()


# --- the suggested case sample --------------------------------------------------------------------
def test_case_sample_covers_factors_in_priority_order(full):
    c = warehouse.connect(full[0] / "warehouse.duckdb", read_only=True)
    candidates = pack._rows(c, "case_sample_candidates")
    c.close()
    sample = case_sample.suggest(candidates, "standard")
    assert [s["child_id"] for s in sample] == ["C8", "C12", "C5", "C1", "CX"]
    assert sample[0]["reasons"][:2] == [
        "has been missing (para 162)",
        "placed in unregistered provision (para 311)",
    ]
    assert any("sibling group of 3" in r for r in sample[1]["reasons"])
    assert any("working days" in r for r in sample[3]["reasons"])
    assert sample[4]["reasons"] == ["recently audited"]


def test_case_sample_size_by_visit_and_deterministic():
    pool = [
        {
            "child_id": f"K{i:02d}",
            "age": i,
            "gender": "Male" if i % 2 else "Female",
            "disabled": i % 5 == 0,
        }
        for i in range(20)
    ]
    assert len(case_sample.suggest(pool, "standard")) == 12
    assert len(case_sample.suggest(pool, "focused")) == 6
    assert case_sample.suggest(pool, "monitoring") == case_sample.suggest(
        list(reversed(pool)), "monitoring"
    )


# --- golden: the numbers in every section of the rendered pack ------------------------------------
class _Text(HTMLParser):
    """Visible text per section id (style/title/svg text excluded)."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.current = a.get("id")
            self.sections[self.current] = []
        if tag in ("style", "svg", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "svg", "title"):
            self.skip -= 1
        if tag == "section":
            self.current = None

    def handle_data(self, data):
        if self.current and not self.skip:
            self.sections[self.current].append(data)


def section_text(html: str) -> dict[str, str]:
    p = _Text()
    p.feed(html)
    return {k: re.sub(r"\s+", " ", " ".join(v)) for k, v in p.sections.items()}


GOLDEN = {
    "summary": [
        "Kent (E10000016, DfE 886); Shire county, South East; 340,000 children aged 0 to 17 (2024)",
        "Standard inspection, notified 23 November 2026",
        "23 May 2026 to 23 November 2026",
        "Good overall (1 July 2022)",
        "Pathway 1 (para 17 to 27)",
        "Submission 0123456789abcdef: 2 file(s)",
        "14 of 24 lists provided",
        "2 errors, 1 warnings, 1 notes",
        "Unregistered provision (para 307 to 312) : evidence strong.",
        "2 children still in unregistered provision on the notification date",
        "2 of the 2 children placed in the six months were under 16 when placed",
        "Children on a child protection plan not visited in the last six weeks: 2.",
        "Assessments open beyond 45 working days: 2.",
        "Children in care missing without a return interview: 2.",
        "Care leavers the local authority is not in touch with: 3.",
        "No child on list 9 (Care leavers) was audited in the six months.",
    ],
    "context": [
        "South East",
        "Shire county",
        "340,000 (ONS mid-year estimate 2024)",
        "1 Hertfordshire E10000015",
        "Pathway 1.",
        "1 July 2022",
        "Requires improvement to be good",
        "Focused visit",
        "Contacts per week: 3 in the six months",
        "Referrals per week: 2",
        "Assessments started per week: 3",
        "Section 47 enquiries started per week: 1",
        "16 November 2026 to 22 November 2026 2 1 0 1",
        "Children in need by age band",
        "Refused or not known 2 66.7%",
        "19 to 20 2 50.0%",
        "8: Children in care Yes 4 4",
        "1.09: Caseloads of case-holding workers Yes 5 not applicable",
        "2: Early help No: not provided not provided not provided",
    ],
    "comparisons": [
        "Band is the LAIT quartile: A the most favourable quarter",
        "Re-referrals within 12 months ↓ lower 2025 25.0% +1.0 (worse) 21.0% (10) 21.8% 22.1% 100 of 153 C",
        "Recent, from Annex A (23 May 2026 to 23 November 2026): 30.0% (3 of 10).",
        "Social worker turnover ↓ lower 2025 12.0% -1.0 (better) 15.0% (10) 14.0% 15.9% 20 of 153 A one year",
    ],
    "audits": [
        "6 audits of 5 children, in 3 themes",
        "1 audited children are on none of the lists",
        "1 audit rows fall outside",
        "Neglect 0 1 0 0 0 1 1 3",
        "9: Care leavers 4 0 Yes: no child audited",
        "Suggested sample: 5 of 5 audited children",
        "C8 14 In care C2: Full care order Missing; 15 September 2026 Children in care missing without a return interview ; Children in care with three or more placements in 12 months ; Children in care with an overdue health assessment ; Unregistered provision has been missing (para 162)",
        "C12 4 Adoption (list 10) not in care Permanence; 20 July 2026 Children not placed for adoption by the date decided appears to have waited",
        "Para 162 factors the Annex A lists cannot show, to ask the local authority about or find on file: educational achievement and attendance",
        "Children not placed for adoption by the date decided: 1",
        "Children on a child protection plan not visited in the last six weeks: 2",
        "Assessments open beyond 45 working days: 2",
        "Child protection plans lasting two years or more: 1",
        "Second or later child protection plans: 3",
        "Children in care with three or more placements in 12 months: 2",
        "Children in care missing without a return interview: 2",
        "Care leavers the local authority is not in touch with: 3",
        "Children in care with an overdue health assessment: 2",
        "Unallocated cases (1.09): 10",
        "Highest caseloads (1.09): 3",
        "3 case-holding workers; median caseload 25.0, highest 25",
    ],
    "unregistered": [
        "2 children, 3 placements",
        "2 children, 2 placements",
        "median 53.0 days; longest 83 days",
        "Children placed more than once 1",
        "Children missing from list 8 (children in care) 1",
        "2, of whom 1 most recently in unregistered accommodation",
        "Unregistered children's home 2 2 1",
        "Children under 16 in supported accommodation 1",
        "Placements where list 8 disagrees with 3.17 2",
        "C15 15 Unregistered children's home; no details given 1 September 2026 to ongoing; 83 days not on list 8 Yes (Unregistered children's home) List 8 disagrees: not on list 8 (children in care).",
        "C8 14 Unregistered supported accommodation: Flat above a shop, Provider Z 1 October 2026 to ongoing; 53 days C2: Full care order; U3: Foster placement with relative or friend, not long term or FFA; provider PR1 Yes (Secure children's home) Under 16 in supported accommodation (for ages 16 and 17 only). List 8 disagrees: list 8 records placement type U3 for an ongoing unregistered placement.",
    ],
    "intelligence": ["No officer's notes were supplied"],
    "data-quality": [
        "Every figure in this pack rests on columns the local authority filled in on most rows.",
        "14 of 24 lists were provided; 2 of the child-level lists 1 to 11 were not",
        "2 errors, 1 warnings and 1 notes",
        "4: Assessments 2 0 0",
        "data_quality.html",
    ],
}


def test_golden_numbers_in_every_section(full):
    text = section_text(full[1])
    assert set(text) == set(GOLDEN)
    for section, phrases in GOLDEN.items():
        for phrase in phrases:
            assert phrase in text[section], f"{section}: {phrase!r} not in {text[section][:3000]!r}"


def test_long_lists_show_the_most_pressing_rows_with_the_full_count(tmp_path, monkeypatch):
    monkeypatch.setattr(pack, "LOE_ROWS_SHOWN", 1)
    text = section_text(pack.render(F.make_run(tmp_path / "cap")).read_text(encoding="utf-8"))[
        "audits"
    ]
    assert "Care leavers the local authority is not in touch with: 3" in text
    assert "The 1 most pressing of 3 are shown" in text and "CL3" in text and "CL2" not in text
    unreg = section_text(pack.render(F.context(tmp_path / "cap")).read_text(encoding="utf-8"))[
        "unregistered"
    ]
    assert unreg.count("Unregistered children's home;") == 2  # never cut on screen (para 307)


def test_worker_names_never_shown(full):
    assert "Worker One" not in full[1] and "Worker Three" not in full[1]


# --- form ------------------------------------------------------------------------------------------
def test_self_contained_marked_and_private(full):
    html = full[1]
    assert "<script" not in html.lower()
    assert not re.search(
        r"""(src|href)=["'](?!#|data_quality\.html)""",
        html.replace('href="https://example.org"', ""),
    )
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    assert html.count("OFFICIAL-SENSITIVE") >= 3  # header, footer, print page boxes
    assert stat.S_IMODE((full[0] / "pia.html").stat().st_mode) == 0o600
    assert "MIT License" in html  # the vendored CSS keeps its licence notice
    for sha in ("ab" * 32, "cd" * 32):
        assert sha in html


def test_every_table_has_caption_and_scoped_headers(full):
    html = full[1]
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    assert tables
    for t in tables:
        assert "<caption" in t
        assert all("scope=" in th for th in re.findall(r"<th\b[^>]*>", t))


def test_same_inputs_same_bytes(tmp_path):
    a = pack.render(F.make_run(tmp_path / "a")).read_bytes()
    b = pack.render(F.make_run(tmp_path / "b")).read_bytes()
    again = pack.render(F.context(tmp_path / "a")).read_bytes()
    assert a == b == again


def test_autoescape_shows_markup_as_text(tmp_path):
    lists = {
        **F.LISTS,
        "audits": [
            {
                "child_id": "C1",
                "audit_theme": "<script>alert(1)</script>",
                "date_audit_completed": D(2026, 10, 5),
            }
        ],
    }
    html = pack.render(F.make_run(tmp_path / "x", lists=lists)).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_notes_markdown_without_html_or_images(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Whistleblowing\n\nTwo **complaints**.\n\n<script>alert(1)</script>\n\n"
        "![x](https://example.org/x.png)\n\n### Regional\n\nNone.\n",
        encoding="utf-8",
    )
    html = pack.render(F.make_run(tmp_path / "n", notes=notes)).read_text(encoding="utf-8")
    assert (
        "<h3>Whistleblowing</h3>" in html and "<h4>Regional</h4>" in html
    )  # shifted under the h2, in order
    assert "<strong>complaints</strong>" in html
    assert "<script>alert(1)" not in html and "<img" not in html
    assert "No officer's notes were supplied" not in html


# --- missing inputs --------------------------------------------------------------------------------
def test_nothing_supplied_renders_and_says_so(tmp_path):
    ctx = F.make_run(tmp_path / "e", lists={}, statistics=False, visit_type="focused")
    html = pack.render(ctx).read_text(encoding="utf-8")
    text = section_text(html)
    assert "Focused visit: only what the visit needs" in html and "(para 314)" in html
    assert "Statistical neighbours: the published statistics were not available" in text["context"]
    assert "Not available. National comparisons" in text["comparisons"]
    assert "The list of audits was not provided" in text["audits"]
    assert (
        "3.17 (children living in unregistered provision) was not provided" in text["unregistered"]
    )
    assert "Assessments open beyond 45 working days: not available" in text["audits"]
    assert "Up to 6 children" in text["audits"]  # para 144, 329
    assert "Who is in the" not in text["context"]  # cohort make-up left out of a focused visit


def test_one_list_missing_others_shown(tmp_path):
    lists = {k: v for k, v in F.LISTS.items() if k != "list_08_children_in_care"}
    html = pack.render(F.make_run(tmp_path / "m", lists=lists)).read_text(encoding="utf-8")
    text = section_text(html)
    assert (
        "Children in care with three or more placements in 12 months: not available"
        in text["audits"]
    )
    assert "not known: list 8 was not provided" in text["unregistered"]
    assert "Assessments open beyond 45 working days: 2" in text["audits"]


def test_annex_a_tables_untouched(full):
    """Stand-ins live in staging: a list not supplied still has no annex_a table (contract)."""
    c = warehouse.connect(full[0] / "warehouse.duckdb", read_only=True)
    annex = {
        r[0]
        for r in c.execute(
            "select table_name from information_schema.tables where table_schema = 'annex_a'"
        ).fetchall()
    }
    c.close()
    assert annex == set(F.LISTS)


def test_vendored_css_has_no_fonts_crest_or_urls():
    css = (TEMPLATES_DIR / "vendor" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    assert "govuk-frontend 6.6.0" in css and "MIT License" in css
    for banned in ("url(", "@font-face", "GDS Transport", "crest", "sourceMappingURL"):
        assert banned not in css


# --- resubmission ----------------------------------------------------------------------------------
def test_no_changes_section_without_an_earlier_run(full):
    assert "What changed since the earlier run" not in full[1]


def test_changes_since_the_earlier_run_by_list(tmp_path):
    # what validation records when the LA resubmits (flows/validation/resubmission.py): one row per
    # count that changed; the pack's data-quality section sums them by list
    import polars as pl

    from flows.validation import resubmission

    ctx = F.make_run(tmp_path / "run")
    rows = [
        {"kind": "rows", "list_name": "list_03_referrals", "rule": None, "column_name": None,
         "severity": None, "before": 10, "after": 12},
        {"kind": "findings", "list_name": "list_03_referrals", "rule": "date_unparseable",
         "column_name": "Date of referral", "severity": "error", "before": 3, "after": 0},
        {"kind": "findings", "list_name": "list_03_referrals", "rule": "code_unmapped",
         "column_name": "Referral Source", "severity": "warning", "before": 5, "after": 1},
        {"kind": "findings", "list_name": "list_08_children_in_care", "rule": "urn_missing",
         "column_name": "URN of Placement", "severity": "warning", "before": 0, "after": 2},
    ]  # fmt: skip
    changes = pl.DataFrame(rows, schema=resubmission.SCHEMA)
    of = pl.DataFrame(
        [("warehouse", dt.datetime(2026, 11, 17, 9, 30, tzinfo=dt.UTC))],
        schema=resubmission.OF_SCHEMA,
        orient="row",
    )
    con = warehouse.connect(ctx.warehouse)
    try:
        warehouse.write_table(con, "quality", "resubmission", changes)
        warehouse.write_table(con, "quality", "resubmission_of", of)
    finally:
        con.close()
    html = pack.render(ctx).read_text(encoding="utf-8")
    section = html[
        html.index('id="resubmission"') : html.index("</table>", html.index('id="resubmission"'))
    ]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "17/11/2026 09:30 UTC" in text
    assert (
        "7 fewer findings (fixed, or their rows removed), 3 of them errors; 2 new findings" in text
    )
    assert re.search(r"3: .*? 10 → 12 7 0 ", text), text
    assert re.search(r"8: .*? unchanged 0 2 ", text), text
