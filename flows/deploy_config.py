"""Where the deployments run, from configuration, and what the server needs beside prefect.yaml.

- The work pool and the inspection deployment's name come from the environment (`PIA_WORK_POOL`,
  `PIA_INSPECTION_DEPLOYMENT`), so moving to a Kubernetes or ECS pool is configuration, not code.
- The crash automation: a flow run's process sends `prefect.flow-run.heartbeat` every
  `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (30, Prefect's minimum: prefect.yaml sets it for every
  run). When a run stops sending them without reaching a final state — its machine, pod or worker
  died — Prefect's documented proactive automation marks it Crashed, which frees its pool slot.
  `python -m flows.deploy_config automations` creates or updates it (scripts/ui.sh runs it after
  `prefect deploy`).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

DEFAULT_POOL = "pia-process"
DEFAULT_INSPECTION_DEPLOYMENT = "inspection-pack/inspection-pack"
HEARTBEAT_SECONDS = 30  # Prefect's minimum (flow_engine.MINIMUM_HEARTBEAT_INTERVAL)
DEFAULT_GRACE_SECONDS = 90  # three heartbeats' time: two missed beats mean the run is gone
CRASH_AUTOMATION = "ilacs-pia: mark runs whose machine stopped as Crashed"


def work_pool() -> str:
    return os.environ.get("PIA_WORK_POOL", "").strip() or DEFAULT_POOL


def inspection_deployment() -> str:
    """`<flow name>/<deployment name>` that notifications and the national batch start runs of."""
    return os.environ.get("PIA_INSPECTION_DEPLOYMENT", "").strip() or DEFAULT_INSPECTION_DEPLOYMENT


def heartbeat_grace_seconds() -> int:
    """How long without a heartbeat before a run is declared lost (PIA_HEARTBEAT_GRACE_SECONDS)."""
    raw = os.environ.get("PIA_HEARTBEAT_GRACE_SECONDS", "").strip()
    value = int(raw) if raw else DEFAULT_GRACE_SECONDS
    # below ~1.5 heartbeats a healthy run on a busy machine could be crashed between two beats
    if value < HEARTBEAT_SECONDS + 15:
        raise ValueError(
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["automations"]:
        print("usage: python -m flows.deploy_config automations", file=sys.stderr)
        return 2
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        ensure_crash_automation(client)
    print(f"automation: {CRASH_AUTOMATION!r} ({heartbeat_grace_seconds()} s without a heartbeat)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
