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
from orchestration_support import (
    client,
    copy_deployment,
    deployment_runs,
    ensure_pool,
    first_final_run,
    start_worker,
    stop_worker,
    wait_for,
)

from flows import notify

pytestmark = pytest.mark.integration

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
SMALL_LA = "E06000017"  # Rutland: the smallest submission, the fastest real run
NOTIFIED = "2026-11-16"


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
        # each run says what it is for, and keeps saying it (the flow's own naming keeps it)
        tue, wed, thu = (f"{d:%a} 17:00" for d in expected)
        base = f"Kent · standard · {friday.isoformat()}"
        assert sorted(r.name for r in runs) == sorted(
            [
                f"{base} · lists due {tue}",
                f"{base} · management information due {wed}",
                f"{base} · case documents due {thu}",
            ]
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
    args = ["uploaded", "--la", SMALL_LA, "--notification-date", NOTIFIED]
    args += ["--annex-a", str(submission), "--out", str(out)]
    done = _pia(args, prefect_client_settings["api_url"])
    assert done.returncode == 0 and "Upload event sent for Rutland" in done.stdout, done.stderr
    with client() as c:
        run = first_final_run(
            c,
            "inspection-pack/inspection-pack",
            SMALL_LA,
            600,
            "the inspection-pack run triggered by the upload event",
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
            if kind == "kubernetes":
                # the Job the worker would create, from the template the pool holds on the server
                from flows import deploy_config

                template = c.read_work_pool(pool).base_job_template
                manifest = deploy_config.render_kubernetes_job(stored.job_variables, template)
                [container] = manifest["spec"]["template"]["spec"]["containers"]
                assert container["image"] == stored.job_variables["image"]
                assert container["resources"]["limits"]["memory"] == "4Gi"
                bad = {**stored.job_variables, "memory_limt": "4Gi", "cpu_request": "lots"}
                assert len(deploy_config.job_variable_problems(bad, template)) == 2

        # The server really checks job variables against the pool's schema: a bad launch type is refused.
        bad = yaml.safe_load(blocks["ecs"])
        bad["deployments"][0]["name"] = "inspection-pack-bad"
        bad["deployments"][0]["work_pool"]["job_variables"]["launch_type"] = "FARGATE_TURBO"
        f = tmp_path / "prefect.bad.yaml"
        f.write_text(yaml.safe_dump(bad), encoding="utf-8")
        assert _deploy(f, prefect_client_settings["api_url"]).returncode != 0


def _pia(args: list[str], api_url: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pia"), *args],
        env={**os.environ, "PREFECT_API_URL": api_url, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def next_working_day(after: dt.date) -> dt.date:
    from flows import milestones

    return milestones.add_working_days(after, 1)


def test_pia_notify_prints_what_the_server_scheduled(prefect_client_settings, tmp_path):
    api = prefect_client_settings["api_url"]
    day = next_working_day(dt.date.today() + dt.timedelta(days=14))
    args = ["notify", "--la", "383", "--notification-date", day.isoformat()]
    args += ["--annex-a", str(tmp_path), "--visit", "focused", "--out", str(tmp_path / "out")]
    done = _pia(args, api)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "The server scheduled 3 inspection-pack run(s):" in lines
    assert sum(f"Leeds · focused · {day.isoformat()} · " in ln for ln in lines) == 3
    assert "lists due" in done.stdout and "12:00 UK time" in done.stdout  # focused: midday
    with client() as c:
        [one] = [
            r
            for r in deployment_runs(c, "inspection-pack/inspection-pack", "E08000035")
            if "lists due" in r.name and r.parameters["notification_date"] == day.isoformat()
        ]
        assert one.parameters["output_url"] == str(tmp_path / "out")

    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    refused = _pia(
        [
            "notify",
            "--la",
            "383",
            "--notification-date",
            saturday.isoformat(),
            "--annex-a",
            str(tmp_path),
        ],
        api,
    )
    assert refused.returncode == 2 and "Saturday" in refused.stderr and "--force" in refused.stderr

    # no worker on the pool: said plainly (an empty pool stands for a stopped worker)
    with client() as c:
        ensure_pool(c, "pia-no-workers", limit=None)
    later = next_working_day(day + dt.timedelta(days=7))
    lonely = _pia(
        [
            "notify",
            "--la",
            "383",
            "--notification-date",
            later.isoformat(),
            "--annex-a",
            str(tmp_path),
        ],
        api,
        PIA_WORK_POOL="pia-no-workers",
    )
    assert lonely.returncode == 1 and "No worker is online" in lonely.stdout


def test_national_batch_goes_through_the_pool_to_both_workers_and_fails_if_one_failed(
    prefect_client_settings, tmp_path, monkeypatch
):
    """Three LAs over two workers of one run each: both take runs; the LA whose folder is empty
    fails, so the batch fails and its artifact lists it first."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows import synth
    from flows.inspection import national_batch

    api = prefect_client_settings["api_url"]
    pool = "pia-batch-test"
    codes = ["E06000017", "E09000001"]  # Rutland, City of London: the two smallest
    root = tmp_path / "inbox"
    for code in codes:
        synth.generate(code, dt.date.fromisoformat(NOTIFIED), root / code)
    (root / "E06000053").mkdir()  # Isles of Scilly: sent nothing
    with client() as c:
        ensure_pool(c, pool, limit=None)
        dep_id = copy_deployment(c, "inspection-pack/inspection-pack", "batch-test", pool)
        logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
        workers = [
            start_worker(api, pool, log, f"batch-{i}", "--limit", "1") for i, log in enumerate(logs)
        ]
        try:
            wait_for(
                lambda: (
                    len(
                        [
                            w
                            for w in c.read_workers_for_work_pool(pool)
                            if w.status.value == "ONLINE"
                        ]
                    )
                    == 2
                ),
                60,
                "two workers online",
            )
            monkeypatch.setenv("PIA_INSPECTION_DEPLOYMENT", "inspection-pack/batch-test")
            state = national_batch(
                la_codes=[*codes, "E06000053"],
                notification_date=NOTIFIED,
                annex_a_root=str(root),
                output_url=str(tmp_path / "out"),
                return_state=True,
            )
            runs = deployment_runs(c, "inspection-pack/batch-test")
        finally:
            for w in workers:
                stop_worker(w)
            c.delete_deployment(dep_id)
        assert state.is_failed() and "Isles of Scilly (E06000053)" in state.message
        assert "1 of 3" in state.message
        for code in codes:
            assert (tmp_path / "out" / code / NOTIFIED / "pia.html").is_file()
        assert len(runs) == 3 and all(r.name.endswith("· national batch") for r in runs)
        # each worker's log names the runs it submitted: both took at least one
        for log in logs:
            text = log.read_text(errors="replace")
            assert any(str(r.id) in text for r in runs), log.name
        [art] = c.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"national-batch-{NOTIFIED}"])
            )
        )[-1:]
        assert "2 of 3 packs built" in art.data
        assert art.data.index("Isles of Scilly") < art.data.index("Rutland")


def test_a_run_that_published_and_then_failed_says_so(
    prefect_client_settings, tmp_path, monkeypatch
):
    """The pack is published, then the run fails (here: the summary artifact's API call): the
    run's artifact says the pack was published and where, and the pack is on disk."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows import inspection, synth

    submission = tmp_path / "submission"
    synth.generate(SMALL_LA, dt.date.fromisoformat(NOTIFIED), submission)

    def artifact_api_down(*args, **kwargs):
        raise OSError("artifact API unavailable")

    monkeypatch.setattr(inspection, "create_markdown_artifact", artifact_api_down)
    state = inspection.inspection_pack(
        la_code=SMALL_LA,
        notification_date=NOTIFIED,
        annex_a_url=str(submission),
        output_url=str(tmp_path / "out"),
        return_state=True,
    )
    assert state.is_failed()
    pack = tmp_path / "out" / SMALL_LA / NOTIFIED
    assert (pack / "pia.html").is_file()
    with client() as c:
        arts = c.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])
            )
        )
    said = [a.data for a in arts if a.key == f"pia-{SMALL_LA.lower()}-{NOTIFIED}"]
    assert len(said) == 1, [a.key for a in arts]
    assert "**was published**" in said[0] and str(pack) in said[0] and "OSError" in said[0]
