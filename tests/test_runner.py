"""Run plumbing that does not need the other stages: parameters, landing, locking, swapping, purging."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from flows import cli, las, pipeline, retention, stages, storage
from flows.errors import InputError


@pytest.mark.parametrize(
    "code", ["../../etc", "E10000016/..", "", "88", "E1000001", "x" * 500, "E10000016\x00"]
)
def test_bad_la_codes_are_rejected_before_any_file_is_touched(code, tmp_path):
    with pytest.raises(InputError):
        pipeline.prepare(code, "2026-11-16", "standard", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_old_three_digit_codes_resolve_to_the_ons_code():
    assert las.resolve("886").ons_code == "E10000016"
    assert las.resolve("e10000016").name == "Kent"


@pytest.mark.parametrize("date", ["../../etc", "16/11/2026", "2026-13-01", ""])
def test_bad_dates_and_visit_types_are_rejected(date, tmp_path):
    with pytest.raises(InputError):
        pipeline.prepare("E06000050", date, "standard", str(tmp_path))
    with pytest.raises(InputError):
        pipeline.prepare("E06000050", "2026-11-16", "surprise", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_cli_turns_bad_input_into_exit_code_2(capsys):
    assert (
        cli.main(
            [
                "run",
                "--la",
                "../../etc",
                "--notification-date",
                "2026-11-16",
                "--annex-a",
                "/nonexistent",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "LA code" in err and err.count("\n") == 1


def _submission(tmp_path: Path) -> Path:
    sub = tmp_path / "upload"
    sub.mkdir()
    (sub / "List 1.csv").write_bytes(b"Child Unique ID,Gender\nC1,a) Male\n")
    (sub / "audits.xlsx").write_bytes(b"not really a workbook")
    (sub / ".DS_Store").write_bytes(b"hidden")
    return sub


def test_landing_copies_files_unchanged_with_a_manifest_and_is_idempotent(tmp_path):
    ctx, _ = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    sub = _submission(tmp_path)
    first = stages.stage_land(ctx, str(sub))
    again = stages.stage_land(ctx, str(sub))
    assert first == again
    manifest = json.loads((first / "manifest.json").read_text())
    assert [f["file"] for f in manifest["files"]] == [
        "List 1.csv",
        "audits.xlsx",
    ]  # hidden files skipped
    assert (first / "List 1.csv").read_bytes() == (sub / "List 1.csv").read_bytes()
    assert manifest["files"][0]["sha256"] == storage.sha256_file(sub / "List 1.csv")
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(first / "List 1.csv").st_mode) == 0o600

    (sub / "List 1.csv").write_bytes(b"Child Unique ID,Gender\nC1,b) Female\n")  # a resubmission
    second = stages.stage_land(ctx, str(sub))
    assert second != first and (first / "List 1.csv").read_bytes().endswith(b"a) Male\n")


def test_symlinks_escaping_the_inbox_are_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    sub = _submission(tmp_path)
    (sub / "link.csv").symlink_to(secret)
    ctx, _ = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    landed = stages.stage_land(ctx, str(sub))
    assert not (landed / "link.csv").exists()


def test_an_empty_or_missing_submission_is_a_clear_error(tmp_path):
    ctx, _ = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no files"):
        stages.stage_land(ctx, str(tmp_path / "empty"))
    with pytest.raises(InputError, match="does not exist"):
        stages.stage_land(ctx, str(tmp_path / "missing"))


def test_a_second_run_for_the_same_la_and_date_refuses_clearly(tmp_path):
    ctx, final = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path))
    other, other_final = pipeline.prepare("E10000016", "2026-11-16", "standard", str(tmp_path))
    with pipeline.run_lock(ctx, final):
        with pytest.raises(InputError, match="in progress"):
            with pipeline.run_lock(ctx, final):
                pass
        with pipeline.run_lock(other, other_final):  # another LA proceeds
            pass


def test_swap_replaces_the_previous_run_whole(tmp_path):
    final = tmp_path / "E06000050" / "2026-11-16"
    final.mkdir(parents=True)
    (final / "pia.html").write_text("old")
    staging = tmp_path / "E06000050" / ".staging"
    staging.mkdir()
    (staging / "pia.html").write_text("new")
    storage.swap_in_dir(staging, final)
    assert (final / "pia.html").read_text() == "new"
    assert sorted(p.name for p in final.parent.iterdir()) == ["2026-11-16"]


def test_atomic_write_is_owner_only_and_leaves_no_temporary_files(tmp_path):
    p = storage.atomic_write_text(tmp_path / "a" / "x.html", "hello")
    assert p.read_text() == "hello"
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    assert [q.name for q in p.parent.iterdir()] == ["x.html"]


def test_purge_deletes_only_old_run_folders_and_says_what(tmp_path, capsys):
    old = tmp_path / "E06000050" / "2025-01-06"
    new = tmp_path / "E06000050" / "2026-11-16"
    for d in (old, new):
        d.mkdir(parents=True)
        (d / "pia.html").write_text("x")
        retention.write_marker(d, "E06000050", d.name)  # as publish marks a run folder
    os.utime(old / retention.RUN_MARKER, (0, 0))
    assert cli.main(["purge", "--older-than", "30", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert not old.exists() and new.exists()
    assert "2025-01-06" in out and "1 folder(s) deleted" in out


def test_the_lookup_holds_the_153_current_las_with_consistent_regions():
    all_las = las.all_las()
    assert len(all_las) == 153 and "" not in all_las
    names_by_code: dict[str, set[str]] = {}
    for la in all_las.values():
        names_by_code.setdefault(la.region_code, set()).add(la.region_name.casefold())
    assert all(len(names) == 1 for names in names_by_code.values())


def test_a_file_over_the_size_limit_is_refused_at_landing_and_reported(tmp_path, monkeypatch):
    import duckdb

    sub = tmp_path / "upload"
    sub.mkdir()
    (sub / "small.csv").write_bytes(
        b"Child Unique ID,Audit Theme,Date Audit Completed\nA1,Neglect,01/10/2026\n"
    )
    (sub / "huge.xlsx").write_bytes(b"x" * 4096)
    monkeypatch.setenv("PIA_MAX_FILE_MB", str(1024 / 1024 / 1024))  # 1 KB
    ctx, _ = pipeline.prepare("E06000050", "2026-11-16", "standard", str(tmp_path / "out"))
    landed = stages.stage_land(ctx, str(sub))
    assert not (landed / "huge.xlsx").exists() and (landed / "small.csv").exists()
    manifest = json.loads((landed / "manifest.json").read_text())
    assert [r["file"] for r in manifest["refused"]] == ["huge.xlsx"]
    stages.stage_init(ctx)
    rows = stages.stage_read(ctx, landed)
    assert rows.get("audits") == 1  # the other file still loads
    con = duckdb.connect(str(ctx.warehouse), read_only=True)
    found = con.execute(
        "select source_file, severity, message from quality.issues where rule = 'file_too_large'"
    ).fetchall()
    con.close()
    assert len(found) == 1 and found[0][0] == "huge.xlsx" and found[0][1] == "error"
    assert "PIA_MAX_FILE_MB" in found[0][2]
