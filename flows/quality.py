"""Validation: Great Expectations suites per list plus DuckDB cross-list checks, into quality.issues.

This is the only module that imports great_expectations, and only inside functions (the import
costs ~5 s; STACK_NOTES). GX runs on pandas frames converted from polars: it has no working DuckDB
source. Results are asked for in SUMMARY format with unexpected *values* excluded: a result carries
only the positions of the failing rows, never a child's values. The offending raw value is looked up
from the frame afterwards, and only ever lands in the `value` column of a finding (the LA's report).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from flows.annex_a.load import META_LISTS_SCHEMA
from flows.annex_a.normalise import SOURCE_COLUMNS

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# --- running a suite -------------------------------------------------------------------------------
@functools.cache
def _batch_definition():
    """One ephemeral context per process with a pandas source and a whole-dataframe batch definition."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole")


def load_suite(suite: Path | dict) -> dict:
    if isinstance(suite, dict):
        return suite
    return json.loads(Path(suite).read_text(encoding="utf-8"))


def _gx_parameter(value: Any) -> Any:
    # pandas holds dates as Timestamps and will not compare them with datetime.date
    if isinstance(value, dt.date):
        import pandas as pd

        return pd.Timestamp(value)
    return value


def _plain(value: Any) -> Any:
    """Timestamps (from date parameters) back to ISO dates, so results stay JSON-friendly."""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return value


def build_suite(spec: dict):
    """A GX ExpectationSuite from its JSON; raises RuntimeError on an expectation GX does not accept.

    Each expectation's position rides in its meta, so results can be matched back (GX reorders them).
    """
    import great_expectations as gx

    expectations = [
        {**e, "meta": {**(e.get("meta") or {}), "_position": i}}
        for i, e in enumerate(spec.get("expectations", []))
    ]
    gx_suite = gx.ExpectationSuite(name=spec.get("name") or "suite", expectations=expectations)
    if len(gx_suite.expectations) != len(
        expectations
    ):  # GX drops invalid ones with only a log line
        raise RuntimeError(
            f"suite {spec.get('name')!r}: some expectations are not valid GX 1.x configurations"
        )
    return gx_suite


def run_suite(
    frame: pl.DataFrame, suite: Path | dict, parameters: dict[str, Any] | None = None
) -> list[dict]:
    """Run a GX 1.x suite (JSON file or dict) on a frame; one dict per expectation, in suite order.

    Each dict: expectation_type, column (or "a,b" for a column pair), kwargs, meta (the suite's, e.g.
    rule and severity), success, element_count, unexpected_count, rows (0-based positions of the
    failing rows in `frame`) and source_rows (their `source_row` values when the frame has that
    column, else None). `parameters` fill `{"$PARAMETER": name}` values in the suite (dates allowed).
    No child values are returned. An expectation that cannot run raises RuntimeError.

    PIA_VALIDATION_ENGINE picks the engine: `native` (default; flows.native_validation, vectorised
    polars, which hands any suite it cannot evaluate exactly to GX) or `gx` (Great Expectations, the
    reference; tests/test_validation_engines.py asserts both give identical results).
    """
    spec = load_suite(suite)
    if validation_engine() == "native":
        from flows import native_validation

        results = native_validation.run(frame, spec, parameters)
        if results is not None:
            return results
    return _run_suite_gx(frame, spec, parameters)


ENGINES = ("native", "gx")


def validation_engine() -> str:
    engine = os.environ.get("PIA_VALIDATION_ENGINE", "").strip().lower() or "native"
    if engine not in ENGINES:
        raise ValueError(
            f"PIA_VALIDATION_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r:.20}"
        )
    return engine


