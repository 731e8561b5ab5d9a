"""Hostile input, in process: every file of the generated corpus beside a good one, odd names, bad
parameters, symlinks and formulas that point at the network. Each must give one clear finding naming
the file (and the limit), while the good file still loads. (End to end through `pia run`, with the
outputs checked for script and formula injection: test_reliability_run.py.)"""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest
from annex_a_fixtures import issues, new_warehouse, query, rows_for, write_csv
from hostile_corpus import (
    CASES,
    GIB,
    REF,
    TEXT_CASES,
    Case,
    formulas_and_links,
    peak_memory,
    record,
    rows_xml,
    sheet_xml,
    write_good,
    write_raw_xlsx,
)

from flows import cli, pipeline, stages
from flows.annex_a import load


def _load(folder: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return wh, load.load_submission(files, wh, relative_to=folder)


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_hostile_file_is_one_clear_finding_and_the_good_file_still_loads(case: Case, tmp_path):
    sub = tmp_path / "landed"
    sub.mkdir()
    case.make(sub / case.file)
    write_good(sub)
    with peak_memory() as peak:
        wh, counts = _load(sub, tmp_path)
    assert max(peak.values()) < 2 * GIB, peak  # the run and every reader process
    assert counts["list_01_contacts"] == 2  # the other file is still processed
    mine = [f for f in issues(wh) if f["source_file"] == case.file]
    if case.rule is None:  # to be read, safely
        assert [f for f in mine if f["severity"] == "error"] == []
        assert counts["list_03_referrals"] == 2
        outcome = "read safely; no finding; other files loaded"
    else:
        assert len(mine) == 1, mine
        f = mine[0]
        assert (f["rule"], f["severity"]) == (case.rule, "error")
        assert case.file in f["message"] and case.phrase in f["message"]
        assert f["value"] is None  # nothing from inside the file
        outcome = f"one {case.rule} error naming the file: “{f['message']}”; other files loaded"
    assert not (tmp_path / "pwned").exists() and not (sub / "pwned").exists()  # no macro ran
    mb = {k: round(v / 2**20) for k, v in peak.items()}
    outcome += f"; peak memory {mb['run']:,} MB (run), {max(mb['reader'], mb['dead_reader']):,} MB (reader)"
    record("Hostile file", case.what, outcome)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"fetched")

    def log_message(self, *args):
        pass


