"""The validate stage: every list's suite and the cross-list checks into quality.issues, then the
per-list summary (quality.lists)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from flows.validation import coverage
from flows.validation.cross_list import create_sources, cross_list_checks, cross_list_results
from flows.validation.results import LIST_FINDINGS, list_findings, run_parameters
from flows.validation.summary import list_extents, write_list_summary


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


def _earlier_findings(con) -> pl.DataFrame:
    """What the reader and landing found (validation does not report a cell again)."""
    from flows import findings as F

    return (
        con.sql(
            "select * from quality.reader_issues union all select * from quality.landing_issues"
        )
        .pl()
        .cast(F.SCHEMA)
    )


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


def _drop_replaced(con, mostly_blank: pl.DataFrame) -> None:
    """The reader's per-row findings that a column_mostly_blank finding replaces, out of
    quality.reader_issues (reading the submission again writes them again, and validating again
    drops them again)."""
    if mostly_blank.is_empty():
        return
    columns = mostly_blank.select("list_name", "column_name").unique().to_arrow()  # noqa: F841
    con.execute(
        "delete from quality.reader_issues as i where i.rule = ? and i.severity = ? and exists "
        "(select 1 from columns as c where c.list_name = i.list_name and c.column_name = i.column_name)",
        [coverage.REPLACED["rule"], coverage.REPLACED["severity"]],
    )


_CELL = ["list_name", "source_file", "source_sheet", "source_row", "column_name"]


def _loaded(con, ctx, table: str) -> pl.DataFrame:
    """annex_a.<table> as the load shared it with this run, else read back (name from the specs)."""

    frame = ctx.db.shared(f"annex_a.{table}")
    return frame if frame is not None else con.sql(f'select * from annex_a."{table}"').pl()  # noqa: S608


def validate(ctx) -> dict[str, int]:
    """Every list's suite and the cross-list checks into quality.issues; counts by severity (all findings)."""
    from flows import findings as F
    from flows import warehouse
    from flows.annex_a.specs import SPECS

    con = ctx.db.connect()
    try:
        con.execute(F.DDL)
        run = _run_parameters(con, ctx)
        reader = _earlier_findings(con)
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
            early = ctx.db.shared(LIST_FINDINGS)
            if early is not None:
                ours.append(early)
            # how much of each column was filled in (quality.column_coverage), from each list's
            # frame as the suites take it
            missing, covered = coverage.missing_columns(con), []
            for spec in SPECS:
                if spec.table in provided:
                    frame = _loaded(con, ctx, spec.table)
                    if early is None:
                        ours.append(list_findings(spec, frame, run))
                    covered += coverage.list_coverage(spec, frame, missing)
            mostly_blank = coverage.mostly_blank_findings(coverage.write_coverage(con, covered))
            ours.append(cross_list_results(cross.result()))
        found = pl.concat([*ours, mostly_blank], how="vertical")
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
        # one finding for a column mostly blank, not one a row (the reader's included)
        found = coverage.without_replaced(found, mostly_blank)
        _drop_replaced(con, mostly_blank)
        F.store(con, "validation", found)
        write_list_summary(con, provided, run, extent)
        counts = dict(
            con.execute("select severity, count(*) from quality.issues group by 1").fetchall()
        )
    finally:
        con.close()
    return {s: int(counts.get(s, 0)) for s in F.SEVERITIES}
