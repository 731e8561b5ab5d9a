"""The data-quality report: html (escaped), csv and xlsx (formulas neutralised), same rows, 0600."""

from __future__ import annotations

import csv
import io
import stat

import openpyxl
import pytest
import quality_fixtures as Q

from flows import warehouse
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
    assert set(paths) == {"data_quality.html", "data_quality.csv", "data_quality.xlsx"}
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
    # one sheet per list with findings (here only list 3), after the Lists sheet
    assert wb.sheetnames == ["Lists", "List 3 Referrals"]
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
    assert "Lists" in wb.sheetnames


def test_neutralise():
    assert dq_report.neutralise("=1+1") == "'=1+1"
    assert dq_report.neutralise("a=1") == "a=1"
    assert dq_report.neutralise(5) == 5 and dq_report.neutralise(None) is None


def test_html_groups_findings_by_list_rule_and_column(report):
    _, paths = report
    html = paths["data_quality.html"].read_text(encoding="utf-8")
    # one group per list, rule and column: the message once, with the count of rows
    assert html.count("Check &lt;this&gt; value &amp; fix it") == 3
    assert "<strong>Child Unique ID</strong>: 5 rows" in html
    assert "<strong>Gender</strong>: 2 rows" in html
    # the accepted codes where a value was outside them
    assert "Accepted values: Male; Female" in html


def test_group_findings_keeps_first_rows_and_counts_the_rest():
    import polars as pl

    rows = [
        {"list_name": "list_03_referrals", "list_number": "3", "list_title": "Referrals",
         "source_file": "a.xlsx", "source_sheet": "Referrals", "source_row": r,
         "column_name": "Gender", "rule": "code_unmapped", "severity": "warning",
         "message": "m", "value": f"v{r}"}
        for r in range(2, 12)
    ] + [
        {"list_name": "list_01_contacts", "list_number": "1", "list_title": "Contacts",
         "source_file": "a.xlsx", "source_sheet": "Contacts", "source_row": 2,
         "column_name": "Date of Contact", "rule": "date_in_future", "severity": "error",
         "message": "e", "value": "x"}
    ]  # fmt: skip
    groups = dq_report.group_findings(pl.DataFrame(rows))
    assert [(g["list_number"], g["rule"], g["count"], g["more"]) for g in groups] == [
        ("1", "date_in_future", 1, 0),
        ("3", "code_unmapped", 10, 10 - dq_report.FIRST_ROWS),
    ]
    assert [r["source_row"] for r in groups[1]["rows"]] == list(range(2, 2 + dq_report.FIRST_ROWS))
    assert groups[1]["accepted"].startswith("Male")


def _run_report(tmp, sub, issues, out):
    ctx = Q.context(tmp)
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
    assert "What changed since the earlier report" in html
    assert "1 finding fixed" in html and "1 new" in html
    assert "3: Referrals" in html and ">2</td>" in html and ">3</td>" in html  # rows before, now
    assert "(1 fixed)" in html and "(1 new)" in html


def test_an_earlier_report_for_another_la_is_not_compared(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    sub = {k: Q.good_submission()[k] for k in ("list_03_referrals",)}
    _run_report(tmp_path / "first", sub, [[2, "Gender", "code_unmapped", "x"]], out)
    import openpyxl

    wb = openpyxl.load_workbook(out / "data_quality.xlsx")
    assert wb.properties.subject == f"E06000050 {Q.ND.isoformat()}"
    wb.properties.subject = "E10000016 2026-11-16"
    wb.save(out / "data_quality.xlsx")
    _run_report(tmp_path / "second", sub, [], out)
    assert "What changed" not in (out / "data_quality.html").read_text(encoding="utf-8")
