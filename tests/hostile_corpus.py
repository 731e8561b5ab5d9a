"""Hostile files, generated at test time (nothing hostile is committed as a binary), and the recorder
that turns the reliability tests' outcomes into docs/reliability.md.

Each corpus case writes one file next to a good submission and states what the product must do:
either report it as one finding naming the file (rule and a phrase of the message, e.g. the limit),
or read it safely (cached formula values, macros ignored, odd encodings decoded).
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import json
import os
import resource
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from annex_a_fixtures import rows_for, write_csv, write_xlsx

from flows.annex_a import specs as S

REF = S.LIST_03  # the list most hostile files pretend to hold
XSS = ("<script>alert('pia')</script>", "<img src=x onerror=alert('pia')>")
FORMULAS = ('=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(1)")


# --- recording outcomes for docs/reliability.md ----------------------------------------------------
def record(area: str, case: str, outcome: str) -> None:
    """Append one outcome to PIA_RELIABILITY_LOG (JSON lines); a no-op when it is not set."""
    path = os.environ.get("PIA_RELIABILITY_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"area": area, "case": case, "outcome": outcome}) + "\n")


# --- peak memory of the run and its reader processes ---------------------------------------------
GIB = 1024**3


def _peak_bytes(pid: int | str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0  # the process is gone
    line = next(ln for ln in status.splitlines() if ln.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def _reader_pids() -> list[int]:
    from flows.annex_a import isolated

    return [w.proc.pid for w in isolated._POOL.all if w.proc.poll() is None]


@contextlib.contextmanager
def peak_memory() -> Iterator[dict[str, int]]:
    """The highest resident memory, in bytes, of this process and of every reader child while the
    block runs (Linux: each process's high-water mark reset first). A child that died is counted
    through RUSAGE_CHILDREN (its peak since it started), when that peak is the highest yet."""
    for pid in ["self", *_reader_pids()]:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak: dict[str, int] = {}
    yield peak
    children = [_peak_bytes(p) for p in _reader_pids()]
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # a child that died here with a lower peak than an earlier one is not seen: its data limit
    # (PIA_READ_MEMORY_MB) bounded it
    dead = after * 1024 if after > before else 0
    peak["run"] = _peak_bytes("self")
    peak["reader"] = max([*children, 0])
    peak["dead_reader"] = dead


# --- hand-written xlsx parts (cheap for huge or odd sheets) -----------------------------------------
def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(r: int, c: int, v) -> str:
    ref = f"{_col(c)}{r}"
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def rows_xml(rows, first: int = 1) -> bytes:
    return "".join(
        f'<row r="{r}">'
        + "".join(_cell(r, c, v) for c, v in enumerate(row) if v is not None)
        + "</row>"
        for r, row in enumerate(rows, start=first)
    ).encode()


def sheet_xml(rows) -> bytes:
    return _SHEET_HEAD + rows_xml(rows) + _SHEET_TAIL


def write_raw_xlsx(
    path: Path, sheets: dict[str, bytes | Callable], extra: dict[str, bytes] | None = None
) -> Path:
    """A minimal xlsx from sheet XML: a value is the XML, or a callable writing it to a file handle
    (so a million-row sheet streams into the zip instead of being built in memory)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    sheet_list = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + overrides
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>{sheet_list}</sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, content in enumerate(sheets.values(), 1):
            if callable(content):
                with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as f:
                    content(f)
            else:
                z.writestr(f"xl/worksheets/sheet{i}.xml", content)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def _million_rows(f) -> None:
    f.write(_SHEET_HEAD + rows_xml([REF.headers]))
    for start in range(2, 1_048_577, 65_536):
        stop = min(start + 65_536, 1_048_577)
        f.write(
            "".join(
                f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(start, stop)
            ).encode()
        )
    f.write(_SHEET_TAIL)


# --- the corpus ---------------------------------------------------------------------------------------
def zip_bomb(path: Path, gib: int = 2) -> Path:
    """A real deflate bomb: a few MB on disk, `gib` GiB of zeros when unpacked, honest headers.

    One MiB of zeros is compressed with a full flush (byte-aligned, no history needed) and the same
    compressed block repeated, so building it costs milliseconds instead of compressing gigabytes.
    """
    mib = 1 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(mib)) + comp.flush(zlib.Z_FULL_FLUSH)
    end = b"\x03\x00"  # an empty final fixed-Huffman block
    n = gib * 1024
    crc = 0
    zeros = bytes(mib)
    for _ in range(n):
        crc = zlib.crc32(zeros, crc)
    size = n * mib
    packed = len(block) * n + len(end)
    name = b"xl/worksheets/sheet1.xml"
    small = [
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
    ]
    with path.open("wb") as f:
        central = b""
        for fname, data in small:  # stored entries
            off = f.tell()
            c = zlib.crc32(data)
            fn = fname.encode()
            f.write(
                struct.pack(
                    "<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, c, len(data), len(data), len(fn), 0
                )
            )
            f.write(fn + data)
            central += (
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0,
                    0,
                    0,
                    0,
                    c,
                    len(data),
                    len(data),
                    len(fn),
                    0,
                    0,
                    0,
                    0,
                    0,
                    off,
                )
                + fn
            )
        off = f.tell()
        f.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, packed, size, len(name), 0)
        )
        f.write(name)
        for _ in range(n):
            f.write(block)
        f.write(end)
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                packed,
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                off,
            )
            + name
        )
        cd_off = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 3, 3, len(central), cd_off, 0))
    return path