def _run_suite_gx(frame: pl.DataFrame, spec: dict, parameters: dict[str, Any] | None) -> list[dict]:
    gx_suite = build_suite(spec)
    expectations = spec.get("expectations", [])
    if not expectations:
        return []
    pdf = frame.to_pandas()  # default RangeIndex: GX reports failing rows as positions
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": pdf})
    result_format = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": max(frame.height, 1),  # every failing row, not the first 20
        "exclude_unexpected_values": True,
    }
    params = {k: _gx_parameter(v) for k, v in (parameters or {}).items()}
    validation = batch.validate(
        gx_suite, result_format=result_format, expectation_parameters=params
    )
    source_row = frame["source_row"] if "source_row" in frame.columns else None
    out = []
    for r in sorted(validation.results, key=lambda r: r.expectation_config.meta["_position"]):
        info = r.exception_info or {}
        failures = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
        if info.get("raised_exception") or failures:
            message = info.get("exception_message") or failures[0].get("exception_message")
            raise RuntimeError(
                f"suite {spec.get('name')!r}: {r.expectation_config.type} could not run: {message}"
            )
        kwargs = {k: _plain(v) for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
        res = r.result or {}
        rows = [int(i) for i in res.get("partial_unexpected_index_list") or []]
        out.append(
            {
                "expectation_type": r.expectation_config.type,
                "column": kwargs.get("column")
                or ",".join(str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs)
                or None,
                "kwargs": kwargs,
                "meta": {k: v for k, v in r.expectation_config.meta.items() if k != "_position"},
                "success": bool(r.success),
                "element_count": res.get("element_count"),
                "unexpected_count": res.get("unexpected_count", 0 if r.success else None),
                "rows": rows,
                "source_rows": source_row.gather(rows).to_list()
                if source_row is not None
                else None,
            }
        )
    return out


# --- suites generated from the list specs ----------------------------------------------------------
SUITE_PREFIX = "annex_a_"
CROSS_PREFIX = "cross_list_"

# End dates that must not be before their start dates: (later, earlier). Sequences are checked pair
# by adjacent pair, so each finding points at one cell.
ORDER_CHECKS: dict[str, tuple[tuple[str, str], ...]] = {
    "list_02_early_help": (("assessment_completion_date", "assessment_start_date"),),
    "list_04_assessments": (("assessment_authorised_date", "assessment_start_date"),),
    "list_05_section_47": (("icpc_date", "strategy_discussion_date"),),
    "list_06_children_in_need": (("cin_closure_date", "cin_start_date"),),
    "list_07_child_protection": (("cp_plan_end_date", "cp_plan_start_date"),),
    "list_08_children_in_care": (("date_ceased_looked_after", "date_started_looked_after"),),
    "list_10_adoptions": (
        ("date_should_be_placed", "date_entered_care"),
        ("date_placement_order", "date_should_be_placed"),
        ("date_matched", "date_should_be_placed"),
        ("date_placed_for_adoption", "date_matched"),
        ("date_adoption_order", "date_placed_for_adoption"),
    ),
    "list_11_adopters": (
        ("date_stage1_started", "date_enquiry"),
        ("date_stage1_ended", "date_stage1_started"),
        ("date_stage2_started", "date_stage1_ended"),
        ("date_stage2_ended", "date_stage2_started"),
        ("date_application_approved", "date_application_submitted"),
        ("date_matched", "date_application_approved"),
        ("date_placed", "date_matched"),
        ("date_adoption_order", "date_placed"),
    ),
    "unregistered_provision": (("provision_end_date", "provision_start_date"),),
    "adoption_support": (("date_assessment_completed", "date_requested"),),
}

# Age from date of birth: (date the age is taken at — None for the notification date, min, max).
# A minimum of -1 lets an unborn child (date of birth up to a year after the event) through.
AGE_CHECKS: dict[str, tuple[str | None, int, int]] = {
    "list_01_contacts": ("date_of_contact", -1, 17),
    "list_02_early_help": ("assessment_start_date", -1, 17),
    "list_03_referrals": ("date_of_referral", -1, 17),
    "list_04_assessments": ("assessment_start_date", -1, 17),
    "list_05_section_47": ("strategy_discussion_date", -1, 17),
    "list_06_children_in_need": ("cin_start_date", -1, 17),
    "list_07_child_protection": ("cp_plan_start_date", -1, 17),
    "list_08_children_in_care": ("date_started_looked_after", 0, 17),
    "list_09_care_leavers": (None, 16, 25),
    "list_10_adoptions": ("date_entered_care", 0, 17),
    "private_fostering": ("date_arrangement_started", 0, 17),
    "missing_education": (None, 3, 18),
    "homeless_16_17": ("date_presented", 15, 17),
    "young_carers": (None, 0, 17),
    "supervision_orders": ("order_start_date", -1, 17),
    "secure_orders": ("order_start_date", 0, 17),
    "care_leavers_hmo": (None, 16, 25),
    "unregistered_provision": ("provision_start_date", 0, 17),
    "deprivation_of_liberty": ("order_date", 0, 17),
}
AGE_AT = "_age_at_reference"  # derived columns the suites refer to
AGE_AGREES = "_stated_age_agrees"

PERIOD_PARAMETER = {
    "six_months": "period_start",
    "twelve_months": "period_start_12m",
    "point_of_inspection": "period_start",
}


def _exp(
    type_: str,
    kwargs: dict,
    *,
    rule: str,
    column: str,
    message: str,
    severity: str | None = None,
) -> dict:
    from flows.findings import RULES

    meta = {
        "rule": rule,
        "severity": severity or RULES[rule][0],
        "column": column,
        "message": message,
    }
    return {"type": type_, "kwargs": kwargs, "meta": meta}


def suite_for(spec) -> dict:
    """The suite of one list, derived from its spec: every rule here is a column property."""
    exps: list[dict] = []
    unborn_ok = AGE_CHECKS.get(spec.table, (None, 0, 0))[1] < 0
    for c in spec.columns:
        if c.required:
            severity = "error" if c.type == "id" or c.key_date else "warning"
            exps.append(
                _exp(
                    "expect_column_values_to_not_be_null",
                    {"column": c.name},
                    rule="required_blank",
                    column=c.name,
                    severity=severity,
                    message=f"{c.header} is blank; it must be given.",
                )
            )
        if c.type == "code" and c.codes is not None:
            exps.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    {"column": c.name, "value_set": c.codes.values},
                    rule="code_unmapped",
                    column=c.name,
                    message=f"{c.header}: the value is not one of the template's codes for this column.",
                )
            )
        if c.type == "int" and c.name != "age":
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    {"column": c.name, "min_value": 0},
                    rule="count_negative",
                    column=c.name,
                    message=f"{c.header} is below zero; a count cannot be negative.",
                )
            )
        if c.type == "date" and not (c.name == "date_of_birth" and unborn_ok):
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    {"column": c.name, "max_value": {"$PARAMETER": "notification_date"}},
                    rule="date_in_future",
                    column=c.name,
                    message=f"{c.header} is after the notification date; check the date or the extract.",
                )
            )
    if spec.period_column and spec.period in PERIOD_PARAMETER:
        c = spec.column(spec.period_column)
        months = "12 months" if spec.period == "twelve_months" else "six months"
        what = "ends" if spec.period == "point_of_inspection" else "is"
        exps.append(
            _exp(
                "expect_column_values_to_be_between",
                {"column": c.name, "min_value": {"$PARAMETER": PERIOD_PARAMETER[spec.period]}},
                rule="date_out_of_period",
                column=c.name,
                message=f"{c.header} {what} before the {months} this list must cover; "
                "remove the row or check the date.",
            )
        )
    for later, earlier in ORDER_CHECKS.get(spec.table, ()):
        a, b = spec.column(later), spec.column(earlier)
        exps.append(
            _exp(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": a.name,
                    "column_B": b.name,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                rule="date_order",
                column=a.name,
                message=f"{a.header} is before {b.header}.",
            )
        )
    if spec.table in AGE_CHECKS and "date_of_birth" in spec.by_name:
        at, lo, hi = AGE_CHECKS[spec.table]
        when = spec.column(at).header if at else "the notification date"
        exps.append(
            _exp(
                "expect_column_values_to_be_between",
                {"column": AGE_AT, "min_value": lo, "max_value": hi},
                rule="age_out_of_range",
                column="date_of_birth",
                message=f"Date of Birth gives an age at {when} outside {max(lo, 0)} to {hi} years, "
                "which is not plausible for this list.",
            )
        )
    if "age" in spec.by_name and "date_of_birth" in spec.by_name:
        exps.append(
            _exp(
                "expect_column_values_to_be_in_set",
                {"column": AGE_AGREES, "value_set": [True]},
                rule="age_mismatch",
                column="age",
                message="Age of Child (Years) does not agree with Date of Birth.",
            )
        )
    if spec.one_row_per_child and "child_id" in spec.by_name:
        c = spec.column("child_id")
        exps.append(
            _exp(
                "expect_column_values_to_be_unique",
                {"column": "child_id"},
                rule="duplicate_child",
                column="child_id",
                message=f"{c.header} appears on more than one row; this list has one row per child.",
            )
        )
    return {
        "name": f"{SUITE_PREFIX}{spec.table}",
        "expectations": exps,
        "meta": {
            "generated_from": "flows/annex_a/specs.py by `python -m flows.quality --write-suites`",
            "list": spec.table,
            "annex_a_number": spec.number,
            "title": spec.title,
        },
    }


