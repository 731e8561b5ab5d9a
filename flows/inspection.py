"""Prefect flows: one LA's pack, the statistics refresh, runs scheduled from a notification, a batch.

The flows are thin: each task is one coarse stage of `flows.stages` (a whole submission, a whole SQL
layer — never a row or a child) and they hand over paths, not data. Tasks that touch child-level rows
persist no result and never cache on their inputs. Exceptions other than InputError (whose message is
written to hold no child values) may quote a cell, so their detail goes to a private log file and
Prefect sees only the stage and the exception type.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff
from pydantic import Field

from flows import deploy_config, las, milestones, pipeline, storage
from flows.config import data_dir
from flows.context import RunContext, parse_notification_date, parse_visit_type
from flows.errors import InputError, RemoteError

LOCK_WAIT_SECONDS = 900  # a resubmission during a run waits for it instead of failing


class StageFailed(RuntimeError):
    """A stage failed for a reason other than bad input; the detail is in a private log file."""


# --- task options ------------------------------------------------------------------------------------
def _retry_unless_input_error(task_, task_run, state) -> bool:
    """Retry I/O (network, S3 throttling), never bad input: a missing folder stays missing."""
    exc = getattr(state, "data", None)
    if not isinstance(exc, BaseException):
        with contextlib.suppress(Exception):
            exc = state.result(raise_on_failure=False)
    return not isinstance(exc, InputError)


# Child-level data: no result persisted, no cache keyed on inputs.
PRIVATE: dict[str, Any] = {"cache_policy": NONE, "persist_result": False}
IO_RETRIES: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),  # 2 s, 4 s, 8 s
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _retry_unless_input_error,
}


@contextlib.contextmanager
def _guarded(stage: str, ctx: RunContext) -> Iterator[None]:
    try:
        yield
    except (InputError, RemoteError):  # messages written to hold no child values
        raise
    except Exception as e:
        log_dir = storage.make_private_dir(data_dir() / "logs" / ctx.la.ons_code)
        path = log_dir / f"{ctx.notification_date.isoformat()}-{stage}-{uuid.uuid4().hex[:8]}.log"
        storage.atomic_write_text(path, traceback.format_exc())
        raise StageFailed(
            f"Stage {stage!r} failed with {type(e).__name__}. The detail may quote the LA's data, so it is"
            f" kept out of Prefect: see {path} on the worker."
        ) from None


# --- tasks: one per stage of flows.pipeline -----------------------------------------------------------
def _stage_task(stage: pipeline.Stage):
    """The stage as a Prefect task: no result persisted, no cache, I/O retried, errors guarded."""

    def run_stage(ctx: RunContext, *args: Any) -> Any:
        with _guarded(stage.name, ctx):
            return stage.fn(ctx, *args)

    run_stage.__name__ = run_stage.__qualname__ = f"stage_{stage.name}"  # the task's key
    return task(name=stage.title, **PRIVATE, **(IO_RETRIES if stage.io else {}))(run_stage)


TASKS = {name: _stage_task(stage) for name, stage in pipeline.STAGES.items()}


class TaskExecutor:
    """flows.pipeline's stages run as this flow's tasks, in this process (they share its open
    warehouse); stages run together are submitted to Prefect's task runner."""

    def run(self, stage: pipeline.Stage, *args: Any) -> Any:
        return TASKS[stage.name](*args)

    def together(self, calls: list[tuple[pipeline.Stage, tuple]]) -> list[Any]:
        (first, first_args), *rest = calls
        futures = [TASKS[s.name].submit(*a) for s, a in rest]
        try:
            results = [TASKS[first.name](*first_args)]
        finally:  # never leave a stage running on a warehouse about to close
            for f in futures:
                f.wait()
        return results + [f.result() for f in futures]


