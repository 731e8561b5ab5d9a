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
