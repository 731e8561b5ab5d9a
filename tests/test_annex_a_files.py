"""Files as LAs send them: formats, encodings, layouts, several sheets per list, and files that cannot be read."""

from __future__ import annotations

import codecs
import zipfile

import pytest
from annex_a_fixtures import (
    issues,
    new_warehouse,
    query,
    rows_for,
    write_csv,
    write_ods,
    write_xlsx,
)

from flows.annex_a import load, readers
from flows.annex_a import specs as S

REF = S.LIST_03


def _run(sub, tmp_path):
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    counts = load.load_submission(
        sorted(p for p in sub.rglob("*") if p.is_file()), wh, relative_to=sub
    )
    return wh, counts


@pytest.fixture
def sub(tmp_path):
    d = tmp_path / "landed"
    d.mkdir()
    return d


# --- formats ---------------------------------------------------------------------------------------
def test_xlsm_is_read_like_xlsx(sub, tmp_path):
    write_xlsx(sub / "annex_a.xlsm", {"Referrals": [REF.headers, *rows_for(REF, 3)]})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 3}


def test_ods(sub, tmp_path):
    write_ods(sub / "annex_a.ods", {"Referrals": [["Title"], REF.headers, *rows_for(REF, 3)]})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 3}
    assert [r[0] for r in query(wh, "select source_row from annex_a.list_03_referrals")] == [
        3,
        4,
        5,
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_delimiters_and_encodings(sub, tmp_path, delimiter, encoding):
    rows = rows_for(REF, 3)
    rows[1][REF.headers.index("Allocated Worker")] = (
        "Zoë O'Brien, Jr"  # accents, quote, the delimiter
    )
    write_csv(
        sub / "referrals.csv",
        [["Referrals; 01/09/2024 - 28/02/2025"], [], REF.headers, *rows],
        delimiter=delimiter,
        encoding=encoding,
    )
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 3}
    got = query(
        wh,
        "select source_file, source_sheet, source_row, allocated_worker from annex_a.list_03_referrals "
        "order by source_row",
    )
    assert [g[:3] for g in got] == [("referrals.csv", "referrals.csv", n) for n in (4, 5, 6)]
    assert got[1][3] == "Zoë O'Brien, Jr"
    assert issues(wh, "file_unreadable") == []


def test_csv_line_numbers_count_quoted_newlines(sub, tmp_path):
    spec = S.UNREGISTERED_PROVISION
    rows = rows_for(spec, 3)
    rows[0][spec.headers.index("Details of Provision")] = "line one\nline two"
    write_csv(sub / "3.17.csv", [spec.headers, *rows])
    wh, _ = _run(sub, tmp_path)
    assert [r[0] for r in query(wh, "select source_row from annex_a.unregistered_provision")] == [
        2,
        4,
        5,
    ]


def test_utf16_tab_text_as_excel_saves_unicode_text(sub, tmp_path):
    lines = ["\t".join(REF.headers)] + ["\t".join(str(v) for v in r) for r in rows_for(REF, 2)]
    (sub / "referrals.txt").write_bytes(
        codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le")
    )
    _, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 2}


