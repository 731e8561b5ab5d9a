"""What keeps orchestration working in operation, against the session's real server (scripts/ui.sh):
the cron schedule creates runs and a due run executes; a run whose machine is lost is marked Crashed
and frees its slot; `make ui` starts a dead worker again.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from zoneinfo import ZoneInfo

import pytest
from orchestration_support import (
    client,
    cmdline,
    copy_deployment,
    deployment_runs,
    descendants,
    ensure_pool,
    kill_tree,
    start_worker,
    stop_worker,
    wait_for,
)

from flows import deploy_config

pytestmark = pytest.mark.integration

LONDON = ZoneInfo("Europe/London")
STATS = "statistics-refresh/statistics-refresh"


def next_monday_six(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    day = local.date() + dt.timedelta(days=(7 - local.weekday()) % 7)
    at = dt.datetime.combine(day, dt.time(6), tzinfo=LONDON)
    return at if at > local else at + dt.timedelta(days=7)


def test_statistics_refresh_cron_creates_scheduled_runs(prefect_client_settings):
    """The server's scheduler creates the Monday 06:00 runs (SQLAlchemy 2.1 made it fail silently)."""
    with client() as c:
        runs = wait_for(
            lambda: [r for r in deployment_runs(c, STATS) if r.state.is_scheduled()],
            60,
            "the scheduler to create statistics-refresh runs",
        )
        first = min(r.expected_start_time for r in runs)
        assert first == next_monday_six(dt.datetime.now(dt.UTC))
        assert all(r.auto_scheduled for r in runs)


def test_a_due_scheduled_run_executes(prefect_client_settings, tmp_path):
    """A schedule's due run is picked up by the worker and completes (10 s interval, same flow)."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import IntervalSchedule

    db = tmp_path / "statistics.duckdb"
    with client() as c:
        dep_id = copy_deployment(
            c,
            STATS,
            "statistics-refresh-every-10s",
            deploy_config.work_pool(),
            parameters={"db_path": str(db)},
            schedules=[
                DeploymentScheduleCreate(
                    schedule=IntervalSchedule(interval=dt.timedelta(seconds=10))
                )
            ],
        )
        try:
            run = wait_for(
                lambda: next(
                    (
                        r
                        for r in deployment_runs(
                            c, "statistics-refresh/statistics-refresh-every-10s"
                        )
                        if r.state.is_final()
                    ),
                    None,
                ),
                90,
                "a scheduled statistics-refresh run to finish",
            )
        finally:
            c.delete_deployment(dep_id)  # stop it scheduling more
        assert run.state.is_completed(), run.state.message
        assert run.auto_scheduled
        assert db.stat().st_size > 0


def test_a_lost_machine_run_is_crashed_and_frees_its_slot(prefect_client_settings, tmp_path):
    """Kill a flow run's process and its worker at once (a lost machine or pod): the heartbeat
    automation marks the run Crashed with a message an officer can act on, and the next run, held
    back by the pool's limit of one, then starts and completes."""
    from flows import synth

    api = prefect_client_settings["api_url"]
    grace = prefect_client_settings["heartbeat_grace"]
    pool = "pia-crash-test"
    la, notified = "E06000017", "2026-11-16"  # Rutland: the smallest real run
    submission = tmp_path / "submission"
    synth.generate(la, dt.date.fromisoformat(notified), submission)
    params = {
        "la_code": la,
        "notification_date": notified,
        "annex_a_url": str(submission),
        "output_url": str(tmp_path / "out"),
    }
    log = tmp_path / "worker.log"
    with client() as c:
        ensure_pool(c, pool, limit=1)
        dep_id = copy_deployment(c, "inspection-pack/inspection-pack", "crash-test", pool)
        # the first worker's runs stop inside the Annex A load (flows/testhooks.py) until killed
        worker = start_worker(
            api,
            pool,
            log,
            "lost-machine",
            PIA_TEST_PAUSE_AT="load",
            PIA_TEST_RESUME=str(tmp_path / "never"),
        )
        try:
            lost = c.create_flow_run_from_deployment(dep_id, parameters=params)
            wait_for(
                lambda: "PIA_TEST_PAUSED load" in log.read_text(errors="replace"),
                120,
                "the run to reach the load",
            )
            assert c.read_flow_run(lost.id).state.is_running()
            flow_procs = [p for p in descendants(worker.pid) if "prefect.engine" in cmdline(p)]
            assert flow_procs, "expected the flow run's own process under the worker"
            kill_tree(worker.pid, signal.SIGKILL)
            killed_at = time.monotonic()
        finally:
            stop_worker(worker)

        nxt = c.create_flow_run_from_deployment(dep_id, parameters=params)
        second = start_worker(api, pool, tmp_path / "worker2.log", "replacement")
        try:
            crashed = wait_for(
                lambda: (r := c.read_flow_run(lost.id)).state.is_crashed() and r,
                grace + 60,
                "the lost run to be marked Crashed",
                poll=0.5,
            )
            crashed_after = time.monotonic() - killed_at
            # the slot was held until then: the next run had not started
            assert c.read_flow_run(nxt.id).start_time is None or (
                c.read_flow_run(nxt.id).start_time >= crashed.state.timestamp
            )
            assert "stopped responding" in crashed.state.message
            assert "Run it again" in crashed.state.message
            done = wait_for(
                lambda: (r := c.read_flow_run(nxt.id)).state.is_final() and r,
                180,
                "the next run to finish",
            )
            assert done.state.is_completed(), done.state.message
        finally:
            stop_worker(second)
            c.delete_deployment(dep_id)
    print(f"lost run marked Crashed {crashed_after:.0f} s after the kill (grace {grace} s)")
    assert crashed_after < grace + 45


def test_ui_starts_a_dead_worker_again_and_keeps_its_log(prefect_client_settings):
    ui = prefect_client_settings
    workers = [
        p for p in descendants(ui["pid"]) if "worker start" in cmdline(p) and "python" in cmdline(p)
    ]
    assert len(workers) == 1, [cmdline(p) for p in workers]
    kill_tree(workers[0], signal.SIGKILL)
    log = ui["home"] / "worker.log"
    wait_for(
        lambda: f"worker (pid {workers[0]}) exited" in log.read_text(),
        30,
        "ui.sh to notice the dead worker",
    )
    with client() as c:
        wait_for(
            lambda: (
                any(
                    w.status.value == "ONLINE"
                    and w.last_heartbeat_time
                    and w.last_heartbeat_time > dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
                    for w in c.read_workers_for_work_pool(deploy_config.work_pool())
                )
                and [
                    p
                    for p in descendants(ui["pid"])
                    if "worker start" in cmdline(p) and p != workers[0]
                ]
            ),
            60,
            "a new worker polling the pool",
        )
        assert c.api_healthcheck() is None  # the server stayed up
    text = log.read_text()
    assert text.count("ui start") == 1 and "Worker" in text  # appended, not overwritten
