"""DuckDB: connections, the run-context table, and the sql/ models run in file order.

Models are one statement per file (`create or replace view|table … as …`). They read run
parameters from `meta.run` (one row) instead of string formatting, so the SQL stays static.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl

from flows.settings import SQL_DIR

LAYERS = ("annex_a", "quality", "statistics", "indicators", "pack")


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def set_run_context(
    con: duckdb.DuckDBPyConnection,
    *,
    la_code: str,
    notification_date: dt.date,
    visit_type: str,
    period_start: dt.date,
    period_start_12m: dt.date,
) -> None:
    """One row of run parameters that every model may join to."""
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.run as select ?::varchar as la_code, ?::date as notification_date, "
        "?::varchar as visit_type, ?::date as period_start, ?::date as period_start_12m",
        [la_code, notification_date, visit_type, period_start, period_start_12m],
    )


def model_files(layer: str) -> list[Path]:
    if layer not in LAYERS:
        raise ValueError(f"unknown SQL layer {layer!r}")
    return sorted((SQL_DIR / layer).glob("*.sql"))


def run_models(con: duckdb.DuckDBPyConnection, layer: str) -> list[str]:
    """Run every model of a layer in file order; returns the model names run."""
    con.execute(f"create schema if not exists {layer}")  # layer is from the allow-list above
    ran = []
    for path in model_files(layer):
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as e:
            raise RuntimeError(f"SQL model {path.relative_to(SQL_DIR)} failed: {e}") from e
        ran.append(path.stem)
    return ran


_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ident(name: str) -> str:
    """An identifier for SQL, allowed only if it is a plain snake_case name."""
    if not _IDENT.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r:.80}")
    return name


def write_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, df: pl.DataFrame) -> None:
    """Replace schema.table with a polars frame (handed over through Arrow)."""
    schema, table = ident(schema), ident(table)
    con.execute(f'create schema if not exists "{schema}"')
    arrow = df.to_arrow()  # noqa: F841 - referenced by name in the SQL below
    con.execute(f'create or replace table "{schema}"."{table}" as select * from arrow')  # noqa: S608 - identifiers checked by ident()


def tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]
