"""Access: a Prefect server started with PREFECT_SERVER_API_AUTH_STRING refuses an unauthenticated
API call and accepts an authenticated one (a basic-auth header, and Prefect's own client configured
with PREFECT_API_AUTH_STRING). On a shared server this sits behind TLS (docs/reliability.md)."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hostile_corpus import record

pytestmark = pytest.mark.integration
PREFECT = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "prefect")
AUTH = "officer:correct-horse-battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, auth: str | None = None) -> int:
    req = urllib.request.Request(
        url, data=b"{}", method="POST", headers={"Content-Type": "application/json"}
    )
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-auth")
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_AUTH_STRING": AUTH,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-services"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while True:  # /api/health is open by design (probes); it says when the server is up
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (
            home / "server.log"
        ).read_text()[-2000:]
        time.sleep(0.5)
    yield {"api": api, "home": home}
    proc.terminate()
    proc.wait(timeout=30)


def test_unauthenticated_calls_are_refused_and_authenticated_ones_accepted(server):
    url = f"{server['api']}/flows/filter"
    assert _call(url) == 401
    assert _call(url, "officer:wrong") == 401
    assert _call(url, AUTH) == 200
    record(
        "Access",
        "Prefect API with PREFECT_SERVER_API_AUTH_STRING: no credentials / wrong credentials",
        "401 Unauthorized",
    )
    record("Access", "Prefect API with the right basic-auth credentials", "200")


def test_prefects_client_uses_prefect_api_auth_string(server):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(server["home"]),
        "PREFECT_HOME": str(server["home"] / "client"),
        "PREFECT_API_URL": server["api"],
        "DO_NOT_TRACK": "1",
    }
    code = (
        "import asyncio\nfrom prefect.client.orchestration import get_client\n"
        "async def main():\n    async with get_client() as c:\n        print(len(await c.read_flows()))\n"
        "asyncio.run(main())\n"
    )
    python = str(Path(PREFECT).with_name("python"))
    ok = subprocess.run(
        [python, "-c", code],
        env=env | {"PREFECT_API_AUTH_STRING": AUTH},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and ok.stdout.strip() == "0", ok.stderr[-2000:]
    refused = subprocess.run(
        [python, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0 and "401" in refused.stderr
    record(
        "Access",
        "Prefect client with PREFECT_API_AUTH_STRING / without it",
        "accepted / refused (401)",
    )
    assert json.dumps(AUTH) not in ok.stdout + ok.stderr
