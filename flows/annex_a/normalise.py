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
from flows.annex_a import headers as H
from flows.annex_a import places
from flows.annex_a import specs as S
from flows.annex_a.identify import Identified
from flows.annex_a.readers import ROW, Grid

SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")
# Cell contents that mean "nothing here", after trimming (listed in the case variants LAs use, so
# the check is one hash lookup rather than an upper-casing pass over every cell).
# "01/01/1900" is the placeholder extracts write for a date they do not hold (the SSD's list 11).
BLANK_TOKENS = (
    "", "#N/A", "N/A", "n/a", "n/A", "N/a", "NULL", "null", "Null", "-", "#NULL!",
    "01/01/1900", "1900-01-01", "1900-01-01 00:00:00",
)  # fmt: skip
ABSENT = "__absent"  # per row: "|name|name|" of the template columns its sheet does not have
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
    unexpected: list[tuple[str, bool]] = []  # (raw column name, whether the sheet headed it)
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
            unexpected.append((name, has_header))

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
    absent = [c for c in spec.columns if c.name not in by_name]
    text = body.select(
        *(
            (pl.col(by_name[c.name]) if c.name in by_name else pl.lit(None, pl.String)).alias(
                c.name
            )
            for c in spec.columns
        ),
        *sources,
        pl.lit("|" + "".join(f"{c.name}|" for c in absent), pl.String).alias(ABSENT),
    )
    return raw, text, F.frame(_header_findings(spec, part, absent, unexpected)), view


def _header_findings(
    spec: S.ListSpec, part: Part, absent: list[S.Column], unexpected: list[tuple[str, bool]]
) -> list[F.Finding]:
    """What the sheet's headers say: columns it lacks (an older template layout once, not per
    column), headers that fit two columns or claim a taken one, and headers not recognised."""
    grid, ident = part.grid, part.ident

    def finding(rule: str, severity: str, message: str, column: str | None) -> F.Finding:
        return F.Finding(
            spec.table,
            rule,
            severity,
            message,
            grid.source_file,
            grid.source_sheet,
            ident.header_row,
            column,
        )

    rows = []
    # every column a later template added is absent: the sheet is on the older layout (one
    # finding); only some absent is not a layout, and each is reported as missing
    later = [c for c in spec.columns if c.since]
    older = later if later and all(c in absent for c in later) else []
    if older:
        names = ", ".join(f"'{c.header}'" for c in older)
        rows.append(
            finding(
                "template_layout_old",
                F.RULES["template_layout_old"][0],
                f"List {spec.number} is on a template layout older than {older[0].since}: it lacks "
                f"{names}. Their values are treated as blank; the current template asks for them.",
                None,
            )
        )
    # a required column missing makes rows unusable (error); another is worth a query (warning), or
    # only noted where the list has no fixed template; the older layout's columns were named above
    template = spec.number.isdigit()
    for c in absent:
        if c in older:
            continue
        severity = "error" if c.required else ("warning" if template else "info")
        rows.append(
            finding(
                "column_missing",
                severity,
                f"The column '{c.header}' was not found in this sheet; its values are treated as blank.",
                c.header,
            )
        )
    rows.extend(finding(rule, F.RULES[rule][0], message, h) for rule, h, message in ident.notes)
    noted = {h for _, h, _ in ident.notes}
    # its values may be a column the sheet lacks: worth a look; else only noted
    severity = "warning" if any(c not in older for c in absent) else "info"
    for name, headed in unexpected:
        if name in noted:
            continue
        near = H.nearest(spec, name) if headed else []
        hint = (
            " The nearest template headers are " + " or ".join(f"'{h}'" for h in near) + "."
            if near
            else ""
        )
        what = f"The column '{name}'" if headed else f"A column with no header (kept as '{name}')"
        rows.append(
            finding(
                "header_unrecognised",
                severity,
                f"{what} is not a template column of List {spec.number} ({spec.title}); its "
                f"values are kept as sent (raw_extra) but not used.{hint}",
                name,
            )
        )
    return rows


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
    notes: list[tuple[S.Column, str, list[str]]] = []  # (column, rule, raw values it concerns)
    for c in spec.columns:
        s = pl.col(f"__c_{c.name}")
        if c.type in lookups:
            old, new = lookups[c.type]
            value = s.replace_strict(old, new, default=None, return_dtype=_DTYPES[c.type])
            if c.name == "age" and new.null_count():
                value, decimals = _decimal_ages(old.filter(new.is_null()), value)
                if decimals:
                    notes.append((c, "age_decimal", decimals))
        elif c.type == "code" and c.codes is not None:
            distinct = frame.get_column(f"__c_{c.name}").unique().drop_nulls()
            raws = distinct.to_list()
            resolved = [c.codes.resolve(v) for v in raws]
            mapped = pl.Series([r.code for r in resolved], dtype=pl.String)
            value = s.replace_strict(distinct, mapped, default=None, return_dtype=pl.String)
            retired = [v for v, r in zip(raws, resolved, strict=True) if r.code in c.codes.retired]
            mismatched = [v for v, r in zip(raws, resolved, strict=True) if r.label_mismatch]
            notes += [
                (c, rule, vs)
                for rule, vs in (("retired_code", retired), ("code_label_mismatch", mismatched))
                if vs
            ]
        elif c.place:
            distinct = frame.get_column(f"__c_{c.name}").unique().drop_nulls()
            mapped = pl.Series([places.ons_code(v) for v in distinct.to_list()], dtype=pl.String)
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
    findings = _value_findings(spec, frame)
    if notes:
        findings = pl.concat([findings, _noted(spec, frame, notes)], how="vertical")
    return typed, findings


