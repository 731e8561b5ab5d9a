"""Where the deployments run, from configuration, and what the server needs beside prefect.yaml.

- The work pool and the inspection deployment's name come from the environment (`PIA_WORK_POOL`,
  `PIA_INSPECTION_DEPLOYMENT`), so moving to a Kubernetes or ECS pool is configuration, not code.
- Job variables for a Kubernetes pool are checked before a deploy (`python -m flows.deploy_config
  check-k8s prefect.kubernetes.yaml`): Prefect's server accepts unknown names (`memory_limt`) and any
  string for a resource (`cpu_request: "lots"`), which then fail only when a pod is created.
- The crash automation: a flow run's process sends `prefect.flow-run.heartbeat` every
  `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (30, Prefect's minimum: prefect.yaml sets it for every
  run). When a run stops sending them without reaching a final state — its machine, pod or worker
  died — Prefect's documented proactive automation marks it Crashed, which frees its pool slot.
  `python -m flows.deploy_config automations` creates or updates it (scripts/ui.sh runs it after
  `prefect deploy`).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from flows import config
from flows.errors import ConfigError

HEARTBEAT_SECONDS = 30  # Prefect's minimum (flow_engine.MINIMUM_HEARTBEAT_INTERVAL)
CRASH_AUTOMATION = "ilacs-pia: mark runs whose machine stopped as Crashed"


def work_pool() -> str:
    return config.settings().work_pool


def inspection_deployment() -> str:
    """`<flow name>/<deployment name>` that notifications and the national batch start runs of."""
    return config.settings().inspection_deployment


def heartbeat_grace_seconds() -> int:
    """How long without a heartbeat before a run is declared lost (PIA_HEARTBEAT_GRACE_SECONDS)."""
    value = config.settings().heartbeat_grace_seconds
    # below ~1.5 heartbeats a healthy run on a busy machine could be crashed between two beats
    if value < HEARTBEAT_SECONDS + 15:
        raise ConfigError(
            f"PIA_HEARTBEAT_GRACE_SECONDS={value} is too short: heartbeats come every"
            f" {HEARTBEAT_SECONDS} s, so allow at least {HEARTBEAT_SECONDS + 15} s."
        )
    return value


def crash_message(grace: int) -> str:
    return (
        f"The machine running this run stopped responding (no heartbeat for {grace} s), so the run"
        " was marked Crashed and its place in the work pool freed. Nothing was published by it;"
        " the previous pack, if any, is unchanged. Run it again (Retry, or the deployment's Run)."
    )


def crash_automation(grace: int | None = None) -> Any:
    """Prefect's proactive 'missing heartbeats → Crashed' automation, one trigger per flow run."""
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    grace = grace or heartbeat_grace_seconds()
    return AutomationCore(
        name=CRASH_AUTOMATION,
        description=(
            "A flow run that sent a heartbeat and then neither another heartbeat nor a final state"
            f" within {grace} s has lost its process: mark it Crashed so its slot is freed."
        ),
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            after={"prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=dt.timedelta(seconds=grace),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, message=crash_message(grace))],
    )


def ensure_crash_automation(client: Any, grace: int | None = None) -> Any:
    """Create the automation, or update it in place (re-running the set-up changes nothing else)."""
    automation = crash_automation(grace)
    existing = client.read_automations_by_name(CRASH_AUTOMATION)
    if existing:
        client.update_automation(existing[0].id, automation)
        for extra in existing[1:]:
            client.delete_automation(extra.id)
        return existing[0].id
    return client.create_automation(automation)


# --- Kubernetes job variables ---------------------------------------------------------------------------
# Kubernetes resource quantities: a decimal number with an optional SI or binary suffix ("500m", "2",
# "1.5", "512Mi", "4Gi"); what the API server would refuse, refused here before a deploy.
_QUANTITY = re.compile(r"^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_QUANTITIES = ("cpu_request", "cpu_limit", "memory_request", "memory_limit")


def set_pool_command(client: Any, pool: str, command: str | None) -> None:
    """The process pool's default `command` job variable: how its worker starts a run (None:
    `python -m prefect.engine`). scripts/ui.sh sets scripts/forkserver_client.py (warm runs:
    docs/orchestration.md); a deployment's own `command` job variable still wins."""
    from prefect.client.schemas.actions import WorkPoolUpdate

    template = client.read_work_pool(pool).base_job_template
    if not template:  # a pool created through the API without one: the process worker's default
        from prefect.workers.process import ProcessWorker

        template = ProcessWorker.get_default_base_job_template()
    template["variables"]["properties"]["command"]["default"] = command
    client.update_work_pool(pool, WorkPoolUpdate(base_job_template=template))


def kubernetes_base_job_template() -> dict:
    """The base job template a new `kubernetes` work pool gets (prefect-kubernetes' default)."""
    from prefect_kubernetes.worker import KubernetesWorker

    return KubernetesWorker.get_default_base_job_template()


def job_variable_problems(job_variables: dict, base_job_template: dict) -> list[str]:
    """What is wrong with a deployment's job variables for a pool: unknown names, wrong types (the
    pool's own JSON schema), resource quantities Kubernetes would refuse."""
    import jsonschema

    schema = base_job_template["variables"]
    known = schema.get("properties", {})
    problems = []
    for name, value in job_variables.items():
        if name not in known:
            close = [k for k in known if _similar(k, name)]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{name!r} is not a job variable of this pool{hint}")
            continue
        one = {**schema, "properties": {name: known[name]}, "required": []}
        for err in jsonschema.Draft202012Validator(one).iter_errors({name: value}):
            problems.append(f"{name!r}: {err.message}")
        if name in _QUANTITIES and value is not None and not _QUANTITY.match(str(value)):
            problems.append(
                f"{name!r}: {str(value)[:20]!r} is not a Kubernetes quantity (e.g. '500m', '2', '4Gi')"
            )
    return problems


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def render_kubernetes_job(job_variables: dict, base_job_template: dict | None = None) -> dict:
    """The Job manifest the Kubernetes worker would create for a run of a deployment with these
    job variables (prefect-kubernetes' own rendering), after refusing bad variables."""
    import asyncio
    import uuid

    from prefect.client.schemas.objects import FlowRun
    from prefect_kubernetes.worker import KubernetesWorkerJobConfiguration

    template = base_job_template or kubernetes_base_job_template()
    problems = job_variable_problems(job_variables, template)
    if problems:
        raise ValueError("Job variables refused: " + "; ".join(problems))
    from prefect.client.orchestration import PrefectClient

    # The client would resolve block and variable references in the template; ours has none, so an
    # unreachable address keeps the rendering offline (a reference would fail loudly, not silently).
    offline = PrefectClient(api="http://127.0.0.1:9/api")
    config = asyncio.run(
        KubernetesWorkerJobConfiguration.from_template_and_values(
            template, job_variables, client=offline
        )
    )
    config.prepare_for_flow_run(FlowRun(id=uuid.uuid4(), name="render-check", flow_id=uuid.uuid4()))
    return config.job_manifest


def check_prefect_file(path: Path, base_job_template: dict | None = None) -> list[str]:
    """Problems in every deployment's job variables in a prefect.yaml for a Kubernetes pool."""
    import yaml

    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    template = base_job_template or kubernetes_base_job_template()
    problems = []
    for dep in config.get("deployments") or []:
        variables = (dep.get("work_pool") or {}).get("job_variables") or {}
        problems += [f"{dep.get('name')}: {p}" for p in job_variable_problems(variables, template)]
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "check-k8s":
        problems = check_prefect_file(Path(args[1]))
        for p in problems:
            print(f"{args[1]}: {p}", file=sys.stderr)
        return 1 if problems else 0
    pool_command: str | None = None
    if len(args) == 3 and args[1] == "--pool-command":
        args, pool_command = args[:1], args[2]
    if args != ["automations"]:
        print(
            "usage: python -m flows.deploy_config automations [--pool-command COMMAND]"
            " | check-k8s PREFECT_YAML",
            file=sys.stderr,
        )
        return 2
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        ensure_crash_automation(client)
        if pool_command is not None:
            set_pool_command(client, work_pool(), pool_command or None)
    print(f"automation: {CRASH_AUTOMATION!r} ({heartbeat_grace_seconds()} s without a heartbeat)")
    if pool_command is not None:
        print(f"pool {work_pool()!r}: runs start with {pool_command or 'python -m prefect.engine'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
