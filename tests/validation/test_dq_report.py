"""The data-quality report: html (escaped), csv and xlsx (formulas neutralised), same rows, 0600."""

from __future__ import annotations

import csv
import io
import stat

import openpyxl
import pytest
import quality_fixtures as Q

from flows import warehouse
from flows.annex_a.specs import SPECS
from flows.validation import report as dq_report
from flows.validation import stage as validation
from flows.validation import summary as list_summary

HOSTILE = [
    # (column, rule, severity, value)
    ("Gender", "code_unmapped", "warning", "<script>alert(1)</script>"),
    ("Gender", "code_unmapped", "warning", '=HYPERLINK("http://x.invalid","click")'),
    ("Child Unique ID", "required_blank", "error", "+1"),
    ("Child Unique ID", "required_blank", "error", "-2"),
    ("Child Unique ID", "required_blank", "error", "@SUM(A1)"),
    ("Child Unique ID", "required_blank", "error", "\tTAB"),
    ("Child Unique ID", "required_blank", "error", "\rCR"),
    ("Ethnicity", "code_unmapped", "info", "plain"),
]


@pytest.fixture()
def report(tmp_path):
    ctx = Q.context(tmp_path)
    sub = Q.good_submission()
    Q.make_warehouse(ctx, {k: sub[k] for k in ("list_01_contacts", "list_03_referrals")})
    con = warehouse.connect(ctx.warehouse)
    con.executemany(
        "insert into quality.issues values ('list_03_referrals', 'ref<b>.xlsx', 'Referrals', ?, ?, ?, ?, ?, ?)",
        [
            [i + 2, col, rule, sev, "Check <this> value & fix it", value]
            for i, (col, rule, sev, value) in enumerate(HOSTILE)
        ],
    )
    list_summary.write_list_summary(
        con, {"list_01_contacts", "list_03_referrals"}, validation._run_parameters(con, ctx)
    )
    con.close()
    paths = dq_report.write_reports(ctx)
    return ctx, {p.name: p for p in paths}


def test_three_files_owner_only(report):
    _, paths = report
    assert set(paths) == {
        "data_quality.html",
        "data_quality.csv",
        "data_quality.xlsx",
        "data_quality.json",
    }
    for p in paths.values():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_html_shows_hostile_values_as_text(report):
    _, paths = report
    html = paths["data_quality.html"].read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "ref&lt;b&gt;.xlsx" in html and "Check &lt;this&gt; value &amp; fix it" in html
    assert "Cheshire West and Chester" in html
    # per list: provided, rows, the dates covered against the dates expected
    assert "3: Referrals" in html and "16/05/2026 to 16/11/2026" in html
    assert "02/06/2026 to 03/06/2026" in html
    assert "11: Adopters" in html


