"""The stages of one inspection run, as plain functions; flows.pipeline orders them.

Stages hand over paths: the landed submission folder and the run's DuckDB file. Everything is built
in a private staging folder beside the destination and swapped in at the end, so a failed or killed
run never damages the previous pack (DESIGN: outputs written atomically, owner-only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flows import las, storage
from flows.config import data_dir
from flows.context import RunContext, parse_notification_date, parse_visit_type
from flows.errors import InputError
from flows.testhooks import pause_point


# --- stages ----------------------------------------------------------------------------------------
def stage_init(ctx: RunContext) -> Path:
    """Create the run's warehouse with its one-row meta.run table (parameters every model joins to)."""
    from flows import warehouse

    con = warehouse.connect(ctx.warehouse)
    try:
        warehouse.set_run_context(
            con,
            la_code=ctx.la.ons_code,
            notification_date=ctx.notification_date,
            visit_type=ctx.visit_type,
            period_start=ctx.period_start,
            period_start_12m=ctx.period_start_12m,
        )
        from flows import findings

        con.execute(findings.DDL)
    finally:
        con.close()
    return ctx.warehouse


def stage_land(ctx: RunContext, annex_a_url: str) -> Path:
    """Copy the LA's files, unchanged, into the inbox under a content-addressed submission id.

    The same files land in the same folder (idempotent); a resubmission gets a new folder and never
    touches an earlier one.
    """
    inbox = storage.make_private_dir(
        data_dir() / "inbox" / ctx.la.ons_code / ctx.notification_date.isoformat()
    )
    tmp = inbox / f".landing-{uuid.uuid4().hex[:8]}"
    try:
        from flows.annex_a.readers import Limits

        max_mb = Limits.from_env().max_file_mb
        refused: list[dict] = []
        files = storage.fetch_dir(
            annex_a_url, tmp, max_bytes=int(max_mb * 1024 * 1024), refused=refused
        )
        for r in refused:
            r["reason"] = (
                f"The file is {r['bytes'] / 1024 / 1024:.1f} MB, over the limit of {max_mb:g} MB "
                "(PIA_MAX_FILE_MB); it was not copied or read."
            )
        if not files and not refused:
            raise InputError(f"Annex A location {annex_a_url} holds no files.")
        manifest = [
            {
                "file": f.relative_to(tmp).as_posix(),
                "bytes": f.stat().st_size,
                "sha256": storage.sha256_file(f),
            }
            for f in sorted(files)
        ]
        submission_id = storage.hashlib.sha256(
            json.dumps(manifest, sort_keys=True).encode()
        ).hexdigest()[:16]
        storage.atomic_write_text(
            tmp / "manifest.json",
            json.dumps(
                {
                    "submission_id": submission_id,
                    "source": _safe_url(annex_a_url),
                    "files": manifest,
                    **({"refused": refused} if refused else {}),
                },
                indent=2,
            ),
        )
        final = inbox / submission_id
        if final.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, final)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def stage_read(ctx: RunContext, landed: Path) -> dict[str, int]:
    """Identify, read and normalise every list into raw.* and annex_a.*; returns rows per table."""
    from flows.annex_a import load
    from flows.validation import results as list_results

    files = [p for p in sorted(landed.rglob("*")) if p.is_file() and p.name != "manifest.json"]
    with list_results.suites_beside_load(ctx) as typed:  # each list's suite while the load commits
        rows = load.load_submission(files, ctx.warehouse, relative_to=landed, on_typed=typed)
    manifest = landed / "manifest.json"
    if manifest.exists():  # absent when files were fetched without landing (pia validate)
        shutil.copy2(manifest, ctx.work_dir / "manifest.json")  # the pack's footer lists it
        _report_refused(ctx, json.loads(manifest.read_text()).get("refused", []))
    return rows


def _report_refused(ctx: RunContext, refused: list[dict]) -> None:
    """Files turned away at landing (too large to copy) still get their finding, naming the file."""
    from flows import findings, warehouse

    if not refused:
        return
    frame = findings.frame(
        [
            findings.Finding(None, "file_too_large", "error", r["reason"], source_file=r["file"])
            for r in refused
        ]
    )
    con = warehouse.connect(ctx.warehouse)
    try:
        con.register("refused_frame", frame.to_arrow())
        con.execute("insert into quality.issues by name select * from refused_frame")
    finally:
        con.close()


def stage_validate(ctx: RunContext) -> dict[str, int]:
    """Great Expectations suites and cross-list checks into quality.issues; returns counts by severity."""
    from flows.validation import stage as validation

    return validation.validate(ctx)


def stage_indicators(ctx: RunContext) -> list[str]:
    """Published statistics attached read-only; indicator and pack models built in the warehouse."""
    from flows.pack import models as pack_models
    from flows.statistics import indicators as stats_indicators

    ran = stats_indicators.build_indicators(ctx)
    pack_models.build_models(ctx)
    return ran


def validate_and_indicators(ctx: RunContext) -> tuple[dict[str, int], list[str]]:
    """Both stages at once: validation writes only quality.*, the indicators only indicators.* and
    pack.* (views, which read quality.issues only when the pack is rendered), so the indicators take
    the second core while validation runs (what the Prefect flow does with its two tasks)."""
    # held open: threads of one process may share a DuckDB file only through one open database
    with warehouse_open(ctx), ThreadPoolExecutor(1, thread_name_prefix="pia-indicators") as pool:
        indicators = pool.submit(stage_indicators, ctx)
        return stage_validate(ctx), indicators.result()


