"""quality.lists: per list, provided, rows, files, the dates covered against the period expected, and
its findings by severity."""

from __future__ import annotations

import datetime as dt

import polars as pl

from flows import warehouse
from flows.annex_a.load import META_LISTS_SCHEMA

# --- per-list summary (quality.lists): provided, rows, date range covered vs expected ---------------
# 3.17 must cover placements that ended in the period, but its start dates are what show its coverage
_RANGE_OVERRIDES = {"unregistered_provision": "provision_start_date"}


def _range_column(spec) -> str | None:
    """The date whose range shows what period a list covers."""
    if spec.table in _RANGE_OVERRIDES:
        return _RANGE_OVERRIDES[spec.table]
    if spec.period in ("six_months", "twelve_months") and spec.period_column:
        return spec.period_column
    key = next((c.name for c in spec.columns if c.key_date), None)
    other = next(
        (c.name for c in spec.columns if c.type == "date" and c.name != "date_of_birth"), None
    )
    return key or spec.period_column or other


def expected_range(spec, run: dict) -> tuple[dt.date | None, dt.date | None, str]:
    nd = run["notification_date"]
    if spec.period == "six_months" and spec.table not in _RANGE_OVERRIDES:
        return run["period_start"], nd, "the six months before notification"
    if spec.period == "twelve_months":
        return run["period_start_12m"], nd, "the 12 months before notification"
    if spec.period == "point_of_inspection" or spec.table in _RANGE_OVERRIDES:
        return (
            None,
            nd,
            (
                f"open at notification, or ended on or after {run['period_start']:%d/%m/%Y} (may start earlier)"
            ),
        )
    return nd, nd, "on the notification date"


def _meta_lists(con) -> dict[str, tuple]:
    """{list: (rows, files, sheets)} as the reader recorded them in meta.lists, when it did."""
    if "lists" not in warehouse.tables(con, "meta"):
        return {}
    return {
        name: (rows, files, sheets)
        for name, rows, files, sheets in con.execute(
            "select list_name, rows, files, sheets from meta.lists"
        ).fetchall()
    }


def list_extents(con, provided: set[str]) -> dict[str, tuple]:
    """Each provided list's rows, files, sheets and the range of its period date, in one query (one
    a list cost ~3 ms); table and column names come from the specs. Rows, files and sheets are as
    the reader recorded them in meta.lists, and counted only where it did not: the distinct files
    and sheets of every row cost the largest LA 40 ms, its dates 4 ms."""
    from flows.annex_a.specs import SPECS

    known = _meta_lists(con)
    extents = []
    for spec in SPECS:
        if spec.table in provided:
            column = _range_column(spec)
            col = f'"{column}"' if column else "cast(null as date)"
            counts = (
                "cast(null as bigint), cast(null as varchar), cast(null as varchar)"
                if all(known.get(spec.table, (None,)))
                else "count(*), string_agg(distinct source_file, '; ' order by source_file), "
                "string_agg(distinct source_sheet, '; ' order by source_sheet)"
            )
            extents.append(
                f"select '{spec.table}', {counts}, min({col}), max({col}) "  # noqa: S608
                f'from annex_a."{spec.table}"'
            )
    if not extents:
        return {}
    out = {}
    for name, *counted, covered_from, covered_to in con.execute(
        " union all ".join(extents)
    ).fetchall():
        recorded = known.get(name, (None, None, None))
        out[name] = (
            *(r or c for r, c in zip(recorded, counted, strict=True)),
            covered_from,
            covered_to,
        )
    return out


def write_list_summary(
    con, provided: set[str], run: dict, extent: dict[str, tuple] | None = None
) -> None:
    """quality.lists: each list's rows, files, dates covered against the period expected, and its
    findings by severity (quality.issues as it stands). `extent`: list_extents, when already known."""
    from flows.annex_a.specs import SPECS

    counts = {
        (ln, sev): n
        for ln, sev, n in con.execute(
            "select list_name, severity, count(*) from quality.issues group by all"
        ).fetchall()
    }
    if extent is None:
        extent = list_extents(con, provided)
    out = []
    for spec in SPECS:
        column = _range_column(spec)
        rows = files = sheets = covered_from = covered_to = None
        if spec.table in provided:
            rows, files, sheets, covered_from, covered_to = extent[spec.table]
        exp_from, exp_to, note = expected_range(spec, run)
        out.append(
            {
                "list_name": spec.table,
                "number": spec.number,
                "title": spec.title,
                "provided": spec.table in provided,
                "rows": rows,
                "files": files,
                "sheets": sheets,
                "date_column": spec.column(column).header if column else None,
                "covered_from": covered_from,
                "covered_to": covered_to,
                "expected_from": exp_from,
                "expected_to": exp_to,
                "expected_note": note,
                **{f"{s}s": counts.get((spec.table, s), 0) for s in ("error", "warning", "info")},
            }
        )
    frame = pl.DataFrame(
        out,
        schema={
            **META_LISTS_SCHEMA,
            "date_column": pl.String,
            "covered_from": pl.Date,
            "covered_to": pl.Date,
            "expected_from": pl.Date,
            "expected_to": pl.Date,
            "expected_note": pl.String,
            "errors": pl.Int64,
            "warnings": pl.Int64,
            "infos": pl.Int64,
        },
        orient="row",
    )
    from flows import warehouse

    warehouse.write_table(con, "quality", "lists", frame)


def summary_table(path) -> str:
    """quality.lists as a plain-text table for the terminal: per list, provided, rows, the dates
    covered against those expected, errors, warnings and info. Counts and dates only (no child
    values), so `pia validate` may print it."""
    from flows import warehouse as wh

    con = wh.connect(path, read_only=True)
    try:
        rows = con.execute(
            "select number, title, provided, rows, covered_from, covered_to, expected_from, "
            "expected_to, errors, warnings, infos from quality.lists"
        ).fetchall()
    finally:
        con.close()

    def when(a, b) -> str:
        return f"{a:%d/%m/%Y}-{b:%d/%m/%Y}" if a and b else (f"to {b:%d/%m/%Y}" if b else "")

    header = ("List", "Provided", "Rows", "Covered", "Expected", "Errors", "Warnings", "Info")
    body = [
        (
            f"{number} {title}"[:34],
            "yes" if provided else "no",
            f"{n:,}" if n is not None else "",
            when(cf, ct),
            when(ef, et),
            str(e),
            str(w),
            str(i),
        )
        for number, title, provided, n, cf, ct, ef, et, e, w, i in rows
    ]
    widths = [max(len(r[k]) for r in [header, *body]) for k in range(len(header))]
    right = {2, 5, 6, 7}  # numbers

    def line(cells) -> str:
        return "  ".join(
            c.rjust(w) if k in right else c.ljust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in body)])
