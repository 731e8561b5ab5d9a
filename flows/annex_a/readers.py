"""Read the files of a submission into grids of text cells, one per sheet (or per CSV file).

Every cell is read as text (measured: the fast reader's type inference silently nulls values it
cannot cast); typing happens later in `normalise`. A grid keeps every row of the sheet from row 1,
so `__row__` is the row number as Excel shows it (for a CSV, the line number) and header detection
can look at title rows.

A file that cannot be read raises `FileProblem` with a plain-English reason (no cell values), so
the caller can report it and carry on with the other files.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import itertools
import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from flows.annex_a import extents, package
from flows.config import settings

ROW = "__row__"  # the Excel row (or CSV line) of each grid row
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".xltx", ".xltm"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
CSV_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Limits:
    """Guards against huge files and zip bombs; each overridable by an environment variable."""

    max_file_mb: float = 200.0
    max_uncompressed_mb: float = 1000.0
    max_rows: int = 1_000_000
    max_columns: int = 1_000
    # the reader holds a sheet as a dense grid of its whole extent (last row x last column): a tiny
    # file with one cell at XFD1048576 would ask for 512 GB and abort the process
    max_cells: int = 30_000_000
    max_sheets: int = 200  # a workbook of 10,000 sheets took 366 s
    # Excel's own limit for one cell: a longer text was not typed into Excel, and one 200 MB shared
    # string took 7 GB by the time it reached the reports
    max_cell_chars: int = 32_767
    # all the text of a workbook's shared strings, or of one sheet as read (Kent's largest sheet as
    # read holds ~5 MB)
    max_text_mb: float = 100.0

    @property
    def text_chars(self) -> int:
        return int(self.max_text_mb * 1024 * 1024)

    @classmethod
    def from_env(cls) -> Limits:
        """The limits as configured (flows.config: PIA_MAX_*)."""
        s = settings()
        return cls(
            max_file_mb=s.max_file_mb,
            max_uncompressed_mb=s.max_uncompressed_mb,
            max_rows=s.max_rows,
            max_columns=s.max_columns,
            max_cells=s.max_cells,
            max_sheets=s.max_sheets,
            max_cell_chars=s.max_cell_chars,
            max_text_mb=s.max_text_mb,
        )


class FileProblem(Exception):
    """A file (or one sheet of it) that cannot be read. `rule` is a findings.RULES name."""

    def __init__(self, message: str, rule: str = "file_unreadable") -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass
class Grid:
    """One sheet (or CSV file) as text cells: columns c0..cN plus ROW."""

    source_file: str  # path relative to the landed folder, posix
    source_sheet: str  # sheet name; for a CSV the file name
    cells: pl.DataFrame
    hidden: bool = False

    @property
    def data_columns(self) -> list[str]:
        return [c for c in self.cells.columns if c != ROW]


@dataclass
class Problem:
    """A file or sheet that was skipped, with the reason."""

    source_file: str
    source_sheet: str | None
    rule: str
    message: str
    row: int | None = None  # the first row concerned, when there is one


def read_file(
    path: Path,
    rel: str,
    limits: Limits | None = None,
    prepare: Callable[[Grid], Any] | None = None,
) -> tuple[list[Any], list[Problem]]:
    """Every sheet of one file as text grids, plus sheets skipped for exceeding the limits.

    `prepare`, when given, is applied to each grid in the thread that loaded it, and its results are
    returned instead of the grids (work on one sheet overlaps the loading of the others).
    Raises FileProblem when the whole file cannot be read.
    """
    prepare = prepare or _same
    limits = limits or Limits.from_env()
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("The file is empty (0 bytes).")
    if size > limits.max_file_mb * 1024 * 1024:
        raise FileProblem(
            f"The file is {size / 1024 / 1024:.1f} MB, over the limit of {limits.max_file_mb:g} MB "
            "(PIA_MAX_FILE_MB).",
            rule="file_too_large",
        )
    with path.open("rb") as f:
        head = f.read(4096)
    kind = _sniff(path, head)
    if kind == "csv":
        with _slots(read_threads()):
            damaged: dict[str, list[int]] = {}
            grid = _read_csv(path, rel, limits, damaged)
            return [prepare(grid)], _damage_problems(rel, path.name, damaged)
    if kind == "ole":
        _check_ole(path)
        return _read_workbook(path, rel, limits, prepare)
    # one zip directory per workbook, shared by every check (it was parsed again for each sheet:
    # 10,000 sheets took 366 s)
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileProblem(_BROKEN_ZIP) from None
    with z:
        xlsx = _check_zip(z, path, limits)
        if not xlsx:  # OpenDocument: its repeats are checked before the reader expands them
            _check_extents(z, limits, ["content.xml"], ods=True)
        return _read_workbook(path, rel, limits, prepare, z=z if xlsx else None)


def _same(grid: Grid) -> Grid:
    return grid


# --- recognising what a file is ----------------------------------------------------------------------
def _sniff(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        raise FileProblem(
            "The file is a PDF document, not a spreadsheet. Please send the list as xlsx or csv."
        )
    if head.startswith(b"PK"):
        raise FileProblem(
            "The file is a damaged or incomplete zip/xlsx file and could not be opened."
        )
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith((b"<!doctype html", b"<html", b"<table")):
        raise FileProblem(
            "The file is a web page (HTML) saved with a spreadsheet name, not a real workbook. "
            "Please open it in Excel and save it as xlsx."
        )
    if text_head.startswith(b"<?xml"):
        raise FileProblem(
            "The file is an XML file, not a workbook Excel can save as xlsx. Please save it as xlsx."
        )
    if suffix in CSV_SUFFIXES:
        # binary data is full of NULs; a stray one in text is a text_damaged finding (decode_csv)
        nuls = head.count(b"\x00")
        if nuls > len(head) // 100 and not head.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            raise FileProblem("The file has a .csv/.txt name but holds binary data, not text.")
        return "csv"
    if suffix in SPREADSHEET_SUFFIXES:
        raise FileProblem(
            f"The file has a {suffix} name but is not a spreadsheet (its content is not a workbook)."
        )
    raise FileProblem(
        f"The file type ({suffix or 'no extension'}) is not a spreadsheet or CSV; expected xlsx, xlsm, xls, ods or csv."
    )


_BROKEN_ZIP = (
    "The file is damaged or incomplete (its zip structure is broken) and could not be opened."
)


def _check_zip(z: zipfile.ZipFile, path: Path, limits: Limits) -> bool:
    """xlsx/xlsm/ods are zip files: refuse damaged ones, xlsb, non-spreadsheets and zip bombs.
    True for an xlsx (or xlsm), False for an OpenDocument spreadsheet.

    Nothing the zip declares is trusted (flows.annex_a.package): every part but the sheets is
    inflated here to its real end and must match its declared size and CRC; each sheet is, in the
    same pass as its extent check, before it loads. The declared sizes, once checked, are the real
    ones, so their total bounds what unpacking costs."""
    try:
        package.check_layout(z, path)
    except (package.Damaged, OSError):
        raise FileProblem(_BROKEN_ZIP) from None
    infos = z.infolist()
    names = {i.filename for i in infos}
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_mb * 1024 * 1024:
        raise FileProblem(
            f"The file expands to {total / 1024 / 1024:.0f} MB when unpacked, over the limit of "
            f"{limits.max_uncompressed_mb:g} MB (PIA_MAX_UNCOMPRESSED_MB).",
            rule="file_too_large",
        )
    with _part_problems(limits):
        for info in infos:
            if info.filename == "xl/sharedStrings.xml":
                extents.shared_strings(z, info, limits.max_cell_chars, limits.text_chars)
            elif not _is_sheet_part(info.filename) and info.filename != "content.xml":
                package.drain(z, info)
    if "xl/workbook.bin" in names:
        raise FileProblem(
            "The file is an Excel binary workbook (xlsb), which is not supported. Please save it as xlsx."
        )
    if "xl/workbook.xml" in names:
        return (
            True  # sheet extents are checked sheet by sheet, before each is loaded (_read_workbook)
        )
    if "content.xml" in names:
        return False
    if any(n.startswith("word/") for n in names):
        raise FileProblem("The file is a Word document, not a spreadsheet.")
    if any(n.startswith("ppt/") for n in names):
        raise FileProblem("The file is a PowerPoint presentation, not a spreadsheet.")
    raise FileProblem(
        "The file is a zip archive, not a spreadsheet. Please send the lists themselves."
    )


def _is_sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


_NOT_XML = (
    "A part of the file is not well-formed XML, so how far it reaches could not be checked; the "
    "file was not read. Please open it in Excel and save it again."
)


@contextlib.contextmanager
def _part_problems(limits: Limits) -> Iterator[None]:
    """What checking a zip part can find, as the FileProblem that refuses the file."""
    try:
        yield
    except package.Damaged:
        raise FileProblem(_BROKEN_ZIP) from None
    except extents.Unsure:
        raise FileProblem(_NOT_XML) from None
    except extents.TextOver as e:
        raise _text_over(e, limits) from None


def _text_over(e: extents.TextOver, limits: Limits) -> FileProblem:
    if e.cell:
        return FileProblem(
            f"A cell of the file holds {e.chars:,} characters or more, over the limit of "
            f"{limits.max_cell_chars:,} (PIA_MAX_CELL_CHARS, Excel's own limit); the file was not read.",
            rule="file_too_large",
        )
    return FileProblem(
        f"The file holds more than {limits.max_text_mb:g} MB of text ({e.chars:,} characters or "
        f"more), over the limit (PIA_MAX_TEXT_MB); the file was not read.",
        rule="file_too_large",
    )


def _check_extents(
    z: zipfile.ZipFile, limits: Limits, parts: list[str] | None = None, *, ods: bool = False
) -> None:
    """Refuse a workbook whose sheets reach beyond the row, column or cell limits, before the reader
    allocates the sheet's grid (flows.annex_a.extents), and a sheet that holds more or less than its
    zip entry declares (the same stream, package.Member). `parts`: the sheet XML files to check
    (default: every xlsx sheet); `ods`: they are OpenDocument content, placed with its repeats."""

    def over(rows: int, cols: int) -> bool:
        return rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells

    wanted = (
        [z.getinfo(p) for p in parts]
        if parts is not None
        else [i for i in z.infolist() if _is_sheet_part(i.filename)]
    )
    for info in wanted:
        with _part_problems(limits):
            found = None if ods else extents.bound(z, info)
            if found is None or over(*found):  # the bound may be loose: the exact extent decides
                if ods:
                    found = extents.ods(z, info, over, limits.max_cell_chars, limits.text_chars)
                else:
                    found = extents.exact(z, info, over)
        rows, cols = found
        if over(rows, cols):
            raise FileProblem(
                f"A sheet of the file reaches row {rows:,}, column {cols:,} or beyond ({rows * cols:,} cells or more), over "
                f"the limits of {limits.max_rows:,} rows (PIA_MAX_ROWS), {limits.max_columns:,} columns "
                f"(PIA_MAX_COLUMNS) or {limits.max_cells:,} cells (PIA_MAX_CELLS); the file was not read.",
                rule="file_too_large",
            )


def _check_ole(path: Path) -> None:
    """Old-style Office container: an xls workbook, or an encrypted (password-protected) xlsx/xls."""
    import msoffcrypto
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except Exception:
        raise FileProblem(
            "The file is damaged or incomplete (its Office container is broken) and could not be opened."
        ) from None
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise FileProblem(
            "The file is encrypted (password-protected). Please remove the password and send it again."
        )
    if "WordDocument" in streams:
        raise FileProblem("The file is a Word document, not a spreadsheet.")
    if not ({"Workbook", "Book"} & streams):
        raise FileProblem("The file is an Office file but not an Excel workbook.")
    try:
        with path.open("rb") as f:
            encrypted = msoffcrypto.OfficeFile(f).is_encrypted()
    except Exception:
        encrypted = False  # not decisive; the reader will say if it cannot open the workbook
    if encrypted:
        raise FileProblem(
            "The file is encrypted (password-protected). Please remove the password and send it again."
        )


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Target)="([^"]*)"')


def _sheet_parts(z: zipfile.ZipFile, count: int) -> list[str] | None:
    """The XML file of each sheet, in the reader's sheet order (xl/workbook.xml order, through its
    relationships); None when that cannot be worked out for certain (then every sheet is checked
    before any is read)."""
    try:  # both parts were checked whole (_check_zip)
        names = set(z.namelist())
        ids = _SHEET.findall(z.read("xl/workbook.xml"))
        targets = {}
        for m in _RELATIONSHIP.finditer(z.read("xl/_rels/workbook.xml.rels")):
            attrs = dict(_ATTR.findall(m[0]))
            if b"Id" in attrs and b"Target" in attrs:
                targets[attrs[b"Id"]] = attrs[b"Target"].decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, ValueError):
        return None
    parts = []
    for i in ids:
        target = targets.get(i)
        if target is None:
            return None
        # as the reader resolves it: absolute from the package root, else relative to xl/; a name
        # not in the zip as written means "not certain"
        parts.append(target[1:] if target.startswith("/") else f"xl/{target}")
    return parts if len(parts) == count and all(p in names for p in parts) else None


# --- workbooks ---------------------------------------------------------------------------------------
def read_threads() -> int:
    """Sheets and files read at once (PIA_READ_THREADS; default: the cores, at most 4). The reader
    releases the GIL, so two threads read the largest LA's workbook in 0.6 of the time of one."""
    return settings().read_threads or min(4, os.cpu_count() or 1)


