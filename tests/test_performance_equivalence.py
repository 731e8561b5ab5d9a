"""Speed-ups that must not change what is written: raw.* as a view over annex_a.*_raw is the same
data, under the same column names and types, as raw.* written as a second copy of the text."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import polars as pl
import pytest

from flows import findings, synth, warehouse
from flows.annex_a import load, normalise
from flows.annex_a import specs as S

LA, ND = "E06000050", dt.date(2026, 11, 16)


def _files(folder):
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def _load(folder, db):
    con = warehouse.connect(db)
    con.execute(findings.DDL)
    con.close()
    load.load_submission(_files(folder), db, relative_to=folder)
    con = warehouse.connect(db, read_only=True)
    try:
        kinds = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        )
        raw = {}
        for table in kinds:
            cols = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            frame = con.sql(f'select * from raw."{table}"').pl()  # noqa: S608 - names from the catalog
            raw[table] = (cols, frame.sort(["source_file", "source_sheet", "source_row"]))
    finally:
        con.close()
    return kinds, raw


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    root = tmp_path_factory.mktemp("subs")
    synth.generate(LA, ND, root / "clean")
    synth.generate(LA, ND, root / "messy", messy=True)
    return root


@pytest.mark.parametrize("kind", ["clean", "messy"])
def test_raw_view_is_the_raw_table(submissions, tmp_path, monkeypatch, kind):
    kinds, as_views = _load(submissions / kind, tmp_path / "views.duckdb")
    monkeypatch.setattr(normalise, "_PLAIN_HEADER", re.compile(r"(?!)"))  # no header qualifies
    table_kinds, as_tables = _load(submissions / kind, tmp_path / "tables.duckdb")
    assert set(table_kinds.values()) == {"BASE TABLE"}
    assert "VIEW" in kinds.values()  # the view is used where it can be
    # the messy lists carry columns outside the template: stored beside the view
    if kind == "messy":
        assert _extra_tables(tmp_path / "views.duckdb")
    assert as_views.keys() == as_tables.keys()
    for table, (cols, frame) in as_tables.items():
        assert as_views[table][0] == cols, table
        assert as_views[table][1].equals(frame), table


def _extra_tables(db) -> set[str]:
    con = warehouse.connect(db, read_only=True)
    try:
        return {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw_extra'"
            ).fetchall()
        }
    finally:
        con.close()


def _referrals(tmp_path):
    """(headers of list 3, three rows of its first columns, how many columns they fill, a folder)."""
    headers = [c.header for c in S.spec("list_03_referrals").columns]
    rows = [[f"R{i}", "1", "Male", "WBRI", "01/02/2015", "02/06/2026"] for i in range(3)]
    folder = tmp_path / "sub"
    folder.mkdir()
    return headers, rows, min(len(headers), len(rows[0])), folder


def test_columns_outside_the_template_sit_beside_the_view(tmp_path):
    """A column the template does not have no longer makes raw.* a second copy of the text: only that
    column is stored (raw_extra), and the view puts it back in its place under its header."""
    headers, rows, width, folder = _referrals(tmp_path)
    columns = {h: [r[i] for r in rows] for i, h in enumerate(headers[:2])}
    columns |= {"Notes": ["a", None, "c"]}
    columns |= {h: [r[i] for r in rows] for i, h in enumerate(headers[:width]) if i >= 2}
    pl.DataFrame(columns).write_csv(folder / "referrals.csv")
    db = tmp_path / "w.duckdb"
    kinds, raw = _load(folder, db)
    assert kinds == {"list_03_referrals": "VIEW"}
    assert _extra_tables(db) == {"list_03_referrals"}
    cols, frame = raw["list_03_referrals"]
    assert [c for c, _ in cols][:3] == [*headers[:2], "Notes"]
    assert frame.get_column("Notes").to_list() == ["a", None, "c"]
    # reloaded without the column: the extra table goes with it
    pl.DataFrame({h: [r[i] for r in rows] for i, h in enumerate(headers[:width])}).write_csv(
        folder / "referrals.csv"
    )
    kinds, _ = _load(folder, db)
    assert kinds == {"list_03_referrals": "VIEW"} and _extra_tables(db) == set()


def test_awkward_header_keeps_a_table(tmp_path):
    headers, rows, width, folder = _referrals(tmp_path)
    frame = pl.DataFrame(
        {h: [r[i] for r in rows] for i, h in enumerate(headers[:width])}
        | {'Notes "x"': ["a", "b", "c"]}
    )
    frame.write_csv(folder / "referrals.csv")
    kinds, raw = _load(folder, tmp_path / "w.duckdb")
    assert kinds == {"list_03_referrals": "BASE TABLE"}
    assert [c for c, _ in raw["list_03_referrals"][0]][-4] == 'Notes "x"'


def test_reloading_replaces_a_view_with_a_table_and_back(submissions, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    first, _ = _load(submissions / "clean", db)
    monkeypatch.setattr(normalise, "_PLAIN_HEADER", re.compile(r"(?!)"))
    second, _ = _load(submissions / "clean", db)
    monkeypatch.undo()
    third, _ = _load(submissions / "clean", db)
    assert set(second.values()) == {"BASE TABLE"} and third == first


# --- the sheet-extent check runs sheet by sheet, overlapping the reading; it must still refuse -------
def _two_sheets_far_cell_in_second(path):
    import hostile_corpus as H

    good = H.sheet_xml([H.REF.headers])
    far = (
        H._SHEET_HEAD
        + H.rows_xml([H.REF.headers])
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return H.write_raw_xlsx(path, {"First": good, "Second": far + H._SHEET_TAIL})


@pytest.mark.parametrize("parts_known", [True, False])
def test_far_cell_in_a_later_sheet_refuses_the_file(tmp_path, monkeypatch, parts_known):
    from flows.annex_a import readers

    path = _two_sheets_far_cell_in_second(tmp_path / "two.xlsx")
    with zipfile.ZipFile(path) as z:
        assert readers._sheet_parts(z, 2) == [
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        ]
    if not parts_known:  # relationships that cannot be followed: every sheet checked first
        monkeypatch.setattr(readers, "_sheet_parts", lambda *a: None)
    with pytest.raises(readers.FileProblem) as e:
        readers.read_file(path, "two.xlsx")
    assert e.value.rule == "file_too_large"


def test_sheet_parts_not_certain_when_counts_differ(tmp_path):
    from flows.annex_a import readers

    path = _two_sheets_far_cell_in_second(tmp_path / "two.xlsx")
    with zipfile.ZipFile(path) as z:
        assert readers._sheet_parts(z, 3) is None


def test_a_wide_sheet_within_the_limits_is_read(tmp_path):
    """The fast extent scan bounds a sheet at row 99,999; 400 columns times that bound is over the
    cell limit, so the exact scan must decide, and accept the sheet's true 3 rows x 400 columns."""
    import hostile_corpus as H

    from flows.annex_a import extents, readers

    rows = [[f"h{i}" for i in range(400)], [str(i) for i in range(400)], ["x"] * 400]
    path = H.write_raw_xlsx(tmp_path / "wide.xlsx", {"Wide": H.sheet_xml(rows)})
    limits = readers.Limits()
    assert extents.NEAR_ROWS * 400 > limits.max_cells  # the bound alone would refuse it
    grids, problems = readers.read_file(path, "wide.xlsx", limits)
    assert not problems and grids[0].cells.width == 401  # 400 columns and the row number


