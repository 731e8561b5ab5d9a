"""`pia purge` deletes only what the product made, never through a symlink, never outside its roots."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from hostile_corpus import record

from flows import cli, pipeline, retention, stages

OLD = time.time() - 40 * 86400


def _aged(path: Path) -> Path:
    os.utime(path, (OLD, OLD), follow_symlinks=False)
    return path


def _run(out: Path, la: str, date: str, *, marked: bool = True, old: bool = True) -> Path:
    run = out / la / date
    run.mkdir(parents=True)
    (run / "pia.html").write_text("pack")
    if marked:
        retention.write_marker(run, la, date)
        if old:
            _aged(run / retention.RUN_MARKER)
    return run


def test_publish_marks_the_run_folder_as_the_products(tmp_path, monkeypatch):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    ctx, final = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    stages.stage_publish(ctx, final, None)
    assert (final / retention.RUN_MARKER).is_file()


def test_purge_deletes_old_marked_runs_stale_staging_and_old_inbox_and_nothing_else(
    tmp_path, monkeypatch, capsys
):
    data = tmp_path / "data"
    monkeypatch.setenv("PIA_DATA_DIR", str(data))
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    (outside / "2026-01-01").mkdir(parents=True)
    (outside / "2026-01-01" / "precious.txt").write_text("not the product's")
    _aged(outside / "2026-01-01")

    old_run = _run(out, "E06000050", "2026-01-05")
    (old_run / "link-out").symlink_to(outside / "2026-01-01" / "precious.txt")
    recent = _run(out, "E06000050", "2026-11-16", old=False)
    unmarked = _run(out, "E06000050", "2026-01-06", marked=False)
    _aged(unmarked)
    docs = out / "docs" / "important"
    docs.mkdir(parents=True)
    (docs / "notes.txt").write_text("keep")
    _aged(docs)
    (out / "E10000016").symlink_to(outside, target_is_directory=True)  # a symlinked LA folder
    stale = out / "E06000050" / ".2026-01-07.staging-deadbeef"
    stale.mkdir()
    live = out / "E06000050" / ".2026-11-17.staging-cafef00d"
    live.mkdir()
    lock = os.open(out / "E06000050" / ".2026-11-17.lock", os.O_CREAT | os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)  # a run in progress for that date

    inbox = data / "inbox" / "E06000050" / "2026-01-05"
    old_sub = inbox / "0123456789abcdef"
    old_sub.mkdir(parents=True)
    (old_sub / "manifest.json").write_text("{}")
    _aged(old_sub / "manifest.json")
    new_sub = inbox / "fedcba9876543210"
    new_sub.mkdir()
    (new_sub / "manifest.json").write_text("{}")
    dead_landing = inbox / ".landing-00ff"
    dead_landing.mkdir()
    (inbox / ".landing-00ff.lock").write_text("")
    try:
        assert cli.main(["purge", "--older-than", "30", "--out", str(out)]) == 0
    finally:
        os.close(lock)
    printed = capsys.readouterr().out
    gone = {old_run, stale, old_sub, dead_landing}
    for p in gone:
        assert not p.exists() and f"deleted {p}" in printed
    for p in (recent, unmarked, docs / "notes.txt", live, new_sub):
        assert p.exists()
    assert (outside / "2026-01-01" / "precious.txt").read_text() == "not the product's"
    assert printed.count("deleted ") == len(gone)
    record(
        "Purge",
        "pia purge --older-than 30 over: an old marked run (holding a symlink out), a recent one, "
        "an old unmarked folder, OUT/docs/important, a symlinked LA folder, a killed run's staging, "
        "a live run's staging, old and new inbox submissions, a dead landing",
        "deleted the old marked run (the link, not its target), the killed run's staging, the old "
        "submission and the dead landing, each printed; everything else untouched",
    )
