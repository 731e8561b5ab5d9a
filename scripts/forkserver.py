"""A warm process beside a process worker: flow runs start from a fork, not a fresh interpreter.

A process worker starts `python -m prefect.engine` for every run, which imports Prefect (~1 s idle,
~4 s on a loaded 2-core machine) before the run is even Running. This server imports Prefect's
engine once (imports only: no event loop, no API client, no thread: it refuses to start if an import
left one running, since a fork copies a held lock but not the thread that would release it) and
listens on a Unix socket (owner-only). The worker's command, scripts/forkserver_client.py, sends it
the run's environment, working folder, arguments and stdin/stdout/stderr; the server forks

- a watcher, which forks the run's process, tells the client its pid, relays the signals the client
  receives, kills the run's process if the client dies (SIGKILL: a lost worker stays a lost run), and
  sends the client the exit status;
- the run's process, which takes the request's environment as its own, re-reads Prefect's settings
  and logging from it, and runs the installed `prefect.engine` module as `__main__` (runpy), exactly
  as `python -m prefect.engine` does, exiting through the interpreter (atexit: logs are flushed).

polars, duckdb and pyarrow are not pre-imported: importing them starts threads (jemalloc's, polars'
memory manager). The run imports them and the pipeline (~0.2 s idle). `PIA_FORKSERVER_PRELOAD`
(comma-separated modules) replaces the default list.

Its log (stderr) has pids, flow run ids and exit statuses only: never a run's environment,
parameters or output. `python -m scripts.forkserver` (scripts/ui.sh starts it; SIGTERM stops it,
runs in flight go on). docs/orchestration.md, "Warm runs".
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from pathlib import Path

if __package__:
    from scripts.forkserver_client import socket_path
else:  # run as a file
    from forkserver_client import socket_path  # type: ignore[no-redef]

# What a run imports that starts no thread (measured: the modules a warm run still imported, 0.8 s
# idle beside Prefect's engine, holidays' calendars 0.3 s of it)
PRELOAD = (
    "prefect.engine",
    "prefect.flow_engine",
    "prefect._internal.metrics",
    "prefect.task_engine",
    "prefect.runner",
    "prefect.deployments.steps.pull",
    "prefect.deployments.steps.utility",
    "prefect.artifacts",
    "prefect.utilities.visualization",
    "anyio._backends._asyncio",
    "pydantic.v1",
    "holidays.countries",
    "jinja2",
    "markdown_it",
    "xlsxwriter",
    "graphviz",
)
MAX_REQUEST = 16 * 1024 * 1024
_RELAYABLE = {int(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)}


def log(message: str) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"{stamp} forkserver[{os.getpid()}]: {message}", file=sys.stderr, flush=True)


def threads() -> list[str]:
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return []
    return [(t / "comm").read_text().strip() for t in tasks.iterdir()]


def preload(modules: list[str]) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)
        if len(running := threads()) > 1:
            raise SystemExit(
                f"forkserver: importing {name} started threads {running[1:]}; a fork would copy"
                " their locks without them. Leave it out of PIA_FORKSERVER_PRELOAD."
            )


def listen(path: str) -> socket.socket:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError:
        pass
    else:
        raise SystemExit(f"forkserver: another fork server answers on {path}")
    finally:
        probe.close()
    if os.path.exists(path):
        os.unlink(path)
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        server.bind(path)
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    server.listen(16)
    return server


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(min(n - len(data), 1 << 20))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    """The client's stdin/stdout/stderr and its request; only from our own user."""
    pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    if uid != os.getuid():
        raise PermissionError(f"refused a connection from uid {uid} (pid {pid})")
    header, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)
    try:
        if len(header) != 4 or len(fds) != 3:
            raise ConnectionError("a request without its header and three descriptors")
        (size,) = struct.unpack("!I", header)
        if size > MAX_REQUEST:
            raise ConnectionError(f"a request of {size} bytes")
        request = json.loads(_recv_exact(conn, size))
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return request, fds