# --- layouts ---------------------------------------------------------------------------------------
def test_blank_rows_and_columns_and_extra_columns(sub, tmp_path):
    headers = [*REF.headers[:3], None, *REF.headers[3:], "Notes", "Locality"]
    data = rows_for(REF, 3)
    rows = [r[:3] + [None] + r[3:] + [f"note {i}", None] for i, r in enumerate(data)]
    sheet = [
        ["Annex A"],
        ["List 3"],
        [],
        headers,
        rows[0],
        [],
        [None, " "],
        rows[1],
        rows[2],
        [],
        [],
    ]
    write_xlsx(sub / "a.xlsx", {"Referrals": sheet})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 3}
    assert [r[0] for r in query(wh, "select source_row from annex_a.list_03_referrals")] == [
        5,
        8,
        9,
    ]
    raw_cols = [
        r[0]
        for r in query(
            wh,
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = 'list_03_referrals' order by ordinal_position",
        )
    ]
    assert raw_cols == [
        *REF.headers,
        "Notes",
        "Locality",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    assert query(wh, 'select "Notes" from raw.list_03_referrals order by source_row') == [
        ("note 0",),
        ("note 1",),
        ("note 2",),
    ]
    unexpected = issues(wh, "header_unrecognised")
    assert [(f["column_name"], f["source_row"], f["severity"]) for f in unexpected] == [
        ("Notes", 4, "info"),
        ("Locality", 4, "info"),
    ]
    assert all("kept as sent (raw_extra)" in f["message"] for f in unexpected)


def test_raw_keeps_values_exactly_as_read(sub, tmp_path):
    rows = rows_for(REF, 1)
    rows[0][REF.headers.index("Gender")] = " a) Male "
    write_xlsx(sub / "a.xlsx", {"R": [REF.headers, *rows]}, date_cells=False)
    wh, _ = _run(sub, tmp_path)
    assert query(wh, 'select "Gender", "Date of referral" from raw.list_03_referrals') == [
        (" a) Male ", "04/03/2025")
    ]
    assert query(wh, "select gender, gender_raw from annex_a.list_03_referrals") == [
        ("Male", " a) Male ")
    ]


def test_missing_template_column_is_null_and_reported(sub, tmp_path):
    headers = [h for h in REF.headers if h != "Referral NFA?"]
    rows = [
        [v for h, v in zip(REF.headers, r, strict=True) if h != "Referral NFA?"]
        for r in rows_for(REF, 2)
    ]
    write_xlsx(sub / "a.xlsx", {"Referrals": [["t"], headers, *rows]})
    wh, _ = _run(sub, tmp_path)
    assert query(wh, "select count(*), count(referral_nfa) from annex_a.list_03_referrals") == [
        (2, 0)
    ]
    missing = issues(wh, "column_missing")
    assert [
        (f["list_name"], f["column_name"], f["source_row"], f["source_sheet"]) for f in missing
    ] == [("list_03_referrals", "Referral NFA?", 2, "Referrals")]


def test_one_workbook_many_lists_mixed_with_separate_files(sub, tmp_path):
    wb = {s.title[:31]: [s.headers, *rows_for(s, 2)] for s in S.SPECS[:8]}
    write_xlsx(sub / "lists_1_to_8.xlsx", wb)
    (sub / "mi").mkdir()
    for s in S.SPECS[8:]:
        write_csv(sub / "mi" / f"{s.table}.csv", [s.headers, *rows_for(s, 3)])
    wh, counts = _run(sub, tmp_path)
    assert counts == {s.table: 2 for s in S.SPECS[:8]} | {s.table: 3 for s in S.SPECS[8:]}
    assert issues(wh, "list_not_provided") == [] and issues(wh, "sheet_unrecognised") == []
    assert query(wh, "select distinct source_file from annex_a.caseloads") == [
        ("mi/caseloads.csv",)
    ]


def test_a_list_split_across_files_is_combined_and_reported(sub, tmp_path):
    write_xlsx(sub / "referrals_part1.xlsx", {"Referrals": [REF.headers, *rows_for(REF, 2)]})
    write_csv(sub / "referrals_part2.csv", [[h.upper() for h in REF.headers], *rows_for(REF, 3)])
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 5}
    dup = issues(wh, "list_duplicated")
    assert len(dup) == 1
    assert (
        "referrals_part1.xlsx sheet 'Referrals'" in dup[0]["message"]
        and "referrals_part2.csv" in dup[0]["message"]
    )
    assert (dup[0]["list_name"], dup[0]["source_file"]) == (
        "list_03_referrals",
        "referrals_part2.csv",
    )
    assert query(
        wh, "select files, sheets from meta.lists where list_name = 'list_03_referrals'"
    ) == [("referrals_part1.xlsx; referrals_part2.csv", "Referrals; referrals_part2.csv")]
    # headers spelt differently in case share one raw column (DuckDB names are case-insensitive)
    assert query(wh, 'select count("Gender") from raw.list_03_referrals') == [(5,)]


