"""A test-only pause point, so the reliability tests can kill a run at a precise place.

Unset in production (does nothing). When PIA_TEST_PAUSE_AT names a point, the run writes
`PIA_TEST_PAUSED <point>` on stderr and waits until the file PIA_TEST_RESUME exists (or 10 minutes
pass); the test then kills it with SIGKILL, or creates the file to let it continue.

Points: after each stage of `flows.pipeline.run` (land, init, statistics, read, validate,
indicators, render) and `load`: inside the Annex A DuckDB transaction, after the tables are written
and before the commit.
"""

from __future__ import annotations

import os
import sys
import time

from flows.config import settings


def pause_point(name: str) -> None:
    s = settings()
    if s.test_pause_at != name:
        return
    print(f"PIA_TEST_PAUSED {name}", file=sys.stderr, flush=True)
    resume = s.test_resume or ""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (resume and os.path.exists(resume)):
        time.sleep(0.05)