def watch(conn: socket.socket, pid: int) -> None:
    """In the watcher: relay signals to the run's process, report its exit status, then exit."""
    try:
        pidfd: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    pending = b""
    while True:
        if pidfd is None:  # no pidfd (Linux < 5.3): look every 0.1 s
            ready, _, _ = select.select([conn], [], [], 0.1)
        else:
            ready, _, _ = select.select([conn, pidfd], [], [])
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            log(f"process {pid} exited, status {os.waitstatus_to_exitcode(status)}")
            try:
                conn.sendall(b"X" + struct.pack("!i", status))
            except OSError:
                pass
            return
        if conn in ready:
            try:
                data = conn.recv(64)
            except OSError:
                data = b""
            if not data:  # the client (the process the worker watches) is gone: so is the run
                log(f"the client of process {pid} went away; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            pending += data
            while len(pending) >= 2:
                kind, signum, pending = pending[:1], pending[1], pending[2:]
                if kind == b"S" and signum in _RELAYABLE:
                    log(f"relaying signal {signum} to process {pid}")
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signum)


def become_run(request: dict, fds: list[int]) -> None:
    """In the run's process: take the request's stdio, folder and environment, then refresh
    Prefect's settings and logging from that environment, as a fresh interpreter would read them."""
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
    for fd in set(fds) - {0, 1, 2}:
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT):
        signal.signal(s, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path[0] = os.getcwd()  # `python -m` puts the working folder first

    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import setup_logging

    refresh_global_settings_context()
    setup_logging(incremental=False)


def serve(server: socket.socket) -> tuple[dict, list[int]] | None:
    """Accept requests until SIGTERM (None), or return a request in the run's process."""
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C reaches the runs through the client
    server.settimeout(1.0)
    while not stopping:
        while True:  # reap finished watchers
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        try:
            conn, _ = server.accept()
        except (TimeoutError, InterruptedError):
            continue
        conn.settimeout(10.0)
        try:
            request, fds = read_request(conn)
        except (OSError, ValueError, ConnectionError) as exc:
            log(f"refused a request: {exc}")
            conn.close()
            continue
        conn.settimeout(None)
        run_id = request.get("env", {}).get("PREFECT__FLOW_RUN_ID", "?")
        sys.stderr.flush()
        if (watcher := os.fork()) == 0:
            server.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            pid = os.fork()
            if pid == 0:
                conn.close()
                return request, fds
            try:  # the watcher never returns into the server's code
                for fd in fds:
                    os.close(fd)
                log(f"flow run {run_id}: process {pid}")
                try:
                    conn.sendall(b"P" + struct.pack("!ii", os.getppid(), pid))
                except OSError:
                    pass  # the client went away: watch() sees it and kills the run
                watch(conn, pid)
            except BaseException as exc:  # noqa: BLE001 - logged, and the watcher ends
                log(f"watching process {pid} failed ({type(exc).__name__}); killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)  # its client could not learn how it ended
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        conn.close()
        del watcher
    return None


def main() -> int:
    path = socket_path()
    modules = [m for m in os.environ.get("PIA_FORKSERVER_PRELOAD", ",".join(PRELOAD)).split(",")]
    started = time.monotonic()
    preload([m.strip() for m in modules if m.strip()])
    server = listen(path)
    log(
        f"listening on {path} ({len(modules)} modules preloaded in {time.monotonic() - started:.1f} s)"
    )
    work = serve(server)
    if work is None:
        server.close()
        if os.path.exists(path):
            os.unlink(path)
        log("stopped")
        return 0
    request, fds = work
    become_run(request, fds)
    import runpy
    import warnings

    # runpy's note that prefect.engine is already imported (it is: that is the point)
    warnings.filterwarnings("ignore", "'prefect.engine' found in sys.modules", RuntimeWarning)

    sys.argv = ["prefect.engine", *request.get("argv", [])]
    os.environ["PIA_WARM_RUN"] = "1"
    runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
