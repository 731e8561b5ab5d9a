"""Which list columns the pack may rest a figure on.

Validation writes quality.column_coverage (one row per spec column of each provided list, with
`mostly_blank` when blank + unparseable is more than half the rows or the column was not sent). The
pack binds it as pack_src.column_coverage; a warehouse without it (validation not run yet, or an
older run) gets the same rows computed here from the typed columns for the columns the dictionary
names, where a NULL typed value is a blank or an unparseable one. Either way `gaps` says, for a
headline's `rests_on`, what is missing and why.
"""

from __future__ import annotations

import duckdb
import polars as pl

from flows import warehouse
from flows.annex_a import specs
from flows.pack import dictionary

SCHEMA = {
    "list_name": pl.String,
    "column_name": pl.String,
    "column_key": pl.String,
    "rows": pl.Int64,
    "blank": pl.Int64,
    "unparseable": pl.Int64,
    "mostly_blank": pl.Boolean,
}


def declared() -> list[tuple[str, str]]:
    """Every (list, column) a headline, list, recent measure or theme rests on, once, in order."""
    pairs = [p for item in dictionary.LINES_OF_ENQUIRY for p in item["rests_on"]]
    pairs += [p for m in dictionary.RECENT_MEASURES.values() for p in m["rests_on"]]
    pairs += [p for h in dictionary.HEADLINES.values() for p in h["rests_on"]]
    return list(dict.fromkeys(pairs))


def bind_fallback(con: duckdb.DuckDBPyConnection, available: dict[str, bool]) -> None:
    """pack_src.column_coverage computed from the typed columns (blank and unparseable are not told
    apart: both are NULL, counted as blank) for the declared columns of the provided lists."""
    rows: list[dict] = []
    for list_name, column in declared():
        if not available.get(list_name):
            continue
        sql = f'select count(*), count("{column}") from pack_src."{list_name}"'  # noqa: S608 - names from the specs
        n, filled = con.execute(sql).fetchall()[0]
        rows.append(
            {
                "list_name": list_name,
                "column_name": column,
                "column_key": specs.header_key(specs.spec(list_name).column(column).header),
                "rows": n,
                "blank": n - filled,
                "unparseable": 0,
                "mostly_blank": n == 0 or (n - filled) * 2 > n,
            }
        )
    warehouse.write_table(
        con, "pack_src", "column_coverage_computed", pl.DataFrame(rows, schema=SCHEMA)
    )
    con.execute(
        "create or replace view pack_src.column_coverage as "
        "select * from pack_src.column_coverage_computed"
    )


def gaps(
    rests_on: tuple[tuple[str, str], ...],
    available: dict[str, bool],
    coverage: dict[tuple[str, str], dict],
) -> list[dict]:
    """What stops a figure resting on these columns: a list not provided, or a column blank or
    unparseable on most rows (or not sent). Empty when the figure may be shown."""
    out = []
    for list_name, column in rests_on:
        spec = specs.spec(list_name)
        where = f"list {spec.number}" if spec.number[0].isdigit() else spec.title
        if not available.get(list_name):
            out.append({"list": list_name, "column": None, "text": f"{where} was not provided"})
            continue
        c = coverage.get((list_name, column))
        if c is None or not c["mostly_blank"]:
            continue
        header = spec.column(column).header
        empty = (c["blank"] or 0) + (c["unparseable"] or 0)
        how = (
            f"blank or unreadable on {empty:,} of {c['rows']:,} rows"
            if c["rows"] and empty
            else "not sent"
        )
        out.append({"list": list_name, "column": column, "text": f"{header!r} ({where}) {how}"})
    return out