@functools.cache
def _slots(threads: int) -> threading.BoundedSemaphore:
    """Leaf work (loading one sheet, reading one CSV) takes a slot: files and their sheets are both
    read in parallel, and this keeps the threads actually working to read_threads()."""
    return threading.BoundedSemaphore(threads)


def _read_workbook(
    path: Path,
    rel: str,
    limits: Limits,
    prepare: Callable[[Grid], Any],
    *,
    z: zipfile.ZipFile | None = None,
) -> tuple[list[Any], list[Problem]]:
    """Every sheet of a workbook; `z`, an xlsx's zip (its sheets are checked as they load)."""
    import fastexcel

    def open_reader():
        try:
            return fastexcel.read_excel(str(path))
        # calamine panics on some damaged files, and a PanicException is a BaseException
        except BaseException as e:
            _reraise_interrupts(e)
            raise FileProblem(
                "The workbook is damaged or in a format that could not be read, so it could not be opened."
            ) from None

    reader = open_reader()
    names = reader.sheet_names
    if len(names) > limits.max_sheets:
        raise FileProblem(
            f"The workbook has {len(names):,} sheets, over the limit of {limits.max_sheets:,} "
            "(PIA_MAX_SHEETS); the file was not read.",
            rule="file_too_large",
        )
    parts = _sheet_parts(z, len(names)) if z is not None else None
    if z is not None and parts is None:
        _check_extents(z, limits)
    # A reader serves one thread at a time, so each thread has its own. Each sheet's extent is checked
    # before that sheet loads (a FileProblem refuses the whole file, as before any sheet); the checks
    # run ahead in a thread of their own, largest sheet first, so that their regex scans (which hold
    # the GIL) overlap the loads (which release it) instead of stalling every loader at once.
    local = threading.local()
    local.reader = reader

    def one(idx: int, check: Future | None) -> Any:
        if check is not None:
            check.result()
        elif parts:
            _check_extents(z, limits, parts[idx : idx + 1])
        with _slots(read_threads()):
            if getattr(local, "reader", None) is None:
                local.reader = open_reader()
            loaded = _load_sheet(local.reader, idx, names[idx], rel, limits)
            return prepare(loaded) if isinstance(loaded, Grid) else loaded

    workers = min(read_threads(), len(names))
    if workers <= 1:
        return _split([one(idx, None) for idx in range(len(names))])
    sizes = _part_sizes(z, parts) if parts else [0] * len(names)
    largest_first = sorted(range(len(names)), key=lambda i: -sizes[i])
    with (
        ThreadPoolExecutor(1, thread_name_prefix="pia-extent") as checker,
        ThreadPoolExecutor(workers, thread_name_prefix="pia-read") as pool,
    ):
        checks = {
            idx: checker.submit(_check_extents, z, limits, parts[idx : idx + 1])
            for idx in (largest_first if parts else [])
        }
        futures = {idx: pool.submit(one, idx, checks.get(idx)) for idx in largest_first}
        try:
            return _split([futures[idx].result() for idx in range(len(names))])
        except BaseException:
            for f in [*checks.values(), *futures.values()]:
                f.cancel()
            raise