# --- parameters as the UI's run form shows them ------------------------------------------------------
# Prefect builds the form from the flow's signature (a choice for a Literal, required where there is
# no default, pydantic constraints) and each parameter's description from the docstring's `Args:`.
VisitType = Literal["standard", "short", "focused", "monitoring"]  # = flows.context.VISIT_TYPES
LaCode = Annotated[str, Field(min_length=3, max_length=9)]
Location = Annotated[str, Field(min_length=1)]


# --- inspection_pack ---------------------------------------------------------------------------------
def run_name(la_code: str, notification_date: Any, visit_type: str) -> str:
    """`<LA name> · <visit type> · <notification date>`: what an officer looks for in the UI."""
    try:
        name = las.resolve(str(la_code)).name
    except InputError:
        name = str(la_code)[:20]
    return f"{name} · {visit_type} · {notification_date}"


def _flow_run_name() -> str:
    """The run's name when it starts. A name given at creation that says more about the same LA,
    visit and date (`… · lists due Tue 17:00`) is kept, so a deadline run keeps its purpose."""
    p = flow_run.parameters
    base = run_name(
        p.get("la_code", "?"), p.get("notification_date", "?"), p.get("visit_type", "standard")
    )
    given = flow_run.name or ""
    return given if given.startswith(base) else base


def artifact_markdown(summary: dict) -> str:
    """Aggregates only: rows per list, findings per severity, where the pack is. Never a child's value."""
    lines = [
        f"# PIA pack: {summary['la_name']} ({summary['la']})",
        "",
        f"Visit: {summary['visit_type']} · notified {summary['notification_date']}",
        "",
        "| List | Rows |",
        "|---|---:|",
        *(f"| {table} | {int(n):,} |" for table, n in summary["rows"].items()),
        "",
        "| Findings | Count |",
        "|---|---:|",
        *(
            f"| {sev} | {int(summary['findings'].get(sev, 0)):,} |"
            for sev in ("error", "warning", "info")
        ),
        "",
        f"Pack: `{summary['location']}`",
        "",
        "Files: pia.html (the pack), data_quality.html / .csv / .xlsx (queries for the LA analyst),",
        "warehouse.duckdb (every table behind the pack).",
    ]
    return "\n".join(lines)


def published_then_failed_markdown(
    la_name: str, notification_date: str, location: str, error: str
) -> str:
    return "\n".join(
        [
            f"# PIA pack published, then the run failed: {la_name}",
            "",
            f"The pack for the notification of {notification_date} **was published** to",
            f"`{location}` and is complete; the run failed afterwards ({error}), so its summary",
            "(rows per list, findings) is missing here. Open the pack from that location; run again",
            "for the summary.",
        ]
    )


_PUBLISHED: dict[str, str] = {}  # flow run id -> where it published its pack (this process)


def _mark_published(location: str) -> None:
    _PUBLISHED[str(flow_run.id)] = location


def _say_published_then_failed(flow_: Any, run: Any, state: Any) -> None:
    """on_failure hook: a run that had published its pack says so, so the officer does not read the
    failure as 'no new pack'. Never hides the run's own error behind one of its own."""
    location = _PUBLISHED.pop(str(run.id), None)
    if location is None:
        return
    with contextlib.suppress(Exception):
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import ArtifactCreate

        p = run.parameters
        la = las.resolve(str(p["la_code"]))
        # the exception's type only: its message may quote the LA's data
        found = re.search(r"exception: (\w+)", state.message or "")
        error = found.group(1) if found else state.name
        with get_client(sync_client=True) as client:
            client.create_artifact(
                ArtifactCreate(
                    key=f"pia-{la.ons_code.lower()}-{p['notification_date']}",
                    type="markdown",
                    data=published_then_failed_markdown(
                        la.name, str(p["notification_date"]), location, error
                    ),
                    description=f"PIA pack for {la.name}: published, then the run failed",
                    flow_run_id=run.id,
                )
            )


