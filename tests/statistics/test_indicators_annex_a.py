"""indicators.annex_a_recent on small hand-made annex_a tables whose right answers are known."""

from __future__ import annotations

import datetime as dt

import pytest

from flows import sql_models, warehouse
from flows.statistics import indicators as stats_indicators

NOTIFICATION = dt.date(2026, 11, 16)  # six months from 2026-05-16
D = dt.date.fromisoformat


@pytest.fixture
def con(tmp_path):
    c = warehouse.connect(tmp_path / "warehouse.duckdb")
    warehouse.set_run_context(
        c,
        la_code="E10000016",
        notification_date=NOTIFICATION,
        visit_type="standard",
        period_start=dt.date(2026, 5, 16),
        period_start_12m=dt.date(2025, 11, 16),
    )
    c.execute("create schema annex_a")
    c.execute("create schema indicators")
    yield c
    c.close()


def table(con, name: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"create table annex_a.{name} ({columns})")  # noqa: S608 - test literals
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into annex_a.{name} values ({marks})", rows)  # noqa: S608


def recent(con) -> dict[str, tuple]:
    # only the Annex A models: the published-statistics ones need statistics.duckdb attached
    stats_indicators.run_indicator_models(
        con, [p for p in sql_models.model_files("indicators") if p.name >= "100"]
    )
    return {r[0]: r[1:] for r in con.execute("select * from indicators.annex_a_recent").fetchall()}


def test_measures_from_hand_made_lists(con):
    table(
        con,
        "list_03_referrals",
        "child_id varchar, date_of_referral date, referrals_last_12_months bigint",
        [
            ("a", D("2026-06-01"), 1),
            ("b", D("2026-07-01"), 2),
            ("c", D("2026-08-01"), 3),
            ("d", D("2026-09-01"), None),
            ("e", D("2026-01-01"), 5),  # before the six months
        ],
    )
    # 19 May to 21 Jul 2026 is 45 working days only because Mon 25 May is a bank holiday
    table(
        con,
        "list_04_assessments",
        "child_id varchar, assessment_start_date date, assessment_authorised_date date",
        [
            ("a", D("2026-05-18"), D("2026-07-21")),
            ("b", D("2026-05-18"), D("2026-07-22")),
            ("c", D("2026-01-05"), D("2026-04-01")),
            ("d", D("2026-10-01"), None),
        ],
    )
    table(
        con,
        "list_07_child_protection",
        "child_id varchar, cp_plan_start_date date, cp_plan_end_date date, previous_cp_plans bigint",
        [
            ("a", D("2026-06-01"), None, 0),
            ("b", D("2026-07-01"), None, 1),
            ("c", D("2026-08-01"), D("2026-10-01"), 2),
            ("d", D("2024-01-01"), None, None),
            ("e", D("2024-02-01"), D("2026-01-01"), 0),
        ],
    )
    table(
        con,
        "list_08_children_in_care",
        "child_id varchar, date_started_looked_after date, date_ceased_looked_after date, "
        "placements_last_12_months bigint, missing_episodes bigint",
        [
            ("a", D("2020-01-01"), None, 3, 2),
            ("b", D("2026-06-01"), None, 1, 0),
            ("c", D("2025-01-01"), D("2026-07-01"), 4, 1),
            ("d", D("2020-01-01"), D("2026-01-01"), 5, 3),
        ],
    )
    table(
        con,
        "list_09_care_leavers",
        "child_id varchar, date_of_birth date, age bigint, in_touch varchar",
        [
            ("a", None, 17, "Yes"),
            ("b", None, 18, "No"),
            ("c", None, 19, "Yes"),
            ("d", None, 20, "Yes"),
            ("e", None, 21, "Refu"),
            ("f", D("2007-01-01"), None, "Yes"),
            ("g", None, 22, "Yes"),
        ],
    )
    got = recent(con)
    expect = {
        "rereferral_rate": (2, 3),
        "assessments_within_45wd": (1, 2),
        "cpp_repeat_rate": (2, 3),
        "cpp_2yrs_plus_rate": (1, 3),
        "cla_3plus_placements_rate": (1, 2),
        "cla_missing_rate": (2, 3),
        "care_leavers_in_touch_17_18": (1, 2),
        "care_leavers_in_touch_19_21": (3, 4),
    }
    assert set(got) == set(expect)
    for ind, (n, d) in expect.items():
        value, num, den, start, end, note = got[ind]
        assert (num, den) == (n, d), ind
        assert value == pytest.approx(100 * n / d), ind
        assert (start, end) == (dt.date(2026, 5, 16), NOTIFICATION)
        assert "not directly comparable" in note


def test_a_list_not_supplied_gives_a_null_with_a_note(con):
    table(
        con,
        "list_03_referrals",
        "child_id varchar, date_of_referral date, referrals_last_12_months bigint",
        [],
    )
    got = recent(con)
    assert got["rereferral_rate"][:3] == (None, 0, 0)  # supplied but empty: nothing to divide
    value, num, den, _, _, note = got["assessments_within_45wd"]
    assert (value, num, den) == (None, None, None)
    assert "list 4" in note and "not supplied" in note
    assert "list 9" in got["care_leavers_in_touch_19_21"][-1]


def test_calendar_excludes_weekends_and_england_bank_holidays(con):
    rows = dict(
        con.execute(
            "select day, working_day from meta.calendar where day in "
            "('2026-12-25', '2026-12-28', '2026-12-29', '2026-05-25', '2026-05-26')"
        ).fetchall()
    )
    assert rows == {
        D("2026-12-25"): False,
        D("2026-12-28"): False,
        D("2026-12-29"): True,
        D("2026-05-25"): False,
        D("2026-05-26"): True,
    }
