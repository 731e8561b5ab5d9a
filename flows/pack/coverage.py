"""Which list columns the pack may rest a figure on.

Validation writes quality.column_coverage (one row per spec column of each provided list: column_name
the template header, column_key the annex_a column the dictionary names, with
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
from flows.validation.coverage import SCHEMA  # the table's one shape: validation writes it


def declared() -> list[tuple[str, ...]]:
    """Every (list, column[, condition]) a headline, list or recent measure rests on, once, in order."""
    pairs = [p for item in dictionary.LINES_OF_ENQUIRY for p in item["rests_on"]]
    pairs += [p for m in dictionary.RECENT_MEASURES.values() for p in m["rests_on"]]
    pairs += [p for h in dictionary.HEADLINES.values() for p in h["rests_on"]]
    return list(dict.fromkeys(pairs))


def _count(con, list_name: str, column: str, condition: str | None) -> dict:
    where = f" where {condition}" if condition else ""
    sql = f'select count(*), count("{column}") from staging."{list_name}"{where}'  # noqa: S608 - names and conditions from the specs and the dictionary
    n, filled = con.execute(sql).fetchall()[0]
    return {"rows": n, "blank": n - filled, "unparseable": 0, "mostly_blank": (n - filled) * 2 > n}


def bind_conditional(con: duckdb.DuckDBPyConnection, available: dict[str, bool]) -> None:
    """pack_src.conditional_coverage: the declared columns asked only of some rows, judged on those
    rows (validation's coverage is over all rows). No such row: nothing to judge, not blank."""
    rows = [
        {"list_name": p[0], "column_key": p[1], "condition": p[2], **_count(con, *p)}
        for p in declared()
        if len(p) == 3 and available.get(p[0])
    ]
    schema = {**SCHEMA, "condition": pl.String}
    del schema["column_name"]
    warehouse.write_table(
        con, "pack_src", "conditional_coverage", pl.DataFrame(rows, schema=schema)
    )


def bind_fallback(con: duckdb.DuckDBPyConnection, available: dict[str, bool]) -> None:
    """pack_src.column_coverage computed from the typed columns (blank and unparseable are not told
    apart: both are NULL, counted as blank) for the declared columns of the provided lists."""
    rows: list[dict] = []
    for list_name, column in dict.fromkeys(p[:2] for p in declared()):
        if not available.get(list_name):
            continue
        counted = _count(con, list_name, column, None)
        rows.append(
            {
                "list_name": list_name,
                "column_name": specs.spec(list_name).column(column).header,
                "column_key": column,
                **counted,
                "mostly_blank": counted["rows"] == 0 or counted["mostly_blank"],
            }
        )
    warehouse.write_table(
        con, "pack_src", "column_coverage_computed", pl.DataFrame(rows, schema=SCHEMA)
    )
    con.execute(
        "create or replace view pack_src.column_coverage as "
        "select * from pack_src.column_coverage_computed"
    )


def bind(con: duckdb.DuckDBPyConnection, available: dict[str, bool]) -> None:
    """pack_src.column_coverage, bound when the pack is rendered: validation's table when validation
    ran (in a run it always has by then), else computed here. Decided at render, never while the
    models are built: that runs beside validation, and which finished first must not change the pack."""
    if "column_coverage" in warehouse.tables(con, "quality"):
        con.execute(
            "create or replace view pack_src.column_coverage as select list_name, column_name, "
            "column_key, rows, blank, unparseable, mostly_blank from quality.column_coverage"
        )
    else:
        bind_fallback(con, available)


def gaps(
    rests_on: tuple[tuple[str, ...], ...],
    available: dict[str, bool],
    coverage: dict[tuple[str, str], dict],
) -> list[dict]:
    """What stops a figure resting on these columns: a list not provided, or a column blank or
    unparseable on most rows (or not sent). Empty when the figure may be shown."""
    out = []
    for list_name, column, *condition in rests_on:
        spec = specs.spec(list_name)
        where = f"list {spec.number}" if spec.number[0].isdigit() else spec.title
        if not available.get(list_name):
            out.append({"list": list_name, "column": None, "text": f"{where} was not provided"})
            continue
        c = coverage.get((list_name, column, *condition))
        if c is None or not c["mostly_blank"]:
            continue
        header = spec.column(column).header
        empty = (c["blank"] or 0) + (c["unparseable"] or 0)
        rows = "rows where " + condition[0].replace("_", " ") if condition else "rows"
        how = (
            f"blank or unreadable on {empty:,} of {c['rows']:,} {rows}"
            if c["rows"] and empty
            else "not sent"
        )
        out.append({"list": list_name, "column": column, "text": f"{header!r} ({where}) {how}"})
    return out
