"""Starting scripts/forkserver.py for a test: one place for the command, its folder and its log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_fork_server(sock: Path, log: Path, **env: str) -> subprocess.Popen:
    """The fork server listening on `sock`, its output appended to `log` (own session, so a test can
    stop it and what it forked apart from the test's process group)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "scripts.forkserver"],
            cwd=ROOT,
            env={**os.environ, **env, "PIA_FORKSERVER_SOCKET": str(sock)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
