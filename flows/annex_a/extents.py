"""How far an xlsx sheet reaches, found before the reader allocates it.

The reader (calamine) holds a sheet as a dense grid from its first cell to its last, so a few bytes
can ask for hundreds of gigabytes: one cell at XFD1048576, or cells that carry no reference at all
(calamine places such a cell after the one before it, and its row after the row before: 200,000
empty `<row/>` and a row of 3,000 `<c>` in a 7 KB file took 18 GB). A cell with a reference is
placed by it alone, whatever its row says. `check` refuses a sheet whose extent is over the limits,
streaming its XML (the unpacked size is bounded already).

Fast path: every workbook writer we know of gives each cell its reference as the first attribute,
`<c r="…"`. One C-speed regex pass finds only the cells that are not a plain near reference: a
reference that may reach far (two or three column letters, six or seven row digits) and anything
else (no reference, another attribute first, a single quote, spaces, an entity, lower case). A
second finds cells with a namespace prefix. Every plain near reference lies within column Z and row
99,999, so a usual sheet yields a handful of matches and its bound is settled.

Exact path, when a cell is not plain or the bound is over the limits: the XML is parsed (expat) and
every cell placed as calamine would place it, or further. It costs a Python step per element, so it
runs only for such sheets (hostile ones are small).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from xml.parsers import expat

from flows.annex_a.package import Member

NEAR_ROWS, NEAR_COLUMNS = 99_999, 26
_CHUNK = 1 << 20

# A <c> that is not a plain near reference: groups (far column letters,) (far-row letters, far-row
# digits), or all empty for anything else. `(?![^\s>/])` keeps to the element c (not <col>, <cfRule>).
_CELL = re.compile(
    rb'<c(?![^\s>/])(?! r="[A-Z]?[0-9]{1,5}")'
    rb'(?: r="([A-Z]{2,3})[0-9]{1,5}"| r="([A-Z]{0,3})([0-9]{6,7})")?'
)
_PREFIXED = re.compile(rb":c[\s>/]")  # calamine reads <x:c> as a cell too
_REF = re.compile(r"\s*([A-Za-z]*)\s*([0-9]*)\s*")


class Unsure(Exception):
    """The sheet's XML could not be parsed, so its extent is unknown."""


class _Over(Exception):
    """Raised by a handler once the extent is over the limits: the rest need not be parsed."""


class TextOver(Exception):
    """The text a part holds (or, in an OpenDocument table, repeats) is over the limit."""

    def __init__(self, chars: int, cell: bool) -> None:
        super().__init__(chars)
        self.chars, self.cell = chars, cell


def _parse(z: zipfile.ZipFile, info: zipfile.ZipInfo, start, end=None, text=None) -> None:
    """Stream one XML part (to its real end, package.Member) through expat with these handlers,
    until the end or _Over."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with Member(z, info) as f:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Over:
        pass
    except expat.ExpatError:
        raise Unsure from None


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def bound(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int] | None:
    """(last row, last column) at most, never below the truth; None when a cell is not plain (no
    plain reference first): only the exact path can place it."""
    rows, cols = NEAR_ROWS, NEAR_COLUMNS
    tail = b""
    with Member(z, info) as f:
        while True:
            chunk = f.read(_CHUNK)
            buf = tail + chunk
            # scan up to the last '>' (a tag cut by the chunk's end waits for the next chunk)
            cut = len(buf) if not chunk else buf.rfind(b">") + 1
            if len(buf) - cut > _CHUNK:  # a megabyte without a '>': no sheet XML looks like that
                return None
            scan, tail = buf[:cut], buf[cut:]
            if _PREFIXED.search(scan):
                return None
            for letters, far_letters, far_digits in set(_CELL.findall(scan)):
                if not (letters or far_digits):
                    return None
                if far_digits:
                    rows = max(rows, int(far_digits))
                cols = max(cols, column_number((letters or far_letters or b"A").decode()))
            if not chunk:
                return rows, cols


def exact(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, over: Callable[[int, int], bool]
) -> tuple[int, int]:
    """(last row, last column) as calamine places the cells, or further: a cell without a reference
    follows the cell before it in its row, a row without one the row before; a cell counts at its
    row's number or its own, whichever is further. Stops as soon as `over` says so."""
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            r = _REF.fullmatch(attrs.get("r", ""))
            state["row"] = int(r[2]) if r and r[2] else state["row"] + 1
            state["col"] = 0
            return
        if local == "c":
            r = _REF.fullmatch(attrs.get("r", ""))
            if r and (r[1] or r[2]):
                if r[1]:
                    state["col"] = column_number(r[1])
                else:
                    state["col"] += 1
                if r[2]:
                    state["row"] = max(state["row"], int(r[2]))
            else:
                state["col"] += 1
        else:
            return
        # a row reaches nothing until a cell is placed in it
        state["rows"] = max(state["rows"], state["row"])
        state["cols"] = max(state["cols"], state["col"])
        if over(state["rows"], state["cols"]):
            raise _Over

    _parse(z, info, start)
    return state["rows"], state["cols"]


