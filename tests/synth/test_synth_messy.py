"""The synthetic generator, messy mode: the truth file, and that every planted cell is really there."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from flows import findings, synth
from flows.annex_a import load
from flows.annex_a.headers import match
from flows.annex_a.normalise import BLANK_TOKENS
from flows.annex_a.specs import BY_TABLE
from flows.annex_a.specs import header_key as key
from flows.validation import rules as catalogue

ND = dt.date(2026, 11, 16)
LA = "E06000050"
REQUIRED = {"required_blank", "code_unmapped", "date_unparseable", "int_unparseable", "date_in_future",
            "date_out_of_period", "date_order", "age_mismatch", "age_out_of_range", "count_negative",
            "duplicate_child", "cross_list_mismatch", "cp_not_in_cin", "not_in_children_in_care",
            "icpc_plan_missing", "audit_child_unknown", "sheet_unrecognised",
            # a defect from each family of the catalogue's deeper rules (flows/validation/rules.py)
            "cp_plan_end_order", "assessment_before_referral", "ceased_incomplete",
            "legal_status_too_young", "postcode_format", "placed_without_decision",
            "duplicate_event", "primary_need_missing", "s47_without_icpc",
            "placement_provider_mismatch", "adopted_not_placed_for_adoption"}  # fmt: skip

# rules whose finding points at the cell left blank
BLANK_CELL_RULES = {"required_blank", "ceased_incomplete", "placed_without_decision",
                    "primary_need_missing", "s47_without_icpc"}  # fmt: skip


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    out = tmp_path_factory.mktemp("synth_messy")
    result = synth.generate(LA, ND, out, messy=True)
    truth = json.loads((out / ".truth.json").read_text(encoding="utf-8"))["defects"]
    return out, result, truth


def _cell(out: Path, d: dict, header_row_max: int = 6) -> tuple[str | None, str | None]:
    """(header text, cell text) at the defect's file/sheet/row, the column found by its header key."""
    path = out / d["source_file"]
    if path.suffix == ".csv":
        enc = "cp1252" if "CIN" in path.name else "utf-8-sig"
        rows = list(csv.reader(path.read_text(encoding=enc).splitlines()))
        grid = [[c or None for c in r] for r in rows]
    else:
        ws = openpyxl.load_workbook(path, read_only=True)[d["source_sheet"]]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
    spec = (
        BY_TABLE[d["list_name"]]
        if d["rule"] not in ("icpc_plan_missing", "cp_not_in_cin")
        else None
    )
    owner, col = next((s, c) for s in BY_TABLE.values() for c in s.columns
                      if c.header == d["column_name"] and (spec is None or s is spec))  # fmt: skip
    keys = col.keys()
    for r in grid[:header_row_max]:
        for j, h in enumerate(r):
            # the column as the reader finds it: by its key, or by its header family
            if h is not None and (key(str(h)) in keys or match(owner.table, str(h)) == (col.name,)):
                row = grid[d["source_row"] - 1]
                return str(h), (None if j >= len(row) or row[j] is None else str(row[j]))
    return None, None


def test_truth_file_structure(messy):
    _, result, truth = messy
    assert result["defects"] == len(truth)
    assert {d["rule"] for d in truth} >= REQUIRED
    # at least one defect from every family of the rule catalogue (issue 19)
    planted = {catalogue.BY_ID[d["rule"]].family for d in truth if d["rule"] in catalogue.BY_ID}
    assert planted == set(catalogue.FAMILIES)
    for d in truth:
        assert set(d) == {"list_name", "source_file", "source_sheet", "source_row", "column_name",
                          "rule", "severity"}  # fmt: skip
        assert d["rule"] in findings.RULES or d["rule"] in catalogue.BY_ID
        expected = catalogue.severity(d["rule"])
        if d["rule"] == "date_unparseable":
            key_date = any(
                c.key_date
                for s in BY_TABLE.values()
                for c in s.columns
                if c.header == d["column_name"]
            )
            expected = "error" if key_date else "warning"
        assert d["severity"] == expected, d["rule"]
    severities = {(d["rule"], d["severity"]) for d in truth}
    assert {("date_unparseable", "error"), ("date_unparseable", "warning")} <= severities


