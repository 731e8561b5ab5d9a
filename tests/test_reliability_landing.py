"""Landing is atomic and private to its run; odd things in the submission folder are findings, never a
hang or a crash; too many files is refused before anything is copied."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from annex_a_fixtures import issues, rows_for, write_csv
from hostile_corpus import REF, record, write_good

from flows import cli, pipeline, stages, storage
from flows.errors import InputError


def _upload(tmp_path: Path) -> Path:
    upload = tmp_path / "upload"
    upload.mkdir()
    write_good(upload)
    write_csv(upload / "referrals.csv", [REF.headers, *rows_for(REF, 3)])
    return upload


def _ctx(tmp_path: Path, out: str):
    return pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / out))


def test_a_run_never_deletes_another_runs_landing_but_removes_one_whose_run_is_gone(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    upload = _upload(tmp_path)
    inbox = storage.make_private_dir(tmp_path / "data" / "inbox" / "E06000050" / "2026-11-16")
    stale = inbox / ".landing-0123456789abcdef"  # a killed run's: its lock file is free
    stale.mkdir()
    (stale / "child.csv").write_text("x")
    (inbox / ".landing-0123456789abcdef.lock").write_text("")
    with storage.landing(inbox) as other:  # run A, --out A, landing right now
        (other / "half-copied.csv").write_text("x")
        ctx, final = _ctx(tmp_path, "out-b")  # run B, another --out
        with pipeline.run_lock(ctx, final):
            landed = stages.stage_land(ctx, str(upload))
        assert other.is_dir() and (other / "half-copied.csv").exists()  # untouched
    assert not stale.exists() and not (inbox / ".landing-0123456789abcdef.lock").exists()
    assert not other.exists()  # A's own exit removed it
    assert storage.verify_landed(landed)
    assert sorted(p.name for p in inbox.iterdir()) == [landed.name]
    record(
        "Landing",
        "two runs for one LA and date with different --out; a landing left by a killed run",
        "the live landing untouched; the dead one removed; each run lands privately",
    )


def test_an_inbox_folder_that_no_longer_matches_its_manifest_is_rebuilt_not_reused(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    upload = _upload(tmp_path)
    ctx, _ = _ctx(tmp_path, "out")
    first = stages.stage_land(ctx, str(upload))
    (first / "referrals.csv").unlink()  # emptied, as a concurrent clean-up once did
    (first / "contacts.csv").write_text("tampered")
    assert not storage.verify_landed(first)
    again = stages.stage_land(ctx, str(upload))
    assert again == first and storage.verify_landed(again)
    assert (again / "referrals.csv").read_bytes() == (upload / "referrals.csv").read_bytes()
    stages.stage_init(ctx)
    assert stages.stage_read(ctx, again) == {"list_01_contacts": 2, "list_03_referrals": 3}
    record(
        "Landing",
        "a re-run whose inbox folder was emptied or changed",
        "rebuilt from the upload (files checked against the manifest), never reused",
    )


def test_named_pipe_device_and_symlink_loop_are_findings_and_nothing_hangs(tmp_path, monkeypatch):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    upload = _upload(tmp_path)
    os.mkfifo(upload / "pipe.csv")
    (upload / "loop-a.csv").symlink_to(upload / "loop-b.csv")
    (upload / "loop-b.csv").symlink_to(upload / "loop-a.csv")
    odd = ["loop-a.csv", "loop-b.csv", "pipe.csv"]
    try:
        os.mknod(upload / "zero.csv", 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero's twin
        odd.append("zero.csv")
    except PermissionError:
        pass  # not root: the named pipe and the loops still test the rule
    ctx, _ = _ctx(tmp_path, "out")
    done = threading.Event()
    result: dict = {}

    def land():
        result["landed"] = stages.stage_land(ctx, str(upload))
        done.set()

    threading.Thread(target=land, daemon=True).start()
    assert done.wait(60), "landing blocked on a named pipe or a device"
    landed = result["landed"]
    stages.stage_init(ctx)
    counts = stages.stage_read(ctx, landed)
    assert counts == {"list_01_contacts": 2, "list_03_referrals": 3}
    found = {f["source_file"]: f for f in issues(ctx.warehouse, "file_unreadable")}
    assert sorted(found) == sorted(odd)
    assert all("not a regular file" in f["message"] for f in found.values())
    manifest = json.loads((landed / "manifest.json").read_text())
    assert sorted(r["file"] for r in manifest["refused"]) == sorted(odd)
    record(
        "Odd path",
        "a named pipe, "
        + ("a character device (/dev/zero), " if "zero.csv" in odd else "")
        + "a symlink loop in the submission folder",
        "one file_unreadable finding each (“not a regular file”); nothing blocks; other files loaded",
    )


def test_too_many_files_is_refused_before_anything_is_landed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    upload = tmp_path / "upload"
    upload.mkdir()
    for i in range(10_000):
        (upload / f"f{i}.csv").write_bytes(b"a\n")
    ctx, _ = _ctx(tmp_path, "out")
    with pytest.raises(InputError, match="PIA_MAX_FILES"):
        stages.stage_land(ctx, str(upload))
    inbox = tmp_path / "data" / "inbox" / "E06000050" / "2026-11-16"
    assert list(inbox.iterdir()) == []  # no landing folder, no lock file left
    argv = ["run", "--la", "E06000050", "--notification-date", "2026-11-16"]
    argv += ["--annex-a", str(upload), "--out", str(tmp_path / "out2")]
    monkeypatch.setenv("PIA_PREFECT", "off")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "10,000 files" in err
    record("Odd path", "10,000 small files", f"exit 2, one line: “{err.strip()}”; nothing landed")


def test_pia_validate_reports_what_it_refused_and_never_blocks(tmp_path, monkeypatch, capsys):
    upload = _upload(tmp_path)
    os.mkfifo(upload / "pipe.csv")
    out = tmp_path / "report"
    argv = ["validate", "--la", "E06000050", "--notification-date", "2026-11-16"]
    assert cli.main([*argv, "--annex-a", str(upload), "--out", str(out)]) in (0, 1)
    rows = (out / "data_quality.csv").read_text(encoding="utf-8")
    assert "pipe.csv" in rows and "not a regular file" in rows
    capsys.readouterr()
    record(
        "Odd path",
        "pia validate on a folder holding a named pipe",
        "no hang; the pipe is a file_unreadable finding in data_quality.csv; other files read",
    )
