"""The pack's models: build(con) binds the inputs under `pack_src` in the run's warehouse
(flows.pack.sources: a list or statistics table that is missing becomes an empty typed view, so no
model fails) and runs the sql/pack models in order; a run does it in its indicators stage.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from flows import warehouse
from flows.pack import sources as pack_sources

if TYPE_CHECKING:
    from flows.context import RunContext

log = logging.getLogger("ilacs_pia")


# Models in sql/pack/ owned by other stages; they may fail only when their own inputs are missing.
OTHERS_MODELS = {"100_national_comparisons": (("indicators", "comparisons"),)}


# --- building ---------------------------------------------------------------------------------------
def build(con: duckdb.DuckDBPyConnection, notification_date: dt.date) -> dict[str, bool]:
    """Bind the sources and run every sql/pack model in file order; returns what is available.

    pack.national_comparisons is made by another stage's model (100_…): it is bound under pack_src
    once that model has run, and it is skipped when the statistics tables it reads are missing.
    All in one transaction.
    """
    with warehouse.transaction(con):
        available = pack_sources.bind_sources(con, notification_date)
        con.execute("create schema if not exists pack")
        bound = False
        for path in warehouse.model_files("pack"):
            number = int(path.stem.split("_", 1)[0]) if path.stem[:3].isdigit() else 0
            if not bound and number > 100:
                available["national_comparisons"] = pack_sources.bind_national_comparisons(con)
                bound = True
            needs = OTHERS_MODELS.get(path.stem)
            if needs is not None and not all(pack_sources.exists(con, s, n) for s, n in needs):
                log.warning("pack model %s skipped: statistics tables not available", path.stem)
                continue
            try:
                con.execute(path.read_text(encoding="utf-8"))
            except duckdb.Error as e:
                raise RuntimeError(f"SQL model pack/{path.name} failed: {e}") from e
        if not bound:
            available["national_comparisons"] = pack_sources.bind_national_comparisons(con)
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
