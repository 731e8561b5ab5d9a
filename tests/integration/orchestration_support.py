"""Helpers for the tests against the session's Prefect server: clients, waits, worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(ROOT / ".venv" / "bin" / "prefect")


def client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def wait_for(predicate, timeout: float, what: str, poll: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def deployment_runs(c, deployment: str, la_code: str | None = None) -> list:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

    dep = c.read_deployment_by_name(deployment)
    runs = c.read_flow_runs(
        flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[dep.id]))
    )
    return [r for r in runs if la_code is None or r.parameters.get("la_code") == la_code]


def first_final_run(c, deployment: str, la_code: str, timeout: float, what: str):
    """The first run of `deployment` for the LA to reach a final state."""
    return wait_for(
        lambda: next(
            (r for r in deployment_runs(c, deployment, la_code) if r.state.is_final()), None
        ),
        timeout,
        what,
    )


def copy_deployment(c, source: str, name: str, pool: str, **changes: Any):
    """A deployment of the same flow and code as `source` on another pool (for isolated workers)."""
    dep = c.read_deployment_by_name(source)
    fields = {
        "flow_id": dep.flow_id,
        "name": name,
        "entrypoint": dep.entrypoint,
        "path": dep.path,
        "pull_steps": dep.pull_steps,
        "parameter_openapi_schema": dep.parameter_openapi_schema,
        "job_variables": dep.job_variables,
        "work_pool_name": pool,
        "parameters": dep.parameters,
    }
    fields.update(changes)
    return c.create_deployment(**fields)


def ensure_pool(c, name: str, limit: int | None) -> None:
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectAlreadyExists

    try:
        c.create_work_pool(WorkPoolCreate(name=name, type="process", concurrency_limit=limit))
    except ObjectAlreadyExists:
        c.update_work_pool(name, WorkPoolUpdate(concurrency_limit=limit))


def start_worker(
    api_url: str, pool: str, log: Path, name: str, *args: str, **env: str
) -> subprocess.Popen:
    """`prefect worker start` in its own session, its output (and its runs') appended to `log`."""
    full_env = {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        **env,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", pool, "--name", name, *args],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc: a flow run's process may be in its own session)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill_tree(pid: int, sig: int = signal.SIGKILL) -> None:
    """Kill a process and all below it at once, as a machine or pod that is lost."""
    for p in [pid, *descendants(pid)]:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid)
            proc.wait(timeout=10)