def _split(loaded: list[Any]) -> tuple[list[Any], list[Problem]]:
    """(what was read, in sheet order; the sheets skipped); an empty sheet is neither."""
    problems = [p for p in loaded if isinstance(p, Problem)]
    return [g for g in loaded if g is not None and not isinstance(g, Problem)], problems


def _part_sizes(z: zipfile.ZipFile, parts: list[str]) -> list[int]:
    """Unpacked size of each sheet's XML: the largest sheets start first, so the threads finish together."""
    size = {i.filename: i.file_size for i in z.infolist()}
    return [size.get(p, 0) for p in parts]


def _load_sheet(reader, idx: int, name: str, rel: str, limits: Limits) -> Grid | Problem | None:
    """One sheet as a grid; a Problem when it is skipped; None when it is empty."""
    try:
        # header_row=None with skip_rows=0 keeps every row from row 1: frame row i is Excel row i+1.
        sheet = reader.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string")
        if sheet.height > limits.max_rows or sheet.width > limits.max_columns:
            return Problem(
                rel,
                name,
                "file_too_large",
                f"Sheet '{name}' has {sheet.height} rows and {sheet.width} columns, over the limits of "
                f"{limits.max_rows} rows (PIA_MAX_ROWS) and {limits.max_columns} columns (PIA_MAX_COLUMNS); "
                "it was not read.",
            )
        # through pyarrow, not to_polars(): that conversion holds the GIL (~0.14 s for the largest LA,
        # stalling the other readers' Python), this one does not
        frame = pl.from_arrow(sheet.to_arrow())
        hidden = str(getattr(sheet, "visible", "visible")).lower() != "visible"
    except BaseException as e:
        _reraise_interrupts(e)
        return Problem(
            rel, name, "file_unreadable", f"Sheet '{name}' is damaged and could not be read."
        )
    if too_much := text_over(frame, limits):
        return Problem(rel, name, "file_too_large", f"Sheet '{name}': {too_much}")
    if frame.width == 0 or frame.height == 0:
        return None  # an empty sheet holds no list
    return Grid(rel, name, _as_grid(frame), hidden)


