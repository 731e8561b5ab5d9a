"""One list's suite on its typed frame, and suite results turned into findings located by file,
sheet, Excel row and column. The offending raw value is looked up from the frame afterwards and only
ever lands in the `value` column of a finding (the LA's report).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from flows.validation import engines
from flows.validation.suites import AGE_AGREES, AGE_AT, AGE_CHECKS, SUITE_PREFIX, suite_path


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
    message, list_name, rule and severity per row (cross-list checks), and `value` comes from
    `<column>_raw`.
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
                given("rule", meta["rule"]).alias("rule"),
                given("severity", meta["severity"]).alias("severity"),
                given("message", meta["message"]).alias("message"),
                value.alias("value"),
            )
        )
    return pl.concat(parts, how="vertical") if parts else F.empty()


# the lists' own findings, computed while the load wrote them (suites_beside_load), for validate
LIST_FINDINGS = "quality.list_findings"


def list_findings(spec, frame: pl.DataFrame, run: dict) -> pl.DataFrame:
    """One list's suite on its typed frame, as findings (none for a list with no rows)."""
    from flows import findings as F

    if frame.height == 0:
        return F.empty()
    results = engines.run_suite(
        derive(frame, spec, run), suite_path(f"{SUITE_PREFIX}{spec.table}"), run
    )
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
    are offered to validate (RunWarehouse.share), which otherwise runs the suites itself.

    Only when the run holds its warehouse open (nothing could be shared otherwise) and with the
    native engine (GX is not thread-safe: its suites stay in validate's thread)."""
    from flows.annex_a.specs import BY_TABLE, SPECS

    if not ctx.db.is_held or engines.validation_engine() != "native":
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
        ctx.db.share({LIST_FINDINGS: pl.concat(found, how="vertical")})