# Cross-list checks: sql/quality/<n>_<kind>.sql builds quality.check_<kind> with one row per row
# checked (location, column_name, value, message, list_name, passed); the suite expects passed.
CROSS_CHECKS: dict[str, tuple[str, str]] = {
    "child_details": ("cross_list_mismatch", "The child's details differ between lists."),
    "cp_in_cin": ("cp_not_in_cin", "A child on a CP plan is not in list 6 with a CP case status."),
    "in_children_in_care": ("not_in_children_in_care", "A child in 3.17 or 3.18 is not in list 8."),
    "icpc_plan": (
        "icpc_plan_missing",
        "An ICPC resulted in a plan but the child has no plan in list 7.",
    ),
    "audit_children": ("audit_child_unknown", "An audited child is on none of the lists."),
}


def cross_suite_for(kind: str) -> dict:
    rule, message = CROSS_CHECKS[kind]
    return {
        "name": f"{CROSS_PREFIX}{kind}",
        "expectations": [
            _exp(
                "expect_column_values_to_be_in_set",
                {"column": "passed", "value_set": [True]},
                rule=rule,
                column="column_name",
                message=message,
            )
        ],
        "meta": {
            "generated_from": "flows/quality.py by `python -m flows.quality --write-suites`",
            "table": f"quality.check_{kind}",
        },
    }


def generated_suites() -> dict[str, dict]:
    """File name → suite, for every list and every kind of cross-list check."""
    from flows.annex_a.specs import SPECS

    out = {f"{SUITE_PREFIX}{s.table}.json": suite_for(s) for s in SPECS}
    out.update({f"{CROSS_PREFIX}{k}.json": cross_suite_for(k) for k in CROSS_CHECKS})
    return out