def text_over(frame: pl.DataFrame, limits: Limits) -> str | None:
    """Why a grid's text is over the limits (a cell longer than Excel allows, or more text in all
    than PIA_MAX_TEXT_MB), else None. Cells shared through an xlsx's shared strings are checked
    before reading; this catches inline strings, xls and CSV."""
    if frame.width == 0 or frame.height == 0:
        return None
    lengths = frame.select(pl.all().cast(pl.String).str.len_chars())
    longest = int(lengths.max().max_horizontal()[0] or 0)
    if longest > limits.max_cell_chars:
        return (
            f"a cell holds {longest:,} characters, over the limit of {limits.max_cell_chars:,} "
            "(PIA_MAX_CELL_CHARS, Excel's own limit); it was not read."
        )
    total = int(lengths.sum().sum_horizontal()[0] or 0)
    if total > limits.text_chars:
        return (
            f"it holds {total:,} characters of text, over the limit of {limits.max_text_mb:g} MB "
            "(PIA_MAX_TEXT_MB); it was not read."
        )
    return None


def _reraise_interrupts(e: BaseException) -> None:
    if isinstance(e, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise e


def _as_grid(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    frame = frame.with_columns(pl.all().cast(pl.String))
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))


# --- CSV ---------------------------------------------------------------------------------------------
def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (what Excel saves as 'CSV')."""
    return decode_csv(data)[0]


def decode_csv(data: bytes) -> tuple[str, dict[str, list[int]]]:
    """The text of a CSV file, and the lines (1-based) whose text was damaged, by kind:

    - "mixed": not UTF-8 in a file whose other lines are UTF-8 with accents (a file edited in two
      programs): each such line is read as Windows-1252, where a whole-file guess would have
      turned every other line's `Zoë` into `ZoÃ«`;
    - "nul": a NUL character (removed: no text holds one, and it splits IDs that look the same);
    - "bom": a byte-order mark inside the data, not at its start (removed: two files joined).
    """
    damaged: dict[str, list[int]] = {}
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text, mixed = _decode_by_line(data)
            if mixed:
                damaged["mixed"] = mixed
    for kind, char in (("nul", "\0"), ("bom", "\ufeff")):
        if char in text:
            damaged[kind] = _lines_holding(text, char)
            text = text.replace(char, "")
    return text, damaged


def _decode_by_line(data: bytes) -> tuple[str, list[int]]:
    """Windows-1252 for a file that never was UTF-8; else UTF-8 line by line, Windows-1252 for the
    lines that are not (returned)."""
    lines = data.split(b"\n")
    decoded, bad, utf8_accents = [], [], False
    for i, line in enumerate(lines, 1):
        try:
            text = line.decode("utf-8")
            utf8_accents = utf8_accents or not text.isascii()
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            bad.append(i)
        decoded.append(text)
    if not utf8_accents:
        return data.decode("cp1252", errors="replace"), []
    return "\n".join(decoded), bad


def _lines_holding(text: str, char: str, most: int = 1000) -> list[int]:
    lines, at = [], text.find(char)
    while at >= 0 and len(lines) < most:
        line = text.count("\n", 0, at) + 1
        if not lines or lines[-1] != line:
            lines.append(line)
        at = text.find(char, at + 1)
    return lines


_DAMAGE = {
    "mixed": "{lines} not UTF-8 like the rest of the file (read as Windows-1252): check the text "
    "there, names with accents especially, and save the whole file as UTF-8.",
    "nul": "{lines} a NUL character (byte 0), which no text should hold; it was removed.",
    "bom": "{lines} a byte-order mark (U+FEFF) inside the data, as when two files are joined; "
    "it was removed.",
}


def _damage_problems(rel: str, sheet: str, damaged: dict[str, list[int]]) -> list[Problem]:
    problems = []
    for kind, lines in damaged.items():
        shown = ", ".join(f"{n:,}" for n in lines[:10])
        more = f" and {len(lines) - 10:,} more" if len(lines) > 10 else ""
        verb = ("Line {} is" if len(lines) == 1 else "Lines {} are").format(shown + more)
        if kind != "mixed":
            verb = ("Line {} holds" if len(lines) == 1 else "Lines {} hold").format(shown + more)
        problems.append(
            Problem(rel, sheet, "text_damaged", _DAMAGE[kind].format(lines=verb), row=lines[0])
        )
    return problems


def sniff_delimiter(text: str) -> str:
    """The delimiter most lines agree on among , ; tab | (title rows may have none)."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", (0, 0)
    for d in CSV_DELIMITERS:
        counts = [_count_outside_quotes(ln, d) for ln in lines]
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n


