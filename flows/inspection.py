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
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

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


# --- inspection_pack ---------------------------------------------------------------------------------
def run_name(la_code: str, notification_date: Any, visit_type: str) -> str:
    """`<LA name> · <visit type> · <notification date>`: what an officer looks for in the UI."""
    try:
        name = las.resolve(str(la_code)).name
    except InputError:
        name = str(la_code)[:20]
    return f"{name} · {visit_type} · {notification_date}"


def _flow_run_name() -> str:
    p = flow_run.parameters
    return run_name(
        p.get("la_code", "?"), p.get("notification_date", "?"), p.get("visit_type", "standard")
    )


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


@flow(name="inspection-pack", flow_run_name=_flow_run_name, persist_result=False, log_prints=False)
def inspection_pack(
    la_code: str,
    notification_date: dt.date,
    visit_type: str = "standard",
    annex_a_url: str = "",
    statistics_url: str | None = None,
    output_url: str | None = None,
    notes_url: str | None = None,
) -> dict:
    """Build one LA's PIA pack: land → read → validate → indicators → render → publish.

    Every URL is a local path or s3://bucket/prefix. Re-running replaces the LA's pack for that
    notification date whole; a run already in progress for the same LA and date is waited for.
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
    return summary


# --- statistics refresh --------------------------------------------------------------------------------
@task(name="refresh published statistics", **PRIVATE, **IO_RETRIES)
def _refresh(source_url: str | None, db_path: Path) -> dict:
    from flows.statistics import refresh as statistics

    return statistics.refresh(source_url, db_path)


@flow(name="statistics-refresh", persist_result=False)
def refresh_statistics(source_url: str | None = None, db_path: str | None = None) -> dict:
    """Pull, validate and load the published statistics into statistics.duckdb (published data only)."""
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
def planned_runs(la_code: str, notification_date: dt.date | str, visit_type: str) -> list[dict]:
    """The inspection_pack runs a notification implies: one per distinct Annex A deadline."""
    la = las.resolve(la_code)
    nd = parse_notification_date(notification_date)
    visit = parse_visit_type(visit_type)
    return [
        {
            "at": due.at,
            "key": f"{la.ons_code}-{nd.isoformat()}-{visit}-{due.key}",
            "name": f"{run_name(la.ons_code, nd.isoformat(), visit)} · {due.label}",
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
    la_code: str,
    notification_date: dt.date,
    visit_type: str = "standard",
    annex_a_url: str = "",
    statistics_url: str | None = None,
    output_url: str | None = None,
) -> list[str]:
    """Schedule inspection_pack at each Annex A deadline (para 314) for this visit type.

    Idempotent: the same notification twice schedules each run once (idempotency key per deadline).
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
def _one_la(
    la_code: str,
    notification_date: str,
    visit_type: str,
    annex_a_url: str | None,
    statistics_url: str | None,
    output_url: str | None,
    seed: int,
) -> str:
    """One LA's pack in a worker process (plain stages: the batch flow reports on the whole)."""
    if annex_a_url is None:  # the benchmark: a synthetic submission per LA
        from flows import synth

        annex_a_url = str(data_dir() / "inbox" / "synthetic" / la_code / notification_date)
        if not Path(annex_a_url).exists():
            synth.generate(
                la_code, dt.date.fromisoformat(notification_date), Path(annex_a_url), seed=seed
            )
    summary = pipeline.run(
        la_code,
        notification_date,
        annex_a_url,
        statistics_url=statistics_url,
        out_url=output_url,
        visit_type=visit_type,
    )
    return summary["location"]


@flow(name="national-batch", persist_result=False)
def national_batch(
    la_codes: list[str],
    notification_date: str,
    visit_type: str = "standard",
    annex_a_root: str | None = None,
    statistics_url: str | None = None,
    output_url: str | None = None,
    concurrency: int = 2,
    seed: int = 20261123,
) -> dict[str, str]:
    """Packs for many LAs, at most `concurrency` at a time (each LA has its own DuckDB file).

    `annex_a_root/<ONS code>/` holds each LA's files; without it each LA gets a synthetic submission.
    Returns {ONS code: pack location or "failed: <exception type>"}; one LA failing does not stop the
    others. Worker processes, not threads: Great Expectations is not thread-safe (measured: two
    validations in threads read each other's batches), and parts of a run are CPU-bound Python.
    Each LA is one unit here; for a run per LA in the UI, use the inspection-pack deployment.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    logger = get_run_logger()
    codes = [las.resolve(c).ons_code for c in la_codes]
    root = annex_a_root.rstrip("/") if annex_a_root else None
    from flows.statistics import refresh as statistics

    statistics_url = str(statistics.ensure_db(statistics_url))  # built once, before the fan-out
    out: dict[str, str] = {}
    with ProcessPoolExecutor(
        max_workers=max(1, int(concurrency)), mp_context=get_context("spawn")
    ) as pool:
        futures = {
            c: pool.submit(
                _one_la,
                c,
                notification_date,
                visit_type,
                f"{root}/{c}" if root else None,
                statistics_url,
                output_url,
                seed,
            )
            for c in codes
        }
        for c, fut in futures.items():
            try:
                out[c] = fut.result()
            except Exception as e:  # the message may quote data: the type only
                out[c] = f"failed: {type(e).__name__}"
    built = sum(not v.startswith("failed") for v in out.values())
    logger.info(
        "National batch: %d of %d packs built (concurrency %d)", built, len(out), concurrency
    )
    create_markdown_artifact(
        "# National batch\n\n| LA | Pack |\n|---|---|\n"
        + "\n".join(f"| {las.resolve(c).name} ({c}) | `{v}` |" for c, v in out.items()),
        key=f"national-batch-{notification_date}",
    )
    return out