@flow(
    name="inspection-pack",
    flow_run_name=_flow_run_name,
    persist_result=False,
    log_prints=False,
    on_failure=[_say_published_then_failed],
)
def inspection_pack(
    la_code: LaCode,
    notification_date: dt.date,
    annex_a_url: Location,
    visit_type: VisitType = "standard",
    statistics_url: str | None = None,
    output_url: str | None = None,
    notes_url: str | None = None,
) -> dict:
    """Build one LA's PIA pack: land → read → validate → indicators → render → publish.

    Re-running replaces the LA's pack for that notification date whole; a run already in progress
    for the same LA and date is waited for.

    Args:
        la_code: The LA: ONS code (E08000035) or old 3-digit DfE code (383).
        notification_date: The day Ofsted notified the LA of the inspection (YYYY-MM-DD).
        annex_a_url: Where the LA's Annex A files are: a folder on the worker or an s3:// prefix.
        visit_type: The kind of visit; it sets the Annex A deadlines (framework para 314).
        statistics_url: statistics.duckdb to compare against (path or s3://). Empty: the one
            statistics-refresh keeps on the worker (built from the bundled files if absent).
        output_url: Folder or s3:// prefix the pack is published under, as <ONS code>/<date>/.
            Empty: data/runs on the worker.
        notes_url: Optional: the officer's intelligence notes (markdown), a path or s3://.
    """
    logger = get_run_logger()
    summary = pipeline.run(
        la_code,
        notification_date,
        annex_a_url,
        statistics_url=statistics_url,
        out_url=output_url,
        visit_type=visit_type,
        notes_url=notes_url,
        executor=TaskExecutor(),
        lock_wait_seconds=LOCK_WAIT_SECONDS,
    )
    _mark_published(summary["location"])  # from here on, a failure still published the pack
    ctx_la = las.resolve(summary["la"])
    create_markdown_artifact(
        artifact_markdown(summary),
        key=f"pia-{summary['la'].lower()}-{summary['notification_date']}",
        description=f"PIA pack for {ctx_la.name}: rows per list, findings by severity, location",
    )
    logger.info(
        "Pack for %s published to %s (%d lists, %d errors, %d warnings)",
        ctx_la.name,
        summary["location"],
        len(summary["rows"]),
        summary["findings"].get("error", 0),
        summary["findings"].get("warning", 0),
    )
    _PUBLISHED.pop(str(flow_run.id), None)
    return summary


# --- statistics refresh --------------------------------------------------------------------------------
@task(name="refresh published statistics", **PRIVATE, **IO_RETRIES)
def _refresh(source_url: str | None, db_path: Path) -> dict:
    from flows.statistics import refresh as statistics

    return statistics.refresh(source_url, db_path)


@flow(name="statistics-refresh", persist_result=False)
def refresh_statistics(source_url: str | None = None, db_path: str | None = None) -> dict:
    """Pull, validate and load the published statistics into statistics.duckdb (published data only).

    Args:
        source_url: Folder or URL of the published files. Empty: the files bundled with the code.
        db_path: statistics.duckdb to write. Empty: data/warehouse/statistics.duckdb on the worker.
    """
    from flows.config import statistics_db as default_db

    result = _refresh(source_url, Path(db_path) if db_path else default_db())
    create_markdown_artifact(
        "# Published statistics refreshed\n\n"
        + "\n".join(
            f"- {k}: {v}" for k, v in (result or {}).items() if not isinstance(v, dict | list)
        ),
        key="statistics-refresh",
    )
    return result


# --- notification → scheduled runs ----------------------------------------------------------------

_DUE_WORDS = {  # what an officer calls each milestone in a run name (audits come with the lists)
    "child_level_lists": "lists",
    "audits": "audits",
    "management_information": "management information",
    "case_documents": "case documents",
}


