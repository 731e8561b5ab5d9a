"""Indicators for one run: the statistics database attached read-only to the run's warehouse, and
sql/indicators/*.sql, which copy what the pack needs for the inspected LA into indicators.* (the
warehouse is then self-contained) and compute the same measures from the LA's own Annex A.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger("ilacs_pia")


_INDICATORS = re.compile(r"^--\s*indicators:\s*(.+)$", re.MULTILINE)


# --- indicators for one run ----------------------------------------------------------------------------
def build_indicators(ctx) -> list[str]:
    """indicators.* in the run's warehouse for the inspected LA; returns the models run."""
    con = ctx.db.connect()
    try:
        con.execute("create schema if not exists indicators")
        con.execute("attach ? as stats (read_only)", [str(ctx.statistics_db)])
        try:
            ran = run_indicator_models(con)
        finally:
            con.execute("detach stats")
    finally:
        con.close()
    return ran


def run_indicator_models(con, paths: list[Path] | None = None) -> list[str]:
    """sql/indicators (or the files given) in the order their `-- depends:` lines give, in one
    transaction. A model that reads an Annex A list the LA did not supply (annex_a.<list> is not in
    the warehouse) is not run: for each id in its `-- indicators:` header annex_a_recent_counts gets
    a row with NULL counts and a note saying which list was missing."""
    from flows import sql_models, warehouse

    def not_supplied(model: sql_models.Model, missing: list[str]) -> bool:
        if not all(t.startswith("annex_a.") for t in missing):
            return False  # anything else missing is an error
        ids = [i.strip() for m in _INDICATORS.findall(model.sql) for i in m.split(",") if i.strip()]
        note = f"Not computed: {', '.join(_list_title(t) for t in missing)} not supplied."
        for i in ids:
            con.execute(
                "insert into indicators.annex_a_recent_counts values (?, null, null, ?)", [i, note]
            )
        return True

    if paths is None:
        models = sql_models.layer_models("indicators")
    else:
        models = [sql_models.read_model(p) for p in paths]
    with warehouse.transaction(con):
        return sql_models.run(con, models, not_supplied)


def _list_title(qualified: str) -> str:
    from flows.annex_a import specs

    table = qualified.split(".")[1]
    try:
        sp = specs.spec(table)
        return f"list {sp.number} ({sp.title})"
    except (KeyError, StopIteration, ValueError):
        return table