def ods(
    z: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    over: Callable[[int, int], bool],
    cell_chars: int | None = None,
    text_chars: int | None = None,
) -> tuple[int, int]:
    """(last row, last column) of the largest table in an OpenDocument content.xml. A cell or row
    there may say it repeats (number-columns-repeated, number-rows-repeated; 4 bytes can say a
    million): the reader expands every repeat up to the last cell that holds something, so that is
    the extent (empty cells and rows after it are not kept). Stops as soon as `over` says so.

    A repeated cell's text is repeated too (1 KB once asked for 14 GB): TextOver when one cell holds
    more than `cell_chars` characters, or the content's text, repeats counted, passes `text_chars`."""
    s = {"row": 0, "col": 0, "row_repeat": 1, "row_used": 0, "rows": 0, "cols": 0}
    s.update(row_text=0, text=0)
    cell: dict = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "table":
            s["row"] = 0
        elif local == "table-row":
            s["row_repeat"] = _repeat(attrs, "number-rows-repeated")
            s["col"], s["row_used"], s["row_text"] = 0, 0, 0
        elif local in ("table-cell", "covered-table-cell"):
            valued = any(k.rpartition(":")[2] == "value-type" for k in attrs)
            chars = sum(len(v) for k, v in attrs.items() if k.rpartition(":")[2].endswith("value"))
            cell.update(repeat=_repeat(attrs, "number-columns-repeated"), valued=valued, text=chars)
        elif cell:
            cell["valued"] = True  # content (text:p, an annotation…) inside the cell

    def text(data: str) -> None:
        if cell:
            cell["text"] += len(data)

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if local in ("table-cell", "covered-table-cell"):
            s["col"] += cell["repeat"]
            if cell["valued"]:
                s["row_used"] = s["col"]
            if cell_chars is not None and cell["text"] > cell_chars:
                raise TextOver(cell["text"], cell=True)
            s["row_text"] += cell["text"] * cell["repeat"]
            cell.clear()
        elif local == "table-row":
            s["row"] += s["row_repeat"]
            s["text"] += s["row_text"] * s["row_repeat"]
            if text_chars is not None and s["text"] > text_chars:
                raise TextOver(s["text"], cell=False)
            if s["row_used"]:
                s["rows"] = max(s["rows"], s["row"])
                s["cols"] = max(s["cols"], s["row_used"])
                if over(s["rows"], s["cols"]):
                    raise _Over

    _parse(z, info, start, end, text)
    return s["rows"], s["cols"]


def shared_strings(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, cell_chars: int, text_chars: int
) -> int:
    """The characters of an xlsx's shared strings (xl/sharedStrings.xml), read before the reader
    copies each into every cell that uses it: TextOver when one string holds more than
    `cell_chars` (200 MB in one string took 7 GB) or all of them more than `text_chars`."""
    s = {"item": -1, "total": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == "si":
            s["item"] = 0

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "si":
            s["item"] = -1

    def text(data: str) -> None:
        if s["item"] < 0:
            return
        s["item"] += len(data)
        s["total"] += len(data)
        if s["item"] > cell_chars:
            raise TextOver(s["item"], cell=True)
        if s["total"] > text_chars:
            raise TextOver(s["total"], cell=False)

    _parse(z, info, start, end, text)
    return s["total"]


def _repeat(attrs: dict[str, str], local: str) -> int:
    for k, v in attrs.items():
        if k.rpartition(":")[2] == local:
            try:
                return max(1, int(v))
            except ValueError:
                return 1
    return 1