def test_csv_and_xlsx_have_the_same_rows_with_formulas_neutralised(report):
    _, paths = report
    text = paths["data_quality.csv"].read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header == list(dq_report.FINDING_COLUMNS.values())
    wb = openpyxl.load_workbook(paths["data_quality.xlsx"])
    # one sheet per list with findings (here only list 3), after the Summary sheet
    ws = wb["List 3 Referrals"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:J{len(body) + 1}"
    # xlsx stores a carriage return as _x000D_, which openpyxl leaves as is (Excel shows the CR)
    xrows = [
        ["" if v is None else str(v).replace("_x000D_", "\r") for v in r]
        for r in ws.iter_rows(values_only=True)
    ]
    assert xrows[0] == header
    assert [r[:6] + r[7:] for r in xrows[1:]] == [
        r[:6] + r[7:] for r in body
    ]  # row numbers: int vs text
    values = [r[header.index("Value sent")] for r in body]
    assert sorted(values) == sorted(
        [
            "<script>alert(1)</script>",
            '\'=HYPERLINK("http://x.invalid","click")',
            "'+1",
            "'-2",
            "'@SUM(A1)",
            "'\tTAB",
            "'\rCR",
            "plain",
        ]
    )
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    # errors first
    assert [r[0] for r in body][:5] == ["error"] * 5
    assert wb.sheetnames == ["Summary", "List 3 Referrals"]
    for sheet in wb.worksheets:  # filter headers, header row frozen
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
    assert [c.value for c in wb["Summary"][1]] == list(dq_report.LIST_COLUMNS.values())
    assert wb["Summary"].max_row == 1 + len(SPECS)  # a row for every list, provided or not


def test_neutralise():
    assert dq_report.neutralise("=1+1") == "'=1+1"
    assert dq_report.neutralise("a=1") == "a=1"
    assert dq_report.neutralise(5) == 5 and dq_report.neutralise(None) is None


# --- findings grouped by list, rule and column; the print layout --------------------------------------
def _issue(list_name, column, rule, severity, message, row, value, file="a.xlsx"):
    return (list_name, file, "Sheet", row, column, rule, severity, message, value)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    """A report with 25 unmapped genders on list 1, two messages for one rule on list 3, and a
    finding outside any list."""
    ctx = Q.context(tmp_path_factory.mktemp("grouped"))
    sub = Q.good_submission()
    Q.make_warehouse(ctx, {k: sub[k] for k in ("list_01_contacts", "list_03_referrals")})
    rows = [
        _issue(
            "list_01_contacts",
            "Gender",
            "code_unmapped",
            "warning",
            "Gender: not a code.",
            10 + i,
            f"G{i}",
        )
        for i in range(25)
    ]
    rows += [
        _issue(
            "list_03_referrals",
            "Date of referral",
            "date_order",
            "error",
            f"Message {i % 2}.",
            5 + i,
            "x",
        )
        for i in range(3)
    ]
    rows.append(_issue(None, None, "sheet_unrecognised", "warning", "Sheet not read.", None, None))
    con = warehouse.connect(ctx.warehouse)
    con.executemany("insert into quality.issues values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    list_summary.write_list_summary(
        con, {"list_01_contacts", "list_03_referrals"}, validation._run_parameters(con, ctx)
    )
    con.close()
    paths = {p.name: p for p in dq_report.write_reports(ctx)}
    return ctx, paths


def test_findings_grouped_by_list_rule_column(grouped):
    ctx, paths = grouped
    issues, _, _ = dq_report.load(ctx.db)
    groups = dq_report.group_findings(issues)
    assert [(g["number"], g["sheet"]) for g in groups] == [
        ("1", "List 1 Contacts"),
        ("3", "List 3 Referrals"),
        (None, "Files and sheets"),
    ]
    (rule,) = groups[0]["rules"]
    (column,) = rule["columns"]
    assert (rule["rule"], rule["count"], column["count"], column["more"]) == (
        "code_unmapped",
        25,
        25,
        15,
    )
    assert [r["source_row"] for r in column["rows"]] == list(
        range(10, 20)
    )  # the first ten, in order
    assert column["message"] == "Gender: not a code." and not column["messages_vary"]
    # the accepted values are the spec's code set for the column
    from flows.annex_a.specs import spec

    assert column["accepted"] == [
        (c.code, c.label) for c in spec("list_01_contacts").column("gender").codes.codes
    ]
    assert groups[1]["rules"][0]["columns"][0]["messages_vary"]
    assert groups[0]["counts"] == {"error": 0, "warning": 25, "info": 0}

    html = paths["data_quality.html"].read_text(encoding="utf-8")
    assert html.count("Gender: not a code.") == 1  # the message once, not per row
    assert ">G9<" in html and ">G10<" not in html  # ten rows shown, the rest in the files
    assert "and 15 more" in html and "sheet &ldquo;List 1 Contacts&rdquo;" in html
    assert "Accepted values:" in html
    assert html.count("Message 0.") == 2 and html.count("Message 1.") == 1  # varying: per row
    # summary first: the list table comes before the findings
    assert (
        html.index('id="summary"') < html.index('id="lists-caption"') < html.index('id="findings"')
    )


def test_every_row_in_csv_and_one_xlsx_sheet_per_list(grouped):
    _, paths = grouped
    text = paths["data_quality.csv"].read_bytes().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + 25 + 3 + 1
    wb = openpyxl.load_workbook(paths["data_quality.xlsx"])
    assert wb.sheetnames == ["Summary", "List 1 Contacts", "List 3 Referrals", "Files and sheets"]
    assert [wb[s].max_row - 1 for s in wb.sheetnames[1:]] == [25, 3, 1]


def test_terminal_table_has_counts_not_values(grouped):
    from flows.validation.summary import summary_table

    ctx, _ = grouped
    text = summary_table(ctx.warehouse)
    contacts = next(line for line in text.splitlines() if line.startswith("1 Contacts"))
    assert contacts.split()[-3:] == ["0", "25", "0"]  # errors, warnings, info
    assert "G1" not in text and "a.xlsx" not in text
    assert dq_report.changes_line(ctx) is None  # no earlier run


def test_sheet_names_within_excel_limits():
    import polars as pl

    frame = pl.DataFrame(
        {
            "list_name": ["a", "b", "c"],
            "list_number": ["3.18", "3.18", "x"],
            "list_title": [
                "Children subject to a deprivation of liberty order",
                "Children subject to a deprivation of liberty order",
                "What: [is]/this?*",
            ],
        }
    )
    names = dq_report.sheet_names(frame)
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == 3
    assert not any(ch in n for n in names.values() for ch in "[]:*?/\\")


def test_json_basis_is_the_warehouse_counts(grouped):
    """data_quality.json (what a later pia validate compares with) holds the counts the warehouse
    gives, and no value sent."""
    from flows.validation import resubmission

    ctx, paths = grouped
    text = paths["data_quality.json"].read_text(encoding="utf-8")
    from_json = resubmission._from_json(paths["data_quality.json"])
    con = ctx.db.connect(read_only=True)
    try:
        from_db = resubmission.basis(con)
    finally:
        con.close()
    assert (from_json.rows, from_json.findings) == (from_db.rows, from_db.findings)
    assert from_json.findings[("list_01_contacts", "code_unmapped", "Gender", "warning")] == 25
    assert "G1" not in text and "a.xlsx" not in text


# --- from issue-19's report tests, on the merged report ---------------------------------------------
def test_html_groups_findings_by_list_rule_and_column(report):
    import re

    _, paths = report
    html = paths["data_quality.html"].read_text(encoding="utf-8")
    # one group per list, rule and column: the message once, with the count of rows
    assert html.count("Check &lt;this&gt; value &amp; fix it") == 3
    assert re.search(r"<strong>Child Unique ID</strong>\s*\(5 rows\)", html)
    assert re.search(r"<strong>Gender</strong>\s*\(2 rows\)", html)
    # the accepted codes where a value was outside them (a code's label only when it differs)
    assert "Accepted values: Male; Female" in html


def test_group_findings_keeps_first_rows_and_counts_the_rest():
    import polars as pl

    rows = [
        {"list_name": "list_03_referrals", "list_number": "3", "list_title": "Referrals",
         "source_file": "a.xlsx", "source_sheet": "Referrals", "source_row": r,
         "column_name": "Gender", "rule": "code_unmapped", "severity": "warning",
         "message": "m", "value": f"v{r}"}
        for r in range(2, 22)
    ] + [
        {"list_name": "list_01_contacts", "list_number": "1", "list_title": "Contacts",
         "source_file": "a.xlsx", "source_sheet": "Contacts", "source_row": 2,
         "column_name": "Date of Contact", "rule": "date_in_future", "severity": "error",
         "message": "e", "value": "x"}
    ]  # fmt: skip
    groups = dq_report.group_findings(pl.DataFrame(rows))
    flat = [
        (g["number"], r["rule"], c["count"], c["more"])
        for g in groups
        for r in g["rules"]
        for c in r["columns"]
    ]
    assert flat == [
        ("1", "date_in_future", 1, 0),
        ("3", "code_unmapped", 20, 20 - dq_report.FIRST_ROWS),
    ]
    (column,) = groups[1]["rules"][0]["columns"]
    assert [r["source_row"] for r in column["rows"]] == list(range(2, 2 + dq_report.FIRST_ROWS))
    assert column["accepted"][0][0] == "Male"


def _run_report(tmp, sub, issues, out):
    """A run's report written to `out`, compared (as validation does) with what `out` holds."""
    from flows.validation import resubmission

    ctx = Q.context(tmp)
    ctx.earlier_dir = out
    Q.make_warehouse(ctx, sub)
    con = warehouse.connect(ctx.warehouse)
    if issues:
        con.executemany(
            "insert into quality.reader_issues values ('list_03_referrals', 'a.xlsx', 'Referrals', ?, ?, ?, 'warning', 'm', ?)",
            issues,
        )
    con.execute("create or replace table quality.issues as select * from quality.reader_issues")
    list_summary.write_list_summary(con, set(sub), validation._run_parameters(con, ctx))
    con.close()
    resubmission.record(ctx)
    return dq_report.write_reports(ctx, out_dir=out)


def test_a_resubmission_says_what_changed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    sub = Q.good_submission()
    first = {k: sub[k] for k in ("list_01_contacts", "list_03_referrals")}
    _run_report(
        tmp_path / "first",
        first,
        [[2, "Gender", "code_unmapped", "x"], [3, "Gender", "code_unmapped", "y"]],
        out,
    )
    html = (out / "data_quality.html").read_text(encoding="utf-8")
    assert "What changed" not in html  # nothing earlier to compare with
    # resubmitted: a referral added, one Gender value fixed, a new finding on Ethnicity
    second = {
        **first,
        "list_03_referrals": [
            *first["list_03_referrals"],
            dict(first["list_03_referrals"][0], date_of_referral=Q.D(2026, 7, 1)),
        ],
    }
    _run_report(
        tmp_path / "second",
        second,
        [[2, "Gender", "code_unmapped", "x"], [4, "Ethnicity", "code_unmapped", "z"]],
        out,
    )
    html = (out / "data_quality.html").read_text(encoding="utf-8")
    assert "What changed since the earlier run" in html
    fewer = html[html.index("Fewer findings") : html.index("New findings")]
    more = html[html.index("New findings") :]
    assert "Gender" in fewer and "Ethnicity" not in fewer
    assert "Ethnicity" in more[: more.index("</table>")]
    rows = html[html.index("Rows per list") : html.index("Fewer findings")]
    assert "3: Referrals" in rows and ">+1</td>" in rows  # rows before 2, now 3


def test_an_earlier_report_for_another_la_is_not_compared(tmp_path):
    import json

    out = tmp_path / "out"
    out.mkdir()
    sub = {k: Q.good_submission()[k] for k in ("list_03_referrals",)}
    _run_report(tmp_path / "first", sub, [[2, "Gender", "code_unmapped", "x"]], out)
    basis = json.loads((out / "data_quality.json").read_text())
    assert (basis["la_code"], basis["notification_date"]) == ("E06000050", Q.ND.isoformat())
    basis["la_code"] = "E10000016"
    (out / "data_quality.json").write_text(json.dumps(basis))
    _run_report(tmp_path / "second", sub, [], out)
    assert "What changed" not in (out / "data_quality.html").read_text(encoding="utf-8")