def suite_text(suite: dict) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def write_suites(directory: Path | None = None) -> list[Path]:
    """Write every generated suite as reviewed JSON (source files: plain writes, normal permissions)."""
    from flows.settings import EXPECTATIONS_DIR

    directory = directory or EXPECTATIONS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in generated_suites().items():
        path = directory / name
        path.write_text(suite_text(suite), encoding="utf-8")
        paths.append(path)
    return paths


def suite_path(name: str) -> Path:
    from flows.settings import EXPECTATIONS_DIR

    return EXPECTATIONS_DIR / f"{name}.json"


# --- one list: frame → derived columns → suite → findings -----------------------------------------
def _years_between(dob: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from dob to on (birthday not yet reached that year counts one less)."""
    before = (on.dt.month() < dob.dt.month()) | (
        (on.dt.month() == dob.dt.month()) & (on.dt.day() < dob.dt.day())
    )
    return (on.dt.year() - dob.dt.year() - before.cast(pl.Int32)).cast(pl.Int64)


def derive(frame: pl.DataFrame, spec, run: dict) -> pl.DataFrame:
    """Add the derived columns the list's suite refers to (ages from date of birth)."""
    if "date_of_birth" not in frame.columns:
        return frame
    dob = pl.col("date_of_birth")
    nd = pl.lit(run["notification_date"], pl.Date)
    exprs = []
    if spec.table in AGE_CHECKS:
        at, lo, _ = AGE_CHECKS[spec.table]
        ref = pl.coalesce(pl.col(at), nd) if at else nd
        age = _years_between(dob, ref)
        if (
            lo >= 0
        ):  # no unborn children here: a future date of birth is reported as such, not as an age
            age = pl.when(dob <= nd).then(age)
        exprs.append(age.alias(AGE_AT))
    if "age" in frame.columns:
        # the template does not say on which date the age is taken: accept the event date, the
        # notification date or the start of the period
        at = AGE_CHECKS.get(spec.table, (None, 0, 0))[0]
        candidates = [nd, pl.lit(run["period_start"], pl.Date)]
        if at:
            candidates.append(pl.col(at))
        agrees = pl.any_horizontal([pl.col("age") == _years_between(dob, c) for c in candidates])
        exprs.append(
            pl.when(dob.is_not_null() & pl.col("age").is_not_null()).then(agrees).alias(AGE_AGREES)
        )
    return frame.with_columns(exprs)


def _header(spec, column: str) -> str:
    return spec.column(column).header if spec is not None and column in spec.by_name else column


def findings_from_results(
    list_name: str, frame: pl.DataFrame, results: list[dict], spec=None
) -> pl.DataFrame:
    """One finding per failing row of each failed expectation, located by the frame's source columns.

    The suite's meta gives rule, severity, column and message; a frame may override column_name,
    message and list_name per row (cross-list checks), and `value` comes from `<column>_raw`.
    """
    from flows import findings as F

    parts = []
    for r in results:
        if r["success"] or not r["rows"]:
            continue
        meta = r["meta"]
        rows = frame[r["rows"]]
        column = meta["column"]
        if "value" in rows.columns:  # cross-list check tables carry the value to show
            value = pl.col("value").cast(pl.String)
        elif f"{column}_raw" in rows.columns:  # the value as the LA sent it
            value = pl.col(f"{column}_raw").cast(pl.String)
        elif column in rows.columns:
            value = pl.col(column).cast(pl.String)
        else:
            value = pl.lit(None, pl.String)

        def given(name: str, default: str | None, rows: pl.DataFrame = rows) -> pl.Expr:
            lit = pl.lit(default, pl.String)
            return pl.coalesce(pl.col(name).cast(pl.String), lit) if name in rows.columns else lit

        parts.append(
            rows.select(
                given("list_name", list_name).alias("list_name"),
                pl.col("source_file").cast(pl.String),
                pl.col("source_sheet").cast(pl.String),
                pl.col("source_row").cast(pl.Int64),
                given("column_name", _header(spec, meta["column"])).alias("column_name"),
                pl.lit(meta["rule"], pl.String).alias("rule"),
                pl.lit(meta["severity"], pl.String).alias("severity"),
                given("message", meta["message"]).alias("message"),
                value.alias("value"),
            )
        )
    return pl.concat(parts, how="vertical") if parts else F.empty()


# --- cross-list checks: DuckDB models over every provided list -------------------------------------
_SQL_TYPES = {
    "id": "varchar",
    "text": "varchar",
    "date": "date",
    "int": "bigint",
    "code": "varchar",
}


def _all_columns(con, schema: str) -> dict[str, set[str]]:
    """table -> column names for a whole schema, in one catalog query (one per table cost ~5 ms each)."""
    out: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?",
        [schema],
    ).fetchall():
        out.setdefault(table, set()).add(column)
    return out


def _write_rows(con, table: str, columns: dict[str, pl.DataType], rows: list[tuple]) -> None:
    """Replace quality.<table> with a few rows, handed over as one Arrow table (executemany runs
    one statement per row)."""
    from flows import warehouse

    frame = pl.DataFrame(rows, schema=columns, orient="row")
    warehouse.write_table(con, "quality", table, frame)


