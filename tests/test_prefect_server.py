"""scripts/prefect_server.py: the server's SQLite write transactions begin IMMEDIATE.

The race it removes, on a real SQLite file through Prefect's own database configuration: a
transaction reads, another connection commits a write, the first then writes. Begun DEFERRED (as
Prefect does) the write fails at once with "database is locked" (the server answers 503 and the
automation creating an upload's run retries 2 s later); begun IMMEDIATE it waits its turn instead.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlalchemy as sa

pytest.importorskip("prefect.server.database.configurations")


async def _race(path) -> str:
    from prefect.server.database.configurations import AioSqliteConfiguration

    cfg = AioSqliteConfiguration(connection_url=f"sqlite+aiosqlite:///{path}")
    engine = await cfg.engine()
    async with engine.begin() as c:
        await c.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    first_read, other_done = asyncio.Event(), asyncio.Event()

    async def reader_then_writer() -> str:
        session = await cfg.session(engine)
        async with session:
            try:
                async with cfg.begin_transaction(session):
                    await session.execute(sa.text("SELECT count(*) FROM t"))
                    first_read.set()
                    await other_done.wait()
                    await session.execute(sa.text("INSERT INTO t VALUES (1)"))
            except sa.exc.OperationalError as exc:
                return str(exc.orig)
        return "ok"

    async def other_writer() -> None:
        await first_read.wait()
        # a plain sqlite3 connection, as another process would: commits a write mid-transaction
        await asyncio.to_thread(_write_other, path)
        other_done.set()

    result, _ = await asyncio.wait_for(
        asyncio.gather(reader_then_writer(), other_writer()), timeout=30
    )
    await engine.dispose()
    return result


def _write_other(path) -> None:
    con = sqlite3.connect(path, timeout=0.5)
    try:
        con.execute("INSERT INTO t VALUES (2)")
        con.commit()
    except sqlite3.OperationalError:
        con.rollback()  # IMMEDIATE: the first transaction holds the lock; it commits first
    finally:
        con.close()


def test_deferred_transaction_fails_at_once_without_the_patch(tmp_path, monkeypatch):
    from prefect.server.database import configurations as cfg

    # Prefect's own behaviour (the class attribute as installed, before any patch in this process)
    if getattr(cfg.AioSqliteConfiguration, "_pia_begin_immediate", False):
        pytest.skip("patched earlier in this process")
    assert "database is locked" in asyncio.run(_race(tmp_path / "deferred.db"))


def test_write_transactions_begin_immediate_and_wait_their_turn(tmp_path, monkeypatch):
    from prefect.server.database import configurations as cfg

    from scripts import prefect_server

    monkeypatch.setattr(
        cfg.AioSqliteConfiguration,
        "begin_transaction",
        cfg.AioSqliteConfiguration.begin_transaction,
    )
    monkeypatch.setattr(cfg.AioSqliteConfiguration, "_pia_begin_immediate", False, raising=False)
    prefect_server.sqlite_begin_immediate()
    assert asyncio.run(_race(tmp_path / "immediate.db")) == "ok"
