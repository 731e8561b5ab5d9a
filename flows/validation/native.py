"""A vectorised executor for the Great Expectations types our suites use: polars, no GX import.

GX 1.24 costs ~30 ms per expectation whatever the rows, plus ~5 s to import (measured): the 313
expectations of the Annex A suites made validation ten times slower than reading the files. The
suites in expectations/*.json stay the declaration and GX the reference engine;
tests/validation/test_validation_engines.py runs every committed suite through both engines on real frames and
asserts identical results.

The executor is deliberately narrow. It evaluates an expectation only where it knows GX's pandas
semantics exactly (nulls ignored by column-map checks, NaN counted as null, duplicates reported on
every row that repeats, regex by Python's `re.search`); anything else — another expectation type, an
extra kwarg such as `mostly`, a column type GX would compare differently, a column GX would fail on,
an unresolved parameter — makes `run` return None, and quality.run_suite hands the whole suite to GX.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl

# expectation type -> the kwargs this executor understands for it
SUPPORTED: dict[str, frozenset[str]] = {
    "expect_column_to_exist": frozenset({"column"}),
    "expect_column_values_to_not_be_null": frozenset({"column"}),
    "expect_column_values_to_be_in_set": frozenset({"column", "value_set"}),
    "expect_column_values_to_be_between": frozenset(
        {"column", "min_value", "max_value", "strict_min", "strict_max"}
    ),
    "expect_column_values_to_be_unique": frozenset({"column"}),
    "expect_column_values_to_match_regex": frozenset({"column", "regex"}),
    "expect_column_pair_values_a_to_be_greater_than_b": frozenset(
        {"column_A", "column_B", "or_equal", "ignore_row_if"}
    ),
}
_IGNORE_ROW_IF = ("both_values_are_missing", "either_value_is_missing", "neither")
# GX leaves out of a result's kwargs those equal to the expectation's default
_DEFAULTS: dict[str, Any] = {
    "min_value": None,
    "max_value": None,
    "strict_min": False,
    "strict_max": False,
    "or_equal": None,
    "ignore_row_if": "both_values_are_missing",
}


class Unsupported(Exception):
    """This expectation needs the reference engine (GX)."""


def run(
    frame: pl.DataFrame, spec: dict, parameters: dict[str, Any] | None = None
) -> list[dict] | None:
    """Results in quality.run_suite's shape, in suite order; None when GX must run the suite."""
    try:
        schema = dict(frame.schema)  # once: polars builds a new Schema on every .schema
        plans = [_plan(frame, schema, e, parameters or {}) for e in spec.get("expectations", [])]
    except Unsupported:
        return None
    masks = {i: p["mask"] for i, p in enumerate(plans) if p["mask"] is not None}
    # one pass over the frame: every column-map condition evaluated together
    hits = (
        frame.select(m.fill_null(False).alias(f"_e{i}") for i, m in masks.items())
        if masks
        else None
    )
    # the rows only of the conditions that hit (most hit none): a polars call for each of a suite's
    # expectations cost more than evaluating them all on a small list
    counts = hits.sum().row(0, named=True) if hits is not None else {}
    source_row = frame["source_row"] if "source_row" in frame.columns else None
    out = []
    for i, p in enumerate(plans):
        if p["mask"] is None:  # expect_column_to_exist: a table-level check, no rows
            rows: list[int] = []
            element_count, unexpected = None, 0 if p["success"] else None
            success = p["success"]
        else:
            rows = hits.get_column(f"_e{i}").arg_true().to_list() if counts[f"_e{i}"] else []
            element_count, unexpected, success = frame.height, len(rows), not rows
        out.append(
            {
                "expectation_type": p["type"],
                "column": p["column"],
                "kwargs": p["kwargs"],
                "meta": p["meta"],
                "success": success,
                "element_count": element_count,
                "unexpected_count": unexpected,
                "rows": rows,
                "source_rows": (source_row.gather(rows).to_list() if rows else [])
                if source_row is not None
                else None,
            }
        )
    return out


# --- one expectation ---------------------------------------------------------------------------------
def _plan(frame: pl.DataFrame, schema: dict, exp: dict, parameters: dict[str, Any]) -> dict:
    type_ = exp.get("type")
    kwargs = dict(exp.get("kwargs") or {})
    if type_ not in SUPPORTED or not set(kwargs) <= SUPPORTED[type_]:
        raise Unsupported
    kwargs = {k: _resolve(v, parameters) for k, v in kwargs.items()}
    meta = {k: v for k, v in (exp.get("meta") or {}).items() if k != "_position"}
    plan = {"type": type_, "meta": meta, "mask": None, "success": None}
    if type_ == "expect_column_pair_values_a_to_be_greater_than_b":
        plan["mask"] = _pair_greater(schema, kwargs)
        plan["column"] = f"{kwargs['column_A']},{kwargs['column_B']}"
    else:
        column = kwargs.get("column")
        if not isinstance(column, str):
            raise Unsupported
        plan["column"] = column
        if type_ == "expect_column_to_exist":
            plan["success"] = column in schema
        else:
            plan["mask"] = _column_map(frame, schema, type_, column, kwargs)
    if type_ == "expect_column_values_to_be_between":  # GX keeps numeric bounds as floats
        for k in ("min_value", "max_value"):
            if isinstance(kwargs.get(k), int) and not isinstance(kwargs[k], bool):
                kwargs[k] = float(kwargs[k])
    plan["kwargs"] = {k: _plain(v) for k, v in kwargs.items() if not _is_default(k, v)}
    return plan


