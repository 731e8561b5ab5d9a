"""Helpers that write Annex A submissions the way LAs send them (xlsx, ods, csv) for the reader tests.

Values are synthetic and derived from the specs, so a test states only what it varies.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import xlsxwriter

from flows.annex_a import specs as S

BASE_DATE = dt.date(2025, 3, 4)


def good_value(col: S.Column, i: int):
    """A valid python value for row i of a column (dates as dt.date, ints as int, codes canonical)."""
    if col.type == "id":
        return f"{col.name[:2].upper()}{1000 + i}"
    if col.type == "date":
        return BASE_DATE + dt.timedelta(days=i)
    if col.type == "int":
        return i % 7
    if col.type == "code":
        return col.codes.values[i % len(col.codes.values)]
    return f"{col.name} {i}"


def rows_for(spec: S.ListSpec, n: int) -> list[list]:
    return [[good_value(c, i) for c in spec.columns] for i in range(n)]


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, date_cells: bool = True) -> Path:
    """One workbook; each sheet a list of rows (first rows may be titles). dt.date -> real date cells."""
    wb = xlsxwriter.Workbook(str(path))
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, wb.add_format({"num_format": "dd/mm/yyyy hh:mm"}))
                elif isinstance(v, dt.date):
                    if date_cells:
                        ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), fmt)
                    else:
                        ws.write_string(r, c, v.strftime("%d/%m/%Y"))
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, int | float):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
    wb.close()
    return path


def write_csv(
    path: Path, rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    def text(v):
        if v is None:
            return ""
        if isinstance(v, dt.date):
            return v.strftime("%d/%m/%Y")
        return str(v)

    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        for row in rows:
            w.writerow([text(v) for v in row])
    return path


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for v in row:
                if v is None:
                    cell = TableCell()
                elif isinstance(v, dt.date):
                    cell = TableCell(valuetype="date", datevalue=v.isoformat())
                    cell.addElement(P(text=v.strftime("%d/%m/%Y")))
                elif isinstance(v, int | float):
                    cell = TableCell(valuetype="float", value=v)
                    cell.addElement(P(text=str(v)))
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(v)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def new_warehouse(path: Path) -> Path:
    """An existing, empty run warehouse as stage_init leaves it (meta.run is not needed to read)."""
    from flows import findings

    con = duckdb.connect(str(path))
    con.execute(findings.DDL)
    con.close()
    return path


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def issues(path: Path, rule: str | None = None) -> list[dict]:
    sql = "select * from quality.issues where rule = ?" if rule else "select * from quality.issues"
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute(sql, [rule] if rule else [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def grid(rows: list[list], sheet: str = "Sheet1", file: str = "submission.xlsx"):
    """An in-memory text grid as the readers produce it (row 1 first), for identification tests."""
    import polars as pl

    from flows.annex_a.readers import ROW, Grid

    width = max(len(r) for r in rows)
    cols = {f"c{i}": [None if i >= len(r) or r[i] is None else str(r[i]) for r in rows] for i in range(width)}
    frame = pl.DataFrame(cols, schema={c: pl.String for c in cols})
    return Grid(file, sheet, frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW)))


def camel(header: str) -> str:
    """'Date of Birth' -> 'DateOfBirth', as case-management extracts name columns."""
    import re

    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", header))