def encrypted_xlsx(path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = path.with_name(".plain.tmp")
    write_xlsx(plain, {"Referrals": [REF.headers, *rows_for(REF, 2)]})
    with plain.open("rb") as f, path.open("wb") as out:
        OOXMLFile(f).encrypt("Secret-123", out)
    plain.unlink()
    return path


def xlsb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00\x9c\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return path


def renamed_pdf(path: Path) -> Path:
    path.write_bytes(
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return path


def truncated_xlsx(path: Path) -> Path:
    whole = path.with_name(".whole.tmp")
    write_xlsx(whole, {"Referrals": [REF.headers, *rows_for(REF, 200)]})
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    whole.unlink()
    return path


def macro_xlsm(path: Path) -> Path:
    """An xlsm whose VBA project would, if anything ran it, write a file: it must only be read."""
    import xlsxwriter

    vba = path.with_name(".vbaProject.bin")
    vba.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b'Sub Workbook_Open(): Open "pwned" For Output As #1'
        + bytes(400)
    )
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Referrals")
    for r, row in enumerate([REF.headers, *rows_for(REF, 2)]):
        ws.write_row(r, 0, [v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in row])
    wb.add_vba_project(str(vba))
    wb.close()
    vba.unlink()
    return path


def formulas_and_links(path: Path, url: str) -> Path:
    """Formulas whose cached values are the data, an external workbook link and a WEBSERVICE call to
    `url` (a loopback server that counts requests: the reader must never fetch it)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Referrals")
    ws.write_row(0, 0, REF.headers)
    row = rows_for(REF, 1)[0]
    gender = REF.headers.index("Gender")
    for c, v in enumerate(row):
        ws.write(1, c, v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v)
    ws.write_formula(1, gender, "='[C:\\\\secret\\\\other.xlsx]Sheet1'!A1", None, "b) Female")
    ws.write_formula(1, len(REF.headers), f'=WEBSERVICE("{url}")', None, "cached")
    wb.close()
    return path


def wide_xlsx(path: Path) -> Path:
    headers = [*REF.headers, *(f"extra {i}" for i in range(16_384 - len(REF.headers)))]
    return write_raw_xlsx(path, {"Referrals": sheet_xml([headers, *rows_for(REF, 1)])})


def tall_xlsx(path: Path) -> Path:
    return write_raw_xlsx(path, {"Referrals": _million_rows})


def corner_cell_xlsx(path: Path) -> Path:
    """2 KB on disk, but its one far cell spans 1,048,576 x 16,384: a dense reader would ask for
    512 GB and abort the whole process."""
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_raw_xlsx(
        path, {"Referrals": _SHEET_HEAD + rows_xml([REF.headers]) + far + _SHEET_TAIL}
    )


def implicit_positions_xlsx(path: Path) -> Path:
    """7 KB with no far reference at all: rows and cells without one are placed after the ones
    before, so 3,000 cells in a row and 200,000 empty rows make a 600-million-cell grid (18 GB)."""
    wide = b"<row>" + b"<c><v>1</v></c>" * 3_000 + b"</row>"
    tall = b"<row/>" * 200_000 + b"<row><c><v>2</v></c></row>"
    return write_raw_xlsx(
        path, {"Referrals": _SHEET_HEAD + rows_xml([REF.headers]) + wide + tall + _SHEET_TAIL}
    )


def single_quoted_corner_xlsx(path: Path) -> Path:
    """The corner cell again, its reference in single quotes (as valid XML as double ones)."""
    far = b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"
    return write_raw_xlsx(
        path, {"Referrals": _SHEET_HEAD + rows_xml([REF.headers]) + far + _SHEET_TAIL}
    )


def prefixed_corner_xlsx(path: Path) -> Path:
    """The corner cell again, in elements with a namespace prefix and the reference as entities."""
    head = _SHEET_HEAD.replace(b"<worksheet ", b'<worksheet xmlns:x="urn:x" ')
    far = b'<x:row r="1048576"><x:c r="&#88;FD1048576"><v>1</v></x:c></x:row>'
    return write_raw_xlsx(path, {"Referrals": head + rows_xml([REF.headers]) + far + _SHEET_TAIL})


def write_ods(path: Path, rows_xml: str, name: str = "Referrals") -> Path:
    """A minimal OpenDocument spreadsheet: one table of these table-row elements."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet><table:table table:name={quoteattr(name)}>{rows_xml}"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return path


ODS_VALUE = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


def ods_empty_cells(n: int) -> str:
    return f'<table:table-cell table:number-columns-repeated="{n}"/>'


def repeats_ods(path: Path) -> Path:
    """1 KB of OpenDocument whose cells say they repeat: a value, 16,000 empty cells and a value,
    then a million empty rows and a value. The reader expands every repeat before the last value:
    16 billion cells."""
    v = ODS_VALUE
    return write_ods(
        path,
        f"<table:table-row>{v}{ods_empty_cells(16000)}{v}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>'
        f"<table:table-row>{v}</table:table-row>",
    )


def huge_file(path: Path, mb: int = 300) -> Path:
    """Larger than any real submission, without using the disk: a sparse file."""
    with path.open("wb") as f:
        f.write(",".join(REF.headers).encode() + b"\n")
        f.truncate(mb * 1024 * 1024)
    return path


def csv_text(rows, delimiter: str) -> str:
    return (
        "\r\n".join(delimiter.join(str(v) if v is not None else "" for v in r) for r in rows)
        + "\r\n"
    )


def _text_rows(n: int):
    rows = rows_for(REF, n)
    worker = REF.headers.index("Allocated Worker")
    rows[0][worker] = "Zoë Ní Bhriain £"
    return [
        REF.headers,
        *[[v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in r] for r in rows],
    ]


def utf16_csv(path: Path) -> Path:
    path.write_bytes(codecs.BOM_UTF16_BE + csv_text(_text_rows(2), ";").encode("utf-16-be"))
    return path


def cp1252_csv(path: Path) -> Path:
    path.write_bytes(csv_text(_text_rows(2), "|").encode("cp1252"))
    return path


@dataclass(frozen=True)
class Case:
    file: str  # the file name the LA sent
    make: Callable[[Path], Path]
    rule: str | None  # the finding expected for this file; None: read, no error for the file
    phrase: str  # a phrase the finding's message must hold (the reason, or the limit)
    what: str  # for the report


CASES: list[Case] = [
    Case(
        "annex_a_bomb.xlsx",
        zip_bomb,
        "file_too_large",
        "PIA_MAX_UNCOMPRESSED_MB",
        "zip bomb disguised as xlsx (2 MB on disk, 2 GiB unpacked)",
    ),
    Case(
        "million_rows.xlsx",
        tall_xlsx,
        "file_too_large",
        "PIA_MAX_ROWS",
        "sheet with 1,048,576 rows",
    ),
    Case("wide.xlsx", wide_xlsx, "file_too_large", "PIA_MAX_COLUMNS", "sheet with 16,384 columns"),
    Case(
        "corner.xlsx",
        corner_cell_xlsx,
        "file_too_large",
        "PIA_MAX_CELLS",
        "one cell at XFD1048576 (2 KB file whose grid is 17 billion cells)",
    ),
    Case(
        "implicit.xlsx",
        implicit_positions_xlsx,
        "file_too_large",
        "PIA_MAX_CELLS",
        "rows and cells without references (7 KB file whose grid is 600 million cells)",
    ),
    Case(
        "quoted.xlsx",
        single_quoted_corner_xlsx,
        "file_too_large",
        "PIA_MAX_CELLS",
        "the corner cell, its reference in single quotes",
    ),
    Case(
        "prefixed.xlsx",
        prefixed_corner_xlsx,
        "file_too_large",
        "PIA_MAX_CELLS",
        "the corner cell, in prefixed elements, its reference as character entities",
    ),
    Case(
        "repeats.ods",
        repeats_ods,
        "file_too_large",
        "PIA_MAX_COLUMNS",
        "OpenDocument cells and rows that repeat (1 KB file whose grid is 16 billion cells)",
    ),
    Case("enormous.csv", huge_file, "file_too_large", "PIA_MAX_FILE_MB", "300 MB file (sparse)"),
    Case(
        "protected.xlsx",
        encrypted_xlsx,
        "file_unreadable",
        "password",
        "password-protected workbook",
    ),
    Case("binary.xlsb", xlsb, "file_unreadable", "xlsb", "Excel binary workbook (xlsb)"),
    Case("referrals.xlsx", renamed_pdf, "file_unreadable", "PDF", "PDF renamed to .xlsx"),
    Case("truncated.xlsx", truncated_xlsx, "file_unreadable", "damaged", "truncated zip/xlsx"),
    Case(
        "empty.csv",
        lambda p: (p.write_bytes(b""), p)[1],
        "file_unreadable",
        "empty",
        "empty file (0 bytes)",
    ),
    Case("macros.xlsm", macro_xlsm, None, "", "xlsm with a VBA project (read, never run)"),
    Case("utf16.csv", utf16_csv, None, "", "CSV in UTF-16 (big-endian, BOM), ';' delimiter"),
    Case("cp1252.txt", cp1252_csv, None, "", "text file in Windows-1252, '|' delimiter"),
]


def write_good(folder: Path, rows: int = 2) -> Path:
    """The good file that must still load beside every hostile one (list 1, contacts)."""
    return write_csv(folder / "contacts.csv", [S.LIST_01.headers, *rows_for(S.LIST_01, rows)])


# --- subprocess runs of `pia` (shared by the integration tests) ------------------------------------
GENERATED_AT = "2026-11-23T09:00:00+00:00"  # a fixed generation time: re-runs give the same bytes
PIA = str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "pia")


