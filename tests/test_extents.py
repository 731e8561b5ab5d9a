"""The sheet-extent check against the reader itself: for every way a sheet can place its cells, the
extent found before loading is never below the grid fastexcel (calamine) then builds."""

from __future__ import annotations

import zipfile

import fastexcel
import hostile_corpus as H
import pytest

from flows.annex_a import extents, readers

HEAD = H._SHEET_HEAD.replace(b"<worksheet ", b'<worksheet xmlns:x="urn:x" ')
FIRST = b'<row r="1"><c r="A1"><v>1</v></c></row>'

SHEETS = {
    "plain references": FIRST
    + b'<row r="40"><c r="C40"><v>1</v></c><c r="AB40"><v>2</v></c></row>',
    "cells without references": FIRST + b"<row>" + b"<c><v>1</v></c>" * 40 + b"</row>",
    "rows without references": FIRST + b"<row/>" * 30 + b"<row><c><v>1</v></c></row>",
    "implicit cells after an explicit one": FIRST
    + b'<row r="7"><c r="D7"><v>1</v></c><c><v>2</v></c><c/><c><v>3</v></c></row>',
    "another attribute first": FIRST + b'<row r="9"><c s="0" r="AC9"><v>1</v></c></row>',
    "single quotes": FIRST + b"<row r='12'><c r='AD12'><v>1</v></c></row>",
    "spaces around the equals sign": FIRST + b'<row r="14"><c r = "AE14"><v>1</v></c></row>',
    "lower case": FIRST + b'<row r="15"><c r="af15"><v>1</v></c></row>',
    "prefixed cells": FIRST + b'<x:row r="16"><x:c r="AG16"><v>1</v></x:c></x:row>',
    "empty rows far below the last cell": FIRST + b'<row r="900000"/>',
}


def _sheet(tmp_path, body: bytes):
    path = H.write_raw_xlsx(tmp_path / "s.xlsx", {"S": HEAD + body + H._SHEET_TAIL})
    return path, "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize("name", list(SHEETS))
def test_the_extent_is_never_below_the_grid_the_reader_builds(tmp_path, name):
    path, part = _sheet(tmp_path, SHEETS[name])
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
        rows, cols = extents.exact(z, info, lambda r, c: False)
        bound = extents.bound(z, info)
    assert rows >= sheet.height and cols >= sheet.width
    if bound is not None:  # plain cells: the fast bound holds too
        assert bound[0] >= sheet.height and bound[1] >= sheet.width
    else:
        assert name not in ("plain references", "empty rows far below the last cell")


def test_the_exact_path_stops_once_over_the_limits(tmp_path):
    body = b"<row>" + b"<c><v>1</v></c>" * 5_000 + b"</row>"
    path, part = _sheet(tmp_path, FIRST + body)
    seen = []

    def over(rows: int, cols: int) -> bool:
        seen.append(cols)
        return cols > 100

    with zipfile.ZipFile(path) as z:
        assert extents.exact(z, z.getinfo(part), over)[1] == 101
    assert len(seen) < 200


def test_a_sheet_that_is_not_xml_is_refused_when_it_must_be_parsed(tmp_path):
    path, _ = _sheet(tmp_path, FIRST + b"<row><c><v>1</v></c></row><row><c>")
    with pytest.raises(readers.FileProblem, match="not well-formed"):
        with zipfile.ZipFile(path) as z:
            readers._check_extents(z, readers.Limits())


def test_a_usual_sheet_takes_the_fast_path(tmp_path):
    rows = [[f"h{i}" for i in range(30)], *[[str(r * c) for c in range(30)] for r in range(50)]]
    path = H.write_raw_xlsx(tmp_path / "usual.xlsx", {"S": H.sheet_xml(rows)})
    with zipfile.ZipFile(path) as z:
        assert extents.bound(z, z.getinfo("xl/worksheets/sheet1.xml")) == (99_999, 30)


V, _empty = H.ODS_VALUE, H.ods_empty_cells


ODS = {
    "trailing empty cells and rows": f"<table:table-row>{V}{_empty(16000)}</table:table-row>"
    f'<table:table-row table:number-rows-repeated="1000000">{_empty(16000)}</table:table-row>',
    "empty cells between values": f"<table:table-row>{V}{_empty(40)}{V}</table:table-row>",
    "empty rows between values": f"<table:table-row>{V}</table:table-row>"
    f'<table:table-row table:number-rows-repeated="30"><table:table-cell/></table:table-row>'
    f"<table:table-row>{V}</table:table-row>",
    "repeated values": '<table:table-row table:number-rows-repeated="25">'
    '<table:table-cell table:number-columns-repeated="7" office:value-type="float" '
    'office:value="1"/></table:table-row>',
}


@pytest.mark.parametrize("name", list(ODS))
def test_the_opendocument_extent_is_the_grid_the_reader_builds(tmp_path, name):
    path = H.write_ods(tmp_path / "s.ods", ODS[name], name="S")
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
    with zipfile.ZipFile(path) as z:
        rows, cols = extents.ods(z, z.getinfo("content.xml"), lambda r, c: False)
    assert (rows, cols) == (sheet.height, sheet.width)