def _read_csv(
    path: Path, rel: str, limits: Limits, damaged: dict[str, list[int]] | None = None
) -> Grid:
    """The file's grid; `damaged`, when given, gets the lines whose text was damaged (decode_csv)."""
    text, found = decode_csv(path.read_bytes())
    if damaged is not None:
        damaged.update(found)
    delim = sniff_delimiter(text)
    got = _csv_by_lines(text, delim, limits)
    # else a row may span lines (or there is a lone \r or a NUL): the csv module reads it all
    cells, lines = got if got is not None else _csv_parsed(text, delim, limits)
    # An empty field in a CSV is an empty cell, as in a workbook.
    cells = cells.with_columns(pl.when(pl.all() == "").then(None).otherwise(pl.all()).name.keep())
    if too_much := text_over(cells, limits):
        raise FileProblem(too_much[0].upper() + too_much[1:], rule="file_too_large")
    return Grid(rel, path.name, cells.with_columns(pl.Series(ROW, lines, dtype=pl.Int64)))


def _check_width(width: int, limits: Limits) -> None:
    if width == 0:
        raise FileProblem("The file holds no rows.")
    if width > limits.max_columns:
        raise FileProblem(
            f"The file has {width} columns, over the limit of {limits.max_columns} (PIA_MAX_COLUMNS).",
            rule="file_too_large",
        )


