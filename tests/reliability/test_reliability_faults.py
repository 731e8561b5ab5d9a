"""Faults, through the real `pia run` in subprocesses: SIGKILL at every stage boundary and inside the
DuckDB load, two runs for one LA at once, runs for two LAs in parallel, a statistics refresh killed
half-way. The previous pack and warehouse must stay intact and readable, and a re-run must give the
same pack bytes as an uninterrupted run (PIA_GENERATED_AT fixes the generation time).

Kill points come from flows/testhooks.py (PIA_TEST_PAUSE_AT): the run says where it is, waits, and
the test kills it there; nothing here depends on timing.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from hostile_corpus import PIA, pia_env, record, small_submission

pytestmark = pytest.mark.integration
LA, OTHER_LA, DATE = "E06000050", "E10000016", "2026-11-16"
KILL_POINTS = ["land", "init", "statistics", "load", "read", "validate", "indicators", "render"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    env = pia_env(root)
    stats = root / "stats" / "statistics.duckdb"
    subprocess.run(
        [PIA, "stats", "refresh", "--db", str(stats)], env=env, check=True, capture_output=True
    )
    sub = small_submission(root / "submission")
    return {"root": root, "env": env, "stats": stats, "sub": sub, "out": root / "out"}


def _args(w, la=LA):
    return [
        PIA,
        "run",
        "--la",
        la,
        "--notification-date",
        DATE,
        "--annex-a",
        str(w["sub"]),
        "--stats",
        str(w["stats"]),
        "--out",
        str(w["out"]),
    ]


def _start(w, point: str, resume: Path | None = None, la=LA) -> tuple[subprocess.Popen, Path]:
    err = w["root"] / f"stderr-{point}-{la}-{time.monotonic_ns()}.txt"
    env = dict(
        w["env"], PIA_TEST_PAUSE_AT=point, PIA_TEST_RESUME=str(resume or w["root"] / "never")
    )
    proc = subprocess.Popen(_args(w, la), env=env, stdout=subprocess.DEVNULL, stderr=err.open("wb"))
    while f"PIA_TEST_PAUSED {point}" not in err.read_text(errors="replace"):
        if proc.poll() is not None:
            raise AssertionError(f"run ended before {point}: {err.read_text()}")
        time.sleep(0.05)
    return proc, err


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _readable(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*) from annex_a.audits").fetchall()[0][0]
    finally:
        con.close()


def test_kill_at_every_stage_boundary_and_inside_the_load_loses_nothing(world):
    w = world
    first = subprocess.run(_args(w), env=w["env"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    final = w["out"] / LA / DATE
    before = _snapshot(final)
    stats_before = hashlib.sha256(w["stats"].read_bytes()).hexdigest()
    audits = _readable(final / "warehouse.duckdb")
    for point in KILL_POINTS:
        proc, _ = _start(w, point)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
        assert _snapshot(final) == before, point  # the previous pack, byte for byte
        assert _readable(final / "warehouse.duckdb") == audits
        assert hashlib.sha256(w["stats"].read_bytes()).hexdigest() == stats_before
        record(
            "Fault",
            f"SIGKILL {'inside the DuckDB load (before commit)' if point == 'load' else f'after stage {point}'}",
            "previous pack and warehouse byte-identical and readable; statistics untouched",
        )
    leftovers = sorted(
        p.name for p in final.parent.iterdir() if p.name.startswith(f".{DATE}.staging")
    )
    assert len(leftovers) == 1  # each run removes the staging folder the killed run before it left

    again = subprocess.run(_args(w), env=w["env"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    after = _snapshot(final)
    for name in (
        "pia.html",
        "data_quality.html",
        "data_quality.csv",
        "data_quality.xlsx",
        "manifest.json",
    ):
        assert after[name] == before[name], name
    assert not any(p.name.startswith(f".{DATE}.staging") for p in final.parent.iterdir())
    inbox = Path(w["env"]["PIA_DATA_DIR"]) / "inbox" / LA / DATE
    assert not any(p.name.startswith(".landing-") for p in inbox.iterdir())
    record(
        "Fault",
        "re-run after the kills",
        "exit 0; pia.html and data_quality.html/csv/xlsx byte-identical to "
        "the uninterrupted run; killed runs' staging folders removed",
    )


def test_same_la_twice_refuses_clearly_while_another_la_proceeds(world):
    w = world
    resume = w["root"] / "resume-concurrent"
    held, _ = _start(w, "read", resume)  # holds the lock for LA/DATE
    try:
        second = subprocess.run(_args(w), env=w["env"], capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert "in progress" in second.stderr and second.stderr.count("\n") == 1
        other = subprocess.run(
            _args(w, OTHER_LA), env=w["env"], capture_output=True, text=True, timeout=600
        )
        assert other.returncode == 0, other.stderr
        assert (w["out"] / OTHER_LA / DATE / "pia.html").exists()
    finally:
        resume.touch()
    assert held.wait(timeout=600) == 0
    assert _readable(w["out"] / LA / DATE / "warehouse.duckdb") > 0
    record(
        "Fault",
        "two runs for the same LA and date at once",
        f"the second exits 2: “{second.stderr.strip()}”; the first completes",
    )
    record("Fault", "runs for two different LAs at once", "both complete (exit 0)")


def test_statistics_refresh_killed_half_way_keeps_the_old_statistics(world):
    w = world
    db = w["stats"]
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    proc = subprocess.Popen(
        [PIA, "stats", "refresh", "--db", str(db)],
        env=w["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # half-way: once the new database is being built beside the old one
    while not list(db.parent.glob(".build-*")):
        assert proc.poll() is None, "refresh finished before it could be killed"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    con = duckdb.connect(str(db), read_only=True)
    values = con.execute('select count(*) from "statistics"."statistics"."values"').fetchall()[0][0]
    assert values > 0
    con.close()
    run = subprocess.run(_args(w), env=w["env"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    record(
        "Fault",
        "statistics refresh killed (SIGKILL) while building the new database",
        "old statistics.duckdb byte-identical, readable and used by the next run",
    )
