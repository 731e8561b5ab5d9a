"""Read each submitted file in a child process, so that no file can take the run down with it.

The checks before reading (flows.annex_a.package, extents, the text limits) bound what a file can
cost, but the reader is native code: a case they miss would abort the process (calamine answers a
failed allocation with SIGABRT, not an exception) or take the machine's memory. In a child process
with a memory limit (RLIMIT_DATA, PIA_READ_MEMORY_MB) such a file kills only the child: the run gets
one `file_unreadable` finding naming the file, and the next file is read by a fresh child.

Children are kept and reused (starting one costs ~0.5 s of imports), one per reading thread, and
read one file at a time, so a child that dies names exactly one file. Sheets are sent back as Arrow
IPC (never pickle: a child that hostile input took over must not run code in the parent), each as
soon as it is loaded, so the parent identifies one sheet while the child loads the next.

PIA_READ_ISOLATED=off reads in the run's own process (for profiling).
"""

from __future__ import annotations

import atexit
import dataclasses
import io
import json
import logging
import queue
import resource
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from flows.annex_a import readers
from flows.config import settings

log = logging.getLogger("ilacs_pia")
_LEN = struct.Struct("<Q")
# what one message may carry: a sheet within the text limits is far below this; a child that asks
# for more has gone wrong, and the parent must not allocate what it says
_MAX_HEADER = 1 << 24
_MAX_PAYLOAD = 1 << 31


def enabled() -> bool:
    return settings().read_isolated


def memory_mb() -> int:
    """The reading child's memory limit (PIA_READ_MEMORY_MB; at least 256 MB, below which the
    reader cannot even start)."""
    return max(256, settings().read_memory_mb)


def read_file(
    path: Path, rel: str, limits: readers.Limits, prepare: Callable[[readers.Grid], Any]
) -> tuple[list[Any], list[readers.Problem]]:
    """readers.read_file in a child process (in this one when PIA_READ_ISOLATED=off); FileProblem
    when the file cannot be read or its reader stopped. `prepare` runs here, on each sheet as it
    arrives."""
    if not enabled():
        return readers.read_file(path, rel, limits, prepare)
    worker = _POOL.take()
    try:
        result = worker.read(path, rel, limits, prepare)
    except _Died:
        worker.kill()
        raise readers.FileProblem(
            "The reader stopped on this file (it passed the reading memory limit of "
            f"{memory_mb():,} MB, PIA_READ_MEMORY_MB, or the file's content crashed it), so it was "
            "not read. Please open it in Excel and save it again.",
        ) from None
    except BaseException:
        worker.kill()  # interrupted mid-file: its pipe is out of step
        raise
    _POOL.give_back(worker)
    return result


def warm_up() -> None:
    """Start the reading children now (their imports take ~0.5 s each), so that they are ready when
    the run reaches its files: called as landing begins."""
    if enabled():
        _POOL.start(readers.read_threads())


class _Died(Exception):
    pass


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.annex_a.isolated"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # an aborting reader's last words hold no file content
        )

    def read(self, path, rel, limits, prepare) -> tuple[list[Any], list[readers.Problem]]:
        request = {"path": str(path), "rel": rel, "limits": dataclasses.asdict(limits)}
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            raise _Died from None
        prepared: dict[int, Any] = {}
        while True:
            head, payload = self._receive()
            if "grid" in head:
                cells = pl.read_ipc(io.BytesIO(payload))
                grid = readers.Grid(rel, head["sheet"], cells, head["hidden"])
                prepared[head["grid"]] = prepare(grid)
            elif "file_problem" in head:
                raise readers.FileProblem(head["file_problem"], rule=head["rule"])
            elif "done" in head:
                problems = [readers.Problem(**p) for p in head["problems"]]
                return [prepared[i] for i in head["order"]], problems

    def _receive(self) -> tuple[dict, bytes]:
        out = self.proc.stdout
        head = out.read(_LEN.size)
        if len(head) != _LEN.size:
            raise _Died
        size = _LEN.unpack(head)[0]
        if size > _MAX_HEADER:
            raise _Died
        header = json.loads(_read_exact(out, size))
        if not isinstance(header, dict) or not 0 <= header.get("bytes", 0) <= _MAX_PAYLOAD:
            raise _Died  # a child that says this is not our reader any more
        payload = _read_exact(out, header.get("bytes", 0))
        return header, payload

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        try:
            self.proc.stdin.close()  # the child's loop ends at end of input
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


def _read_exact(f, n: int) -> bytes:
    data = f.read(n) if n else b""
    if len(data) != n:
        raise _Died
    return data


class _Pool:
    """Idle children, reused across files (and runs in one process); a dead one is never reused."""

    def __init__(self) -> None:
        self.idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.all: list[_Worker] = []

    def take(self) -> _Worker:
        while True:
            try:
                worker = self.idle.get_nowait()
            except queue.Empty:
                worker = _Worker()
                with self.lock:
                    self.all.append(worker)
                return worker
            if worker.proc.poll() is None:
                return worker

    def start(self, n: int) -> None:
        with self.lock:
            missing = n - sum(1 for w in self.all if w.proc.poll() is None)
        for _ in range(max(0, missing)):
            worker = _Worker()
            with self.lock:
                self.all.append(worker)
            self.idle.put(worker)

    def give_back(self, worker: _Worker) -> None:
        self.idle.put(worker)

    def close(self) -> None:
        with self.lock:
            workers, self.all = self.all, []
        for w in workers:
            if w.proc.poll() is None:
                w.close()


_POOL = _Pool()
atexit.register(_POOL.close)


# --- the child -------------------------------------------------------------------------------------
def _child() -> None:
    limit = memory_mb() * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    out = sys.stdout.buffer
    lock = threading.Lock()

    def send(header: dict, payload: bytes = b"") -> None:
        data = json.dumps({**header, "bytes": len(payload)}).encode()
        with lock:
            out.write(_LEN.pack(len(data)) + data + payload)
            out.flush()

    for line in sys.stdin.buffer:
        _serve(json.loads(line), send, lock)


def _serve(request: dict, send: Callable[..., None], lock: threading.Lock) -> None:
    """One file: each sheet sent as it loads, then the order and skipped sheets (or why not)."""
    limits = readers.Limits(**request["limits"])
    count = iter(range(1 << 30))

    def ship(grid: readers.Grid) -> int:
        buffer = io.BytesIO()
        grid.cells.write_ipc(buffer)
        with lock:
            n = next(count)
        send({"grid": n, "sheet": grid.source_sheet, "hidden": grid.hidden}, buffer.getvalue())
        return n

    try:
        order, problems = readers.read_file(Path(request["path"]), request["rel"], limits, ship)
    except readers.FileProblem as e:
        send({"file_problem": e.message, "rule": e.rule})
        return
    except MemoryError:
        send(
            {
                "file_problem": "Reading the file needed more than the reading memory limit of "
                f"{memory_mb():,} MB (PIA_READ_MEMORY_MB), so it was not read.",
                "rule": "file_too_large",
            }
        )
        return
    except Exception as e:  # a reader bug must not pass for a fault of the file, nor stop the run
        send(
            {
                "file_problem": "The file could not be read (the reader failed with "
                f"{type(e).__name__}). Please open it in Excel and save it again.",
                "rule": "file_unreadable",
            }
        )
        return
    send({"done": True, "order": order, "problems": [dataclasses.asdict(p) for p in problems]})


if __name__ == "__main__":
    _child()