def _too_many_rows(limits: Limits) -> FileProblem:
    return FileProblem(
        f"The file has more than {limits.max_rows} rows (PIA_MAX_ROWS); it was not read.",
        rule="file_too_large",
    )


def _csv_by_lines(text: str, delim: str, limits: Limits) -> tuple[pl.DataFrame, range] | None:
    """The cells and each row's line when every row is one line, else None.

    A line without a quote is split in polars (exactly what the csv module makes of it, at a third of
    its cost, outside the GIL). The few lines with quotes go through the csv module, and only when
    each of them, read alone, ends its own row: then no row spans two lines, and the csv module would
    read every line the same within the whole file."""
    if "\0" in text or text.count("\r") != text.count("\r\n"):
        return None
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    if len(parts) > limits.max_rows:
        raise _too_many_rows(limits)
    lines = pl.Series(parts, dtype=pl.String)
    if "\r" in text:
        lines = lines.str.strip_suffix("\r")
    quoted = lines.str.contains('"', literal=True)
    at = quoted.arg_true()
    parsed: list[list[str]] = []
    if len(at):
        alone = lines.gather(at).to_list()
        # the sentinel row is swallowed when the last quoted line leaves a quote open
        reader = csv.reader(io.StringIO("\n".join([*alone, "end"]), newline=""), delimiter=delim)
        try:
            parsed = list(itertools.islice(reader, len(alone) + 2))
        except csv.Error:
            return None
        if len(parsed) != len(alone) + 1:
            return None
        parsed.pop()
    fields = lines.str.split(delim)
    plain = ~quoted & (lines.str.len_bytes() > 0)  # an empty line has no field to the csv module
    width = max(int(fields.filter(plain).list.len().max() or 0), *(len(r) for r in parsed), 0)
    _check_width(width, limits)
    columns = []
    for i in range(width):
        column = fields.list.get(i, null_on_oob=True).alias(f"c{i}")
        if parsed:
            column = column.scatter(
                at, pl.Series([r[i] if i < len(r) else None for r in parsed], dtype=pl.String)
            )
        columns.append(column)
    return pl.DataFrame(columns), range(1, len(parts) + 1)


