"""staging.<list>: one stand-in per Annex A list, generated from the specs, so that the SQL that
reads lists (sql/quality, sql/pack) runs whether or not the LA sent each one.

For every list spec, `staging.<table>` is a view over `annex_a.<table>` when the list was loaded,
or an empty relation with the same columns when it was not: each spec column typed, the column
as read (`<column>_raw`, text), and the source columns (file, sheet, row). A loaded table that
lacks a column shows it NULL (as read: the typed value as text). `staging.provided` names the
lists loaded. Identifiers come only from the specs (an allow-list), never from input.

The load makes them with annex_a.* (flows/annex_a/load.py), in its transaction, once per run;
ensure() makes them for a warehouse written another way (tests' hand-made ones, or one from before
staging existed) and remakes them when the lists in annex_a changed since.

Here and not in sql/staging/: the views are the specs' columns, and writing them out as SQL files
would be a second copy of the specs.
"""

from __future__ import annotations

import threading

import duckdb
import polars as pl

from flows.annex_a import specs

SQL_TYPES = {"id": "varchar", "text": "varchar", "date": "date", "int": "bigint", "code": "varchar"}
SOURCE_COLUMNS = (("source_file", "varchar"), ("source_sheet", "varchar"), ("source_row", "bigint"))

# validation and the pack may each ensure() on their own thread of one run
_ENSURING = threading.Lock()


def columns(spec: specs.ListSpec, have: set[str] | None) -> dict[str, str]:
    """A list's columns in staging (name -> SQL expression over its annex_a table; `have` is that
    table's columns, None when the list was not loaded): every spec column typed and as read, then
    the source columns; NULL of the column's type where the list or the column is missing."""
    have = have or set()
    cols: dict[str, str] = {}
    for c in spec.columns:
        sql_type = SQL_TYPES[c.type]
        typed = f'cast("{c.name}" as {sql_type})' if c.name in have else f"cast(null as {sql_type})"
        cols[c.name] = typed
        raw = f"{c.name}_raw"
        cols[raw] = f'"{raw}"' if raw in have else f"cast({typed} as varchar)"
    for name, sql_type in SOURCE_COLUMNS:
        cols[name] = (
            f'cast("{name}" as {sql_type})' if name in have else f"cast(null as {sql_type})"
        )
    return cols


def loaded(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The lists in annex_a (table -> its columns), in one catalog query."""
    out: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'annex_a'"
    ).fetchall():
        if table in specs.BY_TABLE:
            out.setdefault(table, set()).add(column)
    return out


def create(con: duckdb.DuckDBPyConnection) -> set[str]:
    """staging.<list> for every spec and staging.provided, in the caller's transaction; returns the
    lists provided."""
    have = loaded(con)
    con.execute("create schema if not exists staging")
    for spec in specs.SPECS:
        cols = columns(spec, have.get(spec.table))
        select = ", ".join(f'{e} as "{n}"' for n, e in cols.items())
        source = f'from annex_a."{spec.table}"' if spec.table in have else "where false"
        con.execute(f'create or replace view staging."{spec.table}" as select {select} {source}')  # noqa: S608 - names from the specs
    provided = pl.DataFrame({"list_name": sorted(have)}, schema={"list_name": pl.String})
    arrow = provided.to_arrow()  # noqa: F841 - read by name below
    con.execute("create or replace table staging.provided as select * from arrow")
    return set(have)


def ensure(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The lists provided, making staging first unless it is there for the lists now in annex_a."""
    from flows import warehouse

    with _ENSURING:
        now = set(loaded(con))
        made = None
        if con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'staging' and table_name = 'provided'"
        ).fetchone()[0]:
            made = {r[0] for r in con.execute("select list_name from staging.provided").fetchall()}
        if made == now:
            return now
        with warehouse.transaction(con):
            return create(con)
