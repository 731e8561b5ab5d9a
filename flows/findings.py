"""Data-quality findings: one row per problem, the shape of `quality.issues` (DESIGN contract).

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

DDL = """
create schema if not exists quality;
create table if not exists quality.issues (
    list_name varchar, source_file varchar, source_sheet varchar, source_row bigint,
    column_name varchar, rule varchar, severity varchar, message varchar, value varchar
);
"""


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
    return pl.DataFrame([asdict(f) for f in findings], schema=SCHEMA, orient="row") if findings else empty()


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)
