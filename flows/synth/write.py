"""Writing synthetic lists: template display values, and fast deterministic xlsx/csv output.

Clean values are written as the Annex A template writes them: lettered ("a) Male", "b) No",
"a) WBRI") for the template's lettered code sets, bare codes (N1, RC8, C2, U4, PR4, E11, F1) for
CIN census / SSDA903 codes; dates are real Excel dates (a serial number with a date format).
xlsxwriter in constant_memory mode streams rows; the document properties and zip timestamps are
fixed, so the same seed gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from flows.annex_a import codes as C
from flows.annex_a import places
from flows.annex_a.specs import ListSpec

LETTERED = {
    C.GENDER.name,
    C.ETHNICITY.name,
    C.YES_NO.name,
    C.YES_NO_UNKNOWN.name,
    C.CASE_STATUS.name,
    C.ABUSE_CATEGORY.name,
    C.PERMANENCE_PLAN.name,
    C.PLACEMENT_LOCATION.name,
    C.CARE_LEAVER_ELIGIBILITY.name,
    C.IN_TOUCH.name,
    C.ACCOMMODATION_SUITABILITY.name,
}
EXCEL_EPOCH = dt.date(1899, 12, 30)
FIXED_TIME = dt.datetime(2026, 1, 1, 9, 0, 0)


def template_value(cs: C.CodeSet, code: str) -> str:
    """How the template writes a canonical code: "a) Male" for lettered sets, else the bare code."""
    if cs.name in LETTERED:
        return f"{chr(97 + cs.values.index(code))}) {code}"
    return code


def excel_serial(s: pl.Series) -> list[int | None]:
    return (s.cast(pl.Int64) + (dt.date(1970, 1, 1) - EXCEL_EPOCH).days).to_list()


@dataclass
class Sheet:
    """One sheet (or CSV) as cells: header row, data columns, and where each data row goes.

    kind per column: 'date' (Excel serials, date format), 'num', 'str', or 'mixed' (any of those
    per cell; a `Serial` wraps a date serial). Positions are 0-based (Excel row = position + 1).
    """

    name: str
    headers: list[tuple[int, str]]
    columns: list[tuple[int, str, list]]
    row_positions: list[int]
    header_row: int = 0
    title_rows: list[tuple[int, str]] = field(default_factory=list)


class Serial(int):
    """A date serial in a 'mixed' column: written as a date-formatted number."""


def clean_sheet(name: str, spec: ListSpec, frame: pl.DataFrame) -> Sheet:
    cols = []
    for i, c in enumerate(spec.columns):
        s = frame[c.name]
        if c.type == "date":
            cols.append((i, "date", excel_serial(s)))
        elif c.type == "int":
            cols.append((i, "num", s.to_list()))
        elif c.type == "code":
            mapping = {k: template_value(c.codes, k) for k in c.codes.values}
            cols.append(
                (
                    i,
                    "str",
                    s.replace_strict(mapping, default=None, return_dtype=pl.String).to_list(),
                )
            )
        elif c.place:  # the template writes the LA's name; the typed list holds its ONS code
            cols.append((i, "str", [None if v is None else places.name(v) for v in s.to_list()]))
        else:
            cols.append((i, "str", s.to_list()))
    return Sheet(name, list(enumerate(spec.headers)), cols, list(range(1, frame.height + 1)))


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {
            "title": "Annex A (synthetic)",
            "author": "ilacs-pia synth",
            "company": "",
            "created": FIXED_TIME,
            "comments": "Synthetic data: no real children.",
        }
    )
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True})
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        for r, text in sh.title_rows:
            ws.write_string(r, 0, text, bold)
        hr = sh.header_row
        for c, text in sh.headers:
            ws.write_string(hr, c, text, bold)
        _write_rows(ws, sh, date_fmt)
    wb.close()


def _write_rows(ws, sh: Sheet, date_fmt) -> None:
    # The one per-cell loop: xlsxwriter has no columnar API, and constant_memory needs row order.
    cols = [(c, kind, vals) for c, kind, vals in sh.columns]
    wn, wstr = ws.write_number, ws.write_string
    for i, r in enumerate(sh.row_positions):
        for c, kind, vals in cols:
            v = vals[i]
            if v is None:
                continue
            if kind == "date":
                wn(r, c, v, date_fmt)
            elif kind == "str":
                wstr(r, c, v)
            elif kind == "num":
                wn(r, c, v)
            elif isinstance(v, Serial):
                wn(r, c, v, date_fmt)
            elif isinstance(v, str):
                wstr(r, c, v)
            else:
                wn(r, c, v)


def write_csv(path: Path, sheet: Sheet, encoding: str) -> None:
    """A sheet as CSV text; dates as dd/mm/yyyy (what a CSV export holds)."""
    width = 1 + max([c for c, _ in sheet.headers] + [c for c, _, _ in sheet.columns])
    nrows = 1 + max([sheet.header_row, *sheet.row_positions, *(r for r, _ in sheet.title_rows)])
    grid = [[""] * width for _ in range(nrows)]
    for r, t in sheet.title_rows:
        grid[r][0] = t
    for c, t in sheet.headers:
        grid[sheet.header_row][c] = t
    for c, kind, vals in sheet.columns:
        for i, r in enumerate(sheet.row_positions):
            v = vals[i]
            if v is None:
                continue
            if kind == "date" or isinstance(v, Serial):
                v = (EXCEL_EPOCH + dt.timedelta(days=int(v))).strftime("%d/%m/%Y")
            grid[r][c] = str(v)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(grid)
    path.write_bytes(buf.getvalue().encode(encoding))


def to_frame(spec: ListSpec, cols: dict[str, object], n: int) -> pl.DataFrame:
    """Canonical frame for a list: every spec column in order, typed (dates, Int64, strings)."""
    data = {}
    for c in spec.columns:
        v = cols.get(c.name)
        if v is None:
            dtype = pl.Date if c.type == "date" else pl.Int64 if c.type == "int" else pl.String
            data[c.name] = pl.Series(c.name, [None] * n, dtype=dtype)
        elif c.type == "date":
            data[c.name] = pl.Series(c.name, np.asarray(v, dtype="datetime64[D]"), dtype=pl.Date)
        elif c.type == "int":
            arr = np.asarray(v, dtype=object)
            data[c.name] = pl.Series(
                c.name, [None if x is None else int(x) for x in arr], dtype=pl.Int64
            )
        else:
            arr = np.asarray(v, dtype=object)
            data[c.name] = pl.Series(
                c.name, [None if x is None else str(x) for x in arr], dtype=pl.String
            )
    return pl.DataFrame(data)