def purpose(due: milestones.Due) -> str:
    """`lists due Tue 17:00`: what the run is for and when, in UK time."""
    keys = [m.key for m in due.milestones]
    if "child_level_lists" in keys and "audits" in keys:
        keys.remove("audits")
    what = " and ".join(_DUE_WORDS[k] for k in keys)
    return f"{what} due {due.at:%a %H:%M}"


def planned_runs(la_code: str, notification_date: dt.date | str, visit_type: str) -> list[dict]:
    """The inspection_pack runs a notification implies: one per distinct Annex A deadline."""
    la = las.resolve(la_code)
    nd = parse_notification_date(notification_date)
    visit = parse_visit_type(visit_type)
    return [
        {
            "at": due.at,
            "key": f"{la.ons_code}-{nd.isoformat()}-{visit}-{due.key}",
            "name": f"{run_name(la.ons_code, nd.isoformat(), visit)} · {purpose(due)}",
            "milestones": [m.key for m in due.milestones],
        }
        for due in milestones.schedule(nd, visit)
    ]


def _notification_run_name() -> str:
    p = flow_run.parameters
    return "notified: " + run_name(
        p.get("la_code", "?"), p.get("notification_date", "?"), p.get("visit_type", "?")
    )


@flow(name="on-notification", flow_run_name=_notification_run_name, persist_result=False)
def on_notification(
    la_code: LaCode,
    notification_date: dt.date,
    annex_a_url: Location,
    visit_type: VisitType = "standard",
    statistics_url: str | None = None,
    output_url: str | None = None,
) -> list[str]:
    """Schedule inspection_pack at each Annex A deadline (para 314) for this visit type.

    Idempotent: the same notification twice schedules each run once (idempotency key per deadline).

    Args:
        la_code: The LA: ONS code (E08000035) or old 3-digit DfE code (383).
        notification_date: The day Ofsted notified the LA of the inspection (YYYY-MM-DD).
        annex_a_url: Where the LA's Annex A files will be: a folder on the worker or an s3:// prefix.
        visit_type: The kind of visit; it sets the Annex A deadlines (framework para 314).
        statistics_url: statistics.duckdb to compare against (path or s3://). Empty: the one
            statistics-refresh keeps on the worker.
        output_url: Folder or s3:// prefix the packs are published under. Empty: data/runs.
    """
    from prefect.deployments import run_deployment

    logger = get_run_logger()
    params = {
        "la_code": la_code,
        "notification_date": (
            notification_date.isoformat()
            if isinstance(notification_date, dt.date)
            else notification_date
        ),
        "visit_type": visit_type,
        "annex_a_url": annex_a_url,
        "statistics_url": statistics_url,
        "output_url": output_url,
    }
    ids = []
    for run in planned_runs(la_code, notification_date, visit_type):
        fr = run_deployment(
            deploy_config.inspection_deployment(),
            parameters=params,
            scheduled_time=run["at"].astimezone(dt.UTC),
            flow_run_name=run["name"],
            idempotency_key=run["key"],
            tags=["ilacs", "milestone", *run["milestones"]],
            timeout=0,
            as_subflow=False,
        )
        logger.info("Scheduled %r for %s", run["name"], run["at"].isoformat())
        ids.append(str(fr.id))
    return ids


# --- national batch --------------------------------------------------------------------------------------
BATCH_POLL_SECONDS = 2.0


def batch_summary_markdown(notification_date: str, outcomes: dict[str, tuple[str, str]]) -> str:
    """{ONS code: (state name, pack location or the state's first words)} as the batch's artifact."""
    built = sum(state == "Completed" for state, _ in outcomes.values())
    rows = [
        f"| {las.resolve(code).name} ({code}) | {state} | {detail} |"
        for code, (state, detail) in sorted(
            outcomes.items(), key=lambda kv: kv[1][0] == "Completed"
        )
    ]
    return "\n".join(
        [
            f"# National batch, notification {notification_date}",
            "",
            f"{built} of {len(outcomes)} packs built. Failed runs first; each LA is its own"
            " inspection-pack run (open it for its logs).",
            "",
            "| LA | Run | Pack or reason |",
            "|---|---|---|",
            *rows,
        ]
    )