def test_formulas_and_external_links_give_cached_values_and_nothing_is_fetched(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sub = tmp_path / "landed"
        sub.mkdir()
        url = f"http://127.0.0.1:{server.server_address[1]}/leak"
        formulas_and_links(sub / "linked.xlsx", url)
        wh, counts = _load(sub, tmp_path)
    finally:
        server.shutdown()
    assert counts == {"list_03_referrals": 1}
    assert query(wh, "select gender, gender_raw from annex_a.list_03_referrals") == [
        ("Female", "b) Female")
    ]
    assert _Counter.hits == []
    record(
        "Hostile file",
        "formulas, an external workbook link and WEBSERVICE() to a loopback server",
        "cached values read; the server received no request",
    )


# --- names -------------------------------------------------------------------------------------------
NAMES = {
    "control characters": "List 3 \x1b[31mred\x07\r.csv",
    "backslash path separators and ..": "List 3 ..\\..\\Windows\\x.csv",
    "very long (250 bytes)": "L" * 240 + " 3.csv",
    "starts with a formula character": "=HYPERLINK(x) list 3.csv",
}
SHEETS = {
    "sheet name with / and ..": "../../etc/passwd",
    "sheet name with control characters": "Referrals\t\n\r",
    "sheet name of 300 characters": "R" * 300,
}


def test_hostile_file_and_sheet_names_land_inside_the_inbox_and_are_reported_as_sent(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))  # an inbox of its own
    upload = tmp_path / "upload"
    (upload / "sub").mkdir(parents=True)
    for name in NAMES.values():
        write_csv(upload / "sub" / name, [REF.headers, *rows_for(REF, 1)])
    write_raw_xlsx(
        upload / "sheets.xlsx",
        {name: sheet_xml([REF.headers, *rows_for(REF, 1)]) for name in SHEETS.values()},
    )
    write_good(upload)
    ctx, final = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    landed = stages.stage_land(ctx, str(upload))
    stages.stage_init(ctx)
    counts = stages.stage_read(ctx, landed)
    # every landed file is inside the landed folder, nothing appeared beside it
    inbox = landed.parent
    assert all(p.resolve().is_relative_to(landed) for p in landed.rglob("*"))
    assert sorted(p.name for p in inbox.iterdir()) == [landed.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out", "upload"]
    assert counts == {"list_01_contacts": 2, "list_03_referrals": len(NAMES) + len(SHEETS)}
    got = query(ctx.warehouse, "select source_file, source_sheet from annex_a.list_03_referrals")
    assert {f for f, _ in got} == {f"sub/{n}" for n in NAMES.values()} | {"sheets.xlsx"}
    assert {s for f, s in got if f == "sheets.xlsx"} == set(SHEETS.values())
    for what in [*NAMES, *SHEETS]:
        record(
            "Hostile name",
            what,
            "landed inside the inbox under its own name; read; reported as sent",
        )


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--la", "../../etc", "--notification-date", "2026-11-16", "--annex-a", "x"],
        ["run", "--la", "E06000050", "--notification-date", "../../etc", "--annex-a", "x"],
        ["run", "--la", "E06000050/../../x", "--notification-date", "2026-11-16", "--annex-a", "x"],
        [
            "run",
            "--la",
            "E06000050",
            "--notification-date",
            "2026-11-16",
            "--annex-a",
            "x",
            "--visit",
            "../x",
        ],
        ["validate", "--la", "..", "--notification-date", "2026-11-16", "--annex-a", "x"],
        ["synth", "--la", "../../etc", "--notification-date", "2026-11-16", "--out", "OUT"],
        ["notify", "--la", "E06000050\x00", "--notification-date", "2026-11-16", "--annex-a", "x"],
    ],
    ids=[
        "run-la",
        "run-date",
        "run-la-suffix",
        "run-visit",
        "validate-la",
        "synth-la",
        "notify-nul",
    ],
)
def test_bad_parameters_are_rejected_before_any_file_is_touched(
    argv, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("PIA_DATA_DIR", str(data))
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in argv]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pia: ") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # no data folder, no output folder, nothing
    bad = next(a for a in argv[1:] if ".." in a or "\x00" in a)
    record(
        "Bad parameter",
        f"pia {argv[0]} {argv[argv.index(bad) - 1]} {bad!r}",
        f"exit 2, one line: “{err.strip()}”; nothing created",
    )


def test_symlinked_files_and_folders_pointing_outside_the_inbox_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write_csv(outside / "secret.csv", [REF.headers, *rows_for(REF, 3)])
    upload = tmp_path / "upload"
    upload.mkdir()
    write_good(upload)
    (upload / "file-link.csv").symlink_to(outside / "secret.csv")
    (upload / "dir-link").symlink_to(outside, target_is_directory=True)
    (upload / "inside-link.csv").symlink_to(upload / "contacts.csv")  # inside: harmless
    ctx, _ = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    landed = stages.stage_land(ctx, str(upload))
    names = sorted(p.relative_to(landed).as_posix() for p in landed.rglob("*") if p.is_file())
    assert "file-link.csv" not in names and not any(n.startswith("dir-link") for n in names)
    assert not any(p.is_symlink() for p in landed.rglob("*"))
    record(
        "Symlink",
        "file and folder symlinks in the inbox pointing outside it",
        "not followed, not copied",
    )


def test_hand_made_sheet_xml_helpers_round_trip(tmp_path):
    """The corpus's own writer is honest: a normal sheet made with it reads back exactly."""
    p = write_raw_xlsx(
        tmp_path / "a.xlsx", {"Referrals": sheet_xml([REF.headers, *rows_for(REF, 2)])}
    )
    wh, counts = _load(p.parent, tmp_path)
    assert counts == {"list_03_referrals": 2}
    assert b'<row r="5">' in rows_xml([["x"]], first=5)
    assert os.path.getsize(p) > 0