def pia_env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIA_", "PREFECT_"))}
    env.update(
        PIA_DATA_DIR=str(root / "data"),
        PREFECT_HOME=str(root / "prefect"),
        PIA_GENERATED_AT=GENERATED_AT,
        PIA_PREFECT="off",
        GX_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    env.update(extra)
    return env


def small_submission(folder: Path, la: str = "E06000050", date: str = "2026-11-16") -> Path:
    """A synthetic submission of two lists (audits, caseloads): validation stays quick."""
    from flows import synth

    full = folder.with_name(folder.name + "-full")
    synth.generate(la, dt.date.fromisoformat(date), full, scale=0.2)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("Audits list.xlsx", "1.09 Caseloads.xlsx"):
        (folder / name).write_bytes((full / name).read_bytes())
    return folder


# --- zips that lie, and small files that cost a lot (round two) --------------------------------------
def _entries(path: Path) -> dict[str, tuple[int, int]]:
    """Each member's (local header offset, central directory entry offset)."""
    with zipfile.ZipFile(path) as z:
        infos, start = z.infolist(), z.start_dir
    data = path.read_bytes()
    central, at = {}, start
    for _ in infos:
        n, m, k = struct.unpack_from("<3H", data, at + 28)
        central[data[at + 46 : at + 46 + n].decode()] = at
        at += 46 + n + m + k
    return {i.filename: (i.header_offset, central[i.filename]) for i in infos}


def patch_member(
    path: Path, name: str, *, crc=None, csize=None, usize=None, local_name=None
) -> Path:
    """Rewrite what the zip declares about one member, in both headers (local_name: the local one)."""
    data = bytearray(path.read_bytes())
    local, central = _entries(path)[name]
    for at, base in ((local, 14), (central, 16)):
        for value, off in ((crc, 0), (csize, 4), (usize, 8)):
            if value is not None:
                struct.pack_into("<I", data, at + base + off, value)
    if local_name is not None:
        data[local + 30 : local + 30 + len(local_name)] = local_name
    path.write_bytes(bytes(data))
    return path


SHEET1 = "xl/worksheets/sheet1.xml"


def lying_sheet_xlsx(path: Path) -> Path:
    """The probe's SIGABRT: a sheet whose headers declare only its first 4 KB (with that part's
    CRC) and then a cell at XFD1048576. A reader that inflates the whole stream asks for 512 GiB."""
    body = _SHEET_HEAD + rows_xml([REF.headers, *rows_for(REF, 40)])
    body += b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + _SHEET_TAIL
    write_raw_xlsx(path, {"Referrals": body})
    return patch_member(path, SHEET1, crc=zlib.crc32(body[:4096]), usize=4096)


def lying_shared_strings_xlsx(path: Path) -> Path:
    """sharedStrings.xml declares 1,000 bytes (and that part's CRC) and inflates to 20 MB."""
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    strings += b"A" * 20_000_000 + b"</t></si></sst>"
    sheet = sheet_xml([REF.headers]).replace(
        _SHEET_TAIL, b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + _SHEET_TAIL
    )
    write_raw_xlsx(path, {"Referrals": sheet}, {"xl/sharedStrings.xml": strings})
    return patch_member(path, "xl/sharedStrings.xml", crc=zlib.crc32(strings[:1000]), usize=1000)


def _good_xlsx(path: Path) -> Path:
    return write_raw_xlsx(path, {"Referrals": sheet_xml([REF.headers, *rows_for(REF, 50)])})


def bad_crc_xlsx(path: Path) -> Path:
    return patch_member(_good_xlsx(path), SHEET1, crc=0x12345678)


def corrupt_deflate_xlsx(path: Path) -> Path:
    _good_xlsx(path)
    local, _ = _entries(path)[SHEET1]
    data = bytearray(path.read_bytes())
    start = local + 30 + len(SHEET1) + 40
    data[start : start + 64] = bytes(range(64))  # garbage in the middle of the deflate stream
    path.write_bytes(bytes(data))
    return path


def name_mismatch_xlsx(path: Path) -> Path:
    return patch_member(_good_xlsx(path), SHEET1, local_name=b"xl/worksheets/sheetX.xml")


def overlapping_xlsx(path: Path) -> Path:
    """The sheet's compressed data is declared to run on into the next member (the shape of the
    overlapping-entry bombs)."""
    _good_xlsx(path)
    with zipfile.ZipFile(path) as z:
        size = z.getinfo(SHEET1).compress_size
    return patch_member(path, SHEET1, csize=size + 200)


def shared_string_xlsx(path: Path, mb: int, uses: int) -> Path:
    """One long shared string that `uses` cells refer to: tiny on disk, `mb` x `uses` MB of text to
    a reader that copies it into each cell."""
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        + b"A" * (mb * 1_000_000)
        + b"</t></si></sst>"
    )
    refs = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, uses + 2))
    sheet = sheet_xml([REF.headers]).replace(_SHEET_TAIL, refs.encode() + _SHEET_TAIL)
    return write_raw_xlsx(path, {"Referrals": sheet}, {"xl/sharedStrings.xml": strings})


