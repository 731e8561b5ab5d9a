"""Statistics are data, not code: a statistics database holding a view, a macro or a table pia does
not make is refused before it is attached; one opened for reading cannot reach outside itself."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from hostile_corpus import record

from flows.errors import InputError
from flows.statistics import refresh


@pytest.fixture(scope="module")
def good_db():
    return refresh.ensure_db(None)


def _copy_with(tmp_path, good_db, sql: str):
    db = tmp_path / "hostile.duckdb"  # not statistics.*: the catalog would shadow the schema
    shutil.copy(good_db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute(sql)
        con.execute("checkpoint")
    finally:
        con.close()
    return db


HOSTILE = {
    "a judgements view over read_text('/etc/passwd')": (
        "drop table statistics.ilacs_judgements; create view statistics.ilacs_judgements as "
        "select content as la_code from read_text('/etc/passwd')",
        "view statistics.ilacs_judgements",
    ),
    "a macro named like a column function": (
        "create macro statistics.upper(x) as (select content from read_text('/etc/passwd'))",
        "macro statistics.upper",
    ),
    "an extra table": ("create table main.extra as select 1 as x", "table main.extra"),
    "a required table missing": (
        "drop table statistics.comparisons",
        "lacks the tables comparisons",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=range(len(HOSTILE)))
def test_a_statistics_database_holding_code_or_strange_tables_is_refused(case, tmp_path, good_db):
    sql, phrase = HOSTILE[case]
    db = _copy_with(tmp_path, good_db, sql)
    with pytest.raises(InputError) as e:
        refresh.ensure_db(str(db))
    assert phrase in str(e.value) and str(e.value).count("\n") == 0
    assert "root:" not in str(e.value)
    record("Statistics", f"--stats database with {case}", f"exit 2 before attaching: “{e.value}”")


def test_the_good_database_passes_and_reading_it_cannot_reach_outside(tmp_path, good_db):
    assert refresh.ensure_db(str(good_db)) == good_db
    db = _copy_with(
        tmp_path,
        good_db,
        "create view statistics.leak as select content from read_text('/etc/passwd')",
    )
    con = refresh.open_statistics(db)  # even were the check skipped
    try:
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from statistics.leak").fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("set enable_external_access = true")
        assert con.execute('select count(*) from statistics."values"').fetchall()[0][0] > 0
    finally:
        con.close()
    record(
        "Statistics",
        "open_statistics on a database whose view reads /etc/passwd",
        "the view fails (external access off, configuration locked); the tables read",
    )