def stage_render(ctx: RunContext) -> list[Path]:
    """pia.html and the data-quality report (html, csv, xlsx) in the staging folder."""
    from flows.pack import render as pack
    from flows.validation import report as dq_report

    # the data-quality report in a second thread: its queries run while the pack's templates render
    with warehouse_open(ctx), ThreadPoolExecutor(1, thread_name_prefix="pia-dq-report") as pool:
        reports = pool.submit(dq_report.write_reports, ctx)
        html = pack.render(ctx, built=True)  # by stage_indicators
        return [*reports.result(), html]


def stage_publish(ctx: RunContext, final_dir: Path, out_url: str | None) -> str:
    """Swap the finished staging folder into place; copy it to S3 when the output is remote."""
    for p in ctx.work_dir.rglob("*"):  # DuckDB creates its file with the umask (0644): owner-only
        os.chmod(p, storage.DIR_MODE if p.is_dir() else storage.FILE_MODE)
    storage.swap_in_dir(ctx.work_dir, final_dir)
    if out_url and storage.is_remote(out_url):
        dest = f"{out_url.rstrip('/')}/{ctx.la.ons_code}/{ctx.notification_date.isoformat()}"
        return storage.publish_dir(final_dir, dest)
    return str(final_dir)


def warehouse_open(ctx: RunContext) -> contextlib.AbstractContextManager[None]:
    """The run's warehouse held open from init to render (closed, checkpointed, before publish)."""
    from flows import warehouse

    return warehouse.kept_open(ctx.warehouse)


# --- one run ---------------------------------------------------------------------------------------
def prepare(
    la_code: str, notification_date: str | dt.date, visit_type: str, out_url: str | None
) -> tuple[RunContext, Path]:
    """Validate parameters (before any file is touched) and make the private staging folder."""
    la = las.resolve(la_code)
    nd = parse_notification_date(notification_date)
    visit = parse_visit_type(visit_type)
    root = Path(out_url) if out_url and not storage.is_remote(out_url) else data_dir() / "runs"
    final = root / la.ons_code / nd.isoformat()
    storage.make_private_dir(final.parent)
    work = storage.make_private_dir(
        final.parent / f".{nd.isoformat()}.staging-{uuid.uuid4().hex[:8]}"
    )
    return RunContext(la=la, notification_date=nd, visit_type=visit, work_dir=work), final


@contextlib.contextmanager
def run_lock(ctx: RunContext, final: Path, wait_seconds: float = 0) -> Iterator[None]:
    """One run per LA and notification date at a time; runs for other LAs proceed in parallel."""
    lock_path = final.parent / f".{final.name}.lock"
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, storage.FILE_MODE)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        f"Another run for {ctx.la.name} ({ctx.la.ons_code}) and notification date "
                        f"{ctx.notification_date} is in progress; try again when it has finished."
                    ) from None
                time.sleep(0.5)
        _remove_leftovers(ctx, final)
        yield
    finally:
        os.close(fd)


def _remove_leftovers(ctx: RunContext, final: Path) -> None:
    """Staging and landing folders of an earlier run for this LA and date that was killed: with the
    lock held no live run owns them, and they hold child-level data that must not linger."""
    inbox = data_dir() / "inbox" / ctx.la.ons_code / ctx.notification_date.isoformat()
    for stale in [*final.parent.glob(f".{final.name}.staging-*"), *inbox.glob(".landing-*")]:
        if stale != ctx.work_dir:
            shutil.rmtree(stale, ignore_errors=True)
    # a run that waited for the lock may have had its (still empty) staging folder removed by the
    # run before it: make it again
    storage.make_private_dir(ctx.work_dir)


def run_inspection(
    la_code: str,
    notification_date: str | dt.date,
    annex_a_url: str,
    *,
    statistics_url: str | None = None,
    out_url: str | None = None,
    visit_type: str = "standard",
    notes_path: str | None = None,
    generated_at: dt.datetime | None = None,
) -> dict:
    """Every stage in order, without Prefect. Returns a summary of aggregates only (no child data)."""
    ctx, final = prepare(la_code, notification_date, visit_type, out_url)
    ctx.notes_path = Path(notes_path) if notes_path else None
    if generated_at:
        ctx.generated_at = generated_at
    try:
        with run_lock(ctx, final):
            landed = stage_land(ctx, annex_a_url)
            # test-only pause points (flows/testhooks.py): no-ops unless PIA_TEST_PAUSE_AT is set
            pause_point("land")
            with warehouse_open(ctx):
                stage_init(ctx)
                pause_point("init")
                from flows.statistics import refresh as statistics

                ctx.statistics_db = statistics.ensure_db(statistics_url)
                pause_point("statistics")
                rows = stage_read(ctx, landed)
                pause_point("read")
                severities, _ = validate_and_indicators(ctx)
                pause_point("validate")
                pause_point("indicators")
                stage_render(ctx)
            pause_point("render")
            location = stage_publish(ctx, final, out_url)
    finally:
        shutil.rmtree(ctx.work_dir, ignore_errors=True)
    return {
        "la": ctx.la.ons_code,
        "la_name": ctx.la.name,
        "rows": rows,
        "findings": severities,
        "location": location,
    }


def _safe_url(url: str) -> str:
    """A URL without credentials, for manifests and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url