def test_unrecognised_and_empty_sheets(sub, tmp_path):
    write_xlsx(
        sub / "a.xlsx",
        {
            "Guidance": [["How to fill in this workbook"], ["Use the codes in the lookup sheet"]],
            "Referrals": [REF.headers, *rows_for(REF, 1)],
            "Sheet3": [],
        },
    )
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 1}
    found = issues(wh, "sheet_unrecognised")
    assert [(f["source_file"], f["source_sheet"], f["severity"]) for f in found] == [
        ("a.xlsx", "Guidance", "warning")
    ]
    assert "Guidance" in found[0]["message"]


# --- files that cannot be read ---------------------------------------------------------------------
def _pdf(p):
    p.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")


def _encrypted(p):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = p.with_name("plain.tmp")
    write_xlsx(plain, {"Referrals": [REF.headers, *rows_for(REF, 1)]})
    with plain.open("rb") as f, p.open("wb") as out:
        OOXMLFile(f).encrypt("secret", out)
    plain.unlink()


def _truncated(p):
    src = p.with_name("whole.tmp")
    write_xlsx(src, {"Referrals": [REF.headers, *rows_for(REF, 50)]})
    data = src.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    src.unlink()


def _xlsb(p):
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")


def _word(p):
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


def _html(p):
    p.write_text("<html><body><table><tr><td>Child Unique ID</td></tr></table></body></html>")


def _corrupt_inside(p):
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='x' r:id='rId1'/>")


BAD_FILES = {
    "renamed.xlsx": (_pdf, "PDF"),
    "protected.xlsx": (_encrypted, "password"),
    "truncated.xlsx": (_truncated, "damaged"),
    "empty.xlsx": (lambda p: p.write_bytes(b""), "empty"),
    "binary.xlsb": (_xlsb, "xlsb"),
    "letter.docx": (_word, "Word"),
    "export.xls": (_html, "HTML"),
    "broken.xlsx": (_corrupt_inside, "damaged"),
    "photo.jpg": (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100)), "not a spreadsheet"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_one_clear_finding_and_the_rest_still_load(sub, tmp_path, name):
    make, why = BAD_FILES[name]
    make(sub / name)
    write_xlsx(sub / "good.xlsx", {"Referrals": [REF.headers, *rows_for(REF, 2)]})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 2}
    bad = [f for f in issues(wh) if f["source_file"] == name]
    assert len(bad) == 1, bad
    assert bad[0]["rule"] == "file_unreadable" and bad[0]["severity"] == "error"
    assert name in bad[0]["message"] and why in bad[0]["message"]


def test_limits_come_from_the_environment_and_are_stated(sub, tmp_path, monkeypatch):
    write_xlsx(sub / "big.xlsx", {"Referrals": [REF.headers, *rows_for(REF, 20)]})
    write_csv(sub / "contacts.csv", [S.LIST_01.headers, *rows_for(S.LIST_01, 20)])
    monkeypatch.setenv("PIA_MAX_ROWS", "10")
    wh, counts = _run(sub, tmp_path)
    assert counts == {}
    found = sorted(issues(wh, "file_too_large"), key=lambda f: f["source_file"])
    assert [f["source_file"] for f in found] == ["big.xlsx", "contacts.csv"]
    assert all("PIA_MAX_ROWS" in f["message"] for f in found)

    monkeypatch.delenv("PIA_MAX_ROWS")
    monkeypatch.setenv("PIA_MAX_FILE_MB", "0.001")
    wh, counts = _run(sub, tmp_path)
    assert len(issues(wh, "file_too_large")) == 2 and all(
        "PIA_MAX_FILE_MB" in f["message"] for f in issues(wh, "file_too_large")
    )
    monkeypatch.delenv("PIA_MAX_FILE_MB")
    monkeypatch.setenv("PIA_MAX_COLUMNS", "5")
    wh, counts = _run(sub, tmp_path)
    assert {f["source_file"] for f in issues(wh, "file_too_large")} == {"big.xlsx", "contacts.csv"}


