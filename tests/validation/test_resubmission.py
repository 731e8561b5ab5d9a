"""Resubmission: two runs for one LA and notification date, the second fixing the planted defects
and sending more rows (synthetic submissions). What changed is read from the earlier run's published
warehouse (pia run) or from the earlier report's data_quality.json (pia validate)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import polars as pl
import pytest

from flows import cli, las, pipeline, stages, synth, warehouse
from flows.context import RunContext
from flows.validation import report as dq_report
from flows.validation import resubmission

LA, ND = "E06000050", dt.date(2026, 11, 16)
SCALE = 0.25


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    root = tmp_path_factory.mktemp("resub")
    synth.generate(LA, ND, root / "messy", scale=SCALE, messy=True)
    synth.generate(LA, ND, root / "clean", scale=SCALE * 1.2)  # defects fixed, more rows sent
    return root


def _check(folder, work, earlier_dir):
    ctx = RunContext(
        la=las.resolve(LA),
        notification_date=ND,
        visit_type="standard",
        work_dir=work,
        earlier_dir=earlier_dir,
    )
    work.mkdir(parents=True)
    pipeline.check(ctx, folder)
    return ctx


@pytest.fixture(scope="module")
def two_runs(submissions, tmp_path_factory):
    """The messy submission run and published; then the clean one against the published folder."""
    root = tmp_path_factory.mktemp("runs")
    final = root / "out" / LA / ND.isoformat()
    final.parent.mkdir(
        parents=True
    )  # staging folders beside the destination, as pipeline.prepare makes them
    first = _check(submissions / "messy", final.parent / ".stage1", final)
    dq_report.write_reports(first)
    stages.stage_publish(first, final, None)
    second = _check(submissions / "clean", final.parent / ".stage2", final)
    paths = {p.name: p for p in dq_report.write_reports(second)}
    return final, second, paths


def _frames(ctx):
    con = ctx.db.connect(read_only=True)
    try:
        return resubmission.load(con), resubmission.basis(con)
    finally:
        con.close()


def test_changes_from_the_published_warehouse(two_runs):
    final, second, _ = two_runs
    (of, changes), after = _frames(second)
    con = duckdb.connect(str(final / "warehouse.duckdb"), read_only=True)
    before = resubmission.basis(con)
    con.close()
    assert of["source"] == "warehouse"
    # the second run fixed every planted defect (what is left is for information)
    assert {k[3] for k in before.findings} >= {"error", "warning"}
    assert {k[3] for k in after.findings} <= {"info"}
    found = changes.filter(kind="findings")
    # every count that differs is there, with both counts, and none that does not
    assert {
        (r["list_name"], r["rule"], r["column_name"], r["severity"]): (r["before"], r["after"])
        for r in found.iter_rows(named=True)
    } == {
        k: (before.findings.get(k, 0), after.findings.get(k, 0))
        for k in before.findings.keys() | after.findings.keys()
        if before.findings.get(k, 0) != after.findings.get(k, 0)
    }
    errors_and_warnings = found.filter(pl.col("severity") != "info")
    assert errors_and_warnings.height and errors_and_warnings["after"].sum() == 0
    rows = {
        r["list_name"]: (r["before"], r["after"])
        for r in changes.filter(kind="rows").iter_rows(named=True)
    }
    assert rows and rows == {
        k: (before.rows.get(k, 0), after.rows.get(k, 0))
        for k in before.rows.keys() | after.rows.keys()
        if before.rows.get(k, 0) != after.rows.get(k, 0)
    }
    assert sum(a - b for b, a in rows.values()) > 0  # more rows sent


def test_report_says_what_changed(two_runs):
    _, second, paths = two_runs
    html = paths["data_quality.html"].read_text(encoding="utf-8")
    assert "What changed since the earlier run" in html
    assert "Fewer findings (fixed, or their rows removed)" in html
    assert "Rows added or removed" in html
    import openpyxl

    wb = openpyxl.load_workbook(paths["data_quality.xlsx"])
    assert wb.sheetnames[-1] == "Changes" and wb["Changes"].freeze_panes == "A2"
    assert "fewer findings" in dq_report.changes_line(second)


def test_earlier_warehouse_read_as_data(two_runs, tmp_path):
    """The earlier file is opened read-only with external access off: a view in it that reads a file
    fails, and a basis for another LA is ignored."""
    final, _, _ = two_runs
    copy = tmp_path / "earlier"
    shutil.copytree(final, copy)
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    con = duckdb.connect(str(copy / "warehouse.duckdb"))
    con.execute("drop table quality.issues")
    con.execute(f"create view quality.issues as select * from read_csv('{secret}')")  # noqa: S608 - a test's own temp path
    con.close()
    assert resubmission.earlier(copy, LA, ND) is None  # quality.issues is not a base table
    # and were it read, external access is off
    ro = warehouse.open_untrusted(copy / "warehouse.duckdb")
    try:
        with pytest.raises(duckdb.Error):
            ro.execute("select * from quality.issues").fetchall()
        with pytest.raises(duckdb.Error):
            ro.execute("set enable_external_access = true")
    finally:
        ro.close()
    assert resubmission.earlier(final, "E10000016", ND) is None
    assert resubmission.earlier(final, LA, ND + dt.timedelta(days=1)) is None
    assert resubmission.earlier(tmp_path / "none", LA, ND) is None


def test_pia_validate_compares_with_the_earlier_report(submissions, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["validate", "--la", LA, "--notification-date", ND.isoformat(), "--out", str(out)]
    assert cli.main([*args, "--annex-a", str(submissions / "clean")]) == 0
    first = capsys.readouterr().out
    assert "Since the earlier run" not in first
    basis = json.loads((out / "data_quality.json").read_text())
    assert {f[3] for f in basis["findings"]} <= {"info"} and basis["rows"]["list_01_contacts"] > 0
    # the clean one first, then a messy one: new findings, fewer rows
    assert cli.main([*args, "--annex-a", str(submissions / "messy")]) == 1
    printed = capsys.readouterr().out
    assert "Since the earlier run" in printed
    assert "1 Contacts" in printed and "Report (" in printed
    html = (out / "data_quality.html").read_text(encoding="utf-8")
    assert "New findings, or more of them" in html
    # the same files again: nothing changed, so no section (a re-run gives the same report)
    assert cli.main([*args, "--annex-a", str(submissions / "messy")]) == 1
    assert "Since the earlier run" not in capsys.readouterr().out
    assert "What changed since" not in (out / "data_quality.html").read_text(encoding="utf-8")


def test_pack_sums_the_changes_by_list(two_runs):
    # the pack's data-quality section (flows/pack/render.py) reads the same quality.resubmission
    from flows.pack import render as pack

    _, second, _ = two_runs
    (of, changes), _ = _frames(second)
    con = second.db.connect(read_only=True)
    try:
        summary = pack._changes_by_list(con)
    finally:
        con.close()
    found = changes.filter(kind="findings")
    assert (
        summary["fewer"]
        == -found.filter(pl.col("after") < pl.col("before"))
        .select((pl.col("after") - pl.col("before")).sum())
        .item()
    )
    assert (
        summary["more"]
        == found.filter(pl.col("after") > pl.col("before"))
        .select((pl.col("after") - pl.col("before")).sum())
        .item()
    )
    assert summary["fewer"] > 0 and summary["errors_fixed"] > 0
    assert sum(1 for line in summary["lists"] if line["rows"]) == changes.filter(kind="rows").height