def create_sources(con, provided: set[str]) -> None:
    """What the sql/quality models read, so that they run whether or not a list was provided.

    quality.src_<table> is the annex_a table, or an empty relation with the spec's columns (for
    the lists a model reads);
    quality.provided names the lists provided; quality.spec_headers maps columns to template
    headers; quality.child_rows stacks the child-level lists' identifying details. Identifiers come
    only from the specs (an allow-list). One transaction.
    """
    from flows import warehouse

    with warehouse.transaction(con):
        _create_sources(con, provided)


@functools.cache
def _sources_read() -> frozenset[str]:
    """The lists whose quality.src_<table> some sql/quality model reads: only those views are made
    (each costs the validation ~1.5 ms to bind, and most lists are read by no cross-list check)."""
    from flows import warehouse

    text = "\n".join(p.read_text(encoding="utf-8") for p in warehouse.model_files("quality"))
    return frozenset(re.findall(r'quality\."?src_([a-z0-9_]+)', text))


def _create_sources(con, provided: set[str]) -> None:
    from flows.annex_a.specs import SPECS

    con.execute("create schema if not exists quality")
    annex_a_columns = _all_columns(con, "annex_a")
    for spec in SPECS:
        if spec.table not in _sources_read():
            continue
        cols = _source_columns(spec, annex_a_columns.get(spec.table), spec.table in provided)
        source = f'from annex_a."{spec.table}"' if spec.table in provided else "where false"
        select = ", ".join(f'{e} as "{n}"' for n, e in cols.items())
        con.execute(
            f'create or replace view quality."src_{spec.table}" as select {select} {source}'
        )
    _write_rows(con, "provided", {"list_name": pl.String}, [(t,) for t in sorted(provided)])
    _write_rows(
        con,
        "spec_headers",
        {"list_name": pl.String, "column_name": pl.String, "header": pl.String},
        [(s.table, c.name, c.header) for s in SPECS for c in s.columns],
    )
    # straight from the provided lists' annex_a tables, not through their src_ views: binding a
    # view of views cost each query on it ~10 ms more, and two checks read this one. With no
    # child-level list, one list's empty shape stands for them.
    child_level = [s for s in SPECS if "child_id" in s.by_name and s.table != "audits"]
    stacked = [s for s in child_level if s.table in provided] or child_level[:1]
    selects = []
    for spec in stacked:
        real = spec.table in provided
        cols = _source_columns(spec, annex_a_columns.get(spec.table), real)
        picked = [f'{cols[n]} as "{n}"' for n in ("child_id", "child_id_raw", *SOURCE_COLUMNS)]
        for name, sql_type in (
            ("date_of_birth", "date"),
            ("gender", "varchar"),
            ("ethnicity", "varchar"),
        ):
            picked.append(f'{cols.get(name, f"cast(null as {sql_type})")} as "{name}"')
            picked.append(f'{cols.get(f"{name}_raw", "cast(null as varchar)")} as "{name}_raw"')
        source = f'from annex_a."{spec.table}"' if real else "where false"
        selects.append(f"select '{spec.table}' as list_name, {', '.join(picked)} {source}")  # noqa: S608
    con.execute("create or replace view quality.child_rows as " + " union all ".join(selects))


def _source_columns(spec, have: set[str] | None, provided: bool) -> dict[str, str]:
    """A list's columns as the quality models see them (name -> SQL expression over its annex_a
    table): every spec column typed and as read, then the source columns; null where the list or
    the column is missing."""
    have = have if provided and have is not None else set()
    cols: dict[str, str] = {}
    for c in spec.columns:
        typed = f'"{c.name}"' if c.name in have else f"cast(null as {_SQL_TYPES[c.type]})"
        cols[c.name] = typed
        cols[f"{c.name}_raw"] = (
            f'"{c.name}_raw"' if f"{c.name}_raw" in have else f"cast({typed} as varchar)"
        )
    for name, sql_type in zip(SOURCE_COLUMNS, ("varchar", "varchar", "bigint"), strict=True):
        cols[name] = f"cast({name} as {sql_type})" if provided else f"cast(null as {sql_type})"
    return cols


def cross_list_checks(con) -> list[tuple[str, pl.DataFrame, dict]]:
    """Run sql/quality/*.sql; (kind, the rows of quality.check_<kind> to check, its suite) for each
    kind with rows. DuckDB only: safe on a cursor in another thread."""
    from flows import warehouse

    warehouse.run_models(con, "quality")
    checks = []
    for kind in CROSS_CHECKS:  # names from an allow-list
        suite = load_suite(suite_path(f"{CROSS_PREFIX}{kind}"))
        where = "where not passed " if _only_passed_in_set(suite) else ""
        frame = con.sql(
            f"select * from quality.check_{kind} {where}order by source_file, source_sheet, source_row"  # noqa: S608
        ).pl()
        if frame.height:
            checks.append((kind, frame, suite))
    return checks


