"""Cross-list checks: the sql/quality models over every provided list, and their suites."""

from __future__ import annotations

import functools
import re

import polars as pl

from flows.annex_a.normalise import SOURCE_COLUMNS
from flows.validation import engines
from flows.validation.results import findings_from_results
from flows.validation.suites import CROSS_CHECKS, CROSS_PREFIX, suite_path

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
    from flows import sql_models

    text = "\n".join(m.sql for m in sql_models.layer_models("quality"))
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