def repeated_text_ods(path: Path) -> Path:
    """About 1 KB of OpenDocument: a 1,000-character cell repeated 1,000 times across and 30,000
    rows down, within the row, column and cell limits but 30 GB of text once expanded."""
    cell = (
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string">'
        f"<text:p>{'x' * 1000}</text:p></table:table-cell>"
    )
    return write_ods(
        path,
        f"<table:table-row>{ODS_VALUE}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="30000">{cell}</table:table-row>',
    )


def many_sheets_xlsx(path: Path, n: int = 10_000) -> Path:
    """10,000 small unrecognised sheets (took 366 s: the zip directory parsed again per sheet)."""
    tiny = sheet_xml([["note"], ["nothing here"]])
    return write_raw_xlsx(path, {f"S{i}": tiny for i in range(n)})


def long_inline_cell_xlsx(path: Path) -> Path:
    """A 5 MB value typed into one cell (inline string): more than Excel lets a cell hold."""
    row = [*rows_for(REF, 1)[0]]
    row[REF.headers.index("Allocated Worker")] = "W" * 5_000_000
    return write_raw_xlsx(path, {"Referrals": sheet_xml([REF.headers, row])})


def amplified_strings_xlsx(path: Path) -> Path:
    """Within every limit checked before reading: one shared string of 32,000 characters (under
    Excel's cap) used by 60,000 cells, 2 GB of cell text once the reader copies it into each. Only
    the reader's memory limit stops it."""
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        + b"A" * 32_000
        + b"</t></si></sst>"
    )
    refs = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, 60_002))
    sheet = sheet_xml([REF.headers]).replace(_SHEET_TAIL, refs.encode() + _SHEET_TAIL)
    return write_raw_xlsx(path, {"Referrals": sheet}, {"xl/sharedStrings.xml": strings})