def _is_default(name: str, value: Any) -> bool:
    if name not in _DEFAULTS:
        return False
    default = _DEFAULTS[name]
    return value is None if default is None else type(value) is type(default) and value == default


def _resolve(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) != {"$PARAMETER"} or value["$PARAMETER"] not in parameters:
            raise Unsupported
        return parameters[value["$PARAMETER"]]
    return value


def _plain(value: Any) -> Any:
    """As quality._plain leaves GX's kwargs: dates (GX holds them as Timestamps) as ISO dates."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _dtype(schema: dict, column: str) -> pl.DataType:
    if column not in schema:
        raise Unsupported  # GX raises; let it, with its own message
    return schema[column]


def _missing(dtype: pl.DataType, column: str) -> pl.Expr:
    """Missing as pandas sees it after to_pandas: null, and NaN in a float column."""
    col = pl.col(column)
    return col.is_null() | col.is_nan() if dtype.is_float() else col.is_null()


def _column_map(frame: pl.DataFrame, schema: dict, type_: str, column: str, kw: dict) -> pl.Expr:
    """The rows GX reports as unexpected (missing values are never judged by column-map checks)."""
    dtype = _dtype(schema, column)
    col = pl.col(column)
    present = ~_missing(dtype, column)
    if type_ == "expect_column_values_to_not_be_null":
        if dtype == pl.Object:
            raise Unsupported
        return ~present
    if type_ == "expect_column_values_to_be_in_set":
        values = kw.get("value_set")
        if not isinstance(values, list | tuple | set) or not values:
            raise Unsupported
        if not _same_kind(dtype, values):
            raise Unsupported
        return present & ~col.is_in(pl.Series(list(values), dtype=dtype).implode())
    if type_ == "expect_column_values_to_be_between":
        lo, hi = kw.get("min_value"), kw.get("max_value")
        if lo is None and hi is None:
            raise Unsupported
        if not all(b is None or _comparable(dtype, b) for b in (lo, hi)):
            raise Unsupported
        if lo is not None and hi is not None and lo > hi:
            raise Unsupported
        ok = pl.lit(True)
        if lo is not None:
            ok = ok & ((col > lo) if kw.get("strict_min") else (col >= lo))
        if hi is not None:
            ok = ok & ((col < hi) if kw.get("strict_max") else (col <= hi))
        return present & ~ok
    if type_ == "expect_column_values_to_be_unique":
        if not (dtype == pl.String or dtype.is_integer() or dtype in (pl.Date, pl.Boolean)):
            raise Unsupported
        # pandas duplicated(keep=False) over the present values: every repeat, the first one too
        return present & col.is_duplicated()
    if type_ == "expect_column_values_to_match_regex":
        return _regex_misses(frame, column, dtype, kw.get("regex"))
    raise Unsupported


def _same_kind(dtype: pl.DataType, values) -> bool:
    if dtype == pl.String:
        return all(isinstance(v, str) for v in values)
    if dtype == pl.Boolean:
        return all(isinstance(v, bool) for v in values)
    if dtype.is_integer():
        return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    return False


def _comparable(dtype: pl.DataType, bound: Any) -> bool:
    if isinstance(bound, bool):
        return False
    if dtype.is_integer() or dtype.is_float():
        return isinstance(bound, int | float)
    if dtype == pl.Date:
        return isinstance(bound, dt.date) and not isinstance(bound, dt.datetime)
    return False


def _regex_misses(frame: pl.DataFrame, column: str, dtype: pl.DataType, regex: Any) -> pl.Expr:
    """Python's re.search (what pandas str.contains runs), once per distinct value, not per row: the
    Rust engine polars uses differs on details such as `$` before a final newline."""
    if dtype != pl.String or not isinstance(regex, str):
        raise Unsupported
    try:
        pattern = re.compile(regex)
    except re.error:
        raise Unsupported from None
    distinct = frame.get_column(column).drop_nulls().unique()
    misses = [v for v in distinct.to_list() if pattern.search(v) is None]
    return pl.col(column).is_in(pl.Series(misses, dtype=pl.String).implode())


def _pair_greater(schema: dict, kw: dict) -> pl.Expr:
    a, b = kw.get("column_A"), kw.get("column_B")
    if not isinstance(a, str) or not isinstance(b, str):
        raise Unsupported
    da, db = _dtype(schema, a), _dtype(schema, b)
    # floats (NaN ordering differs between pandas and polars) and mixed types go to GX
    if not ((da == db == pl.Date) or (da.is_integer() and db.is_integer())):
        raise Unsupported
    ignore = kw.get("ignore_row_if", "both_values_are_missing")
    if ignore not in _IGNORE_ROW_IF or not isinstance(kw.get("or_equal", False), bool | None):
        raise Unsupported
    A, B = pl.col(a), pl.col(b)
    ok = (A >= B) if kw.get("or_equal") else (A > B)
    judged = {
        "both_values_are_missing": A.is_not_null() | B.is_not_null(),
        "either_value_is_missing": A.is_not_null() & B.is_not_null(),
        "neither": pl.lit(True),
    }[ignore]
    # a comparison with a missing value is False in pandas: unexpected unless the row is ignored
    return judged & ~ok.fill_null(False)
