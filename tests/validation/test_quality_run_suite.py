"""run_suite: a GX 1.x suite on a polars frame, failing rows as positions and source rows, no values."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from flows.validation.engines import run_suite

FRAME = pl.DataFrame(
    {
        "start": [dt.date(2026, 1, 1), dt.date(2026, 3, 1), None, dt.date(2026, 6, 1)],
        "end": [dt.date(2026, 2, 1), dt.date(2026, 2, 1), dt.date(2026, 1, 1), None],
        "code": ["a", "b", "zzz-secret", None],
        "n": [0, 3, -1, 2],
        "source_row": [2, 3, 4, 5],
    }
)

SUITE = {
    "name": "test",
    "expectations": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {
                "column": "start",
                "min_value": {"$PARAMETER": "period_start"},
                "max_value": {"$PARAMETER": "notification_date"},
            },
            "meta": {"rule": "date_out_of_period"},
        },
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "end",
                "column_B": "start",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "start"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "code", "value_set": ["a", "b"]},
        },
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "n", "min_value": 0}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "source_row"}},
    ],
}
PARAMS = {"period_start": dt.date(2026, 2, 1), "notification_date": dt.date(2026, 5, 1)}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    path = tmp_path_factory.mktemp("suite") / "suite.json"
    path.write_text(json.dumps(SUITE))
    return run_suite(FRAME, path, PARAMS)


def test_one_result_per_expectation_in_suite_order(results):
    assert [r["expectation_type"] for r in results] == [e["type"] for e in SUITE["expectations"]]
    assert results[0]["meta"] == {"rule": "date_out_of_period"}
    assert results[1]["column"] == "end,start"


def test_failing_rows_as_positions_and_source_rows(results):
    got = [(r["success"], r["unexpected_count"], r["rows"], r["source_rows"]) for r in results]
    assert got == [
        (False, 2, [0, 3], [2, 5]),  # before the period, after notification; the null is not judged
        (False, 1, [1], [3]),  # end before start
        (False, 1, [2], [4]),
        (False, 1, [2], [4]),  # not in set; null ignored
        (False, 1, [2], [4]),
        (True, 0, [], []),
    ]


def test_no_child_values_in_results(results):
    assert "zzz-secret" not in json.dumps(results, default=str)
    assert results[0]["kwargs"]["min_value"] == "2026-02-01"  # dates come back JSON-friendly


def test_frame_without_source_row_and_dict_suite():
    res = run_suite(
        pl.DataFrame({"x": [1, None]}),
        {
            "name": "s",
            "expectations": [
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}}
            ],
        },
    )
    assert res[0]["rows"] == [1] and res[0]["source_rows"] is None


def test_invalid_expectation_is_an_error_not_silence():
    with pytest.raises(RuntimeError, match="not valid"):
        run_suite(
            FRAME,
            {
                "name": "s",
                "expectations": [{"type": "expect_no_such_thing", "kwargs": {"column": "x"}}],
            },
        )


def test_expectation_that_cannot_run_raises():
    with pytest.raises(RuntimeError, match="could not run"):
        run_suite(
            FRAME,
            {
                "name": "s",
                "expectations": [
                    {
                        "type": "expect_column_values_to_be_between",
                        "kwargs": {"column": "code", "min_value": 0},
                    }
                ],
            },
        )
