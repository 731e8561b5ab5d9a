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


def cli(args: argparse.Namespace) -> int:
    event = notified(args.la, args.notification_date, args.visit, args.annex_a)
    from flows.inspection import planned_runs

    print(
        f"{NOTIFIED} sent for {event.resource.get('prefect.resource.name')} ({event.resource['la_code']})."
    )
    print("The server schedules inspection-pack runs at the Annex A deadlines:")
    for run in planned_runs(
        event.resource["la_code"], event.payload["notification_date"], event.payload["visit_type"]
    ):
        print(f"  {run['at']:%a %d %b %Y %H:%M} (Europe/London)  {', '.join(run['milestones'])}")
    return 0
