"""DuckDB: connections, the run-context table, and the sql/ models run in file order.

Models are one statement per file (`create or replace view|table … as …`). They read run
parameters from `meta.run` (one row) instead of string formatting, so the SQL stays static.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from flows.config import SQL_DIR

LAYERS = ("annex_a", "quality", "statistics", "indicators", "pack")


# Databases a run holds open across its stages (kept_open), by absolute path, and frames a stage
# shared with the later stages of that run (share_frames).
_KEPT: dict[str, duckdb.DuckDBPyConnection] = {}
_SHARED: dict[str, dict[str, pl.DataFrame]] = {}
_KEPT_LOCK = threading.Lock()


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file; a new cursor on it while a run holds it open (kept_open).

    A held database can take only connections of its own configuration, so `read_only` is then not
    applied: the stages that ask for it only read.
    """
    key = os.path.abspath(path)
    with _KEPT_LOCK:
        held = _KEPT.get(key)
        if held is not None:
            return cursor(held)
    return duckdb.connect(key, read_only=read_only)


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new cursor on con's database, for another thread. Use this, not con.cursor(): a held
    database is attached to its own instance (kept_open), and a bare cursor starts in that
    instance's empty in-memory database instead."""
    (name,) = con.execute("select current_database()").fetchone()
    cur = con.cursor()
    cur.execute(f'use "{name}"')  # noqa: S608 - a catalog name DuckDB gave, quoted
    return cur


@contextlib.contextmanager
def kept_open(path: Path | str) -> Iterator[None]:
    """Hold a run's database open while its stages run, then checkpoint and close it once (inside
    another kept_open of the same database, nothing more is done).

    Each stage still connects and closes on its own, but joins the open database instead of loading
    it again, and its close no longer writes a checkpoint: 0.25 s of the largest LA's 2.3 s run.

    The file is attached with row groups of ROW_GROUP_ROWS rows, to an instance of its own (a
    database opened by connect() cannot be given that), and the run's cursors use it (cursor()).
    """
    key = os.path.abspath(path)
    with _KEPT_LOCK:
        held = key in _KEPT
        if not held:
            con = _KEPT[key] = _open_held(key)
    if held:  # a stage inside a run that already holds it
        yield
        return
    try:
        yield
        con.execute("checkpoint")
    finally:
        with _KEPT_LOCK:
            del _KEPT[key]
            _SHARED.pop(key, None)
        con.close()


# Rows per row group of a run's warehouse (DuckDB's default: 122,880). Every Annex A list is smaller
# than one default group, so each was compressed whole at the load's commit, on one core; in groups
# of 8,192 the writes and the commit of the largest LA's lists cost DuckDB ~20% less (0.35 -> 0.28 s
# alone; the run's load 0.05-0.1 s shorter, measured interleaved in one process). Smaller groups
# made the writes slower again.
ROW_GROUP_ROWS = 8192
# With smaller groups a full group is written during the load, and what is left of the commit fell
# under DuckDB's 16 MB threshold: it was logged and checkpointed only when the run closed (0.03 s
# more there). At 1 MB each batch's commit writes its tables into the file.
CHECKPOINT_THRESHOLD = "1MB"
_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _open_held(key: str) -> duckdb.DuckDBPyConnection:
    """A run's database: the file attached to an instance of its own, as the catalog a plain
    connect() would name it (its file's stem), and used by default."""
    stem = Path(key).stem
    alias = stem if _ALIAS.match(stem) and stem not in ("memory", "system", "temp") else "warehouse"
    con = duckdb.connect(":memory:", config={"threads": run_threads()})
    try:
        con.execute(
            f'attach ? as "{alias}" (row_group_size {ROW_GROUP_ROWS})',  # noqa: S608 - alias checked above
            [key],
        )
        con.execute(f'use "{alias}"')
        con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    except BaseException:
        con.close()
        raise
    return con


def run_threads() -> int:
    """DuckDB's own threads for a run's held warehouse (PIA_DUCKDB_THREADS; default 1). A run already
    keeps both cores busy with its own threads, each on its own cursor; DuckDB splitting each ~100k-row
    query and the load's writes across workers as well cost the largest LA ~0.05 s more, not less."""
    try:
        return max(1, int(os.environ.get("PIA_DUCKDB_THREADS", "1")))
    except ValueError:
        return 1


def held(path: Path | str) -> bool:
    """True while a run holds this database open (kept_open)."""
    with _KEPT_LOCK:
        return os.path.abspath(path) in _KEPT


def share_frames(path: Path | str, frames: dict[str, pl.DataFrame]) -> None:
    """Offer frames just committed as tables (by "schema.table") to the later stages of a run that
    holds the database open, so they need not read the tables back (0.1 s for the largest LA's
    lists). Nothing is kept when the database is not held open; all is dropped when it closes."""
    key = os.path.abspath(path)
    with _KEPT_LOCK:
        if key in _KEPT:
            _SHARED.setdefault(key, {}).update(frames)


def shared_frame(path: Path | str, table: str) -> pl.DataFrame | None:
    """A frame share_frames offered for "schema.table" in this run, else None (read the table)."""
    with _KEPT_LOCK:
        return _SHARED.get(os.path.abspath(path), {}).get(table)


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


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One commit for a batch of statements, all or nothing. Left to itself DuckDB commits each
    statement, and a run creates ~150 views and small tables: one commit for each cost ~1 ms."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def run_models(con: duckdb.DuckDBPyConnection, layer: str) -> list[str]:
    """Run every model of a layer in file order, in one transaction; returns the model names run."""
    ran = []
    with transaction(con):
        con.execute(f"create schema if not exists {layer}")  # layer is from the allow-list above
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
    """Replace schema.table with a polars frame (handed over through Arrow, in its newest layout:
    DuckDB takes polars strings that way ~100x faster than as the older large strings)."""
    schema, table = ident(schema), ident(table)
    con.execute(f'create schema if not exists "{schema}"')
    arrow = df.to_arrow(compat_level=pl.CompatLevel.newest())  # noqa: F841 - referenced by name in the SQL below
    con.execute(f'create or replace table "{schema}"."{table}" as select * from arrow')  # noqa: S608 - identifiers checked by ident()


def tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]
