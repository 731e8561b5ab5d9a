"""`pia notify`: tell the Prefect server an inspection was notified (or that Annex A files arrived).

The server's automations (prefect.yaml) turn the events into runs:
- `ilacs.inspection.notified` → the on-notification deployment schedules inspection-pack runs at the
  Annex A deadlines (flows.milestones);
- `ilacs.annex-a.uploaded` → an immediate inspection-pack run, so every resubmission gets a fresh pack.

Both events name the LA as the resource `ilacs.la.<ONS code>` with a `la_code` label; the rest of the
run's parameters ride in the payload. No child-level data is ever in an event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import Any

from flows import las
from flows.context import parse_notification_date, parse_visit_type
from flows.errors import InputError

NOTIFIED = "ilacs.inspection.notified"
UPLOADED = "ilacs.annex-a.uploaded"


def build_event(
    name: str,
    la_code: str,
    notification_date: str | dt.date,
    visit_type: str,
    annex_a_url: str,
    *,
    statistics_url: str | None = None,
    output_url: str | None = None,
) -> Any:
    """A Prefect Event for one LA, parameters validated first (nothing invalid reaches the server)."""
    from prefect.events import Event

    la = las.resolve(la_code)
    nd = parse_notification_date(notification_date)
    visit = parse_visit_type(visit_type)
    for url in (annex_a_url, statistics_url, output_url):
        if url and "@" in url.split("/")[2 if "://" in url else 0]:
            raise InputError(
                "Locations must not carry credentials: use the environment or a Prefect block."
            )
    if not annex_a_url:
        raise InputError("--annex-a is required: the folder or s3:// prefix the LA's files go to.")
    return Event(
        event=name,
        resource={
            "prefect.resource.id": f"ilacs.la.{la.ons_code}",
            "prefect.resource.name": la.name,
            "la_code": la.ons_code,
        },
        payload={
            "notification_date": nd.isoformat(),
            "visit_type": visit,
            "annex_a_url": annex_a_url,
            "statistics_url": statistics_url,
            "output_url": output_url,
        },
    )


def emit(event: Any) -> None:
    """Send one event and wait until the server has it (the CLI exits straight after)."""
    from prefect.events.clients import get_events_client
    from prefect.utilities.asyncutils import run_coro_as_sync

    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            raise InputError(
                "No Prefect server to notify: set PREFECT_API_URL (`make ui` prints it), e.g. "
                "PREFECT_API_URL=http://127.0.0.1:4200/api."
            )

    async def _send() -> None:
        async with get_events_client() as client:
            await client.emit(event)

    run_coro_as_sync(_send())


def notified(
    la_code: str, notification_date: str | dt.date, visit_type: str, annex_a_url: str, **kw: Any
) -> Any:
    event = build_event(NOTIFIED, la_code, notification_date, visit_type, annex_a_url, **kw)
    emit(event)
    return event


def uploaded(
    la_code: str, notification_date: str | dt.date, visit_type: str, annex_a_url: str, **kw: Any
) -> Any:
    event = build_event(UPLOADED, la_code, notification_date, visit_type, annex_a_url, **kw)
    emit(event)
    return event


def check_notification_date(
    notification_date: str | dt.date, *, today: dt.date | None = None, force: bool = False
) -> dt.date:
    """Refuse a date Ofsted would not notify on: a weekend or bank holiday, or one already past
    (its deadlines would have gone, so every run would start at once). `force` accepts either."""
    from flows import milestones

    nd = parse_notification_date(notification_date)
    if force:
        return nd
    today = today or dt.datetime.now(milestones.LONDON).date()
    if not milestones.is_working_day(nd):
        kind = f"a {nd:%A}" if nd.weekday() >= 5 else "a bank holiday"
        raise InputError(
            f"{nd:%a %d %b %Y} is {kind}: Ofsted notifies on working days. Check the date; if it"
            " really is the notification date, add --force."
        )
    if nd < today:
        raise InputError(
            f"{nd:%a %d %b %Y} is in the past: its deadlines may have gone, and every run due"
            " would start at once. Check the date; to do it anyway, add --force."
        )
    return nd


def online_workers(client: Any, pool: str) -> list[Any]:
    from prefect.exceptions import ObjectNotFound

    try:
        workers = client.read_workers_for_work_pool(pool)
    except ObjectNotFound:
        return []
    return [w for w in workers if getattr(w.status, "value", w.status) == "ONLINE"]


def scheduled_runs(client: Any, la_code: str, notification_date: str) -> list[Any]:
    """The inspection-pack runs the server holds as Scheduled for this LA and notification."""
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    from flows import deploy_config

    dep = client.read_deployment_by_name(deploy_config.inspection_deployment())
    runs = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[dep.id]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
        ),
        sort=FlowRunSort.EXPECTED_START_TIME_ASC,
    )
    return [
        r
        for r in runs
        if r.parameters.get("la_code") == la_code
        and str(r.parameters.get("notification_date")) == notification_date
    ]


def _wait_for_notification_run(client: Any, la_code: str, sent: dt.datetime, timeout: float):
    """The on-notification run the event started (None if none finished within `timeout`)."""
    import time

    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

    dep = client.read_deployment_by_name("on-notification/on-notification")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[dep.id]))
        )
        mine = [
            r
            for r in runs
            if r.parameters.get("la_code") == la_code and r.created and r.created >= sent
        ]
        final = [r for r in mine if r.state and r.state.is_final()]
        if final:
            return final[0]
        time.sleep(0.5)
    return None


def _send_from_args(name: str, args: argparse.Namespace) -> Any:
    event = build_event(
        name,
        args.la,
        args.notification_date,
        args.visit,
        args.annex_a,
        statistics_url=args.stats,
        output_url=args.out,
    )
    emit(event)
    return event


def cli_notify(args: argparse.Namespace) -> int:
    """`pia notify`: send the notification, then print what the server scheduled (not our guess)."""
    from prefect.client.orchestration import get_client

    from flows import deploy_config, milestones

    check_notification_date(args.notification_date, force=args.force)
    sent = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    event = _send_from_args(NOTIFIED, args)
    la, name = event.resource["la_code"], event.resource.get("prefect.resource.name")
    nd = event.payload["notification_date"]
    print(f"Notification sent for {name} ({la}), notified {nd}, {event.payload['visit_type']}.")
    pool = deploy_config.work_pool()
    with get_client(sync_client=True) as client:
        if not online_workers(client, pool):
            print(
                f"No worker is online on work pool {pool!r}: nothing is scheduled until one starts"
                " (`make ui` starts one). The notification is kept and will be acted on then."
            )
            return 1
        run = _wait_for_notification_run(client, la, sent, timeout=args.wait)
        if run is None:
            print(f"The server has not scheduled the runs within {args.wait:.0f} s; see the UI.")
            return 1
        if not run.state.is_completed():
            print(f"Scheduling failed ({run.state.name}): {run.state.message}")
            return 1
        runs = scheduled_runs(client, la, nd)
    print(f"The server scheduled {len(runs)} inspection-pack run(s):")
    for r in runs:
        at = r.expected_start_time.astimezone(milestones.LONDON)
        print(f"  {at:%a %d %b %Y %H:%M} UK time  {r.name}")
    return 0


def cli_uploaded(args: argparse.Namespace) -> int:
    """`pia uploaded`: the LA's files are in place; the server starts a pack build at once."""
    event = _send_from_args(UPLOADED, args)
    print(
        f"Upload event sent for {event.resource.get('prefect.resource.name')}"
        f" ({event.resource['la_code']}): the server starts an inspection-pack run now."
    )
    return 0
