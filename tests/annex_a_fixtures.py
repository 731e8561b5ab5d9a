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
    if col.type == "code":  # the current codes: a retired one is (rightly) a finding
        return col.codes.current[i % len(col.codes.current)]
    if col.place:  # an LA of placement as the template writes it: a name, or NIR/WAL/SCO/NUK/CON
        return ("Leeds", "Barnet", "Kent", "WAL", "Bristol, City of")[i % 5]
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
    cols = {
        f"c{i}": [None if i >= len(r) or r[i] is None else str(r[i]) for r in rows]
        for i in range(width)
    }
    frame = pl.DataFrame(cols, schema={c: pl.String for c in cols})
    return Grid(
        file,
        sheet,
        frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW)),
    )


def camel(header: str) -> str:
    """'Date of Birth' -> 'DateOfBirth', as case-management extracts name columns."""
    import re

    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", header))


# --- xls: no writer is installed, so a minimal BIFF8 workbook in a compound file is built here -------
import struct  # noqa: E402


def _rec(rtype: int, data: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _label(r: int, c: int, text: str) -> bytes:
    return _rec(0x0204, struct.pack("<HHHHB", r, c, 15, len(text), 1) + text.encode("utf-16-le"))


def _number(r: int, c: int, v: float) -> bytes:
    return _rec(0x0203, struct.pack("<HHHd", r, c, 15, float(v)))


def _biff8(sheets: dict[str, list[list]]) -> bytes:
    def bof(kind: int) -> bytes:
        return _rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))

    eof = _rec(0x000A, b"")
    bodies = []
    for rows in sheets.values():
        cells = b"".join(
            _number(r, c, v) if isinstance(v, int | float) else _label(r, c, str(v))
            for r, row in enumerate(rows)
            for c, v in enumerate(row)
            if v is not None
        )
        bodies.append(bof(0x0010) + cells + eof)

    def boundsheets(offsets: list[int]) -> bytes:
        return b"".join(
            _rec(0x0085, struct.pack("<IBBBB", off, 0, 0, len(n), 1) + n.encode("utf-16-le"))
            for off, n in zip(offsets, sheets, strict=True)
        )

    pos = len(bof(0x0005) + boundsheets([0] * len(sheets)) + eof)
    offsets = []
    for b in bodies:
        offsets.append(pos)
        pos += len(b)
    stream = bof(0x0005) + boundsheets(offsets) + eof + b"".join(bodies)
    return stream + bytes(max(0, 4096 - len(stream)))  # >= 4096 bytes: no mini stream needed


def _cfb(stream: bytes, broken_chain: bool = False) -> bytes:
    """A compound file with one stream, 'Workbook' (header, one FAT sector, one directory sector)."""
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    n = -(-len(stream) // 512)
    data = stream + bytes(n * 512 - len(stream))
    fat = [fatsect, end] + [s + 1 for s in range(2, 2 + n - 1)] + [end]
    if broken_chain:  # the stream's chain points past the end of the file
        fat[2] = 2 + n + 5
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw
            + bytes(64 - len(raw))
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", nostream, nostream, child)
            + bytes(36)
            + struct.pack("<IIi", start, size, 0)
        )

    empty = (
        bytes(64)
        + struct.pack("<HBB", 0, 0, 0)
        + struct.pack("<III", nostream, nostream, nostream)
        + bytes(48)
    )
    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry("Workbook", 2, nostream, 2, len(stream))
        + empty * 2
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    return header + struct.pack("<128I", *fat) + directory + data


def write_xls(path: Path, sheets: dict[str, list[list]], *, broken_chain: bool = False) -> Path:
    """An Excel 97-2003 workbook: text and number cells only (dates as text or serial numbers)."""
    path.write_bytes(_cfb(_biff8(sheets), broken_chain))
    return path