CASES += [
    Case(
        "amplified.xlsx",
        amplified_strings_xlsx,
        "file_unreadable",
        "PIA_READ_MEMORY_MB",
        "a 32,000-character shared string used by 60,000 cells (2 GB of cell text; within the "
        "limits checked before reading)",
    ),
    Case(
        "lying.xlsx",
        lying_sheet_xlsx,
        "file_unreadable",
        "damaged",
        "a sheet whose zip headers declare its first 4 KB (with that part's CRC), then a cell at "
        "XFD1048576 (calamine: SIGABRT asking for 512 GiB)",
    ),
    Case(
        "lying_strings.xlsx",
        lying_shared_strings_xlsx,
        "file_unreadable",
        "damaged",
        "sharedStrings.xml declaring 1,000 bytes that inflates to 20 MB",
    ),
    Case("bad_crc.xlsx", bad_crc_xlsx, "file_unreadable", "damaged", "a sheet with a bad CRC"),
    Case(
        "bad_deflate.xlsx",
        corrupt_deflate_xlsx,
        "file_unreadable",
        "damaged",
        "a sheet with corrupt deflate data",
    ),
    Case(
        "mismatch.xlsx",
        name_mismatch_xlsx,
        "file_unreadable",
        "damaged",
        "local and central names of a sheet differ",
    ),
    Case(
        "overlap.xlsx",
        overlapping_xlsx,
        "file_unreadable",
        "damaged",
        "a member's data overlapping the next member",
    ),
    Case(
        "one_string.xlsx",
        lambda p: shared_string_xlsx(p, 50, 1),
        "file_too_large",
        "PIA_MAX_CELL_CHARS",
        "one 50 MB shared string (about 50 KB on disk)",
    ),
    Case(
        "shared_90.xlsx",
        lambda p: shared_string_xlsx(p, 20, 90),
        "file_too_large",
        "PIA_MAX_CELL_CHARS",
        "a 20 MB shared string used by 90 cells (1.8 GB of cell text to the reader)",
    ),
    Case(
        "long_cell.xlsx",
        long_inline_cell_xlsx,
        "file_too_large",
        "PIA_MAX_CELL_CHARS",
        "a 5 MB value in one cell (inline string)",
    ),
    Case(
        "repeated_text.ods",
        repeated_text_ods,
        "file_too_large",
        "PIA_MAX_TEXT_MB",
        "OpenDocument text repeated 1,000 x 30,000 times (within the cell limits, 30 GB expanded)",
    ),
    Case(
        "many_sheets.xlsx",
        many_sheets_xlsx,
        "file_too_large",
        "PIA_MAX_SHEETS",
        "10,000 unrecognised sheets",
    ),
]


