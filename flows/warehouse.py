"""DuckDB: connections, a run's warehouse held open across its stages, transactions, and the
run-context table every model joins to (the sql/ models are run by flows/sql_models.py).
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

from flows import working_days
from flows.config import settings


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file (a run's warehouse: RunWarehouse.connect, which joins it while
    the run holds it open)."""
    return duckdb.connect(os.path.abspath(path), read_only=read_only)


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new cursor on con's database, for another thread. Use this, not con.cursor(): a held
    database is attached to its own instance (RunWarehouse.held), and a bare cursor starts in that
    instance's empty in-memory database instead."""
    (name,) = con.execute("select current_database()").fetchone()
    cur = con.cursor()
    cur.execute(f'use "{name}"')  # noqa: S608 - a catalog name DuckDB gave, quoted
    return cur


class RunWarehouse:
    """A run's DuckDB file, held open across its stages, and the frames one stage offers the later
    stages of the same run. Each run has its own (RunContext.db): no state outside it.

    Each stage still connects and closes on its own (connect()), but joins the open database instead
    of loading it again, and its close no longer writes a checkpoint: 0.25 s of the largest LA's
    2.3 s run. Frames are offered (share) only while the database is held, and dropped when it
    closes: a stage that finds none reads the table back.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(os.path.abspath(path))
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._frames: dict[str, pl.DataFrame] = {}

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A new cursor on the held database, else a connection to the file. A held database takes
        only connections of its own configuration, so `read_only` is then not applied: the stages
        that ask for it only read."""
        with self._lock:
            if self._con is not None:
                return cursor(self._con)
        return connect(self.path, read_only=read_only)

    @property
    def is_held(self) -> bool:
        with self._lock:
            return self._con is not None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the database open while the stages run, then checkpoint and close it once (inside
        another held() of the same run, nothing more is done). The file is attached with row groups
        of ROW_GROUP_ROWS rows, to an instance of its own (a database opened by connect() cannot be
        given that), and the run's cursors use it (cursor())."""
        with self._lock:
            outer = self._con is None
            if outer:
                self._con = con = _open_held(str(self.path))
        if not outer:  # a stage inside a run that already holds it
            yield
            return
        try:
            yield
            con.execute("checkpoint")
        finally:
            with self._lock:
                self._con = None
                self._frames.clear()
            con.close()

    def share(self, frames: dict[str, pl.DataFrame]) -> None:
        """Offer frames just committed as tables (by "schema.table") to the later stages, so they
        need not read the tables back (0.1 s for the largest LA's lists). Kept only while held."""
        with self._lock:
            if self._con is not None:
                self._frames.update(frames)

    def shared(self, table: str) -> pl.DataFrame | None:
        """A frame share() offered for "schema.table", else None (read the table)."""
        with self._lock:
            return self._frames.get(table)


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
    return settings().duckdb_threads


def set_run_context(
    con: duckdb.DuckDBPyConnection,
    *,
    la_code: str,
    notification_date: dt.date,
    visit_type: str,
    period_start: dt.date,
    period_start_12m: dt.date,
) -> None:
    """One row of run parameters that every model may join to, and meta.calendar, the working days
    around the notification date that every model counting working days reads (flows/working_days.py)."""
    con.execute("create schema if not exists meta")
    con.execute(
        "create or replace table meta.run as select ?::varchar as la_code, ?::date as notification_date, "
        "?::varchar as visit_type, ?::date as period_start, ?::date as period_start_12m",
        [la_code, notification_date, visit_type, period_start, period_start_12m],
    )
    write_table(con, "meta", "calendar", working_days.calendar(notification_date))


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


# --- databases this product did not write ----------------------------------------------------------
def open_untrusted(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A DuckDB file someone else may have made, opened as data: read-only, and no access outside
    it (a view or macro in such a file can call read_text() or read_csv() on any path: a statistics
    database once put /etc/passwd into a pack). Use it to look before attaching."""
    return duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "lock_configuration": True,
        },
    )


def catalog_objects(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """What the connection's own database holds besides data: its views, macros, sequences and
    indexes (each `schema.name`), and its base tables."""
    (db,) = con.execute("select current_database()").fetchone()
    queries = {
        "table": "select schema_name, table_name from duckdb_tables() where database_name = ?",
        "view": "select schema_name, view_name from duckdb_views() "
        "where database_name = ? and not internal",
        "macro": "select schema_name, function_name from duckdb_functions() "
        "where database_name = ? and not internal",
        "sequence": "select schema_name, sequence_name from duckdb_sequences() where database_name = ?",
        "index": "select schema_name, index_name from duckdb_indexes() where database_name = ?",
    }
    return {
        kind: sorted(f"{s}.{n}" for s, n in con.execute(sql, [db]).fetchall())
        for kind, sql in queries.items()
    }