def test_the_reliability_report_is_deterministic_and_shows_hostile_text_as_text():
    from scripts import reliability_report

    records = [
        {
            "area": "Injection",
            "case": "<script>x</script> | pipe",
            "outcome": "at http://127.0.0.1:4567/x",
        },
        {"area": "Fault", "case": "kill", "outcome": "old"},
        {
            "area": "Fault",
            "case": "kill",
            "outcome": "new",
        },  # a repeated case keeps its last outcome
    ]
    md = reliability_report.render(records)
    assert md == reliability_report.render(records)
    assert "<script>" not in md and "&lt;script&gt;x&lt;/script&gt; \\| pipe" in md
    assert "127.0.0.1:PORT" in md and "| kill | new |" in md and "| kill | old |" not in md
    assert md.index("## Injection") < md.index(
        "## Fault"
    )  # areas in a fixed order, not arrival order
    # --keep reads a rendered report back: the same rows, hostile text and all
    kept = [r for r in records if r["outcome"] != "old"]
    kept[0] = {**kept[0], "outcome": "at http://127.0.0.1:PORT/x"}
    assert reliability_report.parse(md) == kept


@pytest.mark.parametrize("case", TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_damaged_csv_text_is_a_finding_naming_file_and_line_and_ids_load_as_meant(case, tmp_path):
    name, make, line, ids, what = case
    sub = tmp_path / "landed"
    sub.mkdir()
    make(sub / name)
    wh, counts = _load(sub, tmp_path)
    assert counts["list_03_referrals"] == 3
    got = [r[0] for r in query(wh, "select child_id from annex_a.list_03_referrals order by 1")]
    assert got == ids
    found = issues(wh, "text_damaged")
    assert len(found) == 1
    f = found[0]
    assert (f["source_file"], f["source_row"], f["severity"]) == (name, line, "warning")
    assert name in f["message"] and f"Line {line} " in f["message"]
    record(
        "CSV honesty",
        what,
        f"one text_damaged warning naming file and line: “{f['message']}”; IDs read as sent",
    )


def test_a_list_in_many_sheets_names_only_the_first_places_in_each_finding(tmp_path):
    """3,000 sheets of list 3 once listed every sheet on every finding (a 285 MB report)."""
    sub = tmp_path / "landed"
    sub.mkdir()
    body = sheet_xml([REF.headers, *rows_for(REF, 1)])
    write_raw_xlsx(sub / "copies.xlsx", {f"Referrals {i}": body for i in range(8)})
    wh, counts = _load(sub, tmp_path)
    assert counts == {"list_03_referrals": 8}
    found = issues(wh, "list_duplicated")
    assert len(found) == 7
    assert all(f["message"].count("sheet '") == 5 and "and 3 more" in f["message"] for f in found)
    record(
        "Hostile file",
        "one list in many sheets (3,000 once made a 285 MB report)",
        "one list_duplicated warning per extra sheet, each naming the first 5 places and how many "
        "more",
    )


def test_many_sheets_within_the_limit_are_read_with_one_zip_directory(tmp_path, monkeypatch):
    """2,000 unrecognised sheets (the limit raised to let them in): one finding each; the zip's
    directory is parsed once, not once per sheet (10,000 took 366 s)."""
    import zipfile

    monkeypatch.setenv("PIA_MAX_SHEETS", "5000")
    opened = []
    real = zipfile.ZipFile.__init__

    def counting(self, *a, **kw):
        opened.append(a[0] if a else kw.get("file"))
        real(self, *a, **kw)

    sub = tmp_path / "landed"
    sub.mkdir()
    many_sheets = write_raw_xlsx(
        sub / "many.xlsx", {f"S{i}": sheet_xml([["note"], ["x"]]) for i in range(2_000)}
    )
    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    from flows.annex_a import readers

    grids, problems = readers.read_file(many_sheets, "many.xlsx", readers.Limits.from_env())
    assert len(grids) == 2_000 and problems == []
    assert len(opened) == 1
