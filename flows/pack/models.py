"""The pack's models: build(con) binds the inputs under `pack_src` in the run's warehouse
(flows.pack.sources: a statistics table that is missing becomes an empty typed view, as a missing
list does in staging, so no model fails) and runs the sql/pack models in the order their
`-- depends:` lines give; a run does it in its indicators stage.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from flows import sql_models, warehouse
from flows.annex_a import staging
from flows.pack import coverage
from flows.pack import sources as pack_sources

if TYPE_CHECKING:
    from flows.context import RunContext

log = logging.getLogger("ilacs_pia")


# --- building ---------------------------------------------------------------------------------------
def build(con: duckdb.DuckDBPyConnection, notification_date: dt.date) -> dict[str, bool]:
    """Bind the sources and run every sql/pack model in the order of their `-- depends:` lines;
    returns what is available. All in one transaction. (notification_date is not read: the models
    count working days in meta.calendar, written with meta.run.)

    pack.national_comparisons is made from the indicators stage's tables (100_…): a model reading
    those is skipped when the statistics were not available, and pack_src.national_comparisons (a
    step of the order, below) is then an empty typed view, so the models reading it still run.
    """
    provided = staging.ensure(con)
    with warehouse.transaction(con):
        available = pack_sources.bind_sources(con, provided)
        coverage.bind_conditional(con, available)
        con.execute("create schema if not exists pack")

        def bind_national_comparisons(c: duckdb.DuckDBPyConnection) -> None:
            available["national_comparisons"] = pack_sources.bind_national_comparisons(c)

        step = sql_models.Model(
            "bind_national_comparisons",
            makes="pack_src.national_comparisons",
            depends=("pack.national_comparisons",),
            run=bind_national_comparisons,
        )
        sql_models.run(con, [*sql_models.layer_models("pack"), step], _statistics_missing)
        # what render needs to know of this build when it runs later, in another stage
        warehouse.write_table(
            con,
            "pack",
            "availability",
            pl.DataFrame(
                {"name": list(available), "available": list(available.values())},
                schema={"name": pl.String, "available": pl.Boolean},
            ),
        )
    return available


def _statistics_missing(model: sql_models.Model, missing: list[str]) -> bool:
    """A model reading the indicators stage's tables is skipped when they are missing (the statistics
    could not be attached); anything else missing is an error."""
    if all(name.startswith("indicators.") for name in missing):
        log.warning("pack model %s skipped: statistics tables not available", model.stem)
        return True
    return False


def build_models(ctx: RunContext) -> dict[str, bool]:
    """The pack's models in the run's warehouse (the indicators stage: design "indicators ── audit
    lists, unregistered provision summary, national comparisons"), so that render only reads them.
    They are views over quality.issues, so they may be built while validation is still writing."""
    con = ctx.db.connect()
    try:
        return build(con, ctx.notification_date)
    finally:
        con.close()


def availability(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """What the last build said was available (list and statistics tables)."""
    return dict(con.execute("select name, available from pack.availability").fetchall())
