"""Issue 3's "done when": on a messy synthetic submission every planted defect is reported at its
exact file, sheet, row and column with the right severity, and a clean one yields no errors.
End to end through `pia validate` (land, read, validate, report), checked against .truth.json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from flows import cli, synth
from flows.annex_a.specs import SPECS

LA, ND = "E06000050", dt.date(2026, 11, 16)


def _validate(folder, out, capsys) -> tuple[int, list[dict], str]:
    code = cli.main(
        [
            "validate",
            "--annex-a",
            str(folder),
            "--la",
            LA,
            "--notification-date",
            ND.isoformat(),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    text = (out / "data_quality.csv").read_bytes().decode("utf-8-sig")
    return code, list(csv.DictReader(io.StringIO(text))), printed


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    synth.generate(LA, ND, root / "clean")
    synth.generate(LA, ND, root / "messy", messy=True)
    return root


def test_messy_submission_every_planted_defect_found(submissions, tmp_path, capsys):
    code, rows, printed = _validate(submissions / "messy", tmp_path, capsys)
    truth = json.loads((submissions / "messy" / ".truth.json").read_text())["defects"]
    assert len(truth) >= 15
    number = {s.table: s.number for s in SPECS}
    found = {
        (r["List"], r["File"], r["Sheet"], r["Row"], r["Column"], r["Rule"], r["Severity"])
        for r in rows
    }
    missing = [
        d
        for d in truth
        if (
            number.get(d["list_name"], d["list_name"] or ""),
            d["source_file"] or "",
            d["source_sheet"] or "",
            "" if d["source_row"] is None else str(d["source_row"]),
            d["column_name"] or "",
            d["rule"],
            d["severity"],
        )
        not in found
    ]
    assert missing == []
    assert code == 1  # there are errors
    # the summary printed is counts only: no child IDs or values
    assert "findings:" in printed
    # the per-list summary table (counts and dates only) and where the report is
    table = printed.splitlines()
    header = next(line for line in table if line.startswith("List "))
    assert header.split() == [
        "List",
        "Provided",
        "Rows",
        "Covered",
        "Expected",
        "Errors",
        "Warnings",
        "Info",
    ]
    referrals = next(line for line in table if line.startswith("3 Referrals"))
    assert referrals.split()[-3:] != ["0", "0", "0"]  # the planted referral defects are counted
    assert "data_quality.html" in printed
    for r in rows:
        if r["Value sent"] and len(r["Value sent"]) > 3:
            assert r["Value sent"] not in printed


def test_clean_submission_no_errors(submissions, tmp_path, capsys):
    code, rows, printed = _validate(submissions / "clean", tmp_path, capsys)
    assert [r for r in rows if r["Severity"] in ("error", "warning")] == []
    assert code == 0
    assert "0 error" in printed
    assert {p.name for p in tmp_path.iterdir()} >= {
        "data_quality.html",
        "data_quality.csv",
        "data_quality.xlsx",
    }
