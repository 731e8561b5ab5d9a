"""Against a real Prefect server (deployed by scripts/ui.sh from prefect.yaml) and a real S3 API.

Nothing is mocked: events go over the server's websocket, its automations create the runs, the
process worker runs them in subprocesses, and the packs are real files or S3 objects.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import holidays
import pytest

from flows import notify

pytestmark = pytest.mark.integration

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
SMALL_LA = "E06000017"  # Rutland: the smallest submission, the fastest real run
NOTIFIED = "2026-11-16"


def client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def deployment_runs(c, deployment: str, la_code: str) -> list:
    dep = c.read_deployment_by_name(deployment)
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

    runs = c.read_flow_runs(
        flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[dep.id]))
    )
    return [r for r in runs if r.parameters.get("la_code") == la_code]


def wait_for(predicate, timeout: float, what: str, poll: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def next_monday_bank_holiday(after: dt.date) -> dt.date:
    """The next England and Wales Monday bank holiday whose Friday before is a working day."""
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(after.year, after.year + 3))
    for day in sorted(hols):
        if day > after and day.weekday() == 0 and (day - dt.timedelta(days=3)) not in hols:
            return day
    raise AssertionError("no Monday bank holiday in three years")


def child_ids(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'annex_a' and column_name = 'child_id'"
        ).fetchall()
        ids: set[str] = set()
        for (t,) in tables:
            # identifier from the database's own catalogue, quoted
            sql = f'select distinct child_id from annex_a."{t}"'  # noqa: S608
            ids |= {r[0] for r in con.execute(sql).fetchall() if r[0]}
        return ids
    finally:
        con.close()


def assert_no_child_id_in_prefect(c, flow_run_id, ids: set[str]) -> None:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    # logs reach the server from a background worker: send this process's, then give another
    # process's (a worker's flow run) time to arrive
    APILogWorker.drain_all(timeout=10)
    deadline = time.monotonic() + 30
    while True:
        logs = c.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        artifacts = c.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        if (logs and artifacts) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    text = "\n".join(
        [lg.message for lg in logs] + [str(a.data) + str(a.description) for a in artifacts]
    )
    assert logs and artifacts, "expected the run's logs and artifact on the server"
    assert len(ids) > 50, "expected the synthetic submission's child IDs"
    leaked = {i for i in ids if i in text}
    assert not leaked, f"{len(leaked)} child IDs found in Prefect logs or artifacts"
    return text


def test_deployments_from_prefect_yaml(prefect_client_settings):
    with client() as c:
        names = {d.name for d in c.read_deployments()}
        assert {"inspection-pack", "on-notification", "statistics-refresh"} <= names
        stats = c.read_deployment_by_name("statistics-refresh/statistics-refresh")
        [sched] = stats.schedules
        assert sched.schedule.cron == "0 6 * * 1" and sched.schedule.timezone == "Europe/London"
        automations = {a.name for a in c.read_automations()}
        assert any("inspection-pack" in a for a in automations) and any(
            "on-notification" in a for a in automations
        )


def test_notification_schedules_runs_at_the_deadlines_across_a_bank_holiday(
    prefect_client_settings, tmp_path
):
    holiday = next_monday_bank_holiday(dt.date.today() + dt.timedelta(days=7))
    friday = holiday - dt.timedelta(days=3)
    la = "E10000016"  # Kent; nothing runs (the deadlines are in the future)
    notify.notified(la, friday, "standard", str(tmp_path / "inbox"))
    # Framework para 314, standard inspection, notified on the Friday before a bank holiday Monday:
    # lists and audits Tuesday 5pm, management information Wednesday 5pm, case documents Thursday 5pm.
    expected = [
        dt.datetime.combine(holiday + dt.timedelta(days=d), dt.time(17), tzinfo=LONDON)
        for d in (1, 2, 3)
    ]
    with client() as c:
        runs = wait_for(
            lambda: (
                (r := deployment_runs(c, "inspection-pack/inspection-pack", la))
                and len(r) >= 3
                and r
            ),
            120,
            "three scheduled inspection-pack runs",
        )
        assert sorted(r.expected_start_time for r in runs) == expected
        assert all(r.state.is_scheduled() for r in runs)
        assert all(
            r.name.startswith(f"Kent · standard · {friday.isoformat()} · due:") for r in runs
        )
        assert {r.parameters["notification_date"] for r in runs} == {friday.isoformat()}

        # The same notification again schedules nothing new (idempotency key per deadline).
        notify.notified(la, friday, "standard", str(tmp_path / "inbox"))
        wait_for(
            lambda: (
                sum(
                    r.state.is_completed()
                    for r in deployment_runs(c, "on-notification/on-notification", la)
                )
                == 2
            ),
            120,
            "the second on-notification run",
        )
        assert len(deployment_runs(c, "inspection-pack/inspection-pack", la)) == 3


def test_upload_event_builds_a_pack_with_aggregates_only(prefect_client_settings, tmp_path):
    from flows import synth

    submission, out = tmp_path / "submission", tmp_path / "out"
    synth.generate(SMALL_LA, dt.date.fromisoformat(NOTIFIED), submission)
    notify.uploaded(SMALL_LA, NOTIFIED, "standard", str(submission), output_url=str(out))
    with client() as c:
        run = wait_for(
            lambda: next(
                (
                    r
                    for r in deployment_runs(c, "inspection-pack/inspection-pack", SMALL_LA)
                    if r.state.is_final()
                ),
                None,
            ),
            600,
            "the inspection-pack run triggered by the upload event",
            poll=2,
        )
        assert run.state.is_completed(), run.state.message
        assert run.name == f"Rutland · standard · {NOTIFIED}"
        pack = out / SMALL_LA / NOTIFIED
        assert (pack / "pia.html").stat().st_size > 0
        text = assert_no_child_id_in_prefect(c, run.id, child_ids(pack / "warehouse.duckdb"))
        assert "| error |" in text and str(pack) in text  # the artifact: findings and location


def test_inspection_pack_reads_and_writes_s3(prefect_client_settings, s3, tmp_path):
    from flows import synth
    from flows.inspection import inspection_pack

    submission = tmp_path / "submission"
    synth.generate(SMALL_LA, dt.date.fromisoformat(NOTIFIED), submission)
    prefix = f"inbox/{SMALL_LA}/{NOTIFIED}"
    for f in submission.rglob("*"):
        if f.is_file():
            s3["client"].upload_file(
                str(f), s3["bucket"], f"{prefix}/{f.relative_to(submission).as_posix()}"
            )

    state = inspection_pack(
        la_code=SMALL_LA,
        notification_date=NOTIFIED,
        annex_a_url=f"s3://{s3['bucket']}/{prefix}",
        output_url=f"s3://{s3['bucket']}/packs",
        return_state=True,
    )
    summary = state.result()
    assert summary["location"] == f"s3://{s3['bucket']}/packs/{SMALL_LA}/{NOTIFIED}"
    c = s3["client"]
    key = f"packs/{SMALL_LA}/{NOTIFIED}"
    head = c.head_object(Bucket=s3["bucket"], Key=f"{key}/pia.html")
    assert head["ContentLength"] > 0 and head["ServerSideEncryption"] == "AES256"
    objects = c.list_objects_v2(Bucket=s3["bucket"], Prefix=f"{key}/")["Contents"]
    names = {o["Key"].rsplit("/", 1)[-1] for o in objects}
    assert {"pia.html", "data_quality.html", "data_quality.csv", "warehouse.duckdb"} <= names

    local_wh = tmp_path / "warehouse.duckdb"
    c.download_file(s3["bucket"], f"{key}/warehouse.duckdb", str(local_wh))
    with client() as pc:
        assert_no_child_id_in_prefect(pc, state.state_details.flow_run_id, child_ids(local_wh))


def _doc_blocks() -> dict[str, str]:
    """The YAML blocks marked `<!-- validated: NAME -->` in docs/orchestration.md."""
    text = (ROOT / "docs" / "orchestration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- validated: (\w+) -->\s*```yaml\n(.*?)```", text, flags=re.S)
    return dict(blocks)


def _deploy(prefect_file: Path, api_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    cmd = [
        str(ROOT / ".venv" / "bin" / "prefect"),
        "--no-prompt",
        "deploy",
        "--prefect-file",
        str(prefect_file),
        "--all",
    ]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_kubernetes_and_ecs_configurations_in_the_docs_are_accepted(
    prefect_client_settings, tmp_path
):
    import json

    import prefect
    import yaml
    from prefect.client.schemas.actions import WorkPoolCreate

    metadata = json.loads(
        (
            Path(prefect.__file__).parent
            / "server/api/collections_data/views/aggregate-worker-metadata.json"
        ).read_text()
    )
    templates = {
        "kubernetes": metadata["prefect-kubernetes"]["kubernetes"],
        "ecs": metadata["prefect-aws"]["ecs"],
    }
    blocks = _doc_blocks()
    assert set(blocks) == {"kubernetes", "ecs"}
    with client() as c:
        for kind, block in blocks.items():
            config = yaml.safe_load(block)
            [dep] = config["deployments"]
            pool = dep["work_pool"]["name"]
            c.create_work_pool(
                WorkPoolCreate(
                    name=pool,
                    type=kind,
                    base_job_template=templates[kind]["default_base_job_configuration"],
                )
            )
            f = tmp_path / f"prefect.{kind}.yaml"
            f.write_text(block, encoding="utf-8")
            result = _deploy(f, prefect_client_settings["api_url"])
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
            stored = c.read_deployment_by_name(f"inspection-pack/{dep['name']}")
            assert stored.work_pool_name == pool
            assert stored.job_variables == dep["work_pool"]["job_variables"]

        # The server really checks job variables against the pool's schema: a bad launch type is refused.
        bad = yaml.safe_load(blocks["ecs"])
        bad["deployments"][0]["name"] = "inspection-pack-bad"
        bad["deployments"][0]["work_pool"]["job_variables"]["launch_type"] = "FARGATE_TURBO"
        f = tmp_path / "prefect.bad.yaml"
        f.write_text(yaml.safe_dump(bad), encoding="utf-8")
        assert _deploy(f, prefect_client_settings["api_url"]).returncode != 0


def test_national_batch_builds_each_la_with_a_concurrency_limit(prefect_client_settings, tmp_path):
    from flows.inspection import national_batch

    codes = ["E06000017", "E09000001"]  # Rutland, City of London: the two smallest
    out = national_batch(
        la_codes=codes, notification_date=NOTIFIED, output_url=str(tmp_path / "out"), concurrency=2
    )
    assert set(out) == set(codes)
    for code in codes:
        assert (Path(out[code]) / "pia.html").is_file(), out[code]
