"""quality.column_coverage: one row per spec column of every provided list, with blanks and unreadable
values counted; one column_mostly_blank finding for a required column blank on most rows (replacing
its per-row warnings), none for a column the template lets be blank (a real DuckDB warehouse)."""

from __future__ import annotations

import pytest
import quality_fixtures as Q
from quality_fixtures import A, D

from flows import warehouse
from flows.annex_a import specs as S
from flows.validation import stage as validation

REFERRAL = {**A, "date_of_referral": D(2026, 6, 2), "referral_source": "1A"}


def _referrals() -> list[dict]:
    return [
        {**REFERRAL, "child_id": "R1"},
        # Gender is required: blank, a blank-like token and spaces on 3 of the 4 rows
        {**REFERRAL, "child_id": "R2", "gender": None, "gender_raw": None},
        {**REFERRAL, "child_id": "R3", "gender": None, "gender_raw": "#N/A"},
        {**REFERRAL, "child_id": "R4", "gender": None, "gender_raw": "  "},
    ]


def _contacts() -> list[dict]:
    # Contact Source is optional, blank on 2 of 3 rows: mostly blank, but nothing to say to the LA;
    # Date of Birth is unreadable on 2 of 3 rows: one finding for the column
    row = {**A, "date_of_contact": D(2026, 6, 1)}
    return [
        {**row, "child_id": "C1", "contact_source": "1A"},
        {**row, "child_id": "C2", "date_of_birth": None, "date_of_birth_raw": "31/02/2014"},
        {**row, "child_id": "C3", "date_of_birth": None, "date_of_birth_raw": "tomorrow"},
    ]


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    ctx = Q.context(tmp_path_factory.mktemp("coverage"))
    sub = Q.good_submission()
    sub["list_03_referrals"] = _referrals()
    sub["list_01_contacts"] = _contacts()
    Q.make_warehouse(ctx, sub)
    con = warehouse.connect(ctx.warehouse)
    try:  # the reader found List 2's Assessment completion date column missing from the sheet
        con.execute(
            "insert into quality.reader_issues values ('list_02_early_help', 'annex_a.xlsx', 'Early help', 1, "
            "'Assessment completion date', 'column_missing', 'error', 'missing', null)"
        )
        con.execute(
            "update annex_a.list_02_early_help set assessment_completion_date = null, "
            "assessment_completion_date_raw = null"
        )
    finally:
        con.close()
    counts = validation.validate(ctx)
    con = warehouse.connect(ctx.warehouse, read_only=True)
    try:
        coverage = con.sql("select * from quality.column_coverage").pl()
        issues = con.sql("select * from quality.issues").pl()
    finally:
        con.close()
    return sub, coverage, issues, counts


def _row(coverage, table: str, key: str) -> dict:
    rows = coverage.filter((coverage["list_name"] == table) & (coverage["column_key"] == key))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_one_row_per_spec_column_of_every_provided_list(validated):
    sub, coverage, _, _ = validated
    assert coverage.columns == [
        "list_name",
        "column_name",
        "column_key",
        "rows",
        "blank",
        "unparseable",
        "mostly_blank",
    ]
    expected = {(t, c.header, c.name) for t in sub for c in S.spec(t).columns}
    got = set(coverage.select("list_name", "column_name", "column_key").iter_rows())
    assert got == expected
    assert coverage.height == len(expected)


def test_counts_blanks_tokens_and_unreadable_values(validated):
    _, coverage, _, _ = validated
    gender = _row(coverage, "list_03_referrals", "gender")
    assert (gender["rows"], gender["blank"], gender["unparseable"], gender["mostly_blank"]) == (
        4,
        3,
        0,
        True,
    )
    dob = _row(coverage, "list_01_contacts", "date_of_birth")
    assert (dob["rows"], dob["blank"], dob["unparseable"], dob["mostly_blank"]) == (3, 0, 2, True)
    source = _row(coverage, "list_01_contacts", "contact_source")
    assert (source["blank"], source["mostly_blank"]) == (2, True)
    referral = _row(coverage, "list_03_referrals", "date_of_referral")
    assert (referral["blank"], referral["unparseable"], referral["mostly_blank"]) == (0, 0, False)
    # a text column is never unreadable; a column the reader found missing is mostly blank
    assert _row(coverage, "list_03_referrals", "allocated_team")["unparseable"] == 0
    missing = _row(coverage, "list_02_early_help", "assessment_completion_date")
    assert (missing["rows"], missing["blank"], missing["mostly_blank"]) == (1, 1, True)


def test_one_finding_per_mostly_blank_column_instead_of_per_row(validated):
    _, _, issues, _ = validated
    mostly = issues.filter(issues["rule"] == "column_mostly_blank")
    assert sorted(mostly.select("list_name", "column_name", "severity").iter_rows()) == [
        ("list_01_contacts", "Date of Birth", "warning"),
        ("list_03_referrals", "Gender", "warning"),
    ]
    gender = mostly.filter(mostly["column_name"] == "Gender").row(0, named=True)
    assert gender["source_row"] is None
    assert (gender["source_file"], gender["source_sheet"]) == (Q.FILE, "Referrals")
    assert "blank on 3 of 4 rows" in gender["message"]
    # the per-row blanks of Gender are gone; the unreadable dates stay, each with its value
    blanks = issues.filter(
        (issues["list_name"] == "list_03_referrals") & (issues["column_name"] == "Gender")
    )
    assert blanks["rule"].to_list() == ["column_mostly_blank"]
    # nothing about an optional column left blank, or a column the reader reported missing
    assert issues.filter(
        (issues["rule"] == "column_mostly_blank")
        & issues["column_name"].is_in(["Contact Source", "Assessment completion date"])
    ).is_empty()


def test_validating_again_gives_the_same_findings(validated, tmp_path):
    sub, _, issues, _ = validated
    ctx = Q.context(tmp_path)
    sub = {**sub, "list_03_referrals": _referrals()}
    Q.make_warehouse(ctx, sub)
    first = validation.validate(ctx)
    second = validation.validate(ctx)
    assert first == second
    con = warehouse.connect(ctx.warehouse, read_only=True)
    try:
        n = con.execute(
            "select count(*) from quality.issues where rule = 'column_mostly_blank'"
        ).fetchone()[0]
    finally:
        con.close()
    assert n == 2
