"""Loading a submission into DuckDB: tables, types, source rows, meta.lists and findings."""

from __future__ import annotations

import datetime as dt

import pytest
from annex_a_fixtures import issues, new_warehouse, query, rows_for, write_csv, write_xlsx

from flows import findings as F
from flows.annex_a import load
from flows.annex_a import specs as S

DUCK_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "int": "BIGINT",
    "code": "VARCHAR",
}


@pytest.fixture
def submission(tmp_path):
    """Lists 1-11 in one workbook, each sheet with a title row and a blank row above the header."""
    sub = tmp_path / "landed"
    sub.mkdir()
    sheets = {
        s.title[:31]: [[f"Annex A list {s.number}: {s.title}"], [], s.headers, *rows_for(s, 6)]
        for s in S.CHILD_LISTS
    }
    write_xlsx(sub / "annex_a.xlsx", sheets)
    return sub


def test_lists_1_to_11_load_typed_in_spec_order(submission, tmp_path):
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    counts = load.load_submission(sorted(submission.iterdir()), wh, relative_to=submission)
    assert counts == {s.table: 6 for s in S.CHILD_LISTS}
    for spec in S.CHILD_LISTS:
        cols = query(
            wh,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'annex_a' and table_name = ? order by ordinal_position",
            [spec.table],
        )
        expected = [
            (n, t)
            for c in spec.columns
            for n, t in ((c.name, DUCK_TYPES[c.type]), (f"{c.name}_raw", "VARCHAR"))
        ]
        assert cols == [
            *expected,
            ("source_file", "VARCHAR"),
            ("source_sheet", "VARCHAR"),
            ("source_row", "BIGINT"),
        ]
        raw_cols = [
            r[0]
            for r in query(
                wh,
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [spec.table],
            )
        ]
        assert raw_cols == [*spec.headers, "source_file", "source_sheet", "source_row"]
        assert {
            r[0]
            for r in query(
                wh,
                "select data_type from information_schema.columns where table_schema = 'raw' "
                "and table_name = ?",
                [spec.table],
            )
        } == {"VARCHAR", "BIGINT"}
    # title row 1, blank row 2, header row 3: the first child is on Excel row 4
    rows = query(
        wh,
        "select child_id, date_of_referral, referral_source, source_file, source_sheet, source_row "
        "from annex_a.list_03_referrals order by source_row",
    )
    assert rows[0] == ("CH1000", dt.date(2025, 3, 4), "1A", "annex_a.xlsx", "Referrals", 4)
    assert [r[5] for r in rows] == [4, 5, 6, 7, 8, 9]
    assert query(
        wh, "select count(*) from annex_a.list_03_referrals where referral_nfa_raw is null"
    ) == [(0,)]


def test_clean_lists_give_no_error_findings_and_report_lists_not_provided(submission, tmp_path):
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    load.load_submission(sorted(submission.iterdir()), wh, relative_to=submission)
    found = issues(wh)
    assert [f for f in found if f["severity"] == "error"] == []
    not_provided = {
        f["list_name"]: f["severity"] for f in found if f["rule"] == "list_not_provided"
    }
    assert set(not_provided) == {s.table for s in S.SPECS} - {s.table for s in S.CHILD_LISTS}
    assert not_provided["audits"] == "warning"
    assert not_provided["caseloads"] == "info"
    assert {f["rule"] for f in found} == {"list_not_provided"}
    assert set(r[0] for r in query(wh, "select rule from quality.issues")) <= set(F.RULES)


def test_meta_lists_has_one_row_per_spec_in_order(submission, tmp_path):
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    load.load_submission(sorted(submission.iterdir()), wh, relative_to=submission)
    rows = query(
        wh, "select list_name, number, title, provided, rows, files, sheets from meta.lists"
    )
    assert [r[0] for r in rows] == [s.table for s in S.SPECS]
    assert rows[2] == ("list_03_referrals", "3", "Referrals", True, 6, "annex_a.xlsx", "Referrals")
    assert rows[11] == ("audits", "audits", "Case audits", False, 0, None, None)
    types = dict(
        query(
            wh,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'meta' and table_name = 'lists'",
        )
    )
    assert types["provided"] == "BOOLEAN" and types["rows"] == "BIGINT"


def test_a_list_not_supplied_has_no_table_even_after_an_earlier_load(submission, tmp_path):
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    load.load_submission(sorted(submission.iterdir()), wh, relative_to=submission)
    (submission / "annex_a.xlsx").unlink()
    spec = S.LIST_01
    write_csv(submission / "contacts.csv", [spec.headers, *rows_for(spec, 3)])
    counts = load.load_submission(sorted(submission.iterdir()), wh, relative_to=submission)
    assert counts == {"list_01_contacts": 3}
    assert [
        r[0]
        for r in query(
            wh, "select table_name from information_schema.tables where table_schema = 'annex_a'"
        )
    ] == ["list_01_contacts"]
    # re-reading replaces the reader's findings rather than appending to them
    assert len(issues(wh, "list_not_provided")) == len(S.SPECS) - 1


def test_load_keeps_findings_of_other_stages(submission, tmp_path):
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    import duckdb

    con = duckdb.connect(str(wh))
    con.execute(
        "insert into quality.validation_issues (list_name, rule, severity, message) values "
        "('list_03_referrals', 'date_order', 'warning', 'from validation')"
    )
    con.close()
    load.load_submission(sorted(submission.iterdir()), wh, relative_to=submission)
    assert len(issues(wh, "date_order")) == 1


def test_files_are_processed_in_a_deterministic_order(submission, tmp_path):
    spec = S.LIST_01
    write_csv(submission / "b_contacts.csv", [spec.headers, *rows_for(spec, 2)])
    write_csv(submission / "a_contacts.csv", [spec.headers, *rows_for(spec, 3)])
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    load.load_submission(list(reversed(sorted(submission.iterdir()))), wh, relative_to=submission)
    rows = query(wh, "select source_file, source_row from annex_a.list_01_contacts")
    files = [r[0] for r in rows]
    assert files == sorted(files)
    assert rows[0] == ("a_contacts.csv", 2)
