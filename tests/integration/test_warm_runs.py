"""Warm runs (scripts/forkserver.py), against the session's real server: `make ui`'s runs are forked
from the fork server; with no fork server the client falls back to `python -m prefect.engine`; a
warm run is cancelled through its client, and dies when its client is killed (a lost worker)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import signal
from pathlib import Path

import pytest
from forkserver_support import start_fork_server
from orchestration_support import (
    ROOT,
    client,
    cmdline,
    copy_deployment,
    descendants,
    ensure_pool,
    start_worker,
    stop_worker,
    wait_for,
)

from flows import deploy_config

pytestmark = pytest.mark.integration

LA, NOTIFIED = "E06000017", "2026-11-16"  # Rutland: the smallest real run
CLIENT_COMMAND = shlex.join(
    [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "forkserver_client.py")]
)


def params(tmp_path: Path) -> dict:
    from flows import synth

    submission = tmp_path / "submission"
    if not submission.exists():
        synth.generate(LA, dt.date.fromisoformat(NOTIFIED), submission)
    return {
        "la_code": LA,
        "notification_date": NOTIFIED,
        "annex_a_url": str(submission),
        "output_url": str(tmp_path / "out"),
    }


def final(c, run_id, timeout: float = 300):
    return wait_for(lambda: (r := c.read_flow_run(run_id)).state.is_final() and r, timeout, "a run")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and " Z " not in Path(f"/proc/{pid}/stat").read_text()


def test_make_ui_runs_start_in_a_warm_process(prefect_client_settings, tmp_path):
    home = prefect_client_settings["home"]
    sock = home / "forkserver.sock"
    assert sock.is_socket() and sock.stat().st_mode & 0o777 == 0o600
    with client() as c:
        pool = c.read_work_pool(deploy_config.work_pool())
        command = pool.base_job_template["variables"]["properties"]["command"]["default"]
        assert command.endswith("forkserver_client.py"), command
        dep = c.read_deployment_by_name("inspection-pack/inspection-pack")
        run = c.create_flow_run_from_deployment(dep.id, parameters=params(tmp_path))
        done = final(c, run.id)
    assert done.state.is_completed(), done.state.message
    assert (tmp_path / "out" / LA / NOTIFIED / "pia.html").stat().st_size > 0
    worker_log = (home / "worker.log").read_text(errors="replace")
    assert f"pia warm run: flow run {run.id} forked by fork server" in worker_log
    fork_log = (home / "forkserver.log").read_text(errors="replace")
    assert f"flow run {run.id}: process" in fork_log
    # pids, run ids and exit statuses only: nothing the run was given
    assert "Rutland" not in fork_log and str(tmp_path) not in fork_log


def test_without_a_fork_server_the_run_starts_as_prefect_does(prefect_client_settings, tmp_path):
    api = prefect_client_settings["api_url"]
    pool = "pia-fallback-test"
    log = tmp_path / "worker.log"
    with client() as c:
        ensure_pool(c, pool, limit=1)
        deploy_config.set_pool_command(c, pool, CLIENT_COMMAND)
        dep_id = copy_deployment(c, "inspection-pack/inspection-pack", "fallback-test", pool)
        worker = start_worker(
            api, pool, log, "no-fork-server", PIA_FORKSERVER_SOCKET=str(tmp_path / "none.sock")
        )
        try:
            run = c.create_flow_run_from_deployment(dep_id, parameters=params(tmp_path))
            done = final(c, run.id)
        finally:
            stop_worker(worker)
            c.delete_deployment(dep_id)
    assert done.state.is_completed(), done.state.message
    text = log.read_text(errors="replace")
    assert "pia warm run: no fork server at" in text and "starting python -m prefect.engine" in text
    assert "forked by fork server" not in text


def test_a_warm_run_is_cancelled_and_dies_with_its_client(prefect_client_settings, tmp_path):
    """Cancel: the worker's SIGTERM reaches the forked process through the client. A lost worker:
    its client killed with SIGKILL, the fork server kills the run's process (no orphan that keeps
    sending heartbeats)."""
    from prefect.states import Cancelling

    api = prefect_client_settings["api_url"]
    pool = "pia-warm-cancel-test"
    sock = tmp_path / "fs.sock"
    server = start_fork_server(sock, tmp_path / "forkserver.log", PREFECT_API_URL=api)
    log = tmp_path / "worker.log"
    with client() as c:
        ensure_pool(c, pool, limit=2)
        deploy_config.set_pool_command(c, pool, CLIENT_COMMAND)
        dep_id = copy_deployment(c, "inspection-pack/inspection-pack", "warm-cancel-test", pool)
        wait_for(sock.is_socket, 120, "the fork server to listen")
        worker = start_worker(
            api,
            pool,
            log,
            "warm-cancel",
            PIA_FORKSERVER_SOCKET=str(sock),
            PIA_TEST_PAUSE_AT="load",
            PIA_TEST_RESUME=str(tmp_path / "never"),
        )

        def paused_process(run_id) -> int:
            pattern = rf"flow run {run_id} forked by fork server \d+ as process (\d+)"
            found = wait_for(
                lambda: (
                    "PIA_TEST_PAUSED load" in (t := log.read_text(errors="replace"))
                    and re.search(pattern, t)
                ),
                180,
                "the warm run to reach the load",
            )
            wait_for(lambda: c.read_flow_run(run_id).state.is_running(), 30, "Running")
            return int(found.group(1))

        try:
            first = c.create_flow_run_from_deployment(dep_id, parameters=params(tmp_path))
            pid = paused_process(first.id)
            assert alive(pid)
            c.set_flow_run_state(first.id, Cancelling(), force=True)
            cancelled = final(c, first.id, 120)
            assert cancelled.state.is_cancelled(), cancelled.state
            wait_for(lambda: not alive(pid), 30, "the cancelled run's process to exit")

            log.write_text("")  # the second run's marker only
            second = c.create_flow_run_from_deployment(dep_id, parameters=params(tmp_path))
            pid = paused_process(second.id)
            clients = [p for p in descendants(worker.pid) if "forkserver_client.py" in cmdline(p)]
            assert len(clients) == 1, [cmdline(p) for p in descendants(worker.pid)]
            os.kill(clients[0], signal.SIGKILL)
            wait_for(lambda: not alive(pid), 30, "the run's process to die with its client")
            crashed = final(c, second.id, 120)
            assert crashed.state.is_crashed(), crashed.state
        finally:
            stop_worker(worker)
            c.delete_deployment(dep_id)
            server.terminate()
            server.wait(timeout=20)
    assert not sock.exists()  # removed on SIGTERM


def test_make_ui_starts_a_dead_fork_server_again(prefect_client_settings):
    ui = prefect_client_settings
    log = ui["home"] / "forkserver.log"

    def servers() -> list[int]:
        return [
            p
            for p in descendants(ui["pid"])
            if "scripts.forkserver" in cmdline(p)
            and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(ui["pid"])
        ]

    [first] = servers()
    before = log.read_text(errors="replace").count("listening on")
    os.kill(first, signal.SIGKILL)
    wait_for(
        lambda: log.read_text(errors="replace").count("listening on") > before,
        120,
        "make ui to start the fork server again",
    )
    assert f"fork server (pid {first}) exited; starting it again" in log.read_text()
    [second] = servers()
    assert second != first and (ui["home"] / "forkserver.sock").is_socket()
