"""Indicators for one run: the statistics database attached read-only to the run's warehouse, and
sql/indicators/*.sql, which copy what the pack needs for the inspected LA into indicators.* (the
warehouse is then self-contained) and compute the same measures from the LA's own Annex A.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import polars as pl

log = logging.getLogger("ilacs_pia")


_REQUIRES = re.compile(r"^--\s*requires:\s*(.+)$", re.MULTILINE)


_TABLE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


_INDICATORS = re.compile(r"^--\s*indicators:\s*(.+)$", re.MULTILINE)


# --- indicators for one run ----------------------------------------------------------------------------
def build_indicators(ctx) -> list[str]:
    """indicators.* in the run's warehouse for the inspected LA; returns the models run."""

    con = ctx.db.connect()
    try:
        con.execute("create schema if not exists indicators")
        _write_calendar(con, ctx.notification_date)
        con.execute("attach ? as stats (read_only)", [str(ctx.statistics_db)])
        try:
            ran = run_indicator_models(con)
        finally:
            con.execute("detach stats")
    finally:
        con.close()
    return ran


def run_indicator_models(con, paths: list[Path] | None = None) -> list[str]:
    """sql/indicators in file order. A model headed `-- requires: annex_a.<list>` whose list the LA did
    not supply is skipped; for each id in its `-- indicators:` header annex_a_recent_counts gets a row with
    NULL counts and a note saying which list was missing. One transaction."""
    from flows import warehouse

    ran = []
    with warehouse.transaction(con):
        for path in paths if paths is not None else warehouse.model_files("indicators"):
            sql = path.read_text(encoding="utf-8")
            needs = [t.strip() for m in _REQUIRES.findall(sql) for t in m.split(",")]
            missing = [t for t in needs if _TABLE.match(t) and not _table_exists(con, t)]
            if missing:
                ids = [
                    i.strip() for m in _INDICATORS.findall(sql) for i in m.split(",") if i.strip()
                ]
                note = f"Not computed: {', '.join(_list_title(t) for t in missing)} not supplied."
                for i in ids:
                    con.execute(
                        "insert into indicators.annex_a_recent_counts values (?, null, null, ?)",
                        [i, note],
                    )
                continue
            try:
                con.execute(sql)
            except Exception as e:
                raise RuntimeError(f"SQL model indicators/{path.name} failed: {e}") from e
            ran.append(path.stem)
    return ran


def _table_exists(con, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(
        con.execute(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ? "
            "and table_catalog = current_database()",
            [schema, table],
        ).fetchall()
    )


def _list_title(qualified: str) -> str:
    from flows.annex_a import specs

    table = qualified.split(".")[1]
    try:
        sp = specs.spec(table)
        return f"list {sp.number} ({sp.title})"
    except (KeyError, StopIteration, ValueError):
        return table


def _write_calendar(con, notification_date: dt.date) -> None:
    """indicators.calendar(day, working_day): England bank holidays from the `holidays` package."""
    import holidays

    start, end = (
        dt.date(notification_date.year - 3, 1, 1),
        dt.date(notification_date.year + 1, 12, 31),
    )
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, end.year + 1))
    days = pl.date_range(start, end, "1d", eager=True).alias("day")
    cal = (
        pl.DataFrame({"day": days})
        .with_columns(
            (pl.col("day").dt.weekday() <= 5).alias("weekday"),
            pl.col("day").is_in(list(bank.keys())).alias("bank_holiday"),
        )
        .with_columns((pl.col("weekday") & ~pl.col("bank_holiday")).alias("working_day"))
    )
    from flows import warehouse

    warehouse.write_table(con, "indicators", "calendar", cal)