# --- CSV text that is not what it seems ---------------------------------------------------------------
def _csv_lines(ids: list[str]) -> list[str]:
    rows = _text_rows(len(ids))
    for row, child in zip(rows[1:], ids, strict=True):
        row[0] = child
    return csv_text(rows, ",").split("\r\n")[:-1]


def mixed_encoding_csv(path: Path) -> Path:
    """UTF-8 (with accents) that switches to Windows-1252 on line 4: one file edited in two programs."""
    lines = _csv_lines(["ZOË001", "ZOË002", "ZOË003"])
    path.write_bytes(
        b"\r\n".join(
            [*(ln.encode() for ln in lines[:3]), *(ln.encode("cp1252") for ln in lines[3:])]
        )
        + b"\r\n"
    )
    return path


def nul_csv(path: Path) -> Path:
    """A NUL byte inside a child ID on line 3."""
    lines = _csv_lines(["CHILD1", "CHI\0LD2", "CHILD3"])
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def inner_bom_csv(path: Path) -> Path:
    """A byte-order mark at the start of line 4 (two exports joined), before a child ID."""
    lines = _csv_lines(["BOMCHILD1", "BOMCHILD2", "\ufeffBOMCHILD3"])
    path.write_bytes(codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode())
    return path


# (file, maker, the line named, the child IDs as they must load, what)
TEXT_CASES = [
    (
        "mixed.csv",
        mixed_encoding_csv,
        4,
        ["ZOË001", "ZOË002", "ZOË003"],
        "CSV whose rows switch from UTF-8 to Windows-1252",
    ),
    ("nul.csv", nul_csv, 3, ["CHILD1", "CHILD2", "CHILD3"], "NUL byte inside a child ID"),
    (
        "bom.csv",
        inner_bom_csv,
        4,
        ["BOMCHILD1", "BOMCHILD2", "BOMCHILD3"],
        "byte-order mark inside the data (before a child ID)",
    ),
]