def _csv_parsed(text: str, delim: str, limits: Limits) -> tuple[pl.DataFrame, Sequence[int]]:
    """The cells through the csv module, and the line each row starts on."""
    rows = _csv_rows(text, delim, limits)
    lines = _csv_lines(text, len(rows))
    if lines is None:  # a quoted field holds a newline: count each row's first line
        lines = _csv_first_lines(text, delim)
    width = max((len(r) for r in rows), default=0)
    _check_width(width, limits)
    # one flat column of every field (C-speed chain), then every width-th of it per column: a Python
    # transpose of the largest LA's 20k-row CSV cost more than parsing it
    if any(len(r) != width for r in rows):
        rows = [r + [""] * (width - len(r)) for r in rows]
    flat = pl.Series(list(itertools.chain.from_iterable(rows)), dtype=pl.String)
    return pl.DataFrame(
        [flat.gather_every(width, offset=i).alias(f"c{i}") for i in range(width)]
    ), lines


def _csv_rows(text: str, delim: str, limits: Limits) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        rows = list(itertools.islice(reader, limits.max_rows + 1))
    except csv.Error:
        raise FileProblem(
            f"The CSV file is malformed near line {reader.line_num} and could not be read."
        ) from None
    if len(rows) > limits.max_rows:
        raise _too_many_rows(limits)
    return rows


def _csv_lines(text: str, n_rows: int) -> range | None:
    """Row i's line is i + 1 when there are as many rows as lines (a blank line is a row of its own
    to the csv module, so then no row spans two lines); None when they differ."""
    crlf = text.count("\r\n")
    lines = text.count("\n") + text.count("\r") - crlf  # \r\n, \n and a lone \r each end a line
    if text and not text.endswith(("\n", "\r")):
        lines += 1
    return range(1, n_rows + 1) if lines == n_rows else None


def _csv_first_lines(text: str, delim: str) -> list[int]:
    """The line each row starts on (the text already parsed once, within the limits)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    lines, line = [], 1
    for _ in reader:
        lines.append(line)
        line = reader.line_num + 1
    return lines
