"""Start a flow run in a warm process of the fork server, or fall back to `python -m prefect.engine`.

The process work pool's `command` (scripts/ui.sh sets it: docs/orchestration.md, "Warm runs") runs
this instead of `python -m prefect.engine`. It is the process the worker watches: it hands the fork
server (scripts/forkserver.py) its environment (PREFECT__FLOW_RUN_ID and the rest the worker set), its
working folder, its arguments and its stdin/stdout/stderr (so the run's output reaches the worker's
log as before), relays SIGTERM, SIGINT and SIGHUP to the run's process (cancellation, a stopping
worker), and exits as that process exited (killed by a signal: by the same signal). If it is killed
itself, the fork server kills the run's process (a lost machine stays a lost run: the heartbeat
automation marks it Crashed). With no fork server answering it becomes `python -m prefect.engine`.

Standard library only, imported by nothing: it must start in a few tens of milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

RELAYED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
MARK = "pia warm run:"  # what the worker's log shows (tests/integration/test_warm_runs.py)


def socket_path(env: dict[str, str] | os._Environ = os.environ) -> str:
    """PIA_FORKSERVER_SOCKET, else `forkserver.sock` in PREFECT_HOME (owner-only: scripts/ui.sh)."""
    if path := env.get("PIA_FORKSERVER_SOCKET"):
        return path
    home = env.get("PREFECT_HOME") or os.path.join(os.path.expanduser("~"), ".prefect")
    return os.path.join(home, "forkserver.sock")


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


def _fallback(reason: str) -> None:
    print(f"{MARK} {reason}; starting python -m prefect.engine", file=sys.stderr, flush=True)
    os.execv(sys.executable, [sys.executable, "-m", "prefect.engine", *sys.argv[1:]])


def _exit_as(status: int) -> None:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # killed by a signal: die of the same one, as the process the worker expects
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code
    sys.exit(code)


def main() -> None:
    path = socket_path()
    request = json.dumps(
        {"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}
    ).encode()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        # the length first, with our stdin/stdout/stderr: the run writes where we would have
        socket.send_fds(sock, [struct.pack("!I", len(request))], [0, 1, 2])
        sock.sendall(request)
        started = _recv_exact(sock, 9)
    except OSError as exc:
        sock.close()
        _fallback(f"no fork server at {path} ({exc.strerror or exc})")
        return
    if len(started) != 9 or started[:1] != b"P":
        sock.close()
        _fallback(f"the fork server at {path} did not start the run")
        return
    server_pid, pid = struct.unpack("!ii", started[1:])

    def relay(signum: int, _frame: object) -> None:
        try:
            sock.sendall(b"S" + bytes([signum]))
        except OSError:
            pass

    for s in RELAYED:
        signal.signal(s, relay)
    run_id = os.environ.get("PREFECT__FLOW_RUN_ID", "?")
    print(
        f"{MARK} flow run {run_id} forked by fork server {server_pid} as process {pid}",
        file=sys.stderr,
        flush=True,
    )
    ended = _recv_exact(sock, 5)
    if len(ended) != 5 or ended[:1] != b"X":
        print(f"{MARK} lost the fork server's process watching {pid}", file=sys.stderr)
        sys.exit(1)
    _exit_as(struct.unpack("!i", ended[1:])[0])


if __name__ == "__main__":
    main()
