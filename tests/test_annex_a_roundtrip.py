"""Generator round trip: synth -> load_submission -> the same rows and values; messy truth recovered."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import pytest
from annex_a_fixtures import new_warehouse

from flows.annex_a import load
from flows.annex_a import specs as S

synth = pytest.importorskip("flows.synth")
las = pytest.importorskip("flows.las")

ND = dt.date(2026, 11, 16)
LA = "E06000050"  # a mid-sized LA, quick to generate
SCALE = 0.3


def _annex_a(wh, table: str) -> pl.DataFrame:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        spec = S.BY_TABLE[table]
        cols = ", ".join(f'"{c.name}"' for c in spec.columns)
        sql = f"select {cols} from annex_a.{table} order by source_file, source_sheet, source_row"  # noqa: S608
        return con.sql(sql).pl()
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_clean")
    synth.generate(LA, ND, out, scale=SCALE)
    wh = new_warehouse(out.parent / "clean.duckdb")
    files = sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    counts = load.load_submission(files, wh, relative_to=out)
    return out, wh, counts


def test_clean_submission_round_trips_every_list(clean_run):
    out, wh, counts = clean_run
    frames = synth.build(las.resolve(LA), ND, scale=SCALE)
    assert set(counts) == {s.table for s in S.SPECS}
    for spec in S.SPECS:
        got = _annex_a(wh, spec.table)
        want = frames[spec.table].select([c.name for c in spec.columns])
        assert got.height == want.height, spec.table
        assert got.equals(want.cast(got.schema)), spec.table


def test_clean_submission_has_no_error_findings(clean_run):
    _, wh, _ = clean_run
    con = duckdb.connect(str(wh), read_only=True)
    rows = con.execute(
        "select rule, list_name, column_name, count(*) from quality.issues where severity = 'error' "
        "group by all"
    ).fetchall()
    con.close()
    assert rows == []


def test_messy_truth_is_found_at_its_cell(tmp_path):
    pytest.importorskip("flows.synth.messy")
    out = tmp_path / "messy"
    synth.generate(LA, ND, out, scale=SCALE, messy=True)
    truth = json.loads((out / ".truth.json").read_text())["defects"]
    read_rules = {
        "file_unreadable",
        "sheet_unrecognised",
        "column_missing",
        "required_blank",
        "code_unmapped",
        "date_unparseable",
        "int_unparseable",
        "retired_code",
    }
    planted = [d for d in truth if d["rule"] in read_rules]
    assert planted, "the messy submission should plant read-level defects"
    wh = new_warehouse(tmp_path / "messy.duckdb")
    files = sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    load.load_submission(files, wh, relative_to=out)
    con = duckdb.connect(str(wh), read_only=True)
    found = con.execute(
        "select rule, list_name, source_file, source_sheet, source_row, column_name from quality.issues"
    ).fetchall()
    con.close()
    found_keys = {tuple(f) for f in found}
    keys = ("rule", "list_name", "source_file", "source_sheet", "source_row", "column_name")
    missed = []
    for d in planted:
        key = tuple(d.get(k) for k in keys)
        if d["rule"] in (
            "file_unreadable",
            "sheet_unrecognised",
        ):  # reported for the file or sheet, not a list
            ok = any(
                f[0] == d["rule"]
                and f[2] == d["source_file"]
                and (d["rule"] == "file_unreadable" or f[3] == d["source_sheet"])
                for f in found
            )
        else:
            ok = key in found_keys
        if not ok:
            missed.append(key)
    assert missed == []