@pytest.mark.parametrize("letters", ["XFD", "AAA"])
def test_far_columns_are_seen_by_the_fast_scan(tmp_path, letters):
    import hostile_corpus as H

    from flows.annex_a import readers

    far = H._SHEET_HEAD + f'<row r="5"><c r="{letters}900000"><v>1</v></c></row>'.encode()
    path = H.write_raw_xlsx(tmp_path / "far.xlsx", {"Far": far + H._SHEET_TAIL})
    with pytest.raises(readers.FileProblem) as e:
        readers.read_file(path, "far.xlsx")
    assert e.value.rule == "file_too_large"


# --- threads: what is read and written does not depend on how many read at once --------------------
def _everything(db):
    con = warehouse.connect(db, read_only=True)
    try:
        out = {}
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('annex_a', 'raw', 'meta', 'quality') order by 1, 2"
        ).fetchall():
            out[f"{schema}.{table}"] = con.sql(f'select * from "{schema}"."{table}"').pl()  # noqa: S608
        return out
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["clean", "messy"])
def test_reading_on_one_thread_or_several_gives_the_same_warehouse(
    submissions, tmp_path, monkeypatch, kind
):
    from flows.annex_a import readers

    monkeypatch.setenv("PIA_READ_THREADS", "1")
    assert readers.read_threads() == 1
    _load(submissions / kind, tmp_path / "one.duckdb")
    monkeypatch.setenv("PIA_READ_THREADS", "4")
    _load(submissions / kind, tmp_path / "four.duckdb")
    one, four = _everything(tmp_path / "one.duckdb"), _everything(tmp_path / "four.duckdb")
    assert one.keys() == four.keys()
    for name, frame in one.items():
        assert frame.equals(four[name]), name  # same rows in the same order


