"""Data-quality findings: one row per problem, the shape of `quality.issues` (docs/architecture.md).

Readers, normalisers, Great Expectations suites and SQL cross-list checks all report through this
one shape. `message` is written for the LA analyst; it may name the offending value only in the
data-quality report made for the LA, so producers put raw values in `value`, never in `message`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import polars as pl

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

SCHEMA: dict[str, pl.DataType] = {
    "list_name": pl.String,
    "source_file": pl.String,
    "source_sheet": pl.String,
    "source_row": pl.Int64,
    "column_name": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "value": pl.String,  # the offending raw value, for the LA's report only; never logged
}

# Who finds what, in the order quality.issues lists them: the reader (files, sheets, headers, values
# as typed), landing (files refused before reading) and validation (suites and cross-list checks).
# Each owns one table, quality.<source>_issues, and replaces it whole when it runs again.
SOURCES = ("reader", "landing", "validation")
_COLUMNS = """(
    list_name varchar, source_file varchar, source_sheet varchar, source_row bigint,
    column_name varchar, rule varchar, severity varchar, message varchar, value varchar
)"""
DDL = "create schema if not exists quality;\n" + "".join(
    f"create table if not exists quality.{name} {_COLUMNS};\n"
    for name in ("issues", *(f"{s}_issues" for s in SOURCES))
)


def store(con, source: str, findings: pl.DataFrame) -> None:
    """The one writer of quality.issues: replace `source`'s findings, then rebuild quality.issues
    from every source's, in SOURCES order. The caller's transaction, if any, covers both."""
    if source not in SOURCES:
        raise ValueError(f"unknown findings source {source!r}")
    con.execute(DDL)
    arrow = findings.select(list(SCHEMA)).cast(SCHEMA).to_arrow()  # noqa: F841 - read by name below
    con.execute(f"delete from quality.{source}_issues")  # noqa: S608 - name from SOURCES
    con.execute(f"insert into quality.{source}_issues by name select * from arrow")  # noqa: S608
    union = " union all ".join(f"select * from quality.{s}_issues" for s in SOURCES)  # noqa: S608
    con.execute(f"create or replace table quality.issues as {union}")  # noqa: S608


@dataclass(frozen=True)
class Finding:
    list_name: str | None
    rule: str
    severity: Severity
    message: str
    source_file: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None
    column_name: str | None = None
    value: str | None = None


def frame(findings: list[Finding]) -> pl.DataFrame:
    """Findings as a frame with the `quality.issues` columns, in contract order."""
    return (
        pl.DataFrame([asdict(f) for f in findings], schema=SCHEMA, orient="row")
        if findings
        else empty()
    )


def empty() -> pl.DataFrame:
    """A new frame of no findings (a copy of one made once: building it from SCHEMA took ~75 us,
    and a run asks ~100 times)."""
    return _EMPTY.clear()


_EMPTY = pl.DataFrame(schema=SCHEMA)


# The rule vocabulary. Readers, suites, SQL checks and the synthetic generator's truth file all use
# these names, so a planted defect can be matched to the finding that reports it.
RULES: dict[str, tuple[Severity, str]] = {
    # files and sheets (reader)
    "file_unreadable": ("error", "The file could not be read as a spreadsheet or CSV."),
    "file_too_large": ("error", "The file is larger than the configured limit."),
    "text_damaged": (
        "warning",
        "Text in the file is damaged: mixed encodings, NUL bytes or byte-order marks in the data.",
    ),
    "sheet_unrecognised": ("warning", "No Annex A list has these column headers."),
    "list_duplicated": ("warning", "More than one sheet holds this list."),
    "list_not_provided": ("warning", "The list was not found in the submission."),
    "column_missing": ("error", "A template column is missing."),
    "column_unexpected": ("info", "A column is not in the template; it is kept but not used."),
    "header_unrecognised": (
        "info",
        "A column's header is not one of the template's; its values are kept as sent (raw_extra).",
    ),
    "header_ambiguous": (
        "warning",
        "A header could be more than one template column, or two headers claim one column.",
    ),
    "template_layout_old": (
        "warning",
        "The list is on an older template layout; the columns it lacks are treated as blank.",
    ),
    # values (normaliser)
    "required_blank": ("error", "A value that must be given is blank."),
    "code_unmapped": ("warning", "The value is not in the template's code set."),
    "date_unparseable": ("error", "The value is not a date."),
    "int_unparseable": ("warning", "The value is not a whole number."),
    "retired_code": (
        "warning",
        "The code is no longer in the current DfE specification; it was read, but should be updated.",
    ),
    "code_label_mismatch": (
        "info",
        "The label after a code names a different code; the code was used.",
    ),
    "age_decimal": (
        "info",
        "Ages were given with decimals; they were read as whole years (floored).",
    ),
    "place_unknown": ("warning", "The LA of placement is not a local authority name or code."),
    "column_mostly_blank": (
        "warning",
        "A column is blank or unreadable on most rows of a list; nothing is concluded from it.",
    ),
    # content (validation)
    "date_out_of_period": ("warning", "The date is outside the period the list must cover."),
    "date_in_future": ("error", "The date is after the notification date."),
    "date_order": ("warning", "An end date is before its start date."),
    "age_out_of_range": ("warning", "The age is not plausible for this list."),
    "age_mismatch": ("warning", "The stated age does not agree with the date of birth."),
    "count_negative": ("warning", "A count is below zero."),
    "duplicate_child": (
        "error",
        "The child appears more than once in a list that has one row per child.",
    ),
    "cross_list_mismatch": ("warning", "The child's details differ between lists."),
    "cp_not_in_cin": ("warning", "A child on a CP plan is not in list 6 with a CP case status."),
    "not_in_children_in_care": ("warning", "A child in 3.17 or 3.18 is not in list 8."),
    "icpc_plan_missing": (
        "warning",
        "An ICPC resulted in a plan but the child has no plan in list 7.",
    ),
    "audit_child_unknown": ("warning", "An audited child is on none of the lists."),
}
