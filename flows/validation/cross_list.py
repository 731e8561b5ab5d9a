"""Cross-list checks: the sql/quality models over every provided list, and their suites."""

from __future__ import annotations

import polars as pl

from flows.annex_a import staging
from flows.annex_a.normalise import SOURCE_COLUMNS
from flows.validation import engines
from flows.validation import rules as catalogue
from flows.validation.results import findings_from_results
from flows.validation.suites import CROSS_CHECKS, CROSS_PREFIX, suite_path


# --- cross-list checks: DuckDB models over every provided list -------------------------------------
def _write_rows(con, table: str, columns: dict[str, pl.DataType], rows: list[tuple]) -> None:
    """Replace quality.<table> with a few rows, handed over as one Arrow table (executemany runs
    one statement per row)."""
    from flows import warehouse

    frame = pl.DataFrame(rows, schema=columns, orient="row")
    warehouse.write_table(con, "quality", table, frame)


def create_sources(con, provided: set[str]) -> None:
    """What the sql/quality models read besides staging.<list> (flows/annex_a/staging.py, made here
    if the load did not), so that they run whether or not a list was provided.

    quality.provided names the lists provided; quality.spec_headers maps columns to template
    headers; quality.child_rows stacks the child-level lists' identifying details. Identifiers come
    only from the specs (an allow-list). One transaction.
    """
    from flows import warehouse

    staging.ensure(con)
    with warehouse.transaction(con):
        _create_sources(con, provided)


def _create_sources(con, provided: set[str]) -> None:
    from flows.annex_a.specs import SPECS

    con.execute("create schema if not exists quality")
    _write_rows(con, "provided", {"list_name": pl.String}, [(t,) for t in sorted(provided)])
    _write_rows(
        con,
        "rule_catalogue",
        {"rule": pl.String, "severity": pl.String, "message": pl.String},
        [(r.id, r.severity, r.message) for r in catalogue.sql_rules()],
    )
    _write_rows(
        con,
        "spec_headers",
        {"list_name": pl.String, "column_name": pl.String, "header": pl.String},
        [(s.table, c.name, c.header) for s in SPECS for c in s.columns],
    )
    # straight from the provided lists' annex_a tables (with staging's columns), not through their
    # staging views: binding a view of views cost each query on it ~10 ms more, and two checks
    # read this one. With no child-level list, one list's empty shape stands for them.
    annex_a_columns = staging.loaded(con)
    child_level = [s for s in SPECS if "child_id" in s.by_name and s.table != "audits"]
    stacked = [s for s in child_level if s.table in provided] or child_level[:1]
    selects = []
    for spec in stacked:
        real = spec.table in provided
        cols = staging.columns(spec, annex_a_columns.get(spec.table) if real else None)
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


def cross_list_checks(con) -> list[tuple[str, pl.DataFrame, dict]]:
    """Run sql/quality/*.sql; (kind, the rows of quality.check_<kind> to check, its suite) for each
    kind with rows. DuckDB only: safe on a cursor in another thread."""
    from flows import sql_models

    sql_models.run_layer(con, "quality")
    checks = []
    for kind in CROSS_CHECKS:  # names from an allow-list
        suite = engines.load_suite(suite_path(f"{CROSS_PREFIX}{kind}"))
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
        findings_from_results(kind, frame, engines.run_suite(frame, suite))
        for kind, frame, suite in checks
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
