"""The cross-list child-details check (sql/quality/010, para 322) against the rule written plainly in
Python, on generated rows with ties, blanks, nulls and child IDs that differ only in case or spaces:
the SQL finds the children whose details disagree before judging their rows, and must fail exactly
the rows the rule fails."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import duckdb
import pytest

from flows.config import SQL_DIR

DETAILS = ("date_of_birth", "gender", "ethnicity")
LISTS = ("list_01_contacts", "list_06_children_in_need", "list_08_children_in_care")


def _rows(seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for n in range(600):
        child = rng.choice(
            ["C1", "c1 ", " C2", "C3", "c4", "C5", "", "  ", None, *[f"K{i}" for i in range(40)]]
        )
        rows.append(
            {
                "list_name": rng.choice(LISTS),
                "child_id": child,
                "source_file": "f.xlsx",
                "source_sheet": "s",
                "source_row": n + 2,
                "date_of_birth": rng.choice([dt.date(2015, 1, 1), dt.date(2015, 1, 2), None]),
                "gender": rng.choice(["Male", "Female", "Male", None]),
                "ethnicity": rng.choice(["WBRI", "WBRI", "WIRI", None]),
            }
        )
    return rows


def _failing(rows: list[dict]) -> set[tuple]:
    """Rule: per child (ID trimmed, upper case; blank IDs skipped) and detail, a row fails when its
    value is not the single most common one of that child's values."""
    out = set()
    for detail in DETAILS:
        by_child: dict[str, Counter] = {}
        for r in rows:
            key = (r["child_id"] or "").strip().upper()
            if key and r[detail] is not None:
                by_child.setdefault(key, Counter())[r[detail]] += 1
        for r in rows:
            key = (r["child_id"] or "").strip().upper()
            counts = by_child.get(key)
            if not key or r[detail] is None or len(counts) < 2:
                continue
            top = max(counts.values())
            tied = sum(1 for v in counts.values() if v == top)
            if counts[r[detail]] != top or tied > 1:
                out.add((r["list_name"], r["source_row"], detail, str(r[detail])))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_child_details_fail_exactly_the_rows_the_rule_fails(seed):
    rows = _rows(seed)
    con = duckdb.connect()
    try:
        con.execute("create schema quality")
        con.execute(
            "create table quality.child_rows (list_name varchar, child_id varchar, child_id_raw varchar, "
            "source_file varchar, source_sheet varchar, source_row bigint, date_of_birth date, "
            "date_of_birth_raw varchar, gender varchar, gender_raw varchar, ethnicity varchar, "
            "ethnicity_raw varchar)"
        )
        con.executemany(
            "insert into quality.child_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r["list_name"],
                    r["child_id"],
                    r["child_id"],
                    r["source_file"],
                    r["source_sheet"],
                    r["source_row"],
                    r["date_of_birth"],
                    str(r["date_of_birth"]),
                    r["gender"],
                    r["gender"],
                    r["ethnicity"],
                    r["ethnicity"],
                )
                for r in rows
            ],
        )
        con.execute(
            "create table quality.spec_headers (list_name varchar, column_name varchar, header varchar)"
        )
        con.executemany(
            "insert into quality.spec_headers values (?, ?, ?)",
            [(ln, d, d.upper()) for ln in LISTS for d in DETAILS],
        )
        con.execute(
            (SQL_DIR / "quality" / "010_check_child_details.sql").read_text(encoding="utf-8")
        )
        got = con.execute(
            "select list_name, source_row, lower(column_name), value from quality.check_child_details "
            "where not passed"
        ).fetchall()
    finally:
        con.close()
    want = _failing(rows)
    assert want, "the generated rows should disagree somewhere"
    assert len(got) == len(set(got))  # one row per list row and detail
    assert set(got) == want