def test_findings_keep_file_order_whichever_file_is_read_first(tmp_path, monkeypatch):
    """Files are read in parallel; their findings still come in file order."""
    import time

    from flows.annex_a import readers

    folder = tmp_path / "sub"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (folder / name).write_bytes(b"%PDF-1.4 not a list")
    real = readers.read_file

    def slow_first(path, *a, **k):
        if path.name == "a.pdf":
            time.sleep(0.3)  # the first file finishes last
        return real(path, *a, **k)

    monkeypatch.setattr(readers, "read_file", slow_first)
    monkeypatch.setenv("PIA_READ_THREADS", "3")
    sub = load.identify_lists(_files(folder), relative_to=folder)
    assert [f.source_file for f in sub.general if f.rule == "file_unreadable"] == [
        "a.pdf",
        "b.pdf",
        "c.pdf",
    ]


# --- CSV: a row per line split in polars (the csv module only for lines with quotes), or one csv
# pass numbered by position, equal to the csv module reading it all and tracking each row's line
CSV_TEXTS = {
    "plain": "a,b,c\n1,2,3\n4,5,6\n",
    "crlf, no final newline": "a,b\r\n1,2\r\n3,4",
    "ragged title rows above the header": "Annex A\nLA,Kent\na,b,c,d\n1,,3,\n",
    "blank lines": "a,b\n\n1,2\n\n\n3,4\n",
    "only blank lines and one field": "\n\nx\n\n",
    "quoted newline": 'a,b\n"x\ny",2\n3,4\n',
    "quoted crlf and blank line": 'a,b\r\n\r\n"x\r\ny",2\r\n5,6\r\n',
    "lone carriage returns": "a,b\r1,2\r3,4\r",
    "quoted delimiters and quotes": 'a,b\n"1,5","say ""hi"""\n,\n',
    "quoted row wider than the rest": 'a,b\n"1","2","3","4"\n5,6\n',
    "quotes inside unquoted fields": 'a,b\nab"c,d\n"x"y,z\n',
    "a quote left open mid-line": 'a,b\na"b,"c\n1,2\n3,4\n',
    "a quote left open on the last line": 'a,b\n1,2\n"3,4\n',
    "an empty quoted field alone": 'a\n""\n1\n',
    "tabs": "a\tb\n1\t2\n",
    "pipes and trailing delimiters": "a|b||\n1|2||\n",
    "semicolons": "a;b;c\n1;2;3\n",
}
SPANS_LINES = {"quoted newline", "quoted crlf and blank line", "a quote left open mid-line"}
NOT_BY_LINES = {*SPANS_LINES, "lone carriage returns", "a quote left open on the last line"}


@pytest.mark.parametrize("name", list(CSV_TEXTS))
def test_csv_read_line_by_line_or_by_position_matches_tracked_lines(tmp_path, monkeypatch, name):
    from flows.annex_a import readers

    text = CSV_TEXTS[name]
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("utf-8"))
    limits = readers.Limits()
    fast = readers._read_csv(path, "list.csv", limits).cells
    delim = readers.sniff_delimiter(text)
    assert (readers._csv_by_lines(text, delim, limits) is None) == (name in NOT_BY_LINES)
    by_position = readers._csv_lines(text, len(readers._csv_rows(text, delim, limits)))
    assert (by_position is None) == (name in SPANS_LINES)
    # the reference: the csv module reads the whole text and tracks each row's first line
    monkeypatch.setattr(readers, "_csv_by_lines", lambda text, delim, limits: None)
    monkeypatch.setattr(readers, "_csv_lines", lambda text, n: None)
    tracked = readers._read_csv(path, "list.csv", limits).cells
    assert fast.equals(tracked)
    assert fast[readers.ROW].to_list() == sorted(set(fast[readers.ROW].to_list()))


def test_csv_limits_hold_line_by_line(tmp_path):
    from flows.annex_a import readers

    path = tmp_path / "list.csv"
    path.write_text("a,b\n" + "1,2\n" * 10, encoding="utf-8")
    with pytest.raises(readers.FileProblem, match="more than 5 rows"):
        readers._read_csv(path, "list.csv", readers.Limits(max_rows=5))
    path.write_text("a" + ",b" * 40 + "\n1,2\n", encoding="utf-8")
    with pytest.raises(readers.FileProblem, match="41 columns"):
        readers._read_csv(path, "list.csv", readers.Limits(max_columns=30))
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(readers.FileProblem, match="no rows"):
        readers._read_csv(path, "list.csv", readers.Limits())