def _decimal_ages(unparsed: pl.Series, value: pl.Expr) -> tuple[pl.Expr, list[str]]:
    """An age given with decimals ('6.138261464750171', as public sample workbooks have it) is the
    whole years it has reached: floored. `unparsed`: the distinct values no whole number was read
    from. Returns the typed age and the values floored."""
    distinct = unparsed
    years = (
        distinct.to_frame("s")
        .select(
            pl.col("s")
            .str.extract(r"^\s*([+]?[0-9]+\.[0-9]*[1-9][0-9]*)\s*$")
            .cast(pl.Float64, strict=False)
            .floor()
            .cast(pl.Int64)
        )
        .to_series()
    )
    kept = years.is_not_null()
    if not kept.any():
        return value, []
    old, new = distinct.filter(kept), years.filter(kept)
    floored = pl.col("__c_age").replace_strict(old, new, default=None, return_dtype=pl.Int64)
    return pl.coalesce(value, floored), old.to_list()


_NOTES = {
    "retired_code": "{header}: the code is no longer in the current DfE specification ({spec}); it was "
    "read as sent, on {n} row(s). Use the current code.",
    "code_label_mismatch": "{header}: the label after the code names a different code; the code was "
    "used, on {n} row(s). Check which was meant.",
    "age_decimal": "{header}: ages were given with decimals on {n} row(s); they were read as whole "
    "years (rounded down).",
}


def _noted(
    spec: S.ListSpec, frame: pl.DataFrame, notes: list[tuple[S.Column, str, list[str]]]
) -> pl.DataFrame:
    """One finding per sheet, column and rule (with the first row it applies to and how many rows),
    and per distinct value for codes: a value seen on thousands of rows is one thing to fix."""
    out = []
    for c, rule, values in notes:
        hit = frame.filter(pl.col(f"__c_{c.name}").is_in(values))
        keys = ["source_file", "source_sheet"] + (
            [] if rule == "age_decimal" else [f"__c_{c.name}"]
        )
        grouped = hit.group_by(keys, maintain_order=True).agg(
            pl.col("source_row").min(),
            pl.len().alias("__n"),
            pl.col(f"__r_{c.name}").first().alias("__v"),
        )
        spec_name = c.codes.description if c.codes is not None and c.codes.description else "DfE"
        for row in grouped.iter_rows(named=True):
            out.append(
                F.Finding(
                    spec.table,
                    rule,
                    F.RULES[rule][0],
                    _NOTES[rule].format(header=c.header, n=row["__n"], spec=spec_name),
                    row["source_file"],
                    row["source_sheet"],
                    row["source_row"],
                    c.header,
                    None if rule == "age_decimal" else row["__v"],
                )
            )
    return F.frame(out)


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
    # the columns some sheet of the list lacks (the marker has one value per sheet: cheap to read)
    absent = {n for v in frame.get_column(ABSENT).unique().to_list() for n in v.split("|") if n}
    checks = [(c, *check) for c in spec.columns for check in _checks(c, c.name in absent)]
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


def _checks(c: S.Column, absent_somewhere: bool = False) -> list[tuple[pl.Expr, str, str, str]]:
    """(mask of the rows that fail, rule, severity, message) for one column's values."""
    cleaned = pl.col(f"__c_{c.name}")
    checks: list[tuple[pl.Expr, str, str, str]] = []
    if c.type in _CAST_RULES and (c.type != "code" or c.codes is not None):
        rule = _CAST_RULES[c.type]
        severity = ("error" if c.key_date else "warning") if c.type == "date" else F.RULES[rule][0]
        message = {
            "date": f"{c.header}: the value is not a date that could be read (use dd/mm/yyyy).",
            "int": f"{c.header}: the value is not a whole number.",
            "code": f"{c.header}: the value is not one of the template's codes for this column "
            f"({', '.join(c.codes.current) if c.codes is not None else ''}).",
        }[c.type]
        checks.append((cleaned.is_not_null() & pl.col(c.name).is_null(), rule, severity, message))
    if c.place:
        checks.append(
            (
                cleaned.is_not_null() & pl.col(c.name).is_null(),
                "place_unknown",
                F.RULES["place_unknown"][0],
                f"{c.header}: the value is not an English local authority's name, old DfE code or ONS "
                "code, nor NIR, WAL, SCO, NUK or CON; it is kept as sent.",
            )
        )
    if c.required:
        # a blank ID or key date makes the row unusable; other required blanks are worth a query.
        # A column the sheet does not have is reported once (column_missing), not on every row.
        severity = "error" if c.type == "id" or c.key_date else "warning"
        blank = cleaned.is_null()
        if absent_somewhere:
            blank = blank & ~pl.col(ABSENT).str.contains(f"|{c.name}|", literal=True)
        checks.append(
            (
                blank,
                "required_blank",
                severity,
                f"{c.header} is blank; it must be given.",
            )
        )
    return checks
