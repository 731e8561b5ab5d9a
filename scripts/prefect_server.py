"""`prefect server start`, with SQLite write transactions that take the write lock when they begin.

Prefect's server opens its SQLite transactions `BEGIN DEFERRED` (unless an endpoint asks for a row
lock): the transaction reads first and asks for the write lock at its first INSERT/UPDATE. In WAL
mode, if any other connection committed a write in between, SQLite cannot upgrade the stale read
snapshot and fails the statement at once with SQLITE_BUSY_SNAPSHOT ("database is locked"); the
60 s busy timeout Prefect sets is never consulted for that case. The server answers 503, and its
caller retries after Prefect's client back-off: 2 s, then 4 s.

Measured on `make ui` (docs/benchmarks.md, "Upload event → pack on disk"): the automation that turns
`ilacs.annex-a.uploaded` into a flow run calls the create-flow-run endpoint, which reads the
deployment, variables and work queue for ~40 ms and then inserts the run. In about a third of
uploads another write committed inside that window — the event persister storing the upload event
itself, the worker's once-a-second poll stamping its work queue, a run's logs, the crash
automation's trigger buckets — and the run was created 2 s (once 6 s) later than it could be.

`BEGIN IMMEDIATE` takes the write lock at the start, so a writer waits its turn (milliseconds,
through the busy timeout) instead of failing and waiting 2 s. The cost: transactions opened for
writing no longer overlap their reads with another writer's; on one machine's server that is
nothing measurable. Transactions Prefect opens without `begin_transaction` (plain reads) are
unchanged, and PostgreSQL (docs/orchestration.md, shared server) is untouched: this only replaces
the SQLite configuration's choice of BEGIN mode.

Usage: `python -m scripts.prefect_server [prefect server start options]` (scripts/ui.sh runs it).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncGenerator
from typing import Any


def sqlite_begin_immediate() -> None:
    """Make every SQLite transaction Prefect's server begins for writing `BEGIN IMMEDIATE`."""
    from prefect.server.database import configurations as cfg

    if getattr(cfg.AioSqliteConfiguration, "_pia_begin_immediate", False):
        return

    @contextlib.asynccontextmanager
    async def begin_transaction(
        self: Any, session: Any, with_for_update: bool = False
    ) -> AsyncGenerator[Any, None]:
        token = cfg.SQLITE_BEGIN_MODE.set("IMMEDIATE")
        try:
            async with session.begin() as transaction:
                yield transaction
        finally:
            cfg.SQLITE_BEGIN_MODE.reset(token)

    cfg.AioSqliteConfiguration.begin_transaction = begin_transaction  # type: ignore[method-assign]
    cfg.AioSqliteConfiguration._pia_begin_immediate = True  # type: ignore[attr-defined]


def main(argv: list[str]) -> None:
    sqlite_begin_immediate()
    from prefect.cli import app

    sys.argv = ["prefect", "server", "start", *argv]
    sys.exit(app())


if __name__ == "__main__":
    main(sys.argv[1:])
