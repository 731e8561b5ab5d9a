"""Each validation rule fires on a planted bad row, at its exact row and column with the right
severity, and says nothing about the good rows (a real DuckDB warehouse, real GX suites)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import quality_fixtures as Q
from quality_fixtures import B, D

from flows import warehouse
from flows.validation import cross_list
from flows.validation import stage as validation

# (table, row, column header, rule, severity, list_name when it differs from table)
PLANTED: list[tuple[str, int, str, str, str, str | None]] = []


def plant(
    sub: dict,
    table: str,
    row: dict,
    header: str,
    rule: str,
    severity: str,
    list_name: str | None = None,
):
    rows = sub[table]
    rows.append({k: v for k, v in row.items() if k != "source_row"})
    excel_row = len(rows) + 1  # header on row 1
    PLANTED.append((table, excel_row, header, rule, severity, list_name))
    return excel_row


def messy_submission() -> dict:
    PLANTED.clear()
    sub = Q.good_submission()
    contact = sub["list_01_contacts"][0]
    referral = sub["list_03_referrals"][0]
    # completeness, codes, counts, dates
    plant(
        sub,
        "list_01_contacts",
        {**contact, "child_id": None, "child_id_raw": None},
        "Child Unique ID",
        "required_blank",
        "error",
    )
    plant(
        sub,
        "list_03_referrals",
        {**referral, "child_id": "R1", "gender": "Boyish"},
        "Gender",
        "code_unmapped",
        "warning",
    )
    plant(
        sub,
        "list_03_referrals",
        {**referral, "child_id": "R3", "referrals_last_12_months": -1},
        "Number of Referrals in Last 12 Months",
        "count_negative",
        "warning",
    )
    plant(
        sub,
        "list_01_contacts",
        {**contact, "date_of_contact": Q.ND + dt.timedelta(days=3)},
        "Date of Contact",
        "date_in_future",
        "error",
    )
    plant(
        sub,
        "list_03_referrals",
        {**referral, "date_of_referral": D(2026, 1, 10)},
        "Date of referral",
        "date_out_of_period",
        "warning",
    )
    # a CP plan that ended before the period (point-of-inspection list: the end date must be in it)
    plant(
        sub,
        "list_07_child_protection",
        {
            **sub["list_07_child_protection"][0],
            "child_id": "P7",
            "cp_plan_start_date": D(2025, 1, 1),
            "cp_plan_end_date": D(2026, 2, 1),
        },
        "Child Protection Plan End Date",
        "date_out_of_period",
        "warning",
    )
    # order
    plant(
        sub,
        "list_04_assessments",
        {
            **sub["list_04_assessments"][0],
            "child_id": "D4",
            "assessment_authorised_date": D(2026, 6, 1),
        },
        "Continuous Assessment Date of Authorisation",
        "date_order",
        "warning",
    )
    plant(
        sub,
        "list_07_child_protection",
        {
            **sub["list_07_child_protection"][0],
            "child_id": "O7",
            "cp_plan_start_date": D(2026, 9, 1),
            "cp_plan_end_date": D(2026, 8, 1),
        },
        "Child Protection Plan End Date",
        "cp_plan_end_order",  # a plan ending on or before its start: impossible (CIN 8840)
        "error",
    )
    plant(
        sub,
        "list_10_adoptions",
        {
            **sub["list_10_adoptions"][0],
            "child_id": "K10",
            "date_placed_for_adoption": D(2026, 4, 1),
        },
        "Date Placed for Adoption",
        "date_order",
        "warning",
    )
    # plausibility
    plant(
        sub,
        "list_09_care_leavers",
        {
            **sub["list_09_care_leavers"][0],
            "child_id": "C30",
            "date_of_birth": D(1996, 1, 1),
            "age": 30,
        },
        "Date of Birth",
        "age_out_of_range",
        "warning",
    )
    plant(
        sub,
        "list_03_referrals",
        {**referral, "child_id": "R5", "age": 5},
        "Age of Child (Years)",
        "age_mismatch",
        "warning",
    )
    plant(
        sub,
        "list_08_children_in_care",
        {
            **B,
            "child_id": "B18",
            "date_of_birth": D(2005, 1, 1),
            "age": 18,
            "date_started_looked_after": D(2023, 6, 1),
            # ceased in the period, so looked_after_past_18 (903 359) has nothing to say
            "date_ceased_looked_after": D(2026, 6, 1),
            "reason_ceased": "E8",
        },
        "Date of Birth",
        "age_out_of_range",
        "warning",
    )
    # uniqueness: both rows of the child are reported
    sub["list_08_children_in_care"][0]["source_row"] = 2
    PLANTED.append(
        ("list_08_children_in_care", 2, "Child Unique ID", "duplicate_child", "error", None)
    )
    plant(
        sub,
        "list_08_children_in_care",
        dict(sub["list_08_children_in_care"][0]),
        "Child Unique ID",
        "duplicate_child",
        "error",
    )
    # across lists
    plant(
        sub,
        "list_04_assessments",
        {
            **sub["list_04_assessments"][0],
            "gender": "Female",
            # after the child's first assessment is authorised: two open at once is another rule
            "assessment_start_date": D(2026, 7, 2),
            "assessment_authorised_date": D(2026, 7, 10),
        },
        "Gender",
        "cross_list_mismatch",
        "warning",
    )
    plant(
        sub,
        "list_07_child_protection",
        {**sub["list_07_child_protection"][0], "child_id": "F6"},
        "Child Unique ID",
        "cp_not_in_cin",
        "warning",
        "list_06_children_in_need",
    )
    sub["list_07_child_protection"].append({**sub["list_07_child_protection"][0], "child_id": "G7"})
    plant(
        sub,
        "list_06_children_in_need",
        {
            **sub["list_06_children_in_need"][0],
            "child_id": "G7",
            "case_status": "Child in need plan",
        },
        "Case Status",
        "cp_not_in_cin",
        "warning",
    )
    plant(
        sub,
        "unregistered_provision",
        {**sub["unregistered_provision"][0], "child_id": "H8"},
        "Child Unique ID",
        "not_in_children_in_care",
        "warning",
    )
    plant(
        sub,
        "deprivation_of_liberty",
        {**sub["deprivation_of_liberty"][0], "child_id": "H9"},
        "Child Unique ID",
        "not_in_children_in_care",
        "warning",
    )
    plant(
        sub,
        "list_05_section_47",
        {**sub["list_05_section_47"][0], "child_id": "I5"},
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "icpc_plan_missing",
        "warning",
        "list_07_child_protection",
    )
    plant(
        sub,
        "audits",
        {**sub["audits"][0], "child_id": "ZZ999"},
        "Child Unique ID",
        "audit_child_unknown",
        "warning",
    )
    return sub


MESSY = messy_submission()  # fills PLANTED


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    ctx = Q.context(tmp_path_factory.mktemp("messy"))
    Q.make_warehouse(ctx, MESSY)
    counts = validation.validate(ctx)
    con = warehouse.connect(ctx.warehouse, read_only=True)
    issues = con.sql("select * from quality.issues").pl()
    lists = con.sql("select * from quality.lists").pl()
    con.close()
    return ctx, counts, issues, lists


def _sheet(table: str) -> str:
    from flows.annex_a.specs import spec

    return spec(table).title


@pytest.mark.parametrize("planted", range(len(PLANTED)))
def test_each_planted_defect_found_at_its_cell(messy, planted):
    _, _, issues, _ = messy
    table, row, header, rule, severity, list_name = PLANTED[planted]
    hit = issues.filter(
        (pl.col("source_file") == Q.FILE)
        & (pl.col("source_sheet") == _sheet(table))
        & (pl.col("source_row") == row)
        & (pl.col("column_name") == header)
        & (pl.col("rule") == rule)
    )
    assert hit.height == 1, f"{rule} not found at {table} row {row} {header}"
    assert hit["severity"][0] == severity
    assert hit["list_name"][0] == (list_name or table)


def test_nothing_but_the_planted_defects(messy):
    _, _, issues, _ = messy
    got = {
        (r["source_sheet"], r["source_row"], r["column_name"], r["rule"])
        for r in issues.iter_rows(named=True)
    }
    want = {(_sheet(t), row, h, rule) for t, row, h, rule, _, _ in PLANTED}
    assert len(PLANTED) == 21
    assert got == want


def test_counts_by_severity(messy):
    _, counts, issues, _ = messy
    assert counts == {
        s: issues.filter(pl.col("severity") == s).height for s in ("error", "warning", "info")
    }
    assert counts["error"] == 5


def test_values_only_in_value_never_in_message(messy):
    _, _, issues, _ = messy
    by_rule = {r["rule"]: r for r in issues.iter_rows(named=True)}
    assert by_rule["code_unmapped"]["value"] == "Boyish"
    assert by_rule["audit_child_unknown"]["value"] == "ZZ999"
    assert by_rule["date_in_future"]["value"] == "19/11/2026"
    for secret in ("Boyish", "ZZ999", "H8", "I5", "F6", "G7", "19/11/2026", "1996", "A1", "B2"):
        assert not issues["message"].str.contains(secret, literal=True).any(), secret


def test_list_summary_reports_ranges(messy):
    _, _, _, lists = messy
    row = lists.filter(pl.col("list_name") == "list_03_referrals").row(0, named=True)
    assert (row["rows"], row["covered_from"], row["covered_to"]) == (
        6,
        D(2026, 1, 10),
        D(2026, 6, 3),
    )
    assert (row["expected_from"], row["expected_to"]) == (D(2026, 5, 16), Q.ND)
    assert row["warnings"] == 4
    cp = lists.filter(pl.col("list_name") == "list_07_child_protection").row(0, named=True)
    assert cp["expected_from"] is None and "may start earlier" in cp["expected_note"]
    assert not lists.filter(pl.col("list_name") == "adoption_support")["provided"][0]


def test_clean_submission_has_no_findings(tmp_path):
    ctx = Q.context(tmp_path)
    Q.make_warehouse(ctx, Q.good_submission())
    assert validation.validate(ctx) == {"error": 0, "warning": 0, "info": 0}


def test_validate_again_replaces_only_its_own_findings(tmp_path):
    ctx = Q.context(tmp_path)
    sub = Q.good_submission()
    sub["list_01_contacts"].append(
        {**sub["list_01_contacts"][0], "date_of_contact": Q.ND + dt.timedelta(days=1)}
    )
    sub["list_03_referrals"].append(
        {
            **sub["list_03_referrals"][0],
            "gender": None,
            "gender_raw": "Boyish",
            "date_of_referral": D(2026, 6, 4),
        }
    )
    Q.make_warehouse(ctx, sub)
    con = warehouse.connect(ctx.warehouse)
    # what the reader would have said: the unmapped gender, and a column missing from list 4's file
    con.execute(
        "insert into quality.reader_issues values "
        "('list_03_referrals', ?, 'Referrals', 4, 'Gender', 'code_unmapped', 'warning', 'reader says', 'Boyish'),"
        "('list_04_assessments', ?, 'Assessments', null, 'Allocated Team', 'column_missing', 'error', 'gone', null)",
        [Q.FILE, Q.FILE],
    )
    con.close()
    first = validation.validate(ctx)
    second = validation.validate(ctx)
    assert first == second == {"error": 2, "warning": 1, "info": 0}
    con = warehouse.connect(ctx.warehouse, read_only=True)
    rules = con.sql("select rule, message from quality.issues order by rule").fetchall()
    con.close()
    # the reader's finding stays as it was; validation does not add required_blank on the same cell
    assert [r[0] for r in rules] == ["code_unmapped", "column_missing", "date_in_future"]
    assert rules[0][1] == "reader says"


def test_lists_not_provided_when_no_reader_ran(tmp_path):
    ctx = Q.context(tmp_path)
    sub = Q.good_submission()
    del sub["list_02_early_help"], sub["audits"]
    Q.make_warehouse(ctx, sub, reader_lists=False)
    validation.validate(ctx)
    con = warehouse.connect(ctx.warehouse, read_only=True)
    got = con.sql(
        "select list_name, severity from quality.issues where rule = 'list_not_provided'"
    ).fetchall()
    con.close()
    assert sorted(got) == [("audits", "warning"), ("list_02_early_help", "warning")]


def test_list_summary_counts_rows_files_and_sheets_itself_without_the_reader(tmp_path):
    """The summary takes rows, files and sheets from meta.lists; without it, it counts them."""
    summaries = []
    for reader_lists in (True, False):
        ctx = Q.context(tmp_path / str(reader_lists))
        sub = Q.good_submission()
        Q.make_warehouse(ctx, sub, reader_lists=reader_lists)
        validation.validate(ctx)
        con = warehouse.connect(ctx.warehouse, read_only=True)
        summaries.append(
            con.sql(
                "select list_name, rows, files, covered_from, covered_to from quality.lists "
                "where provided order by list_name"
            ).fetchall()
        )
        con.close()
    with_reader, counted = summaries
    assert counted == with_reader
    referrals = next(r for r in counted if r[0] == "list_03_referrals")
    assert referrals[1] == len(Q.good_submission()["list_03_referrals"]) and referrals[2] == Q.FILE


def test_cross_list_checks_with_no_child_level_list_or_a_column_missing(tmp_path):
    """quality.child_rows stacks only the child-level lists provided, straight from their tables: with
    none (only the audits) it is empty and nothing is said of the audited children; a table that
    lacks a detail column still stacks, that detail blank."""
    good = Q.good_submission()
    ctx = Q.context(tmp_path / "audits")
    Q.make_warehouse(ctx, {"audits": good["audits"]})
    validation.validate(ctx)
    con = warehouse.connect(ctx.warehouse, read_only=True)
    assert con.sql("select count(*) from quality.child_rows").fetchall() == [(0,)]
    assert con.sql(
        "select count(*) from quality.issues where rule = 'audit_child_unknown'"
    ).fetchall() == [(0,)]
    con.close()

    ctx = Q.context(tmp_path / "no_gender")
    Q.make_warehouse(ctx, good)
    con = warehouse.connect(ctx.warehouse)
    con.execute("alter table annex_a.list_01_contacts drop column gender")
    con.execute("alter table annex_a.list_01_contacts drop column gender_raw")
    cross_list.create_sources(con, set(good))  # (the list's own suite needs every column)
    rows = con.sql(
        "select count(*), count(gender), count(child_id) from quality.child_rows "
        "where list_name = 'list_01_contacts'"
    ).fetchall()
    con.close()
    assert rows == [(len(good["list_01_contacts"]), 0, len(good["list_01_contacts"]))]
