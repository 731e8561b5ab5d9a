"""One hostile submission end to end through `pia run` in Prefect's local mode, then every output,
log and Prefect record searched.

The submission is a synthetic one (flows.synth) whose personal values are rewritten to a distinctive
pattern (IDs, names, postcodes, free text all hold "ZQX"; every date of birth is a leap day), plus
files from the hostile corpus and cells holding script and formulas. Then:
- exit 0 and one finding per hostile file in the data-quality report (the rest is processed);
- script is text in pia.html and data_quality.html; no cell of data_quality.csv/.xlsx can run as a
  formula;
- no personal value in stdout, stderr, Prefect's database (logs, artifacts, task runs, parameters)
  or the private log folder;
- run and inbox folders 0700, files 0600.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import subprocess
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest
from hostile_corpus import (
    CASES,
    FORMULAS,
    PIA,
    REF,
    XSS,
    csv_text,
    pia_env,
    record,
    rows_for,
)

from flows import synth
from flows.annex_a import specs as S

pytestmark = pytest.mark.integration
LA, DATE = "E06000050", "2026-11-16"
MARK = "ZQX"
DOBS = ("29/02/2012", "2012-02-29", "29/02/2008", "2008-02-29")
ALL_HEADERS = {c.header for s in S.SPECS for c in s.columns}
PERSONAL = {c.header for s in S.SPECS for c in s.columns if c.personal or c.type == "id"} - {
    "Date of Birth"
}
IN_RUN = (
    "annex_a_bomb.xlsx",
    "wide.xlsx",
    "protected.xlsx",
    "binary.xlsb",
    "referrals.xlsx",
    "truncated.xlsx",
    "empty.csv",
    "macros.xlsm",
    "utf16.csv",
)


def _distinctive(src: Path, dest: Path) -> None:
    """Each synthetic sheet as a CSV whose personal columns hold the distinctive values."""
    dest.mkdir(parents=True)
    for book in sorted(src.glob("*.xlsx")):
        reader = fastexcel.read_excel(str(book))
        for name in reader.sheet_names:
            grid = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
            cells = grid.rows()
            header_at = next(
                i for i, r in enumerate(cells) if sum(v in ALL_HEADERS for v in r if v) >= 2
            )
            headers = cells[header_at]
            out = []
            for r in cells[header_at + 1 :]:
                row = list(r)
                for j, h in enumerate(headers):
                    if row[j] in (None, ""):
                        continue
                    if h in PERSONAL:
                        row[j] = f"{MARK}{abs(hash((h, row[j]))) % 10**7:07d}"
                    elif h == "Date of Birth":
                        row[j] = DOBS[len(out) % 2 * 2]
                out.append(row)
            (dest / f"{book.stem} - {name}.csv").write_text(
                csv_text([headers, *out], ","), encoding="utf-8"
            )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-run")
    synth.generate(LA, __import__("datetime").date.fromisoformat(DATE), root / "synth", scale=0.1)
    sub = root / "submission"
    _distinctive(root / "synth", sub)
    for case in CASES:
        if case.file in IN_RUN:
            case.make(sub / case.file)
    # script and formulas in cells: an unmapped code shows its value in the data-quality report
    rows = [
        [str(v) if not hasattr(v, "strftime") else v.strftime("%d/%m/%Y") for v in r]
        for r in rows_for(REF, 6)
    ]
    rows[0][0], rows[1][0] = f"{MARK}9990001", f"{MARK}9990002"
    gender, source = REF.headers.index("Gender"), REF.headers.index("Referral Source")
    for i, bad in enumerate([*XSS, *FORMULAS]):
        rows[i][gender] = bad
        rows[i][0] = f"{MARK}99900{i:02d}"
    rows[0][source] = FORMULAS[0]
    (sub / "=HYPERLINK(x) extra referrals.csv").write_text(csv_text([REF.headers, *rows], ","))
    (sub / "@notes.csv").write_text("Notes\n<script>alert('pia')</script>\n")
    env = pia_env(root, PIA_PREFECT="on", PREFECT_LOGGING_LEVEL="DEBUG")
    env.pop("PIA_PREFECT")
    out = root / "out"
    stats = root / "stats.duckdb"
    subprocess.run(
        [PIA, "stats", "refresh", "--db", str(stats)], env=env, check=True, capture_output=True
    )
    proc = subprocess.run(
        [
            PIA,
            "run",
            "--la",
            LA,
            "--notification-date",
            DATE,
            "--annex-a",
            str(sub),
            "--stats",
            str(stats),
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return {"root": root, "proc": proc, "final": out / LA / DATE, "env": env, "sub": sub}


def test_the_run_completes_and_each_hostile_file_is_one_named_finding(run):
    assert run["proc"].returncode == 0, run["proc"].stderr[-3000:]
    with (run["final"] / "data_quality.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    files = {r["File"] for r in rows}
    for case in CASES:
        if case.file in IN_RUN and case.rule:
            mine = [r for r in rows if r["File"] == case.file]
            assert len(mine) == 1 and case.phrase in mine[0]["What to check"], (case.file, mine)
    assert "'=HYPERLINK(x) extra referrals.csv" in files and "'@notes.csv" in files
    record(
        "End to end",
        f"pia run (Prefect local mode) on a synthetic submission plus {len(IN_RUN)} hostile files "
        "and script/formula cells",
        "exit 0; pack produced; one finding per hostile file in data_quality.*",
    )


def test_script_in_cells_is_text_in_every_html_output(run):
    for name in ("pia.html", "data_quality.html"):
        html = (run["final"] / name).read_text(encoding="utf-8")
        for bad in XSS:
            assert bad not in html, name
        assert "onerror=alert" not in html.replace("onerror=alert(&#39;pia&#39;)", "")
    dq = (run["final"] / "data_quality.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in dq and "&lt;img src=x onerror=alert(" in dq
    record(
        "Injection",
        "cells holding <script> and <img onerror=…>",
        "escaped: shown as text in pia.html and data_quality.html",
    )


def test_no_cell_of_the_csv_or_xlsx_outputs_can_run_as_a_formula(run):
    starts = ("=", "+", "-", "@", "\t", "\r")
    found = 0
    for name in ("data_quality.csv",):
        for row in csv.reader(io.StringIO((run["final"] / name).read_text(encoding="utf-8-sig"))):
            assert not [c for c in row if c.startswith(starts)], row
            found += sum(c.startswith("'") and c[1:].startswith(starts) for c in row)
    wb = openpyxl.load_workbook(run["final"] / "data_quality.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, str):
                    assert not c.value.startswith(starts), (ws.title, c.coordinate)
                    found += c.value.startswith("'") and c.value[1:].startswith(starts)
    assert found >= 2 * len(FORMULAS)  # the values (and the file names) were there, neutralised
    record(
        "Injection",
        "cells and file names beginning = + - @",
        "neutralised with a leading apostrophe in "
        "data_quality.csv and data_quality.xlsx; no formula cells",
    )


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_no_personal_value_in_any_log_prefect_record_or_exception(run):
    proc, root = run["proc"], run["root"]
    needles = [MARK, *DOBS, "ZQX"]
    texts = {"stdout": proc.stdout, "stderr": proc.stderr}
    prefect_files = _files(root / "prefect")
    assert any(
        p.suffix == ".db" for p in prefect_files
    )  # Prefect's database: logs, artifacts, runs
    db = b"".join(p.read_bytes() for p in prefect_files)
    assert b"Pack for" in db or b"inspection-pack" in db  # the records are there to be searched
    logs = _files(Path(run["env"]["PIA_DATA_DIR"]) / "logs")
    for needle in needles:
        for where, text in texts.items():
            assert needle not in text, where
        assert needle.encode() not in db, "prefect database"
        for p in logs:
            assert needle.encode() not in p.read_bytes(), p
    # the findings' messages (what an exception or log line would carry) hold no value either
    import duckdb

    con = duckdb.connect(str(run["final"] / "warehouse.duckdb"), read_only=True)
    messages = [m for (m,) in con.execute("select message from quality.issues").fetchall()]
    values = [
        v
        for (v,) in con.execute(
            "select value from quality.issues where value is not null"
        ).fetchall()
    ]
    con.close()
    assert set(XSS) <= set(values)  # the offending values are in the report for the LA ...
    assert not [
        m for m in messages if any(n in m for n in [*needles, *XSS])
    ]  # ... never in a message
    record(
        "Personal data",
        "distinctive child IDs, names, postcodes, free text and dates of birth",
        f"absent from stdout, stderr, Prefect's database ({len(prefect_files)} files: logs, artifacts, task "
        f"runs), {len(logs)} private log files and all {len(messages)} finding messages",
    )


def test_run_and_inbox_folders_are_owner_only(run):
    data = Path(run["env"]["PIA_DATA_DIR"])
    checked = 0
    for top in (run["final"], data / "inbox", data / "runs"):
        for p in [top, *top.rglob("*")] if top.exists() else []:
            mode = stat.S_IMODE(os.lstat(p).st_mode)
            assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
            checked += 1
    assert checked > 10
    record(
        "Personal data",
        "permissions of run and inbox folders and files",
        f"{checked} checked: folders 0700, files 0600",
    )


def test_the_prefect_artifact_holds_aggregates_only(run):
    db = b"".join(p.read_bytes() for p in _files(run["root"] / "prefect"))
    assert b"PIA pack: " in db  # the markdown artifact was stored
    assert not re.search(rb"ZQX|29/02/20|20(08|12)-02-29", db)
    assert pl.__version__  # (polars imported for the fixture's frames)