def test_zip_bomb_is_refused_before_unpacking(sub, tmp_path, monkeypatch):
    with zipfile.ZipFile(sub / "bomb.xlsx", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (3 * 1024 * 1024))
    assert (sub / "bomb.xlsx").stat().st_size < 100_000
    monkeypatch.setenv("PIA_MAX_UNCOMPRESSED_MB", "2")
    wh, _ = _run(sub, tmp_path)
    [f] = issues(wh, "file_too_large")
    assert f["source_file"] == "bomb.xlsx" and "PIA_MAX_UNCOMPRESSED_MB" in f["message"]


def test_read_file_raises_file_problem_not_other_errors(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(readers.FileProblem) as e:
        readers.read_file(p, "x.xlsx")
    assert e.value.rule == "file_unreadable"


def test_formulas_give_their_cached_values_and_hidden_sheets_are_read(sub, tmp_path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(sub / "f.xlsx"))
    ws = wb.add_worksheet("Referrals")
    ws.write_row(0, 0, REF.headers)
    row = rows_for(REF, 1)[0]
    for c, v in enumerate(row):
        if REF.headers[c] == "Age of Child (Years)":
            ws.write_formula(1, c, '=DATEDIF(D2,TODAY(),"y")', None, 9)
        else:
            ws.write(1, c, v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v)
    hidden = wb.add_worksheet("Lookups")
    hidden.write_column(0, 0, ["a) Male", "b) Female"])
    hidden.hide()
    wb.close()
    wh, counts = _run(sub, tmp_path)
    assert query(wh, "select age, age_raw from annex_a.list_03_referrals") == [(9, "9")]
    [f] = issues(wh, "sheet_unrecognised")
    assert f["source_sheet"] == "Lookups" and "hidden" in f["message"]


def test_excel_lock_files_are_noted_not_errors(sub, tmp_path):
    (sub / "~$annex_a.xlsx").write_bytes(b"\x05user" + bytes(160))
    write_xlsx(sub / "annex_a.xlsx", {"Referrals": [REF.headers, *rows_for(REF, 1)]})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 1}
    [f] = issues(wh, "file_unreadable")
    assert f["severity"] == "info" and f["source_file"] == "~$annex_a.xlsx"


def test_xls(sub, tmp_path):
    from annex_a_fixtures import write_xls

    rows = [[str(v) if hasattr(v, "strftime") else v for v in r] for r in rows_for(REF, 3)]
    rows[2][REF.headers.index("Date of referral")] = 45720  # an Excel serial
    write_xls(sub / "annex_a.xls", {"Front door": [["List 3"], [], REF.headers, *rows]})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 3}
    got = query(
        wh,
        "select source_row, date_of_referral, age from annex_a.list_03_referrals order by source_row",
    )
    assert [(r[0], r[2]) for r in got] == [(4, 0), (5, 1), (6, 2)]
    assert got[2][1].isoformat() == "2025-03-04"


def test_a_workbook_the_reader_panics_on_is_one_finding(sub, tmp_path):
    from annex_a_fixtures import write_xls

    write_xls(
        sub / "damaged.xls", {"Referrals": [REF.headers, *rows_for(REF, 40)]}, broken_chain=True
    )
    write_xlsx(sub / "good.xlsx", {"Referrals": [REF.headers, *rows_for(REF, 2)]})
    wh, counts = _run(sub, tmp_path)
    assert counts == {"list_03_referrals": 2}
    [f] = issues(wh, "file_unreadable")
    assert f["source_file"] == "damaged.xls" and "damaged" in f["message"]
