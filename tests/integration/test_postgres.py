"""The shared-server set-up, run for real: `scripts/ui.sh` with PostgreSQL as Prefect's database
(a throw-away cluster on loopback, tests/integration/conftest.py). The same checks as on SQLite for
what depends on the database: the scheduler creates the cron's runs, an event's automation creates a
run the worker completes, the crash automation is in place.
"""

from __future__ import annotations

import datetime as dt

import pytest
from orchestration_support import client, deployment_runs, first_final_run, wait_for

from flows import deploy_config, notify

pytestmark = pytest.mark.integration

LA, NOTIFIED = "E06000017", "2026-11-16"  # Rutland: the smallest real run


def flow_runs_in_postgres(url: str) -> int:
    """Count the server's flow runs in PostgreSQL itself: the server really uses it."""
    import asyncio

    import asyncpg

    async def count() -> int:
        con = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return await con.fetchval("select count(*) from flow_run")
        finally:
            await con.close()

    return asyncio.run(count())


def test_a_server_on_postgresql_schedules_triggers_and_runs(
    prefect_on_postgres, postgres_url, tmp_path
):
    from flows import synth

    with client() as c:
        runs = wait_for(
            lambda: [
                r
                for r in deployment_runs(c, "statistics-refresh/statistics-refresh")
                if r.state.is_scheduled()
            ],
            60,
            "the scheduler to create statistics-refresh runs on PostgreSQL",
        )
        assert all(r.expected_start_time.weekday() in (0, 6) for r in runs)  # Monday 06:00 UK
        assert c.read_automations_by_name(deploy_config.CRASH_AUTOMATION)

        submission, out = tmp_path / "submission", tmp_path / "out"
        synth.generate(LA, dt.date.fromisoformat(NOTIFIED), submission)
        notify.uploaded(LA, NOTIFIED, "standard", str(submission), output_url=str(out))
        run = first_final_run(
            c,
            "inspection-pack/inspection-pack",
            LA,
            300,
            "the upload's inspection-pack run on PostgreSQL",
        )
        assert run.state.is_completed(), run.state.message
        assert (out / LA / NOTIFIED / "pia.html").is_file()
        assert flow_runs_in_postgres(postgres_url) == len(c.read_flow_runs())
