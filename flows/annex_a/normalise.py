"""Turn the identified sheets of one list into raw.* and typed annex_a.* frames, plus findings.

All typing is polars expressions over whole columns; code sets are applied by mapping each distinct
raw value once (CodeSet.normalise) and replacing. Every value a cast rejects becomes a finding with
its file, sheet, Excel row and template header; the value itself goes only in `value`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from flows import findings as F
from flows.annex_a import specs as S
from flows.annex_a.identify import Identified
from flows.annex_a.readers import ROW, Grid

SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")
# Cell contents that mean "nothing here", after trimming (listed in the case variants LAs use, so
# the check is one hash lookup rather than an upper-casing pass over every cell).
BLANK_TOKENS = ("", "#N/A", "N/A", "n/a", "n/A", "N/a", "NULL", "null", "Null", "-", "#NULL!")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serials below this (1927-05-18) are far too early for any Annex A date; a bare number like a
# year ("2019") must not silently become a date in 1905.
_MIN_SERIAL, _MAX_SERIAL = 10_000, 2_958_465


@dataclass
class Part:
    """One sheet (or CSV) identified as holding the list."""

    grid: Grid
    ident: Identified
    body: pl.DataFrame  # the data rows (grid columns + ROW)


@dataclass
class Normalised:
    raw: pl.DataFrame | None  # None when raw_view says how to show the typed frame's *_raw columns
    typed: pl.DataFrame
    findings: pl.DataFrame
    # (header as read, spec column or None) in sheet order, when every part has the same headers, each
    # template column at most once: raw.* is then typed's <column>_raw under those headers, and is
    # written as a view rather than a second copy of the text (a third of the load's cost). A column
    # outside the template (None) comes from `extras`, its own text beside the source columns.
    raw_view: tuple[tuple[str, str | None], ...] | None = None
    extras: pl.DataFrame | None = None


def normalise(spec: S.ListSpec, parts: list[Part]) -> Normalised:
    raws, texts, found, views = [], [], [], []
    for part in parts:
        raw, text, extra, view = _part_frames(spec, part)
        raws.append(raw)
        texts.append(text)
        found.append(extra)
        views.append(view)
    text = pl.concat(texts, how="vertical")
    typed, value_findings = _type_columns(spec, text)
    findings = pl.concat([*found, value_findings], how="vertical")
    if views and views[0] is not None and all(v == views[0] for v in views):
        outside = [h for h, c in views[0] if c is None]
        extras = pl.concat([r(outside) for r in raws], how="vertical") if outside else None
        return Normalised(None, typed, findings, views[0], extras)
    raw = pl.concat(_same_spelling([r() for r in raws]), how="diagonal")
    return Normalised(raw, typed, findings)


def _same_spelling(frames: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """Headers that differ only in case ('Gender', 'GENDER') share one raw column, spelt as first
    seen: DuckDB column names are case-insensitive."""
    first: dict[str, str] = {}
    out = []
    for f in frames:
        for c in f.columns:
            first.setdefault(c.casefold(), c)
        out.append(
            f.rename({c: first[c.casefold()] for c in f.columns if first[c.casefold()] != c})
        )
    return out


# --- one sheet -------------------------------------------------------------------------------------
# a header safe to name a view column in SQL text (no quote, no control character); any other
# header keeps raw.* as a table, written through Arrow
_PLAIN_HEADER = re.compile(r'^[^"\x00-\x1f\x7f]{1,255}$')


def _part_frames(spec: S.ListSpec, part: Part):
    """(raw frame maker, text frame, findings, raw view columns or None) of one sheet."""
    grid, ident, body = part.grid, part.ident, part.body
    sources = [
        pl.lit(grid.source_file, pl.String).alias("source_file"),
        pl.lit(grid.source_sheet, pl.String).alias("source_sheet"),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
    ]
    # raw: every column with a header or any data, under its header text as read
    raw_names: dict[str, str] = {}
    used = {s.casefold() for s in SOURCE_COLUMNS}
    unexpected: list[str] = []
    for n, col in enumerate(grid.data_columns, start=1):
        header = ident.headers.get(col)
        has_header = header is not None and header.strip() != ""
        if not has_header and body.get_column(col).drop_nulls().len() == 0:
            continue  # a blank column
        name = header if has_header else f"unnamed_{n}"
        base, k = name, 2
        while name.casefold() in used:  # DuckDB column names are case-insensitive
            name, k = f"{base} ({k})", k + 1
        used.add(name.casefold())
        raw_names[col] = name
        if col not in ident.mapping:
            unexpected.append(name)

    def raw(only: list[str] | None = None) -> pl.DataFrame:
        """The raw columns (those headed `only`, when given) and the source columns."""
        return body.select(
            *(pl.col(c).alias(n) for c, n in raw_names.items() if only is None or n in only),
            *sources,
        )

    mapped = [m for c in raw_names if (m := ident.mapping.get(c)) is not None]
    view = (
        tuple((n, ident.mapping.get(c)) for c, n in raw_names.items())
        if len(set(mapped)) == len(mapped)
        and all(_PLAIN_HEADER.match(n) for n in raw_names.values())
        else None
    )

    by_name = {v: k for k, v in ident.mapping.items()}
    text = body.select(
        *(
            (pl.col(by_name[c.name]) if c.name in by_name else pl.lit(None, pl.String)).alias(
                c.name
            )
            for c in spec.columns
        ),
        *sources,
    )

    rows = []
    for c in spec.columns:
        if c.name not in by_name:
            rows.append(
                F.Finding(
                    spec.table,
                    "column_missing",
                    F.RULES["column_missing"][0],
                    f"The column '{c.header}' was not found in this sheet; its values are treated as blank.",
                    grid.source_file,
                    grid.source_sheet,
                    ident.header_row,
                    c.header,
                )
            )
    for name in unexpected:
        rows.append(
            F.Finding(
                spec.table,
                "column_unexpected",
                F.RULES["column_unexpected"][0],
                f"The column '{name}' is not in the template for {spec.title}; it is kept but not used.",
                grid.source_file,
                grid.source_sheet,
                ident.header_row,
                name,
            )
        )
    return raw, text, F.frame(rows), view


# --- values ----------------------------------------------------------------------------------------
def clean(expr: pl.Expr) -> pl.Expr:
    """Trimmed text, or null for a blank or a blank-like token ("#N/A", "N/A", "NULL", "-"). One
    expression serves any number of columns (pl.col(names)), so a list is cleaned by one expression
    rather than one per column; `replace` costs less than is_in then when/then (docs/benchmarks.md)."""
    return expr.str.strip_chars().replace(BLANK_TOKENS, None)


def parse_date(s: pl.Expr) -> pl.Expr:
    """A cleaned text value as a date: Excel serial, ISO (with or without time), dd/mm/yyyy, d/m/yyyy,
    dd/mm/yy, yyyymmdd, or '4 March 2025' / '04-Mar-2025'. Anything else is null."""
    serial = s.str.extract(r"^([0-9]+(?:\.[0-9]+)?)$").cast(pl.Float64, strict=False)
    from_serial = (
        pl.when(serial.is_between(_MIN_SERIAL, _MAX_SERIAL))
        .then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial.floor().cast(pl.Int64)))
        .cast(pl.Date)
    )
    iso = _iso_date(s)
    long_year = _day_month_year(s, r"[0-9]{4}", "%d/%m/%Y")
    short_year = _day_month_year(s, r"[0-9]{2}", "%d/%m/%y")
    compact = s.str.extract(r"^((?:19|20)[0-9]{6})$").str.to_date("%Y%m%d", strict=False)
    named = _groups(
        s, r"^([0-9]{1,2})(?:st|nd|rd|th)?[ \-/]+([A-Za-z]{3})[A-Za-z]*\.?[ \-/,]+([0-9]{4})$"
    )
    month_name = pl.concat_str(
        named[0], named[1].str.to_titlecase(), named[2], separator=" "
    ).str.to_date("%d %b %Y", strict=False)
    return pl.coalesce(
        pl.when(serial.is_not_null()).then(from_serial),
        iso,
        long_year,
        short_year,
        compact,
        month_name,
    )


# an ISO date, with or without a time: how the reader gives a date cell, so most dates are this
_ISO_DATE = r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(?:[ T][0-9:.]*)?$"


def _iso_date(s: pl.Expr) -> pl.Expr:
    return s.str.extract(_ISO_DATE).str.to_date("%Y-%m-%d", strict=False)


def parse_dates(values: pl.Series) -> pl.Series:
    """parse_date over distinct values (in their order), with the whole cascade run only on those
    not in ISO form. An ISO-form value can match no other form, so its date is the ISO parse; most
    lists hold no other, and the cascade cost ~1.5 ms a list even on a few thousand values."""
    frame = values.to_frame("s").with_columns(pl.col("s").str.extract(_ISO_DATE).alias("iso"))
    frame = frame.with_columns(pl.col("iso").str.to_date("%Y-%m-%d", strict=False).alias("date"))
    rest = frame.filter(pl.col("iso").is_null())
    if rest.is_empty():
        return frame.get_column("date")
    others = rest.select(pl.col("s"), parse_date(pl.col("s")).alias("other"))
    return (
        frame.join(others, on="s", how="left", maintain_order="left")
        .select(pl.coalesce("date", "other"))
        .to_series()
    )


def _groups(s: pl.Expr, pattern: str) -> list[pl.Expr]:
    g = s.str.extract_groups(pattern)
    return [g.struct.field(str(i)) for i in (1, 2, 3)]


def _day_month_year(s: pl.Expr, year: str, fmt: str) -> pl.Expr:
    d, m, y = _groups(s, r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-](" + year + r")(?:[ T][0-9:.]*)?$")
    return pl.concat_str(d, m, y, separator="/").str.to_date(fmt, strict=False)


def parse_int(s: pl.Expr) -> pl.Expr:
    """A cleaned text value as a whole number ('12', '12.0', '1,234'); anything else is null."""
    digits = s.str.replace_all(",", "").str.extract(r"^([+-]?[0-9]+)(?:\.0*)?$")
    return digits.cast(pl.Int64, strict=False)


def _type_columns(spec: S.ListSpec, text: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    names = [c.name for c in spec.columns]
    frame = text.with_columns(
        pl.col(names).name.prefix("__r_"), clean(pl.col(names)).name.prefix("__c_")
    )
    # Cast each distinct value once and replace across the column: 40,000 contacts hold a few
    # hundred distinct dates, and the date and number parsers run once per list, not per column.
    lookups = {
        kind: _parse_distinct(frame, [c for c in spec.columns if c.type == kind], parser)
        for kind, parser in (("date", parse_date), ("int", parse_int))
    }
    typed_exprs: list[pl.Expr] = []
    for c in spec.columns:
        s = pl.col(f"__c_{c.name}")
        if c.type in lookups:
            old, new = lookups[c.type]
            value = s.replace_strict(old, new, default=None, return_dtype=_DTYPES[c.type])
        elif c.type == "code" and c.codes is not None:
            distinct = frame.get_column(f"__c_{c.name}").unique().drop_nulls()
            mapped = pl.Series([c.codes.normalise(v) for v in distinct.to_list()], dtype=pl.String)
            value = s.replace_strict(distinct, mapped, default=None, return_dtype=pl.String)
        else:
            value = s
        typed_exprs.append(value.cast(_DTYPES[c.type]).alias(c.name))
    frame = frame.with_columns(typed_exprs)
    typed = frame.select(
        *(
            e
            for c in spec.columns
            for e in (pl.col(c.name), pl.col(f"__r_{c.name}").alias(f"{c.name}_raw"))
        ),
        *SOURCE_COLUMNS,
    )
    return typed, _value_findings(spec, frame)


def _parse_distinct(
    frame: pl.DataFrame, columns: list[S.Column], parser
) -> tuple[pl.Series, pl.Series]:
    """The distinct cleaned values of some columns, and each parsed."""
    values = (
        pl.concat(
            [frame.get_column(f"__c_{c.name}") for c in columns] or [pl.Series([], dtype=pl.String)]
        )
        .unique()
        .drop_nulls()
    )
    if parser is parse_date:
        return values, parse_dates(values)
    return values, values.to_frame("s").select(parser(pl.col("s"))).to_series()


_DTYPES: dict[str, pl.DataType] = {
    "id": pl.String,
    "text": pl.String,
    "date": pl.Date,
    "int": pl.Int64,
    "code": pl.String,
}
_CAST_RULES = {"date": "date_unparseable", "int": "int_unparseable", "code": "code_unmapped"}


def _value_findings(spec: S.ListSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """Every column's checks evaluated in one pass; only the checks that hit are filtered out (a
    filter per column and check cost more than the checks on a small list)."""
    checks = [(c, *check) for c in spec.columns for check in _checks(c)]
    if not checks:
        return F.empty()
    flags = frame.select(mask.alias(f"__k{i}") for i, (_, mask, *_) in enumerate(checks))
    hit_counts = flags.sum().row(0)
    out = []
    for i, (c, _, rule, severity, message) in enumerate(checks):
        if not hit_counts[i]:
            continue
        out.append(
            frame.filter(flags.get_column(f"__k{i}")).select(
                pl.lit(spec.table, pl.String).alias("list_name"),
                "source_file",
                "source_sheet",
                "source_row",
                pl.lit(c.header, pl.String).alias("column_name"),
                pl.lit(rule, pl.String).alias("rule"),
                pl.lit(severity, pl.String).alias("severity"),
                pl.lit(message, pl.String).alias("message"),
                pl.col(f"__r_{c.name}").alias("value"),
            )
        )
    return pl.concat(out, how="vertical") if out else F.empty()


def _checks(c: S.Column) -> list[tuple[pl.Expr, str, str, str]]:
    """(mask of the rows that fail, rule, severity, message) for one column's values."""
    cleaned = pl.col(f"__c_{c.name}")
    checks: list[tuple[pl.Expr, str, str, str]] = []
    if c.type in _CAST_RULES and (c.type != "code" or c.codes is not None):
        rule = _CAST_RULES[c.type]
        severity = ("error" if c.key_date else "warning") if c.type == "date" else F.RULES[rule][0]
        message = {
            "date": f"{c.header}: the value is not a date that could be read (use dd/mm/yyyy).",
            "int": f"{c.header}: the value is not a whole number.",
            "code": f"{c.header}: the value is not one of the template's codes for this column.",
        }[c.type]
        checks.append((cleaned.is_not_null() & pl.col(c.name).is_null(), rule, severity, message))
    if c.required:
        # a blank ID or key date makes the row unusable; other required blanks are worth a query
        severity = "error" if c.type == "id" or c.key_date else "warning"
        checks.append(
            (
                cleaned.is_null(),
                "required_blank",
                severity,
                f"{c.header} is blank; it must be given.",
            )
        )
    return checks