def cross_list_results(checks: list[tuple[str, pl.DataFrame, dict]]) -> pl.DataFrame:
    """The suites of the cross-list checks (in the calling thread: GX is not thread-safe)."""
    from flows import findings as F

    parts = [
        findings_from_results(kind, frame, run_suite(frame, suite)) for kind, frame, suite in checks
    ]
    return pl.concat(parts, how="vertical") if parts else F.empty()


def _only_passed_in_set(suite: dict) -> bool:
    """True when the suite's only expectations are `passed` in {True}: then a row that passed cannot
    yield a finding, and only the others need fetching (the largest LA's child-details check has
    ~265k rows, almost all passing; fetching them all cost more than reading the files)."""
    exps = suite.get("expectations") or []
    return bool(exps) and all(
        e.get("type") == "expect_column_values_to_be_in_set"
        and e.get("kwargs") == {"column": "passed", "value_set": [True]}
        for e in exps
    )


# --- validate a run ---------------------------------------------------------------------------------
def _run_parameters(con, ctx) -> dict[str, dt.date]:
    if "run" in _tables(con, "meta"):
        nd, ps, ps12 = con.execute(
            "select notification_date, period_start, period_start_12m from meta.run"
        ).fetchall()[0]
        return {"notification_date": nd, "period_start": ps, "period_start_12m": ps12}
    return run_parameters(ctx)


