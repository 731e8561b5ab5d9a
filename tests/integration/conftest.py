"""One real Prefect server and one real S3 API per test session, both on loopback.

- `s3`: moto's ThreadedMotoServer on 127.0.0.1 (a real S3 HTTP API; s3fs talks to it like AWS).
- `prefect_ui`: `scripts/ui.sh` itself — the same script `make ui` runs — on a free port with its own
  PREFECT_HOME: a real `prefect server start` (SQLite), the process work pool and worker, and the
  deployments from prefect.yaml. Worker-run flows inherit this environment (S3 endpoint, data dir).
- `prefect_client_settings`: points this test process at that server for flows run in-process.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "ilacs-pia-test"
READY_TIMEOUT = 180  # server start + deploy; ~25 s on an idle 2-core machine
HEARTBEAT_GRACE = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3():
    """A real S3 API on loopback with one bucket; AWS settings in the environment only."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    mp = pytest.MonkeyPatch()
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "PIA_S3_ENDPOINT_URL": endpoint,
    }.items():
        mp.setenv(k, v)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield {"endpoint": endpoint, "bucket": BUCKET, "client": client}
    mp.undo()
    server.stop()


@contextlib.contextmanager
def ui_sh(**extra_env: str):
    """`scripts/ui.sh` on a free loopback port; yields the API URL and where its runs write."""
    tmp = Path(tempfile.mkdtemp(prefix="pia-ui-"))
    port = free_port()
    env = {
        **os.environ,
        "PIA_UI_PORT": str(port),
        "PREFECT_HOME": str(tmp / "prefect"),
        "PIA_DATA_DIR": os.environ["PIA_DATA_DIR"],  # the session's (tests/conftest.py)
        "PIA_WORK_POOL_LIMIT": "2",
        # the crash test waits this long after killing a run (production: 90 s); above 1.5
        # heartbeats so no healthy run of the session is crashed (flows/deploy_config.py)
        "PIA_HEARTBEAT_GRACE_SECONDS": str(HEARTBEAT_GRACE),
        **extra_env,
    }
    env.pop("PREFECT_API_URL", None)
    started = time.monotonic()
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "ui.sh")],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                line = ""
            seen.append(line)
            if line.startswith("ui: ready"):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("scripts/ui.sh did not become ready:\n" + "".join(seen)[-3000:])
        yield {
            "api_url": f"http://127.0.0.1:{port}/api",
            "home": tmp / "prefect",
            "ready_seconds": time.monotonic() - started,
            "pid": proc.pid,
            "heartbeat_grace": HEARTBEAT_GRACE,
        }
    finally:
        proc.terminate()  # ui.sh stops its worker and server in order
        try:
            proc.wait(timeout=40)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # anything left in our own process group


@pytest.fixture(scope="session")
def prefect_ui(s3):
    """The session's server: SQLite, as `make ui` on one officer's machine."""
    with ui_sh() as ui:
        yield ui


@contextlib.contextmanager
def client_settings(ui: dict):
    """This process talks to `ui`'s server; no flow heartbeat thread to wait for."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    with temporary_settings(
        updates={PREFECT_API_URL: ui["api_url"], PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    ):
        yield ui


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL server programs (`apt-get install postgresql`; `make test` installs it)."""
    if found := shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL cluster on loopback (its own folder and port), as a shared Prefect
    server's database. The server refuses to run as root, so as `postgres` when we are root."""
    import pwd

    bindir = postgres_bin()
    if bindir is None:
        pytest.fail(
            "PostgreSQL is not installed: `make test` installs it (apt-get install postgresql)"
        )
    tmp = Path(tempfile.mkdtemp(prefix="pia-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(tmp, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data, log = tmp / "data", tmp / "server.log"

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "prefect", "--auth=trust", "-E", "UTF8")
    run(
        str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
        "-o", f"-h 127.0.0.1 -p {port} -k {tmp}", "start",
    )  # fmt: skip
    try:
        run(
            str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "prefect", "prefect"
        )
        yield f"postgresql+asyncpg://prefect@127.0.0.1:{port}/prefect"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def prefect_on_postgres(s3, postgres_url):
    """`scripts/ui.sh` with PREFECT_API_DATABASE_CONNECTION_URL: a shared server's set-up."""
    with ui_sh(PREFECT_API_DATABASE_CONNECTION_URL=postgres_url) as ui:
        with client_settings(ui):
            yield ui


@pytest.fixture(scope="session")
def prefect_client_settings(prefect_ui):
    with client_settings(prefect_ui) as ui:
        yield ui
