"""staging.<list>: the list as loaded, or an empty stand-in with the spec's typed columns."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from flows import warehouse
from flows.annex_a import specs, staging


def _columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'staging' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()


def _expected(spec: specs.ListSpec) -> list[tuple[str, str]]:
    cols = []
    for c in spec.columns:
        cols += [(c.name, staging.SQL_TYPES[c.type].upper()), (f"{c.name}_raw", "VARCHAR")]
    return cols + [(n, t.upper()) for n, t in staging.SOURCE_COLUMNS]


@pytest.fixture
def con(tmp_path):
    c = warehouse.connect(tmp_path / "w.duckdb")
    c.execute("create schema annex_a")
    # list 4 loaded with only some of its columns, one stored as text
    c.execute(
        "create table annex_a.list_04_assessments (child_id varchar, child_id_raw varchar, "
        "assessment_start_date date, age varchar, source_file varchar, source_row integer)"
    )
    c.execute(
        "insert into annex_a.list_04_assessments values ('C1', ' c1 ', '2026-06-01', '7', 'a.xlsx', 3)"
    )
    yield c
    c.close()


def test_every_list_has_a_stand_in_with_its_spec_columns_typed(con):
    assert staging.ensure(con) == {"list_04_assessments"}
    for spec in specs.SPECS:
        assert _columns(con, spec.table) == _expected(spec), spec.table
    assert con.execute("select count(*) from staging.list_07_child_protection").fetchall() == [(0,)]
    assert con.execute("select list_name from staging.provided").fetchall() == [
        ("list_04_assessments",)
    ]


def test_a_loaded_list_reads_through_missing_columns_null_and_as_read_text(con):
    staging.ensure(con)
    row = con.execute(
        "select child_id, child_id_raw, assessment_start_date, assessment_start_date_raw, age, "
        "age_raw, gender, gender_raw, source_file, source_sheet, source_row "
        "from staging.list_04_assessments"
    ).fetchall()
    assert row == [
        ("C1", " c1 ", dt.date(2026, 6, 1), "2026-06-01", 7, "7", None, None, "a.xlsx", None, 3)
    ]


def test_ensure_remakes_staging_when_the_lists_loaded_change(con):
    staging.ensure(con)
    con.execute("create table annex_a.audits (child_id varchar)")
    assert staging.ensure(con) == {"audits", "list_04_assessments"}
    assert con.execute("select count(*) from staging.audits").fetchall() == [(0,)]
    con.execute("drop table annex_a.list_04_assessments")
    assert staging.ensure(con) == {"audits"}
    assert con.execute("select count(*) from staging.list_04_assessments").fetchall() == [(0,)]


def test_ensure_leaves_staging_made_for_the_same_lists(con):
    staging.ensure(con)
    con.execute("create or replace view staging.list_04_assessments as select 1 as marker")
    staging.ensure(con)
    assert con.execute("select * from staging.list_04_assessments").fetchall() == [(1,)]


def test_the_load_makes_staging_in_its_transaction(tmp_path):
    from flows.annex_a import load

    path = tmp_path / "w.duckdb"
    csv = tmp_path / "list_03_referrals.csv"
    spec = specs.spec("list_03_referrals")
    csv.write_text(",".join(c.header for c in spec.columns) + "\n", encoding="utf-8")
    load.load_submission([csv], path, relative_to=tmp_path)
    c = duckdb.connect(str(path))
    try:
        assert {
            t
            for (t,) in c.execute(
                "select view_name from duckdb_views() where schema_name = 'staging'"
            ).fetchall()
        } == {s.table for s in specs.SPECS}
    finally:
        c.close()