def test_every_defect_points_at_a_real_cell(messy):
    out, _, truth = messy
    for d in truth:
        if d["rule"] == "sheet_unrecognised":
            assert (
                d["source_sheet"]
                in openpyxl.load_workbook(out / d["source_file"], read_only=True).sheetnames
            )
            continue
        header, value = _cell(out, d)
        assert header is not None, d["rule"]
        if d["rule"] in BLANK_CELL_RULES:  # left blank, as the extract writes blanks
            assert value is None or value.strip() in BLANK_TOKENS, d["rule"]
        else:
            assert value is not None, d["rule"]
        if d["rule"] == "date_unparseable":
            assert value in ("TBC", "30/02/2026")
        if d["rule"] == "int_unparseable":
            assert value == "two"
        if d["rule"] == "count_negative":
            assert float(value) < 0


def test_messy_files_look_like_la_extracts(messy):
    out, _, _ = messy
    names = {p.name for p in out.iterdir()}
    assert any(n.endswith(".csv") for n in names) and ".truth.json" in names
    raw = (out / "List 6 CIN extract.csv").read_bytes()
    raw.decode("cp1252")
    assert (out / "2.02 missing children.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    ws = openpyxl.load_workbook(out / "Annex A child level data.xlsx", read_only=True)["Contacts"]
    top = [list(r) for r in ws.iter_rows(min_row=1, max_row=4, values_only=True)]
    assert top[0][0] and top[3][0] == "ChildUniqueID"  # title rows above a CamelCase header
    cla = openpyxl.load_workbook(out / "CP CLA and care leavers.xlsx", read_only=True)["CLA"]
    headers = next(
        r for r in cla.iter_rows(values_only=True) if r and key(str(r[0])) == "childuniqueid"
    )
    assert any("\u2018Missing\u2019" in str(h) for h in headers)
    assert any(str(h).endswith("(Y/N))") for h in headers if h)


def test_reader_reads_every_list_and_reports_the_reader_defects(messy, tmp_path):
    out, result, truth = messy
    wh = tmp_path / "w.duckdb"
    con = duckdb.connect(str(wh))
    con.execute(findings.DDL)
    con.close()
    rows = load.load_submission(
        sorted(p for p in out.iterdir() if not p.name.startswith(".")), wh, relative_to=out
    )
    expected = dict(result["rows"])
    expected["list_10_adoptions"] += 1  # the planted duplicate rows
    expected["list_03_referrals"] += 1
    assert rows == expected
    con = duckdb.connect(str(wh), read_only=True)
    try:
        got = set(con.execute(
            "select source_file, source_sheet, source_row, column_name, rule, severity from quality.issues "
            "where rule in ('required_blank', 'code_unmapped', 'date_unparseable', 'int_unparseable', 'sheet_unrecognised')"
        ).fetchall())  # fmt: skip
        other = con.execute(
            "select distinct rule from quality.issues where rule not in "
            "('required_blank', 'code_unmapped', 'date_unparseable', 'int_unparseable', 'sheet_unrecognised')"
        ).fetchall()
    finally:
        con.close()
    want = {(d["source_file"], d["source_sheet"], d["source_row"], d["column_name"], d["rule"], d["severity"])
            for d in truth if d["rule"] in ("required_blank", "code_unmapped", "date_unparseable",
                                            "int_unparseable", "sheet_unrecognised")}  # fmt: skip
    assert got == want  # every variant read cleanly: the only value findings are the planted ones
    assert {r for (r,) in other} <= {
        "header_unrecognised",
        "list_duplicated",
        "retired_code",  # planted, checked in the truth test
        "age_decimal",  # decimal ages are read (floored) and noted
    }


def test_messy_is_deterministic(tmp_path):
    for d in ("a", "b"):
        synth.generate("E09000001", ND, tmp_path / d, messy=True, seed=5)
    assert (tmp_path / "a" / ".truth.json").read_bytes() == (
        tmp_path / "b" / ".truth.json"
    ).read_bytes()
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