@flow(name="national-batch", persist_result=False)
def national_batch(
    la_codes: list[str],
    notification_date: dt.date,
    annex_a_root: Location,
    visit_type: VisitType = "standard",
    statistics_url: str | None = None,
    output_url: str | None = None,
    timeout_minutes: Annotated[int, Field(ge=1)] = 240,
) -> dict[str, str]:
    """One inspection-pack run per LA on the work pool, so every worker (and machine) shares the
    batch; waits for them all and fails if any failed, with a summary artifact.

    Args:
        la_codes: The LAs, ONS or old 3-digit DfE codes.
        notification_date: The notification date every LA's pack is built for (YYYY-MM-DD).
        annex_a_root: Folder or s3:// prefix holding one sub-folder per LA, named by ONS code.
        visit_type: The kind of visit, for every LA.
        statistics_url: statistics.duckdb to compare against. Empty: each worker's own.
        output_url: Folder or s3:// prefix the packs are published under. Empty: data/runs.
        timeout_minutes: Give up waiting (and fail) after this long; runs still going carry on.
    """
    import time

    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    logger = get_run_logger()
    nd = parse_notification_date(notification_date).isoformat()
    visit = parse_visit_type(visit_type)
    codes = list(dict.fromkeys(las.resolve(c).ons_code for c in la_codes))
    root = annex_a_root.rstrip("/")
    runs = {}
    for code in codes:  # created at once; the pool's concurrency limit paces them
        runs[code] = run_deployment(
            deploy_config.inspection_deployment(),
            parameters={
                "la_code": code,
                "notification_date": nd,
                "visit_type": visit,
                "annex_a_url": f"{root}/{code}",
                "statistics_url": statistics_url,
                "output_url": output_url,
            },
            flow_run_name=f"{run_name(code, nd, visit)} · national batch",
            tags=["ilacs", "national-batch"],
            timeout=0,
        ).id
    logger.info("National batch: %d inspection-pack runs created on the work pool", len(runs))
    deadline = time.monotonic() + timeout_minutes * 60
    states: dict[str, Any] = {}
    with get_client(sync_client=True) as client:
        while True:
            for code, run_id in runs.items():
                if code not in states or not states[code].is_final():
                    states[code] = client.read_flow_run(run_id).state
            if all(s.is_final() for s in states.values()) or time.monotonic() > deadline:
                break
            time.sleep(BATCH_POLL_SECONDS)
    outcomes: dict[str, tuple[str, str]] = {}
    for code, state in states.items():
        if state.is_completed():
            location = f"{(output_url or str(data_dir() / 'runs')).rstrip('/')}/{code}/{nd}"
            outcomes[code] = ("Completed", f"`{location}`")
        else:  # a failed run's message is written to hold no child values (StageFailed, InputError)
            reason = (state.message or "").replace("|", "/").replace("\n", " ")[:160]
            outcomes[code] = (
                state.name if state.is_final() else f"{state.name} (timed out)",
                reason,
            )
    create_markdown_artifact(
        batch_summary_markdown(nd, outcomes),
        key=f"national-batch-{nd}",
        description=f"National batch for {nd}: one inspection-pack run per LA",
    )
    failed = sorted(c for c, (state, _) in outcomes.items() if state != "Completed")
    built = len(codes) - len(failed)
    logger.info("National batch: %d of %d packs built", built, len(codes))
    if failed:
        raise RuntimeError(
            f"{len(failed)} of {len(codes)} LAs have no new pack: "
            + ", ".join(f"{las.resolve(c).name} ({c})" for c in failed[:20])
            + (" …" if len(failed) > 20 else "")
            + ". See the batch's artifact and each LA's run."
        )
    return {code: detail.strip("`") for code, (_, detail) in outcomes.items()}
