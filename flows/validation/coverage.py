"""How much of each column the LA filled in: quality.column_coverage, and one finding per column
that is blank or unreadable on most rows (instead of a finding on every row of it).

The pack reads quality.column_coverage so that nothing is headlined from a column that is mostly
blank: a rate worked out from a tenth of the rows says nothing about the LA.

quality.column_coverage(list_name, column_name /* template header */, column_key /* annex_a column */,
rows, blank, unparseable, mostly_blank) has one row for every spec column of every provided list.
`blank` counts cells empty or holding a blank-like token ("#N/A", "NULL", "-"; the reader's own
list, normalise.BLANK_TOKENS); `unparseable` counts cells with text that did not become a date,
number or template code. `mostly_blank` is true when blank + unparseable is more than half the
rows, or when the column was missing from what the LA sent.
"""

from __future__ import annotations

import polars as pl

TABLE = "quality.column_coverage"

SCHEMA: dict[str, pl.DataType] = {
    "list_name": pl.String,
    "column_name": pl.String,
    "column_key": pl.String,
    "rows": pl.Int64,
    "blank": pl.Int64,
    "unparseable": pl.Int64,
    "mostly_blank": pl.Boolean,
}

# column types whose text is turned into something (the rest are kept as text: never unparseable)
_PARSED = {"date", "int", "code"}


def missing_columns(con) -> set[tuple[str, str]]:
    """(list, template header) the reader found missing from a sheet (rule column_missing)."""
    rows = con.execute(
        "select distinct list_name, column_name from quality.reader_issues where rule = 'column_missing'"
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def _one_value(frame: pl.DataFrame, column: str) -> str | None:
    """The column's value when every row has the same one (the list's file, its sheet), else None."""
    if column not in frame.columns or frame.height == 0:
        return None
    values = frame.get_column(column)
    first = values[0]
    return first if first is not None and (values == first).all() else None


def list_coverage(spec, frame: pl.DataFrame, missing: set[tuple[str, str]]) -> list[dict]:
    """One row per spec column of one list's typed frame (as the reader leaves it in annex_a).

    The reader leaves a typed value null exactly when the cell was blank or could not be read, so
    the null counts (Arrow keeps them: no pass over the data) tell most of it; only where some text
    did not become a value is that text looked at, to tell a blank-like token from an unreadable
    value (normalise.clean: the reader's own test)."""
    from flows.annex_a.normalise import clean

    rows = frame.height
    nulls = frame.null_count().row(0, named=True) if rows else {}
    source_file = _one_value(frame, "source_file")
    source_sheet = _one_value(frame, "source_sheet") if source_file is not None else None
    out = []
    for c in spec.columns:
        raw = f"{c.name}_raw" if f"{c.name}_raw" in frame.columns else c.name
        present = c.name in frame.columns
        typed_nulls = nulls.get(c.name, rows) if present else rows
        unparseable = 0
        parsed = c.type in _PARSED and (c.type != "code" or c.codes is not None)
        if present and parsed and raw != c.name and typed_nulls > nulls.get(raw, rows):
            unparseable = frame.select(
                (pl.col(c.name).is_null() & clean(pl.col(raw)).is_not_null()).sum()
            ).item()
        blank = typed_nulls - unparseable
        absent = not present or ((spec.table, c.header) in missing and blank == rows)
        out.append(
            {
                "list_name": spec.table,
                "column_name": c.header,
                "column_key": c.name,
                "rows": rows,
                "blank": blank,
                "unparseable": unparseable,
                "mostly_blank": absent or 2 * (blank + unparseable) > rows,
                "absent": absent,
                "required": c.required,
                "source_file": source_file,
                "source_sheet": source_sheet,
            }
        )
    return out


_EXTRA: dict[str, pl.DataType] = {
    "absent": pl.Boolean,
    "required": pl.Boolean,
    "source_file": pl.String,
    "source_sheet": pl.String,
}


def write_coverage(con, rows: list[dict]) -> pl.DataFrame:
    """quality.column_coverage from list_coverage's rows: written, and returned with what
    mostly_blank_findings needs besides."""
    from flows import warehouse

    frame = pl.DataFrame(rows, schema={**SCHEMA, **_EXTRA}, orient="row")
    warehouse.write_table(con, "quality", "column_coverage", frame.select(list(SCHEMA)))
    return frame


def mostly_blank_findings(coverage: pl.DataFrame) -> pl.DataFrame:
    """One column_mostly_blank finding per list and column that the LA sent, that has rows, and that
    is mostly blank where the template requires it, or mostly unreadable whatever it is.

    A column the template lets be blank (a closure date of an open case) is said nothing about;
    a column missing from the file was already reported by the reader (column_missing)."""
    from flows import findings as F

    hit = coverage.filter(
        ~pl.col("absent")
        & (pl.col("rows") > 0)
        & (
            (pl.col("required") & pl.col("mostly_blank"))
            | (2 * pl.col("unparseable") > pl.col("rows"))
        )
    )
    found = []
    for r in hit.iter_rows(named=True):  # one row per column (a few dozen at most)
        what = f"blank on {r['blank']:,}"
        if r["unparseable"]:
            what += f" and unreadable on {r['unparseable']:,}"
        found.append(
            F.Finding(
                r["list_name"],
                "column_mostly_blank",
                F.RULES["column_mostly_blank"][0],
                f"{r['column_name']} is {what} of {r['rows']:,} rows; fill it in from the case "
                "records. Nothing is concluded from this column until it is.",
                source_file=r["source_file"],
                source_sheet=r["source_sheet"],
                column_name=r["column_name"],
            )
        )
    return F.frame(found)


# per-row findings that one column_mostly_blank finding replaces: a blank cell has no value to
# show, so one line per row says nothing the column's finding does not. Errors (a blank child ID or
# key date makes that row unusable) and unreadable values (the analyst needs each value) stay.
REPLACED = {"rule": "required_blank", "severity": "warning"}


def without_replaced(found: pl.DataFrame, mostly_blank: pl.DataFrame) -> pl.DataFrame:
    """`found` without the per-row findings that a column_mostly_blank finding replaces."""
    if mostly_blank.is_empty() or found.is_empty():
        return found
    replaced = (
        mostly_blank.select("list_name", "column_name")
        .unique()
        .with_columns(pl.lit(True).alias("_replaced"))
    )
    return (
        found.join(replaced, on=["list_name", "column_name"], how="left", nulls_equal=True)
        .filter(
            ~(
                pl.col("_replaced").fill_null(False)
                & (pl.col("rule") == REPLACED["rule"])
                & (pl.col("severity") == REPLACED["severity"])
            )
        )
        .drop("_replaced")
    )
