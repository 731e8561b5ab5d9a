"""The fork server and its client without a Prefect server (tests/integration/test_warm_runs.py runs
flows through them): stdio, environment and exit status reach the worker's side; signals reach the
run's process; a killed client takes its run with it; no server: `python -m prefect.engine`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from forkserver_support import start_fork_server

ROOT = Path(__file__).resolve().parents[1]
CLIENT = [sys.executable, str(ROOT / "scripts" / "forkserver_client.py")]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def silent_api():
    """An API that accepts connections and never answers: a run's first request hangs."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield f"http://127.0.0.1:{s.getsockname()[1]}/api"


@pytest.fixture
def fork_server(tmp_path):
    sock = tmp_path / "fs.sock"
    log = tmp_path / "forkserver.log"
    proc = start_fork_server(sock, log)
    try:
        wait_for(lambda: sock.is_socket() or proc.poll() is not None, 120, "the fork server")
        assert proc.poll() is None, log.read_text()
        assert sock.stat().st_mode & 0o777 == 0o600
        yield {"sock": sock, "log": log, "proc": proc}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not sock.exists()


def client(sock: Path, tmp_path: Path, **env: str) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if k != "PREFECT__FLOW_RUN_ID"}
    return subprocess.Popen(
        CLIENT,
        cwd=tmp_path,
        env={**full, "PIA_FORKSERVER_SOCKET": str(sock), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_run_gets_the_clients_stdio_environment_and_exit_status(fork_server, tmp_path):
    # no flow run id: prefect.engine logs "Invalid flow run id" and exits 1, in the forked process
    proc = client(fork_server["sock"], tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "forked by fork server" in err and "Invalid flow run id" in err
    assert "found in sys.modules" not in err  # runpy's warning is expected and silenced


def test_signals_reach_the_run_and_a_killed_client_takes_its_run(fork_server, tmp_path, silent_api):
    run_id = "00000000-0000-4000-8000-000000000001"
    env = {"PREFECT__FLOW_RUN_ID": run_id, "PREFECT_API_URL": silent_api}

    def started(proc) -> int:
        for _ in range(50):  # the run's process writes to the same stderr
            if "forked by fork server" in (line := proc.stderr.readline()):
                return int(line.rsplit(" ", 1)[1])
        raise AssertionError("no warm-run line from the client")

    term = client(fork_server["sock"], tmp_path, **env)
    pid = started(term)
    term.send_signal(signal.SIGTERM)
    assert term.wait(timeout=30) == -signal.SIGTERM  # the run's process died of it: so did we
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, "the run's process to go")

    killed = client(fork_server["sock"], tmp_path, **env)
    pid = started(killed)
    killed.kill()
    killed.wait(timeout=10)
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, "the fork server to kill the run")
    log = fork_server["log"].read_text()
    assert f"flow run {run_id}: process" in log and "went away; killing it" in log
    assert silent_api not in log  # pids, run ids and statuses only


def test_without_a_fork_server_the_client_becomes_prefect_engine(tmp_path):
    proc = client(tmp_path / "none.sock", tmp_path)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "no fork server at" in err and "starting python -m prefect.engine" in err
    assert "Invalid flow run id" in err


def test_an_import_that_starts_a_thread_is_refused(tmp_path):
    env = {
        **os.environ,
        "PIA_FORKSERVER_SOCKET": str(tmp_path / "fs.sock"),
        "PIA_FORKSERVER_PRELOAD": "polars",
    }
    done = subprocess.run(
        [sys.executable, "-m", "scripts.forkserver"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "started threads" in done.stderr
    assert not (tmp_path / "fs.sock").exists()
