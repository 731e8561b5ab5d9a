"""The pack's inputs, so the SQL models never fail on a gap.

A list the LA did not supply has no `annex_a` table: the models read the lists from `staging.<list>`
(flows/annex_a/staging.py: the table, or an empty one with its typed columns). The other stages'
tables may be missing when that stage could not run (the statistics): the models read those as
`pack_src.<name>`, bound here the same way, a view over the real table when it exists, or an empty
view with the same typed columns when it does not. The `availability` returned says which is which,
so each section can say plainly what is not available. Identifiers come only from the list specs and
the fixed tables below (allow-lists), never from input.
"""

from __future__ import annotations

import duckdb
import polars as pl

from flows import warehouse
from flows.annex_a import specs
from flows.annex_a.load import META_LISTS_SCHEMA

_POLARS_SQL = {pl.String: "varchar", pl.Boolean: "boolean", pl.Int64: "bigint"}
META_LISTS_COLUMNS = tuple((name, _POLARS_SQL[dtype]) for name, dtype in META_LISTS_SCHEMA.items())

# Tables made by other stages (contracts.md), with the columns the pack reads.
OTHER_TABLES: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "lists": ("meta", "lists", META_LISTS_COLUMNS),
    "issues": (
        "quality",
        "issues",
        (
            ("list_name", "varchar"),
            ("source_file", "varchar"),
            ("source_sheet", "varchar"),
            ("source_row", "bigint"),
            ("column_name", "varchar"),
            ("rule", "varchar"),
            ("severity", "varchar"),
            ("message", "varchar"),
        ),
    ),
    "indicator_dictionary": (
        "indicators",
        "indicator_dictionary",
        (
            ("indicator_id", "varchar"),
            ("title", "varchar"),
            ("topic", "varchar"),
            ("unit", "varchar"),
            ("polarity", "varchar"),
            ("decimals", "bigint"),
            ("source", "varchar"),
            ("definition", "varchar"),
        ),
    ),
    "la_context": (
        "indicators",
        "la_context",
        (
            ("la_code", "varchar"),
            ("old_la_code", "varchar"),
            ("la_name", "varchar"),
            ("region_code", "varchar"),
            ("region_name", "varchar"),
            ("la_type", "varchar"),
            ("population_0_17", "bigint"),
            ("population_year", "varchar"),
        ),
    ),
    "stat_neighbours": (
        "indicators",
        "stat_neighbours",
        (
            ("la_code", "varchar"),
            ("neighbour_code", "varchar"),
            ("neighbour_name", "varchar"),
            ("neighbour_rank", "bigint"),
        ),
    ),
    "ilacs_judgements": (
        "indicators",
        "ilacs_judgements",
        (
            ("la_code", "varchar"),
            ("inspection_date", "date"),
            ("overall", "varchar"),
            ("help_and_protection", "varchar"),
            ("children_in_care", "varchar"),
            ("care_leavers", "varchar"),
            ("leadership", "varchar"),
            ("source", "varchar"),
            # not carried by the statistics tables yet: NULL, and the inspection date is used
            ("publication_date", "date"),
        ),
    ),
    "ilacs_history": (
        "indicators",
        "ilacs_history",
        (
            ("la_code", "varchar"),
            ("inspection_date", "date"),
            ("inspection_type", "varchar"),
            ("overall", "varchar"),
            ("publication_date", "date"),
        ),
    ),
    "history_breaks": (
        "indicators",
        "history_breaks",
        (("la_code", "varchar"), ("note", "varchar")),
    ),
    "annex_a_recent": (
        "indicators",
        "annex_a_recent",
        (
            ("indicator_id", "varchar"),
            ("value", "double"),
            ("numerator", "bigint"),
            ("denominator", "bigint"),
            ("period_start", "date"),
            ("period_end", "date"),
            ("note", "varchar"),
        ),
    ),
}
# Made by sql/pack/100_national_comparisons.sql (statistics engineer), bound after that model runs.
NATIONAL_COMPARISONS = (
    "pack",
    "national_comparisons",
    (
        ("la_code", "varchar"),
        ("indicator_id", "varchar"),
        ("period", "varchar"),
        ("la_value", "double"),
        ("sn_mean", "double"),
        ("sn_count", "bigint"),
        ("region_value", "double"),
        ("england_value", "double"),
        ("rank", "bigint"),
        ("rank_of", "bigint"),
        ("quartile_band", "varchar"),
        ("previous_value", "double"),
    ),
)


def exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _catalog(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[str]]:
    """(schema, table) -> column names of every table and view, in one query (one per table cost
    ~5 ms each, 66 of them)."""
    out: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database()"
    ).fetchall():
        out.setdefault((schema, table), set()).add(column)
    return out


def _bind(
    con,
    name: str,
    schema: str,
    table: str,
    columns: tuple[tuple[str, str], ...],
    catalog: dict[tuple[str, str], set[str]] | None = None,
) -> bool:
    """pack_src.<name> as a typed view over schema.table, or an empty typed view; True when real."""
    if catalog is None:
        real = exists(con, schema, table)
        have = _columns(con, schema, table) if real else set()
    else:
        real = (schema, table) in catalog
        have = catalog.get((schema, table), set())
    # A real table missing a column the pack reads still binds: that column is NULL (contract drift
    # shows up as "not recorded" rather than a crash; the other stage's tests own the contract).
    select = ", ".join(
        f'cast("{c}" as {t}) as "{c}"' if c in have else f'cast(null as {t}) as "{c}"'
        for c, t in columns
    )
    source = f' from "{schema}"."{table}"' if real else " limit 0"
    con.execute(f'create or replace view pack_src."{name}" as select {select}{source}')
    return real


def bind_sources(con: duckdb.DuckDBPyConnection, provided: set[str]) -> dict[str, bool]:
    """Bind every input but the lists under pack_src; returns {name: available} for lists (those
    provided, as staging.ensure said) and the other stages' tables."""
    con.execute("create schema if not exists pack_src")
    catalog = _catalog(con)
    available: dict[str, bool] = {s.table: s.table in provided for s in specs.SPECS}
    for name, (schema, table, cols) in OTHER_TABLES.items():
        available[name] = _bind(con, name, schema, table, cols, catalog)
    if not available["lists"]:
        _lists_from_tables(con, available)
    _list_children(con)
    return available


def bind_national_comparisons(con: duckdb.DuckDBPyConnection) -> bool:
    schema, table, cols = NATIONAL_COMPARISONS
    return _bind(con, "national_comparisons", schema, table, cols)


def _lists_from_tables(con, available: dict[str, bool]) -> None:
    """meta.lists is written by the reader; without it, say provided = the table exists."""
    con.execute(
        "create or replace table pack_src.lists_fallback (list_name varchar, number varchar, title varchar, "
        "provided boolean, rows bigint, files varchar, sheets varchar)"
    )
    for s in specs.SPECS:
        sql = f'select count(*) from staging."{s.table}"'  # noqa: S608 - table name from the specs
        rows = con.execute(sql).fetchall()[0][0] if available[s.table] else 0
        con.execute(
            "insert into pack_src.lists_fallback values (?, ?, ?, ?, ?, null, null)",
            [s.table, s.number, s.title, available[s.table], rows],
        )
    con.execute("create or replace view pack_src.lists as select * from pack_src.lists_fallback")


def _list_children(con) -> None:
    """pack_src.list_children(list_name, child_id): every child on every child-level list, once per list."""
    parts = [
        f"select distinct '{s.table}' as list_name, child_id from staging.\"{s.table}\" where child_id is not null"  # noqa: S608
        for s in specs.SPECS
        if "child_id" in s.by_name
    ]
    # a table, not a view: four pack models read it, and re-deriving it each time cost ~0.1 s
    # (an older warehouse may hold the view)
    kind = con.execute(
        "select table_type from information_schema.tables where table_schema = 'pack_src' "
        "and table_name = 'list_children'"
    ).fetchall()
    if kind and kind[0][0] == "VIEW":
        con.execute("drop view pack_src.list_children")
    con.execute("create or replace table pack_src.list_children as " + " union all ".join(parts))
    # which lists are about children (lists 11, 3.20 and 1.09 are about adopters, families and staff)
    # polars, not pyarrow constructors: those import pandas (~1 s in a fresh process)
    kinds = pl.DataFrame(
        {
            "list_name": [s.table for s in specs.SPECS],
            "child_level": ["child_id" in s.by_name for s in specs.SPECS],
        },
        schema={"list_name": pl.String, "child_level": pl.Boolean},
    )
    warehouse.write_table(con, "pack_src", "list_kinds", kinds)
