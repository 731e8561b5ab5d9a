"""The flows' plain parts, without a Prefect server (the server tests are in tests/integration/)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from flows import inspection, las, notify
from flows.context import RunContext
from flows.errors import InputError


def ctx(tmp_path: Path) -> RunContext:
    return RunContext(
        la=las.resolve("E06000017"),
        notification_date=dt.date(2026, 11, 16),
        visit_type="standard",
        work_dir=tmp_path,
    )


def test_a_stage_error_reaches_prefect_without_the_data_it_quoted(tmp_path):
    with pytest.raises(inspection.StageFailed) as e:
        with inspection._guarded("read", ctx(tmp_path)):
            raise ValueError("Could not convert 'CHILD-9911' to BIGINT in row 12")
    assert (
        "CHILD-9911" not in str(e.value)
        and "ValueError" in str(e.value)
        and e.value.__cause__ is None
    )
    [log] = (Path(os.environ["PIA_DATA_DIR"]) / "logs" / "E06000017").glob("2026-11-16-read-*.log")
    assert "CHILD-9911" in log.read_text() and stat.S_IMODE(log.stat().st_mode) == 0o600


def test_input_errors_pass_through_and_are_not_retried(tmp_path):
    with pytest.raises(InputError, match="no files"):
        with inspection._guarded("land", ctx(tmp_path)):
            raise InputError("Annex A location /x holds no files.")

    class State:
        def __init__(self, data):
            self.data = data

    assert inspection._retry_unless_input_error(None, None, State(InputError("bad"))) is False
    assert inspection._retry_unless_input_error(None, None, State(OSError("S3 throttled"))) is True


def test_the_artifact_holds_counts_and_the_location_only():
    md = inspection.artifact_markdown(
        {
            "la": "E06000017",
            "la_name": "Rutland",
            "notification_date": "2026-11-16",
            "visit_type": "standard",
            "rows": {"list_01_contacts": 481, "audits": 10},
            "findings": {"error": 2, "warning": 5},
            "location": "s3://packs/E06000017/2026-11-16",
        }
    )
    assert "| list_01_contacts | 481 |" in md and "| error | 2 |" in md and "| info | 0 |" in md
    assert "s3://packs/E06000017/2026-11-16" in md


def test_run_names_and_planned_runs_name_the_la_visit_and_date():
    assert inspection.run_name("886", "2026-11-16", "focused") == "Kent · focused · 2026-11-16"
    runs = inspection.planned_runs("E06000050", "2026-11-16", "standard")
    assert [r["milestones"] for r in runs] == [
        ["child_level_lists", "audits"],
        ["management_information"],
        ["case_documents"],
    ]
    assert (
        runs[0]["name"] == "Cheshire West and Chester · standard · 2026-11-16 · lists due Tue 17:00"
    )
    assert [r["name"].rsplit(" · ", 1)[1] for r in runs[1:]] == [
        "management information due Wed 17:00",
        "case documents due Thu 17:00",
    ]
    assert len({r["key"] for r in runs}) == 3  # one idempotency key per deadline


def test_events_carry_the_la_as_resource_and_refuse_bad_parameters():
    e = notify.build_event(notify.NOTIFIED, "886", "2026-11-16", "monitoring", "s3://annex-a/kent")
    assert e.resource.id == "ilacs.la.E10000016" and e.resource["la_code"] == "E10000016"
    assert e.payload == {
        "notification_date": "2026-11-16",
        "visit_type": "monitoring",
        "annex_a_url": "s3://annex-a/kent",
        "statistics_url": None,
        "output_url": None,
    }
    for bad in (
        ("E99", "2026-11-16", "standard", "x"),
        ("886", "16/11/2026", "standard", "x"),
        ("886", "2026-11-16", "joint", "x"),
        ("886", "2026-11-16", "standard", "s3://key:secret@b/x"),
    ):
        with pytest.raises(InputError):
            notify.build_event(notify.NOTIFIED, *bad)


def test_notify_without_a_server_says_how_to_point_at_one(monkeypatch, capsys):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import cli

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    # Another test in the session may have pointed Prefect's settings at a test server.
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        code = cli.main(
            ["uploaded", "--la", "886", "--notification-date", "2026-11-16", "--annex-a", "/tmp/x"]
        )
    assert code == 2
    assert "PREFECT_API_URL" in capsys.readouterr().err


def test_the_crash_automation_is_prefects_proactive_heartbeat_pattern(monkeypatch):
    from flows import deploy_config

    monkeypatch.setenv("PIA_HEARTBEAT_GRACE_SECONDS", "90")
    a = deploy_config.crash_automation()
    t = a.trigger
    assert t.posture == "Proactive" and t.within == dt.timedelta(seconds=90)
    assert t.after == {"prefect.flow-run.heartbeat"} and "prefect.flow-run.Completed" in t.expect
    assert t.for_each == {"prefect.resource.id"}
    [action] = a.actions
    assert action.state.value == "CRASHED" and "stopped responding" in action.message
    monkeypatch.setenv("PIA_HEARTBEAT_GRACE_SECONDS", "31")  # a healthy run could be crashed
    from flows.errors import ConfigError

    with pytest.raises(ConfigError, match="too short"):
        deploy_config.heartbeat_grace_seconds()


def test_pool_and_deployment_names_come_from_configuration(monkeypatch):
    from flows import deploy_config

    monkeypatch.delenv("PIA_WORK_POOL", raising=False)
    monkeypatch.delenv("PIA_INSPECTION_DEPLOYMENT", raising=False)
    assert deploy_config.work_pool() == "pia-process"
    assert deploy_config.inspection_deployment() == "inspection-pack/inspection-pack"
    monkeypatch.setenv("PIA_WORK_POOL", "pia-k8s")
    monkeypatch.setenv("PIA_INSPECTION_DEPLOYMENT", "inspection-pack/inspection-pack-k8s")
    assert deploy_config.work_pool() == "pia-k8s"
    assert deploy_config.inspection_deployment() == "inspection-pack/inspection-pack-k8s"
    # prefect.yaml takes the pool from the same variable
    text = (Path(__file__).resolve().parents[1] / "prefect.yaml").read_text()
    assert (
        'name: "{{ $PIA_WORK_POOL }}"' in text and 'PREFECT_FLOWS_HEARTBEAT_FREQUENCY: "30"' in text
    )


def test_notify_refuses_weekends_bank_holidays_and_the_past_unless_forced():
    today = dt.date(2026, 12, 7)  # a Monday
    assert notify.check_notification_date("2026-12-08", today=today) == dt.date(2026, 12, 8)
    assert notify.check_notification_date("2026-12-07", today=today)  # today is fine
    for bad, why in (
        ("2026-12-12", "is a Saturday"),
        ("2026-12-25", "is a bank holiday"),
        ("2026-12-04", "is in the past"),
    ):
        with pytest.raises(InputError, match=why):
            notify.check_notification_date(bad, today=today)
        assert notify.check_notification_date(bad, today=today, force=True)


def test_the_cli_refuses_a_saturday_before_contacting_any_server(capsys):
    from flows import cli

    code = cli.main(
        ["notify", "--la", "886", "--notification-date", "2030-01-05", "--annex-a", "/tmp/x"]
    )
    assert code == 2 and "Saturday" in capsys.readouterr().err


def test_the_run_form_has_a_visit_choice_a_required_annex_a_and_a_description_everywhere():
    from typing import get_args

    from prefect.utilities.callables import parameter_schema_from_entrypoint

    from flows.context import VISIT_TYPES

    assert get_args(inspection.VisitType) == VISIT_TYPES  # one list of visit types
    root = Path(__file__).resolve().parents[1]
    for entry in ("inspection_pack", "on_notification", "refresh_statistics", "national_batch"):
        # as `prefect deploy` builds it: from the source file
        schema = parameter_schema_from_entrypoint(f"{root}/flows/inspection.py:{entry}")
        props = schema.model_dump()["properties"]
        undescribed = [k for k, v in props.items() if not v.get("description")]
        assert not undescribed, (entry, undescribed)
        if "visit_type" in props:
            assert props["visit_type"]["enum"] == list(VISIT_TYPES)
        if "annex_a_url" in props:
            assert "annex_a_url" in schema.required and props["annex_a_url"]["minLength"] == 1


def test_a_deadline_run_keeps_its_name_when_it_starts(monkeypatch):
    from prefect.runtime import flow_run

    params = {"la_code": "E08000035", "notification_date": "2026-11-16", "visit_type": "standard"}
    monkeypatch.setattr(flow_run, "parameters", params, raising=False)
    for given, expected in (
        ("Leeds · standard · 2026-11-16 · lists due Tue 17:00", None),
        ("glistening-finch", "Leeds · standard · 2026-11-16"),
    ):
        monkeypatch.setattr(flow_run, "name", given, raising=False)
        assert inspection._flow_run_name() == (expected or given)


def test_batch_and_published_then_failed_artifacts_say_what_happened():
    md = inspection.batch_summary_markdown(
        "2026-11-16",
        {
            "E06000017": ("Completed", "`/packs/E06000017/2026-11-16`"),
            "E09000001": ("Failed", "Stage 'read' failed with ValueError"),
        },
    )
    assert "1 of 2 packs built" in md
    assert md.index("City of London") < md.index("Rutland")  # failures first
    md = inspection.published_then_failed_markdown(
        "Rutland", "2026-11-16", "s3://p/E06000017/2026-11-16", "OSError"
    )
    assert "**was published**" in md and "s3://p/E06000017/2026-11-16" in md and "OSError" in md


def _doc_block(name: str) -> dict:
    import re

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "orchestration.md").read_text()
    [block] = re.findall(rf"<!-- validated: {name} -->\s*```yaml\n(.*?)```", text, flags=re.S)
    return yaml.safe_load(block)


def test_the_kubernetes_job_renders_from_the_pool_template_with_our_job_variables():
    from flows import deploy_config

    [dep] = _doc_block("kubernetes")["deployments"]
    variables = dep["work_pool"]["job_variables"]
    manifest = deploy_config.render_kubernetes_job(variables)
    assert manifest["kind"] == "Job" and manifest["metadata"]["namespace"] == variables["namespace"]
    pod = manifest["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == variables["image"]
    assert pod["serviceAccountName"] == variables["service_account_name"]
    assert container["resources"] == {
        "requests": {"cpu": variables["cpu_request"], "memory": variables["memory_request"]},
        "limits": {"memory": variables["memory_limit"]},
    }
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["PIA_DATA_DIR"] == "/tmp/pia" and env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "30"
    assert manifest["spec"]["ttlSecondsAfterFinished"] == variables["finished_job_ttl"]


def test_unknown_or_ill_typed_kubernetes_job_variables_are_refused(tmp_path):
    import yaml

    from flows import deploy_config

    template = deploy_config.kubernetes_base_job_template()
    bad = {"memory_limt": "4Gi", "cpu_request": "lots", "finished_job_ttl": "soon", "image": 3}
    problems = deploy_config.job_variable_problems(bad, template)
    assert len(problems) == 4, problems
    assert "did you mean 'memory_limit'" in problems[0] and "'lots'" in problems[1]
    with pytest.raises(ValueError, match="memory_limt"):
        deploy_config.render_kubernetes_job(bad, template)
    # the command run before `prefect deploy` fails on the same file, passes on the docs' one
    good = _doc_block("kubernetes")
    f = tmp_path / "prefect.kubernetes.yaml"
    f.write_text(yaml.safe_dump(good))
    assert deploy_config.main(["check-k8s", str(f)]) == 0
    good["deployments"][0]["work_pool"]["job_variables"]["memory_limt"] = "4Gi"
    f.write_text(yaml.safe_dump(good))
    assert deploy_config.main(["check-k8s", str(f)]) == 1


def test_the_image_has_every_folder_the_code_reads_and_the_locked_worker_extras():
    from flows import config

    root = Path(__file__).resolve().parents[1]
    docker = (root / "Dockerfile").read_text()
    for folder in (config.SQL_DIR, config.TEMPLATES_DIR, config.EXPECTATIONS_DIR, root / "flows"):
        name = folder.relative_to(root).as_posix()
        assert f"COPY {name} ./{name}" in docker, name
    assert "uv sync --frozen --no-dev --extra workers" in docker  # the lock, with the extras
    lock = (root / "uv.lock").read_text()
    assert 'name = "prefect-kubernetes"' in lock and 'name = "prefect-aws"' in lock