def _tables(con, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return {r[0] for r in rows}


def _reader_findings(con) -> pl.DataFrame:
    """quality.issues without what an earlier validation added, so validating again replaces only ours.

    Our findings are kept in quality.validation_issues as well; the reader's rows are what is left.
    """
    from flows import findings as F

    cols = list(F.SCHEMA)
    if "validation_issues" in _tables(con, "quality"):
        same = " and ".join(
            f"v.{c} is not distinct from i.{c}" for c in cols
        )  # names from F.SCHEMA
        con.execute(
            f"delete from quality.issues as i where exists (select 1 from quality.validation_issues as v where {same})"  # noqa: S608
        )
    return con.sql(f"select {', '.join(cols)} from quality.issues").pl().cast(F.SCHEMA)  # noqa: S608


def _not_provided(con, provided: set[str]) -> pl.DataFrame:
    """list_not_provided for lists 1-11 and the audits list, only when no reader recorded meta.lists."""
    from flows import findings as F
    from flows.annex_a.specs import SPECS

    if "lists" in _tables(con, "meta"):
        return F.empty()  # the reader reports missing lists itself
    return F.frame(
        [
            F.Finding(
                s.table,
                "list_not_provided",
                F.RULES["list_not_provided"][0],
                f"List {s.number} ({s.title}) was not found in the submission; send it or explain why it "
                "cannot be provided.",
                column_name=None,
            )
            for s in SPECS
            if (s.number.isdigit() or s.table == "audits") and s.table not in provided
        ]
    )


_CELL = ["list_name", "source_file", "source_sheet", "source_row", "column_name"]
# the lists' own findings, computed while the load wrote them (suites_beside_load), for validate
LIST_FINDINGS = "quality.list_findings"


def list_findings(spec, frame: pl.DataFrame, run: dict) -> pl.DataFrame:
    """One list's suite on its typed frame, as findings (none for a list with no rows)."""
    from flows import findings as F

    if frame.height == 0:
        return F.empty()
    results = run_suite(derive(frame, spec, run), suite_path(f"{SUITE_PREFIX}{spec.table}"), run)
    return findings_from_results(spec.table, frame, results, spec)


def run_parameters(ctx) -> dict[str, dt.date]:
    """The run's dates, as stage_init writes them to meta.run."""
    return {
        "notification_date": ctx.notification_date,
        "period_start": ctx.period_start,
        "period_start_12m": ctx.period_start_12m,
    }


@contextlib.contextmanager
def suites_beside_load(ctx) -> Iterator[Callable[[str, pl.DataFrame], object] | None]:
    """Each list's suite, run in a thread on the typed lists while the load commits them (design:
    validate, then load): the commit is DuckDB on one core for ~0.2 s for the largest LA, and the
    suites take the other. Yields load_submission's `on_typed`; on leaving, the findings
    are offered to validate (warehouse.share_frames), which otherwise runs the suites itself.

    Only when the run holds its warehouse open (nothing could be shared otherwise) and with the
    native engine (GX is not thread-safe: its suites stay in validate's thread)."""
    from flows import warehouse
    from flows.annex_a.specs import BY_TABLE, SPECS

    if not warehouse.held(ctx.warehouse) or validation_engine() != "native":
        yield None
        return
    run = run_parameters(ctx)
    futures: dict[str, Any] = {}
    with ThreadPoolExecutor(1, thread_name_prefix="pia-suites") as pool:

        def typed(table: str, frame: pl.DataFrame) -> None:
            futures[table] = pool.submit(list_findings, BY_TABLE[table], frame, run)

        try:
            yield typed
        except BaseException:
            for f in futures.values():
                f.cancel()
            raise
        found = [futures[s.table].result() for s in SPECS if s.table in futures]
    if found:
        warehouse.share_frames(ctx.warehouse, {LIST_FINDINGS: pl.concat(found, how="vertical")})


def _loaded(con, ctx, table: str) -> pl.DataFrame:
    """annex_a.<table> as the load shared it with this run, else read back (name from the specs)."""
    from flows import warehouse

    frame = warehouse.shared_frame(ctx.warehouse, f"annex_a.{table}")
    return frame if frame is not None else con.sql(f'select * from annex_a."{table}"').pl()  # noqa: S608


def validate(ctx) -> dict[str, int]:
    """Every list's suite and the cross-list checks into quality.issues; counts by severity (all findings)."""
    from flows import findings as F
    from flows import warehouse
    from flows.annex_a.specs import SPECS

    con = warehouse.connect(ctx.warehouse)
    try:
        con.execute(F.DDL)
        run = _run_parameters(con, ctx)
        reader = _reader_findings(con)
        provided = _tables(con, "annex_a") & {s.table for s in SPECS}
        ours = [_not_provided(con, provided)]
        create_sources(con, provided)
        # The cross-list checks' SQL runs in DuckDB on its own cursor meanwhile (it releases the
        # GIL); every suite runs in this thread (GX is not thread-safe).
        with ThreadPoolExecutor(1, thread_name_prefix="pia-cross") as pool:
            cross = pool.submit(cross_list_checks, warehouse.cursor(con))
            extent = list_extents(con, provided)  # it needs no finding
            # the lists' suites ran while the load committed them when the run could share their
            # findings (suites_beside_load); else they run here, on the lists as loaded
            early = warehouse.shared_frame(ctx.warehouse, LIST_FINDINGS)
            if early is not None:
                ours.append(early)
            else:
                for spec in SPECS:
                    if spec.table in provided:
                        ours.append(list_findings(spec, _loaded(con, ctx, spec.table), run))
            ours.append(cross_list_results(cross.result()))
        found = pl.concat(ours, how="vertical")
        # a cell the reader already reported (blank, unreadable, unmapped) is not reported again, and
        # nothing is said about a column the reader found missing from the file
        missing = (
            reader.filter(pl.col("rule") == "column_missing")
            .select("list_name", "column_name")
            .unique()
        )
        found = (
            found.join(reader.select(_CELL).unique(), on=_CELL, how="anti", nulls_equal=True)
            .join(missing, on=["list_name", "column_name"], how="anti", nulls_equal=True)
            .unique(subset=[*_CELL, "rule"], keep="first", maintain_order=True)
        )
        warehouse.write_table(con, "quality", "validation_issues", found)
        arrow = found.to_arrow()  # noqa: F841 - read by name below
        con.execute(
            f"insert into quality.issues ({', '.join(F.SCHEMA)}) select {', '.join(F.SCHEMA)} from arrow"  # noqa: S608
        )
        write_list_summary(con, provided, run, extent)
        counts = dict(
            con.execute("select severity, count(*) from quality.issues group by 1").fetchall()
        )
    finally:
        con.close()
    return {s: int(counts.get(s, 0)) for s in F.SEVERITIES}


# --- per-list summary (quality.lists): provided, rows, date range covered vs expected ---------------
# 3.17 must cover placements that ended in the period, but its start dates are what show its coverage
_RANGE_OVERRIDES = {"unregistered_provision": "provision_start_date"}


def _range_column(spec) -> str | None:
    """The date whose range shows what period a list covers."""
    if spec.table in _RANGE_OVERRIDES:
        return _RANGE_OVERRIDES[spec.table]
    if spec.period in ("six_months", "twelve_months") and spec.period_column:
        return spec.period_column
    key = next((c.name for c in spec.columns if c.key_date), None)
    other = next(
        (c.name for c in spec.columns if c.type == "date" and c.name != "date_of_birth"), None
    )
    return key or spec.period_column or other


def expected_range(spec, run: dict) -> tuple[dt.date | None, dt.date | None, str]:
    nd = run["notification_date"]
    if spec.period == "six_months" and spec.table not in _RANGE_OVERRIDES:
        return run["period_start"], nd, "the six months before notification"
    if spec.period == "twelve_months":
        return run["period_start_12m"], nd, "the 12 months before notification"
    if spec.period == "point_of_inspection" or spec.table in _RANGE_OVERRIDES:
        return (
            None,
            nd,
            (
                f"open at notification, or ended on or after {run['period_start']:%d/%m/%Y} (may start earlier)"
            ),
        )
    return nd, nd, "on the notification date"


def _meta_lists(con) -> dict[str, tuple]:
    """{list: (rows, files, sheets)} as the reader recorded them in meta.lists, when it did."""
    if "lists" not in _tables(con, "meta"):
        return {}
    return {
        name: (rows, files, sheets)
        for name, rows, files, sheets in con.execute(
            "select list_name, rows, files, sheets from meta.lists"
        ).fetchall()
    }


def list_extents(con, provided: set[str]) -> dict[str, tuple]:
    """Each provided list's rows, files, sheets and the range of its period date, in one query (one
    a list cost ~3 ms); table and column names come from the specs. Rows, files and sheets are as
    the reader recorded them in meta.lists, and counted only where it did not: the distinct files
    and sheets of every row cost the largest LA 40 ms, its dates 4 ms."""
    from flows.annex_a.specs import SPECS

    known = _meta_lists(con)
    extents = []
    for spec in SPECS:
        if spec.table in provided:
            column = _range_column(spec)
            col = f'"{column}"' if column else "cast(null as date)"
            counts = (
                "cast(null as bigint), cast(null as varchar), cast(null as varchar)"
                if all(known.get(spec.table, (None,)))
                else "count(*), string_agg(distinct source_file, '; ' order by source_file), "
                "string_agg(distinct source_sheet, '; ' order by source_sheet)"
            )
            extents.append(
                f"select '{spec.table}', {counts}, min({col}), max({col}) "  # noqa: S608
                f'from annex_a."{spec.table}"'
            )
    if not extents:
        return {}
    out = {}
    for name, *counted, covered_from, covered_to in con.execute(
        " union all ".join(extents)
    ).fetchall():
        recorded = known.get(name, (None, None, None))
        out[name] = (
            *(r or c for r, c in zip(recorded, counted, strict=True)),
            covered_from,
            covered_to,
        )
    return out


def write_list_summary(
    con, provided: set[str], run: dict, extent: dict[str, tuple] | None = None
) -> None:
    """quality.lists: each list's rows, files, dates covered against the period expected, and its
    findings by severity (quality.issues as it stands). `extent`: list_extents, when already known."""
    from flows.annex_a.specs import SPECS

    counts = {
        (ln, sev): n
        for ln, sev, n in con.execute(
            "select list_name, severity, count(*) from quality.issues group by all"
        ).fetchall()
    }
    if extent is None:
        extent = list_extents(con, provided)
    out = []
    for spec in SPECS:
        column = _range_column(spec)
        rows = files = sheets = covered_from = covered_to = None
        if spec.table in provided:
            rows, files, sheets, covered_from, covered_to = extent[spec.table]
        exp_from, exp_to, note = expected_range(spec, run)
        out.append(
            {
                "list_name": spec.table,
                "number": spec.number,
                "title": spec.title,
                "provided": spec.table in provided,
                "rows": rows,
                "files": files,
                "sheets": sheets,
                "date_column": spec.column(column).header if column else None,
                "covered_from": covered_from,
                "covered_to": covered_to,
                "expected_from": exp_from,
                "expected_to": exp_to,
                "expected_note": note,
                **{f"{s}s": counts.get((spec.table, s), 0) for s in ("error", "warning", "info")},
            }
        )
    frame = pl.DataFrame(
        out,
        schema={
            **META_LISTS_SCHEMA,
            "date_column": pl.String,
            "covered_from": pl.Date,
            "covered_to": pl.Date,
            "expected_from": pl.Date,
            "expected_to": pl.Date,
            "expected_note": pl.String,
            "errors": pl.Int64,
            "warnings": pl.Int64,
            "infos": pl.Int64,
        },
        orient="row",
    )
    from flows import warehouse

    warehouse.write_table(con, "quality", "lists", frame)


# --- reports and the `pia validate` command -----------------------------------------------------------
def write_reports(ctx) -> list[Path]:
    """data_quality.html, .csv and .xlsx in ctx.work_dir (see flows.dq_report)."""
    from flows import dq_report

    return dq_report.write_reports(ctx)


def cli_validate(args) -> int:
    """`pia validate`: land the files in a private temporary folder, read, validate, write the reports.

    Prints counts only (never child values); exit 1 when there are errors, else 0.
    """
    import shutil
    import tempfile

    from flows import las, runner, storage
    from flows.pipeline import RunContext, parse_notification_date

    la = las.resolve(args.la)
    nd = parse_notification_date(args.notification_date)
    out = Path(args.out) if args.out else Path.cwd()
    tmp = Path(tempfile.mkdtemp(prefix="pia-validate-"))
    try:
        os.chmod(tmp, 0o700)
        landed = tmp / "landed"
        storage.fetch_dir(args.annex_a, landed)
        ctx = RunContext(la=la, notification_date=nd, visit_type="standard", work_dir=tmp / "work")
        storage.make_private_dir(ctx.work_dir)
        runner.stage_init(ctx)
        rows = runner.stage_read(ctx, landed)
        counts = validate(ctx)
        from flows import dq_report

        written = dq_report.write_reports(ctx, out_dir=out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{la.name} ({la.ons_code}), notification date {nd:%d/%m/%Y}")
    print(f"  lists read: {len(rows)}, rows: {sum(rows.values()):,}")
    print("  findings: " + ", ".join(f"{counts[s]} {s}" for s in counts))
    for p in written:
        print(f"  {p}")
    return 1 if counts.get("error") else 0


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write-suites"]:
        for p in write_suites():
            print(p)
    else:
        print("usage: python -m flows.quality --write-suites", file=sys.stderr)
        sys.exit(2)
